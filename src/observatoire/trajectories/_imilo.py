"""iMilo trajectories: the monthly state of each young person after first reception.

A *cohort* is the young people whose ``date_premier_accueil`` falls in one calendar
year, for the whole region or for the ML(s) holding their file (``jeunes.code_ml``).
Each one gets a sequence of ``months`` monthly states (default 24), month 1 being
the calendar month of the first reception, month 2 the next calendar month, etc.

States (the alphabet, in this order everywhere; French labels in
:data:`STATE_LABELS`):

``emploi_durable``
    an ``emploi`` situation that is a ``cdi`` or planned to last at least 183 days
    (``date_fin_prevue - date_debut >= 183``), as ``entrees_emploi_durable`` in the
    data contract;
``emploi``
    any other ``emploi`` situation;
``alternance``, ``formation``, ``scolarite``
    situations of those categories;
``immersion_service_civique``
    an ``immersion`` or ``service_civique`` situation;
``accompagnement``
    no situation in the month, and at least one contact (``evenements`` row, at any
    ML) in that month or one of the 2 months before; the first reception itself
    counts as a contact in its month, so month 1 is never ``sans_contact``;
``sans_contact``
    no situation in the month and no contact in that month nor the 2 before: the
    third month in a row without any contact is the first ``sans_contact`` month;
``censure``
    a month after the last complete month of the extract (the month before the
    extraction date's month, or that month itself when the extraction date is its
    last day): nothing can be known about it yet.

How a month's state is decided:

1. Situations with ``etat == "prevue"`` (planned, never started) are ignored. A
   situation covers the days from ``date_debut`` to ``date_fin`` included; an empty
   ``date_fin`` means still running (contract), so up to the end of the sequence
   (months past the extract become ``censure`` anyway).
2. **Day by day**, overlapping situations are resolved by the priority order
   :data:`PRIORITY`: ``emploi_durable`` > ``alternance`` > ``emploi`` >
   ``formation`` > ``scolarite`` > ``immersion_service_civique`` (the most
   integrated outcome wins: a job held during a training counts as the job; an
   immersion, a short add-on placement, only shows when nothing else runs).
3. **Month by month**, the state is the situation state that holds the most days of
   the month after step 2; a tie between two states goes to the higher priority.
   One covered day is enough for a month to be a situation month (short
   immersions, 5 to 20 days, stay visible), so a spell's first and last months
   count in full.
4. A month with no covered day is ``accompagnement`` or ``sans_contact`` as above;
   any month after the last complete month is ``censure`` whatever the data say.

Speed: steps 2-3 are one numba-compiled pass over the spells sorted by person (a
day buffer per person, then day counts per month and state); the rest is numpy over
the people x months grid, with no Python loop over people. A cohort year at scale 1
(about 37,000 people x 24 months) takes about a second (``bench/RESULTS.md``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..data import Coverage, Warehouse
from ..exceptions import SequenceError
from ..formatting import fr_month
from ..indicators import DURABLE_DAYS  # the contract's rule, one definition
from ._sequences import define_sequences

if TYPE_CHECKING:
    from ._sequences import Sequences

logger = logging.getLogger(__name__)

#: the monthly states, in the order used by every table and plot
STATES: tuple[str, ...] = (
    "emploi_durable",
    "emploi",
    "alternance",
    "formation",
    "immersion_service_civique",
    "scolarite",
    "accompagnement",
    "sans_contact",
    "censure",
)

#: French label of each state, as a report reader sees it
STATE_LABELS: dict[str, str] = {
    "emploi_durable": "Emploi durable",
    "emploi": "Emploi",
    "alternance": "Alternance",
    "formation": "Formation",
    "immersion_service_civique": "Immersion / service civique",
    "scolarite": "Scolarité",
    "accompagnement": "Accompagnement",
    "sans_contact": "Sans contact",
    "censure": "Censuré",
}

#: one colour per state, for every plot. Okabe-Ito palette (safe for the common
#: colour-vision deficiencies); ``sans_contact`` dark grey, ``censure`` light grey
STATE_COLOURS: dict[str, str] = {
    "emploi_durable": "#0072B2",
    "emploi": "#56B4E9",
    "alternance": "#009E73",
    "formation": "#E69F00",
    "immersion_service_civique": "#CC79A7",
    "scolarite": "#F0E442",
    "accompagnement": "#D55E00",
    "sans_contact": "#4D4D4D",
    "censure": "#D9D9D9",
}

#: situation states, highest priority first (breaks overlaps day by day and ties
#: between states holding as many days of a month)
PRIORITY: tuple[str, ...] = (
    "emploi_durable",
    "alternance",
    "emploi",
    "formation",
    "scolarite",
    "immersion_service_civique",
)

#: situation categorie -> state (``emploi`` is split into durable / not durable)
CATEGORY_STATE: dict[str, str] = {
    "emploi": "emploi",
    "alternance": "alternance",
    "formation": "formation",
    "immersion": "immersion_service_civique",
    "service_civique": "immersion_service_civique",
    "scolarite": "scolarite",
}

#: situation etat values of the contract
ETATS: tuple[str, ...] = ("prevue", "en_cours", "terminee", "abandonnee")

#: months without any contact (this one and the ones before) that make ``sans_contact``
NO_CONTACT_MONTHS = 3

_CODE = {state: i for i, state in enumerate(STATES)}


def month_columns(months: int) -> list[str]:
    """Names of the month columns: ``mois_01`` ... (zero-padded to 2 digits at least).

    Examples
    --------
    >>> month_columns(3)
    ['mois_01', 'mois_02', 'mois_03']
    """
    width = max(2, len(str(months)))
    return [f"mois_{k:0{width}d}" for k in range(1, months + 1)]


def last_complete_month(extraction_date: Any) -> pd.Period:
    """The last complete calendar month of an extract.

    The month before the extraction date's month, or that month itself when the
    extraction date is its last day.

    Examples
    --------
    >>> str(last_complete_month("2025-01-05"))
    '2024-12'
    >>> str(last_complete_month("2024-12-31"))
    '2024-12'
    """
    year, month = Coverage(
        None, pd.Timestamp(extraction_date).normalize()
    ).latest_complete_month
    return pd.Period(year=year, month=month, freq="M")


def cohort_window(coverage: Coverage, year: int, months: int = 24) -> dict[str, Any]:
    """How much of a cohort's observation window the extract covers.

    The window of the cohort of ``year`` runs from January of ``year`` (the first
    possible first reception) to the ``months``-th month after December's
    (``months - 1`` months after the last possible first reception). The extract
    covers the months from that of its first contact (``coverage.first``) to
    its latest complete month (``coverage.end``): before, a young person's
    contacts and situations are missing (the first months would read « sans
    contact »); after, they are censored.

    Parameters
    ----------
    coverage : Coverage
        ``Warehouse.coverage``.
    year : int
        The cohort (year of first reception).
    months : int, default 24
        Length of each young person's path.

    Returns
    -------
    dict
        ``debut`` and ``fin`` (pandas Periods, months) of the window,
        ``mois_fenetre`` (its length: 11 + ``months``), ``mois_observes`` (its
        months the extract covers), ``manque_debut`` and ``manque_fin`` (months
        missing at each end), ``complete`` (nothing missing).

    Examples
    --------
    >>> from observatoire.data import Coverage
    >>> c = Coverage(pd.Timestamp("2021-03-08"), pd.Timestamp("2025-01-05"))
    >>> w = cohort_window(c, 2021, 24)
    >>> w["mois_fenetre"], w["mois_observes"], w["manque_debut"], w["complete"]
    (35, 33, 2, False)
    >>> cohort_window(c, 2022, 24)["complete"]
    True
    """
    start = pd.Period(year=int(year), month=1, freq="M")
    stop = pd.Period(year=int(year), month=12, freq="M") + (int(months) - 1)
    length = stop.ordinal - start.ordinal + 1
    if coverage.first is None or coverage.end is None:
        before, after = length, 0
    else:
        first = pd.Timestamp(coverage.first).to_period("M")
        y, m = coverage.latest_complete_month
        last = pd.Period(year=y, month=m, freq="M")
        before = min(max(first.ordinal - start.ordinal, 0), length)
        after = min(max(stop.ordinal - last.ordinal, 0), length - before)
    return {
        "debut": start,
        "fin": stop,
        "mois_fenetre": length,
        "mois_observes": length - before - after,
        "manque_debut": before,
        "manque_fin": after,
        "complete": before == 0 and after == 0,
    }


def comparable_cohorts(
    coverage: Coverage, cohort: int, months: int = 24, shortest: int = 12
) -> tuple[tuple[int, int], int] | None:
    """Two consecutive cohorts the extract covers wholly, and over how many months.

    The study compares its cohort with the one before, over its ``months``; when
    the extract does not cover both windows (:func:`cohort_window`), the cohort
    and the one after, then both pairs again over ``shortest`` months.

    Parameters
    ----------
    coverage : Coverage
        ``Warehouse.coverage``.
    cohort : int
        The study's cohort.
    months, shortest : int
        The study's path length, and the shorter horizon tried next.

    Returns
    -------
    ((int, int), int) or None
        The two cohorts and the number of months compared; None when no pair is
        wholly covered.

    Examples
    --------
    >>> from observatoire.data import Coverage
    >>> c = Coverage(pd.Timestamp("2022-01-03"), pd.Timestamp("2025-01-05"))
    >>> comparable_cohorts(c, 2022, 24)
    ((2022, 2023), 12)
    >>> comparable_cohorts(c, 2024, 24) is None
    True
    """
    horizons = [int(months)] + ([int(shortest)] if int(shortest) < int(months) else [])
    for horizon in horizons:
        for pair in ((cohort - 1, cohort), (cohort, cohort + 1)):
            if all(cohort_window(coverage, y, horizon)["complete"] for y in pair):
                return pair, horizon
    return None


def _extraction_date(warehouse: Warehouse, extraction_date: Any) -> pd.Timestamp:
    if extraction_date is not None:
        return pd.Timestamp(extraction_date)
    if warehouse.coverage.end is not None:
        return warehouse.coverage.end
    raise SequenceError(
        "no extraction date: the warehouse has none and no contact; pass extraction_date"
    )


def _cohort(
    warehouse: Warehouse, year: int, code_ml: str | Iterable[str] | None
) -> tuple[pd.DataFrame, str]:
    """Rows of ``jeunes`` in the cohort, and where it was taken (for messages)."""
    jeunes = warehouse.jeunes
    first = pd.to_datetime(jeunes["date_premier_accueil"])
    mask = (first.dt.year == int(year)).fillna(False).to_numpy(dtype=bool)
    where = "in the region"
    if code_ml is not None:
        codes = [code_ml] if isinstance(code_ml, str) else list(code_ml)
        known = set(warehouse.missions_locales["code_ml"].astype(str))
        unknown = sorted(c for c in codes if c not in known)
        if unknown:
            raise SequenceError(
                f"unknown code_ml {', '.join(map(repr, unknown))}: "
                f"not in missions_locales ({len(known)} MLs)"
            )
        mask = mask & jeunes["code_ml"].isin(codes).fillna(False).to_numpy(dtype=bool)
        where = f"at {', '.join(codes)}"
    cohort = jeunes.loc[mask]
    if cohort.empty:
        raise SequenceError(
            f"empty cohort: no young person with a first reception in {year} ({where})"
        )
    return cohort, where


def _check_values(values: pd.Series, allowed: Iterable[str], column: str) -> None:
    allowed = tuple(allowed)
    if values.isna().any():
        raise SequenceError(
            f"situations.{column} is missing in {int(values.isna().sum())} rows"
        )
    unknown = sorted(set(map(str, values.unique())) - set(allowed))
    if unknown:
        raise SequenceError(
            f"unknown situations.{column} {', '.join(map(repr, unknown))}; "
            f"expected one of {', '.join(allowed)}"
        )


def _positions(values: pd.Series, ids: pd.Index) -> np.ndarray:
    """Position of each value in ``ids`` (-1 when absent), through Arrow (fast on strings)."""
    try:
        arr = pa.array(values, from_pandas=True).cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return ids.get_indexer(values.astype(str))
    found = pc.index_in(
        arr, value_set=pa.array(ids.to_numpy(dtype=object), pa.string())
    )
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _situation_spells(
    situations: pd.DataFrame, people: pd.Index, day0: np.datetime64, n_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Person position, priority rank, first day and end day (excluded) of each spell.

    Days are counted from ``day0`` and clipped to ``[0, n_days]``; spells that do
    not overlap the grid, or are only planned, are dropped.
    """
    person = _positions(situations["id_jeune"], people)
    sit = situations.loc[person >= 0]
    person = person[person >= 0]
    _check_values(sit["categorie"], CATEGORY_STATE, "categorie")
    _check_values(sit["etat"], ETATS, "etat")
    started = (sit["etat"] != "prevue").to_numpy(dtype=bool)
    sit, person = sit.loc[started], person[started]

    start = pd.to_datetime(sit["date_debut"]).to_numpy("datetime64[D]")
    if np.isnat(start).any():
        raise SequenceError(
            f"situations.date_debut is missing in {int(np.isnat(start).sum())} rows"
        )
    end = pd.to_datetime(sit["date_fin"]).to_numpy("datetime64[D]")
    planned = pd.to_datetime(sit["date_fin_prevue"]).to_numpy("datetime64[D]")

    first_day = (start - day0).astype(np.int64)
    # an empty date_fin means still running: to the end of the grid
    last_day = np.where(np.isnat(end), n_days, (end - day0).astype(np.int64) + 1)
    first_day = np.clip(first_day, 0, n_days)
    last_day = np.clip(last_day, 0, n_days)

    categorie = sit["categorie"].astype(str).to_numpy()
    state = np.array([CATEGORY_STATE[c] for c in categorie], dtype=object)
    planned_days = (planned - start).astype("timedelta64[D]").astype(np.float64)
    planned_days[np.isnat(planned)] = np.nan
    cdi = (sit["sous_categorie"] == "cdi").fillna(False).to_numpy(dtype=bool)
    durable = (categorie == "emploi") & (cdi | (planned_days >= DURABLE_DAYS))
    state[durable] = "emploi_durable"
    rank_of = {s: r for r, s in enumerate(PRIORITY)}
    rank = np.array([rank_of[s] for s in state], dtype=np.int8)

    keep = last_day > first_day
    return person[keep], rank[keep], first_day[keep], last_day[keep]


@numba.njit(cache=True)
def _held_days(
    n: int, n_ranks: int, n_days: int, day_month: np.ndarray, n_months: int,
    person: np.ndarray, rank: np.ndarray, first: np.ndarray, last: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Days of each month held by each situation rank, overlaps resolved by priority.

    Spells must be sorted by person. For each person a day buffer gets, on every
    day, the smallest rank (highest priority) of the spells covering it; the days
    are then counted per month and rank. Returns an ``int16`` array
    ``(n, n_months, n_ranks)``.
    """
    held = np.zeros((n, n_months, n_ranks), dtype=np.int16)
    buffer = np.empty(n_days, dtype=np.int8)
    s = 0
    n_spells = len(person)
    while s < n_spells:
        p = person[s]
        buffer[:] = n_ranks  # no situation
        lo, hi = n_days, 0
        while s < n_spells and person[s] == p:
            r = rank[s]
            for d in range(first[s], last[s]):
                if r < buffer[d]:
                    buffer[d] = r
            lo = min(lo, first[s])
            hi = max(hi, last[s])
            s += 1
        for d in range(lo, hi):
            r = buffer[d]
            if r < n_ranks:
                held[p, day_month[d], r] += 1
    return held


def monthly_states(
    warehouse: Warehouse,
    year: int,
    *,
    months: int = 24,
    code_ml: str | Iterable[str] | None = None,
    extraction_date: Any = None,
) -> pd.DataFrame:
    """Monthly states of a cohort of first receptions, one row per young person.

    The rules (states, priority order, month rule, contact gap, censoring) are in
    the docstring of this module, :mod:`observatoire.trajectories._imilo`.
    Row-level data with ``id_jeune``: for analysts, never for a report.

    Parameters
    ----------
    warehouse : Warehouse
        A loaded extract (``observatoire.data.load``): ``jeunes``, ``situations``,
        ``evenements``, ``missions_locales`` and ``extraction_date`` are used.
    year : int
        Cohort: year of ``date_premier_accueil``.
    months : int, default 24
        Length of each sequence, month 1 being the month of first reception.
    code_ml : str or list of str, optional
        Only the young people whose file is held by these MLs (``jeunes.code_ml``);
        default the whole region.
    extraction_date : date-like, optional
        Overrides ``warehouse.extraction_date`` (months after its last complete
        month are ``censure``).

    Returns
    -------
    pd.DataFrame
        ``id_jeune``, ``code_ml``, then one categorical column per month
        (``mois_01`` ... ``mois_24``) holding a state of :data:`STATES`; rows in
        the order of ``warehouse.jeunes``.

    Raises
    ------
    SequenceError
        ``months`` below 1, an unknown ``code_ml``, an empty cohort, or a
        situation with an unknown ``categorie`` or ``etat``.

    Examples
    --------
    >>> from observatoire.data import Warehouse
    >>> d = pd.to_datetime
    >>> wh = Warehouse(
    ...     missions_locales=pd.DataFrame({"code_ml": ["MLA"]}),
    ...     jeunes=pd.DataFrame({"id_jeune": ["J1"], "code_ml": ["MLA"],
    ...                          "date_premier_accueil": d(["2024-01-10"])}),
    ...     evenements=pd.DataFrame({"id_jeune": ["J1"],
    ...                              "date_evenement": d(["2024-01-10"])}),
    ...     situations=pd.DataFrame({
    ...         "id_jeune": ["J1"], "categorie": ["emploi"], "sous_categorie": ["cdi"],
    ...         "date_debut": d(["2024-02-15"]), "date_fin_prevue": d([None]),
    ...         "date_fin": d(["2024-02-20"]), "etat": ["terminee"]}),
    ...     extraction_date=pd.Timestamp("2024-05-02"),
    ... )
    >>> monthly_states(wh, 2024, months=6).iloc[0, 2:].tolist()
    ['accompagnement', 'emploi_durable', 'accompagnement', 'sans_contact', 'censure', 'censure']
    """
    if int(months) < 1:
        raise SequenceError(f"months must be at least 1, got {months}")
    months = int(months)
    extraction = _extraction_date(warehouse, extraction_date)
    cohort, _ = _cohort(warehouse, year, code_ml)
    ids = pd.Index(cohort["id_jeune"].astype(str))
    n = len(ids)

    # month numbers since 1970-01 (numpy datetime64[M]); g = month - g0 on the grid
    start_month = (
        pd.to_datetime(cohort["date_premier_accueil"])
        .to_numpy("datetime64[M]")
        .astype(np.int64)
    )
    g0 = int(start_month.min())
    n_months = int(start_month.max()) - g0 + months
    month_first_day = (
        np.arange(g0, g0 + n_months + 1).astype("datetime64[M]").astype("datetime64[D]")
    )
    day0 = month_first_day[0]
    bounds = (month_first_day - day0).astype(np.int64)  # n_months + 1 day offsets
    n_days = int(bounds[-1])

    # 1-3. days held by each situation state in each month, overlaps by priority
    person, rank, first, last = _situation_spells(
        warehouse.situations, ids, day0, n_days
    )
    order = np.argsort(person, kind="stable")
    day_month = np.repeat(np.arange(n_months), np.diff(bounds))
    held = _held_days(
        n, len(PRIORITY), n_days, day_month, n_months,
        person[order], rank[order], first[order], last[order],
    )  # fmt: skip
    # most days wins; the first maximum is the highest priority
    best_rank = held.argmax(axis=2)
    has_situation = held.max(axis=2) > 0
    del held
    rank_code = np.array([_CODE[s] for s in PRIORITY], dtype=np.int8)

    # 4. contacts: grid shifted by the months looked back
    back = NO_CONTACT_MONTHS - 1
    contact = np.zeros((n, n_months + back), dtype=bool)
    ev = warehouse.evenements
    ev_person = _positions(ev["id_jeune"], ids)
    ev_month = (
        pd.to_datetime(ev["date_evenement"]).to_numpy("datetime64[M]").astype(np.int64)
    )
    ev_g = ev_month - g0 + back
    ok = (ev_person >= 0) & (ev_g >= 0) & (ev_g < n_months + back)
    contact[ev_person[ok], ev_g[ok]] = True
    contact[np.arange(n), start_month - g0 + back] = True  # the first reception
    recent = np.zeros((n, n_months), dtype=bool)
    for lag in range(NO_CONTACT_MONTHS):
        recent |= contact[:, back - lag : back - lag + n_months]

    state = np.where(
        has_situation,
        rank_code[best_rank],
        np.where(recent, _CODE["accompagnement"], _CODE["sans_contact"]),
    ).astype(np.int8)
    last_month = last_complete_month(extraction)
    last_g = last_month.year * 12 + last_month.month - 1 - 1970 * 12 - g0
    if last_g + 1 < n_months:
        state[:, max(last_g + 1, 0) :] = _CODE["censure"]

    # the window of each person: their own months 1..months
    cols = (start_month - g0)[:, None] + np.arange(months)[None, :]
    codes = np.take_along_axis(state, cols, axis=1)
    censored = int((codes[:, -1] == _CODE["censure"]).sum())
    logger.info(
        "cohort %s: %d young people x %d months; %d censored after %s",
        year,
        n,
        months,
        censored,
        fr_month(last_month.year, last_month.month),
    )

    out = {
        "id_jeune": ids.to_numpy(),
        "code_ml": cohort["code_ml"].astype(str).to_numpy(),
    }
    for k, name in enumerate(month_columns(months)):
        out[name] = pd.Categorical.from_codes(codes[:, k], categories=list(STATES))
    return pd.DataFrame(out)


def from_warehouse(
    warehouse: Warehouse,
    year: int,
    *,
    months: int = 24,
    code_ml: str | Iterable[str] | None = None,
    extraction_date: Any = None,
) -> Sequences:
    """Monthly state sequences of a cohort of first receptions.

    :func:`monthly_states` (rules in the module docstring) turned into a
    :class:`Sequences` of alphabet :data:`STATES` with French labels, one
    sequence per young person, identified by ``id_jeune`` (analyst use only:
    reports show no identifier).

    Parameters
    ----------
    warehouse : Warehouse
        A loaded extract.
    year : int
        Cohort: year of ``date_premier_accueil``.
    months : int, default 24
        Sequence length, month 1 being the month of first reception.
    code_ml : str or list of str, optional
        Only the files held by these MLs; default the whole region.
    extraction_date : date-like, optional
        Overrides ``warehouse.extraction_date``.

    Returns
    -------
    Sequences
        ``codes`` (n x months, codes into :data:`STATES`), ``alphabet``,
        ``labels`` (French), ``ids`` (``id_jeune``).

    Raises
    ------
    SequenceError
        As :func:`monthly_states`.
    """
    frame = monthly_states(
        warehouse, year, months=months, code_ml=code_ml, extraction_date=extraction_date
    )
    return _to_sequences(frame, id_column="id_jeune")


def _to_sequences(frame: pd.DataFrame, id_column: str | None = None) -> Sequences:
    columns = [c for c in frame.columns if c.startswith("mois_")]
    return define_sequences(
        frame,
        columns,
        alphabet=list(STATES),
        labels=[STATE_LABELS[s] for s in STATES],
        id_column=id_column,
    )
