"""Weighted partitions: Ward with case weights and WeightedCluster's weighted k-medoids.

- :func:`weighted_ward` is R's ``hclust(method = "ward.D", members = weights)`` (the
  Lance-Williams update of Murtagh's ``hclust.f``, nearest-neighbour list and tie rules
  included) cut as ``cutree``;
- :func:`kmedoids` is ``WeightedCluster::wcKMedoids(method = "PAMonce")``: a weighted
  BUILD (or given starting medoids) then the PAMonce swaps of ``PAMoncebody.cpp``;
- :func:`group_medoids` is ``TraMineR::disscenter(medoids.index = "first")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit, prange

from ..exceptions import SequenceError
from ._cluster import SERIAL_CELLS, _check_diss, _check_k, _first_appearance
from ._sequences import _check_weights

#: WeightedCluster's WEIGHTED_CLUST_TOL: a swap must lower the objective by more
_SWAP_TOL = -1e-10


@njit(cache=True)
def _hclust_ward_members(d, members):
    """Merges (i2, j2) of R's hclust.f, ward.D with initial cluster weights ``members``."""
    n = d.shape[0]
    diss = d.copy()
    membr = members.copy()
    flag = np.ones(n, dtype=np.bool_)
    nn = np.zeros(n, dtype=np.int64)
    disnn = np.zeros(n)
    inf = np.inf
    for i in range(n - 1):
        dmin = inf
        jm = i + 1
        for j in range(i + 1, n):
            if dmin > diss[i, j]:
                dmin = diss[i, j]
                jm = j
        nn[i] = jm
        disnn[i] = dmin
    ia = np.zeros(n - 1, dtype=np.int64)
    ib = np.zeros(n - 1, dtype=np.int64)
    for step in range(n - 1):
        dmin = inf
        im = 0
        jm = 0
        for i in range(n - 1):
            if flag[i] and disnn[i] < dmin:
                dmin = disnn[i]
                im = i
                jm = nn[i]
        i2 = min(im, jm)
        j2 = max(im, jm)
        ia[step] = i2
        ib[step] = j2
        flag[j2] = False
        dmin = inf
        jj = 0
        xx = diss[i2, j2]
        for k in range(n):
            if flag[k] and k != i2:
                val = (
                    (membr[i2] + membr[k]) * diss[i2, k]
                    + (membr[j2] + membr[k]) * diss[j2, k]
                    - membr[k] * xx
                )
                val = val / (membr[i2] + membr[j2] + membr[k])
                diss[i2, k] = val
                diss[k, i2] = val
                if i2 < k:
                    if val < dmin:
                        dmin = val
                        jj = k
                else:
                    if val < disnn[k]:
                        disnn[k] = val
                        nn[k] = i2
        membr[i2] = membr[i2] + membr[j2]
        disnn[i2] = dmin
        nn[i2] = jj
        for i in range(n - 1):
            if flag[i] and (nn[i] == i2 or nn[i] == j2):
                dmin = inf
                for j in range(i + 1, n):
                    if flag[j] and diss[i, j] < dmin:
                        dmin = diss[i, j]
                        jj = j
                nn[i] = jj
                disnn[i] = dmin
    return ia, ib


def _cut_merges(ia: np.ndarray, ib: np.ndarray, n: int, k: int) -> np.ndarray:
    """Groups after the first n - k merges, numbered by first appearance (cutree)."""
    parent = np.arange(n)
    for s in range(n - k):
        parent[parent == ib[s]] = ia[s]
    return _first_appearance(parent).astype(np.int64)


def weighted_ward(d: np.ndarray, k: int, weights: Any = None) -> np.ndarray:
    """Ward clustering with case weights, as ``hclust(method = "ward.D", members = w)``.

    Each item starts as a cluster of weight w_i in the Lance-Williams update
    d(k, i+j) = ((w_i + w_k) d(k, i) + (w_j + w_k) d(k, j) - w_k d(i, j)) / (w_i + w_j + w_k).
    Without weights it gives the partitions of :func:`ward`.

    Parameters
    ----------
    d : numpy.ndarray
        n x n symmetric dissimilarities.
    k : int
        Number of groups.
    weights : array-like, optional
        Positive case weights (default 1 each).

    Returns
    -------
    numpy.ndarray
        Group of each item, 1..k in order of first appearance (as ``cutree``).

    Examples
    --------
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    >>> weighted_ward(d, 2, [1, 2, 1, 1]).tolist()
    [1, 1, 2, 2]
    """
    d = _check_diss(d)
    n = d.shape[0]
    k = _check_k(k, n)
    w = _check_weights(weights, n)
    w = np.ones(n) if w is None else np.array(w)
    if (w <= 0).any():
        raise SequenceError("Ward weights (members) must be > 0")
    if n == 1:
        return np.ones(1, dtype=np.int64)
    ia, ib = _hclust_ward_members(d, w)
    return _cut_merges(ia, ib, n, k)


@njit(cache=True)
def _group_medoid(d, members, w):
    """disscenter's medoid: first member with the smallest weighted mean distance."""
    m = members.shape[0]
    tot = 0.0
    for a in range(m):
        tot += w[members[a]]
    dc = np.zeros(m)
    for a in range(m):
        ia = members[a]
        for b in range(a + 1, m):
            r = d[ia, members[b]]
            dc[a] += r * w[members[b]]
            dc[b] += r * w[ia]
        if tot > 0:
            dc[a] /= tot
    sw = 0.0
    swx = 0.0
    for a in range(m):
        swx += dc[a] * w[members[a]]
        sw += w[members[a]]
    half = swx / sw / 2.0
    best = 0
    for a in range(m):
        dc[a] -= half
        if dc[a] < dc[best]:
            best = a
    return members[best]


def group_medoids(d: np.ndarray, groups: Any, weights: Any = None) -> np.ndarray:
    """Medoid of each group, as ``disscenter(diss, group, medoids.index = "first")``.

    Parameters
    ----------
    d : numpy.ndarray
        n x n dissimilarities.
    groups : array-like
        Group of each item.
    weights : array-like, optional

    Returns
    -------
    numpy.ndarray
        0-based index of the medoid of each group, groups in sorted order (R's factor
        levels); ties go to the first item.
    """
    d = _check_diss(d)
    n = d.shape[0]
    g = np.asarray(groups)
    if g.shape != (n,):
        raise SequenceError(f"groups has shape {g.shape}, expected ({n},)")
    w = _check_weights(weights, n)
    w = np.ones(n) if w is None else np.ascontiguousarray(w)
    _, codes = np.unique(g, return_inverse=True)
    codes = codes.reshape(-1)
    return np.array(
        [
            _group_medoid(d, np.flatnonzero(codes == c).astype(np.int64), w)
            for c in range(int(codes.max()) + 1)
        ],
        dtype=np.int64,
    )


@njit(cache=True)
def _max_dist(d):
    n = d.shape[0]
    m = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            if d[i, j] > m:
                m = d[i, j]
    return 1.1 * m + 1.0


@njit(cache=True)
def _weighted_build(d, w, k, maxdist):
    """WeightedCluster's buildInitialCentroids (weighted PAM BUILD)."""
    n = d.shape[0]
    dysma = np.full(n, maxdist)
    chosen = np.zeros(n, dtype=np.bool_)
    cent = np.empty(k, dtype=np.int64)
    for c in range(k):
        ammax = 0.0
        nmax = -1
        for i in range(n):
            if not chosen[i]:
                beter = 0.0
                for j in range(n):
                    cmd = dysma[j] - d[i, j]
                    if cmd > 0.0:
                        beter += w[j] * cmd
                if ammax <= beter:
                    ammax = beter
                    nmax = i
        chosen[nmax] = True
        cent[c] = nmax
        for j in range(n):
            if dysma[j] > d[nmax, j]:
                dysma[j] = d[nmax, j]
    return cent


@njit(cache=True)
def _swap_gain_one(d, w, i, h, remove, fvect):
    g = remove
    for j in range(d.shape[0]):
        x = d[h, j]
        if x < fvect[j]:
            g += w[j] * (x - fvect[j])
    return g


@njit(cache=True)
def _swap_setup(d, w, cent, tcl, dysma, dysmb, c):
    """Cost of removing medoid slot c, and each item's distance once it is removed."""
    n = d.shape[0]
    remove = 0.0
    fvect = np.empty(n)
    for j in range(n):
        if tcl[j] == c:
            remove += w[j] * (dysmb[j] - dysma[j])
            fvect[j] = dysmb[j]
        else:
            fvect[j] = dysma[j]
    return remove, fvect


@njit(cache=True, parallel=True)
def _swap_gains_par(d, w, cent, tcl, dysma, dysmb):
    n = d.shape[0]
    gains = np.full((cent.shape[0], n), np.inf)
    for c in range(cent.shape[0]):
        i = cent[c]
        remove, fvect = _swap_setup(d, w, cent, tcl, dysma, dysmb, c)
        for h in prange(n):
            if d[i, h] > 0:
                gains[c, h] = _swap_gain_one(d, w, i, h, remove, fvect)
    return gains


@njit(cache=True)
def _swap_gains_ser(d, w, cent, tcl, dysma, dysmb):
    n = d.shape[0]
    gains = np.full((cent.shape[0], n), np.inf)
    for c in range(cent.shape[0]):
        i = cent[c]
        remove, fvect = _swap_setup(d, w, cent, tcl, dysma, dysmb, c)
        for h in range(n):
            if d[i, h] > 0:
                gains[c, h] = _swap_gain_one(d, w, i, h, remove, fvect)
    return gains


def _swap_gains(d, w, cent, tcl, dysma, dysmb):
    """addGain of every (medoid slot k, candidate h); +inf where d(medoid, h) == 0."""
    big = d.shape[0] * d.shape[0] * cent.shape[0] > SERIAL_CELLS
    return (_swap_gains_par if big else _swap_gains_ser)(d, w, cent, tcl, dysma, dysmb)


@njit(cache=True)
def _nearest_two(d, cent, maxdist):
    n = d.shape[0]
    k = cent.shape[0]
    dysma = np.empty(n)
    dysmb = np.empty(n)
    tcl = np.zeros(n, dtype=np.int64)
    for i in range(n):
        dysma[i] = maxdist
        dysmb[i] = maxdist
        for c in range(k):
            x = d[i, cent[c]]
            if dysma[i] > x:
                dysmb[i] = dysma[i]
                dysma[i] = x
                tcl[i] = c
            elif dysmb[i] > x:
                dysmb[i] = x
    return dysma, dysmb, tcl


def _pamonce(d, w, cent, maxdist):
    cent = cent.copy()
    total = -1.0
    while True:
        dysma, dysmb, tcl = _nearest_two(d, cent, maxdist)
        if total < 0:
            total = float(w @ dysma)
        gains = _swap_gains(d, w, cent, tcl, dysma, dysmb)
        flat = int(np.argmin(gains))  # first of the smallest, as the C loop's strict >
        dzsky = min(1.0, float(gains.flat[flat]))
        if dzsky < _SWAP_TOL:
            c, h = divmod(flat, d.shape[0])
            old = cent[c]
            cent[cent == old] = h
            total += dzsky
        else:
            return cent, tcl, total


@dataclass(frozen=True)
class KMedoidsResult:
    """Result of :func:`kmedoids`.

    Attributes
    ----------
    labels : numpy.ndarray
        Cluster of each item, 1..k: cluster c has medoid ``medoids[c - 1]``.
    medoids : numpy.ndarray
        0-based index of the medoid of each cluster (WeightedCluster codes each item by
        its medoid's row: that is ``medoids[labels - 1] + 1``).
    objective : float
        Weighted sum of the distances to the medoids (``"Sum of Distances"``).
    """

    labels: np.ndarray
    medoids: np.ndarray
    objective: float


def kmedoids(
    d: np.ndarray,
    k: int,
    weights: Any = None,
    initial: Any = None,
) -> KMedoidsResult:
    """Weighted k-medoids, as ``WeightedCluster::wcKMedoids(method = "PAMonce")``.

    Starts from a weighted BUILD (``npass = 1``, the default) or from ``initial``, then
    applies PAMonce swaps until none lowers the weighted objective by more than 1e-10.
    Deterministic. Without weights and from BUILD it usually finds ``cluster::pam``'s
    partition, but not always (PAMonce swaps differently).

    Parameters
    ----------
    d : numpy.ndarray
        n x n symmetric dissimilarities.
    k : int
        Number of clusters (>= 2).
    weights : array-like, optional
        Case weights (default 1 each).
    initial : array-like, optional
        Starting point, as ``initialclust``: either k medoid indices (0-based) or a
        partition of the n items (e.g. :func:`weighted_ward`), whose group medoids
        (:func:`group_medoids`, groups in sorted order) are the start.

    Returns
    -------
    KMedoidsResult
    """
    d = _check_diss(d)
    n = d.shape[0]
    k = _check_k(k, n)
    if k < 2:
        raise SequenceError(f"k must be >= 2 for kmedoids, got {k}")
    w = _check_weights(weights, n)
    w = np.ones(n) if w is None else np.ascontiguousarray(w)
    maxdist = _max_dist(d)
    if initial is None:
        cent = _weighted_build(d, w, k, maxdist)
    else:
        init = np.asarray(initial)
        if init.shape == (n,) and n != k:
            cent = group_medoids(d, init, w)
        else:
            cent = init.astype(np.int64).reshape(-1)
        if cent.shape != (k,):
            raise SequenceError(
                f"initial should give k={k} medoids or groups, got {cent.shape[0]}"
            )
        if ((cent < 0) | (cent >= n)).any():
            raise SequenceError(f"initial medoids must be in 0..{n - 1}")
    cent, tcl, total = _pamonce(d, w, np.ascontiguousarray(cent), maxdist)
    return KMedoidsResult((tcl + 1).astype(np.int64), cent.astype(np.int64), total)
