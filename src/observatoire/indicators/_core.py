"""Contract indicators per ML, department and region: the fast implementation.

How it works
------------
Everything is counted on integer codes with numpy. Events of the window (January
to the last month asked) get a person code (``pd.factorize`` of ``id_jeune``), a
unit code (the ML, then its department, then the region) and a month index. The
distinct (person, unit, month) triples, sorted, give at once:

- the month figure of a unit: the number of its triples in that month;
- the year-to-date figure (distinct over the months so far): each (person, unit)
  pair counts from its first month on, so a cumulative sum over first months.

An entry (formation, emploi, ...) is a (person, month) flag. "Accompanied in P at
that unit and entered in P" is, for a month, a triple whose (person, month) is
flagged; for January to month m, a pair whose first accompanied month *and* first
entry month are both <= m, i.e. whose ``max(first accompanied, first entry)`` is
<= m. The annual figure is the cumulative figure at December.

``_reference.py`` computes the same definitions with plain pandas group-bys,
window by window; the tests check that both agree.
"""

from __future__ import annotations

import logging
import re
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import DEPARTEMENT_NAMES, DEPARTEMENTS, Warehouse
from ..exceptions import ParamsError, ValidationError
from ._accompaniment import check_accompaniment
from ._definitions import (
    COUNT_COLUMNS,
    KEY_COLUMNS,
    LEVELS,
    OUTPUT_COLUMNS,
    RATES,
    REGION_CODE,
    REGION_NAME,
    Z95,
)

logger = logging.getLogger(__name__)

#: an employment is durable when planned to last at least this many days
DURABLE_DAYS = 183
#: a job counts as following a region-funded training that ended this many days
#: before its start, or fewer (0 = same day)
AFTER_TRAINING_DAYS = 183

#: entry kinds: counted among the people accompanied in the cell
ENTRY_KINDS: tuple[str, ...] = tuple(
    c for c in COUNT_COLUMNS if c.startswith("entrees_")
)

_PERIOD_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?\s*$")


# ----------------------------------------------------------------------- periods
@dataclass(frozen=True)
class Period:
    """A calendar year (``month`` is None) or one month of a year."""

    year: int
    month: int | None = None

    @property
    def label(self) -> str:
        """``2023`` or ``2023-05``."""
        return str(self.year) if self.month is None else f"{self.year}-{self.month:02d}"

    @property
    def n_months(self) -> int:
        """Months from January to the end of the period."""
        return 12 if self.month is None else self.month

    def previous_year(self) -> Period:
        """The same period one year earlier."""
        return Period(self.year - 1, self.month)


def parse_period(period: int | str | Period) -> Period:
    """Read a year (``2023``, ``"2023"``) or a month (``"2023-05"``).

    Raises
    ------
    ParamsError
        When ``period`` is neither.
    """
    if isinstance(period, Period):
        return period
    if isinstance(period, (int, np.integer)) and not isinstance(period, bool):
        text = str(int(period))
    elif isinstance(period, str):
        text = period
    else:
        raise ParamsError(
            f"period {period!r}: expected a year (2023) or a month ('2023-05')"
        )
    match = _PERIOD_RE.match(text)
    if match is None:
        raise ParamsError(
            f"period {period!r}: expected a year (2023) or a month ('2023-05')"
        )
    year = int(match.group(1))
    month = None if match.group(2) is None else int(match.group(2))
    if month is not None and not 1 <= month <= 12:
        raise ParamsError(f"period {period!r}: month {month} is not between 01 and 12")
    return Period(year, month)


# ------------------------------------------------------------------------- units
@dataclass(frozen=True)
class _Units:
    """The MLs (sorted by code) and departments (contract order) of an extract."""

    ml_codes: pd.Index
    ml_names: np.ndarray
    ml_dep: np.ndarray  # department index of each ML
    dep_codes: list[str]

    @property
    def n_ml(self) -> int:
        return len(self.ml_codes)

    @property
    def n_dep(self) -> int:
        return len(self.dep_codes)

    def level(self, niveau: str) -> tuple[list[str], list[str]]:
        """Codes and names of the units of a level."""
        if niveau == "ml":
            return [str(c) for c in self.ml_codes], [str(n) for n in self.ml_names]
        if niveau == "departement":
            return self.dep_codes, [DEPARTEMENT_NAMES.get(d, d) for d in self.dep_codes]
        return [REGION_CODE], [REGION_NAME]


def _units(missions_locales: pd.DataFrame) -> _Units:
    ml = missions_locales[["code_ml", "nom_ml", "departement"]]
    duplicated = ml["code_ml"].duplicated()
    if duplicated.any():
        raise ValidationError(
            "missions_locales: code_ml must be unique; repeated: "
            + ", ".join(sorted(ml.loc[duplicated, "code_ml"].astype(str).unique()))
        )
    ml = ml.sort_values("code_ml", kind="stable")
    present = set(ml["departement"].astype(str))
    # contract order first; a code outside the contract (not loaded through
    # data.load) still gets its row rather than vanishing
    dep_codes = [d for d in DEPARTEMENTS if d in present]
    dep_codes += sorted(present - set(DEPARTEMENTS))
    return _Units(
        ml_codes=pd.Index(ml["code_ml"].astype(str).to_numpy(object)),
        ml_names=ml["nom_ml"].astype(str).to_numpy(object),
        ml_dep=pd.Index(dep_codes).get_indexer(ml["departement"].astype(str)),
        dep_codes=dep_codes,
    )


def hierarchy(warehouse: Warehouse) -> pd.DataFrame:
    """Parent of each ML (its department) and of each department (the region).

    Parameters
    ----------
    warehouse : observatoire.data.Warehouse
        Only ``missions_locales`` is read.

    Returns
    -------
    pd.DataFrame
        ``niveau``, ``code``, ``niveau_parent``, ``code_parent``: one row per ML
        and per department of ``missions_locales``. ``disclosure.protect`` uses it
        to know which rows add up to which.

    Examples
    --------
    >>> import pandas as pd
    >>> from observatoire.data import Warehouse
    >>> from observatoire.data import empty_frame
    >>> ml = pd.DataFrame({"code_ml": ["M1", "M2"], "nom_ml": ["A", "B"],
    ...                    "departement": ["33", "24"]})
    >>> wh = Warehouse(ml, empty_frame("jeunes"), empty_frame("evenements"),
    ...                empty_frame("situations"))
    >>> print(hierarchy(wh).to_string(index=False))
         niveau code niveau_parent code_parent
             ml   M1   departement          33
             ml   M2   departement          24
    departement   24        region         NAQ
    departement   33        region         NAQ
    """
    units = _units(warehouse.missions_locales)
    ml_codes, _ = units.level("ml")
    n_ml, n_dep = units.n_ml, units.n_dep
    return pd.DataFrame(
        {
            "niveau": ["ml"] * n_ml + ["departement"] * n_dep,
            "code": ml_codes + units.dep_codes,
            "niveau_parent": ["departement"] * n_ml + ["region"] * n_dep,
            "code_parent": [units.dep_codes[i] for i in units.ml_dep]
            + [REGION_CODE] * n_dep,
        },
        dtype="string",
    )


# ------------------------------------------------------------------ small helpers
def _month_offset(dates: pd.Series, year: int) -> np.ndarray:
    """Months since January of ``year`` (0 = January); a large negative for NaT."""
    months = dates.to_numpy().astype("datetime64[M]")
    offset = months.astype(np.int64) - (year - 1970) * 12
    # NaT is the smallest int64: keep it far out of any window, without overflow
    offset[np.isnat(months)] = -(10**6)
    return offset


def _days(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970-01-01 and a mask of the dates present."""
    days = dates.to_numpy().astype("datetime64[D]")
    present = ~np.isnat(days)
    out = days.astype(np.int64)
    out[~present] = 0
    return out, present


def _codes_in(values: pd.Series, categories: pd.Index) -> np.ndarray:
    """Position of each value in ``categories`` (-1 when absent or missing).

    Factorising first keeps the hash lookups to the few distinct values (43 MLs
    for millions of events).
    """
    codes, uniques = pd.factorize(values)
    if len(uniques) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    lookup = categories.get_indexer(pd.Index(uniques).astype(str))
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1).astype(np.int64)


def _is(values: pd.Series, value: str) -> np.ndarray:
    """``values == value`` as a plain bool array (missing -> False)."""
    return (values == value).to_numpy(dtype=bool, na_value=False)


def _dedupe(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array.

    A hash pass first (``pd.unique``) so that only the distinct keys are sorted:
    events repeat their (person, unit, month) several times.
    """
    uniq = pd.unique(keys)
    uniq.sort()
    return uniq


def wilson_interval(
    successes: np.ndarray, trials: np.ndarray, z: float = Z95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proportion and Wilson score interval, vectorised (NaN where trials == 0).

    The same formula as ``statsmodels.stats.proportion.proportion_confint(...,
    method="wilson")``, without its per-call overhead.

    Examples
    --------
    >>> p, lo, hi = wilson_interval(np.array([3, 0]), np.array([10, 0]))
    >>> np.round([p[0], lo[0], hi[0]], 4).tolist(), bool(np.isnan(p[1]))
    ([0.3, 0.1078, 0.6032], True)
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        z2n = z * z / n
        denominator = 1 + z2n
        centre = (p + z2n / 2) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z2n / (4 * n)) / denominator
    empty = n <= 0
    p = np.where(empty, np.nan, p)
    # rounding can push a bound a hair outside [0, 1] at p = 0 or p = 1
    low = np.where(empty, np.nan, np.clip(centre - half, 0.0, 1.0))
    high = np.where(empty, np.nan, np.clip(centre + half, 0.0, 1.0))
    return p, low, high


# ----------------------------------------------------------------- distinct sets
@dataclass(frozen=True)
class _Presence:
    """Distinct (person, unit, month) triples of one level, sorted by that key."""

    person: np.ndarray
    unit: np.ndarray
    month: np.ndarray
    first: np.ndarray  # True on the first (earliest) month of each (person, unit)
    n_units: int
    n_months: int

    @classmethod
    def build(
        cls,
        person: np.ndarray,
        unit: np.ndarray | int,
        month: np.ndarray,
        n_units: int,
        n_months: int,
    ) -> _Presence:
        key = (person.astype(np.int64) * n_units + unit) * n_months + month
        key = _dedupe(key)
        pair, month = np.divmod(key, n_months)
        person, unit = np.divmod(pair, n_units)
        first = np.ones(len(key), dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        return cls(person, unit, month, first, n_units, n_months)

    def _grid(self, unit: np.ndarray, month: np.ndarray) -> np.ndarray:
        n, m = self.n_units, self.n_months
        return np.bincount(unit * m + month, minlength=n * m).reshape(n, m)

    def counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct people per unit: (month figures, year-to-date figures)."""
        mois = self._grid(self.unit, self.month)
        cumul = self._grid(self.unit[self.first], self.month[self.first]).cumsum(axis=1)
        return mois, cumul

    def counts_with(
        self, entries: _Entries
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per entry kind: distinct people present in the cell who also entered.

        Month figures: present and entered in that month. Year to date: counted
        from the month both "present" and "entered" have happened. One gather of
        the entry bits per triple serves every kind.
        """
        m = self.n_months
        bits = entries.bits[self.person * m + self.month]
        some = bits != 0
        unit, month, bits = self.unit[some], self.month[some], bits[some]
        first_person = self.person[self.first]
        keep = entries.any[first_person]
        person = first_person[keep]
        first_unit = self.unit[self.first][keep]
        first_month = self.month[self.first][keep]
        out = {}
        for k, kind in enumerate(entries.kinds):
            hit = (bits >> k) & 1 == 1
            mois = self._grid(unit[hit], month[hit])
            since = np.maximum(first_month, entries.first[k][person])
            ok = since < m
            cumul = self._grid(first_unit[ok], since[ok]).cumsum(axis=1)
            out[kind] = (mois, cumul)
        return out


@dataclass(frozen=True)
class _Entries:
    """Which (person, month) has an entry of each kind, and each person's first.

    ``bits[person * n_months + month]`` has bit k set for an entry of
    ``kinds[k]``; ``first[k][person]`` is the first month with such an entry
    (``n_months`` when none); ``any[person]``: an entry of some kind.
    """

    kinds: tuple[str, ...]
    bits: np.ndarray
    first: list[np.ndarray]
    any: np.ndarray

    @classmethod
    def build(
        cls,
        entries: dict[str, tuple[np.ndarray, np.ndarray]],
        n_persons: int,
        n_months: int,
    ) -> _Entries:
        kinds = tuple(entries)
        bits = np.zeros(n_persons * n_months, dtype=np.uint8)
        first = []
        for k, kind in enumerate(kinds):
            person, month = entries[kind]
            bits[person * n_months + month] |= np.uint8(1 << k)
            start = np.full(n_persons, n_months, dtype=np.int64)
            np.minimum.at(start, person, month)
            first.append(start)
        grid = bits.reshape(n_persons, n_months)
        return cls(kinds, bits, first, grid.any(axis=1))


# --------------------------------------------------------------------- encodings
@dataclass(frozen=True)
class _EventCodes:
    """Integer codes of every event, computed once per events table.

    ``month``: months since January 1970 (NaT far below any window); ``person``:
    position in ``person_ids`` (-1 when missing); ``ml``: position in the sorted
    ML codes (-1 when unknown); ``interview``: an ``entretien_individuel``;
    ``type_code``: position of the event type in ``types`` (-1 when missing).
    """

    month: np.ndarray
    person: np.ndarray
    person_ids: pd.Index
    ml: np.ndarray
    interview: np.ndarray
    type_code: np.ndarray
    types: pd.Index

    def accompanied(self, accompagnement: tuple[str, ...]) -> np.ndarray:
        """Mask of the events that make their young person accompanied."""
        hit = np.asarray(self.types.isin(accompagnement), dtype=bool)
        if len(hit) == 0:
            return np.zeros(len(self.type_code), dtype=bool)
        return np.where(self.type_code >= 0, hit[np.maximum(self.type_code, 0)], False)


#: the last tables encoded: (key, weak reference to the table, codes). Tables
#: are treated as immutable, as everywhere in the package; a new or resized
#: table is encoded again. compute(year) then compute(year, monthly=True), as
#: the reports do, encodes the 30 million events of scale 12 once.
_LAST: dict[str, tuple[tuple, weakref.ref, object]] = {}


def _cached(name: str, table: pd.DataFrame, key: tuple, build):
    hit = _LAST.get(name)
    if hit is not None and hit[0] == key and hit[1]() is table:
        return hit[2]
    value = build()
    _LAST[name] = (key, weakref.ref(table), value)
    return value


def _month_index(dates: pd.Series) -> np.ndarray:
    """Months since January 1970; a large negative for NaT."""
    return _month_offset(dates, 1970)


def _interview_of(type_code: np.ndarray, types: pd.Index) -> np.ndarray:
    """Mask of the ``entretien_individuel`` events, from the factorised types."""
    hits = np.flatnonzero(types == "entretien_individuel")
    if len(hits) == 0:
        return np.zeros(len(type_code), dtype=bool)
    return type_code == hits[0]


def _event_codes(events: pd.DataFrame, units: _Units) -> _EventCodes:
    def build() -> _EventCodes:
        person, ids = pd.factorize(events["id_jeune"])
        type_code, types = pd.factorize(events["type_evenement"])
        types = pd.Index(types).astype(str)
        return _EventCodes(
            month=_month_index(events["date_evenement"]),
            person=person.astype(np.int64),
            person_ids=pd.Index(ids),
            ml=_codes_in(events["code_ml"], units.ml_codes),
            interview=_interview_of(type_code, types),
            type_code=type_code.astype(np.int64),
            types=types,
        )

    key = (id(events), len(events), tuple(units.ml_codes))
    return _cached("evenements", events, key, build)


def _situation_codes(
    situations: pd.DataFrame, codes: _EventCodes
) -> tuple[np.ndarray, np.ndarray]:
    """Person code (in the events' ``person_ids``) and start month of each situation."""

    def build() -> tuple[_EventCodes, np.ndarray, np.ndarray]:
        person = codes.person_ids.get_indexer(situations["id_jeune"])
        return codes, person.astype(np.int64), _month_index(situations["date_debut"])

    key = (id(situations), len(situations))
    cached = _cached("situations", situations, key, build)
    if cached[0] is not codes:  # encoded against other events
        _LAST.pop("situations")
        cached = _cached("situations", situations, key, build)
    return cached[1], cached[2]


# ----------------------------------------------------------------------- entries
def _entry_people(
    situations: pd.DataFrame, codes: _EventCodes, year: int, n_months: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(person code, month) of each entry of each kind in the window.

    A situation is an entry when its date_debut is in the window and its etat is
    not ``prevue``. People without any event are dropped: they cannot be
    accompanied.
    """
    person_ids = codes.person_ids
    sit_person, sit_month = _situation_codes(situations, codes)
    offset = sit_month - (year - 1970) * 12
    started = (offset >= 0) & (offset < n_months) & ~_is(situations["etat"], "prevue")
    sit = situations.loc[started]
    person = sit_person[started]
    month = offset[started]
    known = person >= 0
    sit, person, month = sit.loc[known], person[known], month[known]

    categorie = sit["categorie"]
    formation = _is(categorie, "formation")
    emploi = _is(categorie, "emploi")
    start_days, _ = _days(sit["date_debut"])
    planned_end, has_planned_end = _days(sit["date_fin_prevue"])
    durable = emploi & (
        _is(sit["sous_categorie"], "cdi")
        | (has_planned_end & (planned_end - start_days >= DURABLE_DAYS))
    )
    kinds = {
        "entrees_formation": formation,
        "entrees_formation_region": formation & _is(sit["financeur"], "region"),
        "entrees_alternance": _is(categorie, "alternance"),
        "entrees_emploi": emploi,
        "entrees_emploi_durable": durable,
        "entrees_emploi_sortants_formation_region": _after_region_training(
            situations, person_ids, person, start_days, emploi
        ),
    }
    return {kind: (person[mask], month[mask]) for kind, mask in kinds.items()}


def _after_region_training(
    situations: pd.DataFrame,
    person_ids: pd.Index,
    person: np.ndarray,
    start_days: np.ndarray,
    emploi: np.ndarray,
) -> np.ndarray:
    """Mask of the emploi entries that start 0-183 days after a region training ended.

    The training is any region-funded ``formation`` situation of the person,
    whatever its year, with a date_fin and an etat other than ``prevue`` (a
    planned training was never left).
    """
    trainings = situations.loc[
        _is(situations["categorie"], "formation")
        & _is(situations["financeur"], "region")
        & ~_is(situations["etat"], "prevue")
        & situations["date_fin"].notna().to_numpy()
    ]
    training_person = person_ids.get_indexer(trainings["id_jeune"])
    training_end, _ = _days(trainings["date_fin"])
    keep = training_person >= 0
    jobs = np.flatnonzero(emploi)
    pairs = pd.DataFrame(
        {"p": person[jobs], "job": jobs, "start": start_days[jobs]}
    ).merge(
        pd.DataFrame({"p": training_person[keep], "end": training_end[keep]}), on="p"
    )
    gap = (pairs["start"] - pairs["end"]).to_numpy()
    hits = pairs["job"].to_numpy()[(gap >= 0) & (gap <= AFTER_TRAINING_DAYS)]
    mask = np.zeros(len(person), dtype=bool)
    mask[hits] = True
    return mask


# ------------------------------------------------------------------------ blocks
@dataclass(frozen=True)
class _Block:
    """Month and year-to-date counts of every indicator, level and unit.

    ``counts[level][indicator]`` is a pair of arrays of shape (units, months):
    month figures and year-to-date figures. ``accompanied[level]`` keeps the
    distinct accompanied triples (key figures read their profile from them);
    ``person_ids`` maps person codes back to ``id_jeune``.
    """

    units: _Units
    year: int
    n_months: int
    counts: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]
    accompanied: dict[str, _Presence]
    person_ids: pd.Index
    n_events: int


def _sum_to_departments(units: _Units, grid: np.ndarray) -> np.ndarray:
    out = np.zeros((units.n_dep, grid.shape[1]), dtype=np.int64)
    np.add.at(out, units.ml_dep, grid)
    return out


def _additive(
    units: _Units, ml_grid: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Counts that add up exactly (events, first receptions) for the three levels."""
    dep = _sum_to_departments(units, ml_grid)
    reg = ml_grid.sum(axis=0, keepdims=True)
    return {
        level: (grid, grid.cumsum(axis=1))
        for level, grid in zip(LEVELS, (ml_grid, dep, reg), strict=True)
    }


def _count_block(
    warehouse: Warehouse,
    units: _Units,
    year: int,
    n_months: int,
    accompagnement: tuple[str, ...],
) -> _Block:
    """Count everything for January to month ``n_months`` of ``year``.

    ``accompagnement``: the event types that make a young person accompanied.
    """
    m = n_months
    codes = _event_codes(warehouse.evenements, units)
    person_ids = codes.person_ids
    start = (year - 1970) * 12
    window = (codes.month >= start) & (codes.month < start + m)
    ml = codes.ml[window]
    person = codes.person[window]
    interview = codes.interview[window]
    accompanying = codes.accompanied(accompagnement)[window]
    month = codes.month[window] - start
    usable = (ml >= 0) & (person >= 0)
    if not usable.all():
        # data.load rejects such rows; a hand-built warehouse may still hold them
        logger.warning(
            "%d events of %s ignored: code_ml not in missions_locales or id_jeune missing",
            int((~usable).sum()),
            Period(year, None if m == 12 else m).label,
        )
        ml, person, interview, accompanying, month = (
            ml[usable],
            person[usable],
            interview[usable],
            accompanying[usable],
            month[usable],
        )

    counts: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {
        lv: {} for lv in LEVELS
    }
    accompanied: dict[str, _Presence] = {}
    for name, rows in (
        ("jeunes_en_contact", slice(None)),
        ("jeunes_accompagnes", accompanying),
    ):
        at_ml = _Presence.build(person[rows], ml[rows], month[rows], units.n_ml, m)
        # upper levels from the ML triples: already deduplicated, so fewer rows
        at_dep = _Presence.build(
            at_ml.person, units.ml_dep[at_ml.unit], at_ml.month, units.n_dep, m
        )
        at_reg = _Presence.build(at_ml.person, 0, at_ml.month, 1, m)
        for level, presence in zip(LEVELS, (at_ml, at_dep, at_reg), strict=True):
            counts[level][name] = presence.counts()
            if name == "jeunes_accompagnes":
                accompanied[level] = presence

    jeunes = warehouse.jeunes
    first_offset = _month_offset(jeunes["date_premier_accueil"], year)
    received = (first_offset >= 0) & (first_offset < m)
    received_ml = _codes_in(jeunes["code_ml"][received], units.ml_codes)
    received_month = first_offset[received][received_ml >= 0]
    received_ml = received_ml[received_ml >= 0]
    first_grid = np.bincount(received_ml * m + received_month, minlength=units.n_ml * m)
    interview_grid = np.bincount(
        ml[interview] * m + month[interview], minlength=units.n_ml * m
    )
    for name, grid in (
        ("premiers_accueils", first_grid),
        ("entretiens", interview_grid),
    ):
        for level, pair in _additive(units, grid.reshape(units.n_ml, m)).items():
            counts[level][name] = pair

    entries = _entry_people(warehouse.situations, codes, year, m)
    flags = _Entries.build(entries, len(person_ids), m)
    for level in LEVELS:
        counts[level].update(accompanied[level].counts_with(flags))

    return _Block(units, year, m, counts, accompanied, person_ids, int(len(ml)))


#: the last count blocks: compute(year), compute(year, monthly=True),
#: key_figures(year) and monthly_followup(year) all read the block of January to
#: December of year (and of year - 1), so a report run counts each year once
_BLOCKS: list[tuple[tuple, tuple[weakref.ref, ...], _Block]] = []
_MAX_BLOCKS = 2


def _block(
    warehouse: Warehouse,
    units: _Units,
    year: int,
    n_months: int,
    accompagnement: tuple[str, ...] | None = None,
) -> _Block:
    """``_count_block``, reusing one of the last blocks counted on the same tables."""
    accompagnement = check_accompaniment(accompagnement)
    tables = (warehouse.evenements, warehouse.situations, warehouse.jeunes)
    key = (
        tuple((id(t), len(t)) for t in tables),
        tuple(units.ml_codes),
        tuple(units.ml_dep),
        year,
        n_months,
        accompagnement,
    )
    for k, refs, block in _BLOCKS:
        if k == key and all(r() is t for r, t in zip(refs, tables, strict=True)):
            return block
    block = _count_block(warehouse, units, year, n_months, accompagnement)
    _BLOCKS.append((key, tuple(weakref.ref(t) for t in tables), block))
    del _BLOCKS[:-_MAX_BLOCKS]
    return block


# ----------------------------------------------------------------------- compute
def _selections(period: Period, monthly: bool) -> list[tuple[str, str, str, int]]:
    """(portee, periode, source grid, month index) of each row of a cell."""
    if period.month is not None:
        label, last = period.label, period.month - 1
        return [("mois", label, "mois", last), ("cumul", label, "cumul", last)]
    if not monthly:
        return [("annee", period.label, "cumul", 11)]
    months = [f"{period.year}-{k + 1:02d}" for k in range(12)]
    return [("mois", lab, "mois", k) for k, lab in enumerate(months)] + [
        ("cumul", lab, "cumul", k) for k, lab in enumerate(months)
    ]


def _to_frame(
    block: _Block, selections: list[tuple[str, str, str, int]]
) -> pd.DataFrame:
    n_sel = len(selections)
    source = {"mois": 0, "cumul": 1}
    pieces = []
    for level in LEVELS:
        codes, names = block.units.level(level)
        n = len(codes)
        columns: dict[str, object] = {
            "niveau": np.repeat(level, n * n_sel),
            "code": np.repeat(codes, n_sel),
            "libelle": np.repeat(names, n_sel),
            "periode": np.tile([s[1] for s in selections], n),
            "portee": np.tile([s[0] for s in selections], n),
        }
        for name in COUNT_COLUMNS:
            grids = block.counts[level][name]
            columns[name] = np.stack(
                [grids[source[src]][:, k] for _, _, src, k in selections], axis=1
            ).ravel()
        pieces.append(pd.DataFrame(columns))
    frame = pd.concat(pieces, ignore_index=True)
    for name in KEY_COLUMNS:
        frame[name] = frame[name].astype("string")
    for name in COUNT_COLUMNS:
        frame[name] = frame[name].astype(np.int64)
    return add_rates(frame)


def add_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with each contract rate and its Wilson bounds (new frame).

    Rates are proportions in [0, 1] over ``jeunes_accompagnes``; NaN when that
    is 0. Columns are placed in contract order after the counts.
    """
    out = table.copy()
    for rate, (numerator, denominator) in RATES.items():
        p, low, high = wilson_interval(
            out[numerator].to_numpy(), out[denominator].to_numpy()
        )
        out[rate], out[f"{rate}_ic_bas"], out[f"{rate}_ic_haut"] = p, low, high
    return out[[c for c in OUTPUT_COLUMNS if c in out.columns]]


def compute(
    warehouse: Warehouse,
    period: int | str,
    monthly: bool = False,
    *,
    accompagnement: list[str] | tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Contract indicators for every ML, department and the region.

    Definitions are those of the data contract ("Indicator definitions"); the
    choices made where it is silent are listed in the module docstring of
    ``observatoire.indicators``.

    Parameters
    ----------
    warehouse : observatoire.data.Warehouse
        Reads ``missions_locales``, ``jeunes``, ``evenements`` and ``situations``.
    period : int or str
        A year (``2023`` or ``"2023"``) or a month (``"2023-05"``).
    monthly : bool, default False
        With a year: return, instead of the annual row, 12 ``mois`` rows and 12
        ``cumul`` rows per unit. Has no effect with a month, which always gives
        its ``mois`` row and its ``cumul`` (January to that month) row.
    accompagnement : list of str, optional
        Event types that make a young person accompanied (``jeunes_accompagnes``
        and every figure over it: entries and rates). Default: the definition
        in force, the national one (``entretien_individuel``, ``atelier``,
        ``information_collective``) unless a surrounding
        ``with indicators.accompaniment(...)`` says otherwise.

    Returns
    -------
    pd.DataFrame
        One row per (niveau, code, portee, periode), ordered that way with levels
        ``ml`` (every ML of ``missions_locales``, by code, even with zeros),
        ``departement`` (those holding an ML, in contract order), ``region``.
        Columns: ``niveau``, ``code``, ``libelle``, ``periode``, ``portee``
        (strings), the ten counts (int64) then each rate and its bounds
        (float64): see ``observatoire.indicators.OUTPUT_COLUMNS``.
        ``attrs["departements"]`` maps each ``code_ml`` to its department, so
        that ``disclosure.protect`` knows which rows add up;
        ``attrs["accompagnement"]`` lists the event types counted.

    Raises
    ------
    ParamsError
        When ``period`` is neither a year nor a month, or ``accompagnement``
        names no event type of the contract.

    Examples
    --------
    >>> import pandas as pd
    >>> from observatoire.data import Warehouse
    >>> from observatoire.data import empty_frame
    >>> ml = pd.DataFrame({"code_ml": ["M1"], "nom_ml": ["Bordeaux"],
    ...                    "departement": ["33"]})
    >>> ev = pd.DataFrame({"id_evenement": ["e1", "e2", "e3"],
    ...     "id_jeune": ["a", "a", "b"], "code_ml": ["M1"] * 3,
    ...     "date_evenement": pd.to_datetime(["2023-01-05", "2023-02-01", "2023-03-01"]),
    ...     "type_evenement": ["entretien_individuel"] * 2 + ["atelier"]})
    >>> wh = Warehouse(ml, empty_frame("jeunes"), ev, empty_frame("situations"))
    >>> compute(wh, 2023)[["niveau", "code", "jeunes_en_contact",
    ...                    "jeunes_accompagnes", "entretiens"]]
            niveau code  jeunes_en_contact  jeunes_accompagnes  entretiens
    0           ml   M1                  2                   2           2
    1  departement   33                  2                   2           2
    2       region  NAQ                  2                   2           2
    >>> int(compute(wh, 2023, accompagnement=["entretien_individuel"]).loc[
    ...     0, "jeunes_accompagnes"])
    1
    """
    p = parse_period(period)
    accompagnement = check_accompaniment(accompagnement)
    units = _units(warehouse.missions_locales)
    block = _block(warehouse, units, p.year, p.n_months, accompagnement)
    logger.debug("indicators %s: %d events in the window", p.label, block.n_events)
    frame = _to_frame(block, _selections(p, monthly))
    # for disclosure.protect: which department holds each ML
    ml_codes, _ = units.level("ml")
    frame.attrs["departements"] = {
        code: units.dep_codes[d] for code, d in zip(ml_codes, units.ml_dep, strict=True)
    }
    frame.attrs["accompagnement"] = list(accompagnement)
    return frame
