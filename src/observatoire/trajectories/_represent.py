"""Representative sequences, like TraMineR's ``seqrep()`` / ``dissrep()`` (2.2-12).

A set of representatives is chosen greedily: candidates are sorted by a score
(neighbourhood density, frequency, sum of distances, modal-state score or
probability), and a candidate is kept when it lies farther than the neighbourhood
radius from every representative already kept, until the kept ones cover the asked
share of the sequences (or a fixed number is reached).

Only the score pass and the distance-to-centre pass read the whole n x n matrix; both
are one fused numba pass (parallel over rows). Everything after them is O(n K), K the
number of representatives. For very large n, :func:`sample_representatives` chooses
them on a seeded sample (CLARA style) and attaches every sequence to its nearest one
with n x K distances only.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numba import njit, prange

from ..exceptions import SequenceError
from ._distances import cross_distances, distances
from ._sequences import MISSING, Sequences, _check_seq, _state_codes, substitution_costs

logger = logging.getLogger(__name__)

CRITERIA = ("density", "freq", "dist", "mscore", "prob")


@dataclass(frozen=True, eq=False)
class Representatives:
    """Result of :func:`representatives` (TraMineR's ``stslist.rep`` attributes).

    Attributes
    ----------
    criterion : str
    index : numpy.ndarray
        0-based positions in ``seq`` of the representatives, in selection order
        (TraMineR's ``attr(, "Index")`` minus 1).
    ids : pandas.Index
        Their sequence ids.
    sequences : Sequences
        The representative sequences, in selection order.
    statistics : pandas.DataFrame
        Rows ``r1``..``rK`` then ``Total``; columns ``na``, ``na_pct``, ``nb``,
        ``nb_pct``, ``SD``, ``MD``, ``DC``, ``V``, ``Q`` (``attr(, "Statistics")``).
    scores : pandas.Series
        Score of every sequence (``attr(, "Scores")``).
    groups : pandas.Series
        Rank (1..K) of the nearest representative of every sequence, first one on
        ties (``attr(, "Rep.group")``).
    quality : float
        ``attr(, "Quality")`` = Q of the Total row / 100.
    dmax : float
        Maximum distance used for the radius.
    radius : float
        Neighbourhood radius, ``pradius * dmax``.
    n : float
        Number (sum of weights) of sequences.
    """

    criterion: str
    index: np.ndarray
    ids: pd.Index
    sequences: Sequences
    statistics: pd.DataFrame
    scores: pd.Series
    groups: pd.Series
    quality: float
    dmax: float
    radius: float
    n: float

    @property
    def coverage(self) -> float:
        """Share of the sequences within the radius of their representative."""
        return float(self.statistics.loc["Total", "nb_pct"]) / 100.0

    def to_frame(self) -> pd.DataFrame:
        """One row per representative: rank, position, id, SPS form and statistics."""
        stats = self.statistics.iloc[:-1].copy()
        stats.insert(0, "sps", [sps(self.sequences, i) for i in range(len(stats))])
        stats.insert(0, "id", list(self.ids))
        stats.insert(0, "index", self.index)
        stats.insert(0, "rank", np.arange(1, len(stats) + 1))
        return stats

    def __repr__(self) -> str:
        return (
            f"Representatives({self.criterion!r}, k={len(self.index)}, "
            f"coverage={self.coverage:.1%}, quality={self.quality:.4f})"
        )


def subset(seq: Sequences, index: np.ndarray) -> Sequences:
    """The sequences at positions ``index`` (with their weights, if any)."""
    index = np.asarray(index, dtype=np.int64)
    weights = getattr(seq, "weights", None)
    extra = {} if weights is None else {"weights": np.asarray(weights)[index]}
    return dataclasses.replace(
        seq, codes=np.ascontiguousarray(seq.codes[index]), ids=seq.ids[index], **extra
    )


def sps(seq: Sequences, i: int, with_missing: bool = True) -> str:
    """Sequence ``i`` of ``seq`` in compressed SPS form, e.g. ``"(FE,7)-(EM,65)"``.

    As TraMineR's ``seqformat(to = "SPS", compress = TRUE)``; the missing state is
    written ``*``.
    """
    row = seq.codes[i]
    labels = [*seq.labels, "*"]
    spells = []
    start = 0
    for t in range(1, len(row) + 1):
        if t == len(row) or row[t] != row[start]:
            code = row[start]
            if code != MISSING or with_missing:
                spells.append(f"({labels[code]},{t - start})")
            start = t
    return "-".join(spells)


# reassociation lets LLVM vectorise the sums (rounding differs from R's BLAS order in
# the last bits only; identical rows still give identical sums). The maximum is left to
# numpy: a max reduction does not vectorise here without assuming no NaN.
@njit(cache=True, fastmath={"reassoc"})
def _row_pass(row, w):
    """sum_j w_j d_ij, sum_j w_j [d_ij == 0], and sum_j (d_ij - d_ij): NaN if any
    entry is NaN or infinite, else 0."""
    s = 0.0
    b = 0.0
    chk = 0.0
    for j in range(row.shape[0]):
        x = row[j]
        wj = w[j]
        s += x * wj
        b += wj if x == 0.0 else 0.0
        chk += x - x
    return s, b, chk


@njit(cache=True, fastmath={"reassoc"})
def _row_near(row, w, radius):
    a = 0.0
    for j in range(row.shape[0]):
        a += w[j] if row[j] < radius else 0.0
    return a


@njit(cache=True, parallel=True)
def _pass_parallel(d, w):
    n = d.shape[0]
    out = np.empty((3, n))
    for i in prange(n):
        out[0, i], out[1, i], out[2, i] = _row_pass(d[i], w)
    return out


@njit(cache=True)
def _pass_serial(d, w):
    n = d.shape[0]
    out = np.empty((3, n))
    for i in range(n):
        out[0, i], out[1, i], out[2, i] = _row_pass(d[i], w)
    return out


@njit(cache=True, parallel=True)
def _near_parallel(d, w, radius):
    n = d.shape[0]
    out = np.empty(n)
    for i in prange(n):
        out[i] = _row_near(d[i], w, radius)
    return out


@njit(cache=True)
def _near_serial(d, w, radius):
    n = d.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = _row_near(d[i], w, radius)
    return out


# below a few million cells, starting the thread pool costs more than it saves
_PARALLEL_CELLS = 4_000_000


def _row_pass_all(d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Rows (3 x n): weighted sums, weighted zero counts, NaN where a row is not finite."""
    if d.size < _PARALLEL_CELLS:
        return _pass_serial(d, w)
    return _pass_parallel(d, w)


def _row_near_all(d: np.ndarray, w: np.ndarray, radius: float) -> np.ndarray:
    """Weighted number of entries ``< radius`` in each row."""
    if d.size < _PARALLEL_CELLS:
        return _near_serial(d, w, radius)
    return _near_parallel(d, w, radius)


def _weights(seq: Sequences | None, n: int, weights, weighted: bool) -> np.ndarray:
    if weights is None and weighted and seq is not None:
        weights = getattr(seq, "weights", None)
    if weights is None or not weighted:
        return np.ones(n)
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape[0] != n:
        raise SequenceError(f"{w.shape[0]} weights for {n} sequences")
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise SequenceError("weights must be finite, non-negative, with a positive sum")
    return w


def _check_square(d: np.ndarray, n: int) -> np.ndarray:
    d = np.asarray(d, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise SequenceError(f"dissimilarity matrix must be square, got shape {d.shape}")
    if d.shape[0] != n:
        raise SequenceError(
            f"dissimilarity matrix is {d.shape[0]} x {d.shape[1]} for {n} sequences"
        )
    return np.ascontiguousarray(d)


def _frequencies(codes: np.ndarray, k: int, w: np.ndarray) -> np.ndarray:
    """k x T weighted cross-sectional state shares (missing left out), as seqstatd."""
    T = codes.shape[1]
    freq = np.zeros((k, T))
    for s in range(k):
        freq[s] = w @ (codes == s)
    tot = freq.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return freq / tot


def mscore(seq: Sequences, weights=None, weighted: bool = True) -> np.ndarray:
    """Sum over positions of the cross-sectional share of each sequence's state.

    TraMineR's ``TraMineR.mscore`` with the ``seqstatd()`` frequencies (criterion
    ``"mscore"`` of ``seqrep``); missing positions add nothing.
    """
    _check_seq(seq)
    w = _weights(seq, seq.n, weights, weighted)
    k = seq.n_states
    freq = _frequencies(seq.codes, k, w)
    codes = seq.codes
    ok = codes >= 0
    t_idx = np.broadcast_to(np.arange(seq.length), codes.shape)
    vals = np.where(ok, freq[np.where(ok, codes, 0), t_idx], 0.0)
    return vals.sum(axis=1)


def log_probability(
    seq: Sequences, weights=None, weighted: bool = True, with_missing: bool = False
) -> np.ndarray:
    """Minus the log-probability of each sequence, like TraMineR's ``seqlogp()``.

    Defaults of ``seqlogp``: the first state has its first-position frequency, then
    each transition t -> t+1 its time-varying transition rate (``seqtrate(time.varying
    = TRUE)``); zero probabilities add nothing (as TraMineR).
    """
    _check_seq(seq)
    if seq.has_missing and not with_missing:
        raise SequenceError(
            "sequences have missing states: pass with_missing=True (as seqlogp)"
        )
    w = _weights(seq, seq.n, weights, weighted)
    codes, labels = _state_codes(seq, with_missing)
    k = len(labels)
    n, T = codes.shape
    first = _frequencies(codes[:, :1], k, w)[:, 0]
    logp = np.zeros(n)
    p = first[codes[:, 0]]
    good = np.isfinite(p) & (p > 0)
    logp[good] -= np.log(p[good])
    for t in range(T - 1):
        a, b = codes[:, t], codes[:, t + 1]
        counts = np.zeros((k, k))
        np.add.at(counts, (a, b), w)
        tot = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = np.where(tot > 0, counts / np.where(tot > 0, tot, 1.0), 0.0)
        p = rates[a, b]
        good = p > 0
        logp[good] -= np.log(p[good])
    return logp


@njit(cache=True)
def _group_v(d, groups, w, K):
    """V of dissrep: mean(disscenter(d[g, g], w[g])) for each group g = 0..K-1."""
    n = d.shape[0]
    order = np.argsort(groups, kind="mergesort")
    starts = np.zeros(K + 1, dtype=np.int64)
    for i in range(n):
        starts[groups[i] + 1] += 1
    for g in range(K):
        starts[g + 1] += starts[g]
    out = np.empty(K)
    for g in range(K):
        mem = order[starts[g] : starts[g + 1]]
        m = mem.shape[0]
        W = 0.0
        for a in range(m):
            W += w[mem[a]]
        dc = np.empty(m)
        for a in range(m):
            s = 0.0
            row = d[mem[a]]
            for b in range(m):
                s += row[mem[b]] * w[mem[b]]
            dc[a] = s / W if W > 0 else s
        mean = 0.0
        wmean = 0.0
        for a in range(m):
            mean += dc[a]
            wmean += dc[a] * w[mem[a]]
        out[g] = mean / m - (wmean / W) / 2.0
    return out


@njit(cache=True)
def _select_kernel(d, order, w, radius, coverage, nrep):
    """dissrep's greedy selection (nrep < 0: by coverage); positions in ``d``."""
    n = d.shape[0]
    wsum = 0.0
    for i in range(n):
        wsum += w[i]
    kept = np.empty(n, dtype=np.int64)
    K = 0
    covered = np.zeros(n, dtype=np.bool_)
    cov = 0.0
    for c in range(n):
        cand = order[c]
        if nrep < 0:
            if cov / wsum >= coverage:
                break
        elif nrep <= K:
            break
        ok = True
        row = d[cand]
        for r in range(K):
            if not (row[kept[r]] > radius):
                ok = False
                break
        if not ok:
            continue
        kept[K] = cand
        K += 1
        if nrep < 0:
            for j in range(n):
                if not covered[j] and row[j] < radius:  # row = column: d is symmetric
                    covered[j] = True
                    cov += w[j]
    return kept[:K]


def _check_rep_args(radius: float, coverage: float, nrep) -> None:
    if not 0.0 <= radius <= 1.0:
        raise SequenceError(f"radius (pradius) must be between 0 and 1, got {radius}")
    if nrep is None:
        if not 0.0 < coverage <= 1.0:
            raise SequenceError(f"coverage must be in (0, 1], got {coverage}")
    elif isinstance(nrep, bool) or not isinstance(nrep, int | np.integer) or nrep < 1:
        raise SequenceError(f"nrep must be a positive integer, got {nrep!r}")


def _criterion_scores(crit, seq, d, w, rho, tot, same) -> tuple[np.ndarray, bool]:
    """(score of every sequence, decreasing order) of a dissrep / seqrep criterion."""
    if crit == "density":
        return _row_near_all(d, w, rho), True
    if crit == "freq":
        return same, True
    if crit == "dist":
        return tot, False
    if crit == "mscore":
        return mscore(seq, w), True
    return log_probability(seq, w), False


def representatives(
    seq: Sequences,
    d: np.ndarray,
    criterion: str = "density",
    coverage: float = 0.25,
    radius: float = 0.1,
    *,
    nrep: int | None = None,
    score: np.ndarray | None = None,
    decreasing: bool = True,
    dmax: float | None = None,
    weights: np.ndarray | None = None,
    weighted: bool = True,
) -> Representatives:
    """Representative sequences and their statistics, like TraMineR's ``seqrep()``.

    Mirrors ``seqrep(seq, diss = d, criterion, coverage, nrep, pradius = radius,
    dmax)`` of TraMineR 2.2-12 (``dissrep``), with its conventions:

    - neighbourhood radius ``rho = radius * dmax`` (``dmax`` defaults to ``max(d)``);
    - scores: ``"density"`` the (weighted) number of sequences at distance
      ``< rho`` (strictly), ``"freq"`` the number at distance 0, ``"dist"`` the sum of
      distances (increasing), ``"mscore"`` the sum of the cross-sectional frequencies of
      the sequence's states (:func:`mscore`), ``"prob"`` minus the log-probability
      (:func:`log_probability`, increasing); or any ``score`` given;
    - candidates in score order, ties in the order of ``seq`` (stable sort);
    - a candidate is kept if its distance to every kept one is ``> rho`` (strictly);
    - stop once the kept ones have a share ``>= coverage`` of the sequences within
      ``< rho`` (or when ``nrep`` are kept, if given);
    - statistics: ``na`` the number whose nearest representative (first on ties) is
      this one, ``nb`` those of them within ``< rho``, ``SD``/``MD`` the sum/mean of
      their distances to it, ``DC`` the sum of their distances to the centre
      (``disscenter``), ``V`` the mean ``disscenter`` distance inside the group,
      ``Q = (DC - SD) / DC * 100``; quality = Q of the Total row / 100.

    Parameters
    ----------
    seq : Sequences
    d : numpy.ndarray
        n x n symmetric dissimilarities between the sequences of ``seq`` (e.g.
        :func:`distances`).
    criterion : {"density", "freq", "dist", "mscore", "prob"}
    coverage : float
        Share of the sequences to cover, in (0, 1] (TraMineR's ``coverage``, ex
        ``trep``); ignored when ``nrep`` is given.
    radius : float
        Neighbourhood radius as a share of ``dmax``, in [0, 1] (``pradius``, ex
        ``tsim``).
    nrep : int, optional
        Fixed number of representatives instead of a coverage.
    score : array-like, optional
        Own score of each sequence (with ``decreasing``), instead of the criterion's.
    decreasing : bool
        Order of an own ``score`` (the criteria set their own).
    dmax : float, optional
        Maximum distance for the radius (default ``max(d)``).
    weights : array-like, optional
        Sequence weights (default: those of ``seq`` if it has any).
    weighted : bool
        Use the weights (TraMineR's ``weighted``).

    Returns
    -------
    Representatives

    Raises
    ------
    SequenceError
        Unknown criterion, bad coverage/radius/nrep, a matrix not n x n, bad weights.

    Examples
    --------
    >>> from observatoire.trajectories import define_sequences, distances
    >>> seq = define_sequences(["aaaa", "aaab", "aaab", "bbbb"], None, ["a", "b"])
    >>> rep = representatives(seq, distances(seq, "HAM"), "freq", coverage=0.5)
    >>> rep.index.tolist(), rep.statistics["na"].tolist()
    ([1], [4.0, 4.0])
    """
    _check_seq(seq)
    n = seq.n
    d = _check_square(d, n)
    crit = str(criterion).lower() if score is None else str(criterion)
    if score is None and crit not in CRITERIA:
        raise SequenceError(f"unknown criterion {criterion!r} (one of {CRITERIA})")
    _check_rep_args(radius, coverage, nrep)
    w = _weights(seq, n, weights, weighted)
    wsum = float(w.sum())
    tot, same, chk = _row_pass_all(d, w)
    if not np.isfinite(chk).all() or (chk != 0).any():
        raise SequenceError("dissimilarity matrix has NaN or infinite values")
    dmax_d = float(d.max())
    dmax = dmax_d if dmax is None else float(dmax)
    rho = dmax * radius
    if score is not None:
        sc = np.asarray(score, dtype=np.float64).reshape(-1)
        if sc.shape[0] != n:
            raise SequenceError(f"score has {sc.shape[0]} values for {n} sequences")
    else:
        sc, decreasing = _criterion_scores(crit, seq, d, w, rho, tot, same)
    # R's order(): stable, ties keep the original order in both directions
    order = np.argsort(-sc if decreasing else sc, kind="stable")
    kept = _select_kernel(
        d,
        order.astype(np.int64),
        w,
        rho,
        float(coverage),
        -1 if nrep is None else int(nrep),
    ).tolist()
    K = len(kept)

    dc_raw = tot / wsum
    dc_tot = dc_raw - (dc_raw @ w / wsum) / 2.0
    drep = d[kept].T  # rows are contiguous; d is symmetric
    # which.min: the first on ties. Distances mathematically equal can differ in
    # their last bits (e.g. OM computed with another summation order than R's), so
    # values within 1e-12 dmax of the row minimum count as tied.
    dist_near = drep.min(axis=1)
    tol = 1e-12 * max(dmax, 1.0)
    nearest = np.argmax(drep <= (dist_near + tol)[:, None], axis=1)
    dist_near = drep[np.arange(n), nearest]
    if K > 1:
        na = np.bincount(nearest, weights=w, minlength=K)
        SD = np.bincount(nearest, weights=dist_near * w, minlength=K)
        MD = SD / na
        nb = np.bincount(nearest, weights=(dist_near < rho) * w, minlength=K)
        DC = np.bincount(nearest, weights=dc_tot * w, minlength=K)
        V = _group_v(d, nearest.astype(np.int64), w, K)
    else:
        na = np.array([wsum])
        SD = np.array([float(dist_near @ w)])
        MD = SD / wsum
        nb = np.array([float((dist_near < rho) @ w)])
        DC = np.array([float(dc_tot @ w)])
        V = DC / wsum
    if dmax_d <= 0.0 and not (d < 0).any():  # all zero (R's diss0)
        nb = np.full(K, wsum)
    sd_tot = float((dist_near * w).sum())
    dc_sum = float((dc_tot * w).sum())
    quality = (dc_sum - sd_tot) / dc_sum if dc_sum != 0 else np.nan
    na = np.append(na, na.sum())
    nb = np.append(nb, nb.sum())
    SD = np.append(SD, sd_tot)
    MD = np.append(MD, sd_tot / wsum)
    DC = np.append(DC, dc_sum)
    V = np.append(V, dc_sum / wsum)
    with np.errstate(invalid="ignore", divide="ignore"):
        Q = (DC - SD) / DC * 100
    stats = pd.DataFrame(
        {
            "na": na,
            "na_pct": na / wsum * 100,
            "nb": nb,
            "nb_pct": nb / wsum * 100,
            "SD": SD,
            "MD": MD,
            "DC": DC,
            "V": V,
            "Q": Q,
        },
        index=[*(f"r{r + 1}" for r in range(K)), "Total"],
    )
    index = np.asarray(kept, dtype=np.int64)
    sub = subset(seq, index)
    logger.info(
        "%d representative(s) (%s), coverage %.1f %%", K, crit, stats["nb_pct"].iloc[-1]
    )
    return Representatives(
        criterion=crit,
        index=index,
        ids=seq.ids[index],
        sequences=sub,
        statistics=stats,
        scores=pd.Series(sc, index=seq.ids, name="score"),
        groups=pd.Series(nearest + 1, index=seq.ids, name="rep_group"),
        quality=float(quality),
        dmax=dmax,
        radius=rho,
        n=wsum,
    )


@dataclass(frozen=True, eq=False)
class SampledRepresentatives:
    """Result of :func:`sample_representatives`.

    Attributes
    ----------
    sample : Representatives
        Representatives chosen on the sample (statistics are the sample's); its
        ``index`` gives positions in the full ``seq``.
    sample_index : numpy.ndarray
        Positions in ``seq`` of the sampled sequences.
    groups : pandas.Series
        Rank (1..K) of the nearest representative of every sequence of ``seq``.
    distance : pandas.Series
        Distance of every sequence to that representative.
    coverage : float
        Share of all the sequences within the radius of their representative.
    """

    sample: Representatives
    sample_index: np.ndarray
    groups: pd.Series
    distance: pd.Series
    coverage: float


def sample_representatives(
    seq: Sequences,
    criterion: str = "density",
    coverage: float = 0.25,
    radius: float = 0.1,
    *,
    sample_size: int = 5000,
    seed: int = 1,
    method: str = "OM",
    sm="TRATE",
    indel=None,
    with_missing: bool = False,
    **options,
) -> SampledRepresentatives:
    """Representatives of many sequences from a seeded sample (CLARA style).

    :func:`representatives` needs all n x n dissimilarities. Here ``sample_size``
    sequences are drawn without replacement (numpy ``default_rng(seed)``), the
    representatives are chosen among them exactly as :func:`representatives` does
    (``dmax`` and radius from the sample), and every sequence is then attached to its
    nearest representative with ``n x K`` dissimilarities (:func:`cross_distances`).
    Cost: sample_size^2 + n K distances instead of n^2. Not in TraMineR.

    Parameters
    ----------
    seq : Sequences
    criterion, coverage, radius
        As :func:`representatives` (``"mscore"`` and ``"prob"`` use the sample's
        frequencies).
    sample_size : int
        Sequences in the sample (all of them if ``seq`` has fewer).
    seed : int
    method, sm, indel, with_missing, **options
        Dissimilarity, as :func:`distances` (TRATE costs come from all sequences).

    Returns
    -------
    SampledRepresentatives
    """
    _check_seq(seq)
    n = seq.n
    if isinstance(sample_size, bool) or not isinstance(sample_size, int | np.integer):
        raise SequenceError(f"sample_size must be an integer, got {sample_size!r}")
    if sample_size < 2:
        raise SequenceError(f"sample_size must be at least 2, got {sample_size}")
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=min(int(sample_size), n), replace=False))
    if (
        isinstance(sm, str)
        and sm.upper() == "TRATE"
        and method.upper() in ("OM", "OMSPELL", "TWED", "HAM")
    ):
        sm = substitution_costs(seq, "TRATE", 2.0, with_missing)
    sub = subset(seq, idx)
    d = distances(sub, method, sm=sm, indel=indel, with_missing=with_missing, **options)
    rep = representatives(sub, d, criterion, coverage, radius)
    full_index = idx[rep.index]
    rep = Representatives(
        criterion=rep.criterion, index=full_index, ids=seq.ids[full_index],
        sequences=rep.sequences, statistics=rep.statistics, scores=rep.scores,
        groups=rep.groups, quality=rep.quality, dmax=rep.dmax, radius=rep.radius,
        n=rep.n,
    )  # fmt: skip
    dr = cross_distances(
        seq, np.arange(n), full_index, method, sm=sm, indel=indel,
        with_missing=with_missing, **options,
    )  # fmt: skip
    best = dr.min(axis=1)
    tol = 1e-12 * max(rep.dmax, 1.0)
    nearest = np.argmax(dr <= (best + tol)[:, None], axis=1)
    dist = dr[np.arange(n), nearest]
    logger.info(
        "%d representatives from a sample of %d of %d", len(full_index), len(idx), n
    )
    return SampledRepresentatives(
        sample=rep,
        sample_index=idx,
        groups=pd.Series(nearest + 1, index=seq.ids, name="rep_group"),
        distance=pd.Series(dist, index=seq.ids, name="distance"),
        coverage=float((dist < rep.radius).mean()),
    )


__all__ = [
    "SampledRepresentatives",
    "sample_representatives",
    "CRITERIA",
    "Representatives",
    "log_probability",
    "mscore",
    "representatives",
    "sps",
]
