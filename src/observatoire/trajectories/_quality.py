"""Quality of a partition of dissimilarities, as WeightedCluster 2.0's ``wcClusterQuality``.

Ten statistics, computed as WeightedCluster's C code ``clusterqualitybody.cpp`` does
(numba kernels, no per-pair Python):

- **Pairs.** The pair statistics (PBC, HG, HGSD, HC) run over the n diagonal pairs (i, i),
  at distance 0, same cluster, weight w_i^2, and every pair i < j with weight 2 w_i w_j.
- **PBC**: weighted Pearson correlation between the distance and "different cluster".
- **HG**: Goodman and Kruskal's gamma (nc - nd) / (nc + nd); **HGSD**: Somers' D
  (nc - nd) / (nc + nd + ties). As in the C code, each concordant (discordant) pair of
  pairs is counted from both of its ends and each tie once: with plain counts NC, ND, T,
  HG = (NC - ND) / (NC + ND) and HGSD = (NC - ND) / (NC + ND + T / 2). A tie is an exact
  equality of two doubles, so HG and HGSD depend on the last bits of the distances.
- **HC**: Hubert's C, (S - Smin) / (Smax - Smin), S the weighted sum of within-cluster
  distances, Smin (Smax) the sum of the smallest (largest) distances of the same weight.
- **CH, R2** (and **CHsq, R2sq** with squared distances): with
  SS_res = sum_c sum_{i != j in c} w_i w_j d_ij / W_c and SS_tot likewise over all pairs
  divided by W, CH = ((SS_tot - SS_res) / (k - 1)) / (SS_res / (W - k)) and
  R2 = 1 - SS_res / SS_tot.
- **ASW, ASWw**: a_i is the weighted mean distance from i to the other members of its
  cluster, divided by W_c - 1 (ASW) or W_c (ASWw); b_i the smallest weighted mean
  distance to another cluster; s_i = (b_i - a_i) / max(a_i, b_i); both are weighted means
  of s_i. **Convention of WeightedCluster, not of cluster::silhouette**: a cluster of
  weight <= 1 has a_i = 0, so a singleton has s_i = 1 (cluster::silhouette gives 0); and
  ASW is NaN (with a warning) when a cluster weighs less than 1.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numba import njit, prange

from ..exceptions import SequenceError
from ..figures import attach_data
from ._cluster import SERIAL_CELLS, _check_diss, pam, ward
from ._distances import distances
from ._kmedoids import kmedoids, weighted_ward
from ._plots import _figure
from ._sequences import Sequences, _check_seq, _check_weights, substitution_costs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

#: the statistics of :func:`cluster_quality`, in WeightedCluster's order
QUALITY_STATS = ("PBC", "HG", "HGSD", "ASW", "ASWw", "CH", "R2", "CHsq", "R2sq", "HC")
#: statistics for which a smaller value is better (all others: larger is better)
SMALLER_IS_BETTER = ("HC",)

#: French names of the statistics, for tables and plots read by people
STAT_LABELS_FR = {
    "PBC": "Point biserial correlation (PBC)",
    "HG": "Gamma de Hubert (HG)",
    "HGSD": "D de Somers (HGSD)",
    "ASW": "Silhouette moyenne (ASW)",
    "ASWw": "Silhouette moyenne pondérée (ASWw)",
    "CH": "Calinski-Harabasz (CH)",
    "R2": "Part de variance expliquée (R²)",
    "CHsq": "Calinski-Harabasz, distances au carré (CHsq)",
    "R2sq": "R², distances au carré (R2sq)",
    "HC": "C de Hubert (HC, plus petit = meilleur)",
}


# ------------------------------------------------------------------ kernels


@njit(cache=True)
def _row_sums_one(d, lab, w, i, s1, s2):
    for j in range(d.shape[0]):
        if j != i:
            x = d[i, j]
            wx = w[j] * x
            s1[i, lab[j]] += wx
            s2[i, lab[j]] += wx * x


@njit(cache=True, parallel=True)
def _row_sums_par(d, lab, w, k):
    n = d.shape[0]
    s1 = np.zeros((n, k))
    s2 = np.zeros((n, k))
    for i in prange(n):
        _row_sums_one(d, lab, w, i, s1, s2)
    return s1, s2


@njit(cache=True)
def _row_sums_ser(d, lab, w, k):
    n = d.shape[0]
    s1 = np.zeros((n, k))
    s2 = np.zeros((n, k))
    for i in range(n):
        _row_sums_one(d, lab, w, i, s1, s2)
    return s1, s2


def _row_sums(d, lab, w, k):
    """S1[i, c] = sum_{j != i, lab j = c} w_j d_ij and S2 the same with d_ij^2."""
    big = d.shape[0] * d.shape[0] > SERIAL_CELLS
    return (_row_sums_par if big else _row_sums_ser)(d, lab, w, k)


@njit(cache=True)
def _pair_offsets(lab, k):
    """Number of later same-cluster items of each row, and exclusive prefix sums."""
    n = lab.shape[0]
    later = np.zeros(k, dtype=np.int64)
    same_row = np.zeros(n, dtype=np.int64)
    for i in range(n - 1, -1, -1):
        same_row[i] = later[lab[i]]
        later[lab[i]] += 1
    off_s = np.zeros(n + 1, dtype=np.int64)
    off_d = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        off_s[i + 1] = off_s[i] + same_row[i]
        off_d[i + 1] = off_d[i] + (n - 1 - i - same_row[i])
    return off_s, off_d


@njit(cache=True)
def _split_row(d, lab, w, off_s, off_d, weighted, i, sv, sw, dv, dw):
    ps = off_s[i]
    pd_ = off_d[i]
    for j in range(i + 1, d.shape[0]):
        if lab[j] == lab[i]:
            sv[ps] = d[i, j]
            if weighted:
                sw[ps] = 2.0 * w[i] * w[j]
            ps += 1
        else:
            dv[pd_] = d[i, j]
            if weighted:
                dw[pd_] = 2.0 * w[i] * w[j]
            pd_ += 1


@njit(cache=True, parallel=True)
def _split_pairs_par(d, lab, w, off_s, off_d, weighted):
    n = d.shape[0]
    sv = np.empty(off_s[n])
    dv = np.empty(off_d[n])
    sw = np.empty(off_s[n] if weighted else 0)
    dw = np.empty(off_d[n] if weighted else 0)
    for i in prange(n):
        _split_row(d, lab, w, off_s, off_d, weighted, i, sv, sw, dv, dw)
    return sv, sw, dv, dw


@njit(cache=True)
def _split_pairs_ser(d, lab, w, off_s, off_d, weighted):
    n = d.shape[0]
    sv = np.empty(off_s[n])
    dv = np.empty(off_d[n])
    sw = np.empty(off_s[n] if weighted else 0)
    dw = np.empty(off_d[n] if weighted else 0)
    for i in range(n):
        _split_row(d, lab, w, off_s, off_d, weighted, i, sv, sw, dv, dw)
    return sv, sw, dv, dw


def _split_pairs(d, lab, w, off_s, off_d, weighted):
    """Distances (and pair weights 2 w_i w_j) of the pairs i < j, same vs different."""
    big = d.shape[0] * d.shape[0] > SERIAL_CELLS
    kernel = _split_pairs_par if big else _split_pairs_ser
    return kernel(d, lab, w, off_s, off_d, weighted)


@njit(cache=True)
def _kendall_walk(sv, sw, dv, dw, weighted, diag_w):
    """nc, nd, ties, Smin, Smax over sorted distances, as the C code's ordered map walk.

    ``sv``/``dv``: sorted same-/different-cluster distances with weights ``sw``/``dw``
    (2.0 each when not ``weighted``); ``diag_w``: total weight of the diagonal pairs, at
    distance 0.0 with the same-cluster ones.
    """
    ns = sv.shape[0]
    nd_ = dv.shape[0]
    tot0 = diag_w
    tot1 = 0.0
    if weighted:
        for a in range(ns):
            tot0 += sw[a]
        for b in range(nd_):
            tot1 += dw[b]
    else:
        tot0 += 2.0 * ns
        tot1 = 2.0 * nd_
    w_smin = tot0
    w_smax = tot1
    nc = 0.0
    nd = 0.0
    ties = 0.0
    smin = 0.0
    smax = 0.0
    cur0 = 0.0
    cur1 = 0.0
    curww = 0.0
    a = 0
    b = 0
    first = True
    while first or a < ns or b < nd_:
        # next key: 0.0 first (the diagonal's key always exists), then the smallest left
        if first:
            x = 0.0
        elif a < ns and (b >= nd_ or sv[a] <= dv[b]):
            x = sv[a]
        else:
            x = dv[b]
        d0 = diag_w if first else 0.0
        first = False
        while a < ns and sv[a] == x:
            d0 += sw[a] if weighted else 2.0
            a += 1
        d1 = 0.0
        while b < nd_ and dv[b] == x:
            d1 += dw[b] if weighted else 2.0
            b += 1
        ww = d0 + d1
        if ww > 0:
            if curww <= w_smin:
                if curww + ww > w_smin:
                    smin += (w_smin - curww) * x
                else:
                    smin += ww * x
            curww += ww
            if curww > w_smax:
                if curww - ww < w_smax:
                    smax += (curww - w_smax) * x
                else:
                    smax += ww * x
            ties += d1 * d0
            nc += d1 * cur0
            nd += d0 * cur1
            cur0 += d0
            cur1 += d1
            nc += d0 * (tot1 - cur1)
            nd += d1 * (tot0 - cur0)
    return nc, nd, ties, smin, smax


# ------------------------------------------------------------------ helpers
def _check_labels(labels: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct labels = R's factor levels, 0-based code of each item)."""
    lab = np.asarray(labels)
    if lab.shape != (n,):
        raise SequenceError(
            f"labels has shape {lab.shape}, expected ({n},) as the dissimilarity matrix"
        )
    if lab.dtype.kind == "f" and np.isnan(lab).any():
        raise SequenceError(
            f"labels has missing values (row {int(np.flatnonzero(np.isnan(lab))[0])})"
        )
    levels, codes = np.unique(lab, return_inverse=True)
    if levels.size < 2:
        raise SequenceError("the clustering should have at least two different values")
    return levels, codes.reshape(-1).astype(np.int64)


def _weights_or_ones(weights: Any, n: int) -> tuple[np.ndarray, bool]:
    w = _check_weights(weights, n)
    if w is None:
        return np.ones(n), False
    return np.ascontiguousarray(w), True


def _quality_core(
    d: np.ndarray, codes: np.ndarray, k: int, w: np.ndarray, weighted: bool
) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """The ten statistics, the per-cluster (ASW, ASWw) table and the per-item widths."""
    n = d.shape[0]
    s1, s2 = _row_sums(d, codes, w, k)
    sizes = np.bincount(codes, weights=w, minlength=k)
    rows = np.arange(n)
    own1 = s1[rows, codes]
    own2 = s2[rows, codes]
    errors = np.bincount(codes, weights=w * own1, minlength=k)
    errors2 = np.bincount(codes, weights=w * own2, minlength=k)
    wx = float(w @ s1.sum(axis=1))
    wx2 = float(w @ s2.sum(axis=1))
    wxy = float(errors.sum())
    pos = w > 0
    # same-cluster pair weight: diagonal w_i^2 plus 2 w_i w_j for i < j in a cluster
    wy = float((sizes**2).sum())
    totw_pairs = float(w[pos].sum()) ** 2
    xb = wx / totw_pairs
    yb = wy / totw_pairs
    covx = wx2 / totw_pairs - xb * xb
    covy = wy / totw_pairs - yb * yb
    covxy = wxy / totw_pairs - yb * xb
    pbc = -covxy / np.sqrt(covx * covy)

    off_s, off_d = _pair_offsets(codes, k)
    sv, sw, dv, dw = _split_pairs(d, codes, w, off_s, off_d, weighted)
    if weighted:
        o = np.argsort(sv, kind="stable")
        sv, sw = sv[o], sw[o]
        o = np.argsort(dv, kind="stable")
        dv, dw = dv[o], dw[o]
    else:
        sv.sort()
        dv.sort()
    diag_w = float((w[pos] ** 2).sum())
    nc, nd, ties, smin, smax = _kendall_walk(sv, sw, dv, dw, weighted, diag_w)
    del sv, sw, dv, dw

    wtot = float(sizes.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        ss_res = float((errors / sizes).sum())
        ss2_res = float((errors2 / sizes).sum())
        ss_exp = wx / wtot - ss_res
        ss2_exp = wx2 / wtot - ss2_res
        ch = (ss_exp / (k - 1.0)) / (ss_res / (wtot - k))
        r2 = ss_exp / (ss_res + ss_exp)
        ch2 = (ss2_exp / (k - 1.0)) / (ss2_res / (wtot - k))
        r2sq = ss2_exp / (ss2_res + ss2_exp)

        # silhouettes
        means = s1 / sizes
        means[rows, codes] = np.inf
        b = means.min(axis=1)
        own_size = sizes[codes]
        a_w = own1 / own_size
        a = np.where(own_size <= 1.0, 0.0, own1 / (own_size - 1.0))
        s_i = (b - a) / np.fmax(a, b)
        s_w = (b - a_w) / np.fmax(a_w, b)
        # R's fmax2 gives NaN when either side is NaN; numpy's fmax would not
        s_i = np.where(np.isnan(a) | np.isnan(b), np.nan, s_i)
        s_w = np.where(np.isnan(a_w) | np.isnan(b), np.nan, s_w)
        ws_i = np.where(pos, w * s_i, 0.0)
        ws_w = np.where(pos, w * s_w, 0.0)
        asw_c = np.bincount(codes, weights=ws_i, minlength=k) / sizes
        aswh_c = np.bincount(codes, weights=ws_w, minlength=k) / sizes
        stats = {
            "PBC": pbc,
            "HG": (nc - nd) / (nc + nd),
            "HGSD": (nc - nd) / (nc + nd + ties),
            "ASW": float(ws_i.sum()) / wtot,
            "ASWw": float(ws_w.sum()) / wtot,
            "CH": ch,
            "R2": r2,
            "CHsq": ch2,
            "R2sq": r2sq,
            "HC": (wxy - smin) / (smax - smin),
        }
    per_cluster = np.column_stack([asw_c, aswh_c])
    if (sizes < 1).any():
        warnings.warn(
            "ASW cannot be computed: at least one cluster weighs less than one "
            "observation (ASWw is still given)",
            RuntimeWarning,
            stacklevel=3,
        )
        stats["ASW"] = np.nan
        per_cluster[:, 0] = np.nan
    return (
        {key: float(v) for key, v in stats.items()},
        per_cluster,
        np.column_stack([s_i, s_w]),
    )


# ------------------------------------------------------------------ public API
def cluster_quality(d: np.ndarray, labels: Any, weights: Any = None) -> pd.Series:
    """Quality statistics of a partition, as ``WeightedCluster::wcClusterQuality()$stats``.

    See the module documentation for every formula and convention (they follow
    WeightedCluster's C code, ties and singletons included).

    Parameters
    ----------
    d : numpy.ndarray
        n x n symmetric dissimilarities.
    labels : array-like
        Cluster of each item (any sortable labels, at least 2 distinct).
    weights : array-like, optional
        Case weights (default 1 each), e.g. ``seq.weights``.

    Returns
    -------
    pandas.Series
        PBC, HG, HGSD, ASW, ASWw, CH, R2, CHsq, R2sq, HC (named ``quality``).

    Examples
    --------
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    >>> q = cluster_quality(d, [1, 1, 2, 2])
    >>> float(q["ASW"]), float(q["HG"]), float(q["R2"])
    (0.8888888888888888, 1.0, 0.8947368421052632)
    """
    d = _check_diss(d)
    n = d.shape[0]
    _, codes = _check_labels(labels, n)
    w, weighted = _weights_or_ones(weights, n)
    stats, _, _ = _quality_core(d, codes, int(codes.max()) + 1, w, weighted)
    return pd.Series(stats, name="quality")[list(QUALITY_STATS)]


def cluster_silhouettes(
    d: np.ndarray, labels: Any, weights: Any = None
) -> pd.DataFrame:
    """Mean silhouette of each cluster, as ``wcClusterQuality()$ASW``.

    Parameters
    ----------
    d, labels, weights
        As :func:`cluster_quality`.

    Returns
    -------
    pandas.DataFrame
        One row per cluster (the sorted distinct labels, as R's factor levels),
        columns ``n`` (weight of the cluster), ``ASW`` and ``ASWw``: the weighted mean
        of the silhouettes s_i (denominator W_c - 1) and s_i^w (denominator W_c) of its
        members.

    Examples
    --------
    >>> d = np.array([[0, 1, 4], [1, 0, 2], [4, 2, 0.0]])
    >>> cluster_silhouettes(d, ["x", "x", "y"])["ASW"].tolist()
    [0.625, 1.0]
    """
    d = _check_diss(d)
    n = d.shape[0]
    levels, codes = _check_labels(labels, n)
    w, weighted = _weights_or_ones(weights, n)
    k = int(codes.max()) + 1
    _, per_cluster, _ = _quality_core(d, codes, k, w, weighted)
    out = pd.DataFrame(
        per_cluster, index=pd.Index(levels, name="cluster"), columns=["ASW", "ASWw"]
    )
    out.insert(0, "n", np.bincount(codes, weights=w, minlength=k))
    return out


def weighted_silhouette_samples(
    d: np.ndarray, labels: Any, weights: Any = None, measure: str = "ASW"
) -> np.ndarray:
    """Silhouette of each item, as ``WeightedCluster::wcSilhouetteObs``.

    Unlike :func:`silhouette_samples` (``cluster::silhouette``: 0 for a singleton),
    WeightedCluster gives a singleton the width 1 (its a_i is 0).

    Parameters
    ----------
    d, labels, weights
        As :func:`cluster_quality`.
    measure : {"ASW", "ASWw"}
        Denominator W_c - 1 (``ASW``) or W_c (``ASWw``) in a_i.

    Returns
    -------
    numpy.ndarray
        n widths.
    """
    if measure not in ("ASW", "ASWw"):
        raise SequenceError(f"unknown silhouette measure {measure!r} (ASW, ASWw)")
    d = _check_diss(d)
    n = d.shape[0]
    _, codes = _check_labels(labels, n)
    w, weighted = _weights_or_ones(weights, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, _, widths = _quality_core(d, codes, int(codes.max()) + 1, w, weighted)
    return widths[:, 0 if measure == "ASW" else 1]


@dataclass(frozen=True)
class ClusterRange:
    """Quality of partitions for a range of k, like WeightedCluster's ``clustrange``.

    Attributes
    ----------
    stats : pandas.DataFrame
        One row per k (index ``k``), the columns of :data:`QUALITY_STATS`.
    labels : pandas.DataFrame
        One column ``cluster<k>`` per k, one row per item (index: the ids given, else
        0..n-1): the cluster of each item, 1..k.
    method : str
        How the partitions were made (``"ward"``, ``"pam"``, or ``"given"``).
    """

    stats: pd.DataFrame
    labels: pd.DataFrame
    method: str

    def best(self, n: int = 1) -> pd.DataFrame:
        """The ``n`` best k for each statistic, as ``summary.clustrange``.

        Largest value for every statistic except HC (smallest).

        Returns
        -------
        pandas.DataFrame
            Index: the statistics; columns ``k`` and ``value`` (and ``k2``, ``value2``,
            ... when ``n > 1``).
        """
        rows = {}
        for stat in self.stats.columns:
            col = self.stats[stat]
            asc = stat in SMALLER_IS_BETTER
            order = col.sort_values(ascending=asc, kind="stable").iloc[:n]
            row = {}
            for r, (k, v) in enumerate(order.items(), start=1):
                sfx = "" if r == 1 else str(r)
                row[f"k{sfx}"] = int(k)
                row[f"value{sfx}"] = float(v)
            rows[stat] = row
        return pd.DataFrame.from_dict(rows, orient="index")

    def plot(self, stats: Sequence[str] | None = None, **kwargs: Any) -> Figure:
        """Plot of the statistics against k; see :func:`plot_cluster_range`."""
        return plot_cluster_range(self, stats=stats, **kwargs)


def cluster_range(
    d: np.ndarray,
    method: str = "ward",
    k: Iterable[int] = range(2, 9),
    weights: Any = None,
    *,
    ids: Sequence | pd.Index | None = None,
) -> ClusterRange:
    """Quality of the partitions in k = 2, 3, ... clusters, like ``as.clustrange``.

    - ``method="ward"``: ``hclust(method = "ward.D")`` cut at each k (``cutree``
      numbering), weighted Ward (``hclust(members = weights)``) with weights;
    - ``method="pam"``: ``cluster::pam`` for each k without weights
      (:func:`pam`); with weights, WeightedCluster's weighted k-medoids
      (``wcKMedoids``, BUILD then PAMonce swaps, :func:`kmedoids`), as ``wcKMedRange``.

    Parameters
    ----------
    d : numpy.ndarray
        n x n symmetric dissimilarities.
    method : {"ward", "pam"}
    k : iterable of int
        The numbers of clusters (default 2..8).
    weights : array-like, optional
        Case weights, used for the partitions and for the statistics.
    ids : sequence, optional
        Row labels of :attr:`ClusterRange.labels` (e.g. ``seq.ids``).

    Returns
    -------
    ClusterRange
    """
    d = _check_diss(d)
    n = d.shape[0]
    w = _check_weights(weights, n)
    ks = [int(x) for x in k]
    if not ks:
        raise SequenceError("no k given to cluster_range")
    bad = [x for x in ks if not 2 <= x <= n]
    if bad:
        raise SequenceError(f"k must be between 2 and n={n}, got {bad}")
    method_l = str(method).lower()
    if method_l not in ("ward", "pam"):
        raise SequenceError(f"unknown clustering method {method!r} (ward, pam)")
    labels = {}
    for kk in ks:
        if method_l == "ward":
            lab = ward(d, kk) if w is None else weighted_ward(d, kk, w)
        else:
            lab = pam(d, kk)[0] if w is None else kmedoids(d, kk, weights=w).labels
        labels[f"cluster{kk}"] = lab
    return cluster_range_from_labels(
        d, pd.DataFrame(labels, index=ids), weights=w, method=method_l
    )


def cluster_range_from_labels(
    d: np.ndarray, labels: pd.DataFrame, weights: Any = None, method: str = "given"
) -> ClusterRange:
    """Quality of given partitions (one column each), like ``as.clustrange(data.frame)``.

    The k of each column is its number of distinct labels.
    """
    d = _check_diss(d)
    n = d.shape[0]
    if not isinstance(labels, pd.DataFrame):
        labels = pd.DataFrame(labels)
    if labels.shape[0] != n:
        raise SequenceError(
            f"labels has {labels.shape[0]} rows, expected {n} as the dissimilarities"
        )
    w, weighted = _weights_or_ones(weights, n)
    rows = {}
    for col in labels.columns:
        _, codes = _check_labels(labels[col].to_numpy(), n)
        kk = int(codes.max()) + 1
        stats, _, _ = _quality_core(d, codes, kk, w, weighted)
        if kk in rows:
            raise SequenceError(f"two partitions with k={kk} (column {col!r})")
        rows[kk] = stats
    stats = pd.DataFrame.from_dict(rows, orient="index")[list(QUALITY_STATS)]
    stats.index.name = "k"
    return ClusterRange(stats, labels, method)


def plot_cluster_range(
    cr: ClusterRange,
    stats: Sequence[str] | None = None,
    *,
    standardize: bool = False,
    title: str | None = None,
) -> Figure:
    """Quality statistics against the number of clusters (French labels).

    Like WeightedCluster's ``plot.clustrange``: one line per statistic.

    Parameters
    ----------
    cr : ClusterRange
    stats : list of str, optional
        The statistics to draw (default ASW, HC, PBC, R2, as in WeightedCluster's
        examples).
    standardize : bool
        Draw z-scores (each statistic centred and scaled over the k), to compare
        statistics of different ranges on one axis (``norm = "zscore"``).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if stats is None:
        stats = ["ASW", "HC", "PBC", "R2"]
    unknown = [s for s in stats if s not in cr.stats.columns]
    if unknown:
        raise SequenceError(f"unknown statistics {unknown} (one of {QUALITY_STATS})")
    fig, ax = _figure(6.4, 3.6)
    ks = cr.stats.index.to_numpy()
    plotted = pd.DataFrame({"Nombre de types (k)": [str(k) for k in ks]})
    for stat in stats:
        y = cr.stats[stat].to_numpy(dtype=float)
        if standardize:
            sd = y.std(ddof=1) if y.size > 1 else 0.0
            y = (y - y.mean()) / sd if sd > 0 else np.zeros_like(y)
        plotted[STAT_LABELS_FR.get(stat, stat)] = np.round(y, 3)
        ax.plot(ks, y, marker="o", label=STAT_LABELS_FR.get(stat, stat))
    ax.set_xticks(ks)
    ax.set_xlabel("Nombre de types (k)")
    ax.set_ylabel("Valeur centrée réduite" if standardize else "Valeur de l'indicateur")
    ax.legend(loc="best")
    ax.set_title(title or "Qualité de la typologie selon le nombre de types")
    return attach_data(fig, plotted)


def cluster_quality_sampled(
    seq: Any,
    labels: Any,
    method: str = "OM",
    sm: Any = None,
    indel: float = 1.0,
    *,
    sample_size: int = 2000,
    samples: int = 10,
    seed: int | None = 0,
    weighted: bool = True,
    with_missing: bool = False,
) -> pd.DataFrame:
    """Quality of a partition of many sequences, estimated on random samples (CLARA-style).

    :func:`cluster_quality` needs the n x n matrix (quadratic time and memory: 80 GB at
    n = 100,000). Here each of ``samples`` random samples of ``sample_size`` sequences
    gets its own dissimilarities and statistics; their mean estimates the statistics of
    the whole partition and their spread says how precise that is. WeightedCluster
    offers the same idea for CLARA typologies (``seqclararange``). A TRATE cost matrix
    is computed once from all the sequences, not from each sample.

    Parameters
    ----------
    seq : Sequences
    labels : array-like
        Cluster of each sequence (e.g. :attr:`ClaraResult.labels`).
    method, sm, indel, with_missing
        As :func:`distances`.
    sample_size : int
        Sequences per sample (all of them when n is smaller).
    samples : int
        Number of samples.
    seed : int, optional
        Seed of the sampling.
    weighted : bool
        Use the sequences' weights, if any, in the statistics.

    Returns
    -------
    pandas.DataFrame
        One row per sample, the columns of :data:`QUALITY_STATS`.
    """
    _check_seq(seq)
    lab = np.asarray(labels)
    if lab.shape != (seq.n,):
        raise SequenceError(f"labels has shape {lab.shape}, expected ({seq.n},)")
    if int(samples) < 1 or int(sample_size) < 2:
        raise SequenceError("samples must be >= 1 and sample_size >= 2")
    if isinstance(sm, str) and sm.upper() == "TRATE":
        sm = substitution_costs(seq, "TRATE", with_missing=with_missing)
    rng = np.random.default_rng(seed)
    m = min(int(sample_size), seq.n)
    rows = []
    for _ in range(int(samples)):
        idx = np.sort(rng.choice(seq.n, size=m, replace=False))
        w = None if (seq.weights is None or not weighted) else seq.weights[idx]
        sub = Sequences(
            seq.codes[idx], seq.alphabet, seq.labels, seq.ids[idx], seq.positions, w
        )
        d = distances(sub, method, sm=sm, indel=indel, with_missing=with_missing)
        rows.append(cluster_quality(d, lab[idx], weights=w))
        del d
    out = pd.DataFrame(rows).reset_index(drop=True)
    out.index.name = "sample"
    return out
