"""numba kernels for the spell, time-warp, chi-square and prefix distances.

Conventions as :mod:`._kernels`: compiled once and cached on disk, ``prange`` over
rows (rows i and n - 1 - i in one task, so that the triangle is split evenly), no
Python per pair, distinct sequences only (the caller expands).

TWED aligns one row sequence against ``TWED_LANES`` column sequences at once: the
lanes are independent pairs side by side (SIMD), the DP of one pair being a serial
chain. Like the OM lanes it only vectorises with LLVM's SLP pass, so it is compiled
through :func:`._kernels.slp_compile`; the tests compare it with the plain pairwise
recurrence (:func:`twed_plain`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

TWED_LANES = 8


# ------------------------------------------------------------------------ OMspell
@njit(cache=True)
def _omspell_pair(sa, ia, da, ma, sb, ib, db, mb, sm, timecost, F):
    """OM between spell sequences (TraMineR's OMPerdistance), raw distance.

    s*: spell states, i*: indel cost of each spell (indel[state] + timecost x dur),
    d*: durations (already ``dur ** tpow - 1``), m*: number of spells; F is a work
    buffer of at least (ma + 1) x (mb + 1).
    """
    F[0, 0] = 0.0
    for p in range(1, ma + 1):
        F[p, 0] = F[p - 1, 0] + ia[p - 1]
    for q in range(1, mb + 1):
        F[0, q] = F[0, q - 1] + ib[q - 1]
    for q in range(1, mb + 1):
        bq = sb[q - 1]
        dq = db[q - 1]
        iq = ib[q - 1]
        for p in range(1, ma + 1):
            ap = sa[p - 1]
            best = F[p, q - 1] + iq
            other = F[p - 1, q] + ia[p - 1]
            if other < best:
                best = other
            if ap == bq:
                diff = da[p - 1] - dq
                sub = timecost * (-diff if diff < 0 else diff)
            else:
                sub = sm[ap, bq] + (da[p - 1] + dq) * timecost
            sub += F[p - 1, q - 1]
            F[p, q] = sub if sub < best else best
    return F[ma, mb]


@njit(cache=True, parallel=True)
def omspell_square(spells, indels, durs, lens, sm, timecost):
    """Full symmetric OMspell matrix of spell sequences (n x L, padded)."""
    n, L = spells.shape
    D = np.zeros((n, n))
    ntasks = (n + 1) // 2
    for task_ in prange(ntasks):
        task = np.int64(task_)
        F = np.empty((L + 1, L + 1))
        for half in range(2):
            i = task if half == 0 else n - 1 - task
            if half == 1 and i == task:
                break
            for j in range(i + 1, n):
                v = _omspell_pair(
                    spells[i], indels[i], durs[i], lens[i],
                    spells[j], indels[j], durs[j], lens[j],
                    sm, timecost, F,
                )  # fmt: skip
                D[i, j] = v
                D[j, i] = v
    return D


@njit(cache=True, parallel=True)
def omspell_cross(sp_r, in_r, du_r, le_r, sp_c, in_c, du_c, le_c, sm, timecost):
    """OMspell between every row and every column spell sequence."""
    nr = sp_r.shape[0]
    nc = sp_c.shape[0]
    L = max(sp_r.shape[1], sp_c.shape[1])
    D = np.empty((nr, nc))
    for i in prange(nr):
        F = np.empty((L + 1, L + 1))
        for j in range(nc):
            D[i, j] = _omspell_pair(
                sp_r[i], in_r[i], du_r[i], le_r[i],
                sp_c[j], in_c[j], du_c[j], le_c[j],
                sm, timecost, F,
            )  # fmt: skip
    return D


# --------------------------------------------------------------------------- TWED
@njit(cache=True)
def twed_plain(a, b, sm, nu, h, big):
    """TWED of one pair exactly as TraMineR's TWEDdistance.cpp (raw distance).

    Time stamps are the positions; the state before the first position is the
    first state of the alphabet (code 0), as in TraMineR; ``big`` is TraMineR's
    stand-in for infinity (1000 x the largest substitution cost).
    """
    m = a.shape[0]
    n = b.shape[0]
    F = np.zeros((m + 1, n + 1))
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            ai = a[i - 1]
            bj = b[j - 1]
            ap = a[i - 2] if i > 1 else 0
            bp = b[j - 2] if j > 1 else 0
            if ai == bj and ap == bp:
                cost = 0.0
            else:
                cost = sm[ai, bj] + sm[ap, bp]
            sub = F[i - 1, j - 1] + cost + 2 * nu * abs(i - j)
            if j == 1:
                iw = big
                if i > 1:
                    sub = big
            else:
                iw = F[i, j - 1] + sm[bj, bp] + nu + h
            if i == 1:
                jw = big
                if j > 1:
                    sub = big
            else:
                jw = F[i - 1, j] + sm[ai, ap] + nu + h
            best = iw
            if jw < best:
                best = jw
            if sub < best:
                best = sub
            F[i, j] = best
    return F[m, n]


@njit(cache=True)
def _twed_gather(cols, start, nb, sm, nuh, S, CW):
    """S[s, j, l] = sm[s, b_l[j - 1]] (j >= 1; j = 0: the dummy state 0), and
    CW[j, l] = sm[b_l[j - 1], b_l[j - 2]] + nu + h; missing lanes repeat the last."""
    K = sm.shape[0]
    T = cols.shape[1]
    for lane in range(TWED_LANES):
        c = start + (lane if lane < nb else nb - 1)
        for s in range(K):
            S[s, 0, lane] = sm[s, 0]
        CW[0, lane] = 0.0
        CW[1, lane] = 0.0
        for j in range(1, T + 1):
            bj = cols[c, j - 1]
            for s in range(K):
                S[s, j, lane] = sm[s, bj]
            if j >= 2:
                CW[j, lane] = sm[bj, cols[c, j - 2]] + nuh


@njit(cache=True)
def _twed_lanes(a, S, CW, W, RW, prev, cur, out):
    """TWED of row sequence ``a`` against the lanes of S/CW; infinity borders.

    prev/cur: (T + 1) x LANES buffers; W[k] = 2 nu k; RW[i] = sm[a_i, a_{i-1}] + nu
    + h (i >= 2).
    """
    m = a.shape[0]
    T = S.shape[1] - 1
    inf = np.inf
    for lane in range(TWED_LANES):
        prev[0, lane] = 0.0
    for j in range(1, T + 1):
        for lane in range(TWED_LANES):
            prev[j, lane] = inf
    for i in range(1, m + 1):
        Sa = S[a[i - 1]]
        Sp = S[a[i - 2] if i > 1 else 0]
        rw = RW[i]
        for lane in range(TWED_LANES):
            cur[0, lane] = inf
        for j in range(1, T + 1):
            w = W[abs(i - j)]
            for lane in range(TWED_LANES):
                sub = prev[j - 1, lane] + (Sa[j, lane] + Sp[j - 1, lane]) + w
                iw = cur[j - 1, lane] + CW[j, lane]
                jw = prev[j, lane] + rw
                best = iw if iw < jw else jw
                cur[j, lane] = sub if sub < best else best
        for j in range(T + 1):
            for lane in range(TWED_LANES):
                prev[j, lane] = cur[j, lane]
    for lane in range(TWED_LANES):
        out[lane] = prev[T, lane]


@njit(cache=True)
def _twed_rowcosts(a, sm, nuh, RW):
    RW[0] = 0.0
    RW[1] = 0.0
    for i in range(2, a.shape[0] + 1):
        RW[i] = sm[a[i - 1], a[i - 2]] + nuh


@njit(cache=True, parallel=True)
def twed_square(seqs, sm, nu, h):
    """Full symmetric TWED matrix of equal-length sequences (n x T codes)."""
    n, T = seqs.shape
    K = sm.shape[0]
    L = TWED_LANES
    nblocks = (n + L - 1) // L
    D = np.zeros((n, n))
    nuh = nu + h
    W = np.empty(T + 1)
    for k in range(T + 1):
        W[k] = 2 * nu * k
    ntasks = (nblocks + 1) // 2
    for task_ in prange(ntasks):
        task = np.int64(task_)
        S = np.empty((K, T + 1, L))
        CW = np.empty((T + 1, L))
        RW = np.empty(T + 1)
        prev = np.empty((T + 1, L))
        cur = np.empty((T + 1, L))
        res = np.empty(L)
        for half in range(2):
            b = task if half == 0 else nblocks - 1 - task
            if half == 1 and b == task:
                break
            start = b * L
            nb = min(L, n - start)
            _twed_gather(seqs, start, nb, sm, nuh, S, CW)
            for i in range(start + nb - 1):
                _twed_rowcosts(seqs[i], sm, nuh, RW)
                _twed_lanes(seqs[i], S, CW, W, RW, prev, cur, res)
                for lane in range(nb):
                    j = start + lane
                    if i < j:
                        D[i, j] = res[lane]
                        D[j, i] = res[lane]
    return D


@njit(cache=True, parallel=True)
def twed_cross(rows, cols, sm, nu, h):
    """TWED of every row sequence against every column sequence (nr x nc)."""
    nr, T = rows.shape
    nc = cols.shape[0]
    K = sm.shape[0]
    L = TWED_LANES
    nblocks = (nc + L - 1) // L
    D = np.empty((nr, nc))
    nuh = nu + h
    W = np.empty(T + 1)
    for k in range(T + 1):
        W[k] = 2 * nu * k
    for b in prange(nblocks):
        S = np.empty((K, T + 1, L))
        CW = np.empty((T + 1, L))
        RW = np.empty(T + 1)
        prev = np.empty((T + 1, L))
        cur = np.empty((T + 1, L))
        res = np.empty(L)
        start = b * L
        nb = min(L, nc - start)
        _twed_gather(cols, start, nb, sm, nuh, S, CW)
        for i in range(nr):
            _twed_rowcosts(rows[i], sm, nuh, RW)
            _twed_lanes(rows[i], S, CW, W, RW, prev, cur, res)
            for lane in range(nb):
                D[i, start + lane] = res[lane]
    return D


# --------------------------------------------------------------------------- CHI2
@njit(cache=True, parallel=True)
def chi2_square(X, pdot):
    """sqrt(sum_c (X_ic - X_jc)^2 / pdot_c) for all pairs of rows of X."""
    n, C = X.shape
    D = np.zeros((n, n))
    inv = 1.0 / pdot
    ntasks = (n + 1) // 2
    for task_ in prange(ntasks):
        task = np.int64(task_)
        for half in range(2):
            i = task if half == 0 else n - 1 - task
            if half == 1 and i == task:
                break
            xi = X[i]
            for j in range(i + 1, n):
                xj = X[j]
                acc = 0.0
                for c in range(C):
                    diff = xi[c] - xj[c]
                    acc += diff * diff * inv[c]
                v = np.sqrt(acc)
                D[i, j] = v
                D[j, i] = v
    return D


@njit(cache=True, parallel=True)
def chi2_cross(Xr, Xc, pdot):
    """sqrt(sum_c (Xr_ic - Xc_jc)^2 / pdot_c), rows x columns."""
    nr, C = Xr.shape
    nc = Xc.shape[0]
    D = np.empty((nr, nc))
    inv = 1.0 / pdot
    for i in prange(nr):
        for j in range(nc):
            acc = 0.0
            for c in range(C):
                diff = Xr[i, c] - Xc[j, c]
                acc += diff * diff * inv[c]
            D[i, j] = np.sqrt(acc)
    return D


# ---------------------------------------------------------------------------- LCP
@njit(cache=True)
def _common(a, b, reverse):
    m = a.shape[0]
    n = b.shape[0]
    lim = min(m, n)
    k = 0
    if reverse:
        while k < lim and a[m - 1 - k] == b[n - 1 - k]:
            k += 1
    else:
        while k < lim and a[k] == b[k]:
            k += 1
    return k


@njit(cache=True, parallel=True)
def lcp_square(seqs, reverse):
    """n + m - 2 x (length of the longest common prefix, or suffix if reverse)."""
    n, T = seqs.shape
    D = np.zeros((n, n))
    ntasks = (n + 1) // 2
    for task_ in prange(ntasks):
        task = np.int64(task_)
        for half in range(2):
            i = task if half == 0 else n - 1 - task
            if half == 1 and i == task:
                break
            for j in range(i + 1, n):
                v = 2.0 * T - 2.0 * _common(seqs[i], seqs[j], reverse)
                D[i, j] = v
                D[j, i] = v
    return D


@njit(cache=True, parallel=True)
def lcp_cross(rows, cols, reverse):
    nr, T = rows.shape
    nc = cols.shape[0]
    D = np.empty((nr, nc))
    for i in prange(nr):
        for j in range(nc):
            D[i, j] = 2.0 * T - 2.0 * _common(rows[i], cols[j], reverse)
    return D


# ------------------------------------------------------------------------- spells
@njit(cache=True)
def spells(codes):
    """Distinct successive states and spell durations of each row (codes >= 0).

    Returns (states n x T padded with -1, durations n x T float, counts of spells).
    """
    n, T = codes.shape
    st = np.full((n, T), -1, dtype=np.int32)
    du = np.zeros((n, T))
    ln = np.zeros(n, dtype=np.int64)
    for i in range(n):
        m = 0
        for t in range(T):
            c = codes[i, t]
            if m > 0 and st[i, m - 1] == c:
                du[i, m - 1] += 1.0
            else:
                st[i, m] = c
                du[i, m] = 1.0
                m += 1
        ln[i] = m
    return st, du, ln
