"""Typologies from dissimilarities: Ward, PAM (as cluster::pam), silhouettes, CLARA."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numba import njit, prange
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from ..exceptions import SequenceError
from ._distances import _resolve, _square_distances, _unique_rows, cross_distances
from ._sequences import Sequences, _check_seq

logger = logging.getLogger(__name__)

#: below this many cell visits the kernels run on one thread: one pass over mvad's
#: 712 x 712 matrix takes under a millisecond, less than waking the thread pool (and
#: much less on a loaded machine, where a parallel region waits for descheduled threads)
SERIAL_CELLS = 2_000_000


def _check_diss(d: np.ndarray, what: str = "dissimilarity matrix") -> np.ndarray:
    d = np.asarray(d, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise SequenceError(f"{what} must be square, got shape {d.shape}")
    if d.shape[0] == 0:
        raise SequenceError(f"{what} is empty")
    if not np.isfinite(d).all():
        raise SequenceError(f"{what} has NaN or infinite values")
    if (d < 0).any():
        raise SequenceError(f"{what} has negative values")
    return np.ascontiguousarray(d)


def _check_k(k: int, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise SequenceError(f"number of clusters k must be an integer, got {k!r}")
    if not 1 <= k <= n:
        raise SequenceError(f"number of clusters k={k} must be between 1 and n={n}")
    return int(k)


def _first_appearance(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 1, 2, ... in order of first appearance (as R's cutree)."""
    _, first, inv = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    new = np.empty_like(order)
    new[order] = np.arange(1, order.size + 1)
    return new[inv.reshape(-1)]


def ward(d: np.ndarray, k: int) -> np.ndarray:
    """Ward hierarchical clustering cut at ``k`` groups, as R ``hclust(method = "ward.D")``.

    R's ``ward.D`` applies the Ward update to the dissimilarities as given; it equals
    scipy's Ward linkage on their square roots (squared heights match).

    Parameters
    ----------
    d : numpy.ndarray
        n x n symmetric dissimilarities (e.g. from :func:`distances`).
    k : int
        Number of groups.

    Returns
    -------
    numpy.ndarray
        Group of each item, 1..k numbered in order of first appearance (as ``cutree``).

    Examples
    --------
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    >>> ward(d, 2).tolist()
    [1, 1, 2, 2]
    """
    d = _check_diss(d)
    n = d.shape[0]
    k = _check_k(k, n)
    if n == 1:
        return np.ones(1, dtype=np.int64)
    if not np.allclose(d, d.T, rtol=0, atol=1e-9 * max(1.0, float(d.max()))):
        raise SequenceError("dissimilarity matrix is not symmetric")
    z = linkage(squareform(np.sqrt(d), checks=False), method="ward")
    labels = fcluster(z, t=k, criterion="maxclust")
    return _first_appearance(labels).astype(np.int64)


@njit(cache=True)
def _pam_build_swap(d, k, do_swap):
    """BUILD then SWAP of Kaufman & Rousseeuw, step by step as cluster's C bswap()."""
    n = d.shape[0]
    s = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            if s < d[i, j]:
                s = d[i, j]
    s = s * 1.1 + 1.0
    nrepr = np.zeros(n, dtype=np.bool_)
    dysma = np.full(n, s)
    beter = np.zeros(n)
    for _ in range(k):
        nmax = -1
        ammax = 0.0
        for i in range(n):
            if not nrepr[i]:
                b = 0.0
                for j in range(n):
                    cmd = dysma[j] - d[i, j]
                    if cmd > 0.0:
                        b += cmd
                beter[i] = b
                if ammax <= b:
                    ammax = b
                    nmax = i
        nrepr[nmax] = True
        for j in range(n):
            if dysma[j] > d[nmax, j]:
                dysma[j] = d[nmax, j]
    sky = dysma.sum()
    obj_build = sky / n
    dysmb = np.empty(n)
    eps = 2.220446049250313e-16
    while do_swap and k > 1:
        for j in range(n):
            dysma[j] = s
            dysmb[j] = s
            for i in range(n):
                if nrepr[i]:
                    if dysma[j] > d[i, j]:
                        dysmb[j] = dysma[j]
                        dysma[j] = d[i, j]
                    elif dysmb[j] > d[i, j]:
                        dysmb[j] = d[i, j]
        dzsky = 1.0
        hbest = -1
        nbest = -1
        for h in range(n):
            if nrepr[h]:
                continue
            for i in range(n):
                if not nrepr[i]:
                    continue
                dz = 0.0
                for j in range(n):
                    if d[i, j] == dysma[j]:
                        small = d[h, j] if dysmb[j] > d[h, j] else dysmb[j]
                        dz += small - dysma[j]
                    elif d[h, j] < dysma[j]:
                        dz += d[h, j] - dysma[j]
                if dzsky > dz:
                    dzsky = dz
                    hbest = h
                    nbest = i
        if dzsky < -16.0 * eps * abs(sky):
            nrepr[hbest] = True
            nrepr[nbest] = False
            sky += dzsky
        else:
            break
    return nrepr, obj_build, sky / n


def _pam_assign(d: np.ndarray, nrepr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels (1..k, first-appearance order as cluster's cstat) and medoid of each label."""
    med = np.flatnonzero(nrepr)
    nearest = med[np.argmin(d[np.ix_(med, np.arange(d.shape[0]))], axis=0)]
    nearest[med] = med  # a medoid belongs to itself
    labels = _first_appearance(nearest)
    medoids = np.empty(med.size, dtype=np.int64)
    medoids[labels - 1] = nearest
    return labels.astype(np.int64), medoids


def pam(d: np.ndarray, k: int, *, return_objective: bool = False):
    """Partitioning around medoids, as ``cluster::pam(diss = TRUE)`` (BUILD + SWAP).

    Parameters
    ----------
    d : numpy.ndarray
        n x n symmetric dissimilarities.
    k : int
        Number of clusters.
    return_objective : bool
        Also return the objective (mean dissimilarity to the medoid) after BUILD and
        after SWAP, as ``pam()$objective``.

    Returns
    -------
    labels : numpy.ndarray
        Cluster of each item, 1..k numbered in order of first appearance (as cluster).
    medoids : numpy.ndarray
        Index (0-based) of the medoid of clusters 1..k.
    objective : tuple of float, optional
        (build, swap), only with ``return_objective=True``.

    Examples
    --------
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 2], [9, 9, 2, 0.0]])
    >>> labels, medoids = pam(d, 2)
    >>> labels.tolist(), medoids.tolist()
    ([1, 1, 2, 2], [1, 3])
    """
    d = _check_diss(d)
    n = d.shape[0]
    k = _check_k(k, n)
    nrepr, obj_build, obj_swap = _pam_build_swap(d, k, True)
    labels, medoids = _pam_assign(d, nrepr)
    if return_objective:
        return labels, medoids, (float(obj_build), float(obj_swap))
    return labels, medoids


@njit(cache=True, parallel=True)
def _sil_sums(d, labels0, k):
    n = d.shape[0]
    sums = np.zeros((n, k))
    for i in prange(n):
        for j in range(n):
            sums[i, labels0[j]] += d[i, j]
    return sums


def silhouette_samples(d: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Silhouette width of each item, as ``cluster::silhouette``.

    s(i) = (b(i) - a(i)) / max(a(i), b(i)), a(i) the mean dissimilarity to the other
    members of its cluster, b(i) the smallest mean dissimilarity to another cluster;
    0 for an item alone in its cluster.

    Parameters
    ----------
    d : numpy.ndarray
        n x n dissimilarities.
    labels : array-like
        Cluster of each item (any hashable labels, at least 2 distinct).

    Returns
    -------
    numpy.ndarray
        n widths in [-1, 1].

    Examples
    --------
    >>> d = np.array([[0, 1, 4], [1, 0, 2], [4, 2, 0.0]])
    >>> silhouette_samples(d, [1, 1, 2]).tolist()
    [0.75, 0.5, 0.0]
    """
    d = _check_diss(d)
    labels = np.asarray(labels)
    if labels.shape != (d.shape[0],):
        raise SequenceError(
            f"labels has shape {labels.shape}, expected ({d.shape[0]},) as the matrix"
        )
    _, lab0 = np.unique(labels, return_inverse=True)
    lab0 = lab0.reshape(-1).astype(np.int64)
    k = int(lab0.max()) + 1
    if k < 2:
        raise SequenceError("silhouette needs at least 2 clusters")
    sizes = np.bincount(lab0, minlength=k).astype(np.float64)
    sums = _sil_sums(d, lab0, k)
    n = d.shape[0]
    own = sizes[lab0]
    with np.errstate(invalid="ignore", divide="ignore"):
        a = sums[np.arange(n), lab0] / (own - 1)
        means = sums / sizes
    means[np.arange(n), lab0] = np.inf
    b = means.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (b - a) / np.maximum(a, b)
    s = np.where(own > 1, s, 0.0)
    s = np.where(np.isnan(s), 0.0, s)  # a = b = 0: identical items
    return s


def silhouette(d: np.ndarray, labels: np.ndarray) -> float:
    """Average silhouette width (ASW) of a partition; see :func:`silhouette_samples`.

    Examples
    --------
    >>> d = np.array([[0, 1, 4], [1, 0, 2], [4, 2, 0.0]])
    >>> silhouette(d, [1, 1, 2])
    0.4166666666666667
    """
    return float(silhouette_samples(d, labels).mean())


@dataclass(frozen=True)
class ClaraResult:
    """Result of :func:`clara`.

    Attributes
    ----------
    labels : numpy.ndarray
        Cluster of each sequence, 1..k (order of first appearance).
    medoids : numpy.ndarray
        Index (0-based, in ``seq``) of the medoid sequence of clusters 1..k.
    mean_dissimilarity : float
        Mean dissimilarity of all sequences to their medoid (the criterion).
    sample_scores : list of float
        The criterion of each sample's medoids.
    ids : pandas.Index
        Ids of the sequences.
    """

    labels: np.ndarray
    medoids: np.ndarray
    mean_dissimilarity: float
    sample_scores: list
    ids: pd.Index


def clara(
    seq: Sequences,
    k: int,
    method: str = "OM",
    sm=None,
    indel: float = 1.0,
    *,
    samples: int = 5,
    sample_size: int | None = None,
    seed: int = 0,
    with_missing: bool = False,
) -> ClaraResult:
    """Typology of many sequences without the n x n matrix (CLARA, as ``cluster::clara``).

    Each sample of ``sample_size`` distinct sequences (the best medoids so far plus a
    random draw) gets the full dissimilarity matrix and :func:`pam`; every sequence is
    then assigned to the nearest of those k medoids, and the medoids with the smallest
    mean dissimilarity over all sequences win.

    Parameters
    ----------
    seq : Sequences
    k : int
        Number of clusters.
    method, sm, indel, with_missing
        As :func:`distances` (``method="OM"`` needs ``sm``).
    samples : int
        Number of samples (cluster::clara's default 5).
    sample_size : int, optional
        Distinct sequences per sample; default ``40 + 2 k`` as cluster::clara (larger
        samples give steadier medoids for a small extra cost).
    seed : int
        Seed of the sampling (results are reproducible).

    Returns
    -------
    ClaraResult
    """
    _check_seq(seq)
    resolved = _resolve(seq, method, sm, indel, with_missing)
    codes = resolved[1]
    uniq, inv = _unique_rows(codes)
    nu = uniq.shape[0]
    k = _check_k(k, nu)
    if samples < 1:
        raise SequenceError(f"samples must be >= 1, got {samples}")
    size = min(nu, 40 + 2 * k if sample_size is None else int(sample_size))
    if size < k:
        raise SequenceError(f"sample_size={size} is smaller than k={k}")
    counts = np.bincount(inv, minlength=nu).astype(np.float64)
    # representative row of each distinct sequence, to reuse cross_distances on codes
    rep = np.empty(nu, dtype=np.int64)
    rep[inv[::-1]] = np.arange(inv.size)[::-1]
    rng = np.random.default_rng(seed)
    best = None
    scores = []
    for s in range(samples):
        if best is None:
            sample = rng.choice(nu, size=size, replace=False)
        else:
            rest = np.setdiff1d(np.arange(nu), best[0])
            extra = rng.choice(rest, size=size - k, replace=False)
            sample = np.concatenate([best[0], extra])
        ds = _square_distances(seq, rep[sample], _resolved=resolved)
        _, med_s = pam(ds, k)
        meds = sample[med_s]
        dall = cross_distances(seq, rep, rep[meds], _resolved=resolved)  # nu x k
        score = float((dall.min(axis=1) * counts).sum() / counts.sum())
        scores.append(score)
        logger.info("clara sample %d: mean dissimilarity %.6f", s + 1, score)
        if best is None or score < best[1]:
            best = (meds, score, dall)
    meds, score, dall = best
    nearest_u = np.argmin(dall, axis=1)  # ties: first medoid
    lab_raw = nearest_u[inv]
    labels = _first_appearance(lab_raw).astype(np.int64)
    medoid_rows = np.full(k, -1, dtype=np.int64)
    for c in range(k):
        hit = np.flatnonzero(lab_raw == c)
        if hit.size:
            medoid_rows[labels[hit[0]] - 1] = rep[meds[c]]
    return ClaraResult(labels, medoid_rows, score, scores, seq.ids)
