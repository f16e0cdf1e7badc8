"""Is a typology real? Bootstrap stability of partitions, by number of clusters.

For each resample (drawn with a seed) the clustering is redone on the resampled items
only, and its partition is compared with the partition of the full data restricted to
the same items by the adjusted Rand index (ARI: 1 identical partitions, about 0 no more
agreement than chance). A typology whose ARI stays high over the resamples does not
depend on a few individuals; a typology of structureless data changes from one resample
to the next. This follows Hennig's ``fpc::clusterboot`` (bootstrap, points drawn twice
kept once), with the ARI as the agreement measure; there is no TraMineR or
WeightedCluster equivalent to match.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import SequenceError
from ._cluster import _check_diss, pam, ward
from ._kmedoids import kmedoids, weighted_ward
from ._plots import _figure
from ._sequences import _check_weights

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)


def adjusted_rand_index(a: Any, b: Any) -> float:
    """Adjusted Rand index of two partitions of the same items (Hubert and Arabie 1985).

    ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E), with
    E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2), n_ij the contingency table and a_i,
    b_j its margins. 1 when both partitions are one cluster (or both all singletons).

    Examples
    --------
    >>> adjusted_rand_index([1, 1, 2, 2], [5, 5, 7, 7])
    1.0
    >>> round(adjusted_rand_index([1, 1, 2, 2], [1, 2, 1, 2]), 12)
    -0.5
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise SequenceError(f"partitions of different shapes {a.shape} and {b.shape}")
    n = a.size
    if n < 2:
        return 1.0
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    ia = ia.reshape(-1)
    ib = ib.reshape(-1)
    table = np.zeros((ia.max() + 1, ib.max() + 1))
    np.add.at(table, (ia, ib), 1.0)

    def c2(x):
        return (x * (x - 1.0) / 2.0).sum()

    sum_ij = c2(table)
    sa = c2(table.sum(axis=1))
    sb = c2(table.sum(axis=0))
    expected = sa * sb / (n * (n - 1.0) / 2.0)
    top = (sa + sb) / 2.0 - expected
    if top == 0:
        return 1.0
    return float((sum_ij - expected) / top)


def _cluster(d: np.ndarray, k: int, method: str, w: np.ndarray | None) -> np.ndarray:
    if method == "ward":
        return ward(d, k) if w is None else weighted_ward(d, k, w)
    return pam(d, k)[0] if w is None else kmedoids(d, k, weights=w).labels


@dataclass(frozen=True)
class StabilityResult:
    """Result of :func:`typology_stability`.

    Attributes
    ----------
    ari : pandas.DataFrame
        ARI of each resample (rows) and k (columns).
    summary : pandas.DataFrame
        By k: mean, sd, q05, median, q95 of the ARI, and ``stable_share`` (share of the
        resamples with ARI >= ``threshold``).
    threshold : float
    method : str
    scheme : str
    """

    ari: pd.DataFrame
    summary: pd.DataFrame
    threshold: float
    method: str
    scheme: str

    def plot(self, *, title: str | None = None) -> Figure:
        """Boxes of the ARI of the resamples by k (French labels), the threshold dashed."""
        fig, ax = _figure(6.4, 3.4)
        ks = list(self.ari.columns)
        data = [self.ari[k].dropna().to_numpy() for k in ks]
        ax.boxplot(data, positions=range(len(ks)), widths=0.5)
        ax.set_xticks(range(len(ks)), [str(k) for k in ks])
        ax.axhline(self.threshold, linestyle="--", linewidth=0.8, color="grey")
        ax.set_ylim(min(-0.05, float(np.nanmin(self.ari.to_numpy())) - 0.05), 1.05)
        ax.set_xlabel("Nombre de types (k)")
        ax.set_ylabel("Indice de Rand ajusté")
        ax.set_title(
            title or f"Stabilité de la typologie sur {len(self.ari)} rééchantillonnages"
        )
        return fig


def typology_stability(
    d: np.ndarray,
    method: str = "ward",
    k: Iterable[int] = range(2, 9),
    resamples: int = 100,
    *,
    weights: Any = None,
    scheme: str = "bootstrap",
    fraction: float = 0.8,
    threshold: float = 0.8,
    seed: int | None = 0,
    labels: pd.DataFrame | None = None,
) -> StabilityResult:
    """Bootstrap stability of the typologies in k = 2, 3, ... clusters.

    Parameters
    ----------
    d : numpy.ndarray
        n x n symmetric dissimilarities.
    method : {"ward", "pam"}
        The clustering redone on each resample (as :func:`cluster_range`: Ward or
        cluster::pam without weights, weighted Ward or weighted k-medoids with).
    k : iterable of int
        Numbers of clusters.
    resamples : int
        Number of resamples.
    weights : array-like, optional
        Case weights: resampling probabilities proportional to them, and weights of
        the clustering.
    scheme : {"bootstrap", "subsample"}
        ``"bootstrap"``: n draws with replacement, each drawn item kept once (about
        63 % of the items); ``"subsample"``: ``fraction`` of the items without
        replacement.
    fraction : float
        Share of the items in a subsample.
    threshold : float
        ARI from which a resample counts as reproducing the typology.
    seed : int, optional
        Seed of the resampling (results are reproducible).
    labels : pandas.DataFrame, optional
        The full-data partitions to assess, one column per k (e.g.
        :attr:`ClusterRange.labels`); by default made with ``method``.

    Returns
    -------
    StabilityResult
    """
    d = _check_diss(d)
    n = d.shape[0]
    w = _check_weights(weights, n)
    ks = [int(x) for x in k]
    method = str(method).lower()
    if method not in ("ward", "pam"):
        raise SequenceError(f"unknown clustering method {method!r} (ward, pam)")
    if scheme not in ("bootstrap", "subsample"):
        raise SequenceError(
            f"unknown resampling scheme {scheme!r} (bootstrap, subsample)"
        )
    if int(resamples) < 1:
        raise SequenceError(f"resamples must be >= 1, got {resamples}")
    if not 0 < fraction <= 1:
        raise SequenceError(f"fraction must be in (0, 1], got {fraction}")
    if not ks or any(not 2 <= x < n for x in ks):
        raise SequenceError(f"k must be between 2 and n - 1 = {n - 1}, got {ks}")
    full = {}
    for kk in ks:
        if labels is not None and f"cluster{kk}" in labels:
            full[kk] = np.asarray(labels[f"cluster{kk}"])
        else:
            full[kk] = _cluster(d, kk, method, w)
    rng = np.random.default_rng(seed)
    prob = None if w is None else w / w.sum()
    rows = []
    for _ in range(int(resamples)):
        if scheme == "bootstrap":
            idx = np.unique(rng.choice(n, size=n, replace=True, p=prob))
        else:
            m = max(2, int(round(fraction * n)))
            idx = np.sort(rng.choice(n, size=m, replace=False, p=prob))
        sub = np.ascontiguousarray(d[np.ix_(idx, idx)])
        ws = None if w is None else w[idx]
        row = {}
        for kk in ks:
            if kk >= idx.size:
                row[kk] = np.nan
                continue
            row[kk] = adjusted_rand_index(_cluster(sub, kk, method, ws), full[kk][idx])
        rows.append(row)
    ari = pd.DataFrame(rows, columns=ks)
    ari.columns.name = "k"
    ari.index.name = "resample"
    summary = pd.DataFrame(
        {
            "mean": ari.mean(),
            "sd": ari.std(ddof=1),
            "q05": ari.quantile(0.05),
            "median": ari.median(),
            "q95": ari.quantile(0.95),
            "stable_share": (ari >= threshold).mean(),
        }
    )
    summary.index.name = "k"
    return StabilityResult(ari, summary, float(threshold), method, scheme)
