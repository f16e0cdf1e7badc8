"""Time grid of the simulation and column builders shared by the generator.

Dates are held as ``int`` days since 1970-01-01 while simulating, and months as
an index ``t`` counted from January of the first burn-in year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: years of first receptions simulated before the first year, so that the
#: first year's accompanied young people are already at their steady level
#: (follow-up lasts up to age 26: with 4 years the first year was 2.7 % short)
BURN_IN_YEARS = 7
#: months simulated after the extraction date, for planned (``prevue``) entries
LOOKAHEAD_MONTHS = 3
#: the extraction happens on this day of January of the year after the last one
EXTRACTION_DAY_OF_JANUARY = 5

#: sentinel for "no date" in int-day arrays
NO_DAY = np.iinfo(np.int32).max


@dataclass(frozen=True)
class Calendar:
    """Months of the simulation, from January of ``first - BURN_IN_YEARS``.

    ``month_start[t]`` and ``month_end[t]`` are the first and last days (int days)
    of month ``t``; ``cal_month[t]`` is 1..12; ``weekdays[t]`` the working days.
    """

    first_year: int
    last_year: int
    start_year: int
    month_start: np.ndarray
    month_end: np.ndarray
    cal_month: np.ndarray
    year: np.ndarray
    weekdays: tuple[np.ndarray, ...]
    window_t: int  # first month of the extract window (January of first_year)
    extraction_t: int  # month holding the extraction date
    extraction_day: int

    @property
    def n_months(self) -> int:
        return len(self.month_start)

    @property
    def window_day(self) -> int:
        return int(self.month_start[self.window_t])

    @property
    def extraction_date(self) -> np.datetime64:
        return np.datetime64(self.extraction_day, "D")

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Month index ``t`` of int days (clipped to the grid)."""
        t = np.searchsorted(self.month_start, days, side="right") - 1
        return np.clip(t, 0, self.n_months - 1)


def build_calendar(first_year: int, last_year: int) -> Calendar:
    """Months from January ``first_year - BURN_IN_YEARS`` to the look-ahead end."""
    start_year = first_year - BURN_IN_YEARS
    n_months = (last_year + 1 - start_year) * 12 + 1 + LOOKAHEAD_MONTHS
    months = np.datetime64(f"{start_year}-01", "M") + np.arange(n_months + 1)
    starts = months.astype("datetime64[D]").astype(np.int64)
    month_start = starts[:-1]
    month_end = starts[1:] - 1
    cal_month = (np.arange(n_months) % 12) + 1
    year = start_year + np.arange(n_months) // 12
    weekdays = []
    for a, b in zip(month_start, month_end, strict=True):
        days = np.arange(a, b + 1)
        # 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays
        weekdays.append(days[(days + 3) % 7 < 5])
    extraction = np.datetime64(
        f"{last_year + 1}-01-{EXTRACTION_DAY_OF_JANUARY:02d}", "D"
    )
    return Calendar(
        first_year=first_year,
        last_year=last_year,
        start_year=start_year,
        month_start=month_start,
        month_end=month_end,
        cal_month=cal_month,
        year=year,
        weekdays=tuple(weekdays),
        window_t=BURN_IN_YEARS * 12,
        extraction_t=(last_year + 1 - start_year) * 12,
        extraction_day=int(extraction.astype(np.int64)),
    )


def pick_weekday(
    rng: np.random.Generator, cal: Calendar, t: int, lo: np.ndarray, hi: int
) -> np.ndarray:
    """A working day of month ``t`` in ``[lo, hi]`` for each ``lo``; -1 if none."""
    wd = cal.weekdays[t]
    i_lo = np.searchsorted(wd, lo, side="left")
    i_hi = np.searchsorted(wd, hi, side="right")
    span = i_hi - i_lo
    ok = span > 0
    pick = i_lo + (rng.random(len(lo)) * np.maximum(span, 1)).astype(np.int64)
    out = np.full(len(lo), -1, dtype=np.int64)
    out[ok] = wd[np.minimum(pick[ok], len(wd) - 1)]
    return out


# --------------------------------------------------------------- column builders
def date_column(days: np.ndarray) -> np.ndarray:
    """int days (``NO_DAY`` = missing) -> ``datetime64[ns]`` with NaT."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    out[days == NO_DAY] = np.datetime64("NaT")
    return out


def id_column(
    prefix: str, numbers: np.ndarray, width: int
) -> pd.arrays.ArrowStringArray:
    """Zero-padded identifiers such as ``J0000001`` (``string`` dtype)."""
    width = max(width, len(str(int(numbers.max())))) if len(numbers) else width
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, np.int64)), pa.string()), width, "0"
    )
    return pd.array(pc.binary_join_element_wise(prefix, digits, ""), dtype="string")


def category_column(
    codes: np.ndarray, values: tuple[str, ...] | np.ndarray
) -> pd.arrays.ArrowStringArray:
    """Integer codes into ``values`` -> ``string`` column; code -1 is missing."""
    codes = np.asarray(codes, dtype=np.int32)
    missing = codes < 0
    indices = pa.array(
        np.where(missing, 0, codes), mask=missing if missing.any() else None
    )
    decoded = pa.DictionaryArray.from_arrays(
        indices, pa.array(list(values))
    ).dictionary_decode()
    return pd.array(decoded, dtype="string")


def ymd_to_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Vectorised civil date -> int days; 29 February of a common year becomes the 28th."""
    year = np.asarray(year, dtype=np.int64)
    month = np.asarray(month, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
    ym = (year - 1970) * 12 + (month - 1)
    first = ym.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + day - 1


def days_to_ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """int days -> (year, month, day) arrays."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    year = m.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (m.astype(np.int64) % 12) + 1
    day = (d - m.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day
