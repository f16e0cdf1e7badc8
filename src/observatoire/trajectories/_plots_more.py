"""Relative-frequency plot and index plot sorted by MDS (TraMineR's ``seqplot.rf`` and
``seqIplot(sortv = "mds")``), French labels, one fixed colour per state.

Figures are built as in :mod:`._plots` (outside pyplot, its palette and helpers). Each
function can also return the plotted values as a table (``return_table=True``), so
that a report can give every figure its data; these tables are aggregates (groups of
sequences), never one row per young person.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.sparse.linalg import eigsh

from ..exceptions import SequenceError
from ..figures import attach_data
from ..formatting import fr_int, fr_num, fr_pct
from . import _plots as base
from ._distances import distances
from ._imilo import STATE_COLOURS
from ._represent import sps, subset
from ._sequences import Sequences

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

#: colours for alphabets outside the iMilo states (Okabe-Ito, in alphabet order)
FALLBACK_COLOURS = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#000000", "#999999",
)  # fmt: skip


def _state_colours(seq: Sequences) -> list[str]:
    """The iMilo palette when every state has its colour, else Okabe-Ito in order."""
    if all(a in STATE_COLOURS for a in seq.alphabet):
        return base._colours(seq)
    if len(seq.alphabet) > len(FALLBACK_COLOURS):
        raise SequenceError(
            f"{len(seq.alphabet)} states: at most {len(FALLBACK_COLOURS)} can be coloured"
        )
    return list(FALLBACK_COLOURS[: len(seq.alphabet)])


def _check_d(d: Any, n: int) -> np.ndarray:
    d = np.asarray(d, dtype=np.float64)
    if d.shape != (n, n):
        raise SequenceError(
            f"dissimilarity matrix has shape {d.shape}, expected {(n, n)}"
        )
    if not np.isfinite(d).all():
        raise SequenceError("dissimilarity matrix has NaN or infinite values")
    return d


def _default_d(seq: Sequences) -> np.ndarray:
    logger.info("no dissimilarities given: OM with TRATE costs and indel 1")
    return distances(seq, "OM", sm="TRATE", indel=1.0, with_missing=seq.has_missing)


def _horizontal() -> dict:
    """Horizontal box plots: ``orientation`` from matplotlib 3.10, ``vert`` before."""
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    import matplotlib

    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return (
        {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}
    )


# ------------------------------------------------------------------------- MDS
def mds_coordinate(d: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """First coordinate of classical (Torgerson) MDS, like ``cmdscale(d, k = 1)``.

    With weights, the weighted version (``wcmdscale(d, k = 1, w = weights)``). The sign
    of an eigenvector is arbitrary (R's comes from LAPACK); here it is fixed so that
    the coordinate of largest absolute value is positive.
    """
    d = np.asarray(d, dtype=np.float64)
    n = d.shape[0]
    if n == 1:
        return np.zeros(1)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    a = -0.5 * d**2
    # weighted double centring: B = (I - 1 w') A (I - w 1')
    row = a @ w
    total = row @ w
    b = a - row[:, None] - row[None, :] + total
    sw = np.sqrt(w)
    bw = b * sw[:, None] * sw[None, :]
    if n <= 2000:
        vals, vecs = np.linalg.eigh(bw)
        val, vec = vals[-1], vecs[:, -1]
    else:
        vals, vecs = eigsh(bw, k=1, which="LA")
        val, vec = vals[0], vecs[:, 0]
    coord = vec / sw * np.sqrt(max(val, 0.0))
    if coord[np.argmax(np.abs(coord))] < 0:
        coord = -coord
    return coord


def _medoid(d: np.ndarray, w: np.ndarray) -> int:
    """disscenter(medoids.index = "first"): the first minimiser of sum_j w_j d_ij."""
    return int(np.argmin(d @ w))


# ------------------------------------------------------- relative frequencies
@dataclass(frozen=True, eq=False)
class RelativeFrequency:
    """Frequency groups of TraMineR's ``dissrf`` (``grp.meth = "prop"``).

    Attributes
    ----------
    medoids : numpy.ndarray
        Position (in the sequences given) of the medoid of each group, in MDS order.
    members : list of numpy.ndarray
        Positions of each group's members (a boundary sequence can belong to two
        groups, each with part of its weight).
    member_weights : list of numpy.ndarray
        Their weights in the group (each group weighs n / k).
    distances : list of numpy.ndarray
        Distance of each member to its group medoid.
    r2, f : float
        Pseudo-R2 (1 - sum of weighted distances to the group medoids / sum of
        distances to the overall medoid) and pseudo-F of the grouping.
    k : int
    """

    medoids: np.ndarray
    members: list
    member_weights: list
    distances: list
    r2: float
    f: float
    k: int


def relative_frequency(
    d: np.ndarray,
    k: int | None = None,
    sortv: np.ndarray | str = "mds",
    weights: np.ndarray | None = None,
) -> RelativeFrequency:
    """Frequency groups of sequences sorted by MDS, as TraMineR's ``dissrf()``.

    The sequences, sorted by ``sortv`` (default the first MDS coordinate), are cut
    into ``k`` groups of equal weight (``grp.meth = "prop"``: a sequence on a boundary
    is shared between the two groups); each group is represented by its medoid.

    Parameters
    ----------
    d : numpy.ndarray
        n x n dissimilarities.
    k : int, optional
        Number of groups (default ``min(floor(n / 10), 100)``, as TraMineR).
    sortv : "mds" or array-like
        Sort key of the sequences.
    weights : array-like, optional

    Returns
    -------
    RelativeFrequency
    """
    d = np.asarray(d, dtype=np.float64)
    n = d.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    wsum = float(w.sum())
    if k is None:
        k = min(int(wsum // 10), 100)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n:
        raise SequenceError(f"k must be an integer between 1 and {n}, got {k!r}")
    k = int(k)
    if isinstance(sortv, str):
        if sortv != "mds":
            raise SequenceError(
                f"sortv must be 'mds' or one value per sequence, got {sortv!r}"
            )
        sortv = mds_coordinate(d, None if weights is None else w)
    sortv = np.asarray(sortv, dtype=np.float64).reshape(-1)
    if sortv.shape[0] != n:
        raise SequenceError(f"sortv has {sortv.shape[0]} values for {n} sequences")
    order = np.argsort(sortv, kind="stable")
    ws = w[order]
    cum = np.cumsum(ws)
    gsize = wsum / k
    gmed = _medoid(d, w)
    total = float(d[:, gmed].sum())  # unweighted, as dissrf's sum.gmedoid.dist
    # dissrf's loop (1-based positions in the sorted order), kept as in R
    start = np.zeros(k + 1, dtype=np.int64)
    end = np.zeros(k + 1, dtype=np.int64)
    wfirst = np.zeros(k + 1)
    wlast = np.zeros(k + 1)
    start[1] = 1
    wfirst[1] = min(ws[0], gsize)
    end[k] = n
    wlast[k] = ws[n - 1]
    wtemp = wfirst[1]
    members, mweights, dists, medoids, sumw = [], [], [], [], []
    for i in range(1, k + 1):
        if i < k:
            below = np.flatnonzero(cum <= i * gsize)
            i2 = min((below[-1] + 1 if below.size else 0) + 1, n)
            start[i + 1] = end[i] = i2
            wfirst[i + 1] = min(cum[end[i] - 1] - i * gsize, gsize)
            if start[i + 1] == start[i]:
                wtemp = wtemp - wfirst[i + 1]
            else:
                wtemp = ws[start[i + 1] - 1]
            wg = (
                float(ws[start[i] : end[i] - 1].sum()) if end[i] > start[i] + 1 else 0.0
            )
            if end[i] > start[i]:
                wg += wfirst[i]
                wlast[i] = min(wtemp - wfirst[i + 1], gsize - wg)
            else:
                wlast[i] = 0.0
        ind = order[start[i] - 1 : end[i]]
        wind = w[ind].copy()
        wind[-1] = wlast[i]
        wind[0] = wfirst[i]
        if ind.size == 1:
            med, dist = int(ind[0]), np.zeros(1)
        else:
            sub = d[np.ix_(ind, ind)]
            km = _medoid(sub, wind)
            med, dist = int(ind[km]), sub[:, km]
        members.append(ind)
        mweights.append(wind)
        dists.append(dist)
        medoids.append(med)
        sumw.append(float((wind * dist).sum()))
    r2 = 1 - sum(sumw) / total if total > 0 else np.nan
    if k > 1 and wsum > k:
        # groups holding identical sequences explain everything: F is infinite
        f = (r2 / (k - 1)) / ((1 - r2) / (wsum - k)) if r2 < 1 else np.inf
    else:
        f = np.nan
    return RelativeFrequency(np.array(medoids), members, mweights, dists, r2, f, k)


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, probs) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cw = np.cumsum(w)
    if cw[-1] <= 0:
        return np.full(len(probs), np.nan)
    return np.array(
        [x[min(np.searchsorted(cw, p * cw[-1]), len(x) - 1)] for p in probs]
    )


def _rf_table(seq: Sequences, rf: RelativeFrequency, group: str | None) -> pd.DataFrame:
    rows = []
    for g in range(rf.k):
        dist, wts = rf.distances[g], rf.member_weights[g]
        q = _weighted_quantiles(dist, wts, (0.0, 0.25, 0.5, 0.75, 1.0))
        rows.append(
            {
                "groupe": group,
                "tranche": g + 1,
                "poids": float(wts.sum()),
                "parcours_medoide": sps(seq, int(rf.medoids[g])),
                "distance_min": q[0],
                "distance_q1": q[1],
                "distance_mediane": q[2],
                "distance_q3": q[3],
                "distance_max": q[4],
                "distance_moyenne": float((dist * wts).sum() / wts.sum()),
                "r2": rf.r2,
                "f": rf.f,
            }
        )
    table = pd.DataFrame(rows)
    return table.drop(columns="groupe") if group is None else table


def _unpack_groups(
    seq: Any, groups: Any
) -> tuple[Sequences, np.ndarray | None, dict | None]:
    seq0, labels, names = base._unpack(seq)
    if groups is not None:
        labels = np.asarray(groups)
        if labels.shape[0] != seq0.n:
            raise SequenceError(
                f"{labels.shape[0]} group labels for {seq0.n} sequences"
            )
        uniq = list(pd.unique(labels))
        with contextlib.suppress(TypeError):
            uniq = sorted(uniq)
        names = {g: str(g) for g in uniq}
    return seq0, labels, names


def plot_relative_frequency(
    seq: Any,
    d: np.ndarray | None = None,
    groups: Any = None,
    *,
    k: int | None = None,
    title: str | None = None,
    return_table: bool = False,
) -> Figure | tuple[Figure, pd.DataFrame]:
    """Relative-frequency sequence plot, like TraMineR's ``seqplot(type = "rf")``.

    The sequences are sorted by their first MDS coordinate and cut into ``k`` groups of
    equal size; the left panel draws the medoid of each group (one row each, from the
    first group at the top), the right panel the spread of the distances of the
    group's members to it (box plots). A low spread means the medoids faithfully
    summarise all the paths; the pseudo-R2 says how much of the dissimilarity the
    medoids keep.

    Parameters
    ----------
    seq : Sequences or Typology
        With a Typology (and no ``groups``) one pair of panels per type.
    d : numpy.ndarray, optional
        n x n dissimilarities (default: OM with TRATE costs, indel 1).
    groups : array-like, optional
        One label per sequence: one pair of panels per label (``seqplot``'s
        ``group``).
    k : int, optional
        Number of frequency groups per panel (default ``min(floor(n / 10), 100)``).
    title : str, optional
    return_table : bool
        Also return the plotted values: for each panel and frequency group its weight,
        medoid (compressed form), distance quartiles and mean, R2 and F.

    Returns
    -------
    matplotlib.figure.Figure, or (Figure, pandas.DataFrame)
    """
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.colors import ListedColormap

    seq0, labels, names = _unpack_groups(seq, groups)
    colours, hatches = _state_colours(seq0), base._hatches(seq0)
    d = _default_d(seq0) if d is None else _check_d(d, seq0.n)
    if labels is None:
        panels = [(None, np.arange(seq0.n))]
    else:
        panels = [
            (names[g], np.flatnonzero(labels == g))
            for g in names
            if (labels == g).any()
        ]
    fig, axes = base._figure(
        7.5, max(3.0, 2.6 * len(panels) + 0.6), nrows=len(panels), ncols=2, squeeze=False,
        gridspec_kw={"width_ratios": [2.2, 1]},
    )  # fmt: skip
    cmap = ListedColormap([base.MISSING_COLOUR, *colours])
    tables = []
    length = seq0.length
    for row, (name, idx) in enumerate(panels):
        sub_d = d[np.ix_(idx, idx)]
        kk = k if k is not None else max(1, min(len(idx) // 10, 100))
        kk = min(kk, len(idx))
        sub_seq = subset(seq0, idx)
        rf = relative_frequency(sub_d, kk, weights=getattr(sub_seq, "weights", None))
        tables.append(_rf_table(sub_seq, rf, name))
        left, right = axes[row]
        left.imshow(
            sub_seq.codes[rf.medoids] + 1, aspect="auto", interpolation="nearest",
            cmap=cmap, vmin=0, vmax=len(colours), extent=(0.5, length + 0.5, kk, 0),
        )  # fmt: skip
        base._hatch_overlay(left, sub_seq.codes[rf.medoids], colours, hatches)
        left.set_yticks([])
        base._month_ticks(left, length)
        left.set_ylabel(f"{fr_int(kk)} groupes de fréquence", fontsize=7.5)
        head = f"{name} : " if name is not None else ""
        left.set_title(
            base._wrap(f"{head}médoïdes (R² {fr_num(rf.r2, 2)})", 50), fontsize=8.5
        )
        for side in ("left", "top", "right"):
            left.spines[side].set_visible(False)
        box = right.boxplot(
            [rf.distances[g] for g in range(kk)], **_horizontal(), widths=0.6,
            positions=np.arange(kk) + 0.5, showfliers=False, patch_artist=True,
            medianprops={"color": "#D55E00"},
        )  # fmt: skip
        for patch in box["boxes"]:
            patch.set_facecolor("#DDDDDD")
            patch.set_linewidth(0.5)
        right.set_ylim(kk, 0)
        right.set_yticks([])
        right.set_title("Distance au médoïde", fontsize=8.5)
        if row == len(panels) - 1:
            left.set_xlabel(base.MONTHS_LABEL)
            right.set_xlabel("Dissimilarité")
    present = np.bincount(seq0.codes[seq0.codes >= 0], minlength=len(colours)) > 0
    base._state_legend(fig, seq0, colours, present)
    fig.suptitle(title or "Parcours types par groupes de fréquence", fontweight="bold")
    table = pd.concat(tables, ignore_index=True)
    # the plotted values travel with the figure, for the report's data table
    # (in French; no weights: a slice's size is a small count of young people)
    shown = pd.DataFrame(
        {
            "Tranche": [
                f"{g}, tranche {t}" if "groupe" in table else f"Tranche {t}"
                for g, t in zip(
                    table.get("groupe", table["tranche"]), table["tranche"], strict=True
                )
            ],
            "Parcours médoïde": table["parcours_medoide"].astype(str),
            "Distance médiane au médoïde": table["distance_mediane"].round(2),
            "Distance moyenne au médoïde": table["distance_moyenne"].round(2),
        }
    )
    attach_data(fig, shown, ordered=False)
    if return_table:
        return fig, table
    return fig


# -------------------------------------------------------------- index plot (MDS)
def _band_table(
    codes: np.ndarray, labels: tuple, group: str | None, bands: int
) -> pd.DataFrame:
    """State shares per month in each band of the sorted order (aggregates only)."""
    n, T = codes.shape
    out = []
    edges = np.linspace(0, n, min(bands, n) + 1).round().astype(int)
    for b in range(len(edges) - 1):
        rows = codes[edges[b] : edges[b + 1]]
        if len(rows) == 0:
            continue
        shares = base._distribution(rows, len(labels))
        frame = pd.DataFrame(shares, columns=[f"mois_{t + 1}" for t in range(T)])
        frame.insert(0, "situation", list(labels))
        frame.insert(0, "effectif", len(rows))
        frame.insert(0, "tranche", b + 1)
        if group is not None:
            frame.insert(0, "groupe", group)
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def _index_summary(ordered: list, labels: Any, codes: Any, n: int) -> pd.DataFrame:
    """Per panel, its share of the cohort and of its months in each state.

    For the report's data table: aggregates only, no band sizes.
    """
    present = [s for s in range(len(labels)) if (codes == s).any()]
    summary = []
    for name, rows in ordered:
        counts = np.bincount(rows[rows >= 0], minlength=len(labels))
        total = max(int(counts.sum()), 1)
        summary.append(
            {
                "Groupe": name if name is not None else "Ensemble",
                "Part de la cohorte": len(rows) / n,
                **{labels[s]: counts[s] / total for s in present},
            }
        )
    return pd.DataFrame(summary)


def plot_index(
    data: Any,
    *,
    sort: str | np.ndarray | None = None,
    d: np.ndarray | None = None,
    title: str | None = None,
    return_table: bool = False,
    bands: int = 10,
) -> Figure | tuple[Figure, pd.DataFrame]:
    """Index plot: one thin row per young person, grouped and sorted.

    Parameters
    ----------
    data : Sequences or Typology
    sort : {None, "mds", "from.start", "from.end"} or array-like
        Row order within each group: ``None`` the historical order of this package
        (sequence read from the last month back); ``"mds"`` the first coordinate of the
        classical MDS of ``d`` (TraMineR's ``sortv = "mds"``; with a Typology the MDS
        is that of the whole cohort), ``"from.start"`` / ``"from.end"`` the sequences
        sorted from the first / last month (TraMineR's sortv names), or one sort value
        per sequence.
    d : numpy.ndarray, optional
        n x n dissimilarities for ``sort="mds"`` (default: OM with TRATE costs,
        indel 1).
    title : str, optional
    return_table : bool
        Also return the plotted values, aggregated: the share of each state, month by
        month, in ``bands`` bands of equal size of the sorted rows (per group).
    bands : int
        Number of bands of the table.

    Returns
    -------
    matplotlib.figure.Figure, or (Figure, pandas.DataFrame)
    """
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.colors import ListedColormap

    seq, labels, names = base._unpack(data)
    n, length = seq.codes.shape
    codes = np.asarray(seq.codes)
    if sort is None:
        key = None
    elif isinstance(sort, str):
        if sort == "mds":
            dd = _default_d(seq) if d is None else _check_d(d, n)
            key = mds_coordinate(dd)
        elif sort in ("from.start", "from.end"):
            cols = range(length - 1, -1, -1) if sort == "from.start" else range(length)
            rank = np.lexsort([codes[:, j] for j in cols])
            key = np.empty(n)
            key[rank] = np.arange(n)
        else:
            raise SequenceError(
                f"sort must be None, 'mds', 'from.start', 'from.end' or values, got {sort!r}"
            )
    else:
        key = np.asarray(sort, dtype=np.float64).reshape(-1)
        if key.shape[0] != n:
            raise SequenceError(f"sort has {key.shape[0]} values for {n} sequences")
    if labels is None:
        groups = [(None, np.arange(n))]
    else:
        groups = [(names[g], np.flatnonzero(labels == g)) for g in sorted(names)]
        groups = [(name, idx) for name, idx in groups if idx.size]
    ordered = []
    for name, idx in groups:
        rows = codes[idx]
        if key is None:
            order = np.lexsort([rows[:, j] for j in range(length)])
        else:
            order = np.argsort(key[idx], kind="stable")
        ordered.append((name, rows[order]))
    table = pd.concat(
        [_band_table(rows, seq.labels, name, bands) for name, rows in ordered],
        ignore_index=True,
    )
    if key is None:
        fig = base.plot_index(data, title=title)
        return (fig, table) if return_table else fig
    colours = _state_colours(seq)
    cmap = ListedColormap([base.MISSING_COLOUR, *colours])
    shares = np.array([len(rows) / n for _, rows in ordered])
    fig, axes = base._figure(
        7.5, 5.2, nrows=len(ordered), sharex=True, squeeze=False,
        gridspec_kw={"height_ratios": np.maximum(shares, 0.06), "hspace": 0.02},
    )  # fmt: skip
    for ax, (name, rows) in zip(axes[:, 0], ordered, strict=True):
        ax.imshow(
            rows + 1, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0,
            vmax=len(colours), extent=(0.5, length + 0.5, len(rows), 0),
        )  # fmt: skip
        base._hatch_overlay(ax, rows, colours, base._hatches(seq))
        ax.set_yticks([])
        label = (
            "Jeunes (une ligne par jeune)"
            if name is None
            else base._wrap(f"{name} ({fr_pct(len(rows) / n)})", 30)
        )
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=7.5)
        for side in ("left", "top", "right", "bottom"):
            ax.spines[side].set_visible(False)
    base._month_ticks(axes[-1, 0], length)
    axes[-1, 0].set_xlabel(base.MONTHS_LABEL)
    present = np.bincount(codes[codes >= 0], minlength=len(colours)) > 0
    base._state_legend(fig, seq, colours, present)
    how = {"mds": "triés par proximité (MDS)", "from.start": "triés depuis le début",
           "from.end": "triés depuis la fin"}  # fmt: skip
    default = (
        "Parcours individuels, " + how.get(sort, "triés")
        if isinstance(sort, str)
        else ("Parcours individuels, triés")
    )
    fig.suptitle(title or default, fontweight="bold")
    shown = _index_summary(ordered, seq.labels, codes, n)
    attach_data(fig, shown, percent=list(shown.columns[1:]), ordered=False)
    return (fig, table) if return_table else fig


__all__ = [
    "RelativeFrequency",
    "mds_coordinate",
    "plot_index",
    "plot_relative_frequency",
    "relative_frequency",
]
