"""Build the bad-input corpus: broken variations of ``tests/fixtures/entrepot_mini``.

Each case is a folder ``NN_name/`` holding only the files that differ from the
fixture, plus ``attendu.json``, the expected outcome written by hand:

- ``{"erreur": "<regex>"}``: the extract is unreadable; ``data.load`` raises an
  ``ExtractError`` whose message matches, and ``observatoire validate`` exits 2;
- ``{"rejets": [[table, ligne, colonne, regle], ...], "lues": {table: n}}``:
  exactly these rejects (and no others), rows read per table as given;
  ``observatoire validate`` exits 1 (0 when the list is empty).

Run ``python tests/bad_inputs/make_corpus.py`` to rebuild the folders; the
result is committed, so the test reads files, not this script.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).parent
BASE = HERE.parent / "fixtures" / "entrepot_mini"


def _text(name: str) -> str:
    return (BASE / name).read_text(encoding="utf-8")


def _sub(name: str, old: str, new: str, count: int = 1) -> tuple[str, bytes]:
    text = _text(name)
    assert old in text, (name, old)
    return name, text.replace(old, new, count).encode("utf-8")


def _lines(name: str) -> list[str]:
    return _text(name).splitlines()


def _join(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


R = "rejets"
E = "erreur"

# name -> (files {name: bytes | None (= delete)}, expected)
CASES: dict[str, tuple[dict[str, bytes | None], dict]] = {}


def case(name: str, files, expected) -> None:
    CASES[name] = (dict(files), expected)


# --- unreadable files -------------------------------------------------------
case("fichier_vide_0_octet", [("evenements.csv", b"")], {E: "empty file"})
case(
    "encodage_latin1",
    [("jeunes.csv", _text("jeunes.csv").replace("J03", "Jé3").encode("latin-1"))],
    {E: r"not UTF-8 \(byte 0xe9 at line 4\)"},
)
case(
    "table_obligatoire_absente",
    [("situations.csv", None)],
    {E: "table 'situations' is missing"},
)
case(
    "colonne_obligatoire_absente",
    [_sub("evenements.csv", "type_evenement", "type")],
    {E: "required column.*type_evenement"},
)
case(
    "colonnes_permutees",
    [
        _sub(
            "evenements.csv",
            "date_evenement;type_evenement",
            "type_evenement;date_evenement",
        )
    ],
    {E: "holds no valid"},
)
case(
    "separateur_tabulation",
    [("aides.csv", _text("aides.csv").replace(";", "\t").encode())],
    {E: "required column"},
)
case(
    "entete_dupliquee",
    [_sub("missions_locales.csv", "code_ml;nom_ml;departement;nb_lieux_accueil;etp",
          "code_ml;nom_ml;departement;etp;etp")],
    {E: "duplicated column"},
)  # fmt: skip
case(
    "participations_sans_animations",
    [("animations.csv", None)],
    {E: "animations_participations is present without animations"},
)
case(
    "deux_formats",
    [("aides.parquet", b"PAR1")],
    {E: "both aides.parquet and aides.csv"},
)
case(
    "parquet_corrompu",
    [("aides.csv", None), ("aides.parquet", b"PAR1 ceci n'est pas du parquet PAR1")],
    {E: "cannot read Parquet"},
)
case("metadonnees_illisibles", [("metadonnees.json", b"{date_extraction: hier")],
     {E: "not valid JSON"})  # fmt: skip
case(
    "metadonnees_date_invalide",
    [("metadonnees.json", b'{"date_extraction": "bient\xc3\xb4t"}')],
    {E: "is not a date"},
)

# --- rows rejected ------------------------------------------------------------
ev = _lines("evenements.csv")
case(
    "fichier_tronque",
    [("evenements.csv", "\n".join(ev)[: -len("etien_individuel")].encode())],
    # cut inside the last value: the record is complete but its type is not
    {R: [["evenements", 21, "type_evenement", "valeur_autorisee"]], "lues": {"evenements": 20}},
)  # fmt: skip
case(
    "ligne_coupee_en_deux",
    [("evenements.csv", _join(ev[:5] + ["E05;J02;MLA", ";10/05/2023;contact_telephonique"]
                               + ev[7:]))],
    {R: [["evenements", 6, "", "nombre_champs"], ["evenements", 7, "", "nombre_champs"]],
     "lues": {"evenements": 20}},
)  # fmt: skip
case(
    "separateurs_melanges",
    [("evenements.csv", _join(ev[:3] + [ev[3].replace(";", ",")] + ev[4:]))],
    {R: [["evenements", 4, "", "nombre_champs"]]},
)
case(
    "virgule_decimale_avec_separateur_virgule",
    [("aides.csv", _join([ln.replace(";", ",") for ln in _lines("aides.csv")]))],
    # "1200,50" in a ","-separated file is two fields: that record is rejected whole
    {R: [["aides", 3, "", "nombre_champs"]]},
)
case(
    "dates_excel",
    [_sub("situations.csv", "S03;J02;alternance;apprentissage;;04/09/2023",
          "S03;J02;alternance;apprentissage;;45173")],
    {R: [["situations", 4, "date_debut", "type"]]},
)  # fmt: skip
case(
    "date_avec_heure",
    [_sub("evenements.csv", "E10;J05;MLB;18/04/2023", "E10;J05;MLB;2023-04-18 10:30")],
    {R: [["evenements", 11, "date_evenement", "type"]]},
)
case(
    "date_impossible",
    [_sub("evenements.csv", "E10;J05;MLB;18/04/2023", "E10;J05;MLB;31/04/2023")],
    {R: [["evenements", 11, "date_evenement", "type"]]},
)
case(
    "evenement_dans_le_futur",
    [_sub("evenements.csv", "E10;J05;MLB;18/04/2023", "E10;J05;MLB;18/04/2099")],
    # with no metadata the extraction date is today: 2099 is in the future
    {R: [["evenements", 11, "date_evenement", "date_future"]]},
)
case(
    "chaines_NA",
    [_sub("jeunes.csv", "J02;MLA;H;", "J02;MLA;NA;"),
     _sub("aides.csv", "A04;J08;sante;region;;12/03/2023", "A04;J08;sante;region;NA;12/03/2023")],
    # J02 goes, and with it its 2 contacts, its work-study, its PACEA and its aid
    {R: [["jeunes", 3, "sexe", "valeur_autorisee"], ["aides", 5, "montant_eur", "type"],
         ["evenements", 5, "id_jeune", "reference"], ["evenements", 6, "id_jeune", "reference"],
         ["situations", 4, "id_jeune", "reference"], ["dispositifs", 3, "id_jeune", "reference"],
         ["aides", 3, "id_jeune", "reference"]]},
)  # fmt: skip
case(
    "identifiants_dupliques",
    [_sub("jeunes.csv", "J12;MLC", "J11;MLC")],
    # the second J11 goes; J12's contact and situation become orphans
    {R: [["jeunes", 13, "id_jeune", "doublon"], ["evenements", 20, "id_jeune", "reference"],
         ["situations", 12, "id_jeune", "reference"]]},
)  # fmt: skip
case(
    "evenement_orphelin",
    [_sub("evenements.csv", "E19;J12", "E19;J13")],
    {R: [["evenements", 20, "id_jeune", "reference"]]},
)
case(
    "montant_negatif",
    [_sub("aides.csv", "A03;J05;allocation;etat;300", "A03;J05;allocation;etat;-300")],
    {R: [["aides", 4, "montant_eur", "minimum"]]},
)
case(
    "departement_hors_region",
    [_sub("missions_locales.csv", "MLB;Mission locale fictive B;33", "MLB;Mission locale fictive B;75")],
    # MLB rejected: its 3 young people go, then their contacts, situation, aid, CEJ
    # and the ML's 2 participations
    {R: [["missions_locales", 3, "departement", "valeur_autorisee"],
         ["jeunes", 6, "code_ml", "reference"], ["jeunes", 7, "code_ml", "reference"],
         ["jeunes", 8, "code_ml", "reference"],
         ["evenements", 10, "id_jeune", "reference"], ["evenements", 10, "code_ml", "reference"],
         ["evenements", 11, "id_jeune", "reference"], ["evenements", 11, "code_ml", "reference"],
         ["evenements", 12, "id_jeune", "reference"], ["evenements", 12, "code_ml", "reference"],
         ["evenements", 13, "id_jeune", "reference"], ["evenements", 13, "code_ml", "reference"],
         ["evenements", 14, "id_jeune", "reference"],
         ["situations", 7, "id_jeune", "reference"], ["situations", 8, "id_jeune", "reference"],
         ["dispositifs", 4, "id_jeune", "reference"], ["aides", 4, "id_jeune", "reference"],
         ["animations_participations", 3, "code_ml", "reference"],
         ["animations_participations", 6, "code_ml", "reference"]]},
)  # fmt: skip
case(
    "table_vide",
    [("aides.csv", (_lines("aides.csv")[0] + "\n").encode())],
    {R: [], "lues": {"aides": 0}},
)
case(
    "champ_texte_enorme",
    [
        _sub(
            "animations.csv",
            "Webinaire aide au permis B",
            "Webinaire " + "très long " * 100_000,
        )
    ],
    {R: []},
)
case(
    "injection_de_formule",
    [_sub("missions_locales.csv", "Mission locale fictive C", '"=HYPERLINK(""http://x.example"";""clic"")"'),
     _sub("jeunes.csv", "J10;MLC;H;10/10/2003", "J10;MLC;H;=1+1")],
    # a name is free text (kept, neutralised on export); a formula is no date
    {R: [["jeunes", 11, "date_naissance", "type"], ["evenements", 18, "id_jeune", "reference"],
         ["situations", 11, "id_jeune", "reference"]]},
)  # fmt: skip
case(
    "age_hors_limites",
    [_sub("jeunes.csv", "J06;MLB;H;08/08/2005", "J06;MLB;H;08/08/2010")],
    {R: [["jeunes", 7, "date_premier_accueil", "age_premier_accueil"],
         ["evenements", 12, "id_jeune", "reference"]]},
)  # fmt: skip
case(
    "commune_mal_formee",
    [_sub("jeunes.csv", "non;33400", "non;334")],
    {R: [["jeunes", 8, "commune_residence", "format_commune"],
         ["evenements", 13, "id_jeune", "reference"], ["evenements", 14, "id_jeune", "reference"],
         ["situations", 8, "id_jeune", "reference"]]},
)  # fmt: skip
case(
    "emploi_sans_sous_categorie",
    [_sub("situations.csv", "S07;J07;emploi;interim", "S07;J07;emploi;")],
    {R: [["situations", 8, "sous_categorie", "sous_categorie"]]},
)
case(
    "financeur_hors_formation",
    [
        _sub(
            "situations.csv",
            "S03;J02;alternance;apprentissage;",
            "S03;J02;alternance;apprentissage;opco",
        )
    ],
    {R: [["situations", 4, "financeur", "financeur"]]},
)
case(
    "fin_avant_debut",
    [
        _sub(
            "dispositifs.csv",
            "J01;CEJ;10/01/2023;09/01/2024",
            "J01;CEJ;10/01/2023;09/01/2022",
        )
    ],
    {R: [["dispositifs", 2, "date_fin", "ordre_dates"]]},
)
case(
    "etat_inconnu",
    [_sub("situations.csv", "31/03/2023;terminee", "31/03/2023;finie")],
    {R: [["situations", 8, "etat", "valeur_autorisee"]]},
)
case(
    "booleen_invalide",
    [_sub("jeunes.csv", "J08;MLC;H;01/01/2006;09/01/2023;aucun;oui", "J08;MLC;H;01/01/2006;09/01/2023;aucun;peut-être")],
    {R: [["jeunes", 9, "neet", "type"], ["evenements", 15, "id_jeune", "reference"],
         ["evenements", 16, "id_jeune", "reference"], ["situations", 9, "id_jeune", "reference"],
         ["dispositifs", 5, "id_jeune", "reference"], ["aides", 5, "id_jeune", "reference"]]},
)  # fmt: skip
case(
    "entier_decimal",
    [_sub("animations_participations.csv", "AN02;MLA;4", "AN02;MLA;4.5")],
    {R: [["animations_participations", 5, "nb_participants", "type"]]},
)
case(
    "participation_ml_inconnue",
    [_sub("animations_participations.csv", "AN03;MLB;2", "AN03;MLX;2")],
    {R: [["animations_participations", 6, "code_ml", "reference"]]},
)
case(
    "participation_action_inconnue",
    [_sub("animations_participations.csv", "AN03;MLB;2", "AN99;MLB;2")],
    {R: [["animations_participations", 6, "id_animation", "reference"]]},
)
case(
    "participants_zero",
    [_sub("animations_participations.csv", "AN04;MLC;1", "AN04;MLC;0")],
    {R: [["animations_participations", 7, "nb_participants", "minimum"]]},
)
case(
    "animation_dans_le_futur",
    [_sub("animations.csv", "AN03;22/06/2023", "AN03;22/06/2099")],
    {R: [["animations", 4, "date_animation", "date_future"],
         ["animations_participations", 6, "id_animation", "reference"]]},
)  # fmt: skip
case(
    "participation_en_double",
    [("animations_participations.csv", _join(_lines("animations_participations.csv") + ["AN03;MLB;5"]))],
    {R: [["animations_participations", 8, "id_animation+code_ml", "doublon"]],
     "lues": {"animations_participations": 7}},
)  # fmt: skip
case(
    "sexe_en_minuscule",
    [_sub("jeunes.csv", "J09;MLC;F", "J09;MLC;f")],
    {R: [["jeunes", 10, "sexe", "valeur_autorisee"], ["evenements", 17, "id_jeune", "reference"],
         ["situations", 10, "id_jeune", "reference"], ["aides", 6, "id_jeune", "reference"]]},
)  # fmt: skip
case(
    "identifiant_manquant",
    [_sub("evenements.csv", "E17;J10", ";J10")],
    {R: [["evenements", 18, "id_evenement", "obligatoire"]]},
)
case(
    "type_evenement_inconnu",
    [
        _sub(
            "evenements.csv",
            "E15;J08;MLC;06/03/2023;contact_ecrit",
            "E15;J08;MLC;06/03/2023;sms",
        )
    ],
    {R: [["evenements", 16, "type_evenement", "valeur_autorisee"]]},
)
# --- accepted as they are (real exports do this) -------------------------------
case(
    "bom_et_fins_de_ligne_crlf",
    [
        (
            "jeunes.csv",
            b"\xef\xbb\xbf" + _text("jeunes.csv").replace("\n", "\r\n").encode(),
        )
    ],
    {R: [], "lues": {"jeunes": 12}},
)
case(
    "espaces_autour_des_valeurs",
    [_sub("evenements.csv", "E09;J05;MLB;03/03/2023", "E09 ; J05 ;MLB ; 03/03/2023 ")],
    {R: []},
)
case(
    "lignes_vides_en_fin",
    [("evenements.csv", (_text("evenements.csv") + "\n\n").encode())],
    {R: [], "lues": {"evenements": 20}},
)
case(
    "texte_sur_plusieurs_lignes",
    [("animations.csv", _join(
        _lines("animations.csv")[:2]
        + ['AN02;14/03/2023;webinaire;permis_b;"Webinaire\nsur deux lignes";1,5']
        + [_lines("animations.csv")[3].replace(";3", ";-3")]
        + _lines("animations.csv")[4:]))],
    # the multi-line record spans lines 3-4: the next record is line 5
    {R: [["animations", 5, "duree_heures", "minimum"],
         ["animations_participations", 6, "id_animation", "reference"]]},
)  # fmt: skip
case(
    "colonnes_supplementaires",
    [("aides.csv", _join([ln + ";x" for ln in _lines("aides.csv")]))],
    {R: []},
)


def build() -> None:
    for old in HERE.iterdir():
        if old.is_dir() and old.name[:2].isdigit():
            shutil.rmtree(old)
    for i, (name, (files, expected)) in enumerate(CASES.items(), start=1):
        folder = HERE / f"{i:02d}_{name}"
        folder.mkdir()
        deleted = []
        for fname, content in files.items():
            if content is None:
                deleted.append(fname)
            else:
                (folder / fname).write_bytes(content)
        expected = {**expected, "supprimer": deleted} if deleted else expected
        (folder / "attendu.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    build()
    print(f"{len(CASES)} cases written to {HERE}")
