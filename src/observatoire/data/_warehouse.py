"""The in-memory warehouse: one typed DataFrame per contract table."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from ._schema import SCHEMA, empty_frame

REJECT_COLUMNS = ["table", "ligne", "colonne", "valeur", "regle", "detail"]
RECONCILIATION_COLUMNS = [
    "table",
    "lignes_lues",
    "lignes_acceptees",
    "lignes_rejetees",
    "lignes_hors_champ",
]


def empty_rejects() -> pd.DataFrame:
    """An empty rejects table: table, ligne, colonne, valeur, regle, detail."""
    return pd.DataFrame(
        {
            "table": pd.Series(dtype="string"),
            "ligne": pd.Series(dtype="int64"),
            "colonne": pd.Series(dtype="string"),
            "valeur": pd.Series(dtype="string"),
            "regle": pd.Series(dtype="string"),
            "detail": pd.Series(dtype="string"),
        }
    )


@dataclass(frozen=True)
class Coverage:
    """The span of time an extract covers, worked out once by the loader.

    The extract is taken to hold everything up to and including ``end`` (its
    extraction date, or its latest contact when it has no metadata). A month or
    a year is *complete* when ``end`` is on or after its last day.

    Attributes
    ----------
    first : pd.Timestamp or None
        First contact date (``evenements.date_evenement``), None without contacts.
    end : pd.Timestamp or None
        Last day covered (normalised to midnight), None without contacts or date.

    Examples
    --------
    >>> c = Coverage(pd.Timestamp("2022-01-03"), pd.Timestamp("2025-01-05"))
    >>> c.latest_complete_month, c.latest_complete_year
    ((2024, 12), 2024)
    >>> Coverage(None, pd.Timestamp("2024-12-31")).latest_complete_month
    (2024, 12)
    >>> Coverage(None, pd.Timestamp("2024-06-12")).latest_complete_month
    (2024, 5)
    >>> Coverage(None, pd.Timestamp("2024-12-30")).latest_complete_year
    2023
    """

    first: pd.Timestamp | None
    end: pd.Timestamp | None

    @property
    def latest_complete_month(self) -> tuple[int, int] | None:
        """(year, month) of the latest month wholly covered, None without an end."""
        if self.end is None:
            return None
        last = (self.end + pd.Timedelta(days=1)).to_period("M") - 1
        return int(last.year), int(last.month)

    @property
    def latest_complete_year(self) -> int | None:
        """The latest calendar year wholly covered, None without an end."""
        if self.end is None:
            return None
        return int((self.end + pd.Timedelta(days=1)).year) - 1

    def covers(self, year: int, month: int | None = None) -> str:
        """``"complete"``, ``"partial"`` or ``"absent"`` for a year or a month.

        Examples
        --------
        >>> c = Coverage(pd.Timestamp("2022-01-03"), pd.Timestamp("2025-01-05"))
        >>> c.covers(2024), c.covers(2025), c.covers(2030), c.covers(2021)
        ('complete', 'partial', 'absent', 'absent')
        >>> c.covers(2025, 1), c.covers(2022, 1)
        ('partial', 'complete')
        """
        if self.end is None or self.first is None:
            return "absent"
        period = pd.Period(year=year, month=month or 1, freq="M" if month else "Y")
        start, stop = period.start_time, period.end_time.normalize()
        if start > self.end or stop < self.first.normalize():
            return "absent"
        return "complete" if stop <= self.end else "partial"


@dataclass(frozen=True)
class Warehouse:
    """A validated extract of the regional iMilo warehouse.

    Attributes
    ----------
    missions_locales, jeunes, evenements, situations, dispositifs, aides,
    animations, animations_participations : pd.DataFrame
        Accepted rows of each contract table, typed as ``_schema.pandas_dtype``
        says (strings ``string``, dates ``datetime64[ns]``, booleans ``bool``).
        Optional tables absent from the extract are empty frames with the
        contract columns.
    rejects : pd.DataFrame
        One row per broken rule: ``table``, ``ligne`` (row number in the file,
        header = line 1 for CSV; 1-based row for Parquet), ``colonne``,
        ``valeur``, ``regle`` (rule code), ``detail`` (plain-language message).
    reconciliation : pd.DataFrame
        One row per table read: ``table``, ``lignes_lues``,
        ``lignes_acceptees``, ``lignes_rejetees``, ``lignes_hors_champ``
        (read = accepted + rejected + set aside as out of scope by a
        correspondence file).
    hors_champ : pd.DataFrame
        The rows set aside by a correspondence file (a value mapped to ``~``),
        in the columns of ``rejects`` with ``regle`` ``hors_champ``.
    source : str
        Where the extract came from (directory path or masked database URL).
    extraction_date : pd.Timestamp
        Date of the extract: from ``metadonnees.json`` when present, otherwise
        the latest contact date.
    synthetic : bool
        True when the extract was produced by ``observatoire.synthetic``.
    tables_present : tuple of str
        Contract tables found in the extract.
    """

    missions_locales: pd.DataFrame
    jeunes: pd.DataFrame
    evenements: pd.DataFrame
    situations: pd.DataFrame
    dispositifs: pd.DataFrame = field(
        default_factory=lambda: empty_frame("dispositifs")
    )
    aides: pd.DataFrame = field(default_factory=lambda: empty_frame("aides"))
    animations: pd.DataFrame = field(default_factory=lambda: empty_frame("animations"))
    animations_participations: pd.DataFrame = field(
        default_factory=lambda: empty_frame("animations_participations")
    )
    rejects: pd.DataFrame = field(default_factory=empty_rejects)
    reconciliation: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    )
    hors_champ: pd.DataFrame = field(default_factory=empty_rejects)
    source: str = ""
    extraction_date: pd.Timestamp | None = None
    synthetic: bool = False
    tables_present: tuple[str, ...] = ()

    @cached_property
    def coverage(self) -> Coverage:
        """First contact, end, latest complete month and year (see :class:`Coverage`).

        The one place the span of the extract is worked out: reports, targets,
        evaluation, animation and trajectories read it from here.
        """
        dates = self.evenements["date_evenement"]
        first = dates.min() if len(dates) else None
        end = self.extraction_date
        if end is None and len(dates):
            end = dates.max()
        first = None if first is None or pd.isna(first) else pd.Timestamp(first)
        end = None if end is None or pd.isna(end) else pd.Timestamp(end).normalize()
        return Coverage(first, end)

    def table(self, name: str) -> pd.DataFrame:
        """Return the accepted rows of contract table ``name``."""
        if name not in SCHEMA:
            raise KeyError(f"unknown table {name!r}; tables are {', '.join(SCHEMA)}")
        return getattr(self, name)

    @property
    def n_rejected(self) -> int:
        """Number of rejected rows over all tables."""
        return (
            int(self.reconciliation["lignes_rejetees"].sum())
            if len(self.reconciliation)
            else 0
        )
