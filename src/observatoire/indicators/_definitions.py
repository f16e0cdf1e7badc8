"""Names, labels and definitions of the contract indicators, in one place.

``compute`` builds its columns from these tuples, the exports take their French
labels and definitions from :data:`DEFINITIONS`, and ``disclosure`` takes the
relations between columns (:data:`SUBSET_RELATIONS`, :data:`TIME_ADDITIVE`) from
here, so the three cannot drift apart.
"""

from __future__ import annotations

#: key columns of an indicator table, in order
KEY_COLUMNS: tuple[str, ...] = ("niveau", "code", "libelle", "periode", "portee")

LEVELS: tuple[str, ...] = ("ml", "departement", "region")
SCOPES: tuple[str, ...] = ("annee", "mois", "cumul")

REGION_CODE = "NAQ"
REGION_NAME = "Nouvelle-Aquitaine"

#: counts, in output order
COUNT_COLUMNS: tuple[str, ...] = (
    "jeunes_en_contact",
    "jeunes_accompagnes",
    "premiers_accueils",
    "entretiens",
    "entrees_formation",
    "entrees_formation_region",
    "entrees_alternance",
    "entrees_emploi",
    "entrees_emploi_durable",
    "entrees_emploi_sortants_formation_region",
)

#: rate -> (numerator, denominator)
RATES: dict[str, tuple[str, str]] = {
    "taux_formation": ("entrees_formation", "jeunes_accompagnes"),
    "taux_formation_region": ("entrees_formation_region", "jeunes_accompagnes"),
    "taux_alternance": ("entrees_alternance", "jeunes_accompagnes"),
    "taux_emploi": ("entrees_emploi", "jeunes_accompagnes"),
}

#: rates and their Wilson bounds, in output order
RATE_COLUMNS: tuple[str, ...] = tuple(
    col for rate in RATES for col in (rate, f"{rate}_ic_bas", f"{rate}_ic_haut")
)

INDICATOR_COLUMNS: tuple[str, ...] = COUNT_COLUMNS + RATE_COLUMNS
OUTPUT_COLUMNS: tuple[str, ...] = KEY_COLUMNS + INDICATOR_COLUMNS

#: (part, whole) pairs that hold in every row: the part counts a subset of the
#: people (or events) the whole counts. Disclosure control uses them because a
#: published whole bounds a masked part.
SUBSET_RELATIONS: tuple[tuple[str, str], ...] = (
    ("jeunes_accompagnes", "jeunes_en_contact"),
    # not ("jeunes_accompagnes", "entretiens"): under the national definition a
    # person accompanied through a workshop alone had no interview
    ("entrees_formation", "jeunes_accompagnes"),
    ("entrees_formation_region", "entrees_formation"),
    ("entrees_alternance", "jeunes_accompagnes"),
    ("entrees_emploi", "jeunes_accompagnes"),
    ("entrees_emploi_durable", "entrees_emploi"),
    ("entrees_emploi_sortants_formation_region", "entrees_emploi"),
)

#: counts whose year-to-date value is exactly the sum of the months (events and
#: first receptions happen once); every other count is distinct over the months
TIME_ADDITIVE: tuple[str, ...] = ("premiers_accueils", "entretiens")

#: the 95 % normal quantile used by every Wilson interval of the package
Z95 = 1.959963984540054

#: column -> (French label, French definition)
DEFINITIONS: dict[str, tuple[str, str]] = {
    "niveau": ("Niveau", "ml (Mission Locale), departement ou region."),
    "code": (
        "Code",
        "Code de la Mission Locale, du département, ou NAQ pour la région.",
    ),
    "libelle": ("Libellé", "Nom de la Mission Locale, du département ou de la région."),
    "periode": ("Période", "Année (2023) ou mois (2023-05)."),
    "portee": (
        "Portée",
        "annee : l'année civile ; mois : le mois seul ; cumul : de janvier à la fin "
        "du mois indiqué (cumul annuel à date).",
    ),
    "jeunes_en_contact": (
        "Jeunes en contact",
        "Jeunes distincts ayant eu au moins un événement (entretien, atelier, "
        "information collective, contact téléphonique ou écrit) dans la période, "
        "dans la Mission Locale où a eu lieu l'événement.",
    ),
    "jeunes_accompagnes": (
        "Jeunes accompagnés",
        "Jeunes distincts ayant eu au moins un entretien individuel, un atelier ou "
        "une information collective dans la période, dans la Mission Locale où a "
        "eu lieu l'événement (définition nationale du réseau des Missions Locales ; "
        "paramètre accompagnement).",
    ),
    "premiers_accueils": (
        "Premiers accueils",
        "Jeunes dont la date de premier accueil tombe dans la période, rattachés à "
        "la Mission Locale qui détient leur dossier.",
    ),
    "entretiens": (
        "Entretiens individuels",
        "Nombre d'entretiens individuels dans la période (événements, non des jeunes).",
    ),
    "entrees_formation": (
        "Entrées en formation",
        "Jeunes accompagnés dans la période (dans cette Mission Locale) ayant une "
        "situation de formation débutant dans la période, hors situations "
        "seulement prévues. Un jeune entré deux fois compte une fois.",
    ),
    "entrees_formation_region": (
        "Entrées en formation financée par la Région",
        "Comme les entrées en formation, limitées aux formations financées par la Région.",
    ),
    "entrees_alternance": (
        "Entrées en alternance",
        "Jeunes accompagnés dans la période ayant une situation d'alternance "
        "(apprentissage, professionnalisation) débutant dans la période, hors prévues.",
    ),
    "entrees_emploi": (
        "Entrées en emploi",
        "Jeunes accompagnés dans la période ayant une situation d'emploi débutant "
        "dans la période, hors prévues.",
    ),
    "entrees_emploi_durable": (
        "dont emploi durable",
        "Parmi les entrées en emploi : au moins un emploi en CDI, ou prévu pour "
        "durer au moins 6 mois (au moins 183 jours entre le début et la fin prévue).",
    ),
    "entrees_emploi_sortants_formation_region": (
        "dont sortants de formation Région",
        "Parmi les entrées en emploi : au moins un emploi débutant 0 à 183 jours "
        "après la fin (date de fin renseignée) d'une formation financée par la Région.",
    ),
}

_RATE_TEXT = {
    "taux_formation": ("Taux d'entrée en formation", "entrées en formation"),
    "taux_formation_region": (
        "Taux d'entrée en formation Région",
        "entrées en formation financée par la Région",
    ),
    "taux_alternance": ("Taux d'entrée en alternance", "entrées en alternance"),
    "taux_emploi": ("Taux d'entrée en emploi", "entrées en emploi"),
}
for _rate, (_label, _numerator) in _RATE_TEXT.items():
    DEFINITIONS[_rate] = (
        _label,
        f"Part des jeunes accompagnés ayant une des {_numerator} "
        "(proportion entre 0 et 1, vide si aucun jeune accompagné).",
    )
    DEFINITIONS[f"{_rate}_ic_bas"] = (
        f"{_label} – IC 95 % bas",
        "Borne basse de l'intervalle de confiance de Wilson à 95 % du taux.",
    )
    DEFINITIONS[f"{_rate}_ic_haut"] = (
        f"{_label} – IC 95 % haut",
        "Borne haute de l'intervalle de confiance de Wilson à 95 % du taux.",
    )
del _rate, _label, _numerator
