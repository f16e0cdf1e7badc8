"""The bad-input corpus: every broken extract gives its expected outcome.

No input may produce a traceback, a silent drop or a wrong figure: each case
either raises one clear ``ExtractError`` (and ``validate`` exits 2), or loads
with exactly the expected rejects, rows read = accepted + rejected, and every
row not rejected kept.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from observatoire import data
from observatoire.cli import main
from observatoire.exceptions import ExtractError

HERE = Path(__file__).parent
CORPUS = HERE / "bad_inputs"
BASE = HERE / "fixtures" / "entrepot_mini"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name[:2].isdigit())


def test_corpus_has_at_least_forty_cases():
    assert len(CASES) >= 40


def _assemble(case: Path, tmp: Path) -> tuple[Path, dict]:
    out = tmp / case.name
    shutil.copytree(BASE, out)
    expected = json.loads((case / "attendu.json").read_text(encoding="utf-8"))
    for name in expected.get("supprimer", []):
        (out / name).unlink()
    for f in case.iterdir():
        if f.name != "attendu.json":
            shutil.copy(f, out / f.name)
    return out, expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case(case, tmp_path, capsys):
    extract, expected = _assemble(case, tmp_path)
    if "erreur" in expected:
        with pytest.raises(ExtractError, match=expected["erreur"]):
            data.load(extract)
        assert main(["validate", str(extract)]) == 2
    else:
        wh = data.load(extract)
        got = sorted(
            wh.rejects[["table", "ligne", "colonne", "regle"]]
            .astype(object)
            .values.tolist()
        )
        assert got == sorted(expected["rejets"])
        rec = wh.reconciliation.set_index("table")
        assert (
            rec["lignes_lues"] == rec["lignes_acceptees"] + rec["lignes_rejetees"]
        ).all()
        for table, n in expected.get("lues", {}).items():
            assert rec.loc[table, "lignes_lues"] == n
        # nothing dropped silently: each table keeps every row it did not reject
        base = data.load(BASE).reconciliation.set_index("table")["lignes_lues"]
        for table in rec.index:
            rejected_rows = wh.rejects.query("table == @table")["ligne"].nunique()
            assert rec.loc[table, "lignes_rejetees"] == rejected_rows
            if table not in expected.get("lues", {}):
                assert rec.loc[table, "lignes_lues"] == base[table]
        assert main(["validate", str(extract)]) == (1 if expected["rejets"] else 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
