"""Build the hostile corpus: extracts and command lines a careless or malicious user gives.

Each case is a folder ``NN_name/`` holding the files that differ from
``tests/fixtures/entrepot_mini`` plus ``cas.json``, written by hand here:

- ``commande``: the arguments of ``observatoire`` (``{extrait}`` is the case's
  extract, ``{tmp}`` a scratch folder beside it);
- ``code``: the exit status expected;
- ``message``: fragments that stdout or stderr must hold (one error line when
  ``code`` is 2);
- ``inchange``: paths whose files must be byte-identical after the command
  (``{extrait}`` by default: no command writes into what it reads);
- ``absent``: paths that must not exist afterwards (no partial output);
- ``supprimer``: fixture files to delete; ``preparer``: what a committed file
  cannot be (``lien`` symbolic links, ``fifo``, ``dossier``, ``fichier`` files of
  repeated bytes, ``ecrire`` files under ``{tmp}``); ``empreintes``: write
  ``metadonnees.json`` with the fixture's fingerprints before the case's files
  are copied (so that a changed table is a mixed extract), ``retirer`` listing
  entries to take out of them.

Run ``python tests/hostile/make_hostile_corpus.py`` to rebuild the folders; the result is
committed, so the test reads files, not this script.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).parent
BASE = HERE.parent / "fixtures" / "entrepot_mini"

V = ["validate", "{extrait}"]
IND = ["indicators", "--data", "{extrait}", "--out", "{tmp}/ind.csv"]


def _text(name: str) -> str:
    return (BASE / name).read_text(encoding="utf-8")


def _sub(name: str, old: str, new: str, count: int = 1) -> tuple[str, bytes]:
    text = _text(name)
    assert old in text, (name, old)
    return name, text.replace(old, new, count).encode("utf-8")


def _field(name: str, line: int, col: int, value: str) -> tuple[str, bytes]:
    """``name`` with field ``col`` (0-based) of line ``line`` (1 = header) replaced."""
    lines = _text(name).split("\n")
    sep = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    fields = lines[line - 1].split(sep)
    fields[col] = value
    lines[line - 1] = sep.join(fields)
    return name, "\n".join(lines).encode("utf-8")


CASES: dict[str, tuple[list[tuple[str, bytes]], dict]] = {}


def case(name: str, files, code: int, message, **extra) -> None:
    spec = {"code": code, "message": [message] if isinstance(message, str) else message}
    spec.setdefault("commande", V)
    spec.update(extra)
    CASES[name] = (list(files), spec)


def _parquet(name: str, columns: dict) -> tuple[str, bytes]:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return name, buf.getvalue()


def _ml_parquet(**override):
    import datetime as dt  # noqa: F401 - used by callers' values

    import pyarrow as pa

    cols = {
        "code_ml": pa.array(["MLA", "MLB", "MLC"]),
        "nom_ml": pa.array(["A", "B", "C"]),
        "departement": pa.array(["33", "33", "23"]),
        "nb_lieux_accueil": pa.array([12, 4, 3], pa.int64()),
        "etp": pa.array([45.5, 12.0, 6.8]),
    }
    cols.update(override)
    return _parquet("missions_locales.parquet", cols)


def _build_cases() -> None:
    import datetime as dt

    import pyarrow as pa

    ev = _text("evenements.csv").split("\n")
    # --- quoting and records: nothing swallowed, nothing padded ------------
    lines = list(ev)
    lines[5] = lines[5].replace(";", ';"', 1)
    case("guillemet_jamais_ferme", [("evenements.csv", "\n".join(lines).encode())],
         2, ["line 6", "never closed"])  # fmt: skip
    lines = list(ev)
    lines[3] = lines[3].replace(";", ';"', 1)
    lines[15] = lines[15] + '"'
    case("guillemet_qui_avale_des_lignes",
         [("evenements.csv", "\n".join(lines).encode())], 2,
         ["line 4", "swallows lines that look like records"])  # fmt: skip
    case("guillemet_suivi_de_texte",
         [_sub("evenements.csv", "E05;", '"E05"x;')], 2, ["line", "broken quoting"])  # fmt: skip
    case("fins_de_ligne_cr_seul",
         [("evenements.csv", _text("evenements.csv").replace("\n", "\r").encode())],
         0, "evenements")  # fmt: skip
    case("cr_nu_dans_un_champ", [_sub("evenements.csv", "E05;J", "E05;\rJ")],
         1, "nombre_champs")  # fmt: skip
    case("fins_de_ligne_melangees",
         [("jeunes.csv", _text("jeunes.csv").replace("\n", "\r\n", 5).encode())],
         0, "jeunes")  # fmt: skip
    case("octet_nul_au_milieu", [_sub("jeunes.csv", "J05;", "J05\x00;")], 2,
         ["NUL byte", "line 6"])  # fmt: skip
    case("fichier_d_octets_nuls", [], 2, "NUL byte",
         preparer={"fichier": {"jeunes.csv": ["00", 200_000]}})  # fmt: skip
    case("entete_sans_fin_de_ligne", [], 2, "no line break",
         preparer={"fichier": {"jeunes.csv": ["61", 1_100_000]}})  # fmt: skip
    case("entete_espace_insecable_invisible",
         [_sub("missions_locales.csv", "code_ml;", "code_ml\u200b;")], 2,
         ["code_ml\\u200b", "required column"])  # fmt: skip
    case("entete_code_echappement_terminal",
         [_sub("missions_locales.csv", "code_ml;", "\x1b[2J\x1b[31mcode_ml;")], 2,
         "\\x1b[2J")  # fmt: skip
    case("entete_deux_colonnes_sans_nom",
         [_sub("missions_locales.csv", "etp\n", "etp;;\n")], 2, "6, 7 have no name")  # fmt: skip
    case("entete_premiere_colonne_sans_nom",
         [_sub("missions_locales.csv", "code_ml;", ";")], 2, "no name, column 1")  # fmt: skip
    case("premiere_ligne_vide",
         [("jeunes.csv", b"\n" + _text("jeunes.csv").encode())], 2, "line 1 is empty")  # fmt: skip
    case(
        "utf16",
        [("jeunes.csv", _text("jeunes.csv").encode("utf-16"))],
        2,
        "UTF-16 text, not UTF-8",
    )
    case("latin1_dans_l_entete",
         [("jeunes.csv", _text("jeunes.csv").replace("niveau", "nivéau").encode("latin-1"))],
         2, "not UTF-8 (byte 0xe9 at line 1)")  # fmt: skip
    case("bom_et_cr_seul",
         [("jeunes.csv", b"\xef\xbb\xbf" + _text("jeunes.csv").replace("\n", "\r").encode())],
         0, "jeunes")  # fmt: skip
    case("separateur_final_partout",
         [("missions_locales.csv", _text("missions_locales.csv").replace("\n", ";\n").encode())],
         0, "missions_locales")  # fmt: skip
    case("champ_en_trop", [_sub("evenements.csv", "E07;", "E07;x;")], 1,
         "nombre_champs")  # fmt: skip
    case("intitule_sur_trois_lignes",
         [_sub("animations.csv", "Webinaire aide au permis B", '"Webinaire\naide\nau permis B"')],
         0, "animations")  # fmt: skip
    case("ligne_d_entete_seule",
         [("evenements.csv", (ev[0] + "\n").encode())], 0, "evenements")  # fmt: skip
    case("guillemets_dans_l_entete",
         [_sub("evenements.csv", "id_evenement;", '"id_"evenement;')], 2,
         "header line is not valid CSV")  # fmt: skip
    # --- numbers: finite, exact --------------------------------------------
    for i, value in enumerate(["inf", "Infinity", "1e309", "-inf", "NaN"]):
        case(f"montant_non_fini_{i}", [_field("aides.csv", 2, 4, value)], 1,
             "aides.montant_eur: type")  # fmt: skip
    case("entier_1e23", [_field("missions_locales.csv", 2, 3, "1e23")], 1,
         "nb_lieux_accueil: type")  # fmt: skip
    case("entier_infini", [_field("missions_locales.csv", 2, 3, "inf")], 1,
         "nb_lieux_accueil: type")  # fmt: skip
    case("entier_au_dela_de_2_31",
         [_field("animations_participations.csv", 2, 2, "2147483648")], 1,
         "nb_participants: type")  # fmt: skip
    case("nombre_hexadecimal", [_field("animations.csv", 3, 5, "0x10")], 1,
         "duree_heures: type")  # fmt: skip
    # --- dates: the contract's formats, a real day, a timestamp's range -----
    for i, value in enumerate(
        ["01/01/1600", "31/12/9999", "30/02/2023", "2023-1-5", "05/01/23",
         "2023-01-05T10:00", "0000-00-00"]
    ):  # fmt: skip
        case(f"date_hors_contrat_{i}", [_field("evenements.csv", 2, 3, value)], 1,
             "evenements.date_evenement: type")  # fmt: skip

    # --- metadonnees.json ---------------------------------------------------
    def meta(name, obj, code, message, **extra):
        raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        case(name, [("metadonnees.json", raw)], code, message, **extra)

    meta("meta_date_jour_en_premier", {"date_extraction": "05/01/2024"}, 0,
         "extraction date: 2024-01-05", commande=["summary", "{extrait}"])  # fmt: skip
    meta("meta_date_coupe_des_evenements", {"date_extraction": "01/12/2023"}, 1,
         "date_evenement: date_future")  # fmt: skip
    meta("meta_date_avec_fuseau", {"date_extraction": "2024-01-05T00:00:00+01:00"}, 2,
         "is not a date")  # fmt: skip
    meta("meta_date_avec_heure", {"date_extraction": "2024-01-05 10:00"}, 2,
         "is not a date")  # fmt: skip
    meta("meta_date_impossible", {"date_extraction": "2024-13-01"}, 2, "is not a date")
    meta("meta_date_nombre", {"date_extraction": 20240105}, 2, "is not a date")
    meta("meta_date_objet", {"date_extraction": {"a": [1]}}, 2, "is not a date")
    meta("meta_imbrication_profonde", b"[" * 10_000 + b"]" * 10_000, 2,
         "nested too deeply")  # fmt: skip
    meta("meta_tableau", [1, 2], 2, "expected a JSON object")
    meta("meta_synthetique_texte", {"synthetique": "oui"}, 2, "not true or false")
    case("meta_trop_grand", [], 2, "more than metadata may hold",
         preparer={"fichier": {"metadonnees.json": ["20", 1_100_000]}})  # fmt: skip
    meta("meta_latin1", '{"note": "é"}'.encode("latin-1"), 2, "not UTF-8")
    meta("meta_empreintes_pas_un_objet", {"empreintes": ["x"]}, 2, "must map")
    case("extrait_melange", [_sub("evenements.csv", "E20;", "E21;")], 2,
         "does not match its fingerprint", empreintes={})  # fmt: skip
    case("empreinte_d_une_table_absente", [], 2, "listed in metadonnees.json but absent",
         empreintes={}, supprimer=["aides.csv"])  # fmt: skip
    case("table_sans_empreinte", [], 2, "not listed in metadonnees.json",
         empreintes={"retirer": ["jeunes.csv"]})  # fmt: skip
    case("extrait_avec_empreintes_intact", [], 0, "evenements", empreintes={})
    # --- files that are not regular files -------------------------------
    case("lien_vers_fichier_systeme", [], 2, "symbolic link out of the extract",
         supprimer=["jeunes.csv"], preparer={"lien": {"jeunes.csv": "/etc/passwd"}})  # fmt: skip
    case("lien_vers_peripherique", [], 2, "symbolic link out of the extract",
         supprimer=["jeunes.csv"], preparer={"lien": {"jeunes.csv": "/dev/zero"}})  # fmt: skip
    case("lien_casse", [], 2, "broken symbolic link",
         supprimer=["jeunes.csv"], preparer={"lien": {"jeunes.csv": "nulle_part.csv"}})  # fmt: skip
    case("lien_dans_l_extrait", [("sous/jeunes_vrai.csv", _text("jeunes.csv").encode())],
         0, "jeunes", supprimer=["jeunes.csv"],
         preparer={"lien": {"jeunes.csv": "sous/jeunes_vrai.csv"}})  # fmt: skip
    case("table_dossier", [], 2, "not a regular file (a directory)",
         supprimer=["jeunes.csv"], preparer={"dossier": ["jeunes.csv"]})  # fmt: skip
    case("table_fifo", [], 2, "not a regular file (a FIFO)",
         supprimer=["jeunes.csv"], preparer={"fifo": ["jeunes.csv"]})  # fmt: skip
    case("extrait_est_un_fichier", [], 2, "not a directory",
         commande=["validate", "{extrait}/jeunes.csv"])  # fmt: skip
    case(
        "extrait_absent", [], 2, "not found", commande=["validate", "{tmp}/nulle_part"]
    )
    # --- codes that become file names ------------------------------------
    for i, code in enumerate(
        ["../../evil", "a/b", "ML C", "M" * 40, "ML.C", "<script>", "-MLC", "MLC\u200b"]
    ):
        files = [_sub(n, "MLC", code, 99) for n in
                 ("missions_locales.csv", "jeunes.csv", "evenements.csv",
                  "animations_participations.csv")]  # fmt: skip
        case(
            f"code_ml_dangereux_{i}", files, 1, "missions_locales.code_ml: format_code"
        )
    # --- outputs: never into the extract, never over an input -------------
    ind = [*IND[:2], "{extrait}", "--period", "2023"]
    case("indicateurs_sur_une_table", [], 2, "inside the extract",
         commande=[*ind, "--out", "{extrait}/evenements.csv"])  # fmt: skip
    case("indicateurs_dans_l_extrait", [], 2, "inside the extract",
         commande=[*ind, "--out", "{extrait}/indicateurs.csv"],
         absent=["{extrait}/indicateurs.csv"])  # fmt: skip
    case("rejets_sur_une_table", [], 2, "inside the extract",
         commande=[*V, "--rejects", "{extrait}/jeunes.csv"])  # fmt: skip
    case("rejets_sur_un_dossier", [], 2, "is a folder",
         commande=[*V, "--rejects", "{tmp}/dossier.csv"],
         preparer={"dossier_tmp": ["dossier.csv"]})  # fmt: skip
    case("rejets_sous_un_fichier", [], 2, "is a file, not a folder",
         commande=[*V, "--rejects", "{tmp}/fichier.txt/rejets.csv"],
         preparer={"ecrire": {"fichier.txt": "x"}}, inchange=["{extrait}", "{tmp}/fichier.txt"])  # fmt: skip
    case("indicateurs_sur_un_dossier", [], 2, "is a folder",
         commande=[*ind, "--out", "{tmp}/d.csv"], preparer={"dossier_tmp": ["d.csv"]})  # fmt: skip
    case("indicateurs_sous_un_fichier", [], 2, "is a file, not a folder",
         commande=[*ind, "--out", "{tmp}/f.txt/ind.csv"], preparer={"ecrire": {"f.txt": "x"}})  # fmt: skip
    case("indicateurs_vers_une_fifo", [], 2, "not a regular file",
         commande=[*ind, "--out", "{tmp}/p.csv"], preparer={"fifo_tmp": ["p.csv"]})  # fmt: skip
    case("generer_sur_un_fichier", [], 2, "exists and is not a folder",
         commande=["generate", "--out", "{tmp}/f", "--scale", "0.01"],
         preparer={"ecrire": {"f": "garder"}}, inchange=["{tmp}/f"])  # fmt: skip
    case("generer_sur_un_dossier_etranger", [], 2, "not part of an extract",
         commande=["generate", "--out", "{tmp}/d", "--scale", "0.01"],
         preparer={"ecrire": {"d/notes.txt": "garder"}}, inchange=["{tmp}/d"])  # fmt: skip
    case("generer_sous_un_fichier", [], 2, "is a file, not a folder",
         commande=["generate", "--out", "{tmp}/f/x"], preparer={"ecrire": {"f": "x"}})  # fmt: skip
    for i, scale in enumerate(["0", "-1", "nan", "inf", "abc", "1e9"]):
        case(f"generer_echelle_{i}", [], 2, "--scale",
             commande=["generate", "--out", "{tmp}/g", "--scale", scale], absent=["{tmp}/g"])  # fmt: skip
    for i, years in enumerate(["0-0", "2024-2022", "abc", "1990-1991", "2024-"]):
        case(f"generer_annees_{i}", [], 2, "--years",
             commande=["generate", "--out", "{tmp}/g", "--years", years], absent=["{tmp}/g"])  # fmt: skip
    for i, period in enumerate(["2030", "1990", "2022-10", "2024-01"]):
        case(f"periode_non_couverte_{i}", [], 2, ["--period", "covers 2022-11-20 to"],
             commande=[*IND, "--period", period], absent=["{tmp}/ind.csv"])  # fmt: skip
    case("periode_mois_13", [], 2, "month 13", commande=[*IND, "--period", "2023-13"])
    case("periode_partielle_marquee", [], 0, "partielle",
         commande=[*IND, "--period", "2023"], contenu={"{tmp}/ind.csv": "partielle"})  # fmt: skip
    case("periode_complete", [], 0, "indicators 2023-05",
         commande=[*IND, "--period", "2023-05"], contenu={"{tmp}/ind.csv": "complete"})  # fmt: skip
    for i, t in enumerate(["0", "1", "-3"]):
        case(f"seuil_refuse_avant_chargement_{i}", [], 2, "--threshold",
             commande=["indicators", "--data", "{tmp}/nulle_part", "--period", "2023",
                       "--out", "{tmp}/ind.csv", "--threshold", t])  # fmt: skip
    case("indicateurs_avec_rejets_sortent_1",
         [_field("aides.csv", 2, 4, "-5")], 1, "rejected rows left out",
         commande=[*IND, "--period", "2023"], contenu={"{tmp}/ind.csv": "jeunes_en_contact"})  # fmt: skip
    case("option_inconnue", [], 2, "unrecognized arguments", commande=[*V, "--bogus"])
    case("commande_inconnue", [], 2, "invalid choice", commande=["bogus"])
    # --- parameter files ---------------------------------------------------
    batch = ["batch", "--params", "{tmp}/p.yaml"]
    case("batch_nom_de_run_avec_retour_a_la_ligne", [], 2, "run:", commande=batch,
         preparer={"ecrire": {"p.yaml": 'run: "ok\\n"\n'}})  # fmt: skip
    case("batch_bombe_d_alias_yaml", [], 2, "anchors (&name) are not allowed",
         commande=batch, preparer={"ecrire": {"p.yaml": (
             'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
             "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
             "title: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n")}})  # fmt: skip
    case("batch_cle_dupliquee", [], 2, "already given on line 1", commande=batch,
         preparer={"ecrire": {"p.yaml": "run: a\nrun: b\n"}})  # fmt: skip
    case("batch_dossier_de_sortie_dans_l_extrait", [], 2, "inside the extract",
         commande=["batch", "--params", "{extrait}/../tmp/p.yaml"],
         preparer={"ecrire": {"p.yaml": "run: r\ndata: ../extrait\noutput_dir: ../extrait\n"}},
         absent=["{extrait}/r"])  # fmt: skip
    case("batch_octets_nuls", [], 2, "NUL", commande=batch,
         preparer={"ecrire": {"p.yaml": "run: a\x00\n"}})  # fmt: skip
    # --- Parquet --------------------------------------------------------------
    big = pa.array([dt.datetime(1600, 1, 1), dt.datetime(2000, 1, 1),
                    dt.datetime(9999, 12, 31)], pa.timestamp("us"))  # fmt: skip
    case("parquet_dates_hors_plage",
         [_ml_parquet(), _parquet("animations.parquet", {
             "id_animation": ["AN01", "AN02", "AN03"], "date_animation": big,
             "type_animation": ["autre"] * 3, "politique_regionale": ["autre"] * 3,
             "intitule": ["a", "b", "c"], "duree_heures": [1.0, 2.0, 3.0]})],
         1, "animations.date_animation: type",
         supprimer=["missions_locales.csv", "animations.csv", "animations_participations.csv"])  # fmt: skip
    case("parquet_fuseau_horaire",
         [_ml_parquet(), _parquet("animations.parquet", {
             "id_animation": ["AN01"],
             "date_animation": pa.array([dt.datetime(2023, 1, 17, 23, 30)],
                                        pa.timestamp("us", tz="UTC")),
             "type_animation": ["autre"], "politique_regionale": ["autre"],
             "intitule": ["a"], "duree_heures": [1.0]})],
         0, "animations",
         supprimer=["missions_locales.csv", "animations.csv", "animations_participations.csv"])  # fmt: skip
    case("parquet_entier_infini",
         [_ml_parquet(nb_lieux_accueil=pa.array([float("inf"), 1e23, 3.0]))], 1,
         "nb_lieux_accueil: type", supprimer=["missions_locales.csv"])  # fmt: skip
    case("parquet_montant_infini",
         [_ml_parquet(etp=pa.array([float("inf"), float("-inf"), 1.0]))], 1,
         "missions_locales.etp: type", supprimer=["missions_locales.csv"])  # fmt: skip
    case("parquet_colonne_liste",
         [_ml_parquet(code_ml=pa.array([["MLA"], ["MLB"], ["MLC"]]))], 2,
         "not a plain value", supprimer=["missions_locales.csv"])  # fmt: skip
    case("parquet_colonne_absente",
         [_parquet("missions_locales.parquet", {"code_ml": ["MLA"], "nom_ml": ["A"]})], 2,
         "required column(s) missing: departement", supprimer=["missions_locales.csv"])  # fmt: skip
    case("parquet_dates_en_date32",
         [_ml_parquet(), _parquet("animations.parquet", {
             "id_animation": ["AN01"],
             "date_animation": pa.array([dt.date(2023, 1, 17)], pa.date32()),
             "type_animation": ["autre"], "politique_regionale": ["autre"],
             "intitule": ["a"], "duree_heures": [1.0]})],
         0, "animations",
         supprimer=["missions_locales.csv", "animations.csv", "animations_participations.csv"])  # fmt: skip
    case("parquet_code_ml_chemin",
         [_ml_parquet(code_ml=pa.array(["MLA", "MLB", "../../x"]))], 1,
         "format_code", supprimer=["missions_locales.csv"])  # fmt: skip
    case("parquet_code_ml_double_et_manquant",
         [_ml_parquet(code_ml=pa.array(["MLA", "MLA", None]))], 1,
         ["missions_locales.code_ml: doublon", "missions_locales.code_ml: obligatoire"],
         supprimer=["missions_locales.csv"])  # fmt: skip
    case("parquet_tronque", [("missions_locales.parquet", _ml_parquet()[1][:200])], 2,
         "cannot read Parquet", supprimer=["missions_locales.csv"])  # fmt: skip


def main() -> None:
    _build_cases()
    for old in HERE.iterdir():
        if old.is_dir() and old.name[:2].isdigit():
            shutil.rmtree(old)
    for i, (name, (files, spec)) in enumerate(CASES.items(), start=1):
        folder = HERE / f"{i:02d}_{name}"
        folder.mkdir()
        for fname, content in files:
            (folder / fname).parent.mkdir(parents=True, exist_ok=True)
            (folder / fname).write_bytes(content)
        (folder / "cas.json").write_text(
            json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    print(f"{len(CASES)} cases written to {HERE}")


if __name__ == "__main__":
    main()
