"""Identical cases aggregated into one weighted case, as ``WeightedCluster::wcAggregateCases``.

Sequence data often hold many identical sequences (557 distinct among the 712 of mvad).
Clustering the distinct ones with their counts (or weight sums) as weights gives the same
weighted typology on a smaller matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import SequenceError
from ._sequences import Sequences, _check_weights


@dataclass(frozen=True)
class AggregatedCases:
    """Result of :func:`aggregate_cases`.

    Attributes
    ----------
    index : numpy.ndarray
        0-based row of the first case of each distinct case, increasing
        (``aggIndex - 1``, in the order of the reference files).
    weights : numpy.ndarray
        Number of copies, or sum of the weights, of each distinct case (``aggWeights``).
    inverse : numpy.ndarray
        For each of the n cases, the position of its distinct case in :attr:`index`
        (``disaggIndex``), so ``x[index][inverse]`` gives back every case.
    case_weights : numpy.ndarray
        The weight of each original case (``disaggWeights``: 1 without weights).
    ids : pandas.Index
        Ids of the distinct cases (the id of their first case).
    """

    index: np.ndarray
    weights: np.ndarray
    inverse: np.ndarray
    case_weights: np.ndarray
    ids: pd.Index

    @property
    def n_distinct(self) -> int:
        """Number of distinct cases."""
        return int(self.index.size)

    def to_frame(self) -> pd.DataFrame:
        """One row per distinct case: its first row, id and aggregated weight."""
        return pd.DataFrame(
            {"first_row": self.index, "weight": self.weights},
            index=pd.Index(self.ids, name="id"),
        )

    def disaggregate(self, values: Any) -> np.ndarray:
        """Values given per distinct case (e.g. cluster labels), back to every case."""
        v = np.asarray(values)
        if v.shape[0] != self.index.size:
            raise SequenceError(
                f"{v.shape[0]} values for {self.index.size} distinct cases"
            )
        return v[self.inverse]


def aggregate_cases(
    data: Sequences | pd.DataFrame | np.ndarray,
    weights: Any = None,
    *,
    weighted: bool = True,
) -> AggregatedCases:
    """Group identical cases (rows), like ``wcAggregateCases``.

    Parameters
    ----------
    data : Sequences, DataFrame or 2-D array
        The cases, one per row (for Sequences, the state codes; missing states are a
        value like any other).
    weights : array-like, optional
        Case weights summed within each distinct case. By default the weights of a
        weighted :class:`Sequences` (as ``wcAggregateCases.stslist``), else counts.
    weighted : bool
        ``False`` ignores the weights of the sequences (counts copies).

    Returns
    -------
    AggregatedCases

    Examples
    --------
    >>> agg = aggregate_cases(np.array([[1, 2], [3, 4], [1, 2]]), weights=[0.5, 1, 2])
    >>> agg.index.tolist(), agg.weights.tolist(), agg.inverse.tolist()
    ([0, 1], [2.5, 1.0], [0, 1, 0])
    """
    if isinstance(data, Sequences):
        values = data.codes
        ids = data.ids
        if weights is None and weighted:
            weights = data.weights
    elif isinstance(data, pd.DataFrame):
        # each column coded on its own values, as the R code's factor per column
        values = (
            np.column_stack(
                [pd.factorize(data[c], use_na_sentinel=False)[0] for c in data.columns]
            )
            if data.shape[1]
            else np.empty((len(data), 0), dtype=np.int64)
        )
        ids = data.index
    else:
        arr = np.asarray(data)
        if arr.ndim != 2:
            raise SequenceError(f"cases must be 2-D, got {arr.ndim} dimension(s)")
        values = (
            np.column_stack(
                [
                    pd.factorize(arr[:, j], use_na_sentinel=False)[0]
                    for j in range(arr.shape[1])
                ]
            )
            if arr.shape[1]
            else np.empty((arr.shape[0], 0), dtype=np.int64)
        )
        ids = pd.RangeIndex(arr.shape[0])
    n = values.shape[0]
    if n == 0:
        raise SequenceError("no case to aggregate (0 rows)")
    w = _check_weights(weights, n)
    w = np.ones(n) if w is None else np.asarray(w, dtype=np.float64)
    _, first, inv = np.unique(
        np.ascontiguousarray(values), axis=0, return_index=True, return_inverse=True
    )
    inv = inv.reshape(-1)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    inverse = rank[inv].astype(np.int64)
    index = first[order].astype(np.int64)
    agg = np.bincount(inverse, weights=w, minlength=index.size)
    return AggregatedCases(index, agg, inverse, w, pd.Index(ids[index]))
