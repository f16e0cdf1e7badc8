"""The in-memory warehouse: one typed DataFrame per contract table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ._schema import SCHEMA, empty_frame

REJECT_COLUMNS = ["table", "ligne", "colonne", "valeur", "regle", "detail"]
RECONCILIATION_COLUMNS = ["table", "lignes_lues", "lignes_acceptees", "lignes_rejetees"]


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
        ``lignes_acceptees``, ``lignes_rejetees`` (read = accepted + rejected).
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
    source: str = ""
    extraction_date: pd.Timestamp | None = None
    synthetic: bool = False
    tables_present: tuple[str, ...] = ()

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
