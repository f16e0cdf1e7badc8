"""The data contract as code: one schema that both the loader and the generator use.

Mirrors ``shared/spec/data-contract.md`` table by table. ``data.load`` validates
against it; ``synthetic`` writes from it, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

DEPARTEMENTS: tuple[str, ...] = (
    "16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87",
)  # fmt: skip

DEPARTEMENT_NAMES: dict[str, str] = {
    "16": "Charente",
    "17": "Charente-Maritime",
    "19": "Corrèze",
    "23": "Creuse",
    "24": "Dordogne",
    "33": "Gironde",
    "40": "Landes",
    "47": "Lot-et-Garonne",
    "64": "Pyrénées-Atlantiques",
    "79": "Deux-Sèvres",
    "86": "Vienne",
    "87": "Haute-Vienne",
}

SEXES = ("F", "H")
NIVEAUX_DIPLOME = ("aucun", "3", "4", "5", "6+")
TYPES_EVENEMENT = (
    "entretien_individuel",
    "atelier",
    "information_collective",
    "contact_telephonique",
    "contact_ecrit",
)
CATEGORIES_SITUATION = (
    "emploi",
    "alternance",
    "formation",
    "immersion",
    "service_civique",
    "scolarite",
)
SOUS_CATEGORIES: dict[str, tuple[str, ...]] = {
    "emploi": ("cdi", "cdd", "interim", "contrat_aide", "independant"),
    "alternance": ("apprentissage", "professionnalisation"),
    "formation": ("qualifiante", "preparatoire", "remise_a_niveau"),
}
ALL_SOUS_CATEGORIES = tuple(v for vals in SOUS_CATEGORIES.values() for v in vals)
FINANCEURS_FORMATION = ("region", "etat", "france_travail", "opco", "autre", "inconnu")
ETATS_SITUATION = ("prevue", "en_cours", "terminee", "abandonnee")
DISPOSITIFS = ("PACEA", "CEJ", "GARANTIE_JEUNES", "PPAE", "AUTRE")
TYPES_AIDE = (
    "permis_b",
    "sante",
    "numerique",
    "mobilite_internationale",
    "logement",
    "aide_alimentaire",
    "allocation",
    "autre",
)
FINANCEURS_AIDE = ("region", "etat", "autre")
TYPES_ANIMATION = (
    "professionnalisation",
    "reunion_reseau",
    "groupe_travail",
    "webinaire",
    "information_dispositif",
    "autre",
)
POLITIQUES_REGIONALES = (
    "formation",
    "alternance",
    "emploi",
    "permis_b",
    "sante",
    "numerique",
    "mobilite_internationale",
    "logement",
    "service_civique",
    "erip",
    "autre",
)

#: codes that become parts of file names (reports per ML): letters, digits, _
#: and -, starting with a letter or digit, at most 32 characters; no ``.``, ``/``
#: or space, so that no code can name a path outside the run folder
CODE_MAX_CHARS = 32
CODE_PATTERN = rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{CODE_MAX_CHARS - 1}}}"

#: age bounds (years, inclusive) on the day of first reception
AGE_MIN_PREMIER_ACCUEIL = 15
AGE_MAX_PREMIER_ACCUEIL = 30


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``kind`` is one of ``str``, ``int``, ``float``, ``date``, ``bool``.
    ``required`` means a value must be present; ``allowed`` lists the accepted
    values; ``minimum`` is an inclusive lower bound unless ``exclusive_minimum``.
    ``references`` names ``table.column`` that must hold the value (foreign key).
    ``pattern`` is a regular expression the whole value must match.
    """

    name: str
    kind: str
    required: bool = True
    unique: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    exclusive_minimum: bool = False
    references: str | None = None
    pattern: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Table:
    """One contract table: its columns and whether the extract may omit it."""

    name: str
    columns: tuple[Column, ...]
    optional: bool = False
    #: column combinations that must be unique together (beyond single columns)
    unique_together: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


C = Column

SCHEMA: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "missions_locales",
            (
                C("code_ml", "str", unique=True, pattern=CODE_PATTERN),
                C("nom_ml", "str"),
                C("departement", "str", allowed=DEPARTEMENTS),
                C("nb_lieux_accueil", "int", required=False, minimum=0),
                C("etp", "float", required=False, minimum=0),
            ),
            description="one row per Mission Locale",
        ),
        Table(
            "jeunes",
            (
                C("id_jeune", "str", unique=True),
                C("code_ml", "str", references="missions_locales.code_ml"),
                C("sexe", "str", allowed=SEXES),
                C("date_naissance", "date"),
                C("date_premier_accueil", "date"),
                C("niveau_diplome", "str", allowed=NIVEAUX_DIPLOME),
                C("neet", "bool"),
                C("inscrit_france_travail", "bool"),
                C("zrr", "bool"),
                C("qpv", "bool"),
                C("commune_residence", "str", required=False),
            ),
            description="one row per young person",
        ),
        Table(
            "evenements",
            (
                C("id_evenement", "str", unique=True),
                C("id_jeune", "str", references="jeunes.id_jeune"),
                C("code_ml", "str", references="missions_locales.code_ml"),
                C("date_evenement", "date"),
                C("type_evenement", "str", allowed=TYPES_EVENEMENT),
            ),
            description="contacts (iMilo actualités)",
        ),
        Table(
            "situations",
            (
                C("id_situation", "str", unique=True),
                C("id_jeune", "str", references="jeunes.id_jeune"),
                C("categorie", "str", allowed=CATEGORIES_SITUATION),
                # presence depends on categorie: checked by a cross-column rule
                C("sous_categorie", "str", required=False, allowed=ALL_SOUS_CATEGORIES),
                C("financeur", "str", required=False, allowed=FINANCEURS_FORMATION),
                C("date_debut", "date"),
                C("date_fin_prevue", "date", required=False),
                C("date_fin", "date", required=False),
                C("etat", "str", allowed=ETATS_SITUATION),
            ),
            description="what the young person does (iMilo situations)",
        ),
        Table(
            "dispositifs",
            (
                C("id_jeune", "str", references="jeunes.id_jeune"),
                C("dispositif", "str", allowed=DISPOSITIFS),
                C("date_debut", "date"),
                C("date_fin", "date", required=False),
            ),
            optional=True,
            description="support schemes",
        ),
        Table(
            "aides",
            (
                C("id_aide", "str", unique=True),
                C("id_jeune", "str", references="jeunes.id_jeune"),
                C("type_aide", "str", allowed=TYPES_AIDE),
                C("financeur", "str", allowed=FINANCEURS_AIDE),
                C("montant_eur", "float", required=False, minimum=0),
                C("date_attribution", "date"),
            ),
            optional=True,
            description="services and financial aid",
        ),
        Table(
            "animations",
            (
                C("id_animation", "str", unique=True),
                C("date_animation", "date"),
                C("type_animation", "str", allowed=TYPES_ANIMATION),
                C("politique_regionale", "str", allowed=POLITIQUES_REGIONALES),
                C("intitule", "str"),
                C(
                    "duree_heures",
                    "float",
                    required=False,
                    minimum=0,
                    exclusive_minimum=True,
                ),
            ),
            optional=True,
            description="the ARML's own log of network animation",
        ),
        Table(
            "animations_participations",
            (
                C("id_animation", "str", references="animations.id_animation"),
                C("code_ml", "str", references="missions_locales.code_ml"),
                C("nb_participants", "int", minimum=1),
            ),
            optional=True,
            unique_together=(("id_animation", "code_ml"),),
            description="which MLs took part in each animation",
        ),
    )
}

#: table order: a table only references tables before it
TABLE_ORDER: tuple[str, ...] = tuple(SCHEMA)

#: tables an extract must hold
REQUIRED_TABLES: tuple[str, ...] = tuple(t for t in SCHEMA if not SCHEMA[t].optional)


def pandas_dtype(column: Column) -> str:
    """Return the pandas dtype a loaded column has.

    Strings use pandas' ``string`` dtype, dates ``datetime64[ns]``, optional
    integers ``Int64``; booleans are required so plain ``bool``.
    """
    return {
        "str": "string",
        "int": "Int64",
        "float": "float64",
        "date": "datetime64[ns]",
        "bool": "bool",
    }[column.kind]


def empty_frame(table: str):
    """An empty DataFrame with the columns and dtypes of a contract table."""
    cols = SCHEMA[table].columns
    return pd.DataFrame({c.name: pd.Series(dtype=pandas_dtype(c)) for c in cols})
