"""The contract indicators with plain pandas group-bys: slow, obvious, independent.

One pass per window (the year, each month, each January-to-month span), each
indicator a ``groupby(...).nunique()`` or a ``size()`` over the rows of that
window, rates through statsmodels. Written from the contract text without
reusing ``_core``, so that a wrong trick there shows up as a difference in the
tests (``tests/test_indicators.py``) and the bench measures what the trick buys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from ._accompaniment import check_accompaniment
from ._core import AFTER_TRAINING_DAYS, DURABLE_DAYS, _units, parse_period
from ._definitions import (
    COUNT_COLUMNS,
    KEY_COLUMNS,
    OUTPUT_COLUMNS,
    RATES,
    REGION_CODE,
    REGION_NAME,
)

if TYPE_CHECKING:
    from ..data import Warehouse

_LEVEL_KEY = {"ml": "code_ml", "departement": "departement", "region": "region"}


def _windows(
    period, monthly: bool
) -> list[tuple[str, str, pd.Timestamp, pd.Timestamp]]:
    """(periode, portee, first day, day after the last) of each row of a cell."""
    p = parse_period(period)
    jan = pd.Timestamp(p.year, 1, 1)

    def month_start(k: int) -> pd.Timestamp:
        return jan + pd.DateOffset(months=k)

    if p.month is not None:
        start, end = month_start(p.month - 1), month_start(p.month)
        return [(p.label, "mois", start, end), (p.label, "cumul", jan, end)]
    if not monthly:
        return [(p.label, "annee", jan, month_start(12))]
    labels = [f"{p.year}-{k + 1:02d}" for k in range(12)]
    return [
        (labels[k], "mois", month_start(k), month_start(k + 1)) for k in range(12)
    ] + [(labels[k], "cumul", jan, month_start(k + 1)) for k in range(12)]


def _entrants(situations: pd.DataFrame, start, end) -> dict[str, set]:
    """id_jeune of the people with an entry of each kind in [start, end)."""
    s = situations[
        (situations["date_debut"] >= start)
        & (situations["date_debut"] < end)
        & (situations["etat"] != "prevue")
    ]
    formation = s[s["categorie"] == "formation"]
    emploi = s[s["categorie"] == "emploi"]
    planned_days = (emploi["date_fin_prevue"] - emploi["date_debut"]).dt.days
    durable = emploi[
        (emploi["sous_categorie"] == "cdi") | (planned_days >= DURABLE_DAYS)
    ]

    trainings = situations[
        (situations["categorie"] == "formation")
        & (situations["financeur"] == "region")
        & (situations["etat"] != "prevue")
        & situations["date_fin"].notna()
    ]
    after = emploi.merge(
        trainings[["id_jeune", "date_fin"]].rename(
            columns={"date_fin": "fin_formation"}
        ),
        on="id_jeune",
    )
    gap = (after["date_debut"] - after["fin_formation"]).dt.days
    after = after[(gap >= 0) & (gap <= AFTER_TRAINING_DAYS)]

    return {
        "entrees_formation": set(formation["id_jeune"]),
        "entrees_formation_region": set(
            formation.loc[formation["financeur"] == "region", "id_jeune"]
        ),
        "entrees_alternance": set(s.loc[s["categorie"] == "alternance", "id_jeune"]),
        "entrees_emploi": set(emploi["id_jeune"]),
        "entrees_emploi_durable": set(durable["id_jeune"]),
        "entrees_emploi_sortants_formation_region": set(after["id_jeune"]),
    }


def compute_reference(
    warehouse: Warehouse, period, monthly: bool = False, *, accompagnement=None
) -> pd.DataFrame:
    """Same output as ``indicators.compute``, computed the slow obvious way."""
    types = check_accompaniment(accompagnement)
    units = _units(warehouse.missions_locales)
    ml = warehouse.missions_locales[["code_ml", "nom_ml", "departement"]].astype(str)
    ml = ml.assign(region=REGION_CODE)
    events = warehouse.evenements.merge(
        ml[["code_ml", "departement", "region"]], on="code_ml"
    )
    jeunes = warehouse.jeunes.merge(
        ml[["code_ml", "departement", "region"]], on="code_ml"
    )
    labels = {
        "ml": dict(zip(ml["code_ml"], ml["nom_ml"], strict=True)),
        "departement": dict(
            zip(units.dep_codes, units.level("departement")[1], strict=True)
        ),
        "region": {REGION_CODE: REGION_NAME},
    }
    codes = {level: units.level(level)[0] for level in ("ml", "departement", "region")}

    rows = []
    for periode, portee, start, end in _windows(period, monthly):
        e = events[
            (events["date_evenement"] >= start) & (events["date_evenement"] < end)
        ]
        interviews = e[e["type_evenement"] == "entretien_individuel"]
        accompanying = e[e["type_evenement"].isin(types)]
        received = jeunes[
            (jeunes["date_premier_accueil"] >= start)
            & (jeunes["date_premier_accueil"] < end)
        ]
        entrants = _entrants(warehouse.situations, start, end)
        for level, key in _LEVEL_KEY.items():
            accompanied = accompanying[["id_jeune", key]].drop_duplicates()
            values = {
                "jeunes_en_contact": e.groupby(key)["id_jeune"].nunique(),
                "jeunes_accompagnes": accompanying.groupby(key)["id_jeune"].nunique(),
                "premiers_accueils": received.groupby(key).size(),
                "entretiens": interviews.groupby(key).size(),
            }
            for kind, people in entrants.items():
                values[kind] = (
                    accompanied[accompanied["id_jeune"].isin(people)]
                    .groupby(key)
                    .size()
                )
            table = pd.DataFrame(values).reindex(codes[level]).fillna(0)
            table.index.name = "code"
            table = table.reset_index()
            table.insert(0, "niveau", level)
            table.insert(2, "libelle", table["code"].map(labels[level]))
            table.insert(3, "periode", periode)
            table.insert(4, "portee", portee)
            rows.append(table)

    frame = pd.concat(rows, ignore_index=True)
    # same row order as compute: level, unit (units order), scope, period
    level_rank = {"ml": 0, "departement": 1, "region": 2}
    scope_rank = {"annee": 0, "mois": 1, "cumul": 2}
    unit_rank = {lv: {c: i for i, c in enumerate(codes[lv])} for lv in level_rank}
    frame["_l"] = frame["niveau"].map(level_rank)
    frame["_u"] = [
        unit_rank[lv][c] for lv, c in zip(frame["niveau"], frame["code"], strict=True)
    ]
    frame["_s"] = frame["portee"].map(scope_rank)
    frame = frame.sort_values(["_l", "_u", "_s", "periode"], kind="stable")
    frame = frame.drop(columns=["_l", "_u", "_s"]).reset_index(drop=True)

    for name in KEY_COLUMNS:
        frame[name] = frame[name].astype("string")
    for name in COUNT_COLUMNS:
        frame[name] = frame[name].astype(np.int64)
    for rate, (numerator, denominator) in RATES.items():
        x, n = frame[numerator].to_numpy(), frame[denominator].to_numpy()
        p = np.full(len(frame), np.nan)
        low, high = p.copy(), p.copy()
        some = n > 0
        p[some] = x[some] / n[some]
        # alpha 0.05 is the z of the contract, 1.959963984540054
        low[some], high[some] = proportion_confint(
            x[some], n[some], alpha=0.05, method="wilson"
        )
        frame[rate], frame[f"{rate}_ic_bas"], frame[f"{rate}_ic_haut"] = p, low, high
    return frame[list(OUTPUT_COLUMNS)]
