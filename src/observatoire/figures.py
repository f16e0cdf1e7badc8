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
        engine.execute(fig)
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
