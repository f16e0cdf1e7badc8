"""Monthly follow-up: one month and the year to date, against the year before."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..exceptions import ParamsError
from ._accompaniment import check_accompaniment
from ._core import Period, compute
from ._definitions import COUNT_COLUMNS, RATES

if TYPE_CHECKING:
    from ..data import Warehouse

logger = logging.getLogger(__name__)

FOLLOWUP_COLUMNS: tuple[str, ...] = (
    "niveau",
    "code",
    "libelle",
    "periode",
    "portee",
    "indicateur",
    "valeur",
    "ic_bas",
    "ic_haut",
    "valeur_n_1",
    "evolution",
    "evolution_relative",
)

_ROW_KEYS = ["niveau", "code", "libelle", "periode", "portee"]


def _tidy(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (row of ``table``, indicator): counts then rates, bounds beside."""
    indicators = list(COUNT_COLUMNS) + list(RATES)
    n_rows, n_ind = len(table), len(indicators)
    out = pd.DataFrame(
        {key: np.repeat(table[key].to_numpy(), n_ind) for key in _ROW_KEYS}
    ).astype("string")
    out["indicateur"] = pd.array(np.tile(indicators, n_rows), dtype="string")
    values = table[indicators].to_numpy(dtype=float)
    out["valeur"] = values.ravel()
    low = np.full((n_rows, n_ind), np.nan)
    high = low.copy()
    for j, name in enumerate(indicators):
        if name in RATES:
            low[:, j] = table[f"{name}_ic_bas"].to_numpy(dtype=float)
            high[:, j] = table[f"{name}_ic_haut"].to_numpy(dtype=float)
    out["ic_bas"], out["ic_haut"] = low.ravel(), high.ravel()
    return out


def _first_month(warehouse: Warehouse) -> int | None:
    """Months since 1970-01 of the earliest event: where the extract's coverage starts."""
    dates = warehouse.evenements["date_evenement"]
    if not dates.notna().any():
        return None
    first = pd.Timestamp(dates.min())
    return (first.year - 1970) * 12 + first.month - 1


def _covers(warehouse: Warehouse, year: int, month: int) -> bool:
    """Whether the extract covers the whole of ``month`` of ``year`` and after.

    Coverage starts with the month of the earliest event (an extract starting on
    3 January covers January): a window opening before that month would be
    counted on part of its days, so a comparison with it would be wrong, not 0.
    """
    first = _first_month(warehouse)
    return first is not None and first <= (year - 1970) * 12 + month - 1


def _has_events(warehouse: Warehouse, period: Period) -> bool:
    """Whether the extract covers January to the end of ``period`` (see _covers)."""
    return _covers(warehouse, period.year, 1)


def _with_change(current: pd.DataFrame, previous: pd.DataFrame | None, keys: list[str]):
    """Add valeur_n_1, evolution and evolution_relative (NaN without a base)."""
    out = current.copy()
    if previous is None:
        out["valeur_n_1"] = np.nan
    else:
        base = previous.set_index(keys)["valeur"]
        out["valeur_n_1"] = base.reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy()
    out["evolution"] = out["valeur"] - out["valeur_n_1"]
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = out["evolution"].to_numpy() / out["valeur_n_1"].to_numpy()
    out["evolution_relative"] = np.where(
        out["valeur_n_1"].to_numpy() == 0, np.nan, relative
    )
    return out


def monthly_followup(
    warehouse: Warehouse,
    year: int,
    month: int | None = None,
    *,
    accompagnement: list[str] | tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Month and year-to-date figures of every unit, against the year before.

    Parameters
    ----------
    warehouse : observatoire.data.Warehouse
    year : int
    month : int, optional
        1 to 12: that month only. None (default): every month of ``year``.
    accompagnement : list of str, optional
        Event types that make a young person accompanied (default: the
        definition in force, see ``indicators.compute``).

    Returns
    -------
    pd.DataFrame
        Tidy: one row per (niveau, code, periode, portee, indicateur), where
        ``periode`` is the month (``2023-05``), ``portee`` is ``mois`` (the month
        alone) or ``cumul`` (January to the month, distinct people over those
        months) and ``indicateur`` is each count of ``COUNT_COLUMNS`` then each
        rate of ``RATES``; units in the order of ``compute`` (MLs, departments,
        region). Columns :data:`FOLLOWUP_COLUMNS`: the keys of ``compute``,
        ``indicateur``, ``valeur`` (float), ``ic_bas``/``ic_haut`` (Wilson
        bounds, rates only), ``valeur_n_1`` (the same month, or the same year to
        date, a year earlier), ``evolution`` (valeur - valeur_n_1; for rates a
        difference of proportions, i.e. points / 100) and ``evolution_relative``
        (evolution / valeur_n_1, NaN when valeur_n_1 is 0). ``valeur_n_1`` is NaN
        where the extract does not cover the window of the year before (its
        earliest event is in a later month: the month for ``mois``, January for
        ``cumul``), because 0 would be wrong. ``attrs["departements"]`` maps
        each ML to its department (for ``disclosure.protect_figures``);
        ``attrs["accompagnement"]`` lists the event types counted.

    Raises
    ------
    ParamsError
        When ``month`` is not between 1 and 12.

    Examples
    --------
    >>> import pandas as pd
    >>> from observatoire.data import Warehouse
    >>> from observatoire.data import empty_frame
    >>> ml = pd.DataFrame({"code_ml": ["M1"], "nom_ml": ["Pau"], "departement": ["64"]})
    >>> ev = pd.DataFrame({"id_evenement": ["e1", "e2", "e3"],
    ...     "id_jeune": ["a", "a", "b"], "code_ml": ["M1"] * 3,
    ...     "date_evenement": pd.to_datetime(["2022-01-02", "2023-03-01", "2023-03-09"]),
    ...     "type_evenement": ["entretien_individuel"] * 3})
    >>> wh = Warehouse(ml, empty_frame("jeunes"), ev, empty_frame("situations"))
    >>> f = monthly_followup(wh, 2023, 3)
    >>> print(f[(f.niveau == "ml") & (f.indicateur == "jeunes_accompagnes")][
    ...     ["portee", "valeur", "valeur_n_1", "evolution"]].to_string(index=False))
    portee  valeur  valeur_n_1  evolution
      mois     2.0         0.0        2.0
     cumul     2.0         1.0        1.0
    """
    year = int(year)
    if month is not None and not 1 <= int(month) <= 12:
        raise ParamsError(f"month {month!r} is not between 1 and 12")
    kw = {"accompagnement": check_accompaniment(accompagnement)}
    if month is None:
        table = compute(warehouse, year, monthly=True, **kw)
        previous = _tidy(compute(warehouse, year - 1, monthly=True, **kw))
    else:
        table = compute(warehouse, Period(year, int(month)).label, **kw)
        previous = _tidy(compute(warehouse, Period(year - 1, int(month)).label, **kw))
    current = _tidy(table)
    # align on the month of the year, then blank what the extract does not cover
    previous["periode"] = (str(year) + previous["periode"].str.slice(4)).astype(
        "string"
    )
    month_of = previous["periode"].str.slice(5, 7).astype(int).to_numpy()
    starts = np.where(previous["portee"] == "cumul", 1, month_of)
    first = _first_month(warehouse)
    covered = (
        np.zeros(len(previous), dtype=bool)
        if first is None
        else first <= (year - 1 - 1970) * 12 + starts - 1
    )
    if not covered.all():
        logger.info(
            "the extract does not cover all of %d: some comparisons left empty",
            year - 1,
        )
    previous.loc[~covered, "valeur"] = np.nan
    keys = ["niveau", "code", "periode", "portee", "indicateur"]
    out = _with_change(current, previous, keys)[list(FOLLOWUP_COLUMNS)]
    out.attrs["departements"] = dict(table.attrs["departements"])
    out.attrs["accompagnement"] = list(kw["accompagnement"])
    return out
