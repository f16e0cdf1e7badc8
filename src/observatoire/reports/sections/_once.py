"""Figures drawn once per run: by the shared step, embedded by every report showing them.

A section function decorated with :func:`drawn_once` returns, in a report, the
block the shared step drew for the same arguments (the shared table
:data:`FIGURES`, key :func:`figure_key`), and draws it itself when there is
none (a notebook without the batch cache, arguments the shared step did not
draw, a part that failed). The shared step draws the blocks by calling the
same section functions on the same tables inside :func:`collect`: what a
report embeds is what it would have drawn.

Why: the Mission Locale reports' curves and position strip are most of the
time of the reports phase (matplotlib, about 0.1 s a figure); drawn in the
shared step, they run on the core the serial part of that step leaves idle
(``_shared``), and the targets chart, shown by two reports, is drawn once.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _style as st
from . import _base as base

if TYPE_CHECKING:
    from .._cache import ReportInputs

#: the shared table of the blocks drawn once: key -> HTML
FIGURES = "figures"

F = TypeVar("F", bound=Callable[..., Any])

#: where the blocks drawn inside :func:`collect` go (None: not collecting)
_collected: dict[str, str] | None = None


def figure_key(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The key of ``fn(inputs, *args, **kwargs)``'s block: its name and arguments.

    Defaults are filled in, so that ``monthly_curves(rep, "ml", "ML16A")`` and
    ``monthly_curves(rep, "ml", "ML16A", "jeunes_accompagnes")`` share a key.

    >>> def curves(inputs, level="region", code="NAQ"): ...
    >>> figure_key(curves, None, "ml", code="ML16A")
    'curves(ml, ML16A)'
    >>> figure_key(curves, None)
    'curves(region, NAQ)'
    """
    bound = inspect.signature(fn).bind(*args, **kwargs)
    bound.apply_defaults()
    values = list(bound.arguments.values())[1:]  # not the inputs
    return f"{fn.__name__}({', '.join(str(v) for v in values)})"


def drawn_once(fn: F) -> F:
    """Decorate a section ``fn(inputs, ...)`` whose block the shared step may draw."""

    @functools.wraps(fn)
    def section(inputs: ReportInputs, *args: Any, **kwargs: Any) -> st.Html:
        key = figure_key(fn, inputs, *args, **kwargs)
        if _collected is None:
            drawn = base.part(inputs, FIGURES)
            if drawn is not None and key in drawn:
                return st.Html(drawn[key])
            return fn(inputs, *args, **kwargs)
        block = fn(inputs, *args, **kwargs)
        _collected[key] = block.html
        return block

    return section  # type: ignore[return-value]


@contextlib.contextmanager
def collect() -> Iterator[dict[str, str]]:
    """Inside: every :func:`drawn_once` section draws and keeps its block.

    The shared step only: a report never collects.
    """
    global _collected
    previous, _collected = _collected, {}
    try:
        yield _collected
    finally:
        _collected = previous
