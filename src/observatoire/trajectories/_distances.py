"""Dissimilarities between sequences, like TraMineR's ``seqdist()``.

Only distinct sequences are aligned (as TraMineR: unique, compute, expand). Kernels are in
:mod:`._kernels` (numba, parallel, cached on disk).

Missing states: TraMineR refuses sequences with missing states unless
``with.missing = TRUE``; so does :func:`distances` (``with_missing=True`` makes the
missing state one more state, see :func:`substitution_costs`).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..exceptions import SequenceError
from . import _distances_more as dm
from . import _kernels as kn
from ._sequences import (
    MISSING,
    Sequences,
    _check_seq,
    _state_codes,
    _trate_costs_time_varying,
    _unique_rows,
    substitution_costs,
)

logger = logging.getLogger(__name__)

#: methods of the first kernels (OM family and position-wise); see also MORE_METHODS
METHODS = ("OM", "HAM", "LCS", "DHD")
#: every method :func:`distances` accepts (case-insensitive)
ALL_METHODS = (*METHODS, "OMspell", "TWED", "CHI2", "LCP", "RLCP")


def _check_cost(
    sm: np.ndarray, k: int, T: int, allow_3d: bool, what: str
) -> np.ndarray:
    sm = np.asarray(sm, dtype=np.float64)
    shapes = [(k, k)] + ([(T, k, k)] if allow_3d else [])
    if sm.shape not in shapes:
        raise SequenceError(
            f"{what} has shape {sm.shape}, expected "
            + " or ".join(str(s) for s in shapes)
        )
    if not np.isfinite(sm).all():
        raise SequenceError(f"{what} has NaN or infinite values")
    if (sm < 0).any():
        raise SequenceError(f"{what} has negative costs")
    return np.ascontiguousarray(sm)


def _resolve(
    seq: Sequences,
    method: str,
    sm: str | np.ndarray | pd.DataFrame | None,
    indel: float,
    with_missing: bool,
) -> tuple[str, np.ndarray, np.ndarray, float]:
    """Check arguments; return (kernel kind, codes >= 0, cost matrix or array, indel)."""
    _check_seq(seq)
    method_u = str(method).upper()
    if method_u not in METHODS:
        raise SequenceError(
            f"unknown distance method {method!r} (one of {ALL_METHODS})"
        )
    if seq.has_missing and not with_missing:
        raise SequenceError(
            "sequences have missing states: pass with_missing=True to treat them as a state"
        )
    codes, labels = _state_codes(seq, with_missing)
    k = len(labels)
    T = seq.length
    indel = float(indel)
    if not np.isfinite(indel) or indel <= 0:
        raise SequenceError(f"indel must be a finite positive number, got {indel}")
    if isinstance(sm, pd.DataFrame):
        if set(sm.index) == set(labels) and set(sm.columns) == set(labels):
            sm = sm.loc[labels, labels]  # as substitution_costs() labels it
        sm = sm.to_numpy()
    if method_u == "LCS":
        if sm is not None:
            raise SequenceError(
                "method LCS takes no sm (it is OM with costs 2 and indel 1)"
            )
        cost = np.full((k, k), 2.0)
        np.fill_diagonal(cost, 0.0)
        return "om", codes, cost, 1.0
    if isinstance(sm, str):
        sm_u = sm.upper()
        if sm_u not in ("TRATE", "CONSTANT"):
            raise SequenceError(f"unknown sm {sm!r} (TRATE, CONSTANT or a cost matrix)")
        if method_u == "DHD":
            if sm_u == "CONSTANT":
                raise SequenceError("sm='CONSTANT' is not relevant for DHD, use HAM")
            return "pos", codes, _dhd_costs(seq, codes, k), indel
        value = 1.0 if (method_u == "HAM" and sm_u == "CONSTANT") else 2.0
        cost = substitution_costs(seq, sm_u, value, with_missing).to_numpy()
    elif sm is None:
        if method_u == "OM":
            raise SequenceError(
                "method OM needs sm: 'TRATE', 'CONSTANT' or a cost matrix"
            )
        if method_u == "HAM":
            cost = np.ones((k, k))
            np.fill_diagonal(cost, 0.0)
        else:  # DHD
            return "pos", codes, _dhd_costs(seq, codes, k), indel
    else:
        cost = _check_cost(sm, k, T, method_u == "DHD", "substitution-cost matrix")
        if method_u == "DHD" and cost.ndim == 2:
            raise SequenceError(f"DHD needs a T x k x k cost array ({T}, {k}, {k})")
    if method_u == "OM":
        return "om", codes, cost, indel
    if cost.ndim == 2:
        cost = np.broadcast_to(cost, (T, k, k))
    return "pos", codes, np.ascontiguousarray(cost), indel


def _dhd_costs(seq: Sequences, codes: np.ndarray, k: int) -> np.ndarray:
    if seq.length < 2:
        raise SequenceError("DHD costs need sequences of at least 2 positions")
    cost = _trate_costs_time_varying(codes, k, 4.0, seq.weights)
    if k > seq.n_states:  # missing state: fixed cost cval, as TraMineR's miss.cost
        cost[:, -1, :-1] = 4.0
        cost[:, :-1, -1] = 4.0
    return cost


def _om_square(uniq: np.ndarray, cost: np.ndarray, indel: float) -> np.ndarray:
    costp = np.ascontiguousarray(cost - 2.0 * indel)
    with kn.slp_compile("om_square"):
        return kn.om_square(uniq, costp, indel)


def _om_cross(
    rows: np.ndarray, cols: np.ndarray, cost: np.ndarray, indel: float
) -> np.ndarray:
    costp = np.ascontiguousarray(cost - 2.0 * indel)
    with kn.slp_compile("om_cross"):
        return kn.om_cross(
            np.ascontiguousarray(rows), np.ascontiguousarray(cols), costp, indel
        )


def _small_codes(codes: np.ndarray) -> np.ndarray:
    """Transposed codes (T x n), as uint8 when they fit (unsigned indexing is faster)."""
    dtype = np.uint8 if codes.max(initial=0) < 256 else np.int32
    return np.ascontiguousarray(codes.T.astype(dtype))


def _constant_cost(cost3: np.ndarray) -> float | None:
    """The off-diagonal value if every cost3[t] is that constant with a zero diagonal."""
    k = cost3.shape[1]
    if k < 2:
        return 0.0
    value = cost3[0, 0, 1]
    target = np.full((k, k), value)
    np.fill_diagonal(target, 0.0)
    return float(value) if (cost3 == target).all() else None


def _positionwise_square(uniq: np.ndarray, cost3: np.ndarray) -> np.ndarray:
    value = _constant_cost(cost3)
    if value is not None and uniq.max(initial=0) < 256:
        return kn.mismatch_square(_small_codes(uniq), value)
    return kn.positionwise_square(_small_codes(uniq), cost3)


def distances(
    seq: Sequences,
    method: str = "OM",
    sm: str | np.ndarray | pd.DataFrame | None = None,
    indel: float | str | np.ndarray | None = None,
    with_missing: bool = False,
    *,
    norm: str | bool = "none",
    expcost: float = 0.5,
    tpow: float = 1.0,
    nu: float | None = None,
    h: float = 0.5,
    breaks: list[tuple[float, float]] | None = None,
    step: int = 1,
    overlap: bool = False,
    weighted: bool = True,
    global_pdotj: str | np.ndarray | None = None,
) -> np.ndarray:
    """Dissimilarity matrix between all sequences, like TraMineR's ``seqdist()``.

    Parameters
    ----------
    seq : Sequences
    method : {"OM", "HAM", "LCS", "DHD", "OMspell", "TWED", "CHI2", "LCP", "RLCP"}
        ``"OM"`` optimal matching (needs ``sm``); ``"HAM"`` Hamming, sum of position-wise
        substitution costs (default constant 1: the number of mismatches); ``"LCS"``
        longest common subsequence distance, n + m - 2 LLCS (= OM with costs 2, indel 1);
        ``"DHD"`` dynamic Hamming: position-wise costs from the time-varying transition
        rates, cost_t(i, j) = 4 - p_{t-1}(i,j) - p_{t-1}(j,i) - p_t(i,j) - p_t(j,i).

        ``"OMspell"`` OM between spell sequences (TraMineR's OMPerdistance): each spell
        (state s, duration t) has indel ``indel[s] + expcost * (t**tpow - 1)``; two
        spells of the same state cost ``expcost * |t1**tpow - t2**tpow|``, of states a
        != b ``sm[a, b] + expcost * (t1**tpow - 1 + t2**tpow - 1)``.
        ``"TWED"`` time-warp edit distance (Marteau), time stamps = positions: matching
        positions i, j costs ``sm[x_i, y_j] + sm[x_{i-1}, y_{j-1}] + 2 nu |i - j|``
        (the state before position 1 is the first state, as TraMineR), deleting x_i
        costs ``sm[x_i, x_{i-1}] + nu + h``. TraMineR replaces infinity at the borders
        by 1000 x the largest substitution cost; a true infinity is used here (the same
        unless a distance exceeds that bound).
        ``"CHI2"`` chi-square distance between the state shares of each interval:
        ``sqrt(sum_intervals sum_j (p_xj - p_yj)^2 / p_.j)``, p_.j the (weighted) share
        of state j in the interval over all sequences, columns with p_.j = 0 dropped.
        ``"LCP"`` n + m - 2 x the length of the longest common prefix; ``"RLCP"`` the
        same with suffixes.
    sm : {"TRATE", "CONSTANT"}, numpy.ndarray, pandas.DataFrame or None
        Substitution costs: a name (as :func:`substitution_costs`, constant 2, or 1 for
        HAM; for DHD ``"TRATE"`` is the time-varying default) or a k x k matrix (T x k x k
        for HAM and DHD), k counting the missing state with ``with_missing``.
        OMspell and TWED need one (TRATE and CONSTANT with ``cval = 2``); CHI2, LCP and
        RLCP take none.
    indel : float, "auto", array-like or None
        Insertion/deletion cost. ``None`` is 1 for OM (this package's historical default)
        and ``"auto"`` for OMspell and TWED (TraMineR's default). ``"auto"``: OMspell
        0.5 x max(sm) (1 with ``sm="CONSTANT"``, as ``seqcost``), TWED 2 max(sm) + nu + h.
        OMspell also takes one value per state.
    with_missing : bool
        Treat the missing state as one more state (otherwise missing states are an error).
    norm : {"none", "auto", "maxlength", "gmean", "maxdist", "YujianBo"}
        seqdist's normalisation (``"auto"``: maxlength for OM, HAM, DHD; gmean for LCS,
        LCP, RLCP; YujianBo for OMspell, TWED; for CHI2 division by the square root of
        the number of intervals, and p_.j scaled by 1/p_min1 + 1/p_min2 per interval).
    expcost, tpow : float
        OMspell's cost of a unit of duration and power of the durations.
    nu, h : float
        TWED's stiffness (needed, > 0) and gap penalty (lambda, >= 0).
    breaks : list of (start, end), optional
        CHI2 intervals, 1-based inclusive positions; default from ``step``.
    step : int
        CHI2 interval length (1: every position its own interval; T: one interval).
    overlap : bool
        CHI2 overlapping intervals (shifted by step / 2), as seqdist.
    weighted : bool
        CHI2: margins p_.j weighted by the sequence weights, if ``seq`` has any.
    global_pdotj : "obs" or array-like, optional
        CHI2: fixed margins for every interval (``"obs"``: the overall state shares).

    Returns
    -------
    numpy.ndarray
        n x n float64, symmetric, zero diagonal, rows and columns in the order of ``seq``.

    Raises
    ------
    SequenceError
        Unknown method, sm or norm, missing states, bad cost matrix (shape, NaN,
        negative), bad method parameters (nu, h, expcost, breaks, step).

    Examples
    --------
    >>> from observatoire.trajectories import define_sequences
    >>> seq = define_sequences([list("aab"), list("abb"), list("bba")], None, ["a", "b"])
    >>> distances(seq, "HAM").tolist()
    [[0.0, 1.0, 3.0], [1.0, 0.0, 2.0], [3.0, 2.0, 0.0]]
    >>> distances(seq, "LCS").tolist()
    [[0.0, 2.0, 4.0], [2.0, 0.0, 2.0], [4.0, 2.0, 0.0]]
    >>> distances(seq, "LCP").tolist()
    [[0.0, 4.0, 6.0], [4.0, 0.0, 6.0], [6.0, 6.0, 0.0]]
    """
    if str(method).upper() in dm.MORE_METHODS:
        return dm.distances_more(
            seq, method, sm, indel, with_missing, norm=norm, expcost=expcost,
            tpow=tpow, nu=nu, h=h, breaks=breaks, step=step, overlap=overlap,
            weighted=weighted, global_pdotj=global_pdotj,
        )  # fmt: skip
    if indel is None:
        indel = 1.0
    method_u = str(method).upper()
    nm = dm.norm_name(method_u, norm) if method_u in METHODS else "none"
    kind, codes, cost, indel = _resolve(seq, method, sm, indel, with_missing)
    uniq, inv = _unique_rows(codes)
    logger.info(
        "%s distances: %d sequences, %d distinct, length %d",
        method,
        codes.shape[0],
        uniq.shape[0],
        codes.shape[1],
    )
    if kind == "om":
        du = _om_square(uniq, cost, indel)
    else:
        du = _positionwise_square(uniq, cost)
    du = dm.normalize_classic(du, method_u, nm, cost, indel, seq.length)
    if uniq.shape[0] == codes.shape[0]:
        return du  # all distinct, kept in their order
    return kn.expand(du, inv)


def _square_distances(
    seq: Sequences, idx: np.ndarray, *, _resolved: tuple
) -> np.ndarray:
    """Full matrix between the sequences ``idx`` of ``seq`` (distinct ones, for CLARA)."""
    kind, codes, cost, indel = _resolved
    sub = np.ascontiguousarray(codes[np.asarray(idx)])
    if kind == "om":
        return _om_square(sub, cost, indel)
    return _positionwise_square(sub, cost)


def cross_distances(
    seq: Sequences,
    rows: np.ndarray,
    cols: np.ndarray,
    method: str = "OM",
    sm: str | np.ndarray | pd.DataFrame | None = None,
    indel: float | str | np.ndarray | None = None,
    with_missing: bool = False,
    *,
    _resolved: tuple | None = None,
    **options,
) -> np.ndarray:
    """Dissimilarities between some sequences of ``seq`` and others (rows x columns).

    Same definitions and costs as :func:`distances` on the whole of ``seq`` (TRATE
    costs come from all sequences), without the n x n matrix: e.g. every sequence
    against a few medoids.

    Parameters
    ----------
    seq : Sequences
    rows, cols : array-like of int
        Positions (0-based) of the row and column sequences in ``seq``.
    method, sm, indel, with_missing
        As :func:`distances`.
    **options
        The method options of :func:`distances` (``norm``, ``expcost``, ``nu``, ...).

    Returns
    -------
    numpy.ndarray
        ``len(rows) x len(cols)`` float64.

    Examples
    --------
    >>> from observatoire.trajectories import define_sequences
    >>> seq = define_sequences([list("aab"), list("abb"), list("bba")], None, ["a", "b"])
    >>> cross_distances(seq, [0, 1, 2], [2], "HAM").tolist()
    [[3.0], [2.0], [0.0]]
    """
    if _resolved is None and str(method).upper() in dm.MORE_METHODS:
        return dm.cross_more(
            seq, rows, cols, method, sm, indel, with_missing, **options
        )
    if options.keys() - {"norm"}:
        raise SequenceError(
            f"options {sorted(options.keys() - {'norm'})} do not apply to {method}"
        )
    if indel is None:
        indel = 1.0
    kind, codes, cost, indel = _resolved or _resolve(
        seq, method, sm, indel, with_missing
    )
    a = codes[np.asarray(rows)]
    b = codes[np.asarray(cols)]
    if kind == "om":
        if b.shape[0] < kn.LANES < a.shape[0] and np.array_equal(cost, cost.T):
            # few columns: let the many rows fill the SIMD lanes (d is symmetric)
            out = np.ascontiguousarray(_om_cross(b, a, cost, indel).T)
        else:
            out = _om_cross(a, b, cost, indel)
    else:
        out = kn.positionwise_cross(_small_codes(a), _small_codes(b), cost)
    nm = options.get("norm", "none")
    if nm != "none":
        method_u = str(method).upper()
        out = dm.normalize_classic(
            out, method_u, dm.norm_name(method_u, nm), cost, indel, seq.length
        )
    return out


__all__ = ["ALL_METHODS", "METHODS", "MISSING", "cross_distances", "distances"]
