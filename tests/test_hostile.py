"""The hostile corpus (``tests/hostile/``): misuse never loses, leaks or tracebacks.

Each case runs one command line on a copy of ``tests/fixtures/entrepot_mini``
altered as ``tests/hostile/make_hostile_corpus.py`` says, and checks its exit status,
fragments of its message, that an error is one bounded, escaped line, that the
files it must not touch are byte-identical and that no partial output is left.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from observatoire.cli import main
from observatoire.data._write import FINGERPRINTS_KEY, METADATA_FILE, table_fingerprints

HERE = Path(__file__).parent
CORPUS = HERE / "hostile"
BASE = HERE / "fixtures" / "entrepot_mini"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name[:2].isdigit())
#: the longest error line a command may print (an excerpt is 60 characters)
MAX_ERROR_LINE = 600


def test_corpus_has_at_least_sixty_cases():
    assert len(CASES) >= 60


def _assemble(case: Path, tmp: Path) -> tuple[Path, Path, dict]:
    spec = json.loads((case / "cas.json").read_text(encoding="utf-8"))
    extract, scratch = tmp / "extrait", tmp / "tmp"
    shutil.copytree(BASE, extract)
    scratch.mkdir()
    if "empreintes" in spec:
        prints = table_fingerprints(extract)
        for name in spec["empreintes"].get("retirer", []):
            del prints[name]
        meta = {"date_extraction": "2023-12-31", FINGERPRINTS_KEY: prints}
        (extract / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    for name in spec.get("supprimer", []):
        (extract / name).unlink()
    for f in case.rglob("*"):
        if f.is_file() and f.name != "cas.json":
            target = extract / f.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)
    _prepare(spec.get("preparer", {}), extract, scratch)
    return extract, scratch, spec


def _prepare(prep: dict, extract: Path, scratch: Path) -> None:
    """What a committed file cannot be: links, FIFOs, folders, large files."""
    for name, (byte, size) in prep.get("fichier", {}).items():
        (extract / name).write_bytes(bytes.fromhex(byte) * size)
    for name, target in prep.get("lien", {}).items():
        os.symlink(target, extract / name)
    for name in prep.get("dossier", []):
        (extract / name).mkdir()
    for name in prep.get("fifo", []):
        os.mkfifo(extract / name)
    for name in prep.get("dossier_tmp", []):
        (scratch / name).mkdir()
    for name in prep.get("fifo_tmp", []):
        os.mkfifo(scratch / name)
    for name, text in prep.get("ecrire", {}).items():
        (scratch / name).parent.mkdir(parents=True, exist_ok=True)
        (scratch / name).write_text(text, encoding="utf-8")


def _fill(text: str, extract: Path, scratch: Path) -> str:
    return text.replace("{extrait}", str(extract)).replace("{tmp}", str(scratch))


def _snapshot(path: Path) -> dict[str, str]:
    """Relative path -> sha256 (or the kind of a special file) of everything under path."""
    if not (path.exists() or path.is_symlink()):
        return {}
    paths = [path] if not path.is_dir() else sorted(path.rglob("*"))
    out = {}
    for p in paths:
        key = str(p.relative_to(path)) if p != path else "."
        if p.is_symlink():
            out[key] = "->" + os.readlink(p)
        elif p.is_file():
            out[key] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[key] = "dir" if p.is_dir() else "special"
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case, tmp_path, capsys):
    extract, scratch, spec = _assemble(case, tmp_path)
    argv = [_fill(a, extract, scratch) for a in spec["commande"]]
    keep = [
        Path(_fill(p, extract, scratch)) for p in spec.get("inchange", ["{extrait}"])
    ]
    before = {p: _snapshot(p) for p in keep}

    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code

    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == spec["code"], err[-2000:]
    for fragment in spec["message"]:
        assert fragment in out + err, (fragment, err[-2000:])
    if code == 2:
        errors = [line for line in err.splitlines() if ": error: " in line]
        assert len(errors) == 1, err
        assert len(errors[0]) <= MAX_ERROR_LINE
        assert errors[0].isprintable()
    for p in keep:
        assert _snapshot(p) == before[p], f"{p} changed"
    for p in spec.get("absent", []):
        assert not Path(_fill(p, extract, scratch)).exists()
    for p, fragment in spec.get("contenu", {}).items():
        assert fragment in Path(_fill(p, extract, scratch)).read_text(encoding="utf-8")
    leftovers = [p.name for p in tmp_path.rglob(".*.tmp")]
    assert not leftovers, leftovers
