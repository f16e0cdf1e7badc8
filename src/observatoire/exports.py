"""Files meant to be opened by people: CSV (machine-readable) and XLSX exports.

Every text cell written is neutralised against formula injection: a value that a
spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) gets a leading apostrophe, as OWASP recommends. Numbers
are left as numbers. Files are written to a temporary name then renamed, so an
interrupted export leaves nothing half-written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ._io import atomic_path

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a text value a spreadsheet would read as a formula with ``'``.

    >>> neutralise('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise(-3)
    -3
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) are neutralised."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(neutralise).astype(object)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV with ``,`` and ``.`` decimals, atomically."""
    safe = neutralise_frame(df)
    with atomic_path(path) as tmp:
        safe.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return Path(path)
