"""The figure factory of the whole package: rcParams, fonts, dpi and palette in one place.

Every figure the package draws (reports, evaluation, trajectories, targets,
animation review) is created by :func:`new_figure` or :func:`blank_figure`,
outside pyplot (no global state, nothing left open). The look of each family
of figures is one entry of :data:`STYLES`; the colours are :data:`PALETTE`.

The families still differ slightly (the reports use 10-point text, the
evaluation and trajectory figures 9-point, the target and animation charts
matplotlib's defaults): making them one look is a visual change of every
report, to be made here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: the house colours of figures, in order of use (reports and evaluation)
PALETTE = (
    "#1f4e79",
    "#c0504d",
    "#4f9a94",
    "#d99a2b",
    "#7f63a8",
    "#8a8f98",
    "#5b9bd5",
    "#9bbb59",
)

#: figure width (inches) and resolution: modest, so a report stays well under 2 MB
FIG_WIDTH = 7.5
FIG_DPI = 110

#: matplotlib settings of each family of figures
STYLES: dict[str, dict[str, Any]] = {
    "report": {
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#e3e6ea",
        "grid.linewidth": 0.8,
        "axes.axisbelow": True,
        "legend.frameon": False,
        "legend.fontsize": 9,
        "figure.dpi": FIG_DPI,
        "axes.formatter.use_locale": False,
    },
    "evaluation": {
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
    },
    "sequences": {
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "legend.fontsize": 8,
        "axes.formatter.use_locale": False,
    },
    # matplotlib's defaults (targets chart, animation heat map)
    "plain": {},
}


def plain(text: object) -> str:
    r"""``text`` drawn as written: ``$`` escaped, so matplotlib never reads mathtext.

    For every label that comes from the data (ML names, target labels).

    >>> print(plain("Budget $x$ 2024"))
    Budget \$x\$ 2024
    """
    return str(text).replace("$", r"\$")


def new_figure(
    width: float = FIG_WIDTH,
    height: float = 3.6,
    *,
    style: str = "report",
    dpi: float | None = None,
    **subplots: Any,
) -> tuple[Figure, Any]:
    """A figure and its axes in the house style, outside pyplot.

    Parameters
    ----------
    width, height : float
        Size in inches.
    style : str
        A key of :data:`STYLES`.
    dpi : float, optional
        Resolution of the figure (the style's, else matplotlib's, by default).
    **subplots
        Passed to ``Figure.subplots`` for a grid of axes; one axes otherwise.

    Returns
    -------
    (Figure, Axes or array of Axes)
    """
    # lazy: matplotlib costs about 0.5 s, paid only by a process that draws (a
    # report kernel on a batch cache mostly embeds figures the shared step drew)
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLES[style]):
        fig = Figure(figsize=(width, height), layout="constrained", dpi=dpi)
        ax = fig.subplots(**subplots) if subplots else fig.add_subplot()
    return fig, ax


def blank_figure(width: float, height: float, *, style: str = "plain") -> Figure:
    """A figure without axes (the caller lays them out), outside pyplot."""
    # lazy: matplotlib, as in new_figure
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLES[style]):
        return Figure(figsize=(width, height), layout="constrained")


def write_svg(fig: Figure, target: Any, **savefig: Any) -> None:
    """``fig.savefig(target, format="svg", **savefig)``, the figure drawn once, not twice.

    matplotlib's ``savefig`` on a figure with a layout engine draws the whole
    figure twice: a first time with its drawing disabled, only so that the
    layout runs, then for real. Here the constrained layout runs alone, with
    the text measures of the SVG writer (as in ``savefig``), and ``savefig``
    then draws once: the same file, byte for byte, for about a fifth less
    time. Any other figure (another layout engine, one shown by pyplot) is
    saved by ``savefig`` itself.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure of :func:`new_figure` or :func:`blank_figure` (constrained
        layout, outside pyplot); its layout engine is restored afterwards.
    target : file-like or path
        Where the SVG goes.
    **savefig
        Passed to ``Figure.savefig`` (``dpi``, ``facecolor``, ``metadata``...).
    """
    # lazy: matplotlib, already loaded by whoever drew the figure
    import matplotlib
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    if type(fig.canvas) is not FigureCanvasBase or not isinstance(
        engine, ConstrainedLayoutEngine
    ):
        fig.savefig(target, format="svg", **savefig)
        return
    dpi = fig.dpi
    # the SVG canvas: the layout measures texts with the SVG writer's renderer
    # (at 72 dpi), as it does inside savefig
    FigureCanvasSVG(fig)
    try:
        _lay_out(fig, engine)
        fig.dpi = dpi
        with matplotlib.rc_context(
            {"figure.autolayout": False, "figure.constrained_layout.use": False}
        ):
            fig.set_layout_engine(None)  # laid out: no drawing pass for the layout
        fig.savefig(target, format="svg", **savefig)
    finally:
        fig.set_layout_engine(engine)
        fig.dpi = dpi
        FigureCanvasBase(fig)


# ------------------------------------------------- one layout for many figures
#: laid-out axes positions of the figures marked by :func:`reuse_layout`, by
#: what sets their margins (:func:`_layout_key`); bounded, per process
_LAYOUTS: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], list[list[float]]]]] = {}
_MAX_LAYOUTS = 512
#: room (points) left around a tick label that might stick out past its axis' end
_END_SLACK_PT = 6.0


def reuse_layout(fig: Figure, kind: str) -> Figure:
    """Mark ``fig`` as one of a family laid out alike when their texts are alike.

    For the figures drawn by the hundred (each Mission Locale's curves and
    position strip): the same drawing code, so the same sizes, fonts, ticks and
    legend place; what changes from one to the next is data, and the texts
    around the axes. :func:`write_svg` lays out the first figure of each set
    of texts (constrained layout) and gives the others of the same ``kind``
    and texts the same axes positions, instead of a layout each (half the
    cost of such a figure). The texts compared are those that can set a
    margin: the titles, axis labels, legend texts and the tick labels drawn,
    with the place of a tick label that could stick out past an end of its
    axis. Positions are rounded to a millionth of the figure, so a figure is
    laid out the same whether its layout was computed or reused.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure of :func:`new_figure` (constrained layout).
    kind : str
        The drawing function's name: only figures of one kind share layouts.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig`` itself.
    """
    fig._observatoire_layout = kind  # type: ignore[attr-defined]
    return fig


def _axis_texts(
    ax: Any, axis: Any, along: str, covered: tuple[bool, bool] = (False, False)
) -> tuple[Any, ...]:
    """The tick labels of ``axis`` that are drawn, as they can set a margin.

    Each as (text, size), with its place on the axis when it is close enough
    to an end to stick out past it, unless that end is ``covered`` (low,
    high): a larger text already sets the margin there.
    """
    import numpy as np

    labels = axis.get_ticklabels()
    locs = axis.get_majorticklocs()
    lo, hi = axis.get_view_interval()
    if len(labels) != len(locs) or axis.get_scale() != "linear" or hi == lo:
        return (None, id(ax))  # not the simple case: a key of its own
    frac = (np.asarray(locs, dtype=float) - lo) / (hi - lo)
    box = ax.get_position()
    width, height = ax.get_figure().get_size_inches()
    length_pt = 72 * (box.width * width if along == "x" else box.height * height)
    out = []
    for f, label in zip(frac, labels, strict=True):
        if f < -1e-6 or f > 1 + 1e-6:
            continue  # outside the view: not drawn
        if label.get_rotation() % 360:
            return (None, id(ax))
        text, size = label.get_text(), label.get_fontsize()
        # half the label's extent along the axis, bounded from above (1 em a
        # character across, 0.7 em up): a label centred further than that from
        # an end lies along the axes, and only its other extent (the same for
        # the same text) can set a margin
        half = (size * len(text) / 2 if along == "x" else 0.7 * size) + _END_SLACK_PT
        near = (f * length_pt < half and not covered[0]) or (
            (1 - f) * length_pt < half and not covered[1]
        )
        out.append((text, size, float(f)) if near else (text, size))
    return tuple(out)


def _layout_key(fig: Figure, kind: str) -> tuple[Any, ...]:
    """What sets the margins of ``fig``'s axes at their current size (see reuse_layout)."""
    key: list[Any] = [kind, tuple(fig.get_size_inches())]
    for ax in fig.axes:
        titles = tuple(
            (t.get_text(), t.get_fontsize())
            for t in (ax.title, ax._left_title, ax._right_title)
        )
        x = _axis_texts(ax, ax.xaxis, "x")
        simple = bool(x) and x[0] is not None
        tick_size = max((t[1] for t in x), default=0.0) if simple else float("inf")
        # a y tick label sticking out past the bottom of the axes stays above
        # the x tick labels' bottom; past the top, below a title's top
        covered = (
            simple and any(t[0] for t in x),
            any(text and size >= tick_size for text, size in titles),
        )
        legend = ax.get_legend()
        key += [
            tuple(ax.get_position().bounds),
            titles,
            (ax.get_xlabel(), ax.get_ylabel()),
            x,
            _axis_texts(ax, ax.yaxis, "y", covered),
            None
            if legend is None
            else (legend._loc, tuple(t.get_text() for t in legend.get_texts())),
        ]
    return tuple(key)


def _set_positions(axes: list[Any], positions: list[Any]) -> None:
    for ax, pos in zip(axes, positions, strict=True):
        ax.set_position(pos)
        ax.set_in_layout(True)  # set_position takes it out of the layout


def _lay_out(fig: Figure, engine: Any) -> None:
    """Constrained layout of ``fig``, or the one of a figure alike (reuse_layout)."""
    kind = getattr(fig, "_observatoire_layout", None)
    if kind is None:
        engine.execute(fig)
        return
    axes = fig.axes
    start = [ax.get_position(original=True).frozen() for ax in axes]
    key = _layout_key(fig, kind)
    for final, positions in _LAYOUTS.get(key, ()):
        _set_positions(axes, positions)
        # the same texts where the axes end up too (the ticks follow the size)
        if _layout_key(fig, kind) == final:
            return
    _set_positions(axes, start)
    engine.execute(fig)
    # the layout's last digits depend on where it started from: rounded
    # (0.0005 pt on a report figure), a reused layout is the computed one
    positions = [
        [round(v, 6) for v in ax.get_position(original=True).bounds] for ax in axes
    ]
    _set_positions(axes, positions)
    if len(_LAYOUTS) < _MAX_LAYOUTS:
        _LAYOUTS.setdefault(key, []).append((_layout_key(fig, kind), positions))


# ---------------------------------------------------------- the plotted values
def attach_data(
    fig: Figure,
    data: Any,
    *,
    percent: tuple[str, ...] | list[str] = (),
    ordered: bool = True,
) -> Figure:
    """Attach the values a figure plots (a DataFrame), for its data table.

    A report shows every chart with its values as a table (RGAA 1.8, WCAG
    1.1.1); the function that draws a chart knows best what it plotted, so it
    hands the values over with the figure. The first column of ``data`` labels
    the points, the others are numbers; ``percent`` names the columns holding
    rates in [0, 1]; ``ordered`` is True when the rows follow an order (months).

    Returns
    -------
    matplotlib.figure.Figure
        ``fig`` itself.
    """
    fig._observatoire_data = (data, tuple(percent), ordered)  # type: ignore[attr-defined]
    return fig


def attached_data(fig: Figure) -> tuple[Any, tuple[str, ...], bool] | None:
    """``(data, percent, ordered)`` attached by :func:`attach_data`, or None."""
    return getattr(fig, "_observatoire_data", None)
