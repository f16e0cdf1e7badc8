"""French number and date formats for everything a report reader sees.

Counts use a narrow no-break space as thousands separator (``12 345``), shares a
decimal comma and a no-break space before ``%`` (``45,2 %``). Masked values
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
    return f"{round(float(value)):,}".replace(",", THOUSANDS)


def fr_num(value: Any, digits: int = 1) -> str:
    """A decimal number in French format (``1 234,5``).

    >>> fr_num(1234.56)
    '1\u202f234,6'
    """
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return MISSING
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", THOUSANDS).replace(".", ",")


def fr_pct(value: Any, digits: int = 1) -> str:
    """A share in [0, 1] as a French percentage.

    >>> fr_pct(0.4523)
    '45,2\u00a0%'
    """
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return MISSING
    return f"{fr_num(100 * float(value), digits)}{NBSP}%"


def fr_signed_pct(value: Any, digits: int = 1) -> str:
    """A relative change in French format, always signed (``+3,4 %``, ``−1,0 %``).

    >>> fr_signed_pct(-0.01)
    '−1,0\u00a0%'
    """
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return MISSING
    text = fr_pct(abs(float(value)), digits)
    return ("+" if float(value) >= 0 else "−") + text


def fr_month(year: int, month: int) -> str:
    """``mai 2024``.

    >>> fr_month(2024, 5)
    'mai 2024'
    """
    return f"{MOIS[int(month) - 1]} {int(year)}"
