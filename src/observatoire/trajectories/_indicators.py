"""Longitudinal indicators of each sequence, like TraMineR's ``seqindic()`` (2.2-12).

One numba pass over the sequences (parallel over rows) extracts, for each, its distinct
successive states (DSS) and spell durations, the states it visits, and the number of
distinct subsequences of its DSS; every indicator is then a vectorised formula of
those, written as in TraMineR's sources (``seqtransn``, ``seqient``, ``seqivardur``,
``seqsubsn``, ``seqivolatility``, ``seqici``, ``seqST``).

Missing states (``with_missing=False``, TraMineR's default) are dropped before the
spells are formed, so ``a * a`` is one spell of ``a`` lasting 2, as TraMineR's
``seqdss`` and ``seqdur`` do. With ``with_missing=True`` the missing state is one more
state. This package has no "void" (TraMineR's ``right = "DEL"`` end padding): every
position counts in ``Lgth``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from numba import njit, prange

from ..exceptions import SequenceError
from ._sequences import Sequences, _check_seq, _state_codes

logger = logging.getLogger(__name__)

#: indicator codes of seqindic, in TraMineR's output order, with their column names
INDICATORS = {
    "lgth": "Lgth",
    "nonm": "NonM",
    "dlgth": "Dlgth",
    "visited": "Visited",
    "visitp": "Visitp",
    "recu": "Recu",
    "trans": "Trans",
    "transp": "Transp",
    "entr": "Entr",
    "meand": "MeanD",
    "dustd": "Dustd",
    "meand2": "MeanD2",
    "dustd2": "Dustd2",
    "nsubs": "Nsubs",
    "volat": "Volat",
    "cplx": "Cplx",
    "turb": "Turb",
    "turbn": "Turbn",
    "turb2": "Turb2",
    "turb2n": "Turb2n",
}
#: seqindic's groups of indicators
GROUPS = {
    "basic": (
        "lgth", "nonm", "dlgth", "visited", "visitp", "recu", "trans", "transp",
        "meand", "meand2",
    ),
    "diversity": ("visitp", "entr", "dustd", "dustd2"),
    "complexity": (
        "transp", "nsubs", "volat", "cplx", "turb", "turbn", "turb2", "turb2n",
    ),
}  # fmt: skip
GROUPS["all"] = tuple(
    dict.fromkeys(GROUPS["basic"] + GROUPS["diversity"] + GROUPS["complexity"])
)
ALIASES = {"visit": "visited"}


@njit(cache=True)
def _spell_row(row, k, out):
    """Spell statistics of one sequence into ``out`` (see :func:`_spell_stats`)."""
    T = row.shape[0]
    counts = np.zeros(k, dtype=np.int64)
    last = np.zeros(k, dtype=np.int64)  # 1-based DSS position of the last occurrence
    N = np.empty(T + 1)  # N[p]: distinct subsequences of the first p DSS states
    durs = np.empty(T)
    N[0] = 1.0
    m = 0  # DSS length
    prev = -1
    for t in range(T):
        c = row[t]
        if c < 0:
            continue
        counts[c] += 1
        if c == prev:
            durs[m - 1] += 1.0
            continue
        prev = c
        durs[m] = 1.0
        m += 1
        # seqsubsn's recurrence, in floats as R
        N[m] = 2.0 * N[m - 1]
        if last[c] > 0:
            N[m] -= N[last[c] - 1]
        last[c] = m
    nonm = 0
    visited = 0
    ent = 0.0
    for s in range(k):
        nonm += counts[s]
        if counts[s] > 0:
            visited += 1
    for s in range(k):
        if counts[s] > 0:
            p = counts[s] / nonm
            ent -= p * math.log(p)
    out[0] = nonm
    out[1] = m
    out[2] = visited
    _duration_moments(durs, m, k - visited, out)
    out[5] = N[m]
    out[6] = ent


@njit(cache=True)
def _duration_moments(durs, m, nnvisit, out):
    """out[3], out[4]: mean and variance of the m spell durations; out[7], out[8]: their
    sum and squared deviations from the type-2 mean (non-visited states as 0)."""
    out[7] = 0.0
    out[8] = 0.0
    if m == 0:
        out[3] = np.nan
        out[4] = np.nan
        return
    tot = 0.0
    for j in range(m):
        tot += durs[j]
    mean = tot / m
    mean2 = tot / (m + nnvisit)
    ss = 0.0
    ss2 = 0.0
    for j in range(m):
        ss += (durs[j] - mean) ** 2
        ss2 += (durs[j] - mean2) ** 2
    out[3] = mean
    out[4] = ss / m
    out[7] = tot
    out[8] = ss2


@njit(cache=True, parallel=True)
def _spell_stats(codes, k):
    """Per sequence (codes >= 0 are states, < 0 are dropped), one row of:

    0 non-missing length, 1 DSS length, 2 states visited, 3 mean spell duration,
    4 its population variance, 5 number of distinct subsequences of the DSS (a float,
    as in R), 6 entropy of the state shares (natural log), 7 sum of the spell
    durations, 8 sum of squared deviations of the durations from the type-2 mean
    (over the spells only).
    """
    n = codes.shape[0]
    out = np.empty((n, 9))
    for i in prange(n):
        _spell_row(codes[i], k, out[i])
    return out


@njit(cache=True)
def _spell_stats_serial(codes, k):
    """:func:`_spell_stats` on one thread (small inputs: no thread start-up)."""
    n = codes.shape[0]
    out = np.empty((n, 9))
    for i in range(n):
        _spell_row(codes[i], k, out[i])
    return out


def _stats(codes: np.ndarray, k: int) -> np.ndarray:
    codes = np.ascontiguousarray(codes)
    if codes.size < 200_000:
        return _spell_stats_serial(codes, k)
    return _spell_stats(codes, k)


def _turbulence(phi, var, vmax):
    return np.log2(phi * ((vmax + 1.0) / (var + 1.0)))


def _vardur(stats: np.ndarray, k: int, kind: int) -> tuple[np.ndarray, ...]:
    """(meand, var, vmax) of seqivardur(type = kind) from the kernel's columns."""
    nonm, dlgth, visited = stats[:, 0], stats[:, 1], stats[:, 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == 1:
            meand, var = stats[:, 3], stats[:, 4]
            vmax = (dlgth - 1) * (1 - meand) ** 2
            return meand, var, vmax
        nnvisit = k - visited
        meand = stats[:, 7] / (dlgth + nnvisit)
        var = (stats[:, 8] + nnvisit * meand**2) / (dlgth + nnvisit)
        if k < 2:
            maxnnv = np.zeros_like(dlgth)
        else:
            maxnnv = np.where(dlgth == 1, k - 1, k - 2).astype(float)
        meand_max = meand * (dlgth + nnvisit) / (dlgth + maxnnv)
        vmax = (
            (dlgth - 1) * (1 - meand_max) ** 2
            + (nonm - dlgth + 1 - meand_max) ** 2
            + maxnnv * meand_max**2
        ) / (dlgth + maxnnv)
        return meand, var, vmax


def _max_turbulence(length: int, k: int, kind: int) -> float:
    """Turbulence of the sequence cycling through the alphabet (seqST's norm)."""
    if k < 2:
        phi = 2.0
        cycle = np.zeros((1, length), dtype=np.int32)
    else:
        cycle = (np.arange(length, dtype=np.int32) % k)[None, :]
    stats = _stats(cycle, k)
    if k >= 2:
        phi = stats[0, 5]
    _, var, vmax = _vardur(stats, k, kind)
    return float(_turbulence(phi, var, vmax)[0])


def _resolve_indic(which) -> list[str]:
    names = [which] if isinstance(which, str) else list(which)
    wanted: list[str] = []
    for name in names:
        key = ALIASES.get(str(name).lower(), str(name).lower())
        if key in GROUPS:
            wanted += GROUPS[key]
        elif key in INDICATORS:
            wanted.append(key)
        else:
            raise SequenceError(
                f"unknown indicator {name!r}: one of {', '.join(INDICATORS)} or a group "
                f"({', '.join(GROUPS)})"
            )
    chosen = set(wanted)
    return [key for key in INDICATORS if key in chosen]


def sequence_indicators(
    seq: Sequences,
    which: str | list[str] = "all",
    *,
    with_missing: bool = False,
    w: float = 0.5,
) -> pd.DataFrame:
    """Longitudinal indicators of each sequence, like TraMineR's ``seqindic()``.

    Columns, in TraMineR's order (T the number of positions, k the alphabet size,
    plus one with ``with_missing``; spells are those of the distinct successive states,
    DSS):

    - ``Lgth``: length T (``seqlength``); ``NonM``: non-missing positions;
    - ``Dlgth``: DSS length; ``Visited``: states visited; ``Visitp`` = Visited / k;
      ``Recu`` = Dlgth / Visited (recurrence);
    - ``Trans`` = Dlgth - 1 (``seqtransn``); ``Transp`` = Trans / (T - 1);
    - ``Entr``: entropy of the state shares / log k (``seqient``);
    - ``MeanD``, ``Dustd``: mean and standard deviation (denominator n) of the spell
      durations (``seqivardur`` type 1); ``MeanD2``, ``Dustd2`` the same counting each
      non-visited state as a spell of length 0 (type 2);
    - ``Nsubs``: number of distinct subsequences of the DSS (``seqsubsn``; a float, as
      in R, exact up to 2^53);
    - ``Volat`` = w (Visited - 1)/(k - 1) + (1 - w) Transp (``seqivolatility``, 0 for
      the first term when one state is visited);
    - ``Cplx`` = sqrt(Transp x Entr) (``seqici``);
    - ``Turb`` = log2(Nsubs (vmax + 1) / (var + 1)), with var the type-1 duration
      variance and vmax = (Dlgth - 1)(1 - MeanD)^2 (``seqST``); ``Turbn`` =
      (Turb - 1)/(Tmax - 1), Tmax the turbulence of the sequence cycling a, b, c, ... a,
      b, ... over the whole alphabet for T positions, and 0 when Turb < 1;
      ``Turb2``, ``Turb2n`` the same with the type-2 variance and its maximum.

    Parameters
    ----------
    seq : Sequences
    which : str or list of str
        Indicator codes (``"lgth"``, ``"nonm"``, ``"dlgth"``, ``"visited"`` (alias
        ``"visit"``), ``"visitp"``, ``"recu"``, ``"trans"``, ``"transp"``, ``"entr"``,
        ``"meand"``, ``"dustd"``, ``"meand2"``, ``"dustd2"``, ``"nsubs"``,
        ``"volat"``, ``"cplx"``, ``"turb"``, ``"turbn"``, ``"turb2"``, ``"turb2n"``)
        or groups ``"all"``, ``"basic"``, ``"diversity"``, ``"complexity"``.
        The binary and ranked indicators of seqindic (``ppos``, ``integr``, ``prec``,
        ...) are not provided.
    with_missing : bool
        Count the missing state as a state.
    w : float
        Weight of the visited-states term in ``Volat`` (seqindic's ``w``).

    Returns
    -------
    pandas.DataFrame
        One row per sequence (index: the ids), one column per indicator.

    Raises
    ------
    SequenceError
        Unknown indicator, ``w`` outside [0, 1].

    Examples
    --------
    >>> from observatoire.trajectories import define_sequences
    >>> seq = define_sequences(["abab", "aabb"], None, ["a", "b"])
    >>> sequence_indicators(seq, ["dlgth", "trans", "nsubs"]).to_numpy().tolist()
    [[4.0, 3.0, 12.0], [2.0, 1.0, 4.0]]
    """
    _check_seq(seq)
    keys = _resolve_indic(which)
    if not 0.0 <= float(w) <= 1.0:
        raise SequenceError(f"w must be in [0, 1], got {w}")
    codes, labels = _state_codes(seq, with_missing)
    k = len(labels)
    T = seq.length
    stats = _stats(codes, k)
    nonm, dlgth, visited = stats[:, 0], stats[:, 1], stats[:, 2]
    trans = np.maximum(dlgth - 1, 0)
    transp = trans / (T - 1) if T > 1 else np.zeros_like(trans)
    with np.errstate(invalid="ignore", divide="ignore"):
        entr = stats[:, 6] / math.log(k) if k > 1 else np.full_like(trans, np.nan)
        entr = np.where(entr == 0, 0.0, entr)
        cols: dict[str, np.ndarray] = {
            "lgth": np.full(seq.n, float(T)),
            "nonm": nonm,
            "dlgth": dlgth,
            "visited": visited,
            "visitp": visited / k,
            "recu": dlgth / visited,
            "trans": trans,
            "transp": transp,
            "entr": entr,
            "nsubs": stats[:, 5],
            "volat": w * np.where(visited - 1 <= 0, 0.0, (visited - 1) / (k - 1))
            + (1 - w) * transp,
            "cplx": np.sqrt(transp * entr),
        }
        for kind, suffix in ((1, ""), (2, "2")):
            if not {
                f"meand{suffix}",
                f"dustd{suffix}",
                f"turb{suffix}",
                f"turb{suffix}n",
            } & set(keys):
                continue
            meand, var, vmax = _vardur(stats, k, kind)
            cols[f"meand{suffix}"] = meand
            cols[f"dustd{suffix}"] = np.sqrt(var)
            turb = _turbulence(stats[:, 5], var, vmax)
            cols[f"turb{suffix}"] = turb
            if f"turb{suffix}n" in keys:
                tmax = _max_turbulence(T, k, kind)
                norm = (turb - 1) / (tmax - 1)
                cols[f"turb{suffix}n"] = np.where(turb < 1, 0.0, norm)
    logger.debug("%d indicators of %d sequences", len(keys), seq.n)
    return pd.DataFrame({INDICATORS[key]: cols[key] for key in keys}, index=seq.ids)


__all__ = ["GROUPS", "INDICATORS", "sequence_indicators"]
