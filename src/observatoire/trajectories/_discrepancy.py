"""Discrepancy analysis of dissimilarities, as TraMineR 2.2-12's ``dissassoc``.

A pseudo-ANOVA on a dissimilarity matrix (Studer et al. 2011). With case weights w and
group totals W_g (W overall), from ``R/dissassocweighted.R``:

- SS_g = sum_{i<j in g} w_i w_j d_ij / W_g, discrepancy_g = SS_g / W_g;
  SS_tot likewise over all pairs, SS_res = sum_g SS_g, SS_exp = SS_tot - SS_res;
- PseudoF = (SS_exp / (k - 1)) / (SS_res / (W - k)), PseudoR2 = SS_exp / SS_tot;
- PseudoFbf = SS_exp / sum_g (1 - W_g / W) discrepancy_g (Brown-Forsythe);
- Bartlett = T / C, T = (W - k) log(sum_g (W_g - 1) v_g / (W - k)) - sum_g (W_g - 1) log v_g,
  C = 1 + (sum_g 1 / (W_g - 1) - 1 / (W - k)) / (3 (k - 1)), v_g = discrepancy_g;
- Levene: the one-way ANOVA F of z_i = (distance of i to its group's centre) =
  sum_{j in g} w_j d_ij / W_g - discrepancy_g (``disscenter``).

**Permutation test.** ``permutations=P`` draws P random permutations of the group labels
(weights stay with the individuals) and gives p = (1 + #{t_perm >= t_obs}) / (P + 1) for
each statistic. TraMineR's ``R`` counts the observed partition as one of its R draws, so
TraMineR's ``R = 1000`` is ``permutations=999`` here. As TraMineR, the Levene statistic is
permuted on the z of the observed groups (the residuals are not recomputed). R's random
numbers cannot be reproduced, so p-values agree with TraMineR's only in distribution.
TraMineR's weighted default (``weight.permutation = "replicate"``, integer weights
replicated) is not reproduced: weighted permutations here permute the labels of the
weighted individuals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numba import njit, prange

from ..exceptions import SequenceError
from ._cluster import _check_diss
from ._quality import SERIAL_CELLS, _row_sums
from ._sequences import _check_weights

logger = logging.getLogger(__name__)

#: the statistics of :func:`discrepancy`, in TraMineR's order
DISCREPANCY_STATS = ("PseudoF", "PseudoFbf", "PseudoR2", "Bartlett", "Levene")


def _factor(group: Any) -> tuple[np.ndarray, list, np.ndarray]:
    """(kept rows, levels, 0-based codes of the kept rows) as R's factor(group[!is.na])."""
    if isinstance(group, pd.Series):
        group = (
            group.to_numpy()
            if not isinstance(group.dtype, pd.CategoricalDtype)
            else pd.Categorical(group)
        )
    if isinstance(group, pd.Categorical):
        cat = group
    else:
        arr = np.asarray(group, dtype=object)
        if arr.ndim != 1:
            raise SequenceError(f"group must be 1-D, got {arr.ndim} dimension(s)")
        cat = pd.Categorical(arr)
    codes = np.asarray(cat.codes, dtype=np.int64)
    keep = np.flatnonzero(codes >= 0)
    present = np.unique(codes[keep])
    levels = [cat.categories[c] for c in present]  # unused levels dropped, as factor()
    remap = np.full(len(cat.categories), -1, dtype=np.int64)
    remap[present] = np.arange(present.size)
    return keep, levels, remap[codes[keep]]


def _stats_from_sums(
    pair_g: np.ndarray, sizes: np.ndarray, pair_tot: float, zres, ztot: float
) -> np.ndarray:
    """PseudoF, PseudoFbf, PseudoR2, Bartlett, Levene from within-group pair sums.

    ``pair_g`` and ``sizes`` are (..., k): one row per partition (vectorised over the
    permutations); returns (..., 5).
    """
    k = sizes.shape[-1]
    wtot = sizes.sum(axis=-1)
    sctot = pair_tot / wtot
    ss_g = pair_g / sizes
    v = ss_g / sizes
    scres = ss_g.sum(axis=-1)
    scexp = sctot - scres
    with np.errstate(invalid="ignore", divide="ignore"):
        lns = ((sizes - 1.0) * (v / (wtot - k)[..., None])).sum(axis=-1)
        nlnvi = ((sizes - 1.0) * np.log(v)).sum(axis=-1)
        tcalc = (wtot - k) * np.log(lns) - nlnvi
        ccalc = 1.0 + 1.0 / (3.0 * (k - 1.0)) * (
            (1.0 / (sizes - 1.0)).sum(axis=-1) - 1.0 / (wtot - k)
        )
        return np.stack(
            [
                (scexp / (k - 1.0)) / (scres / (wtot - k)),
                scexp / ((1.0 - sizes / wtot[..., None]) * v).sum(axis=-1),
                scexp / sctot,
                tcalc / ccalc,
                ((ztot - zres) / (k - 1.0)) / (zres / (wtot - k)),
            ],
            axis=-1,
        )


@njit(cache=True)
def _splitmix(state):
    """One step of splitmix64: (new state, 64-bit output)."""
    state = (state + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = state
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(
        0xFFFFFFFFFFFFFFFF
    )
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & np.uint64(
        0xFFFFFFFFFFFFFFFF
    )
    return state, z ^ (z >> np.uint64(31))


@njit(cache=True)
def _shuffle_into(out, base, p):
    """Fisher-Yates permutation of 0..n-1 from stream ``p`` of seed ``base``.

    Each permutation has its own stream, so results do not depend on the threads.
    """
    n = out.shape[0]
    for i in range(n):
        out[i] = i
    state = base ^ (np.uint64(p) * np.uint64(0xD1B54A32D192ED03))
    state, _ = _splitmix(state)
    for i in range(n - 1, 0, -1):
        state, r = _splitmix(state)
        # multiply-shift instead of a (slow) modulo: j uniform in 0..i
        j = np.int64(((r >> np.uint64(32)) * np.uint64(i + 1)) >> np.uint64(32))
        t = out[i]
        out[i] = out[j]
        out[j] = t


@njit(cache=True, fastmath=True)
def _row_part(row, w, idx, lo, hi, weighted):
    """sum over b in [lo, hi) of w[idx[b]] row[idx[b]] (reassociated: fastmath)."""
    acc = 0.0
    if weighted:
        for b in range(lo, hi):
            acc += w[idx[b]] * row[idx[b]]
    else:
        for b in range(lo, hi):
            acc += row[idx[b]]
    return acc


@njit(cache=True, fastmath=True)
def _four_rows(d, w, idx, lo, hi, a, weighted):
    """Sums over b in [lo, hi) of w[idx[b]] d[idx[a + q], idx[b]] for q = 0..3.

    Four rows at once share each column index and weight load and keep four
    independent additions in flight (about twice as fast as one row at a time).
    """
    r0 = d[idx[a]]
    r1 = d[idx[a + 1]]
    r2 = d[idx[a + 2]]
    r3 = d[idx[a + 3]]
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    if weighted:
        for b in range(lo, hi):
            j = idx[b]
            wj = w[j]
            s0 += wj * r0[j]
            s1 += wj * r1[j]
            s2 += wj * r2[j]
            s3 += wj * r3[j]
    else:
        for b in range(lo, hi):
            j = idx[b]
            s0 += r0[j]
            s1 += r1[j]
            s2 += r2[j]
            s3 += r3[j]
    return s0, s1, s2, s3


@njit(cache=True)
def _one_permutation(d, w, weighted, r, grp, big, p, base, z, k, pair_tot, out_pairs,
                     out_sizes, out_zres):  # fmt: skip
    """Statistics' ingredients of permutation ``p`` (see :func:`_permutation_stats`)."""
    n = grp.shape[0]
    perm = np.empty(n, dtype=np.int64)
    _shuffle_into(perm, base, p)
    lab = np.empty(n, dtype=np.int64)
    for i in range(n):
        lab[perm[i]] = grp[i]
    # items of A, grouped by label, increasing within each group (counting sort)
    counts = np.zeros(k + 1, dtype=np.int64)
    for i in range(n):
        if lab[i] != big:
            counts[lab[i] + 1] += 1
    for g in range(k):
        counts[g + 1] += counts[g]
    na = counts[k]
    idx = np.empty(na, dtype=np.int64)
    ends = np.empty(na, dtype=np.int64)
    fill = counts[:k].copy()
    for i in range(n):
        g = lab[i]
        if g != big:
            idx[fill[g]] = i
            ends[fill[g]] = counts[g + 1]
            fill[g] += 1
    pairs = np.zeros(k)
    ssa = 0.0
    sumr = 0.0
    acc_g = np.zeros(4)
    acc_o = np.zeros(4)
    a = 0
    while a < na:
        end = ends[a]
        if a + 3 < end:  # four rows of the same group
            # pairs inside the block, then the rest of the group, then the others
            for q in range(4):
                acc_g[q] = _row_part(d[idx[a + q]], w, idx, a + q + 1, a + 4, weighted)
            g0, g1, g2, g3 = _four_rows(d, w, idx, a + 4, end, a, weighted)
            o0, o1, o2, o3 = _four_rows(d, w, idx, end, na, a, weighted)
            acc_g[0] += g0
            acc_g[1] += g1
            acc_g[2] += g2
            acc_g[3] += g3
            acc_o[0] = o0
            acc_o[1] = o1
            acc_o[2] = o2
            acc_o[3] = o3
            step = 4
        else:
            row = d[idx[a]]
            acc_g[0] = _row_part(row, w, idx, a + 1, end, weighted)
            acc_o[0] = _row_part(row, w, idx, end, na, weighted)
            step = 1
        for q in range(step):
            ia = idx[a + q]
            wa = w[ia]
            sumr += wa * r[ia]
            pairs[lab[ia]] += wa * acc_g[q]
            ssa += wa * (acc_g[q] + acc_o[q])
        a += step
    pairs[big] = pair_tot + ssa - sumr
    # Levene on the fixed residuals z
    sw = np.zeros(k)
    swz = np.zeros(k)
    for i in range(n):
        sw[lab[i]] += w[i]
        swz[lab[i]] += w[i] * z[i]
    for g in range(k):
        swz[g] = swz[g] / sw[g]
    zres = 0.0
    for i in range(n):
        zres += w[i] * (z[i] - swz[lab[i]]) ** 2
    for g in range(k):
        out_pairs[p, g] = pairs[g]
        out_sizes[p, g] = sw[g]
    out_zres[p] = zres


@njit(cache=True, parallel=True)
def _permutation_stats_par(d, w, weighted, r, grp, big, n_perm, base, z, k, pair_tot):
    out_pairs = np.zeros((n_perm, k))
    out_sizes = np.zeros((n_perm, k))
    out_zres = np.zeros(n_perm)
    for p in prange(n_perm):
        _one_permutation(d, w, weighted, r, grp, big, p, base, z, k, pair_tot,
                         out_pairs, out_sizes, out_zres)  # fmt: skip
    return out_pairs, out_sizes, out_zres


@njit(cache=True)
def _permutation_stats_ser(d, w, weighted, r, grp, big, n_perm, base, z, k, pair_tot):
    out_pairs = np.zeros((n_perm, k))
    out_sizes = np.zeros((n_perm, k))
    out_zres = np.zeros(n_perm)
    for p in range(n_perm):
        _one_permutation(d, w, weighted, r, grp, big, p, base, z, k, pair_tot,
                         out_pairs, out_sizes, out_zres)  # fmt: skip
    return out_pairs, out_sizes, out_zres


@njit(cache=True, parallel=True)
def _permuted_labels(grp, base, p0, p1):
    """Group of each item (columns) in permutations p0..p1-1 (rows): item perm[i]
    takes the group grp[i], perm drawn by :func:`_shuffle_into` from stream p."""
    n = grp.shape[0]
    out = np.empty((p1 - p0, n), dtype=np.int64)
    for q in prange(p1 - p0):
        perm = np.empty(n, dtype=np.int64)
        _shuffle_into(perm, base, p0 + q)
        for i in range(n):
            out[q, perm[i]] = grp[i]
    return out


#: permutations handled per matrix product (bounds the memory of the n x chunk blocks)
_PERM_CHUNK = 256


def _permutation_stats_blas(d, w, r, grp, big, n_perm, base, z, k, pair_tot):
    """Within-group pair sums, group weights and Levene sums of each permutation.

    With x_g the weighted indicator of group g in a permutation, the pair sum within g
    is x_g' D x_g / 2: one matrix product D X_g for a block of permutations (BLAS, cache
    blocked) instead of gathering the pairs one by one. Only the groups other than the
    largest one (``big``) are multiplied: with A their union, the pair sum of ``big`` is
    pair_tot + x_A' D x_A / 2 - sum_{i in A} w_i r_i, r_i = sum_j w_j d_ij. The Levene
    sums use the fixed residuals z of the observed groups, as TraMineR.
    """
    n = grp.shape[0]
    others = [g for g in range(k) if g != big]
    out_pairs = np.zeros((n_perm, k))
    out_sizes = np.zeros((n_perm, k))
    out_zres = np.zeros(n_perm)
    z2 = z * z
    tot_w, tot_wz, tot_wz2 = w.sum(), w @ z, w @ z2
    for p0 in range(0, n_perm, _PERM_CHUNK):
        p1 = min(n_perm, p0 + _PERM_CHUNK)
        lab = _permuted_labels(grp, base, p0, p1)  # chunk x n
        x_sum = np.zeros((n, p1 - p0))
        y_sum = np.zeros((n, p1 - p0))
        sw = np.empty((p1 - p0, k))
        swz = np.empty((p1 - p0, k))
        swz2 = np.empty((p1 - p0, k))
        for g in others:
            x = np.equal(lab.T, g) * w[:, None]  # n x chunk, weighted indicators
            y = d @ x
            out_pairs[p0:p1, g] = 0.5 * np.einsum("ij,ij->j", x, y)
            x_sum += x
            y_sum += y
            sw[:, g] = x.sum(axis=0)
            swz[:, g] = z @ x
            swz2[:, g] = z2 @ x
        ss_a = 0.5 * np.einsum("ij,ij->j", x_sum, y_sum)
        out_pairs[p0:p1, big] = pair_tot + ss_a - r @ x_sum
        sw[:, big] = tot_w - sw[:, others].sum(axis=1)
        swz[:, big] = tot_wz - swz[:, others].sum(axis=1)
        swz2[:, big] = tot_wz2 - swz2[:, others].sum(axis=1)
        out_sizes[p0:p1] = sw
        with np.errstate(invalid="ignore", divide="ignore"):
            out_zres[p0:p1] = (swz2 - swz * swz / sw).sum(axis=1)
    return out_pairs, out_sizes, out_zres


#: above this many items the matrix leaves the caches: the permutations go through
#: matrix products (cache blocked) instead of gathering pairs row by row
_BLAS_FROM = 2000


def _permutation_stats(d, w, r, grp, big, n_perm, base, z, k, pair_tot):
    """Within-group pair sums, group weights and Levene sums of each permutation.

    Permutation p puts item ``perm[i]`` in group ``grp[i]`` (``perm`` from
    :func:`_shuffle_into`, stream p). Small matrices: pairs gathered per permutation
    (numba); large ones: matrix products (:func:`_permutation_stats_blas`).
    """
    n = grp.shape[0]
    if n > _BLAS_FROM:
        return _permutation_stats_blas(d, w, r, grp, big, n_perm, base, z, k, pair_tot)
    weighted = not bool((w == 1.0).all())
    na = int((grp != big).sum())
    work = n_perm * na * na // 2
    kernel = _permutation_stats_par if work > SERIAL_CELLS else _permutation_stats_ser
    return kernel(d, w, weighted, r, grp, big, n_perm, base, z, k, pair_tot)


@dataclass(frozen=True)
class DiscrepancyResult:
    """Result of :func:`discrepancy` (TraMineR's ``dissassoc`` object).

    Attributes
    ----------
    stats : pandas.Series
        PseudoF, PseudoFbf, PseudoR2, Bartlett, Levene (``$stat$t0``).
    pvalues : pandas.Series
        Permutation p-value of each statistic (NaN without permutations).
    anova : pandas.DataFrame
        Rows Exp, Res, Total; columns SS, df, MSE (``$anova.table``).
    groups : pandas.DataFrame
        One row per level then ``Total``; columns n (weight) and discrepancy.
    permutations : int
        Number of random permutations behind :attr:`pvalues`.
    permuted : pandas.DataFrame or None
        The statistics of each permutation (one row each), when there were some.
    """

    stats: pd.Series
    pvalues: pd.Series
    anova: pd.DataFrame
    groups: pd.DataFrame
    permutations: int
    permuted: pd.DataFrame | None = None

    @property
    def pseudo_r2(self) -> float:
        """Share of the discrepancy explained by the groups."""
        return float(self.stats["PseudoR2"])


def _group_sums(
    d: np.ndarray, codes: np.ndarray, k: int, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Within-group pair sums, group weights, total pair sum, and row sums by group."""
    s1, _ = _row_sums(d, codes, w, k)
    rows = np.arange(codes.size)
    own = s1[rows, codes]
    pair_g = np.bincount(codes, weights=w * own, minlength=k) / 2.0
    pair_tot = float(w @ s1.sum(axis=1)) / 2.0
    sizes = np.bincount(codes, weights=w, minlength=k)
    return pair_g, sizes, pair_tot, s1


def discrepancy(
    d: np.ndarray,
    group: Any,
    permutations: int = 0,
    weights: Any = None,
    *,
    seed: int | None = 0,
    squared: bool = False,
) -> DiscrepancyResult:
    """Discrepancy analysis: how much of the dissimilarity a grouping explains.

    Like ``TraMineR::dissassoc(diss, group, weights, R = permutations + 1)``; see the
    module documentation for the formulas and the permutation test. Rows whose group is
    missing (NaN/None) are left out, as TraMineR does.

    Parameters
    ----------
    d : numpy.ndarray
        n x n symmetric dissimilarities.
    group : array-like
        Group of each item. A pandas Categorical keeps its category order (R's factor
        levels); other values are sorted.
    permutations : int
        Number of random permutations for the p-values (0: none, p-values NaN).
    weights : array-like, optional
        Case weights (e.g. ``seq.weights``).
    seed : int, optional
        Seed of the permutations (results are reproducible).
    squared : bool
        Analyse the squared dissimilarities.

    Returns
    -------
    DiscrepancyResult

    Examples
    --------
    >>> d = np.array([[0, 1, 4, 4], [1, 0, 4, 4], [4, 4, 0, 1], [4, 4, 1, 0.0]])
    >>> res = discrepancy(d, ["a", "a", "b", "b"])
    >>> float(res.stats["PseudoR2"])  # SS_tot = 18 / 4, SS_res = 1 / 2 + 1 / 2
    0.7777777777777778
    """
    d = _check_diss(d)
    n = d.shape[0]
    if not hasattr(group, "__len__") or len(group) != n:
        got = len(group) if hasattr(group, "__len__") else "no"
        raise SequenceError(f"group has {got} values for {n} items")
    keep, levels, codes = _factor(group)
    w = _check_weights(weights, n)
    w = np.ones(n) if w is None else np.asarray(w)
    if keep.size < n:
        logger.info("discrepancy: %d rows with a missing group left out", n - keep.size)
        d = np.ascontiguousarray(d[np.ix_(keep, keep)])
        w = w[keep]
    if squared:
        d = d * d
    k = len(levels)
    if k < 2:
        raise SequenceError("discrepancy needs at least 2 groups")
    permutations = int(permutations)
    if permutations < 0:
        raise SequenceError(f"permutations must be >= 0, got {permutations}")
    w = np.ascontiguousarray(w, dtype=np.float64)
    pair_g, sizes, pair_tot, s1 = _group_sums(d, codes, k, w)
    wtot = float(sizes.sum())
    # Levene: distance to the group's centre (disscenter), then its one-way ANOVA
    rows = np.arange(codes.size)
    dc = s1[rows, codes] / sizes[codes]
    half = np.bincount(codes, weights=w * dc, minlength=k) / sizes / 2.0
    z = dc - half[codes]
    zmean = (w * z).sum() / w.sum()
    ztot = float((w * (z - zmean) ** 2).sum())
    gm = np.bincount(codes, weights=w * z, minlength=k) / sizes
    zres = float((w * (z - gm[codes]) ** 2).sum())
    t0 = _stats_from_sums(pair_g, sizes, pair_tot, zres, ztot)
    stats = pd.Series(t0, index=list(DISCREPANCY_STATS), name="t0")

    sctot = pair_tot / wtot
    scres = float((pair_g / sizes).sum())
    anova = pd.DataFrame(
        {
            "SS": [sctot - scres, scres, sctot],
            "df": [k - 1.0, wtot - k, wtot - 1.0],
        },
        index=["Exp", "Res", "Total"],
    )
    anova["MSE"] = anova["SS"] / anova["df"]
    groups = pd.DataFrame(
        {
            "n": np.append(sizes, wtot),
            "discrepancy": np.append(pair_g / sizes / sizes, sctot / wtot),
        },
        index=pd.Index([*levels, "Total"], name="group"),
    )
    pvalues = pd.Series(np.nan, index=list(DISCREPANCY_STATS), name="pvalue")
    permuted = None
    if permutations > 0:
        base = np.uint64(np.random.default_rng(seed).integers(0, 2**63))
        big = int(np.argmax(np.bincount(codes, minlength=k)))
        r = s1.sum(axis=1)
        dz = d
        if np.diagonal(d).any():  # the products must not count d_ii
            dz = d.copy()
            np.fill_diagonal(dz, 0.0)
        pp, ps, pz = _permutation_stats(
            dz, w, r, codes, big, permutations, base, z, k, pair_tot
        )
        tp = _stats_from_sums(pp, ps, pair_tot, pz, ztot)
        permuted = pd.DataFrame(tp, columns=list(DISCREPANCY_STATS))
        # a relative tolerance so that permutations equal to the observed grouping
        # (same statistic up to rounding) count as reaching it
        reach = tp >= t0 - 1e-12 * np.abs(t0)
        pvalues[:] = (1.0 + reach.sum(axis=0)) / (permutations + 1.0)
    return DiscrepancyResult(stats, pvalues, anova, groups, permutations, permuted)


def discrepancy_table(
    d: np.ndarray,
    covariates: pd.DataFrame,
    permutations: int = 0,
    weights: Any = None,
    *,
    seed: int | None = 0,
) -> pd.DataFrame:
    """:func:`discrepancy` of each covariate on its own: which factor goes with the paths.

    Parameters
    ----------
    d : numpy.ndarray
        n x n dissimilarities.
    covariates : pandas.DataFrame
        One row per item, one column per covariate (as :func:`discrepancy`'s group).
    permutations, weights, seed
        As :func:`discrepancy` (each covariate gets its own stream of the seed).

    Returns
    -------
    pandas.DataFrame
        One row per covariate (in the given order): n_groups, the statistics of
        :data:`DISCREPANCY_STATS` and, with permutations, their p-values
        (``p_PseudoF`` ...).
    """
    if not isinstance(covariates, pd.DataFrame):
        raise SequenceError(
            f"covariates must be a DataFrame, got {type(covariates).__name__}"
        )
    seeds = np.random.default_rng(seed).integers(0, 2**31, covariates.shape[1])
    rows = {}
    for col, s in zip(covariates.columns, seeds, strict=True):
        res = discrepancy(d, covariates[col], permutations, weights, seed=int(s))
        row = {"n_groups": len(res.groups) - 1, **res.stats.to_dict()}
        if permutations > 0:
            row.update({f"p_{k}": v for k, v in res.pvalues.items()})
        rows[col] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "covariate"
    return out
