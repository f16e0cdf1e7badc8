"""State sequences and their descriptive statistics (TraMineR's seqdef, seqstatd, ...).

A :class:`Sequences` object holds ``n`` sequences of the same length ``T`` as an integer
array of state codes: code ``s`` (0 <= s < k) is ``alphabet[s]``, and
:data:`MISSING` (-1) marks a missing state. This is TraMineR's
``seqdef(..., left = NA, gaps = NA, right = NA)``: every missing value, wherever it sits,
is the missing state ``*`` (TraMineR's default ``right = "DEL"`` would instead shorten a
sequence ending in missing values; the statistics below give the same results both ways
because they leave missing states out, as TraMineR does with ``with.missing = FALSE``).

Missing states in the statistics (``with_missing=False``, TraMineR's default):

- :func:`state_distribution`: each position's shares are over its non-missing states;
- :func:`transition_rates`: a transition counts only when both states are present;
- :func:`entropy`: the shares of each sequence are over its non-missing states (a sequence
  with no state at all has entropy 0, as in TraMineR);
- :func:`mean_time`: the months spent in each state; missing months count for no state,
  so the means sum to less than ``T``.

With ``with_missing=True`` the missing state is one more state, labelled ``*``, placed
after the alphabet (as TraMineR's ``with.missing = TRUE``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import SequenceError

logger = logging.getLogger(__name__)

#: code of a missing state in :attr:`Sequences.codes`
MISSING = -1
#: label of the missing state in outputs ``with_missing=True``
MISSING_LABEL = "*"


@dataclass(frozen=True, eq=False)
class Sequences:
    """State sequences of equal length, coded as integers.

    Attributes
    ----------
    codes : numpy.ndarray
        ``int32`` array ``n x T``; ``codes[i, t]`` is the index of the state of sequence
        ``i`` at position ``t`` in :attr:`alphabet`, or :data:`MISSING` (-1).
    alphabet : tuple
        The state values as they appear in the data, in code order.
    labels : tuple of str
        Short state names used in every output (TraMineR's ``states``).
    ids : pandas.Index
        One id per sequence (row labels of the outputs).
    positions : tuple of str
        Name of each position (the source columns, e.g. months).
    weights : numpy.ndarray or None
        Case weight of each sequence (TraMineR's ``seqdef(weights = )``), or ``None``
        for unweighted sequences. The descriptive statistics and TRATE costs use them
        unless called with ``weighted=False``.
    """

    codes: np.ndarray
    alphabet: tuple
    labels: tuple[str, ...]
    ids: pd.Index
    positions: tuple[str, ...]
    weights: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of sequences."""
        return int(self.codes.shape[0])

    @property
    def length(self) -> int:
        """Number of positions ``T`` of every sequence."""
        return int(self.codes.shape[1])

    @property
    def n_states(self) -> int:
        """Size ``k`` of the alphabet (missing state not counted)."""
        return len(self.alphabet)

    @property
    def has_missing(self) -> bool:
        """Whether any position holds the missing state."""
        return bool((self.codes == MISSING).any())

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        w = "" if self.weights is None else f", weighted (sum {self.weights.sum():g})"
        return (
            f"Sequences(n={self.n}, length={self.length}, "
            f"states={list(self.labels)}, missing={self.has_missing}{w})"
        )

    def to_frame(self) -> pd.DataFrame:
        """Sequences as a DataFrame of state labels (missing as ``*``), ids x positions."""
        lab = np.array([*self.labels, MISSING_LABEL], dtype=object)
        return pd.DataFrame(
            lab[self.codes], index=self.ids, columns=list(self.positions)
        )


def define_sequences(
    df: pd.DataFrame | Sequence | np.ndarray,
    columns: Sequence[str] | None,
    alphabet: Sequence,
    labels: Sequence[str] | None = None,
    id_column: str | None = None,
    *,
    missing: Sequence = (),
    weights: str | Sequence[float] | np.ndarray | None = None,
) -> Sequences:
    """Define state sequences from one row per individual and one column per position.

    Like TraMineR's ``seqdef(df[, columns], alphabet = alphabet, states = labels)``.

    Parameters
    ----------
    df : pandas.DataFrame or 2-D array-like
        One row per sequence. A list of lists (all of the same length) or a 2-D array is
        accepted too, with ``columns=None``.
    columns : list of str or None
        The position columns, in time order; ``None`` takes all columns of a non-DataFrame
        input (positions named ``"1"``, ``"2"``, ...).
    alphabet : list
        Every possible state value, in the order used by all outputs.
    labels : list of str, optional
        Short state names (default: ``str`` of each alphabet value).
    id_column : str, optional
        Column holding the sequence ids (default: the DataFrame index).
    missing : list, optional
        Extra values meaning "missing state" besides NaN/None (e.g. ``["*"]``).
    weights : str or array-like, optional
        Case weights, one per row (TraMineR's ``weights =``), or the name of the
        DataFrame column holding them. Finite, non-negative, with a positive sum.

    Returns
    -------
    Sequences

    Raises
    ------
    SequenceError
        Empty input, ragged rows, unknown column or state value, duplicate alphabet values,
        labels of the wrong length, duplicate ids, bad weights.

    Examples
    --------
    >>> seq = define_sequences([["a", "b", "b"], ["b", "b", None]], None, ["a", "b"])
    >>> seq.codes.tolist()
    [[0, 1, 1], [1, 1, -1]]
    >>> seq.n, seq.length, seq.labels
    (2, 3, ('a', 'b'))
    """
    if isinstance(df, pd.DataFrame):
        if columns is None:
            columns = list(df.columns)
        columns = list(columns)
        absent = [c for c in columns if c not in df.columns]
        if absent:
            raise SequenceError(f"columns not in the data: {absent[:5]}")
        values = df[columns].to_numpy(dtype=object)
        if id_column is not None:
            if id_column not in df.columns:
                raise SequenceError(f"id column {id_column!r} not in the data")
            ids = pd.Index(df[id_column].to_numpy(), name=id_column)
        else:
            ids = df.index
        positions = tuple(str(c) for c in columns)
    else:
        rows = list(df) if not isinstance(df, np.ndarray) else df
        if isinstance(rows, np.ndarray):
            if rows.ndim != 2:
                raise SequenceError(
                    f"sequences must be 2-D, got {rows.ndim} dimension(s)"
                )
            values = rows.astype(object)
        else:
            lengths = {len(r) for r in rows}
            if len(lengths) > 1:
                raise SequenceError(
                    f"ragged sequences: lengths {sorted(lengths)[:5]} (all must be equal)"
                )
            values = np.empty(
                (len(rows), lengths.pop() if lengths else 0), dtype=object
            )
            for i, r in enumerate(rows):
                values[i, :] = list(r)
        if columns is not None and len(columns) != values.shape[1]:
            raise SequenceError(
                f"{len(columns)} column names for sequences of length {values.shape[1]}"
            )
        positions = tuple(str(c) for c in (columns or range(1, values.shape[1] + 1)))
        ids = pd.RangeIndex(values.shape[0])
    if values.shape[0] == 0:
        raise SequenceError("no sequence to define (0 rows)")
    if values.shape[1] == 0:
        raise SequenceError("empty sequences (0 positions)")

    alphabet = tuple(alphabet)
    if len(alphabet) == 0:
        raise SequenceError("empty alphabet")
    if len(set(alphabet)) != len(alphabet):
        raise SequenceError(f"duplicate values in the alphabet: {list(alphabet)}")
    if labels is None:
        labels = tuple(str(a) for a in alphabet)
    labels = tuple(str(lab) for lab in labels)
    if len(labels) != len(alphabet):
        raise SequenceError(
            f"{len(labels)} labels for an alphabet of {len(alphabet)} states"
        )
    if len(set(labels)) != len(labels) or MISSING_LABEL in labels:
        raise SequenceError(
            f"labels must be distinct and not {MISSING_LABEL!r}: {labels}"
        )
    if ids.has_duplicates:
        raise SequenceError(
            f"duplicate sequence ids, e.g. {ids[ids.duplicated()][0]!r}"
        )

    # factorize once, then look up the few distinct values (fast on millions of cells)
    inverse, distinct = pd.factorize(
        pd.Series(values.ravel(order="C")), use_na_sentinel=True
    )
    lookup = {a: i for i, a in enumerate(alphabet)}
    missing_set = [m for m in missing if not pd.isna(m)]
    table = np.empty(len(distinct) + 1, dtype=np.int32)
    table[-1] = MISSING  # factorize's NaN/None sentinel -1 indexes the last slot
    bad = []
    for pos, value in enumerate(distinct):
        if value in lookup:
            table[pos] = lookup[value]
        elif any(value == m for m in missing_set):
            table[pos] = MISSING
        else:
            table[pos] = -2
            bad.append(value)
    out = table[inverse]
    if bad:
        n_bad = int((out == -2).sum())
        raise SequenceError(
            f"state values not in the alphabet: {bad[:5]} ({n_bad} cells)"
        )
    out = out.reshape(values.shape)
    if isinstance(weights, str):
        if not isinstance(df, pd.DataFrame) or weights not in df.columns:
            raise SequenceError(f"weight column {weights!r} not in the data")
        weights = df[weights].to_numpy()
    w = _check_weights(weights, out.shape[0])
    logger.debug("defined %d sequences of length %d", out.shape[0], out.shape[1])
    return Sequences(out, alphabet, labels, ids, positions, w)


def _check_weights(weights, n: int, what: str = "weights") -> np.ndarray | None:
    """Weights as a float64 array of length ``n`` (None stays None), or SequenceError."""
    if weights is None:
        return None
    try:
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise SequenceError(f"{what} must be numbers") from None
    if w.size != n:
        raise SequenceError(f"{w.size} {what} for {n} sequences")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SequenceError(
            f"{what} must be finite and >= 0: row {i} has {w[i]!r} "
            f"({int(bad.sum())} bad value(s))"
        )
    if not w.sum() > 0:
        raise SequenceError(f"{what} sum to 0")
    w = w.copy()
    w.flags.writeable = False
    return w


def _seq_weights(seq: Sequences, weighted: bool) -> np.ndarray | None:
    """The weights a statistic uses: ``seq.weights`` when ``weighted``, else None."""
    return seq.weights if weighted else None


def _check_seq(seq: Sequences) -> None:
    if not isinstance(seq, Sequences):
        raise SequenceError(
            f"expected a Sequences object (see define_sequences), got {type(seq).__name__}"
        )


def _state_codes(seq: Sequences, with_missing: bool) -> tuple[np.ndarray, list[str]]:
    """Codes with the missing state as code k when ``with_missing`` (else kept at -1)."""
    k = seq.n_states
    labels = list(seq.labels)
    codes = seq.codes
    if with_missing:
        codes = np.where(codes == MISSING, k, codes).astype(np.int32)
        labels.append(MISSING_LABEL)
    return codes, labels


def _counts_per_sequence(codes: np.ndarray, n_states: int) -> np.ndarray:
    """n x n_states matrix of positions spent in each state (negative codes ignored)."""
    n = codes.shape[0]
    valid = codes >= 0
    rows = np.broadcast_to(np.arange(n)[:, None], codes.shape)[valid]
    out = np.zeros((n, n_states), dtype=np.int64)
    np.add.at(out, (rows, codes[valid]), 1)
    return out


def state_distribution(
    seq: Sequences, with_missing: bool = False, weighted: bool = True
) -> pd.DataFrame:
    """Share of sequences in each state at each position, like ``seqstatd()$Frequencies``.

    Parameters
    ----------
    seq : Sequences
    with_missing : bool
        Count the missing state as a state (row ``*``); by default shares are over the
        non-missing states of each position (a position with none gives NaN).
    weighted : bool
        Use the sequences' weights, if any (TraMineR's ``weighted = TRUE``): shares of
        the weight total instead of counts.

    Returns
    -------
    pandas.DataFrame
        States x positions; each column sums to 1.

    Examples
    --------
    >>> seq = define_sequences([["a", "b"], ["b", "b"]], None, ["a", "b"])
    >>> state_distribution(seq).to_numpy().tolist()
    [[0.5, 0.0], [0.5, 1.0]]
    """
    _check_seq(seq)
    codes, labels = _state_codes(seq, with_missing)
    kk = len(labels)
    w = _seq_weights(seq, weighted)
    freq = np.zeros((kk, seq.length), dtype=np.float64)
    for s in range(kk):
        if w is None:
            freq[s] = (codes == s).sum(axis=0)
        else:
            freq[s] = w @ (codes == s)
    tot = freq.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        freq = freq / tot
    return pd.DataFrame(
        freq, index=pd.Index(labels, name="state"), columns=list(seq.positions)
    )


def _transition_counts(
    codes: np.ndarray, n_states: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Pooled (weighted) counts of (state at t, state at t+1), both present, k x k."""
    a = codes[:, :-1].ravel()
    b = codes[:, 1:].ravel()
    ok = (a >= 0) & (b >= 0)
    counts = np.zeros((n_states, n_states), dtype=np.float64)
    if weights is None:
        np.add.at(counts, (a[ok], b[ok]), 1.0)
    else:
        # TraMineR: sum over sequences of weight x number of such transitions
        per_seq = np.zeros((codes.shape[0], n_states * n_states))
        rows = np.broadcast_to(
            np.arange(codes.shape[0])[:, None], (codes.shape[0], codes.shape[1] - 1)
        ).ravel()
        np.add.at(per_seq, (rows[ok], a[ok] * n_states + b[ok]), 1.0)
        counts += (weights @ per_seq).reshape(n_states, n_states)
    return counts


def _rates_from_counts(counts: np.ndarray) -> np.ndarray:
    tot = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(tot > 0, counts / np.where(tot > 0, tot, 1.0), 0.0)
    return rates


def transition_rates(
    seq: Sequences, with_missing: bool = False, weighted: bool = True
) -> pd.DataFrame:
    """Transition rates between states, like ``seqtrate()`` (lag 1, pooled over time).

    Rate(i -> j) = number of (t, t+1) pairs with state i then j / number of pairs with
    state i at t and a state at t+1. A state never followed by another gets a row of 0.

    Parameters
    ----------
    seq : Sequences
    with_missing : bool
        Treat the missing state as a state (``*``); by default pairs touching a missing
        state are left out.
    weighted : bool
        Use the sequences' weights, if any (each sequence's transitions count with its
        weight, as TraMineR's ``weighted = TRUE``).

    Returns
    -------
    pandas.DataFrame
        From-state (index) x to-state (columns); rows sum to 1 (or 0).

    Examples
    --------
    >>> seq = define_sequences([["a", "a", "b"], ["b", "a", "a"]], None, ["a", "b"])
    >>> transition_rates(seq).to_numpy().tolist()
    [[0.6666666666666666, 0.3333333333333333], [1.0, 0.0]]
    """
    _check_seq(seq)
    codes, labels = _state_codes(seq, with_missing)
    if seq.length < 2:
        raise SequenceError("transition rates need sequences of at least 2 positions")
    rates = _rates_from_counts(
        _transition_counts(codes, len(labels), _seq_weights(seq, weighted))
    )
    return pd.DataFrame(
        rates, index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to")
    )


def _trate_costs(
    codes: np.ndarray, n_states: int, value: float, weights: np.ndarray | None = None
) -> np.ndarray:
    rates = _rates_from_counts(_transition_counts(codes, n_states, weights))
    cost = value - rates - rates.T
    np.fill_diagonal(cost, 0.0)
    return cost


def _trate_costs_time_varying(
    codes: np.ndarray,
    n_states: int,
    value: float = 4.0,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Time-varying TRATE costs (T x k x k), TraMineR's ``seqcost(time.varying = TRUE)``.

    With p_t the transition rates from t to t+1 (t = 1..T-1):
    cost_t(i, j) = value - p_{t-1}(i,j) - p_{t-1}(j,i) - p_t(i,j) - p_t(j,i) inside, and
    value - 2 (p(i,j) + p(j,i)) with the only applicable rates at t = 1 and t = T; floored
    at 0, zero diagonal.
    """
    T = codes.shape[1]
    k = n_states
    rates = np.zeros((max(T - 1, 0), k, k))
    for t in range(T - 1):
        rates[t] = _rates_from_counts(
            _transition_counts(codes[:, t : t + 2], k, weights)
        )
    sym = rates + rates.transpose(0, 2, 1)
    cost = np.empty((T, k, k))
    for t in range(T):
        first, last = t == 0, t == T - 1
        acc = np.zeros((k, k))
        if not first:
            acc -= sym[t - 1]
        if not last:
            acc -= sym[t]
        cost[t] = value + acc if (not first and not last) else value + 2.0 * acc
    cost = np.maximum(cost, 0.0)
    for t in range(T):
        np.fill_diagonal(cost[t], 0.0)
    return cost


def _unique_rows(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows in order of first appearance, and the index of each row among them."""
    _, first, inv = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    order = np.argsort(first, kind="stable")  # unique id -> rank of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return np.ascontiguousarray(codes[np.sort(first)]), rank[inv].astype(np.int64)


def substitution_costs(
    seq: Sequences,
    method: str = "TRATE",
    value: float = 2.0,
    with_missing: bool = False,
    weighted: bool = True,
) -> pd.DataFrame:
    """Substitution-cost matrix between states, like ``seqsubm()``.

    Parameters
    ----------
    seq : Sequences
    method : {"TRATE", "CONSTANT"}
        ``"TRATE"``: cost(i, j) = value - P(j|i) - P(i|j) from :func:`transition_rates`;
        ``"CONSTANT"``: ``value`` off the diagonal.
    value : float
        TraMineR's ``cval`` (2 by default).
    with_missing : bool
        Add the missing state ``*``: its TRATE costs use the rates with missing as a
        state, and (TraMineR's ``miss.cost.fixed``) its cost to any other state is
        ``value``.
    weighted : bool
        TRATE from the weighted transition rates when the sequences carry weights
        (TraMineR's ``seqsubm(weighted = TRUE)``, also what ``seqdist(sm = "TRATE")``
        uses).

    Returns
    -------
    pandas.DataFrame
        States x states, zero diagonal.

    Examples
    --------
    >>> seq = define_sequences([["a", "a", "b"], ["b", "a", "a"]], None, ["a", "b"])
    >>> substitution_costs(seq).round(4).to_numpy().tolist()
    [[0.0, 0.6667], [0.6667, 0.0]]
    """
    _check_seq(seq)
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise SequenceError(
            f"substitution cost value must be finite and >= 0, got {value}"
        )
    codes, labels = _state_codes(seq, with_missing)
    kk = len(labels)
    method_u = str(method).upper()
    if method_u == "TRATE":
        if seq.length < 2:
            raise SequenceError("TRATE costs need sequences of at least 2 positions")
        cost = _trate_costs(codes, kk, value, _seq_weights(seq, weighted))
        if with_missing:
            cost[-1, :-1] = value
            cost[:-1, -1] = value
    elif method_u == "CONSTANT":
        cost = np.full((kk, kk), value)
        np.fill_diagonal(cost, 0.0)
    else:
        raise SequenceError(
            f"unknown substitution-cost method {method!r} (TRATE, CONSTANT)"
        )
    return pd.DataFrame(cost, index=labels, columns=labels)


def entropy(
    seq: Sequences, normalize: bool = True, with_missing: bool = False
) -> pd.Series:
    """Shannon entropy of each sequence's state shares, like ``seqient()``.

    Natural logarithm; normalised by log(k), k the alphabet size (plus one with
    ``with_missing``), so a sequence spending equal time in every state has entropy 1.

    Parameters
    ----------
    seq : Sequences
    normalize : bool
        Divide by log(k) (TraMineR's ``norm = TRUE``).
    with_missing : bool
        Count the missing state as a state.

    Returns
    -------
    pandas.Series
        One value per sequence, indexed by the ids, named ``entropy``.

    Examples
    --------
    >>> seq = define_sequences([["a", "b"], ["a", "a"]], None, ["a", "b"])
    >>> entropy(seq).tolist()
    [1.0, 0.0]
    """
    _check_seq(seq)
    codes, labels = _state_codes(seq, with_missing)
    counts = _counts_per_sequence(codes, len(labels)).astype(np.float64)
    tot = counts.sum(axis=1, keepdims=True)
    p = counts / np.where(tot > 0, tot, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    ent = -terms.sum(axis=1)
    ent = np.where(ent == 0, 0.0, ent)  # no negative zero
    if normalize:
        if len(labels) < 2:
            raise SequenceError(
                "normalised entropy needs an alphabet of at least 2 states"
            )
        ent = ent / np.log(len(labels))
    return pd.Series(ent, index=seq.ids, name="entropy")


def mean_time(
    seq: Sequences, with_missing: bool = False, weighted: bool = True
) -> pd.DataFrame:
    """Mean time spent in each state, like ``seqmeant(serr = TRUE)``.

    With weights w (total W), as TraMineR: Mean = sum w x / W,
    Var = sum w (x - Mean)^2 * W / (W^2 - sum w^2), SE = sqrt(Var / W).

    Parameters
    ----------
    seq : Sequences
    with_missing : bool
        Add the missing state ``*`` as a row.
    weighted : bool
        Use the sequences' weights, if any.

    Returns
    -------
    pandas.DataFrame
        One row per state, columns ``Mean``, ``Var`` (denominator n - 1), ``Stdev`` and
        ``SE`` (= sqrt(Var / n)) of the number of positions spent in the state.

    Examples
    --------
    >>> seq = define_sequences([["a", "b"], ["a", "a"]], None, ["a", "b"])
    >>> mean_time(seq)["Mean"].tolist()
    [1.5, 0.5]
    """
    _check_seq(seq)
    codes, labels = _state_codes(seq, with_missing)
    counts = _counts_per_sequence(codes, len(labels)).astype(np.float64)
    n = counts.shape[0]
    w = _seq_weights(seq, weighted)
    if w is not None:
        wtot = w.sum()
        w2tot = (w**2).sum()
        mean = (counts * w[:, None]).sum(axis=0) / wtot
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (w[:, None] * (counts - mean) ** 2).sum(axis=0) * (
                wtot / (wtot**2 - w2tot)
            )
        return pd.DataFrame(
            {
                "Mean": mean,
                "Var": var,
                "Stdev": np.sqrt(var),
                "SE": np.sqrt(var / wtot),
            },
            index=pd.Index(labels, name="state"),
        )
    mean = counts.mean(axis=0)
    if n > 1:
        var = ((counts - mean) ** 2).sum(axis=0) / (n - 1)
    else:
        var = np.full(len(labels), np.nan)
    sd = np.sqrt(var)
    se = np.sqrt(var / n)
    return pd.DataFrame(
        {"Mean": mean, "Var": var, "Stdev": sd, "SE": se},
        index=pd.Index(labels, name="state"),
    )
