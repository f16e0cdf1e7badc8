"""Plots of monthly trajectories, French labels, one fixed colour per state.

Every function takes a :class:`Sequences` (e.g. from :func:`from_warehouse`) or a
:class:`Typology` (from :func:`cohort_typology`) and returns a matplotlib
:class:`~matplotlib.figure.Figure` built outside pyplot (no global state: a
notebook shows it once, a report embeds it as PNG). Colours come from
:data:`STATE_COLOURS` (Okabe-Ito, ``censure`` light grey, ``sans_contact`` dark
grey), labels from the sequences' French labels. No plot shows an identifier: the
index plot draws one row per young person, unlabelled, grouped and sorted.
"""

from __future__ import annotations

import dataclasses
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import SequenceError
from ..figures import attach_data, new_figure
from ..formatting import fr_int, fr_num, fr_pct
from ._imilo import STATE_COLOURS
from ._sequences import transition_rates

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: colour of a missing state (index plot only)
MISSING_COLOUR = "#FFFFFF"

#: pattern of each state, drawn over its colour and shown in the legend: a
#: state is told by its pattern as well as its colour (RGAA 3.1, WCAG 1.4.1;
#: the palette has two blues and two orange hues)
#: line patterns only: dots and rings cost 20 to 300 kB of SVG per chart
STATE_HATCHES: dict[str, str] = {
    "emploi_durable": "///",
    "emploi": "\\\\\\",
    "alternance": "xxx",
    "formation": "|/",
    "immersion_service_civique": "-\\",
    "scolarite": "---",
    "accompagnement": "|||",
    "sans_contact": "+++",
    "censure": "x|",
}
#: patterns of an alphabet outside the iMilo states, in order
HATCH_CYCLE: tuple[str, ...] = (
    *STATE_HATCHES.values(), "/-|", "\\|", "x-", "+/", "+\\",
)  # fmt: skip
#: most rows of pattern cells per panel of an index plot: the patterns follow
#: the states at the drawn resolution, not one young person at a time
HATCH_ROWS = 120
#: x-axis label of the month positions
MONTHS_LABEL = "Mois depuis le premier accueil"


# ------------------------------------------------------------------ helpers
def _unpack(data: Any) -> tuple[Any, np.ndarray | None, dict[int, str] | None]:
    """(sequences, group labels or None, group names or None) of a plot input."""
    if hasattr(data, "sequences") and hasattr(data, "group_names"):
        return data.sequences, np.asarray(data.labels), dict(data.group_names)
    if hasattr(data, "codes") and hasattr(data, "alphabet"):
        return data, None, None
    raise SequenceError(
        f"expected Sequences or Typology to plot, got {type(data).__name__}"
    )


def _colours(seq: Any) -> list[str]:
    """Colour of each state of the alphabet; unknown states are an error."""
    unknown = [str(a) for a in seq.alphabet if a not in STATE_COLOURS]
    if unknown:
        raise SequenceError(
            f"no colour for state(s) {', '.join(map(repr, unknown))}; "
            f"states are {', '.join(STATE_COLOURS)}"
        )
    codes = np.asarray(seq.codes)
    bad = (codes < -1) | (codes >= len(seq.alphabet))
    if bad.any():
        raise SequenceError(
            f"state codes {sorted(set(codes[bad].tolist()))[:5]} outside the alphabet "
            f"of {len(seq.alphabet)} states"
        )
    return [STATE_COLOURS[a] for a in seq.alphabet]


def _hatches(seq: Any) -> list[str]:
    """Pattern of each state of the alphabet (:data:`STATE_HATCHES`)."""
    if all(a in STATE_HATCHES for a in seq.alphabet):
        return [STATE_HATCHES[a] for a in seq.alphabet]
    return [HATCH_CYCLE[i % len(HATCH_CYCLE)] for i in range(len(seq.alphabet))]


def _samples(edges: np.ndarray) -> np.ndarray:
    """Two sample points per cell, just inside its edges, and one beyond each end.

    A contour of cell values sampled there follows the cell edges (a linear
    interpolation between two points a hair apart crosses at the edge).
    """
    eps = 1e-3 * float(np.diff(edges).min())
    inner = np.column_stack([edges[:-1] + eps, edges[1:] - eps]).ravel()
    return np.concatenate([[edges[0] - eps], inner, [edges[-1] + eps]])


def _hatch_overlay(
    ax: Any, rows: np.ndarray, colours: list[str], hatches: list[str]
) -> None:
    """Each state's pattern over the raster of an index plot (one row per person).

    Rows are pooled into at most :data:`HATCH_ROWS` bands, and a state's
    pattern covers the cells it holds in most of a band's rows: vector
    regions (contours of those shares along the cell edges), a few per state
    whatever the cohort size, drawn on the image's
    ``extent=(0.5, length + 0.5, len(rows), 0)``.
    """
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    import matplotlib

    n, length = rows.shape
    if n == 0:
        return
    bands = min(n, HATCH_ROWS)
    edges = np.unique(np.linspace(0, n, bands + 1).round().astype(int))
    sizes = np.diff(edges).astype(float)[:, None]
    x = _samples(np.arange(length + 1) + 0.5)
    y = _samples(edges.astype(float))
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    for s, (colour, hatch) in enumerate(zip(colours, hatches, strict=True)):
        held = rows == s
        if not hatch or not held.any():
            continue
        share = np.add.reduceat(held.astype(float), edges[:-1]) / sizes
        field = np.zeros((len(y), len(x)))
        field[1:-1, 1:-1] = np.repeat(np.repeat(share, 2, axis=0), 2, axis=1)
        with matplotlib.rc_context(
            {"hatch.color": _text_colour(colour), "hatch.linewidth": 0.6}
        ):
            ax.contourf(x, y, field, levels=[0.5, 1.5], colors="none", hatches=[hatch])
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)


def _figure(width: float, height: float, **subplots: Any) -> tuple[Figure, Any]:
    # the package's one figure factory (observatoire.figures), sequence style
    return new_figure(width, height, style="sequences", **subplots)


def _pct_axis(axis: Any) -> None:
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: fr_pct(v, 0)))


def _state_legend(
    fig: Figure,
    seq: Any,
    colours: list[str],
    present: np.ndarray,
    hatches: list[str] | None = None,
) -> None:
    """The legend of the states: each key shows the state's colour and pattern."""
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.patches import Patch

    hatches = _hatches(seq) if hatches is None else hatches
    handles = [
        Patch(
            facecolor=colours[s],
            edgecolor=_text_colour(colours[s]),  # the pattern's colour
            hatch=hatches[s],
            linewidth=0,
            label=seq.labels[s],
        )
        for s in range(len(seq.alphabet))
        if present[s]
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 3),
        frameon=False,
    )


def _distribution(codes: np.ndarray, n_states: int) -> np.ndarray:
    """States x positions shares (missing states left out of the denominators)."""
    counts = np.stack(
        [np.bincount(col[col >= 0], minlength=n_states) for col in codes.T], axis=1
    ).astype(float)
    total = counts.sum(axis=0, keepdims=True)
    return counts / np.where(total > 0, total, 1)


def _text_colour(background: str) -> str:
    """White on dark backgrounds, near-black on light ones (relative luminance)."""
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.colors import to_rgb

    r, g, b = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in to_rgb(background)
    )
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.25 else "#222222"


def _wrap(text: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _group_title(names: dict[int, str], labels: np.ndarray, g: int) -> str:
    return f"{names[g]} ({fr_pct(np.mean(labels == g))})"


def _month_ticks(ax: Any, length: int) -> None:
    step = 6 if length > 12 else (3 if length > 6 else 1)
    ticks = [1, *range(step, length + 1, step)]
    ax.set_xticks(sorted(set(ticks)))
    ax.set_xlim(0.5, length + 0.5)


# -------------------------------------------------------------------- plots
def plot_state_distribution(
    data: Any, *, by_group: bool = False, title: str | None = None
) -> Figure:
    """Chronogram: share of each state month by month (stacked bars).

    Parameters
    ----------
    data : Sequences or Typology
    by_group : bool, default False
        With a Typology, one panel per group (titled with its name and share of
        the cohort) instead of the whole cohort.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    SequenceError
        A state without a colour, codes outside the alphabet, ``by_group``
        without a Typology.
    """
    seq, labels, names = _unpack(data)
    colours, hatches = _colours(seq), _hatches(seq)
    codes = np.asarray(seq.codes)
    n_states, length = len(seq.alphabet), codes.shape[1]
    if by_group and labels is None:
        raise SequenceError("by_group needs a Typology (groups), got Sequences")
    panels = (
        [(names[g], labels == g, _group_title(names, labels, g)) for g in sorted(names)]
        if by_group
        else [("", np.ones(len(codes), dtype=bool), None)]
    )
    ncols = 1 if len(panels) == 1 else 2
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = _figure(
        7.5, 3.4 if nrows == 1 else 2.3 * nrows + 0.8, nrows=nrows, ncols=ncols,
        squeeze=False, sharex=True, sharey=True,
    )  # fmt: skip
    x = np.arange(1, length + 1)
    present = np.zeros(n_states, dtype=bool)
    rows = []
    seen = [s for s in range(n_states) if (codes == s).any()]
    for ax, (name, mask, panel_title) in zip(axes.ravel(), panels, strict=False):
        shares = _distribution(codes[mask], n_states)
        for m in range(length):
            label = f"{name}, mois {m + 1}" if name else f"Mois {m + 1}"
            rows.append({"Mois": label, **{seq.labels[s]: shares[s, m] for s in seen}})
        present |= shares.sum(axis=1) > 0
        bottom = np.zeros(length)
        for s in range(n_states):
            if shares[s].sum() == 0:
                continue
            ax.bar(
                x, shares[s], bottom=bottom, width=1.0, color=colours[s], linewidth=0,
                hatch=hatches[s], edgecolor=_text_colour(colours[s]),
            )  # fmt: skip
            bottom += shares[s]
        ax.set_ylim(0, 1)
        _pct_axis(ax.yaxis)
        _month_ticks(ax, length)
        if panel_title:
            ax.set_title(_wrap(panel_title, 45), fontsize=8.5)
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    for col in range(ncols):  # the lowest visible panel of each column
        ax = [a for a in axes[:, col] if a.get_visible()][-1]
        ax.set_xlabel(MONTHS_LABEL)
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel("Part des jeunes")
    _state_legend(fig, seq, colours, present)
    fig.suptitle(title or "Répartition des situations mois par mois", fontweight="bold")
    table = pd.DataFrame(rows)
    return attach_data(
        fig, table, percent=list(table.columns[1:]), ordered=not by_group
    )


def plot_index(data: Any, *, title: str | None = None) -> Figure:
    """Index plot: one thin row per young person, sorted by group then by path.

    Rows carry no identifier or label; within a group they are sorted by their
    sequence read from the last month back, so similar endings sit together. With
    a Typology, one panel per group, named on the left with its share of the
    cohort; panel heights follow the group sizes, with a floor (6 % of the
    height) so that small groups stay visible.

    Parameters
    ----------
    data : Sequences or Typology
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.colors import ListedColormap

    seq, labels, names = _unpack(data)
    colours = _colours(seq)
    codes = np.asarray(seq.codes)
    n, length = codes.shape
    cmap = ListedColormap([MISSING_COLOUR, *colours])
    if labels is None:
        panels = [("Jeunes (une ligne par jeune)", codes)]
    else:
        panels = [
            (_wrap(_group_title(names, labels, g), 30), codes[labels == g])
            for g in sorted(names)
            if (labels == g).any()
        ]
    shares = np.array([len(rows) / n for _, rows in panels])
    ratios = np.maximum(shares, 0.06)
    fig, axes = _figure(
        7.5, 5.2, nrows=len(panels), sharex=True, squeeze=False,
        gridspec_kw={"height_ratios": ratios, "hspace": 0.02},
    )  # fmt: skip
    for ax, (name, rows) in zip(axes[:, 0], panels, strict=True):
        order = np.lexsort([rows[:, j] for j in range(length)])
        ax.imshow(
            rows[order] + 1,  # missing (-1) -> 0
            aspect="auto",
            interpolation="nearest",
            cmap=cmap,
            vmin=0,
            vmax=len(colours),
            extent=(0.5, length + 0.5, len(rows), 0),
        )
        _hatch_overlay(ax, rows[order], colours, _hatches(seq))
        ax.set_yticks([])
        ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=7.5)
        for side in ("left", "top", "right", "bottom"):
            ax.spines[side].set_visible(False)
    ax = axes[-1, 0]
    _month_ticks(ax, length)
    ax.set_xlabel(MONTHS_LABEL)
    present = np.bincount(codes[codes >= 0], minlength=len(colours)) > 0
    _state_legend(fig, seq, colours, present)
    default = "Parcours individuels" + (", par groupe" if labels is not None else "")
    fig.suptitle(title or default, fontweight="bold")
    # the rows are young people: the data table gives, per panel, its share of
    # the cohort and the share of its months in each state (no row-level data)
    summary = []
    for name, rows in panels:
        counts = np.bincount(rows[rows >= 0], minlength=len(colours))
        total = max(int(counts.sum()), 1)
        summary.append(
            {
                "Groupe": name.replace("\n", " "),
                "Part de la cohorte": len(rows) / n,
                **{seq.labels[s]: counts[s] / total for s in np.flatnonzero(present)},
            }
        )
    table = pd.DataFrame(summary)
    return attach_data(fig, table, percent=list(table.columns[1:]), ordered=False)


def plot_transition_rates(data: Any, *, title: str | None = None) -> Figure:
    """Heat map of the month-to-month transition rates between states.

    Cell (row A, column B): share of the months in state A followed by a month in
    state B (rows sum to 100 %). States never observed are left out, and so are
    ``censure`` months (after the extract: no behaviour to show).

    Parameters
    ----------
    data : Sequences or Typology
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    seq, _, _ = _unpack(data)
    _colours(seq)
    codes = np.asarray(seq.codes)
    if "censure" in seq.alphabet:
        # a month after the extract is no behaviour: pairs touching it are left out
        # (as missing states are)
        codes = np.where(codes == seq.alphabet.index("censure"), -1, codes)
        seq = dataclasses.replace(seq, codes=codes.astype(np.int32))
    rates = transition_rates(seq).to_numpy(dtype=float)
    present = np.flatnonzero(
        np.bincount(codes[codes >= 0], minlength=len(seq.alphabet)) > 0
    )
    rates = rates[np.ix_(present, present)]
    names = [seq.labels[s] for s in present]
    fig, ax = _figure(7.5, 5.6)
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(present)):
        for j in range(len(present)):
            value = rates[i, j]
            ax.text(
                j,
                i,
                fr_pct(value, 0) if value >= 0.005 or value == 0 else "< 1\u00a0%",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > 0.6 else "#222222",
            )
    ax.set_xticks(
        range(len(names)), names, fontsize=7.5, rotation=35, ha="right",
        rotation_mode="anchor",
    )  # fmt: skip
    ax.set_yticks(range(len(names)), names, fontsize=7.5)
    ax.tick_params(length=0)
    ax.set_xlabel("Situation le mois suivant")
    ax.set_ylabel("Situation du mois")
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.7)
    _pct_axis(bar.ax.yaxis)
    fig.suptitle(title or "Taux de transition d'un mois à l'autre", fontweight="bold")
    table = pd.DataFrame(rates, columns=[f"Vers {n}" for n in names])
    table.insert(0, "Situation du mois", names)
    return attach_data(fig, table, percent=list(table.columns[1:]), ordered=False)


def plot_mean_time(data: Any, *, title: str | None = None) -> Figure:
    """Mean number of months spent in each state, per group (stacked bars).

    Parameters
    ----------
    data : Typology or Sequences
        With Sequences, one bar for the whole cohort.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    seq, labels, names = _unpack(data)
    colours, hatches = _colours(seq), _hatches(seq)
    codes = np.asarray(seq.codes)
    n_states = len(seq.alphabet)
    bars = []
    if labels is not None:
        bars = [(names[g], codes[labels == g]) for g in sorted(names)]
    bars.append(("Ensemble de la cohorte", codes))
    means = np.array(
        [
            [
                (rows == s).sum(axis=1).mean() if len(rows) else 0.0
                for s in range(n_states)
            ]
            for _, rows in bars
        ]
    )  # bars x states
    fig, ax = _figure(7.5, 1.2 + 0.45 * len(bars))
    y = np.arange(len(bars))
    left = np.zeros(len(bars))
    for s in range(n_states):
        if means[:, s].sum() == 0:
            continue
        ax.barh(
            y, means[:, s], left=left, color=colours[s], height=0.7, linewidth=0,
            hatch=hatches[s], edgecolor=_text_colour(colours[s]),
        )  # fmt: skip
        for i, value in enumerate(means[:, s]):
            if value >= 2.5:  # on a plain box of the state's colour, over its pattern
                ax.text(
                    left[i] + value / 2, i, fr_num(value, 0), ha="center",
                    va="center", fontsize=7, color=_text_colour(colours[s]),
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": colours[s],
                          "edgecolor": "none"},
                )  # fmt: skip
        left += means[:, s]
    ax.set_yticks(y, [_wrap(name, 34) for name, _ in bars], fontsize=7.5)
    ax.invert_yaxis()
    ax.set_xlim(0, codes.shape[1])
    ax.set_xlabel("Nombre moyen de mois passés dans chaque situation")
    ax.tick_params(axis="y", length=0)
    _state_legend(fig, seq, colours, means.sum(axis=0) > 0)
    default = "Temps passé dans chaque situation" + (
        ", par groupe" if labels is not None else ""
    )
    fig.suptitle(title or default, fontweight="bold")
    kept = np.flatnonzero(means.sum(axis=0) > 0)
    table = pd.DataFrame(
        np.round(means[:, kept], 1), columns=[f"{seq.labels[s]} (mois)" for s in kept]
    )
    table.insert(0, "Groupe", [name for name, _ in bars])
    return attach_data(fig, table, ordered=False)


def plot_silhouette(typology: Any, *, title: str | None = None) -> Figure:
    """Choice of the number of groups and silhouette of each item of the sample.

    Left: average silhouette width for each number of groups tried, the retained
    one highlighted. Right: the silhouette width of each sequence of the clustered
    sample, sorted within its group (a width near 1: well inside its group; below
    0: closer to another group), with the average as a dashed line.

    Parameters
    ----------
    typology : Typology
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not hasattr(typology, "silhouette_by_k"):
        raise SequenceError(
            f"plot_silhouette needs a Typology, got {type(typology).__name__}"
        )
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.ticker import FuncFormatter

    fig, (left, right) = _figure(
        7.5,
        max(3.8, 1.4 + 0.5 * typology.k),
        ncols=2,
        gridspec_kw={"width_ratios": [1, 1.6]},
    )
    table = typology.silhouette_by_k
    left.plot(table["nb_groupes"], table["silhouette"], marker="o", color="#0072B2")
    chosen = table[table["retenu"]]
    left.scatter(
        chosen["nb_groupes"], chosen["silhouette"], s=90, facecolor="none",
        edgecolor="#D55E00", linewidth=2, zorder=3, label="Nombre retenu",
    )  # fmt: skip
    left.set_xticks(table["nb_groupes"])
    left.set_xlabel("Nombre de types")
    left.set_ylabel("Silhouette moyenne")
    left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fr_num(v, 3)))
    left.legend(loc="best")
    left.set_title("Choix du nombre de types", fontsize=9)

    widths = np.asarray(typology.sample_silhouette)
    groups = np.asarray(typology.sample_labels)
    names = typology.group_names
    # each group a band of height proportional to its size, with a floor so that
    # small groups stay readable; widths sorted within the band
    sizes = np.array([(groups == g).sum() for g in sorted(names)])
    heights = np.maximum(sizes, 0.1 * sizes.sum())
    gap = 0.02 * sizes.sum()
    position, ticks, tick_labels = 0.0, [], []
    shades = ("#0072B2", "#56B4E9")
    for i, g in enumerate(sorted(names)):
        w = np.sort(widths[groups == g])[::-1]
        if len(w) == 0:
            continue
        y = position + (np.arange(len(w)) + 0.5) * heights[i] / len(w)
        right.fill_betweenx(y, 0, w, color=shades[i % 2], linewidth=0, step="mid")
        ticks.append(position + heights[i] / 2)
        tick_labels.append(_wrap(names[g], 28))
        position += heights[i] + gap
    right.axvline(float(widths.mean()), color="#D55E00", linestyle="--", linewidth=1)
    right.set_yticks(ticks, tick_labels, fontsize=7)
    right.invert_yaxis()
    right.tick_params(axis="y", length=0)
    right.set_xlim(min(-0.2, float(widths.min())) if len(widths) else -0.2, 1)
    right.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fr_num(v, 1)))
    right.set_xlabel(
        f"Silhouette (moyenne {fr_num(typology.silhouette, 2)}, "
        f"{fr_int(len(widths))} parcours)"
    )
    right.set_title("Silhouette de chaque parcours", fontsize=9)
    fig.suptitle(title or "Qualité de la typologie", fontweight="bold")
    table = pd.DataFrame(
        {
            "Nombre de types": [str(k) for k in typology.silhouette_by_k["nb_groupes"]],
            "Silhouette moyenne": np.round(
                typology.silhouette_by_k["silhouette"].to_numpy(dtype=float), 3
            ),
        }
    )
    return attach_data(fig, table)
