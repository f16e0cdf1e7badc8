"""Statistical disclosure control: one mechanism for every table that leaves the building.

Front door
----------
- :class:`Structure`, with :class:`Additivity`, :class:`Link` and :class:`Rate`:
  the declaration of a table's cells (which columns hold figures, which of them
  are counts of people or events) and of its exact relations (which cells are
  parts of which totals, along rows, columns, years and territorial levels).
- :func:`protect_table`: primary and secondary suppression of any table under
  its declared structure; returns a :class:`ProtectedTable`.
- :func:`recoverable_cells`: an independent check that no masked cell of a
  published table can be worked back, equation by equation or by linear
  programming (the feasible interval of each masked cell).
- :func:`mark` and :func:`is_protected`: every protected table carries
  :data:`MARKER` in ``DataFrame.attrs``, so a report builder (and the tests) can
  tell a protected table from one that never went through this module.
- :func:`protect`: :func:`protect_table` with the structure of a table of
  ``indicators.compute``; :func:`render` shows it in French (``< 5``, ``s``);
  :meth:`ProtectedTable.for_csv` for machine-readable exports.
- :func:`protect_figures`: the same for the tidy tables of
  ``indicators.key_figures`` and ``indicators.monthly_followup`` (aids by type
  with their total, amounts in euros tied to their counts, the year before).

Rules (data contract, "Statistical disclosure control")
--------------------------------------------------------
1. *Primary suppression.* A count from 1 to ``threshold - 1`` (default 1 to 4)
   is masked (reason ``primaire``). 0 is shown: it discloses nobody. Only the
   cells the structure declares as counts (``Structure.counts``) are subject to
   it; an amount in euros or a duration is not a count of people.
2. *Secondary suppression* (reason ``secondaire``). Each :class:`Additivity`
   gives equations ``total = sum of parts`` between published cells. A masked
   cell must never be the only hidden cell of an equation: when it is (a part,
   or the total itself with all its parts shown), the smallest non-zero shown
   cell of that equation is masked too (a part rather than the total on a
   tie; a zero only when nothing else is left), and every equation is checked
   again until nothing changes: the masking spreads across rows, columns,
   years and levels (ML, department, region).
3. *Links* (:class:`Link`): a cell is hidden whenever one of its sources is:
   an amount with its count of aids, a ratio with either count, a change on a
   year with either year. Links are applied in every round, so a linked cell
   also gets the secondary suppression its own equations need (an amount
   total with one hidden part hides another amount).
4. *Rates* (:class:`Rate`): hidden when the denominator is below
   ``min_denominator`` (reason ``denominateur``) or when the numerator or
   denominator is masked (``secondaire``): rate times denominator would give
   the count back.

Relations between different columns of a row that are inequalities (a part,
such as ``entrees_formation_region``, is at most its whole
``entrees_formation``; :data:`indicators.SUBSET_RELATIONS`) cannot pin a value
and are not declared. Counts of distinct people are not exact sums (a young
person seen by two MLs counts once in the department): an :class:`Additivity`
says so with ``exact=False``; suppression still treats it as an equation
(``total - others`` gives the masked cell up to a small overlap), and
:func:`recoverable_cells` as the inequalities it really is.

This is the usual hierarchical heuristic, not an optimal suppression: it
guarantees that no equation holds a lone masked cell, and
:func:`recoverable_cells` (``method="intervalle"``) proves on a given table that
the feasible interval of every masked cell is wider than zero. Protect a whole
table, then filter: masking decisions depend on the other units of the same
department, which a filtered table no longer holds.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DisclosureError
from .formatting import fr_int, fr_num, fr_pct
from .indicators import (
    COUNT_COLUMNS,
    KEY_COLUMNS,
    RATES,
    REGION_CODE,
    TIME_ADDITIVE,
)

__all__ = [
    "COLUMN",
    "DEFAULT_MIN_DENOMINATOR",
    "DEFAULT_THRESHOLD",
    "FLAG_COLUMN",
    "MARKER",
    "SECONDARY_LABEL",
    "Additivity",
    "Link",
    "ProtectedTable",
    "Rate",
    "Structure",
    "figures_structure",
    "indicator_structure",
    "is_protected",
    "mark",
    "protect",
    "protect_figures",
    "protect_parts",
    "protect_table",
    "recoverable_cells",
    "render",
]

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 5
DEFAULT_MIN_DENOMINATOR = 20
#: CSV column listing, space-separated, the masked columns of each row
FLAG_COLUMN = "cellules_masquees"
#: shown for a cell hidden by secondary suppression or a small denominator
#: ("s": secret statistique, as INSEE prints it); primary cells show ``< 5``
SECONDARY_LABEL = "s"
#: pseudo-dimension naming a cell's column, for relations between columns
COLUMN = "colonne"
#: key of ``DataFrame.attrs`` a protected table carries (see :func:`mark`)
MARKER = "observatoire.disclosure"


# ================================================================ declaration
Code = Hashable
Selector = Mapping[str, Collection[Any]]


def _norm(code: Any) -> Any:
    """A code as compared with the table's keys: strings, tuples of strings."""
    if isinstance(code, tuple):
        return tuple(str(c) for c in code)
    return str(code)


def _dims(dimension: str | Sequence[str]) -> tuple[str, ...]:
    return (dimension,) if isinstance(dimension, str) else tuple(dimension)


class _Declaration:
    """A declaration of a table's structure: written once, never changed.

    A protected table carries its :class:`Structure` in ``attrs``, and pandas
    deep-copies a frame's ``attrs`` after every operation on it: copying the
    declarations each time cost seconds per batch for nothing, so a copy is the
    declaration itself.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _Declaration:
        return self


@dataclass(frozen=True)
class Additivity(_Declaration):
    """Totals along one dimension: each total cell is the sum of its parts.

    The cells of an equation differ only along ``dimension`` (one or several
    key columns, or :data:`COLUMN` for the columns of a row); every other
    coordinate is the same. One equation per total, per combination of the
    other coordinates present in the table.

    Parameters
    ----------
    dimension : str or tuple of str
        Key column(s) of the table, or :data:`COLUMN`.
    totals : mapping
        Total code -> codes of its parts (codes are values of ``dimension``,
        tuples for several columns). A part may be missing from the table:
        the equation then holds the parts present (which only protects more).
    within : mapping, optional
        Restrict the equations to the cells whose coordinates (key columns or
        :data:`COLUMN`) take one of the listed values, e.g.
        ``{COLUMN: ["entretiens"]}``.
    exact : bool, default True
        False for counts of distinct people, where the total is at most the
        sum of its parts (someone counted in two parts counts once in the
        total). Suppression treats it as an equation all the same.
    name : str
        What the relation is, for messages and :func:`recoverable_cells`.

    Examples
    --------
    >>> Additivity.from_parents("code", {"M1": "33", "M2": "33"}).totals
    {'33': ('M1', 'M2')}
    """

    dimension: str | tuple[str, ...]
    totals: Mapping[Code, Sequence[Code]]
    within: Selector | None = None
    exact: bool = True
    name: str = ""

    @classmethod
    def from_parents(
        cls,
        dimension: str | tuple[str, ...],
        parents: Mapping[Code, Code],
        **kwargs: Any,
    ) -> Additivity:
        """The same from a child -> parent mapping (a hierarchy, children in order)."""
        totals: dict[Code, list[Code]] = {}
        for child, parent in parents.items():
            totals.setdefault(parent, []).append(child)
        return cls(dimension, {k: tuple(v) for k, v in totals.items()}, **kwargs)


@dataclass(frozen=True)
class Link(_Declaration):
    """Cells hidden whenever one of their source cells is.

    An amount with its count of aids, a ratio with either of its counts, a
    change on a year with either year. Target and sources differ only along
    ``dimension``.

    Parameters
    ----------
    dimension : str or tuple of str
        Key column(s), or :data:`COLUMN`.
    sources : mapping
        Target code -> codes of the cells it depends on.
    within : mapping, optional
        As in :class:`Additivity`.
    """

    dimension: str | tuple[str, ...]
    sources: Mapping[Code, Sequence[Code]]
    within: Selector | None = None


@dataclass(frozen=True)
class Rate(_Declaration):
    """Rates: hidden with their numerator or denominator, or on a small denominator.

    Parameters
    ----------
    dimension : str or tuple of str
        Key column(s), or :data:`COLUMN`.
    rates : mapping
        Rate code -> (numerator code, denominator code). The numerator may be
        None (a share whose count is not in the table: protect the count it
        implies as a cell of its own).
    within : mapping, optional
        As in :class:`Additivity`.
    """

    dimension: str | tuple[str, ...]
    rates: Mapping[Code, tuple[Code | None, Code]]
    within: Selector | None = None


@dataclass(frozen=True)
class Structure(_Declaration):
    """What a table holds and how its cells add up.

    Parameters
    ----------
    keys : tuple of str
        Columns that identify a row (unique together).
    values : tuple of str
        Columns holding published figures: each (row, column) is a cell.
    counts : mapping, optional
        The cells under primary suppression (counts of people or events): those
        whose coordinates take one of the listed values for every entry (key
        columns or :data:`COLUMN`). None: every cell.
    additivity, links, rates : tuple
        :class:`Additivity`, :class:`Link` and :class:`Rate` declarations.
    name : str
        The table's name, carried by :data:`MARKER`.
    fixed : mapping, optional
        Cells published elsewhere (a total shown in another table, added here
        so that its parts are protected against it): never chosen for
        secondary suppression, and never masked as counts.

    Examples
    --------
    A 2 x 2 table with its total row and column:

    >>> s = Structure(
    ...     keys=("ligne",), values=("x", "y", "total"),
    ...     additivity=(Additivity("ligne", {"Total": ["A", "B"]}),
    ...                 Additivity(COLUMN, {"total": ["x", "y"]})))
    >>> s.values
    ('x', 'y', 'total')
    """

    keys: tuple[str, ...]
    values: tuple[str, ...]
    counts: Selector | None = None
    additivity: tuple[Additivity, ...] = ()
    links: tuple[Link, ...] = ()
    rates: tuple[Rate, ...] = ()
    name: str = ""
    fixed: Selector | None = None


# ================================================================== cells
@dataclass
class _Cells:
    """A table's cells, flattened row-major (cell = row * n_values + column)."""

    structure: Structure
    keys: pd.DataFrame  # string keys, one row per table row
    values: np.ndarray  # float, flat
    relations: list[np.ndarray] = field(default_factory=list)  # total first
    exact: list[bool] = field(default_factory=list)
    fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    link_pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), int))
    rate_pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), int))

    @property
    def n_values(self) -> int:
        return len(self.structure.values)

    def column_of(self, cell: int) -> str:
        return self.structure.values[cell % self.n_values]


def _rows_within(keys: pd.DataFrame, within: Selector | None) -> np.ndarray:
    ok = np.ones(len(keys), dtype=bool)
    for name, allowed in (within or {}).items():
        if name == COLUMN:
            continue
        if name not in keys:
            raise DisclosureError(f"structure: 'within' names unknown column {name}")
        ok &= keys[name].isin([str(a) for a in allowed]).to_numpy()
    return ok


def _columns_within(structure: Structure, within: Selector | None) -> list[int]:
    allowed = (within or {}).get(COLUMN)
    return [
        j
        for j, c in enumerate(structure.values)
        if allowed is None or c in set(allowed)
    ]


def _along(
    cells: _Cells, dimension: str | tuple[str, ...], within: Selector | None
) -> list[tuple[dict[Any, int], list[int]]]:
    """Groups of cells differing only along ``dimension``: (code -> row or column, columns).

    For :data:`COLUMN` every row is a group and codes map to columns; else each
    combination of the other keys is a group, codes map to rows, and the
    group's equations are repeated over the allowed columns.
    """
    dims = _dims(dimension)
    keys, structure = cells.keys, cells.structure
    rows = np.flatnonzero(_rows_within(keys, within))
    cols = _columns_within(structure, within)
    if dims == (COLUMN,):
        colpos = {structure.values[j]: j for j in cols}
        return [({"__row__": int(r), **colpos}, []) for r in rows]
    missing = [d for d in dims if d not in keys]
    if missing:
        raise DisclosureError(f"structure: dimension {missing[0]} is not a key column")
    others = [k for k in structure.keys if k not in dims]
    sub = keys.iloc[rows]
    code = (
        list(sub[dims[0]])
        if len(dims) == 1
        else list(sub[list(dims)].itertuples(index=False, name=None))
    )
    groups: dict[tuple, dict[Any, int]] = {}
    other_keys = (
        sub[others].itertuples(index=False, name=None) if others else [()] * len(sub)
    )
    for r, c, o in zip(rows, code, other_keys, strict=True):
        groups.setdefault(o, {})[c] = int(r)
    return [(g, cols) for g in groups.values()]


def _cell_lists(
    cells: _Cells, group: dict[Any, int], cols: list[int], codes: Sequence[Any]
) -> list[list[int | None]]:
    """Flat cells of ``codes`` in a group, one list per column (None if absent)."""
    m = cells.n_values
    if "__row__" in group:
        row = group["__row__"]
        return [[None if group.get(c) is None else row * m + group[c] for c in codes]]
    return [
        [None if group.get(c) is None else group[c] * m + j for c in codes]
        for j in cols
    ]


def _expand(
    frame: pd.DataFrame, structure: Structure, who: str, *, keep_unknown: bool = False
) -> _Cells:
    """The cells of ``frame`` and the equations, links and rates of ``structure``.

    A missing value publishes nothing: it is left out of the equations, unless
    ``keep_unknown`` (the checker, for which a missing value is a hidden one).
    """
    missing = [c for c in (*structure.keys, *structure.values) if c not in frame]
    if missing:
        raise DisclosureError(f"{who}: table lacks column(s) {', '.join(missing)}")
    keys = frame[list(structure.keys)].astype(str).reset_index(drop=True)
    if keys.duplicated().any():
        raise DisclosureError(f"{who}: ({', '.join(structure.keys)}) repeats")
    values = (
        frame[list(structure.values)]
        .apply(pd.to_numeric, errors="coerce")
        .to_numpy(dtype=float, na_value=np.nan)
        .ravel()
    )
    cells = _Cells(structure, keys, values)
    cells.fixed = (
        _selected(cells, structure.fixed)
        if structure.fixed is not None
        else np.zeros(len(values), dtype=bool)
    )
    known = np.ones(len(values), dtype=bool) if keep_unknown else ~np.isnan(values)
    for add in structure.additivity:
        totals = [
            (_norm(t), [_norm(p) for p in parts]) for t, parts in add.totals.items()
        ]
        for group, cols in _along(cells, add.dimension, add.within):
            for total, parts in totals:
                if total not in group:
                    continue
                for members in _cell_lists(cells, group, cols, [total, *parts]):
                    first, rest = members[0], members[1:]
                    # an unknown value publishes nothing: left out of the sum
                    rest = [p for p in rest if p is not None and known[p]]
                    if first is None or not known[first] or not rest:
                        continue
                    cells.relations.append(np.array([first, *rest], dtype=np.int64))
                    cells.exact.append(add.exact)
    pairs: list[tuple[int, int]] = []
    for link in structure.links:
        for group, cols in _along(cells, link.dimension, link.within):
            for target, sources in link.sources.items():
                codes = [_norm(target), *[_norm(s) for s in sources]]
                for members in _cell_lists(cells, group, cols, codes):
                    if members[0] is not None:
                        pairs += [(members[0], s) for s in members[1:] if s is not None]
    rate_pairs: list[tuple[int, int]] = []
    for rate in structure.rates:
        for group, cols in _along(cells, rate.dimension, rate.within):
            for code, (num, den) in rate.rates.items():
                codes = [_norm(code), None if num is None else _norm(num), _norm(den)]
                for r, n, d in _cell_lists(cells, group, cols, codes):
                    if r is None:
                        continue
                    pairs += [(r, s) for s in (n, d) if s is not None]
                    rate_pairs.append((r, -1 if d is None else d))
    cells.link_pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    cells.rate_pairs = np.array(rate_pairs, dtype=np.int64).reshape(-1, 2)
    return cells


def _selected(cells: _Cells, selector: Selector | None) -> np.ndarray:
    """Flat bool: the cells a selector (``Structure.counts``) names."""
    m = cells.n_values
    rows = _rows_within(cells.keys, selector)
    cols = np.zeros(m, dtype=bool)
    cols[_columns_within(cells.structure, selector)] = True
    return (rows[:, None] & cols[None, :]).ravel()


# ================================================================== engine
def _propagate(hidden: np.ndarray, pairs: np.ndarray) -> bool:
    """Hide every link target whose source is hidden; True if anything changed."""
    changed = False
    if not len(pairs):
        return changed
    while True:
        new = hidden[pairs[:, 1]] & ~hidden[pairs[:, 0]]
        if not new.any():
            return changed
        hidden[pairs[new, 0]] = True
        changed = True


def _suppress(cells: _Cells, primary: np.ndarray) -> np.ndarray:
    """Every hidden cell after secondary suppression (primary included)."""
    hidden = primary.copy()
    values = cells.values
    fixed = cells.fixed
    _propagate(hidden, cells.link_pairs)
    relations = cells.relations
    if relations:
        width = max(len(r) for r in relations)
        sentinel = len(values)  # an extra cell, never hidden
        padded = np.full((len(relations), width), sentinel, dtype=np.int64)
        for i, r in enumerate(relations):
            padded[i, : len(r)] = r
    rounds = 0
    while relations:
        rounds += 1
        ext = np.append(hidden, False)
        lone = np.flatnonzero(ext[padded].sum(axis=1) == 1)
        changed = False
        for i in lone:
            rel = relations[i]
            h = hidden[rel]
            if h.sum() != 1:  # an earlier pick of this round settled it
                continue
            shown = rel[~h & ~fixed[rel]]
            if not len(shown):
                logger.warning(
                    "disclosure %s: a masked cell equals a total published "
                    "elsewhere; protect it there",
                    cells.structure.name,
                )
                continue
            vals = values[shown]
            # smallest non-zero cell; a part rather than the total on a tie
            # (rel[0] is the total); a zero only when nothing else is left
            order = np.lexsort((shown == rel[0], vals, vals == 0))
            hidden[shown[order[0]]] = True
            changed = True
        changed |= _propagate(hidden, cells.link_pairs)
        if not changed:
            break
        if rounds > 10_000:  # pragma: no cover - each round hides a new cell
            raise DisclosureError("protect: secondary suppression does not settle")
    return hidden


# ============================================================== protected table
@dataclass(frozen=True)
class ProtectedTable:
    """A table with its disclosure decisions.

    Attributes
    ----------
    values : pd.DataFrame
        The table as given (exact figures: never publish it as is).
    reasons : pd.DataFrame
        Same index, one column per protected column (``Structure.values``):
        ``""`` when the cell can be shown, else ``primaire``, ``secondaire``
        or ``denominateur``.
    threshold, min_denominator : int
        The rules applied.
    structure : Structure, optional
        The declaration the table was protected under.
    counts : pd.DataFrame, optional
        True where a cell is a count under primary suppression.
    """

    values: pd.DataFrame
    reasons: pd.DataFrame
    threshold: int
    min_denominator: int
    structure: Structure | None = None
    counts: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def mask(self) -> pd.DataFrame:
        """True where a cell must not be shown (bool, columns of ``reasons``)."""
        return self.reasons != ""

    @property
    def n_masked(self) -> int:
        """Number of masked count cells (rates, amounts... not included)."""
        if self.counts is not None:
            return int((self.mask & self.counts).to_numpy().sum())
        counts = [c for c in self.reasons.columns if c in COUNT_COLUMNS]
        return int(self.mask[counts].to_numpy().sum())

    def masked_values(self) -> pd.DataFrame:
        """``values`` with every masked cell set to missing, marked (:func:`mark`).

        Counts of the contract become Int64, other figures Float64; rate bounds
        are hidden with their rate.
        """
        out = self.values.copy()
        for col in self.reasons.columns:
            hide = self.mask[col].to_numpy()
            for target in _cells_of(col, out.columns):
                if target in COUNT_COLUMNS:
                    out[target] = out[target].astype("Int64")
                else:
                    out[target] = pd.to_numeric(out[target]).astype("Float64")
                out.loc[hide, target] = pd.NA
        return mark(out, self)

    def for_csv(self) -> pd.DataFrame:
        """Masked cells empty, plus :data:`FLAG_COLUMN` naming them per row."""
        out = self.masked_values()
        names = np.array(list(self.reasons.columns), dtype=object)
        mask = self.mask.to_numpy()
        out[FLAG_COLUMN] = pd.array(
            [" ".join(names[row]) for row in mask], dtype="string"
        )
        return mark(out, self)


def _cells_of(column: str, columns: pd.Index) -> list[str]:
    """A column and, for a rate, its Wilson bounds (those present)."""
    if column in RATES:
        return [
            c for c in (column, f"{column}_ic_bas", f"{column}_ic_haut") if c in columns
        ]
    return [column]


def mark(
    frame: Any,
    protected: ProtectedTable | None = None,
    *,
    structure: Structure | None = None,
    threshold: int | None = None,
    min_denominator: int | None = None,
) -> Any:
    """Record on a table that it went through this module; return it.

    ``frame.attrs[MARKER]`` receives the structure, the rules and the number of
    masked cells. Use it on a display table built from a
    :class:`ProtectedTable` (French strings in place of the figures), so that
    the report builder and the tests can check every table a report shows.

    Parameters
    ----------
    frame : pd.DataFrame or pandas Styler
        Marked in place (a Styler through its ``data``).
    protected : ProtectedTable, optional
        Where the decisions come from.
    structure, threshold, min_denominator : optional
        Without ``protected``: what was applied.
    """
    data = getattr(frame, "data", frame)
    if protected is not None:
        structure = protected.structure
        threshold, min_denominator = protected.threshold, protected.min_denominator
        masked = int(protected.mask.to_numpy().sum())
    else:
        masked = None
    data.attrs[MARKER] = {
        "structure": structure,
        "name": structure.name if structure is not None else "",
        "threshold": threshold,
        "min_denominator": min_denominator,
        "masked": masked,
    }
    return frame


def is_protected(frame: Any) -> bool:
    """Whether a table (DataFrame or Styler) carries :data:`MARKER`."""
    data = getattr(frame, "data", frame)
    return isinstance(getattr(data, "attrs", None), dict) and MARKER in data.attrs


def protect_table(
    table: pd.DataFrame,
    structure: Structure,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    *,
    verify: bool = True,
    hide: pd.DataFrame | None = None,
) -> ProtectedTable:
    """Primary and secondary suppression of a table under its declared structure.

    Parameters
    ----------
    table : pd.DataFrame
        The whole table (every part of every declared total), exact figures.
        Missing values publish nothing and are left out of the equations.
    structure : Structure
        Its cells, counts, equations, links and rates.
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are masked.
    min_denominator : int, default 20
        Rates whose denominator is below this are hidden.
    verify : bool, default True
        After the equation-by-equation suppression, compute the feasible
        interval of every hidden cell (:func:`recoverable_cells`,
        ``method="intervalle"``) and, while one has width 0 (several
        equations together pin it, or the ``< 5`` bounds do: 8 = a + b with a
        and b both below 5), hide the smallest shown cell of an equation it
        belongs to and suppress again. Hiding more never narrows an interval,
        so this ends. False: the heuristic alone (faster on large tables).
    hide : pd.DataFrame, optional
        True where a cell must be hidden from the start (reason
        ``secondaire``) because another published table hides the same
        figure; same index as ``table``, columns among ``structure.values``.

    Returns
    -------
    ProtectedTable
        ``reasons`` has one column per ``structure.values``.

    Raises
    ------
    DisclosureError
        The threshold is below 2, a declared column is missing, or the keys
        repeat.

    Examples
    --------
    A 2 x 2 table with margins: B/x (3) is masked; « Total » minus A would
    give it back in column x, and « total » minus y in row B, so one cell of
    each goes too (the smallest of each equation), and then the cell that
    closes the rectangle.

    >>> t = pd.DataFrame({"ligne": ["A", "B", "Total"], "x": [10, 3, 13],
    ...                   "y": [20, 30, 50], "total": [30, 33, 63]})
    >>> s = Structure(("ligne",), ("x", "y", "total"), additivity=(
    ...     Additivity("ligne", {"Total": ["A", "B"]}),
    ...     Additivity(COLUMN, {"total": ["x", "y"]})))
    >>> p = protect_table(t, s)
    >>> p.reasons.to_numpy().tolist()
    [['secondaire', 'secondaire', ''], ['primaire', 'secondaire', ''], ['', '', '']]
    >>> recoverable_cells(p, method="intervalle").empty
    True
    """
    if threshold < 2:
        raise DisclosureError(f"protect: threshold {threshold} is below 2")
    who = structure.name or "protect_table"
    cells = _expand(table, structure, who)
    values = cells.values
    counts = _selected(cells, structure.counts) & ~np.isnan(values) & ~cells.fixed
    with np.errstate(invalid="ignore"):
        primary = counts & (values >= 1) & (values < threshold)
    start = primary.copy()
    if hide is not None:
        extra = hide.reindex(columns=list(structure.values), fill_value=False)
        start |= extra.fillna(False).to_numpy(dtype=bool).ravel()
    hidden = _suppress(cells, start)
    unlabelled = np.zeros_like(hidden)
    if verify:
        hidden, unlabelled = _repair(cells, hidden, primary, threshold)
    small = np.zeros_like(hidden)
    if len(cells.rate_pairs):
        rate, den = cells.rate_pairs[:, 0], cells.rate_pairs[:, 1]
        den_value = np.where(den >= 0, values[np.maximum(den, 0)], 0.0)
        with np.errstate(invalid="ignore"):
            too_small = (den < 0) | ~(np.nan_to_num(den_value) >= min_denominator)
        small[rate[too_small]] = True
    hidden |= small
    _propagate(hidden, cells.link_pairs)
    reason = np.where(
        primary & ~unlabelled,
        "primaire",
        np.where(small, "denominateur", np.where(hidden, "secondaire", "")),
    ).astype(object)
    shape = (len(table), len(structure.values))
    reasons = pd.DataFrame(
        reason.reshape(shape), index=table.index, columns=list(structure.values)
    )
    count_frame = pd.DataFrame(
        counts.reshape(shape), index=table.index, columns=list(structure.values)
    )
    logger.info(
        "disclosure %s: %d cells hidden (%d primary, %d small denominators)",
        who,
        int(hidden.sum()),
        int(primary.sum()),
        int(small.sum()),
    )
    return ProtectedTable(
        table.copy(),
        reasons,
        int(threshold),
        int(min_denominator),
        structure,
        count_frame,
    )


def _repair(
    cells: _Cells, hidden: np.ndarray, primary: np.ndarray, threshold: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hide more until no hidden cell has a feasible interval of width 0.

    Returns the hidden cells and the primary cells that must not say ``< 5``:
    when every cell around a pinned one is hidden already, the bounds the
    ``< threshold`` labels publish are what pins it (four months each ``< 5``
    adding up to a year ``< 5``: one person each month), so those cells are
    shown as ``s`` instead, which bounds nothing.
    """
    unlabelled = np.zeros_like(primary)
    member: dict[int, list[int]] = {}
    for i, rel in enumerate(cells.relations):
        for c in rel:
            member.setdefault(int(c), []).append(i)
    values = cells.values
    cache: dict = {}
    # hidden cells only grow and bounds only loosen from one round to the next:
    # a cell once seen movable stays so (see _intervals)
    movable = np.zeros(len(values), dtype=bool)
    for _ in range(1_000):
        labelled = primary & ~unlabelled
        low = np.where(labelled, 1.0, 0.0)
        high = np.where(labelled, float(threshold - 1), np.inf)
        pinned = list(_intervals(cells, hidden, low, high, cache, values, movable))
        if not pinned:
            return hidden, unlabelled
        component = {}
        for members, equations in _components(cells, hidden):
            shown = sorted({int(o) for rel, _ in equations for o in rel[~hidden[rel]]})
            for c in members:
                component[c] = (members, shown)
        for c in pinned:
            around = {int(o) for i in member.get(c, []) for o in cells.relations[i]}
            # a shown cell of an equation of c, else of its component
            options = [
                o for o in sorted(around) if not hidden[o] and not cells.fixed[o]
            ] or [o for o in component[c][1] if not cells.fixed[o]]
            if not options:  # only the labels' bounds pin it
                unlabelled[[o for o in component[c][0] if primary[o]]] = True
                continue
            vals = values[options]
            order = np.lexsort((vals, vals == 0))
            hidden[options[order[0]]] = True
        hidden = _suppress(cells, hidden)
    raise DisclosureError("protect: interval check does not settle")  # pragma: no cover


def protect_parts(
    parts: Sequence[float],
    total: float | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    name: str = "ventilation",
) -> ProtectedTable:
    """A breakdown whose parts add up to a total published elsewhere.

    The parts of a cohort (types of path, say) add up to its size, which the
    report prints: masking one small part alone would let the reader subtract
    it back. :func:`protect_table` with the total as a fixed cell.

    Parameters
    ----------
    parts : sequence of numbers
        The counts of the breakdown, in display order.
    total : number, optional
        The published total (default the sum of the parts).
    threshold : int, default 5
    name : str
        For the marker.

    Returns
    -------
    ProtectedTable
        ``reasons["n"]`` has one row per part (in order).

    Examples
    --------
    >>> protect_parts([20, 19, 5, 3], 47).reasons["n"].tolist()
    ['', '', 'secondaire', 'primaire']
    """
    values = np.asarray(parts, dtype=float)
    total = float(values.sum()) if total is None else float(total)
    rows = [f"p{i}" for i in range(len(values))]
    table = pd.DataFrame({"ligne": [*rows, "total"], "n": [*values, total]})
    structure = Structure(
        keys=("ligne",),
        values=("n",),
        additivity=(Additivity("ligne", {"total": rows}),),
        fixed={"ligne": ["total"]},
        name=name,
    )
    protected = protect_table(table, structure, threshold)
    n = len(values)
    return ProtectedTable(
        protected.values.iloc[:n],
        protected.reasons.iloc[:n],
        protected.threshold,
        protected.min_denominator,
        structure,
        protected.counts.iloc[:n],
    )


# ================================================================ the checker
def recoverable_cells(
    table: ProtectedTable | pd.DataFrame,
    structure: Structure | None = None,
    *,
    primary: pd.DataFrame | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    method: str = "equations",
) -> pd.DataFrame:
    """Masked cells of a published table that can be worked back.

    An attacker's view: the shown figures, the declared relations, and what
    the labels say (a cell shown ``< 5`` is from 1 to ``threshold - 1``, every
    count is at least 0). Independent of how the cells were chosen.

    Parameters
    ----------
    table : ProtectedTable or pd.DataFrame
        A protected table, or a published one (the ``structure.values``
        columns, missing where hidden).
    structure : Structure, optional
        Required for a published DataFrame; default the ProtectedTable's.
    primary : pd.DataFrame, optional
        For a published DataFrame: True where a cell is shown ``< threshold``.
    threshold : int
        For a published DataFrame.
    method : {"equations", "intervalle"}
        ``equations``: an exact equation with exactly one unknown cell (a part,
        or the total with all its parts shown) gives it; so does a shown link
        target or rate whose source is hidden. ``intervalle``: also, by linear
        programming (scipy's HiGHS), the smallest and largest value each masked
        cell can take given every equation at once (inequalities for the
        relations that are not exact); a cell whose interval has width 0 is
        recovered even when no single equation shows it.

    Returns
    -------
    pd.DataFrame
        One row per recovered cell: the key columns, :data:`COLUMN`,
        ``methode`` (``equation``, ``lien``, ``intervalle``), ``borne_min``
        and ``borne_max`` (NaN for a link). Empty when the table is safe.

    Raises
    ------
    DisclosureError
        Bad arguments, or published figures that contradict the equations.
    """
    if method not in ("equations", "intervalle"):
        raise DisclosureError(f"recoverable_cells: unknown method {method!r}")
    if isinstance(table, ProtectedTable):
        structure = structure or table.structure
        if structure is None:
            raise DisclosureError("recoverable_cells: table has no declared structure")
        published = table.values.copy()
        cols = list(structure.values)
        shown = published[cols].apply(pd.to_numeric, errors="coerce").astype(float)
        published[cols] = shown.mask(table.mask[cols].to_numpy())
        primary = table.reasons[cols] == "primaire"
        threshold = table.threshold
    else:
        if structure is None:
            raise DisclosureError("recoverable_cells: a structure is required")
        published = table
    # every unknown cell takes part in the equations
    cells = _expand(published, structure, "recoverable_cells", keep_unknown=True)
    values = cells.values
    unknown = np.isnan(values)
    m = cells.n_values
    low = np.zeros(len(values))
    high = np.full(len(values), np.inf)
    if primary is not None:
        flags = primary[list(structure.values)].to_numpy(dtype=bool).ravel()
        low[flags], high[flags] = 1.0, float(threshold - 1)
    found: dict[int, tuple[str, float, float]] = {}
    for rel, exact in zip(cells.relations, cells.exact, strict=True):
        if not exact:
            continue
        hid = rel[unknown[rel]]
        if len(hid) == 1:
            known = rel[~unknown[rel]]
            v = values[known]
            total = rel[0]
            value = (
                v.sum()
                if hid[0] == total
                else values[total] - (v.sum() - values[total])
            )
            found.setdefault(int(hid[0]), ("equation", value, value))
    for target, source in cells.link_pairs:
        if not unknown[target] and unknown[source]:
            found.setdefault(int(source), ("lien", np.nan, np.nan))
    if method == "intervalle":
        for cell, (lo, hi) in _intervals(cells, unknown, low, high).items():
            found.setdefault(cell, ("intervalle", lo, hi))
    rows = sorted(found)
    keys = cells.keys.iloc[[r // m for r in rows]].reset_index(drop=True)
    return keys.assign(
        **{
            COLUMN: [cells.column_of(r) for r in rows],
            "methode": [found[r][0] for r in rows],
            "borne_min": [found[r][1] for r in rows],
            "borne_max": [found[r][2] for r in rows],
        }
    )


def _components(
    cells: _Cells, unknown: np.ndarray
) -> list[tuple[list[int], list[tuple[np.ndarray, bool]]]]:
    """Unknown cells linked by equations: (cells, their equations), per component."""
    parent: dict[int, int] = {}

    def find(a: int) -> int:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    involved = []
    for rel, exact in zip(cells.relations, cells.exact, strict=True):
        hid = [int(c) for c in rel[unknown[rel]]]
        if not hid:
            continue
        involved.append((rel, exact, hid[0]))
        for c in hid[1:]:
            parent[find(c)] = find(hid[0])
        find(hid[0])
    members: dict[int, list[int]] = {}
    for c in list(parent):
        members.setdefault(find(c), []).append(c)
    equations: dict[int, list[tuple[np.ndarray, bool]]] = {}
    for rel, exact, first in involved:
        equations.setdefault(find(first), []).append((rel, exact))
    return [(sorted(members[root]), equations[root]) for root in members]


def _system(
    cells: _Cells,
    unknown: np.ndarray,
    index: dict[int, int],
    equations: list[tuple[np.ndarray, bool]],
) -> tuple[list, list, list, list]:
    """Linear system of one component: exact equations, and inequalities.

    An exact equation is ``total - sum(parts) = 0``; one that is not exact
    (distinct people) ``total <= sum(parts)`` and ``total >= each part``.
    """
    values = cells.values
    a_eq, b_eq, a_ub, b_ub = [], [], [], []

    def term(row: np.ndarray, c: int, sign: float) -> float:
        if unknown[c]:
            row[index[int(c)]] += sign
            return 0.0
        return sign * values[c]

    for rel, exact in equations:
        row = np.zeros(len(index))
        const = term(row, rel[0], 1.0) + sum(term(row, c, -1.0) for c in rel[1:])
        if exact:
            a_eq.append(row)
            b_eq.append(-const)
            continue
        a_ub.append(row)
        b_ub.append(-const)
        for c in rel[1:]:
            part = np.zeros(len(index))
            const = term(part, c, 1.0) + term(part, rel[0], -1.0)
            a_ub.append(part)
            b_ub.append(-const)
    return a_eq, b_eq, a_ub, b_ub


#: stands for "no upper bound" while sampling feasible points
_CAP = 1e12


def _intervals(
    cells: _Cells,
    unknown: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    cache: dict | None = None,
    truth: np.ndarray | None = None,
    movable: np.ndarray | None = None,
) -> dict[int, tuple[float, float]]:
    """Unknown cells whose feasible interval has width 0: cell -> (low, high).

    Per component of unknown cells: a few feasible points (random objectives)
    show most cells can move; each remaining cell is minimised and maximised
    (scipy's HiGHS). Cells pinned at 0 are left out: a 0 discloses nobody.
    ``cache`` keeps the answer of components that did not change (repair);
    ``truth``, the exact values when the caller knows them (the protector):
    a cell that is truly 0 can only be pinned at 0 and is not looked at.
    ``movable`` (one flag per cell, updated here): cells already seen taking two
    values under fewer unknowns or tighter bounds; the repair only ever hides
    more cells and loosens bounds, and every feasible point then stays feasible
    (a newly hidden cell taking its true value), so such a cell is not solved
    again: one more hidden cell in a component of 350 costs a few programmes,
    not seventy.
    """
    out: dict[int, tuple[float, float]] = {}
    for members, equations in _components(cells, unknown):
        if cache is not None:
            around = np.unique(np.concatenate([rel for rel, _ in equations]))
            key = (
                tuple(members),
                unknown[around].tobytes(),
                low[members].tobytes(),
                high[members].tobytes(),
            )
            if key in cache:
                out.update(cache[key])
                continue
        found = _component_intervals(
            cells, unknown, low, high, members, equations, truth, movable
        )
        if cache is not None:
            cache[key] = found
        out.update(found)
    return out


def _component_intervals(
    cells: _Cells,
    unknown: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    members: list[int],
    equations: list[tuple[np.ndarray, bool]],
    truth: np.ndarray | None = None,
    movable: np.ndarray | None = None,
) -> dict[int, tuple[float, float]]:
    """:func:`_intervals` for one component."""
    # lazy: scipy.optimize (linear programming) only when masked cells need bounds
    from scipy.optimize import linprog

    rng = np.random.default_rng(len(members))
    out: dict[int, tuple[float, float]] = {}
    member_ids = np.asarray(members)
    known = (
        np.zeros(len(members), dtype=bool)
        if movable is None
        else movable[member_ids].copy()
    )
    # a truly 0 cell can only be pinned at 0, which discloses nobody: not looked at
    wanted = ~known if truth is None else ~known & (truth[members] != 0)
    if not wanted.any():
        return out
    index = {c: i for i, c in enumerate(members)}
    a_eq, b_eq, a_ub, b_ub = _system(cells, unknown, index, equations)
    system = {
        "A_eq": np.array(a_eq) if a_eq else None,
        "b_eq": np.array(b_eq) if b_eq else None,
        "A_ub": np.array(a_ub) if a_ub else None,
        "b_ub": np.array(b_ub) if b_ub else None,
        "method": "highs",
    }
    lows = np.array([low[c] for c in members])
    highs = np.array([high[c] for c in members])
    capped = list(zip(lows, np.minimum(highs, _CAP), strict=True))

    def solve(objective: np.ndarray, bounds: list, system: dict = system) -> Any:
        res = linprog(objective, bounds=bounds, **system)
        if res.status == 2:
            raise DisclosureError(
                "recoverable_cells: published figures contradict the declared equations"
            )
        return res

    # every feasible point met (the true values, each programme's solution) is
    # remembered: a cell seen taking two values is not pinned and needs no
    # programme of its own, so most cells cost none
    seen_lo = np.full(len(members), np.inf)
    seen_hi = np.full(len(members), -np.inf)

    def seen(x: np.ndarray) -> None:
        np.minimum(seen_lo, x, out=seen_lo)
        np.maximum(seen_hi, x, out=seen_hi)

    def moved() -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return seen_hi - seen_lo > 1e-6 * np.maximum(1.0, np.abs(seen_hi))

    if truth is not None:
        point = truth[members].astype(float)
        if _feasible(system, lows, highs, point):
            seen(point)
    if wanted.sum() > 6:
        # a few feasible points settle most cells at once; not worth it when
        # only a handful is left to look at
        for _ in range(6):
            direction = rng.standard_normal(len(members))
            for sign in (1.0, -1.0):
                res = solve(sign * direction, capped)
                if res.status == 0:
                    seen(res.x)
        known |= moved()
    bounds = [
        (lo, None if np.isinf(hi) else hi) for lo, hi in zip(lows, highs, strict=True)
    ]
    for i in np.flatnonzero(wanted & ~known):
        if known[i] or moved()[i]:
            known[i] = True
            continue
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(members))
            objective[i] = sign
            res = solve(objective, bounds)
            ends.append(np.inf if res.status == 3 else sign * res.fun)
            if res.status == 0:
                seen(res.x)
            if sign == 1.0 and moved()[i]:
                break  # its maximum is not needed to know it is not pinned
        else:
            lo, hi = ends[0], ends[1]
            if np.isfinite(hi) and hi - lo <= 1e-6 * max(1.0, hi):
                if hi > 1e-9:
                    out[members[i]] = (lo, hi)
                continue
        known[i] = True
    if movable is not None:
        known |= moved()
        movable[member_ids[known]] = True
    return out


def _feasible(
    system: dict, lows: np.ndarray, highs: np.ndarray, point: np.ndarray
) -> bool:
    """Whether ``point`` satisfies the bounds and equations of a component."""
    tol = 1e-6
    if np.any(point < lows - tol) or np.any(point > highs + tol):
        return False
    if system["A_eq"] is not None and not np.allclose(
        system["A_eq"] @ point, system["b_eq"], rtol=0, atol=tol
    ):
        return False
    return system["A_ub"] is None or bool(
        np.all(system["A_ub"] @ point <= system["b_ub"] + tol)
    )


# ============================================================ indicator tables
def _parents(table: pd.DataFrame, hierarchy: pd.DataFrame | None) -> dict:
    """(niveau, code) -> (niveau, code) of its parent, for the rows of ``table``."""
    if hierarchy is None:
        departements = table.attrs.get("departements")
        if departements is None:
            if (table["niveau"] == "ml").any() and (
                table["niveau"] == "departement"
            ).any():
                raise DisclosureError(
                    "protect: table has ML and department rows but no hierarchy; "
                    "pass hierarchy=indicators.hierarchy(warehouse)"
                )
            departements = {}
        parents = {("ml", ml): ("departement", d) for ml, d in departements.items()}
    else:
        parents = {
            (str(r.niveau), str(r.code)): (str(r.niveau_parent), str(r.code_parent))
            for r in hierarchy.itertuples(index=False)
        }
    for code in table.loc[table["niveau"] == "departement", "code"].unique():
        parents.setdefault(("departement", str(code)), ("region", REGION_CODE))
    return parents


def _unit_totals(parents: dict) -> dict:
    """Territorial totals: parent unit -> its units, sorted."""
    totals: dict[tuple, list[tuple]] = {}
    for child, parent in parents.items():
        totals.setdefault(_norm(parent), []).append(_norm(child))
    return {parent: tuple(sorted(kids)) for parent, kids in totals.items()}


def _time_totals(table: pd.DataFrame) -> tuple[dict, dict]:
    """Year-to-date equations of a monthly table, on (periode, portee).

    January's year to date is its month (every count); a later month's year
    to date is the previous one plus the month (additive counts only).
    """
    present = set(
        table[["periode", "portee"]].astype(str).itertuples(index=False, name=None)
    )
    january: dict = {}
    chain: dict = {}
    for periode, portee in sorted(present):
        if portee != "cumul" or len(periode) != 7 or (periode, "mois") not in present:
            continue
        year, month = int(periode[:4]), int(periode[5:])
        if month == 1:
            january[(periode, "cumul")] = ((periode, "mois"),)
            continue
        before = (f"{year}-{month - 1:02d}", "cumul")
        if before in present:
            chain[(periode, "cumul")] = (before, (periode, "mois"))
    return january, chain


def _territory_and_time(
    table: pd.DataFrame,
    parents: dict,
    exact: list[str],
    near: list[str],
    every: list[str],
    where: str = COLUMN,
    extra: Selector | None = None,
) -> tuple[Additivity, ...]:
    """Equations over units (ML, department, region) and months.

    ``exact``: sums over units and months; ``near``: counts of distinct people
    (over units only, not exact); ``every``: all counts (January's year to date
    is its month). ``where`` says what names them (:data:`COLUMN` for a wide
    table, ``indicateur`` for a tidy one); ``extra`` restricts further.
    """
    totals = _unit_totals(parents)
    january, chain = _time_totals(table)
    extra = dict(extra or {})
    out = [
        Additivity(
            ("niveau", "code"), totals, {where: exact, **extra}, True, "territoires"
        ),
        Additivity(
            ("niveau", "code"), totals, {where: near, **extra}, False, "territoires"
        ),
        Additivity(
            ("periode", "portee"), january, {where: every, **extra}, True, "mois"
        ),
        Additivity(
            ("periode", "portee"), chain, {where: exact, **extra}, True, "cumul"
        ),
    ]
    return tuple(a for a in out if a.totals and a.within[where])


def indicator_structure(
    table: pd.DataFrame,
    hierarchy: pd.DataFrame | None = None,
    *,
    distinct_as_additive: bool = True,
) -> Structure:
    """The structure of a table of ``indicators.compute``.

    Counts (``COUNT_COLUMNS``) add up over units (a department is the sum of
    its MLs, the region of its departments: exactly for ``entretiens`` and
    ``premiers_accueils``, up to the people seen by two MLs for the counts of
    distinct people) and, for the events, over months (``cumul`` of a month =
    the previous ``cumul`` + the month; January's ``cumul`` is its ``mois``
    for every count). Rates (``RATES``) hang on their counts.

    Parameters
    ----------
    table : pd.DataFrame
    hierarchy : pd.DataFrame, optional
        ``indicators.hierarchy(warehouse)``; default the table's ``attrs``.
    distinct_as_additive : bool, default True
        Protect distinct-people counts against subtraction from department and
        region totals too. False protects only the exact sums that way.
    """
    counts = [c for c in COUNT_COLUMNS if c in table.columns]
    rates = {
        r: nd
        for r, nd in RATES.items()
        if r in table.columns and nd[0] in table.columns and nd[1] in table.columns
    }
    exact = [c for c in TIME_ADDITIVE if c in counts]
    near = [c for c in counts if c not in exact] if distinct_as_additive else []
    return Structure(
        keys=("niveau", "code", "periode", "portee"),
        values=(*counts, *rates),
        counts={COLUMN: counts},
        additivity=_territory_and_time(
            table, _parents(table, hierarchy), exact, near, counts
        ),
        rates=(Rate(COLUMN, rates),) if rates else (),
        name="protect",
    )


def protect(
    table: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    *,
    hierarchy: pd.DataFrame | None = None,
    distinct_as_additive: bool = True,
    verify: bool = False,
) -> ProtectedTable:
    """Apply primary and secondary suppression and the rate rule to a table.

    :func:`protect_table` under :func:`indicator_structure`.

    Parameters
    ----------
    table : pd.DataFrame
        A table of :func:`observatoire.indicators.compute` (key columns, counts,
        rates with their bounds), whole: every unit of each period.
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are masked.
    min_denominator : int, default 20
        Rates whose denominator (``jeunes_accompagnes``) is below this are hidden.
    hierarchy : pd.DataFrame, optional
        :func:`observatoire.indicators.hierarchy` of the warehouse. By default
        the one ``compute`` attached to the table (``table.attrs``).
    distinct_as_additive : bool, default True
        Protect distinct-people counts against subtraction from the department
        and region totals as if they added up (they do up to the few people seen
        by two MLs). False protects only ``entretiens`` and ``premiers_accueils``
        that way.
    verify : bool, default False
        Also the interval check of :func:`protect_table`. Off by default here:
        a year of monthly rows for 56 units is thousands of linear programs
        per round (about 30 s on the hand-made fixture, where nearly every
        cell is small); the equation-by-equation rule always applies.

    Returns
    -------
    ProtectedTable
        ``reasons`` has the count and rate columns (a rate's bounds follow it).

    Raises
    ------
    DisclosureError
        When the threshold is below 2, the table has no count column, repeats a
        row, or has ML and department rows without a known hierarchy.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"niveau": ["ml", "ml", "departement"],
    ...     "code": ["M1", "M2", "33"], "libelle": ["A", "B", "Gironde"],
    ...     "periode": ["2023"] * 3, "portee": ["annee"] * 3,
    ...     "entretiens": [3, 40, 43]})
    >>> h = pd.DataFrame({"niveau": ["ml", "ml"], "code": ["M1", "M2"],
    ...     "niveau_parent": ["departement"] * 2, "code_parent": ["33"] * 2})
    >>> p = protect(t, hierarchy=h)
    >>> p.reasons["entretiens"].tolist()
    ['primaire', 'secondaire', '']
    >>> render(p)["entretiens"].tolist()
    ['< 5', 's', '43']
    """
    if threshold < 2:
        raise DisclosureError(f"protect: threshold {threshold} is below 2")
    missing = [c for c in ("niveau", "code", "periode", "portee") if c not in table]
    if missing:
        raise DisclosureError(f"protect: table lacks column(s) {', '.join(missing)}")
    if not any(c in table.columns for c in COUNT_COLUMNS):
        raise DisclosureError("protect: table has no count column of the contract")
    structure = indicator_structure(
        table, hierarchy, distinct_as_additive=distinct_as_additive
    )
    return protect_table(table, structure, threshold, min_denominator, verify=verify)


def render(protected: ProtectedTable, *, formatted: bool = True) -> pd.DataFrame:
    """The table for display, masked cells labelled.

    A primary-suppressed count shows ``< 5`` (the threshold), any other hidden
    cell (secondary suppression, a rate on a small denominator, and a hidden
    rate's bounds) :data:`SECONDARY_LABEL`. Key columns are kept as they are.

    Parameters
    ----------
    protected : ProtectedTable
    formatted : bool, default True
        True: every figure as a French string (counts with
        :func:`~observatoire.formatting.fr_int`, rates and bounds with
        :func:`~observatoire.formatting.fr_pct`, other figures with
        :func:`~observatoire.formatting.fr_num`), for reports. False: figures
        stay numbers (object columns mixing numbers and labels), for
        spreadsheets that format them.
    """
    values = protected.values
    keys = set(KEY_COLUMNS)
    if protected.structure is not None:
        keys |= set(protected.structure.keys)
    out = values[[c for c in values.columns if c in keys]].copy()
    rates = {r for r in RATES}
    if protected.structure is not None:
        for rate in protected.structure.rates:
            if _dims(rate.dimension) == (COLUMN,):
                rates |= {str(r) for r in rate.rates}
    below = f"< {protected.threshold}"
    for col in values.columns:
        if col in out.columns:
            continue
        reason_col = col
        for rate in rates:
            if col in (f"{rate}_ic_bas", f"{rate}_ic_haut"):
                reason_col = rate
        cells = values[col].astype(object)
        if formatted:
            if reason_col in rates:
                cells = cells.map(fr_pct)
            elif col in COUNT_COLUMNS or (
                protected.counts is not None
                and col in protected.counts
                and protected.counts[col].all()
            ):
                cells = cells.map(fr_int)
            else:
                cells = cells.map(fr_num)
        if reason_col in protected.reasons:
            reason = protected.reasons[reason_col]
            cells = cells.where(reason == "", SECONDARY_LABEL)
            cells = cells.where(reason != "primaire", below)
        out[col] = cells.astype(object)
    return mark(out, protected)


# ------------------------------------------------------------ tidy tables
#: a ratio of two counts, hidden when either is
_RATIOS: dict[str, tuple[str, str]] = {
    "entretiens_par_jeune_accompagne": ("entretiens", "jeunes_accompagnes"),
}
#: counts of distinct people that add up exactly over units: support schemes
#: and aids belong to the one ML holding the young person's file
_HELD = ("entrees_pacea", "entrees_cej", "beneficiaires_permis_b")
_YEARS = ("valeur", "valeur_n_1")


def figures_structure(
    table: pd.DataFrame,
    hierarchy: pd.DataFrame | None = None,
    *,
    distinct_as_additive: bool = True,
) -> Structure:
    """The structure of a tidy table of ``key_figures`` or ``monthly_followup``.

    Cells are ``valeur`` and ``valeur_n_1`` (each year is protected as a
    table of its own, so a year is masked alike as N and as N-1), the
    ``evolution`` columns and the Wilson bounds (hidden with what they derive
    from). Equations:

    - over units (ML, department, region) and months, as in
      :func:`indicator_structure`; exact for interviews, first receptions,
      support-scheme entries, aids and their amounts (attributed to the ML
      holding the file), not exact for other counts of distinct people;
    - aids: ``aides_total_nombre`` is the sum of the ``aides_<type>_nombre``
      and ``aides_total_montant_eur`` of the amounts;
    - an amount hangs on its count (an amount paid to fewer than five people
      is theirs), a ratio on its counts, a share on its numerator and on
      ``jeunes_accompagnes`` (a profile share without numerator in the table
      on the count it implies, ``__<share>``: see :func:`protect_figures`).
    """
    names = table["indicateur"].astype(str)
    unit = (
        dict(zip(names, table["unite"].astype(str), strict=True))
        if "unite" in table
        else {}
    )

    def kind(name: str) -> str:
        if name.startswith("__"):
            return "nombre"
        if name in unit:
            return unit[name]
        if name in RATES:
            return "part"
        return "nombre" if name in COUNT_COLUMNS else "autre"

    present = list(dict.fromkeys(names))
    counts = [n for n in present if kind(n) == "nombre"]
    shares = [n for n in present if kind(n) == "part"]
    aid_counts = [
        n for n in present if n.startswith("aides_") and n.endswith("_nombre")
    ]
    amounts = [n.replace("_nombre", "_montant_eur") for n in aid_counts]
    amounts = [n for n in amounts if n in present]
    exact = [n for n in counts if n in TIME_ADDITIVE or n in _HELD]
    exact += aid_counts + amounts
    near = [n for n in counts if n not in exact] if distinct_as_additive else []
    years = [c for c in _YEARS if c in table]
    additivity = list(
        _territory_and_time(
            table,
            _parents(table, hierarchy),
            exact,
            near,
            counts,
            where="indicateur",
            extra={COLUMN: years},
        )
    )
    kinds_total = {}
    for suffix in ("_nombre", "_montant_eur"):
        total = f"aides_total{suffix}"
        parts = [n for n in present if n.startswith("aides_") and n.endswith(suffix)]
        parts = [n for n in parts if n != total]
        if total in present and parts:
            kinds_total[total] = tuple(parts)
    if kinds_total:
        additivity.append(
            Additivity("indicateur", kinds_total, {COLUMN: years}, True, "types d'aide")
        )
    links = {a: (a.replace("_montant_eur", "_nombre"),) for a in amounts}
    links.update({r: nd for r, nd in _RATIOS.items() if r in present})
    rates = {}
    for share in shares:
        numerator = RATES[share][0] if share in RATES else None
        if numerator is None or numerator not in present:
            numerator = f"__{share}"
        rates[share] = (numerator, "jeunes_accompagnes")
    derived = {c: years for c in ("evolution", "evolution_relative") if c in table}
    derived.update({c: ("valeur",) for c in ("ic_bas", "ic_haut") if c in table})
    keys = ("niveau", "code", "periode", "portee", "indicateur")
    return Structure(
        keys=keys,
        values=(*years, *derived),
        counts={"indicateur": counts, COLUMN: years},
        additivity=tuple(additivity),
        links=(
            Link("indicateur", links, {COLUMN: years}),
            Link(COLUMN, derived),
        ),
        rates=(Rate("indicateur", rates, {COLUMN: years}),) if rates else (),
        name="protect_figures",
    )


def _with_implied_counts(work: pd.DataFrame) -> pd.DataFrame:
    """Rows ``__<share>`` = share x ``jeunes_accompagnes`` for shares without numerator.

    A profile share times the published number of people accompanied gives
    the count back: that count is protected like any other.
    """
    names = work["indicateur"].astype(str)
    unite = work["unite"].astype(str) if "unite" in work else pd.Series("", work.index)
    present = set(names)
    shares = [
        n
        for n in dict.fromkeys(names[(unite == "part") | names.isin(list(RATES))])
        if not (n in RATES and RATES[n][0] in present)
    ]
    if not shares:
        return work
    unit_keys = ["niveau", "code", "periode", "portee"]
    years = [c for c in _YEARS if c in work]
    den = work.loc[names == "jeunes_accompagnes", unit_keys + years]
    implied = work.loc[names.isin(shares), unit_keys + ["indicateur", *years]]
    implied = implied.merge(den, on=unit_keys, how="left", suffixes=("", "_den"))
    for col in years:
        implied[col] = np.rint(implied[col] * implied[f"{col}_den"].fillna(0))
    implied["indicateur"] = "__" + implied["indicateur"].astype(str)
    implied["unite"] = "nombre"
    return pd.concat(
        [work, implied[unit_keys + ["indicateur", "unite", *years]]],
        ignore_index=True,
    )


def protect_figures(
    table: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    *,
    hierarchy: pd.DataFrame | None = None,
    distinct_as_additive: bool = True,
    verify: bool | None = None,
) -> pd.DataFrame:
    """Disclosure control of a tidy table of ``key_figures`` or ``monthly_followup``.

    :func:`protect_table` under :func:`figures_structure`, applied to
    ``valeur`` and ``valeur_n_1`` (each year as a table of its own):

    - counts (``unite == "nombre"``, or the counts of ``COUNT_COLUMNS``):
      primary suppression, then secondary suppression over units (ML,
      department, region), months, and the types of aid with their total;
    - shares and rates: hidden below ``min_denominator`` people accompanied, or
      when their numerator or denominator is masked. A profile share has no
      numerator in the table, but share times ``jeunes_accompagnes`` gives it:
      that implied count is protected like a count (so ``part_qpv`` of 3 people
      out of 400 is hidden, and so is what would give it back by subtraction);
    - an amount in euros is hidden with its count of aids (and has its own
      equations: the total amount of aids minus the shown types would give a
      hidden amount back), a ratio with either of its counts;
    - ``evolution`` and ``evolution_relative`` are hidden when either value is.

    Parameters
    ----------
    table : pd.DataFrame
        Output of ``indicators.key_figures`` or ``indicators.monthly_followup``,
        whole (every unit).
    threshold, min_denominator, hierarchy, distinct_as_additive
        As in :func:`protect`.
    verify : bool, optional
        The interval check of :func:`protect_table`. Default: on for a table
        of one period (the key figures of a year: about a second for 56 units),
        off for a monthly table, whose chains of months make it slow.

    Returns
    -------
    pd.DataFrame
        A copy where hidden cells are NaN (``valeur`` with its ``ic_bas`` and
        ``ic_haut``; ``valeur_n_1``; the changes), plus ``valeur_masque`` and
        ``valeur_n_1_masque``: ``""`` or the reason (``primaire``,
        ``secondaire``, ``denominateur``). Marked (:func:`mark`) with the
        structure, for :func:`recoverable_cells`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"niveau": ["departement", "departement", "region"],
    ...     "code": ["24", "33", "NAQ"], "annee": 2023, "indicateur": "entrees_cej",
    ...     "unite": "nombre", "valeur": [3.0, 50.0, 53.0],
    ...     "valeur_n_1": [10.0, 40.0, 50.0]})
    >>> protect_figures(t)["valeur_masque"].tolist()
    ['primaire', 'secondaire', '']
    """
    if threshold < 2:
        raise DisclosureError(f"protect_figures: threshold {threshold} is below 2")
    for needed in ("niveau", "code", "indicateur", "valeur"):
        if needed not in table:
            raise DisclosureError(f"protect_figures: table lacks column {needed}")
    work = table.reset_index(drop=True)
    if "periode" not in work:
        work = work.assign(periode=work["annee"].astype(str) if "annee" in work else "")
    if "portee" not in work:
        work = work.assign(portee="annee")
    work = _with_implied_counts(work)
    structure = figures_structure(
        work, hierarchy, distinct_as_additive=distinct_as_additive
    )
    if verify is None:
        verify = not (work["portee"].astype(str) == "cumul").any()
    protected = protect_table(
        work, structure, threshold, min_denominator, verify=verify
    )
    n = len(table)
    reasons = protected.reasons.iloc[:n].reset_index(drop=True)
    out = table.copy()
    for col in structure.values:
        hidden = (reasons[col] != "").to_numpy()
        out[col] = pd.to_numeric(out[col]).astype(float)
        out.loc[hidden, col] = np.nan
    for col in _YEARS:
        if col in reasons:
            original = pd.to_numeric(table[col]).to_numpy(dtype=float)
            # a missing value (no comparison) hides nothing
            out[f"{col}_masque"] = pd.array(
                np.where(np.isnan(original), "", reasons[col].to_numpy(dtype=object)),
                dtype="string",
            )
    return mark(
        out, structure=structure, threshold=threshold, min_denominator=min_denominator
    )
