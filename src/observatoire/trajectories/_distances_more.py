"""Spell, time-warp, chi-square and prefix distances (TraMineR's ``seqdist`` methods
``OMspell``, ``TWED``, ``CHI2``, ``LCP`` and ``RLCP``), and ``seqdist``'s ``norm``.

:func:`._distances.distances` dispatches here; kernels are in :mod:`._kernels_more`.
Arguments, defaults and formulas follow TraMineR 2.2-12 (``R/seqdist.R``,
``R/seqdist-CHI2.R``, ``src/OMPerdistance.cpp``, ``src/TWEDdistance.cpp``,
``src/LCPdistance.cpp``, ``src/distancecalculator.h``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..exceptions import SequenceError
from . import _kernels as kn
from . import _kernels_more as km
from ._sequences import (
    Sequences,
    _check_seq,
    _state_codes,
    _unique_rows,
    substitution_costs,
)

logger = logging.getLogger(__name__)

MORE_METHODS = ("OMSPELL", "TWED", "CHI2", "LCP", "RLCP")
#: seqdist's norm values
NORMS = ("none", "auto", "maxlength", "gmean", "maxdist", "YujianBo")
_AUTO = {
    "OM": "maxlength",
    "HAM": "maxlength",
    "DHD": "maxlength",
    "LCS": "gmean",
    "LCP": "gmean",
    "RLCP": "gmean",
    "OMSPELL": "YujianBo",
    "TWED": "YujianBo",
}


# ------------------------------------------------------------------ normalisation
def norm_name(method: str, norm: str | bool) -> str:
    """The normalisation actually applied (``"auto"`` resolved as seqdist does)."""
    if isinstance(norm, bool):
        norm = "auto" if norm else "none"
    if norm not in NORMS:
        raise SequenceError(f"unknown norm {norm!r} (one of {NORMS})")
    if method in ("CHI2",):
        if norm not in ("none", "auto"):
            raise SequenceError("for CHI2, norm can only be 'none' or 'auto'")
        return norm
    return _AUTO[method] if norm == "auto" else norm


def normalize(
    raw: np.ndarray, norm: str, maxdist: float, l1: float, l2: float
) -> np.ndarray:
    """TraMineR's ``normalizeDistance`` for pairs of sequences of equal lengths."""
    if norm == "none":
        return raw
    with np.errstate(invalid="ignore", divide="ignore"):
        if norm == "maxlength":
            big = max(l1, l2)
            out = raw / big if big > 0 else np.zeros_like(raw)
        elif norm == "gmean":
            if l1 * l2 == 0:
                out = np.full_like(raw, 1.0 if l1 != l2 else 0.0)
            else:
                out = 1 - (maxdist - raw) / (2 * math.sqrt(l1) * math.sqrt(l2))
        elif norm == "maxdist":
            out = raw / maxdist if maxdist != 0 else np.ones_like(raw)
        else:  # YujianBo
            out = 2 * raw / (raw + maxdist) if maxdist != 0 else np.ones_like(raw)
    return np.where(raw == 0, 0.0, out)


def _max_sub(cost: np.ndarray, indel: float, norm: str) -> float:
    """OMdistance's maxscost: 2 indel for YujianBo, else min(max cost, 2 indel)."""
    if norm == "YujianBo":
        return 2.0 * indel
    off = cost[~np.eye(cost.shape[0], dtype=bool)] if cost.shape[0] > 1 else cost
    return min(float(off.max(initial=0.0)), 2.0 * indel)


def normalize_classic(
    D: np.ndarray, method: str, norm: str, cost: np.ndarray, indel: float, T: int
) -> np.ndarray:
    """``norm`` for OM, LCS (pairs of length T) and HAM, DHD (cost array per position)."""
    if norm == "none":
        return D
    if method in ("HAM", "DHD"):
        cost3 = cost if cost.ndim == 3 else np.broadcast_to(cost, (T, *cost.shape))
        maxdist = float(cost3.reshape(T, -1).max(axis=1).sum())
        return normalize(D, norm, maxdist, maxdist, maxdist)
    maxscost = _max_sub(cost, indel, norm)
    return normalize(D, norm, maxscost * T, T * indel, T * indel)


# ------------------------------------------------------------------------ helpers
def _codes(seq: Sequences, with_missing: bool) -> tuple[np.ndarray, list[str]]:
    _check_seq(seq)
    if seq.has_missing and not with_missing:
        raise SequenceError(
            "sequences have missing states: pass with_missing=True to treat them as a state"
        )
    codes, labels = _state_codes(seq, with_missing)
    return np.ascontiguousarray(codes, dtype=np.int32), labels


def _costs(
    seq: Sequences, sm, labels: list[str], with_missing: bool, method: str
) -> tuple[np.ndarray, str]:
    """(k x k substitution costs, kind "TRATE" / "CONSTANT" / "matrix")."""
    k = len(labels)
    if sm is None:
        raise SequenceError(
            f"method {method} needs sm: 'TRATE', 'CONSTANT' or a cost matrix"
        )
    if isinstance(sm, str):
        kind = sm.upper()
        if kind not in ("TRATE", "CONSTANT"):
            raise SequenceError(f"unknown sm {sm!r} (TRATE, CONSTANT or a cost matrix)")
        return substitution_costs(seq, kind, 2.0, with_missing).to_numpy(), kind
    if isinstance(sm, pd.DataFrame):
        if set(sm.index) == set(labels) and set(sm.columns) == set(labels):
            sm = sm.loc[labels, labels]
        sm = sm.to_numpy()
    cost = np.asarray(sm, dtype=np.float64)
    if cost.shape != (k, k):
        raise SequenceError(
            f"substitution-cost matrix has shape {cost.shape}, expected {(k, k)}"
        )
    if not np.isfinite(cost).all() or (cost < 0).any():
        raise SequenceError(
            "substitution-cost matrix has NaN, infinite or negative values"
        )
    if (np.diag(cost) != 0).any():
        raise SequenceError("substitution-cost matrix must have a zero diagonal")
    return np.ascontiguousarray(cost), "matrix"


def _indels(indel, kind: str, cost: np.ndarray, k: int) -> np.ndarray:
    """Per-state indel costs; "auto" as seqcost / seqdist choose them."""
    if indel is None or (isinstance(indel, str) and indel == "auto"):
        value = 1.0 if kind == "CONSTANT" else 0.5 * float(cost.max())
        return np.full(k, value)
    if isinstance(indel, str):
        raise SequenceError(
            f"indel must be a number, {k} numbers or 'auto', got {indel!r}"
        )
    arr = np.asarray(indel, dtype=np.float64).reshape(-1)
    if arr.size == 1:
        arr = np.full(k, float(arr[0]))
    if arr.size != k:
        raise SequenceError(f"{arr.size} indel costs for {k} states")
    if not np.isfinite(arr).all() or (arr <= 0).any():
        raise SequenceError("indel costs must be finite and positive")
    return arr


def _expand(du: np.ndarray, inv: np.ndarray, n: int) -> np.ndarray:
    return du if du.shape[0] == n else kn.expand(du, inv)


# ---------------------------------------------------------------------- OMspell
def _spell_arrays(codes: np.ndarray, indels: np.ndarray, expcost: float, tpow: float):
    st, du, ln = km.spells(codes)
    L = max(int(ln.max(initial=1)), 1)
    st = np.ascontiguousarray(st[:, :L])
    du = np.where(st >= 0, du[:, :L] ** tpow - 1.0, 0.0)
    ind = np.where(st >= 0, indels[np.maximum(st, 0)] + expcost * du, 0.0)
    return st, np.ascontiguousarray(ind), np.ascontiguousarray(du), ln


def _omspell_setup(seq, sm, indel, with_missing, expcost, tpow):
    expcost = float(expcost)
    if not np.isfinite(expcost) or expcost < 0:
        raise SequenceError(f"expcost must be a finite number >= 0, got {expcost}")
    tpow = float(tpow)
    if not np.isfinite(tpow):
        raise SequenceError(f"tpow must be finite, got {tpow}")
    codes, labels = _codes(seq, with_missing)
    cost, kind = _costs(seq, sm, labels, with_missing, "OMspell")
    indels = _indels(indel, kind, cost, len(labels))
    return codes, cost, indels, expcost, tpow


def _omspell_square(st, ind, du, ln, cost, expcost) -> np.ndarray:
    """OMspell matrix with the lane kernel, sequences sorted by number of spells."""
    perm = np.argsort(ln, kind="stable")
    with kn.slp_compile("omspell_square_lanes"):
        raw = km.omspell_square_lanes(
            np.ascontiguousarray(st[perm]), np.ascontiguousarray(du[perm]),
            np.ascontiguousarray(ind[perm]), np.ascontiguousarray(ln[perm]), cost, expcost,
        )  # fmt: skip
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    return np.ascontiguousarray(raw[np.ix_(inv, inv)])


# ------------------------------------------------------------------------- TWED
def _twed_setup(seq, sm, indel, with_missing, nu, h):
    if nu is None:
        raise SequenceError("method TWED needs nu (stiffness, > 0)")
    nu, h = float(nu), float(h)
    if not np.isfinite(nu) or nu <= 0:
        raise SequenceError(f"nu must be a number > 0, got {nu}")
    if not np.isfinite(h) or h < 0:
        raise SequenceError(f"h must be a number >= 0, got {h}")
    codes, labels = _codes(seq, with_missing)
    cost, _ = _costs(seq, sm, labels, with_missing, "TWED")
    if indel is None or (isinstance(indel, str) and indel == "auto"):
        ind = 2.0 * float(cost.max()) + nu + h
    else:
        ind = float(np.max(np.asarray(indel, dtype=np.float64)))
        if not np.isfinite(ind) or ind <= 0:
            raise SequenceError(f"indel must be finite and positive, got {indel!r}")
    return codes, cost, ind, nu, h


def _twed(rows: np.ndarray, cols: np.ndarray | None, cost, nu, h) -> np.ndarray:
    with kn.slp_compile("twed_square" if cols is None else "twed_cross"):
        if cols is None:
            return km.twed_square(rows, cost, nu, h)
        return km.twed_cross(rows, cols, cost, nu, h)


# ------------------------------------------------------------------------- CHI2
def _step_pairs(T: int, step: int, overlap: bool) -> list[tuple[float, float]]:
    """seqdist's CHI2 intervals from ``step`` (1-based, inclusive; R's arithmetic)."""
    step = int(step)
    if step < 1 or step > T:
        raise SequenceError(f"step must be between 1 and {T}, got {step}")
    if step == 1:
        return [(t, t) for t in range(1, T + 1)]
    if step == T:
        return [(1, T)]
    bb = list(range(1, T + 1, step))
    if bb[-1] != 1 + T - step:
        logger.warning("CHI2 with step=%d: the last interval is shorter", step)
    bb.append(T + 1)
    pairs: list[tuple[float, float]] = [(1, 1 + step / 2)] if overlap else []
    for i in range(1, len(bb)):
        pairs.append((bb[i - 1], bb[i] - 1))
        if overlap:
            last = pairs[-1]
            pairs.append((min(last[0] + step / 2, T), min(last[1] + step / 2, T)))
    return pairs


def _chi2_breaks(T: int, breaks, step: int, overlap: bool) -> list[np.ndarray]:
    """0-based positions of each interval, as seqdist's CHI2 builds them."""
    if breaks is None:
        pairs = _step_pairs(T, step, overlap)
    else:
        if isinstance(breaks, str | bytes) or not isinstance(breaks, Sequence):
            raise SequenceError("breaks must be a list of (start, end) pairs, 1-based")
        pairs = []
        for pair in breaks:
            if len(pair) != 2:
                raise SequenceError(f"breaks must be (start, end) pairs, got {pair!r}")
            pairs.append((float(pair[0]), float(pair[1])))
    out = []
    for start, end in pairs:
        # R's start:end, then indices truncated towards zero
        count = int(math.floor(end - start)) + 1 if end >= start else 0
        pos = np.floor(start + np.arange(count)).astype(np.int64) - 1
        if count == 0 or pos.min() < 0 or pos.max() >= T:
            raise SequenceError(f"interval ({start}, {end}) outside positions 1..{T}")
        out.append(pos)
    return out


def _chi2_table(
    codes: np.ndarray, k: int, intervals, w: np.ndarray, norm: bool, global_pdotj
) -> tuple[np.ndarray, np.ndarray]:
    """Shares table (n x intervals*k) and the column margins pdot (seqdist's CHI2).

    Columns with pdot = 0 are dropped by the callers (they add nothing).
    """
    mats, pdots = [], []
    for pos in intervals:
        sub = codes[:, pos]
        mat = np.stack([(sub == s).sum(axis=1) for s in range(k)], axis=1).astype(float)
        ndot = w @ mat
        rs = mat.sum(axis=1, keepdims=True)
        mat = np.where(rs > 0, mat / np.where(rs > 0, rs, 1.0), mat)
        tot = ndot.sum()
        pdot = ndot / tot if tot > 0 else ndot
        if global_pdotj is not None:
            pdot = np.where(ndot == 0, 0.0, global_pdotj)
        present = pdot[ndot != 0]
        if present.size > 1 and norm:
            two = np.sort(present)[:2]
            pdot = pdot * (1 / two[0] + 1 / two[1])
        mats.append(mat)
        pdots.append(pdot)
    return np.concatenate(mats, axis=1), np.concatenate(pdots)


def _chi2_setup(seq, with_missing, breaks, step, overlap, norm, weighted, global_pdotj):
    codes, labels = _codes(seq, with_missing)
    k = len(labels)
    w = getattr(seq, "weights", None) if weighted else None
    w = np.ones(seq.n) if w is None else np.asarray(w, dtype=np.float64)
    if global_pdotj is not None:
        if isinstance(global_pdotj, str):
            if global_pdotj != "obs":
                raise SequenceError("global_pdotj must be 'obs' or a vector of shares")
            counts = np.stack([w @ (codes == s) for s in range(k)]).sum(axis=1)
            global_pdotj = counts / counts.sum()
        else:
            g = np.asarray(global_pdotj, dtype=np.float64).reshape(-1)
            if g.size != k or (g < 0).any() or g.sum() == 0:
                raise SequenceError(
                    f"global_pdotj must be {k} non-negative shares with a positive sum"
                )
            global_pdotj = g / g.sum()
    intervals = _chi2_breaks(seq.length, breaks, step, overlap)
    return codes, k, intervals, w, global_pdotj


def _chi2_unique(codes_u, k, intervals, X_u, p) -> np.ndarray:
    """Distances between the distinct rows from the full table and margins."""
    keep = p > 0
    if all(len(pos) == 1 for pos in intervals):
        # one position per interval: (x - y)^2 / p summed over the one-hot columns is
        # 1/p[a] + 1/p[b] for states a != b, so a position-wise cost array (dropped
        # columns add nothing)
        inv = np.where(keep, 1.0 / np.where(keep, p, 1.0), 0.0).reshape(
            len(intervals), k
        )
        cost3 = inv[:, :, None] + inv[:, None, :]
        idx = np.arange(k)
        cost3[:, idx, idx] = 0.0
        sub = codes_u[:, [int(pos[0]) for pos in intervals]]
        D2 = kn.positionwise_square(
            np.ascontiguousarray(sub.T), np.ascontiguousarray(cost3)
        )
        return np.sqrt(D2)
    return km.chi2_square(
        np.ascontiguousarray(X_u[:, keep]), np.ascontiguousarray(p[keep])
    )


# ----------------------------------------------------------------------- public
def distances_more(
    seq: Sequences, method: str, sm, indel, with_missing: bool, **options
) -> np.ndarray:
    """Full matrix for OMspell, TWED, CHI2, LCP, RLCP (see :func:`distances`)."""
    return _compute(seq, None, None, method, sm, indel, with_missing, **options)


def cross_more(
    seq: Sequences,
    rows: np.ndarray,
    cols: np.ndarray,
    method: str,
    sm,
    indel,
    with_missing: bool,
    **options,
) -> np.ndarray:
    """Rows x columns for OMspell, TWED, CHI2, LCP, RLCP (see :func:`cross_distances`)."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    return _compute(seq, rows, cols, method, sm, indel, with_missing, **options)


def _first_rows(codes: np.ndarray, inv: np.ndarray, nu: int) -> np.ndarray:
    """Position in ``codes`` of the first row of each distinct sequence."""
    first = np.full(nu, -1, dtype=np.int64)
    rev = np.arange(codes.shape[0])[::-1]
    first[inv[::-1]] = rev
    return first


def _compute(
    seq: Sequences,
    rows: np.ndarray | None,
    cols: np.ndarray | None,
    method: str,
    sm,
    indel,
    with_missing: bool,
    *,
    norm: str | bool = "none",
    expcost: float = 0.5,
    tpow: float = 1.0,
    nu: float | None = None,
    h: float = 0.5,
    breaks=None,
    step: int = 1,
    overlap: bool = False,
    weighted: bool = True,
    global_pdotj=None,
) -> np.ndarray:
    """The full matrix (``rows`` None: over the distinct sequences, then expanded)
    or the rows x columns block; each method's setup and normalisation serve both."""
    method_u = str(method).upper()
    nm = norm_name(method_u, norm)
    T = seq.length

    def pick(codes):
        """The distinct rows (square) or the row and column blocks (cross)."""
        if rows is None:
            uniq, inv = _unique_rows(codes)
            return inv, uniq, None
        return None, codes[rows], codes[cols]

    if method_u == "OMSPELL":
        codes, cost, indels, expcost, tpow = _omspell_setup(
            seq, sm, indel, with_missing, expcost, tpow
        )
        inv, a, b = pick(codes)
        sa = _spell_arrays(np.ascontiguousarray(a), indels, expcost, tpow)
        if b is None:
            raw = _omspell_square(*sa, cost, expcost)
        else:
            sb = _spell_arrays(np.ascontiguousarray(b), indels, expcost, tpow)
            raw = km.omspell_cross(*sa, *sb, cost, expcost)
        big = float(indels.max())
        D = normalize(raw, nm, _max_sub(cost, big, nm) * T, T * big, T * big)
    elif method_u == "TWED":
        codes, cost, ind, nu, h = _twed_setup(seq, sm, indel, with_missing, nu, h)
        inv, a, b = pick(codes)
        raw = _twed(
            np.ascontiguousarray(a),
            None if b is None else np.ascontiguousarray(b),
            cost,
            nu,
            h,
        )
        maxscost = _max_sub(cost, ind, nm)
        D = normalize(raw, nm, 2 * (maxscost + nu) * T, T * ind, T * ind)
    elif method_u == "CHI2":
        inv, D = _chi2(
            seq, rows, cols, sm, with_missing, nm, breaks, step, overlap, weighted,
            global_pdotj, _unique_rows,
        )  # fmt: skip
    elif method_u in ("LCP", "RLCP"):
        if sm is not None:
            raise SequenceError(f"method {method} takes no sm")
        codes, _ = _codes(seq, with_missing)
        inv, a, b = pick(codes)
        reverse = method_u == "RLCP"
        a = np.ascontiguousarray(a)
        raw = (
            km.lcp_square(a, reverse)
            if b is None
            else km.lcp_cross(a, np.ascontiguousarray(b), reverse)
        )
        D = normalize(raw, nm, 2.0 * T, float(T), float(T))
    else:  # pragma: no cover - dispatch guards this
        raise SequenceError(f"unknown distance method {method!r}")
    if inv is None:
        return D
    logger.info(
        "%s distances: %d sequences, %d distinct",
        method,
        seq.n,
        int(inv.max(initial=-1)) + 1,
    )
    return _expand(np.ascontiguousarray(D), inv, seq.n)


def _chi2(
    seq, rows, cols, sm, with_missing, nm, breaks, step, overlap, weighted,
    global_pdotj, unique_rows,
):  # fmt: skip
    """CHI2 distances: (inverse of the distinct rows, their matrix) when ``rows``
    is None, else (None, rows x columns)."""
    if sm is not None:
        raise SequenceError("method CHI2 takes no sm")
    codes, k, intervals, w, gp = _chi2_setup(
        seq, with_missing, breaks, step, overlap, nm == "auto", weighted, global_pdotj
    )
    X, p = _chi2_table(codes, k, intervals, w, nm == "auto", gp)
    if rows is None:
        uniq, inv = unique_rows(codes)
        first = _first_rows(codes, inv, uniq.shape[0])
        D = _chi2_unique(uniq, k, intervals, np.ascontiguousarray(X[first]), p)
    else:
        inv = None
        keep = p > 0
        X, p = X[:, keep], np.ascontiguousarray(p[keep])
        D = km.chi2_cross(
            np.ascontiguousarray(X[rows]), np.ascontiguousarray(X[cols]), p
        )
    return inv, (D / math.sqrt(len(intervals)) if nm == "auto" else D)
