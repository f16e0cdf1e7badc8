"""The ARML's log of network animation: actions and the MLs that took part.

About 120 to 180 actions a year whatever the scale (there are 43 MLs either
way); their policies follow the agreement's priorities. Titles are free French
text, some with ``;``, quotes and accents, as real logs have.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import POLITIQUES_REGIONALES, TYPES_ANIMATION
from ._calendar import Calendar, category_column, date_column, id_column
from ._network import Network

ACTIONS_A_YEAR = (125, 175)
TYPE_PROBS = {
    "professionnalisation": 0.28,
    "reunion_reseau": 0.10,
    "groupe_travail": 0.20,
    "webinaire": 0.22,
    "information_dispositif": 0.15,
    "autre": 0.05,
}
POLICY_PROBS = {
    "formation": 0.20,
    "alternance": 0.10,
    "emploi": 0.12,
    "permis_b": 0.06,
    "sante": 0.10,
    "numerique": 0.09,
    "mobilite_internationale": 0.05,
    "logement": 0.05,
    "service_civique": 0.07,
    "erip": 0.08,
    "autre": 0.08,
}
#: share of MLs reached and hours, by type
REACH = {
    "professionnalisation": (0.18, (7.0, 14.0, 21.0)),
    "reunion_reseau": (0.85, (3.0, 3.5, 6.0)),
    "groupe_travail": (0.16, (2.0, 2.5, 3.0)),
    "webinaire": (0.45, (1.0, 1.5, 2.0)),
    "information_dispositif": (0.40, (1.5, 2.0, 3.0)),
    "autre": (0.25, (2.0, 3.0, 7.0)),
}
TOPIC = {
    "formation": (
        "l'offre de formation régionale",
        "les formations « qualifiantes » de la Région",
        "le Pacte régional ; parcours vers la qualification",
    ),
    "alternance": (
        "l'apprentissage et la professionnalisation",
        "les contrats en alternance ; rôle des OPCO",
        "« Alternance : sécuriser les ruptures »",
    ),
    "emploi": (
        "les relations entreprises",
        "l'accès à l'emploi durable",
        "le CEJ ; accompagnement vers l'emploi",
    ),
    "permis_b": (
        "l'aide régionale au permis B",
        "le parcours « permis » ; repérage des freins",
        "la mobilité quotidienne des jeunes",
    ),
    "sante": (
        "les Points Santé",
        "la santé mentale des jeunes ; premiers secours",
        "l'activité physique et la nutrition",
    ),
    "numerique": (
        "les pass numériques",
        "l'inclusion numérique ; #APTIC",
        "le numérique responsable",
    ),
    "mobilite_internationale": (
        "le dispositif BAGAGES",
        "la mobilité européenne ; projet « SESAME »",
        "les stages à l'étranger",
    ),
    "logement": (
        "l'accès au logement des jeunes",
        "les aides au logement ; partenariats",
        "l'habitat jeunes en milieu rural",
    ),
    "service_civique": (
        "le service civique",
        "l'accueil de volontaires ; transition écologique",
        "« Engagement citoyen » et Néo Terra",
    ),
    "erip": (
        "les ERIP",
        "les Espaces régionaux d'information de proximité ; métiers",
        "l'orientation tout au long de la vie",
    ),
    "autre": (
        "l'observation des parcours",
        "l'égalité et la lutte contre les discriminations",
        "la qualité de l'accueil ; « aller vers »",
    ),
}
LEAD = {
    "professionnalisation": "Formation des conseillers :",
    "reunion_reseau": "Réunion du réseau –",
    "groupe_travail": "Groupe de travail",
    "webinaire": "Webinaire :",
    "information_dispositif": "Information :",
    "autre": "Rencontre :",
}


def draw_animations(
    rng: np.random.Generator, net: Network, cal: Calendar
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``animations`` and ``animations_participations`` tables."""
    types = np.array(list(TYPE_PROBS))
    tp = np.array(list(TYPE_PROBS.values()))
    policies = np.array(list(POLICY_PROBS))
    pp = np.array(list(POLICY_PROBS.values()))
    rows, parts = [], []
    for year in range(cal.first_year, cal.last_year + 1):
        n = int(rng.integers(ACTIONS_A_YEAR[0], ACTIONS_A_YEAR[1] + 1))
        days = np.arange(
            np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01")
        ).astype(np.int64)
        workdays = days[((days + 3) % 7 < 5)]
        month = (
            days[((days + 3) % 7 < 5)]
            .astype("datetime64[D]")
            .astype("datetime64[M]")
            .astype(np.int64)
            % 12
        ) + 1
        weight = np.where(month == 8, 0.15, np.where(month == 7, 0.6, 1.0))
        day = np.sort(rng.choice(workdays, n, replace=False, p=weight / weight.sum()))
        typ = rng.choice(types, n, p=tp / tp.sum())
        pol = rng.choice(policies, n, p=pp / pp.sum())
        for d, ty, po in zip(day, typ, pol, strict=True):
            share, hours = REACH[ty]
            title = f"{LEAD[ty]} {TOPIC[po][int(rng.integers(0, 3))]}"
            if rng.random() < 0.15:
                title += f" (session {int(rng.integers(1, 4))})"
            rows.append((int(d), ty, po, title, float(rng.choice(hours))))
            prob = np.clip(
                share * net.participation / net.participation.mean(), 0.02, 0.98
            )
            took = np.flatnonzero(rng.random(net.n) < prob)
            if len(took) == 0:
                took = np.array([int(np.argmax(net.participation * rng.random(net.n)))])
            size = net.weight / np.median(net.weight)
            staff = 1 + rng.poisson(
                np.where(ty == "reunion_reseau", 0.6, 0.4 + 0.6 * np.sqrt(size[took]))
            )
            for ml, k in zip(took, staff, strict=True):
                parts.append((len(rows), int(ml), int(k)))

    number = np.arange(1, len(rows) + 1)
    ids = id_column("AN", number, 5)
    anim = pd.DataFrame(
        {
            "id_animation": ids,
            "date_animation": date_column(np.array([r[0] for r in rows])),
            "type_animation": category_column(
                np.array([TYPES_ANIMATION.index(r[1]) for r in rows]), TYPES_ANIMATION
            ),
            "politique_regionale": category_column(
                np.array([POLITIQUES_REGIONALES.index(r[2]) for r in rows]),
                POLITIQUES_REGIONALES,
            ),
            "intitule": pd.array([r[3] for r in rows], dtype="string"),
            "duree_heures": np.array([r[4] for r in rows], dtype="float64"),
        }
    )
    which = np.array([p[0] for p in parts]) - 1
    part = pd.DataFrame(
        {
            "id_animation": pd.array(np.asarray(ids)[which], dtype="string"),
            "code_ml": category_column(np.array([p[1] for p in parts]), net.code),
            "nb_participants": pd.array([p[2] for p in parts], dtype="Int64"),
        }
    )
    return anim, part
