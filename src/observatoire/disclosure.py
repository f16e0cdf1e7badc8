"""Statistical disclosure control of indicator tables (what leaves the building).

Front door
----------
- :func:`protect`: apply the contract's rules to a table of
  ``indicators.compute`` and return a :class:`ProtectedTable` (exact values,
  which cells are masked and why).
- :func:`render`: the same table as French display strings, masked counts shown
  as ``< 5``; :meth:`ProtectedTable.for_csv`: masked cells left empty, with a
  flag column, for machine-readable exports.
- :func:`protect_figures`: the same rules on the tidy tables of
  ``indicators.key_figures`` and ``indicators.monthly_followup``.

Rules (data contract, "Statistical disclosure control")
--------------------------------------------------------
1. *Primary suppression.* A count from 1 to ``threshold - 1`` (default 1 to 4)
   is masked (reason ``primaire``). 0 is shown: it discloses nobody.
2. *Secondary suppression* (reason ``secondaire``). A masked cell must not be
   recomputable by subtraction. The exact linear relations between published
   cells are, for a count column and one (periode, portee):

   - **unit hierarchy**: a department total is the sum of its MLs and the region
     the sum of its departments. This is exact for ``entretiens`` and
     ``premiers_accueils``. For the counts of distinct people it is exact up to
     the people counted by two MLs (``total - sum of the other MLs`` gives the
     masked cell minus that overlap, which is small), so by default
     (``distinct_as_additive=True``) they are protected the same way;
   - **time**: a January-to-month total (``cumul``) is the previous ``cumul``
     plus the month (``mois``) for ``entretiens`` and ``premiers_accueils``; for
     every count, January's ``mois`` and ``cumul`` are the same cell.

   In every such group (a total and its parts), a masked cell must never be the
   only one: when it is, the smallest non-zero published cell of the group is
   masked too, and the groups are checked again until nothing changes (the
   masking spreads from MLs to departments to the region and back).
   Relations between columns of a row are inequalities (a part, such as
   ``entrees_formation_region``, is at most its whole ``entrees_formation``;
   :data:`indicators.SUBSET_RELATIONS`): a published whole is at least
   ``threshold`` and only bounds a masked part by what "masked" already says,
   and a masked whole forces its parts below ``threshold``, so masked or 0.
   They cannot pin a value, so they need no secondary suppression.
3. *Rates* (and their Wilson bounds) are hidden when their denominator is below
   ``min_denominator`` (reason ``denominateur``), or when their numerator or
   denominator is masked (reason ``secondaire``): rate times denominator would
   give the masked count back.

Protect the whole table, then filter: masking decisions depend on the other
units of the same department, which a filtered table no longer holds. This is
the usual hierarchical heuristic, not an optimal suppression (linear
programming): it guarantees that no group holds a lone masked cell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .exceptions import DisclosureError
from .formatting import fr_int, fr_pct
from .indicators import (
    COUNT_COLUMNS,
    KEY_COLUMNS,
    RATES,
    REGION_CODE,
    TIME_ADDITIVE,
)

__all__ = [
    "DEFAULT_MIN_DENOMINATOR",
    "DEFAULT_THRESHOLD",
    "FLAG_COLUMN",
    "SECONDARY_LABEL",
    "ProtectedTable",
    "protect",
    "protect_figures",
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


@dataclass(frozen=True)
class ProtectedTable:
    """An indicator table with its disclosure decisions.

    Attributes
    ----------
    values : pd.DataFrame
        The table as given (exact figures: never publish it as is).
    reasons : pd.DataFrame
        Same index, one column per count and rate column: ``""`` when the cell
        can be shown, else ``primaire``, ``secondaire`` or ``denominateur``.
    threshold, min_denominator : int
        The rules applied.
    """

    values: pd.DataFrame
    reasons: pd.DataFrame
    threshold: int
    min_denominator: int

    @property
    def mask(self) -> pd.DataFrame:
        """True where a cell must not be shown (bool, columns of ``reasons``)."""
        return self.reasons != ""

    @property
    def n_masked(self) -> int:
        """Number of masked count cells (rates not included)."""
        counts = [c for c in self.reasons.columns if c in COUNT_COLUMNS]
        return int(self.mask[counts].to_numpy().sum())

    def masked_values(self) -> pd.DataFrame:
        """``values`` with every masked cell set to missing (counts become Int64).

        Rate bounds are hidden with their rate.
        """
        out = self.values.copy()
        for col in self.reasons.columns:
            hide = self.mask[col].to_numpy()
            for target in _cells_of(col, out.columns):
                if target in COUNT_COLUMNS:
                    out[target] = out[target].astype("Int64")
                else:
                    out[target] = out[target].astype("Float64")
                out.loc[hide, target] = pd.NA
        return out

    def for_csv(self) -> pd.DataFrame:
        """Masked cells empty, plus :data:`FLAG_COLUMN` naming them per row."""
        out = self.masked_values()
        names = np.array(list(self.reasons.columns), dtype=object)
        mask = self.mask.to_numpy()
        out[FLAG_COLUMN] = pd.array(
            [" ".join(names[row]) for row in mask], dtype="string"
        )
        return out


def _cells_of(column: str, columns: pd.Index) -> list[str]:
    """A column and, for a rate, its Wilson bounds (those present)."""
    if column in RATES:
        return [
            c for c in (column, f"{column}_ic_bas", f"{column}_ic_haut") if c in columns
        ]
    return [column]


# ------------------------------------------------------------------ groups
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


def _groups(
    table: pd.DataFrame,
    counts: list[str],
    time_additive: tuple[str, ...],
    parents: dict,
    distinct_as_additive: bool,
) -> list[tuple[np.ndarray, list[int]]]:
    """Linear relations of the table: (rows [total first, then parts], columns).

    Column positions refer to ``counts``; ``time_additive`` are the counts whose
    year to date is the sum of the months.
    """
    additive = [counts.index(c) for c in time_additive if c in counts]
    unit_cols = list(range(len(counts))) if distinct_as_additive else additive
    every = list(range(len(counts)))
    groups: list[tuple[np.ndarray, list[int]]] = []

    keys = table[["niveau", "code", "periode", "portee"]].astype(str)
    lookup = {key: i for i, key in enumerate(keys.itertuples(index=False, name=None))}
    if len(lookup) != len(table):
        raise DisclosureError("protect: (niveau, code, periode, portee) repeats")

    # unit hierarchy, within each (periode, portee)
    children: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    slices = keys[["periode", "portee"]].drop_duplicates()
    for periode, portee in slices.itertuples(index=False, name=None):
        for parent, kids in children.items():
            total = lookup.get((*parent, periode, portee))
            parts = [lookup.get((*k, periode, portee)) for k in sorted(kids)]
            parts = [p for p in parts if p is not None]
            if total is not None and parts and unit_cols:
                groups.append((np.array([total, *parts]), unit_cols))

    # time: cumul(m) = cumul(m - 1) + mois(m); January's mois is its cumul
    for (niveau, code, periode, portee), row in lookup.items():
        if portee != "cumul" or len(periode) != 7:
            continue
        month = lookup.get((niveau, code, periode, "mois"))
        if month is None:
            continue
        year, m = int(periode[:4]), int(periode[5:])
        if m == 1:
            groups.append((np.array([row, month]), every))
            continue
        before = lookup.get((niveau, code, f"{year}-{m - 1:02d}", "cumul"))
        if before is not None and additive:
            groups.append((np.array([row, before, month]), additive))
    return groups


def _secondary(
    values: np.ndarray, masked: np.ndarray, groups: list[tuple[np.ndarray, list[int]]]
) -> np.ndarray:
    """Mask more cells until no group holds exactly one masked cell."""
    masked = masked.copy()
    secondary = np.zeros_like(masked)
    changed = True
    rounds = 0
    while changed:
        changed = False
        rounds += 1
        for rows, cols in groups:
            for col in cols:
                hidden = masked[rows, col]
                if hidden.sum() != 1:
                    continue
                shown = rows[~hidden]
                vals = values[shown, col]
                # smallest non-zero cell; a part rather than the total on a tie
                # (rows[0] is the total); a zero only when nothing else is left
                order = np.lexsort((shown == rows[0], vals, vals == 0))
                pick = shown[order[0]]
                masked[pick, col] = True
                secondary[pick, col] = True
                changed = True
        if rounds > 10_000:  # pragma: no cover - each round masks a new cell
            raise DisclosureError("protect: secondary suppression does not settle")
    return secondary


# ------------------------------------------------------------------ front door
def protect(
    table: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    *,
    hierarchy: pd.DataFrame | None = None,
    distinct_as_additive: bool = True,
) -> ProtectedTable:
    """Apply primary and secondary suppression and the rate rule to a table.

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

    Returns
    -------
    ProtectedTable

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
    counts = [c for c in COUNT_COLUMNS if c in table.columns]
    if not counts:
        raise DisclosureError("protect: table has no count column of the contract")
    values = table[counts].to_numpy(dtype=np.int64)
    primary = (values >= 1) & (values < threshold)
    groups = _groups(
        table, counts, TIME_ADDITIVE, _parents(table, hierarchy), distinct_as_additive
    )
    secondary = _secondary(values, primary, groups)

    reasons = pd.DataFrame(index=table.index)
    for j, col in enumerate(counts):
        reasons[col] = np.where(
            primary[:, j], "primaire", np.where(secondary[:, j], "secondaire", "")
        )
    for rate, (numerator, denominator) in RATES.items():
        if rate not in table.columns:
            continue
        den = table[denominator].to_numpy(dtype=np.int64)
        hidden_count = np.zeros(len(table), dtype=bool)
        for col in (numerator, denominator):
            if col in reasons:
                hidden_count |= reasons[col].to_numpy() != ""
        reasons[rate] = np.where(
            den < min_denominator,
            "denominateur",
            np.where(hidden_count, "secondaire", ""),
        )
    logger.info(
        "disclosure: %d count cells masked (%d primary), %d rates hidden",
        int((primary | secondary).sum()),
        int(primary.sum()),
        int(sum((reasons[r] != "").sum() for r in RATES if r in reasons)),
    )
    return ProtectedTable(table.copy(), reasons, int(threshold), int(min_denominator))


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
        :func:`~observatoire.formatting.fr_pct`), for reports. False: figures
        stay numbers (object columns mixing numbers and labels), for
        spreadsheets that format them.
    """
    values = protected.values
    out = values[[c for c in KEY_COLUMNS if c in values.columns]].copy()
    below = f"< {protected.threshold}"
    for col in values.columns:
        if col in out.columns:
            continue
        reason_col = col
        for rate in RATES:
            if col in (f"{rate}_ic_bas", f"{rate}_ic_haut"):
                reason_col = rate
        cells = values[col].astype(object)
        if formatted:
            cells = cells.map(fr_int if col in COUNT_COLUMNS else fr_pct)
        if reason_col in protected.reasons:
            reason = protected.reasons[reason_col]
            cells = cells.where(reason == "", SECONDARY_LABEL)
            cells = cells.where(reason != "primaire", below)
        out[col] = cells.astype(object)
    return out


# ------------------------------------------------------------ tidy tables
#: a ratio of two counts, hidden when either is
_RATIOS: dict[str, tuple[str, str]] = {
    "entretiens_par_jeune_accompagne": ("entretiens", "jeunes_accompagnes"),
}


def _figure_reasons(
    table: pd.DataFrame,
    column: str,
    threshold: int,
    min_denominator: int,
    parents: dict,
    distinct_as_additive: bool,
) -> np.ndarray:
    """Reasons for the cells of ``column`` of a tidy table, in its row order."""
    keys = table[["niveau", "code", "periode", "portee"]].astype(str)
    names = table["indicateur"].astype(str).to_numpy()
    long = keys.assign(indicateur=names, v=table[column].to_numpy(dtype=float))
    wide = long.pivot(
        index=["niveau", "code", "periode", "portee"], columns="indicateur", values="v"
    )
    unit = (
        dict(zip(names, table["unite"].astype(str), strict=True))
        if "unite" in table
        else {}
    )

    def kind(name: str) -> str:
        if name in unit:
            return unit[name]
        if name in RATES:
            return "part"
        return "nombre" if name in COUNT_COLUMNS else "autre"

    indicators_ = list(wide.columns)
    counts = [n for n in indicators_ if kind(n) == "nombre"]
    shares = [n for n in indicators_ if kind(n) == "part"]
    den = (
        wide["jeunes_accompagnes"].fillna(0).to_numpy()
        if "jeunes_accompagnes" in wide
        else np.zeros(len(wide))
    )
    # a share without its numerator in the table gives it back through the
    # denominator: protect the count it implies as a count
    implied: dict[str, str] = {}
    for share in shares:
        if share in RATES and RATES[share][0] in wide:
            continue
        implied[share] = f"__{share}"
        wide[implied[share]] = np.rint(wide[share].fillna(0).to_numpy() * den)
    counts += list(implied.values())

    frame = wide.reset_index()
    values = frame[counts].fillna(0).to_numpy(dtype=np.int64)
    primary = (values >= 1) & (values < threshold)
    groups = _groups(frame, counts, TIME_ADDITIVE, parents, distinct_as_additive)
    secondary = _secondary(values, primary, groups)
    reasons = pd.DataFrame(index=wide.index)
    for j, name in enumerate(counts):
        reasons[name] = np.where(
            primary[:, j], "primaire", np.where(secondary[:, j], "secondaire", "")
        )
    den_hidden = (
        reasons["jeunes_accompagnes"].to_numpy() != ""
        if "jeunes_accompagnes" in reasons
        else np.zeros(len(wide), dtype=bool)
    )
    for share in shares:
        numerator = implied.get(share) or RATES[share][0]
        hidden = den_hidden | (reasons[numerator].to_numpy() != "")
        reasons[share] = np.where(
            den < min_denominator, "denominateur", np.where(hidden, "secondaire", "")
        )
    for name in indicators_:
        if name in reasons:
            continue
        linked: tuple[str, ...] = ()
        if name.endswith("_montant_eur"):
            linked = (name.replace("_montant_eur", "_nombre"),)
        elif name in _RATIOS:
            linked = _RATIOS[name]
        hidden = np.zeros(len(wide), dtype=bool)
        for other in linked:
            if other in reasons:
                hidden |= reasons[other].to_numpy() != ""
        reasons[name] = np.where(hidden, "secondaire", "")
    reasons = reasons.drop(columns=list(implied.values()))

    position = reasons.index.get_indexer(pd.MultiIndex.from_frame(keys))
    col = reasons.columns.get_indexer(names)
    out = reasons.to_numpy(dtype=object)[position, col]
    # a missing value (no comparison) hides nothing
    return np.where(np.isnan(table[column].to_numpy(dtype=float)), "", out)


def protect_figures(
    table: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    *,
    hierarchy: pd.DataFrame | None = None,
    distinct_as_additive: bool = True,
) -> pd.DataFrame:
    """Disclosure control of a tidy table of ``key_figures`` or ``monthly_followup``.

    The rules of :func:`protect`, applied to ``valeur`` and, separately, to
    ``valeur_n_1`` (the year before is a table of its own):

    - counts (``unite == "nombre"``, or the counts of ``COUNT_COLUMNS``):
      primary suppression, then secondary suppression over departments and
      region (and MLs and months in a follow-up);
    - shares and rates: hidden below ``min_denominator`` people accompanied, or
      when their numerator or denominator is masked. A profile share has no
      numerator in the table, but share times ``jeunes_accompagnes`` gives it:
      that implied count is protected like a count (so ``part_qpv`` of 3 people
      out of 400 is hidden, and so is what would give it back by subtraction);
    - an amount in euros is hidden with its count of aids, a ratio with either
      of its counts;
    - ``evolution`` and ``evolution_relative`` are hidden when either value is.

    Parameters
    ----------
    table : pd.DataFrame
        Output of ``indicators.key_figures`` or ``indicators.monthly_followup``,
        whole (every unit).
    threshold, min_denominator, hierarchy, distinct_as_additive
        As in :func:`protect`.

    Returns
    -------
    pd.DataFrame
        A copy where hidden cells are NaN (``valeur`` with its ``ic_bas`` and
        ``ic_haut``; ``valeur_n_1``; the changes), plus ``valeur_masque`` and
        ``valeur_n_1_masque``: ``""`` or the reason (``primaire``,
        ``secondaire``, ``denominateur``).

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
    parents = _parents(work, hierarchy)
    out = table.copy()
    for column in ("valeur", "valeur_n_1"):
        if column not in work:
            continue
        reasons = _figure_reasons(
            work, column, threshold, min_denominator, parents, distinct_as_additive
        )
        hidden = reasons != ""
        out[f"{column}_masque"] = pd.array(reasons, dtype="string")
        targets = [column]
        if column == "valeur":
            targets += [c for c in ("ic_bas", "ic_haut") if c in out]
        out.loc[hidden, targets] = np.nan
    changes = [c for c in ("evolution", "evolution_relative") if c in out]
    if changes:
        hidden = out["valeur_masque"] != ""
        if "valeur_n_1_masque" in out:
            hidden |= out["valeur_n_1_masque"] != ""
        out.loc[hidden.to_numpy(dtype=bool), changes] = np.nan
    return out
