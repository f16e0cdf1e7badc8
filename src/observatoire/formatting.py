"""French number and date formats for everything a report reader sees.

The house colours and the look of figures live in :mod:`observatoire.figures`.

Counts use a narrow no-break space as thousands separator (``12 345``), shares a
decimal comma and a no-break space before ``%`` (``45,2 %``), negative numbers
the minus sign U+2212 (``−3,8 %``), never the hyphen. Masked values
(strings such as ``< 5``) pass through unchanged, so a formatted column can hold
both figures and disclosure labels.
"""

from __future__ import annotations

import math
from typing import Any

#: narrow no-break space, the French thousands separator (typographic rule)
THOUSANDS = "\u202f"
#: no-break space before the percent sign
NBSP = "\u00a0"
#: shown for a missing value (no denominator, no data)
MISSING = "–"
#: the minus sign of French typography (U+2212), not the hyphen-minus
MINUS = "\u2212"

MOIS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


MOIS_COURTS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")  # fmt: skip


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def fr_int(value: Any) -> str:
    """A count in French format.

    Examples
    --------
    >>> fr_int(12345)
    '12\u202f345'
    >>> fr_int("< 5")
    '< 5'
    >>> fr_int(float("nan"))
    '–'
    """
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return MISSING
    return _minus(f"{round(float(value)):,}".replace(",", THOUSANDS))


def fr_num(value: Any, digits: int = 1) -> str:
    """A decimal number in French format (``1 234,5``, ``−3,8``).

    >>> fr_num(1234.56)
    '1\u202f234,6'
    >>> fr_num(-3.81), fr_num(-0.04)
    ('\u22123,8', '0,0')
    """
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return MISSING
    text = f"{float(value):,.{digits}f}"
    return _minus(text.replace(",", THOUSANDS).replace(".", ","))


def _minus(text: str) -> str:
    """The minus sign for the hyphen of a negative; none on a value shown as 0."""
    if not text.startswith("-"):
        return text
    if not text.strip("-0,"):
        return text[1:]  # -0,0: rounds to zero, no sign
    return MINUS + text[1:]


def fr_pct(value: Any, digits: int = 1) -> str:
    """A share in [0, 1] as a French percentage.

    >>> fr_pct(0.4523), fr_pct(-0.038)
    ('45,2\u00a0%', '\u22123,8\u00a0%')
    """
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return MISSING
    return f"{fr_num(100 * float(value), digits)}{NBSP}%"


def fr_signed_pct(value: Any, digits: int = 1) -> str:
    """A relative change in French format, always signed (``+3,4 %``, ``−1,0 %``).

    >>> fr_signed_pct(-0.01), fr_signed_pct(0.034), fr_signed_pct(-0.0004)
    ('−1,0\u00a0%', '+3,4\u00a0%', '0,0\u00a0%')
    """
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return MISSING
    text = fr_pct(abs(float(value)), digits)
    if not text.replace(NBSP, "").strip("0,%"):
        return text  # rounds to zero: no sign (« +0,0 % » reads as a change)
    return ("+" if float(value) > 0 else MINUS) + text


def fr_hours(value: float) -> str:
    """Hours: whole numbers without decimals, else one decimal with a comma.

    >>> fr_hours(2.96), fr_hours(1.5), fr_hours(1234.0)
    ('3,0', '1,5', '1\u202f234')
    """
    if float(value).is_integer():
        return fr_int(value)
    return fr_num(value, 1)


def fr_month(year: int, month: int) -> str:
    """``mai 2024``.

    >>> fr_month(2024, 5)
    'mai 2024'
    """
    return f"{MOIS[int(month) - 1]} {int(year)}"


def fr_months_span(year: int, month: int) -> str:
    """The months so far of ``year``: ``janvier à mai 2024``.

    >>> fr_months_span(2024, 5)
    'janvier à mai 2024'
    >>> fr_months_span(2024, 1)
    'janvier 2024'
    """
    if month == 1:
        return fr_month(year, 1)
    return f"janvier à {fr_month(year, month)}"


def fr_date_long(day: Any) -> str:
    """``3 juin 2024`` (``1er`` for the first day of a month).

    >>> import datetime as dt
    >>> fr_date_long(dt.date(2024, 6, 1))
    '1er juin 2024'
    """
    d = day.date() if hasattr(day, "date") and callable(day.date) else day
    n = "1er" if d.day == 1 else str(d.day)
    return f"{n} {MOIS[d.month - 1]} {d.year}"


#: how an ML's official name starts, shortened to « ML » in every report
_ML_PREFIXES = ("Mission locale synthétique ", "Mission Locale ", "Mission locale ")


def fr_ml_name(name: Any) -> str:
    """The one name of a Mission Locale in every table, chart and sentence.

    Charts need a short name and a page must not call one ML two ways, so
    every report writes the short one: « ML » for the opening words.

    >>> fr_ml_name("Mission locale synthétique Gironde 10")
    'ML Gironde 10'
    >>> fr_ml_name("Mission Locale du Libournais"), fr_ml_name("ML Pau")
    ('ML du Libournais', 'ML Pau')
    """
    text = " ".join(str(name).split())
    for prefix in _ML_PREFIXES:
        if text.startswith(prefix):
            return "ML " + text[len(prefix) :]
    return text
