"""Loader and validation: one test per contract rule, on the hand-written fixture.

Each case copies ``tests/fixtures/entrepot_mini`` (12 young people, 3 MLs, CSV
with ``;`` and French dates), breaks one thing, and checks the exact reject:
table, file line (header = line 1), column and rule, and that rows read =
accepted + rejected.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from observatoire import data
from observatoire.cli import main
from observatoire.data._validate import _blank
from observatoire.exceptions import ExtractError

FIXTURE = Path(__file__).parent / "fixtures" / "entrepot_mini"


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    out = tmp_path / "extract"
    shutil.copytree(FIXTURE, out)
    return out


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check_balance(wh: data.Warehouse) -> None:
    rec = wh.reconciliation
    assert (
        rec["lignes_lues"] == rec["lignes_acceptees"] + rec["lignes_rejetees"]
    ).all()
    for row in rec.itertuples():
        assert len(wh.table(row.table)) == row.lignes_acceptees


def test_fixture_loads_clean_and_typed():
    wh = data.load(FIXTURE)
    assert wh.n_rejected == 0
    assert len(wh.rejects) == 0
    counts = dict(
        zip(wh.reconciliation["table"], wh.reconciliation["lignes_lues"], strict=True)
    )
    assert counts == {
        "missions_locales": 3, "jeunes": 12, "evenements": 20, "situations": 11,
        "dispositifs": 5, "aides": 5, "animations": 4, "animations_participations": 6,
    }  # fmt: skip
    # 45,5 with a decimal comma; 12/03/2004 read day first; oui/non to booleans
    assert wh.missions_locales.loc[0, "etp"] == 45.5
    assert wh.jeunes.loc[0, "date_naissance"] == pd.Timestamp("2004-03-12")
    assert wh.jeunes["neet"].dtype == bool and wh.jeunes["neet"].sum() == 9
    assert wh.aides.loc[1, "montant_eur"] == 1200.5
    # a quoted field holding ';' and doubled quotes survives
    assert wh.animations.loc[0, "intitule"].startswith(
        "Former les conseillers ; l'offre \""
    )
    # no metadata file: the extraction date is the latest contact (12/12/2023)
    assert wh.extraction_date == pd.Timestamp("2023-12-12")
    assert not wh.synthetic


# (file, old text, new text, table, file line, column, rule)
CASES = [
    (
        "jeunes.csv",
        "J03;MLA;F;30/11/2006",
        "J03;MLA;F;2006-13-45",
        "jeunes",
        4,
        "date_naissance",
        "type",
    ),
    (
        "jeunes.csv",
        "J03;MLA;F;30/11/2006",
        "J03;MLA;F;38999",
        "jeunes",
        4,
        "date_naissance",
        "type",
    ),
    ("jeunes.csv", "J02;MLA;H;", "J02;MLA;X;", "jeunes", 3, "sexe", "valeur_autorisee"),
    (
        "jeunes.csv",
        ";4;oui;oui;non;non;33063",
        ";bac;oui;oui;non;non;33063",
        "jeunes",
        3,
        "niveau_diplome",
        "valeur_autorisee",
    ),
    (
        "jeunes.csv",
        "aucun;oui;non;non;oui;33063",
        "aucun;peut-etre;non;non;oui;33063",
        "jeunes",
        2,
        "neet",
        "type",
    ),
    ("jeunes.csv", "J12;MLC;H;", ";MLC;H;", "jeunes", 13, "id_jeune", "obligatoire"),
    (
        "jeunes.csv",
        "J06;MLB;H;08/08/2005",
        "J06;MLB;H;08/08/2012",
        "jeunes",
        7,
        "date_premier_accueil",
        "age_premier_accueil",
    ),
    (
        "jeunes.csv",
        "J07;MLB;F;19/09/1999",
        "J07;MLB;F;19/09/1990",
        "jeunes",
        8,
        "date_premier_accueil",
        "age_premier_accueil",
    ),
    (
        "jeunes.csv",
        "non;33281",
        "non;3328",
        "jeunes",
        4,
        "commune_residence",
        "format_commune",
    ),
    ("jeunes.csv", "J10;MLC;", "J10;MLZ;", "jeunes", 11, "code_ml", "reference"),
    (
        "jeunes.csv",
        "J09;MLC;F;25/12/2004;14/04/2023",
        "J09;MLC;F;25/12/2004;14/04/2031",
        "jeunes",
        10,
        "date_premier_accueil",
        "date_future",
    ),
    (
        "missions_locales.csv",
        "MLC;Mission locale fictive C;23",
        "MLC;Mission locale fictive C;18",
        "missions_locales",
        4,
        "departement",
        "valeur_autorisee",
    ),
    ("missions_locales.csv", ";4;12", ";4;-1", "missions_locales", 3, "etp", "minimum"),
    (
        "missions_locales.csv",
        ";12;45,5",
        ";douze;45,5",
        "missions_locales",
        2,
        "nb_lieux_accueil",
        "type",
    ),
    (
        "evenements.csv",
        "E05;J02;MLA;10/05/2023;contact_telephonique",
        "E05;J02;MLA;10/05/2023;sms",
        "evenements",
        6,
        "type_evenement",
        "valeur_autorisee",
    ),
    (
        "evenements.csv",
        "E05;J02;",
        "E05;J99;",
        "evenements",
        6,
        "id_jeune",
        "reference",
    ),
    (
        "evenements.csv",
        "E06;J03;MLA;02/05/2023",
        "E05;J03;MLA;02/05/2023",
        "evenements",
        7,
        "id_evenement",
        "doublon",
    ),
    (
        "evenements.csv",
        "E20;J03;MLA;11/09/2023;entretien_individuel",
        "E20;J03;MLA;11/09/2023",
        "evenements",
        21,
        "",
        "nombre_champs",
    ),
    (
        "situations.csv",
        "S04;J03;scolarite;;",
        "S04;J03;scolarite;cdi;",
        "situations",
        5,
        "sous_categorie",
        "sous_categorie",
    ),
    (
        "situations.csv",
        "S05;J04;emploi;cdi;",
        "S05;J04;emploi;;",
        "situations",
        6,
        "sous_categorie",
        "sous_categorie",
    ),
    (
        "situations.csv",
        "S05;J04;emploi;cdi;;",
        "S05;J04;emploi;cdi;region;",
        "situations",
        6,
        "financeur",
        "financeur",
    ),
    (
        "situations.csv",
        "S06;J05;formation;preparatoire;etat",
        "S06;J05;formation;preparatoire;",
        "situations",
        7,
        "financeur",
        "financeur",
    ),
    (
        "situations.csv",
        "S07;J07;emploi;interim;;13/03/2023;31/03/2023;31/03/2023",
        "S07;J07;emploi;interim;;13/03/2023;31/03/2023;01/03/2023",
        "situations",
        8,
        "date_fin",
        "ordre_dates",
    ),
    (
        "situations.csv",
        "S09;J09;service_civique;;;01/06/2023;30/11/2023",
        "S09;J09;service_civique;;;01/06/2023;30/11/2022",
        "situations",
        10,
        "date_fin_prevue",
        "ordre_dates",
    ),
    (
        "situations.csv",
        ";en_cours\nS04",
        ";active\nS04",
        "situations",
        4,
        "etat",
        "valeur_autorisee",
    ),
    (
        "situations.csv",
        "S08;J08;formation;remise_a_niveau;region",
        "S08;J08;formation;remise_a_niveau;conseil_general",
        "situations",
        9,
        "financeur",
        "valeur_autorisee",
    ),
    (
        "dispositifs.csv",
        "J02;PACEA",
        "J02;RSA",
        "dispositifs",
        3,
        "dispositif",
        "valeur_autorisee",
    ),
    (
        "dispositifs.csv",
        "J08;PACEA;09/01/2023;08/07/2023",
        "J08;PACEA;09/01/2023;08/07/2022",
        "dispositifs",
        5,
        "date_fin",
        "ordre_dates",
    ),
    (
        "aides.csv",
        "A01;J01;permis_b;region;900",
        "A01;J01;permis_b;region;-900",
        "aides",
        2,
        "montant_eur",
        "minimum",
    ),
    (
        "aides.csv",
        "A03;J05;allocation;etat",
        "A03;J05;allocation;departement",
        "aides",
        4,
        "financeur",
        "valeur_autorisee",
    ),
    (
        "aides.csv",
        "A05;J09;numerique;region;150;20/04/2023",
        "A05;J09;numerique;region;150;",
        "aides",
        6,
        "date_attribution",
        "obligatoire",
    ),
    (
        "animations.csv",
        "Webinaire aide au permis B;1,5",
        "Webinaire aide au permis B;0",
        "animations",
        3,
        "duree_heures",
        "minimum",
    ),
    (
        "animations.csv",
        "AN03;22/06/2023;reunion_reseau",
        "AN03;22/06/2023;apero",
        "animations",
        4,
        "type_animation",
        "valeur_autorisee",
    ),
    (
        "animations.csv",
        "AN02;14/03/2023",
        "AN02;14/03/2030",
        "animations",
        3,
        "date_animation",
        "date_future",
    ),
    (
        "animations_participations.csv",
        "AN03;MLB;2",
        "AN03;MLB;0",
        "animations_participations",
        6,
        "nb_participants",
        "minimum",
    ),
    (
        "animations_participations.csv",
        "AN04;MLC;1",
        "AN09;MLC;1",
        "animations_participations",
        7,
        "id_animation",
        "reference",
    ),
    (
        "animations_participations.csv",
        "AN02;MLA;4",
        "AN01;MLA;4",
        "animations_participations",
        5,
        "id_animation+code_ml",
        "doublon",
    ),
]


@pytest.mark.parametrize(
    "fname,old,new,table,line,column,rule",
    CASES,
    ids=[f"{c[3]}-{c[5] or 'record'}-{c[6]}-{i}" for i, c in enumerate(CASES)],
)
def test_each_rule_rejects_the_broken_row(
    extract, fname, old, new, table, line, column, rule
):
    _replace(extract / fname, old, new)
    wh = data.load(extract)
    _check_balance(wh)
    hit = wh.rejects[
        (wh.rejects["table"] == table)
        & (wh.rejects["ligne"] == line)
        & (wh.rejects["colonne"] == column)
        & (wh.rejects["regle"] == rule)
    ]
    assert len(hit) == 1, wh.rejects.to_string()
    rec = wh.reconciliation.set_index("table")
    assert rec.loc[table, "lignes_rejetees"] >= 1


def test_orphans_cascade_from_a_rejected_young_person(extract):
    # J05 (line 6 of jeunes) gets an impossible birth date: its 2 contacts, its
    # training, its CEJ entry and its aid must be rejected as orphans, not kept.
    _replace(extract / "jeunes.csv", "J05;MLB;F;14/02/2003", "J05;MLB;F;14/02/2003x")
    wh = data.load(extract)
    _check_balance(wh)
    rec = wh.reconciliation.set_index("table")["lignes_rejetees"].to_dict()
    assert rec["jeunes"] == 1
    assert rec["evenements"] == 2
    assert rec["situations"] == 1
    assert rec["dispositifs"] == 1
    assert rec["aides"] == 1
    assert "J05" not in set(wh.evenements["id_jeune"])


def test_duplicate_keeps_first_and_names_its_line(extract):
    _replace(extract / "jeunes.csv", "J12;MLC", "J01;MLC")
    wh = data.load(extract)
    rej = wh.rejects[wh.rejects["regle"] == "doublon"]
    assert rej["ligne"].tolist() == [13]
    assert rej["detail"].iloc[0] == "déjà présent ligne 2"
    assert (wh.jeunes["id_jeune"] == "J01").sum() == 1
    assert wh.jeunes.set_index("id_jeune").loc["J01", "code_ml"] == "MLA"


def test_comma_separator_iso_dates_bom_and_boolean_spellings(extract):
    path = extract / "jeunes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        fields = line.split(";")
        if i:
            for j in (3, 4):  # to ISO dates
                d, m, y = fields[j].split("/")
                fields[j] = f"{y}-{m}-{d}"
            fields[6] = {"oui": "TRUE", "non": "0"}[fields[6]]
            fields[7] = {"oui": "Oui", "non": "NON"}[fields[7]]
        out.append(",".join(fields))
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(out) + "\n").encode("utf-8"))
    wh = data.load(extract)
    assert wh.n_rejected == 0
    assert wh.jeunes.loc[0, "date_naissance"] == pd.Timestamp("2004-03-12")
    assert wh.jeunes["neet"].sum() == 9
    assert wh.jeunes["inscrit_france_travail"].sum() == 5


def test_na_text_is_a_value_not_a_missing_one(extract):
    # "NA" in sexe is not F or H: rejected, never silently read as missing
    _replace(extract / "jeunes.csv", "J02;MLA;H;", "J02;MLA;NA;")
    wh = data.load(extract)
    rej = wh.rejects.query("colonne == 'sexe'")
    assert rej["valeur"].tolist() == ["NA"] and rej["regle"].tolist() == [
        "valeur_autorisee"
    ]


def test_extra_columns_are_kept(extract):
    path = extract / "missions_locales.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ";siret"] + [line + ";123" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wh = data.load(extract)
    assert wh.n_rejected == 0
    assert list(wh.missions_locales.columns)[-1] == "siret"


def test_optional_tables_may_be_absent(extract):
    for name in ("dispositifs", "aides", "animations", "animations_participations"):
        (extract / f"{name}.csv").unlink()
    wh = data.load(extract)
    assert wh.tables_present == (
        "missions_locales",
        "jeunes",
        "evenements",
        "situations",
    )
    assert len(wh.aides) == 0 and list(wh.aides.columns)[0] == "id_aide"


@pytest.mark.parametrize(
    "setup,message",
    [
        (lambda d: (d / "jeunes.csv").unlink(), "table 'jeunes' is missing"),
        (
            lambda d: (d / "animations.csv").unlink(),
            "animations_participations is present",
        ),
        (lambda d: (d / "evenements.csv").write_bytes(b""), "empty file"),
        (
            lambda d: (d / "jeunes.csv").write_bytes(
                (d / "jeunes.csv").read_bytes().replace(b"J03;MLA;F", b"J03;ML\xe9;F")
            ),
            r"not UTF-8 \(byte 0xe9 at line 4\)",
        ),
        (
            lambda d: _replace(d / "jeunes.csv", "date_naissance;", "naissance;"),
            "required column.*date_naissance",
        ),
        (
            # swapped date columns and type: no value of the column is a date
            lambda d: (d / "evenements.csv").write_text(
                (d / "evenements.csv")
                .read_text()
                .replace(
                    "date_evenement;type_evenement", "type_evenement;date_evenement"
                ),
            ),
            "column 'type_evenement'|column 'date_evenement'.*holds no valid",
        ),
        (
            lambda d: shutil.copy(d / "aides.csv", d / "aides.parquet"),
            "both aides.parquet",
        ),
    ],
    ids=[
        "missing-table",
        "participations-alone",
        "zero-byte",
        "not-utf8",
        "missing-column",
        "swapped-columns",
        "two-formats",
    ],
)
def test_unreadable_extract_is_one_clear_error(extract, setup, message):
    setup(extract)
    with pytest.raises(ExtractError, match=message):
        data.load(extract)


def test_validate_command_exit_codes_and_rejects_file(extract, tmp_path, capsys):
    assert main(["validate", str(extract)]) == 0
    _replace(
        extract / "aides.csv",
        "A01;J01;permis_b;region;900",
        "A01;J01;permis_b;region;-9",
    )
    out = tmp_path / "rejets.csv"
    assert main(["validate", str(extract), "--rejects", str(out)]) == 1
    rej = pd.read_csv(out)
    assert rej[["table", "ligne", "colonne", "regle"]].values.tolist() == [
        ["aides", 2, "montant_eur", "minimum"]
    ]
    (extract / "jeunes.csv").unlink()
    assert main(["validate", str(extract)]) == 2
    err = capsys.readouterr().err
    assert "error: " in err and "Traceback" not in err


def test_parquet_round_trip_keeps_everything(tmp_path):
    wh = data.load(FIXTURE)
    tables = {name: wh.table(name) for name in wh.tables_present}
    data.write_extract(tables, tmp_path / "pq", fmt="parquet")
    again = data.load(tmp_path / "pq")
    assert again.n_rejected == 0
    for name in wh.tables_present:
        pd.testing.assert_frame_equal(
            again.table(name), wh.table(name), check_dtype=False
        )
    # parquet lines are 1-based row numbers
    jeunes = pd.read_parquet(tmp_path / "pq" / "jeunes.parquet")
    jeunes.loc[2, "sexe"] = "X"
    jeunes.to_parquet(tmp_path / "pq" / "jeunes.parquet")
    rej = data.load(tmp_path / "pq").rejects
    assert rej.query("colonne == 'sexe'")["ligne"].tolist() == [3]


def test_load_does_not_need_the_rows_it_rejects_to_fit_in_types(extract):
    # a float in an int column is a type reject, not a silent truncation
    _replace(extract / "animations_participations.csv", "AN01;MLB;2", "AN01;MLB;2,5")
    wh = data.load(extract)
    assert wh.rejects.query("colonne == 'nb_participants'")["regle"].tolist() == [
        "type"
    ]


def test_duplicate_detection_matches_pandas_keep_first():
    # the Arrow sort path of the loader must flag exactly what pandas flags
    import numpy as np
    import pandas as pd

    from observatoire.data._validate import _duplicated

    rng = np.random.default_rng(7)
    ids = pd.Series(rng.integers(0, 40, 300).astype(str), dtype="string[pyarrow]")
    key = pd.DataFrame({"id": ids})
    expected = key.duplicated(keep="first").to_numpy()
    assert expected.sum() == 300 - ids.nunique()
    assert (_duplicated(key) == expected).all()
    assert _duplicated(key.iloc[:1]).tolist() == [False]
    assert _duplicated(key.iloc[:0]).tolist() == []


# ---------------------------------------------------------------- hostile inputs
def test_unclosed_quote_names_the_line_it_opened_on(extract):
    # one stray quote would otherwise swallow the rest of the file as one value
    path = extract / "evenements.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[7] = lines[7].replace(";", ';"', 1)  # line 8 of the file
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ExtractError, match=r"line 8: a quote .* never closed"):
        data.load(extract)


def test_cr_only_line_endings_read_every_record(extract):
    path = extract / "evenements.csv"
    text = path.read_text(encoding="utf-8")
    n_records = text.strip("\n").count("\n")  # lines less the header
    path.write_text(text.replace("\n", "\r"), encoding="utf-8", newline="")
    wh = data.load(extract)
    rec = wh.reconciliation.set_index("table")
    assert rec.loc["evenements", "lignes_lues"] == n_records == 20
    assert wh.n_rejected == 0


def test_non_finite_and_oversized_numbers_are_rejects(extract):
    path = extract / "aides.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, value in zip(range(1, 4), ["inf", "1e309", "NaN"], strict=True):
        fields = lines[i].split(";")
        fields[4] = value  # montant_eur
        lines[i] = ";".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    wh = data.load(extract)
    got = wh.rejects.query("table == 'aides'")[["ligne", "colonne", "regle"]]
    assert got.values.tolist() == [[2, "montant_eur", "type"], [3, "montant_eur", "type"],
                                   [4, "montant_eur", "type"]]  # fmt: skip
    assert np_isfinite_all(wh.aides["montant_eur"])


def np_isfinite_all(s) -> bool:
    import numpy as np

    return bool(np.isfinite(s.dropna().to_numpy()).all())


def test_code_ml_that_could_name_a_path_is_rejected_with_its_rule(extract):
    for name in ("missions_locales.csv", "jeunes.csv", "evenements.csv",
                 "animations_participations.csv"):  # fmt: skip
        p = extract / name
        p.write_text(p.read_text(encoding="utf-8").replace("MLC", "../MLC"), "utf-8")
    wh = data.load(extract)
    rule = wh.rejects.query("table == 'missions_locales'")
    assert rule[["ligne", "colonne", "regle"]].values.tolist() == [
        [4, "code_ml", "format_code"]
    ]
    assert "../MLC" not in set(wh.missions_locales["code_ml"])
    assert not wh.jeunes["code_ml"].str.contains("/").any()


def test_metadata_date_is_day_first_and_a_bad_one_is_an_error(extract):
    meta = extract / "metadonnees.json"
    meta.write_text('{"date_extraction": "05/01/2024"}', encoding="utf-8")
    assert data.load(extract).extraction_date == pd.Timestamp("2024-01-05")
    for bad in ("2024-01-05T00:00+01:00", "2024-02-30", "5/1/2024"):
        meta.write_text(f'{{"date_extraction": "{bad}"}}', encoding="utf-8")
        with pytest.raises(ExtractError, match="is not a date"):
            data.load(extract)


def test_write_extract_records_fingerprints_that_load_checks(tmp_path):
    wh = data.load(FIXTURE)
    tables = {n: wh.table(n) for n in wh.tables_present}
    out = data.write_extract(tables, tmp_path / "x", metadata={"synthetique": False})
    import json

    meta = json.loads((out / "metadonnees.json").read_text(encoding="utf-8"))
    assert sorted(meta["empreintes"]) == sorted(f"{n}.parquet" for n in tables)
    assert data.load(out).n_rejected == 0
    # a table written again through write_extract keeps the extract consistent
    data.write_extract({"aides": wh.aides.head(2)}, out)
    assert len(data.load(out).aides) == 2
    # one replaced by hand (or by an interrupted run) is a mixed extract
    wh.aides.head(1).to_parquet(out / "aides.parquet", index=False)
    with pytest.raises(ExtractError, match="does not match its fingerprint"):
        data.load(out)


def test_symlink_out_of_the_extract_is_not_read(extract):
    (extract / "jeunes.csv").unlink()
    (extract / "jeunes.csv").symlink_to("/etc/passwd")
    with pytest.raises(ExtractError, match="not a regular file") as err:
        data.load(extract)
    assert "root:x:0" not in str(err.value)


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("postgresql://obs:ss-S3cret@x@db.example/imilo", ["ss-S3cret@x", "ss-S3cret"]),
        ("postgresql://obs@db.example/imilo?password=abc123&schema=s", ["abc123"]),
        (
            "postgresql://obs:p%40ss%2Fw0rd@db.example/imilo",
            ["p%40ss%2Fw0rd", "p@ss/w0rd"],
        ),
    ],
)
def test_mask_url_hides_every_form_of_password(url, secrets):
    from observatoire.data._sql import mask_secrets

    masked = data.mask_url(url)
    assert "***" in masked and "db.example" in masked
    # a driver's message quoting the password (parsed or as written) is masked too
    for secret in secrets:
        assert secret not in masked
        error = f"connection to db.example failed for password {secret} ({url})"
        assert secret not in mask_secrets(error, url)


def test_load_reads_with_the_system_allocator_and_restores_the_default(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    extract = tmp_path / "extrait"
    shutil.copytree(FIXTURE, extract)
    pd.read_csv(
        extract / "jeunes.csv", sep=None, engine="python", dtype=str
    ).to_parquet(extract / "jeunes.parquet", index=False)
    (extract / "jeunes.csv").unlink()
    before = pa.default_memory_pool().backend_name
    seen = []
    real = data._load._read_parquet

    def spy(*args, **kwargs):
        seen.append(pa.default_memory_pool().backend_name)
        return real(*args, **kwargs)

    monkeypatch.setattr(data._load, "_read_parquet", spy)
    wh = data.load(extract)
    assert seen == ["system"]
    assert pa.default_memory_pool().backend_name == before
    assert len(wh.jeunes) > 0


@pytest.mark.parametrize("storage", ["pyarrow", "python"])
def test_blank_texts_are_those_strip_empties(storage):
    values = ["", " ", "\u00a0", "\t\n\r", "\u3000x", "a ", None, "\u200b", "\x1c"]
    text = pd.Series(values, dtype=pd.StringDtype(storage))
    assert _blank(text).tolist() == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        True,
    ]
    expected = text.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
    assert _blank(text).tolist() == expected.tolist()
