"""numba kernels for sequence dissimilarities (compiled once, cached on disk).

Optimal matching (OM) uses the rewritten recurrence E = d - indel * (p + q):

    E[p, q] = min(E[p-1, q], E[p, q-1], E[p-1, q-1] + c(a_p, b_q) - 2 indel)

with zero borders, so d(a, b) = E[m, n] + indel * (m + n): three floating-point operations
per cell instead of five; results differ from the textbook form only by rounding.

One row sequence is aligned against ``LANES`` column sequences at once: the lanes are
independent pairs, side by side in SIMD registers (the DP of a single pair is a serial
chain of ``min``). This needs LLVM's SLP vectoriser, which numba switches off by default
(numba issue #8705): :func:`slp_compile` turns it on only while these kernels compile.
The whole-matrix comparison with a plain implementation in the tests guards against a
miscompilation. numba's cache key ignores that setting; these kernels are only ever
compiled through :func:`slp_compile`, so the cached code is always the SLP one.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import numpy as np
from numba import njit, prange

from ._lanes import LANES, align_lanes

_slp_lock = threading.Lock()
_compiled: set[str] = set()


@contextmanager
def slp_compile(name: str):
    """Let numba compile (or load from cache) kernel ``name`` with SLP vectorisation."""
    if name in _compiled:
        yield
        return
    with _slp_lock:
        old = os.environ.get("NUMBA_SLP_VECTORIZE")
        os.environ["NUMBA_SLP_VECTORIZE"] = "1"
        try:
            yield
        finally:
            if old is None:
                del os.environ["NUMBA_SLP_VECTORIZE"]
            else:
                os.environ["NUMBA_SLP_VECTORIZE"] = old
            _compiled.add(name)


@njit(cache=True, inline="always")
def balanced_item(k, count):
    """Item (row or block of rows) at position ``k`` of the order 0, count - 1, 1, count - 2...

    Over the triangle i < j, item i has work in proportion to count - i. ``prange``
    hands each thread a contiguous run of positions, hence as many long items as
    short ones: every thread gets about the same work. ``k`` may be the unsigned
    index of ``prange``: it is cast first (mixed with signed integers it would turn
    float).
    """
    t = np.int64(k)
    return t // 2 if t % 2 == 0 else count - 1 - t // 2


@njit(cache=True, inline="always")
def lane_block(b, n):
    """First column and number of live lanes of block ``b`` of ``n`` columns."""
    start = b * LANES
    return start, min(LANES, n - start)


@njit(cache=True, inline="always")
def put_pair(D, i, j, v):
    """D[i, j] = D[j, i] = v (a symmetric matrix filled from its upper triangle)."""
    D[i, j] = v
    D[j, i] = v


@njit(cache=True, inline="always")
def put_lanes(D, i, start, nb, res, base):
    """put_pair(D, i, j, res[j - start] + base) for the block's columns j above row i."""
    for lane in range(nb):
        j = start + lane
        if i < j:
            put_pair(D, i, j, res[lane] + base)


@njit(cache=True)
def _gather_block(cols, start, nb, costp, G):
    """G[s, q+1, lane] = costp[s, cols[start + lane, q]]; missing lanes repeat the last one."""
    K = costp.shape[0]
    T = cols.shape[1]
    for lane in range(LANES):
        j = start + (lane if lane < nb else nb - 1)
        for q in range(T):
            b = cols[j, q]
            for s in range(K):
                G[s, q + 1, lane] = costp[s, b]


@njit(cache=True, parallel=True)
def om_square(seqs, costp, indel):
    """Full symmetric OM matrix of equal-length sequences (n x T int32 codes)."""
    n, T = seqs.shape
    K = costp.shape[0]
    nblocks = (n + LANES - 1) // LANES
    D = np.zeros((n, n))
    base = indel * 2.0 * T
    for kb in prange(nblocks):
        G = np.empty((K, T + 1, LANES))
        E0 = np.empty((T + 1, LANES))
        res = np.empty(LANES)
        start, nb = lane_block(balanced_item(kb, nblocks), n)
        _gather_block(seqs, start, nb, costp, G)
        for i in range(start + nb - 1):
            align_lanes(seqs[i], G, E0, res)
            put_lanes(D, i, start, nb, res, base)
    return D


@njit(cache=True, parallel=True)
def om_cross(rows, cols, costp, indel):
    """OM dissimilarities of every row sequence to every column sequence (nr x nc).

    Work items are (column block of LANES, chunk of rows); the column sequences of a
    block share one gathered cost table.
    """
    nr, T = rows.shape
    nc = cols.shape[0]
    K = costp.shape[0]
    nblocks = (nc + LANES - 1) // LANES
    nchunks = max(1, min(nr, (64 + nblocks - 1) // nblocks))
    D = np.empty((nr, nc))
    base = indel * 2.0 * T
    for task_ in prange(nblocks * nchunks):
        task = np.int64(task_)
        b = task // nchunks
        c = task % nchunks
        lo = c * nr // nchunks
        hi = (c + 1) * nr // nchunks
        G = np.empty((K, T + 1, LANES))
        E0 = np.empty((T + 1, LANES))
        res = np.empty(LANES)
        start, nb = lane_block(b, nc)
        _gather_block(cols, start, nb, costp, G)
        for i in range(lo, hi):
            align_lanes(rows[i], G, E0, res)
            for lane in range(nb):
                D[i, start + lane] = res[lane] + base
    return D


_JBLOCK = 512


@njit(cache=True, parallel=True)
def positionwise_square(seqsT, cost3):
    """Sum over t of cost3[t, x_t, y_t] for all pairs (HAM, DHD); seqsT is T x n.

    Full rows (each row is written contiguously, no transposed writes); with symmetric
    costs the two halves are computed by the same additions, so D is exactly symmetric.
    """
    T, n = seqsT.shape
    D = np.empty((n, n))
    for i in prange(n):
        acc = np.empty(_JBLOCK)
        for j0 in range(0, n, _JBLOCK):
            j1 = min(n, j0 + _JBLOCK)
            w = j1 - j0
            for jj in range(w):
                acc[jj] = 0.0
            for t in range(T):
                crow = cost3[t, seqsT[t, i]]
                col = seqsT[t, j0:j1]
                for jj in range(w):
                    acc[jj] += crow[col[jj]]
            for jj in range(w):
                D[i, j0 + jj] = acc[jj]
    return D


@njit(cache=True, parallel=True)
def mismatch_square(seqsT, value):
    """value x number of positions where two sequences differ (HAM with constant cost).

    seqsT is T x n of small integer codes (uint8); counts are exact integers.
    """
    T, n = seqsT.shape
    D = np.empty((n, n))
    for i in prange(n):
        acc = np.empty(_JBLOCK, dtype=np.int32)
        for j0 in range(0, n, _JBLOCK):
            j1 = min(n, j0 + _JBLOCK)
            w = j1 - j0
            for jj in range(w):
                acc[jj] = 0
            for t in range(T):
                a = seqsT[t, i]
                col = seqsT[t, j0:j1]
                for jj in range(w):
                    acc[jj] += np.int32(col[jj] != a)
            for jj in range(w):
                D[i, j0 + jj] = acc[jj] * value
    return D


@njit(cache=True, parallel=True)
def positionwise_cross(rowsT, colsT, cost3):
    """Sum over t of cost3[t, x_t, y_t], rows x columns (sequences given T x n)."""
    T, nr = rowsT.shape
    nc = colsT.shape[1]
    D = np.zeros((nr, nc))
    for i in prange(nr):
        row = D[i]
        for t in range(T):
            crow = cost3[t, rowsT[t, i]]
            col = colsT[t]
            for j in range(nc):
                row[j] += crow[col[j]]
    return D


@njit(cache=True, parallel=True)
def expand(Du, inv):
    """Full matrix D[i, j] = Du[inv[i], inv[j]] (distinct sequences back to all)."""
    n = inv.shape[0]
    D = np.empty((n, n))
    for i in prange(n):
        src = Du[inv[i]]
        for j in range(n):
            D[i, j] = src[inv[j]]
    return D


@njit(cache=True)
def om_plain(a, b, cost, indel):
    """Textbook OM of one pair (reference for tests and odd cases)."""
    m = a.shape[0]
    n = b.shape[0]
    d = np.empty((m + 1, n + 1))
    for p in range(m + 1):
        d[p, 0] = p * indel
    for q in range(n + 1):
        d[0, q] = q * indel
    for p in range(1, m + 1):
        for q in range(1, n + 1):
            d[p, q] = min(
                d[p - 1, q] + indel,
                d[p, q - 1] + indel,
                d[p - 1, q - 1] + cost[a[p - 1], b[q - 1]],
            )
    return d[m, n]
