"""Correspondence files: an extract in i-Milo's own vocabulary, mapped onto the contract.

The acceptance test is the twin: ``tests/fixtures/imilo_export`` (file, column
and value names of an i-Milo export, French dates) read with
``params/correspondances_imilo.yaml`` gives the same tables and indicators as
``tests/fixtures/imilo_contrat`` (the same young people written in the
contract), apart from the two « Demandeur d'emploi » situations, which are out
of scope: set aside and counted, absent from the twin.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from observatoire import data, indicators
from observatoire.cli import main
from observatoire.data._correspondances import (
    RULE_OUT_OF_SCOPE,
    RULE_UNMAPPED,
    Correspondence,
    draft_correspondence,
    load_correspondence,
    parse_correspondence,
    unmapped_summary,
)
from observatoire.exceptions import ExtractError, ParamsError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "imilo_export"
TWIN = FIXTURES / "imilo_contrat"
IMILO = ROOT / "params" / "correspondances_imilo.yaml"


@pytest.fixture(scope="module")
def mapped():
    return data.load(EXPORT, correspondances=IMILO)


@pytest.fixture(scope="module")
def twin():
    return data.load(TWIN)


def _copy(tmp_path: Path, source: Path = EXPORT) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


# ------------------------------------------------------------------ the twin
def test_mapped_export_has_the_tables_of_its_contract_twin(mapped, twin):
    assert mapped.n_rejected == 0 and twin.n_rejected == 0
    assert mapped.tables_present == twin.tables_present
    for name in twin.tables_present:
        got = mapped.table(name)
        # the export's extra column (« Nationalité ») is kept and ignored
        got = got[[c for c in got.columns if c in twin.table(name).columns]]
        pd.testing.assert_frame_equal(got, twin.table(name), obj=name)


@pytest.mark.parametrize("accompagnement", [None, ["entretien_individuel"]])
def test_mapped_export_gives_the_indicators_of_its_twin(mapped, twin, accompagnement):
    kw = {} if accompagnement is None else {"accompagnement": accompagnement}
    for args in ((2023,), ("2023-06",)):
        pd.testing.assert_frame_equal(
            indicators.compute(mapped, *args, **kw),
            indicators.compute(twin, *args, **kw),
        )
    pd.testing.assert_frame_equal(
        indicators.compute(mapped, 2023, monthly=True, **kw),
        indicators.compute(twin, 2023, monthly=True, **kw),
    )
    pd.testing.assert_frame_equal(
        indicators.key_figures(mapped, 2023, **kw),
        indicators.key_figures(twin, 2023, **kw),
    )
    pd.testing.assert_frame_equal(
        indicators.monthly_followup(mapped, 2023, 11, **kw),
        indicators.monthly_followup(twin, 2023, 11, **kw),
    )


def test_twin_indicators_counted_by_hand(twin):
    # national definition: interview, workshop or collective information
    # MLA: J1 (interview, workshop), J2 (information collective only), J3, J6;
    # J7 had a phone call only. MLB: J4, J5 (workshop only), J6, J8.
    t = indicators.compute(twin, 2023).set_index("code")
    assert t.loc["MLA", "jeunes_en_contact"] == 5
    assert t.loc["MLA", "jeunes_accompagnes"] == 4
    assert t.loc["MLB", "jeunes_accompagnes"] == 4
    assert t.loc["NAQ", "jeunes_accompagnes"] == 7  # J6 seen by both MLs once
    # J2's apprenticeship counts: J2 is accompanied (information collective)
    assert t.loc["MLA", "entrees_alternance"] == 1
    # J1 (CDD of 207 days, 66 days after a Region training), J6 (interim) at
    # MLA; J4 (CDI) and J6 at MLB; J5's training is only planned (PREVU)
    assert t.loc["MLA", ["entrees_emploi", "entrees_emploi_durable"]].tolist() == [2, 1]
    assert t.loc["NAQ", "entrees_emploi_sortants_formation_region"] == 1
    assert t.loc["NAQ", "entrees_formation"] == 1
    strict = indicators.compute(twin, 2023, accompagnement=["entretien_individuel"])
    strict = strict.set_index("code")
    assert strict.loc["MLA", "jeunes_accompagnes"] == 3
    assert strict.loc["NAQ", "jeunes_accompagnes"] == 5
    assert strict.loc["MLA", "entrees_alternance"] == 0


def test_out_of_scope_rows_are_set_aside_and_counted(mapped):
    rec = mapped.reconciliation.set_index("table")
    assert rec.loc["situations"].tolist() == [13, 11, 0, 2]
    assert (
        rec["lignes_lues"]
        == rec["lignes_acceptees"] + rec["lignes_rejetees"] + rec["lignes_hors_champ"]
    ).all()
    aside = mapped.hors_champ
    assert aside["ligne"].tolist() == [13, 14]  # header is line 1
    assert set(aside["valeur"]) == {"Demandeur d'emploi"}
    assert set(aside["regle"]) == {RULE_OUT_OF_SCOPE}
    assert set(aside["colonne"]) == {"categorie"}
    assert "set aside" in data.format_reconciliation(mapped)


def test_folder_file_is_used_and_an_explicit_one_wins(tmp_path):
    folder = _copy(tmp_path)
    shutil.copy(IMILO, folder / "correspondances.yaml")
    wh = data.load(folder)
    assert len(wh.situations) == 11 and wh.n_rejected == 0
    other = tmp_path / "autre.yaml"
    other.write_text(
        IMILO.read_text(encoding="utf-8").replace("export_dossiers.csv", "absent.csv"),
        encoding="utf-8",
    )
    with pytest.raises(ExtractError, match="absent.csv"):
        data.load(folder, correspondances=other)


# --------------------------------------------------------------- unmapped values
def test_unmapped_values_are_rejects_naming_the_value(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "export_actualites.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Téléphone", "Visio").replace("Courriel", "Visio")
    path.write_text(
        text.replace("E13;J8;MLB;06/11/2023;Atelier", "E13;J8;MLB;06/11/2023;SMS "),
        encoding="utf-8",
    )
    sit = folder / "export_situations.csv"
    sit.write_text(
        sit.read_text(encoding="utf-8").replace("PMSMP", "Stage"), encoding="utf-8"
    )
    wh = data.load(folder, correspondances=IMILO)
    rej = wh.rejects[wh.rejects["regle"] == RULE_UNMAPPED]
    # E05, E07, E11 hold « Visio »; « SMS » is mapped (spaces stripped)
    assert sorted(rej.loc[rej["table"] == "evenements", "ligne"]) == [6, 8, 12]
    assert set(rej.loc[rej["table"] == "evenements", "valeur"]) == {"Visio"}
    assert rej.loc[rej["table"] == "situations", "valeur"].tolist() == ["Stage"]
    assert "valeurs.evenements.type_evenement" in rej["detail"].iloc[0]
    summary = unmapped_summary(wh.rejects)
    assert summary.values.tolist() == [
        ["evenements", "type_evenement", "Visio", 3],
        ["situations", "categorie", "Stage", 1],
    ]
    rec = wh.reconciliation.set_index("table")
    assert rec.loc["evenements"].tolist() == [13, 10, 3, 0]
    assert rec.loc["situations"].tolist() == [13, 10, 1, 2]
    # a rejected row is not double-counted as a contract-value reject
    assert not (wh.rejects["regle"] == "valeur_autorisee").any()


def test_values_are_matched_after_stripping_spaces_in_parquet(tmp_path):
    folder = _copy(tmp_path)
    frame = pd.read_csv(folder / "export_actualites.csv", sep=";", dtype=str)
    frame["Type d'actualité"] = "  " + frame["Type d'actualité"] + " "
    frame.to_parquet(folder / "actualites.parquet")
    (folder / "export_actualites.csv").unlink()
    corr = tmp_path / "c.yaml"
    raw = yaml.safe_load(IMILO.read_text(encoding="utf-8"))
    raw["fichiers"]["evenements"] = "actualites.parquet"
    corr.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    wh = data.load(folder, correspondances=corr)
    assert wh.n_rejected == 0
    assert wh.evenements["type_evenement"].value_counts()["entretien_individuel"] == 6


def test_a_missing_value_is_left_to_the_contract_rules(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "export_dossiers.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(";Femme;10/02/2004", ";;10/02/2004"),
        encoding="utf-8",
    )
    wh = data.load(folder, correspondances=IMILO)
    row = wh.rejects[wh.rejects["table"] == "jeunes"].iloc[0]
    assert (row["colonne"], row["regle"], row["ligne"]) == ("sexe", "obligatoire", 2)


def test_renaming_two_columns_onto_one_is_an_extract_error(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "export_structures.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("ETP", "code_ml"), encoding="utf-8"
    )
    with pytest.raises(ExtractError, match="code_ml appear twice"):
        data.load(folder, correspondances=IMILO)


# ------------------------------------------------------------------ the file itself
def test_example_file_is_valid_and_complete_for_the_fixture():
    corr = load_correspondence(IMILO)
    assert corr.files["jeunes"] == "export_dossiers.csv"
    assert corr.values["situations"]["categorie"]["Demandeur d'emploi"] is None
    assert corr.values["situations"]["etat"]["TERMINE"] == "terminee"
    assert corr.source_column("situations", "date_debut") == "Date de début"
    assert corr.table_name("jeunes") == "export_dossiers"


def test_every_problem_of_a_bad_file_in_one_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "\n".join(
            [
                "fichier: {jeunes: a.csv}",  # unknown section
                "fichiers:",
                "  jeunes: dossiers.xlsx",  # not csv/parquet
                "  situation: s.csv",  # unknown table
                "colonnes:",
                "  situations:",
                '    "Catégorie": categories',  # unknown column
                '    "Cat": categorie',
                '    "Catégorie 2": categorie',  # two onto one
                "valeurs:",
                "  situations:",
                "    categorie: {Emploi: emplois, Formation: formation}",  # not allowed
                "    date_debut: {x: y}",  # a date column
                "  jeunes:",
                "    neet: {yes: oui}",  # key read as a boolean
                "    sexe: {Femme: ''}",  # empty target
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(ParamsError) as err:
        load_correspondence(bad)
    message = str(err.value)
    assert message.startswith(f"{bad}: 9 problems in the correspondence file:")
    for part in (
        "'fichier': unknown section (did you mean 'fichiers'?)",
        "fichiers.jeunes: 'dossiers.xlsx' must end in .csv or .parquet",
        "fichiers.situation: unknown contract table (did you mean 'situations'?)",
        "'categories' is not a column of situations (did you mean 'categorie'?)",
        "'Cat', 'Catégorie 2' are all mapped onto categorie",
        "'emplois' is not allowed in categorie (did you mean 'emploi'?)",
        "valeurs.situations.date_debut: a date column",
        "read by YAML as a boolean; quote it",
        "valeurs.jeunes.sexe.'Femme': no contract value given; fill it in: one of F, H",
    ):
        assert part in message, part


def test_bad_file_is_exit_2_on_the_command_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("valeurs: {jeunes: {sexe: {Femme: X}}}\n", encoding="utf-8")
    assert main(["validate", str(EXPORT), "--correspondances", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "'X' is not allowed in sexe" in err and "Traceback" not in err


def test_yaml_aliases_are_refused(tmp_path):
    path = tmp_path / "alias.yaml"
    path.write_text(
        "valeurs:\n  jeunes:\n    sexe: &s {Femme: F}\n  aides:\n    financeur: *s\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="anchors"):
        load_correspondence(path)


def test_boolean_targets_are_contract_spellings():
    corr = parse_correspondence(
        {"valeurs": {"jeunes": {"neet": {"O": True, "N": "Non"}}}}
    )
    assert corr.values["jeunes"]["neet"] == {"O": "true", "N": "non"}
    assert isinstance(corr, Correspondence)


# ------------------------------------------------------------- the starting file
def test_starting_file_fills_the_obvious_and_leaves_the_rest(tmp_path):
    text = draft_correspondence(EXPORT)
    raw = yaml.safe_load(text)
    assert raw["fichiers"]["situations"] == "export_situations.csv"
    assert raw["colonnes"]["situations"]["Catégorie"] == "categorie"
    assert raw["colonnes"]["situations"]["État"] == "etat"
    # « Date de début » is not date_debut once case, accents and spaces are
    # set aside (the « de »): left as a comment, to fill in
    assert "Date de début" not in raw["colonnes"]["situations"]
    assert '# "Date de début":' in text
    cat = raw["valeurs"]["situations"]["categorie"]
    # case and accents: filled; anything else left to fill in
    assert cat["Formation"] == "formation" and cat["Scolarité"] == "scolarite"
    assert cat["Contrat en Alternance"] == "" and cat["Demandeur d'emploi"] == ""
    etat = raw["valeurs"]["situations"]["etat"]
    assert etat == {"EN_COURS": "en_cours", "TERMINE": "", "PREVU": ""}
    assert list(etat) == ["EN_COURS", "TERMINE", "PREVU"]  # most frequent first
    assert '"EN_COURS": en_cours   # 7 ligne(s)' in text  # S02, S03, S05-S07, S11, S12
    # a coded column whose name was not recognised: its values shown as a hint
    assert '"Niveau 6 et plus" (1)' in text
    assert raw["valeurs"]["missions_locales"]["departement"] == {"33": "33", "24": "24"}
    # refused until completed, every empty target listed at once
    out = tmp_path / "c.yaml"
    assert main(["correspondances", str(EXPORT), "--out", str(out)]) == 0
    with pytest.raises(ParamsError, match="no contract value given") as err:
        load_correspondence(out)
    assert "Contrat en Alternance" in str(err.value) and "PREVU" in str(err.value)


def test_validate_ends_with_the_unmapped_values_most_frequent_first(tmp_path, capsys):
    folder = _copy(tmp_path)
    path = folder / "export_actualites.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("Téléphone", "Visio")
        .replace("Courriel", "Chat"),
        encoding="utf-8",
    )
    assert main(["validate", str(folder), "--correspondances", str(IMILO)]) == 1
    out = capsys.readouterr().out
    tail = out[out.index("values not in the correspondence") :]
    assert tail.index("'Visio'") < tail.index("'Chat'")
    assert "evenements.type_evenement 'Visio' x2" in tail
    assert "situations.categorie 'Demandeur d'emploi' x2" in out  # set aside


# ----------------------------------------------------------------- PostgreSQL
@pytest.mark.postgres
def test_database_in_imilo_vocabulary_takes_the_same_file(pg_url, twin):
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS imilo CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA imilo"))
    for path in EXPORT.glob("*.csv"):
        frame = pd.read_csv(path, sep=";", dtype=str)
        if "ETP" in frame:  # a number in a database, not a French text
            frame["ETP"] = frame["ETP"].str.replace(",", ".").astype(float)
        frame.to_sql(path.stem, engine, schema="imilo", index=False)
    engine.dispose()
    wh = data.load(pg_url, schema="imilo", correspondances=IMILO)
    assert wh.n_rejected == 0
    assert (
        wh.reconciliation.set_index("table").loc["situations", "lignes_hors_champ"] == 2
    )
    pd.testing.assert_frame_equal(
        indicators.compute(wh, 2023), indicators.compute(twin, 2023)
    )
