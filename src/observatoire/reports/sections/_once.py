"""Figures drawn and values computed once per run: by the shared step, for every report.

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

:func:`computed_once` does the same for a value a section computes from the
protected tables (the N/N−1 rate changes of every Mission Locale, one unit's
year-on-year comparison): the shared step computes it once, inside
:func:`collect`, into the table :data:`COMPUTED`, and a report reads it from
there instead of computing it again (43 Mission Locale reports used to
compute the change test of all 43 Mission Locales each). It is what the
report would have computed: the same function on the same tables.
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
#: the shared table of the values computed once: key -> value
COMPUTED = "calculs"

F = TypeVar("F", bound=Callable[..., Any])

#: where the blocks drawn inside :func:`collect` go (None: not collecting)
_collected: dict[str, str] | None = None
#: where the values computed inside :func:`collect` go (None: not collecting)
_computed: dict[str, Any] | None = None


def figure_key(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The key of ``fn(inputs, *args, **kwargs)``'s block: its name and arguments.

    Defaults are filled in, so that ``monthly_curves(rep, "ml", "ML16A")`` and
    ``monthly_curves(rep, "ml", "ML16A", "jeunes_accompagnes")`` share a key.

    >>> def curves(inputs, level="region", code="NAQ"): ...
    >>> figure_key(curves, None, "ml", code="ML16A")
    'curves(ml, ML16A)'
    >>> figure_key(curves, None)
    'curves(region, NAQ)'

    Parameters
    ----------
    fn : callable
        A section ``fn(inputs, ...)`` (the undecorated function).
    *args, **kwargs
        Its arguments, ``inputs`` first (left out of the key).

    Returns
    -------
    str
        ``name(arg, arg...)``, defaults filled in.
    """
    bound = inspect.signature(fn).bind(*args, **kwargs)
    bound.apply_defaults()
    values = list(bound.arguments.values())[1:]  # not the inputs
    return f"{fn.__name__}({', '.join(str(v) for v in values)})"


def drawn_once(fn: F) -> F:
    """Decorate a section ``fn(inputs, ...)`` whose block the shared step may draw.

    Inside :func:`collect` (the shared step) the section draws and keeps its
    block; in a report it returns the block kept for the same arguments in the
    cache's ``figures`` table, and draws it itself when there is none.

    Parameters
    ----------
    fn : callable
        A section returning ``Html`` whose block depends only on the protected
        tables and its arguments.

    Returns
    -------
    callable
        The section, same signature.
    """

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


def computed_once(fn: F) -> F:
    """Decorate a function ``fn(inputs, ...)`` whose value the shared step may compute.

    The value must be a pure function of the protected tables and the
    arguments (a report may receive the very object the shared step
    computed), and picklable (it is stored in the cache).

    Parameters
    ----------
    fn : callable
        The function; inside :func:`collect_values` its values are kept, in a
        report read back from the cache's ``calculs`` table (computed when
        absent).

    Returns
    -------
    callable
        The function, same signature.
    """

    @functools.wraps(fn)
    def computed(inputs: ReportInputs, *args: Any, **kwargs: Any) -> Any:
        key = figure_key(fn, inputs, *args, **kwargs)
        if _computed is None:
            done = base.part(inputs, COMPUTED)
            if done is not None and key in done:
                return done[key]
            return fn(inputs, *args, **kwargs)
        if key not in _computed:
            _computed[key] = fn(inputs, *args, **kwargs)
        return _computed[key]

    return computed  # type: ignore[return-value]


@contextlib.contextmanager
def collect() -> Iterator[dict[str, str]]:
    """Inside: every :func:`drawn_once` section draws and keeps its block.

    The shared step only: a report never collects. The values of
    :func:`computed_once` functions are kept by :func:`collect_values`.

    Yields
    ------
    dict of str to str
        Key (:func:`figure_key`) -> the block's HTML, filled as sections run.
    """
    global _collected
    previous, _collected = _collected, {}
    try:
        yield _collected
    finally:
        _collected = previous


@contextlib.contextmanager
def collect_values() -> Iterator[dict[str, Any]]:
    """Inside: every :func:`computed_once` function computes and keeps its value.

    The shared step only. A value already kept is not computed again.

    Yields
    ------
    dict of str to object
        Key (:func:`figure_key`) -> the value, filled as functions run.
    """
    global _computed
    previous, _computed = _computed, {}
    try:
        yield _computed
    finally:
        _computed = previous
