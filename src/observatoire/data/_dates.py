"""The contract's date formats, in one place: ``YYYY-MM-DD`` or ``DD/MM/YYYY``.

Used for every date column of every table and for ``metadonnees.json``. A
date that does not exist (``2024-02-30``), is written any other way
(``2024-1-5``, ``01/05/24``, with a time or a time zone) or lies outside the
span a timestamp can hold (1678-2261) is not a date.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .._io import excerpt
from ..exceptions import ExtractError

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FR = re.compile(r"^\d{2}/\d{2}/\d{4}$")
FORMATS = "YYYY-MM-DD or DD/MM/YYYY"
#: dates a nanosecond timestamp holds, with a margin of a day at each end
FIRST = pd.Timestamp("1678-01-01")
LAST = pd.Timestamp("2261-12-31")


def parse_contract_date(value: object, *, where: str) -> pd.Timestamp:
    """One date (text in a contract format, or a date object) as a Timestamp.

    Raises :class:`ExtractError` naming ``where`` when it is not a date.

    Examples
    --------
    >>> parse_contract_date("05/01/2025", where="x")
    Timestamp('2025-01-05 00:00:00')
    >>> parse_contract_date("2025-02-30", where="x")
    Traceback (most recent call last):
    ...
    observatoire.exceptions.ExtractError: x '2025-02-30' is not a date (YYYY-MM-DD or DD/MM/YYYY)
    """
    ts = None
    if isinstance(value, dt.datetime | pd.Timestamp):
        if value.tzinfo is None and value == value.replace(
            hour=0, minute=0, second=0, microsecond=0
        ):
            ts = (
                pd.Timestamp(value.date())
                if FIRST.year <= value.year <= LAST.year
                else None
            )
    elif isinstance(value, dt.date):
        ts = pd.Timestamp(value) if FIRST.year <= value.year <= LAST.year else None
    elif isinstance(value, str):
        out, bad = parse_dates(pd.Series([value]))
        if not bad[0] and not pd.isna(out.iloc[0]):
            ts = pd.Timestamp(out.iloc[0])
    if ts is None:
        raise ExtractError(f"{where} {excerpt(value)} is not a date ({FORMATS})")
    return ts


def parse_dates(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Text dates to ``datetime64[ns]``; the mask of filled values that are not dates."""
    text = s.astype(object).fillna("").astype(str).str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    for pattern, fmt in ((ISO, "%Y-%m-%d"), (FR, "%d/%m/%Y")):
        hit = text.str.match(pattern)
        if hit.any():
            parsed = pd.to_datetime(text[hit], format=fmt, errors="coerce")
            inside = (parsed >= FIRST) & (parsed <= LAST)
            out[hit] = parsed.where(inside).astype("datetime64[ns]")
    bad = (text != "") & out.isna()
    return out, bad.to_numpy()
