"""The protection step: the contract's disclosure rules applied to each shared table.

Every table the shared step keeps goes through one of these two functions,
which call :mod:`observatoire.disclosure` with the run's threshold and the
contract's minimum denominator (:data:`observatoire.disclosure.DEFAULT_MIN_DENOMINATOR`).
"""

from __future__ import annotations

import pandas as pd

from .. import disclosure


def protect_indicators(
    frame: pd.DataFrame, threshold: int
) -> disclosure.ProtectedTable:
    """Disclosure control of an indicator table, as :func:`disclosure.protect` gives it."""
    return disclosure.protect(
        frame, threshold=threshold, min_denominator=disclosure.DEFAULT_MIN_DENOMINATOR
    )


def protect_table(
    frame: pd.DataFrame | disclosure.ProtectedTable, threshold: int
) -> dict[str, pd.DataFrame]:
    """Disclosure control of an indicator table: ``{"values", "mask"}``.

    ``values`` is the table with every masked cell set to NaN; ``mask`` has the
    same shape and holds, per cell, ``""`` (published) or the reason it is
    hidden (``primaire``, ``secondaire``, ``denominateur``). An already
    protected table (:func:`protect_indicators`) is only put in that form.
    """
    protected = (
        frame
        if isinstance(frame, disclosure.ProtectedTable)
        else protect_indicators(frame, threshold)
    )
    values = protected.masked_values()
    for col in values.columns:
        if isinstance(values[col].dtype, pd.Int64Dtype | pd.Float64Dtype):
            values[col] = values[col].astype(float)
    return {"values": values, "mask": protected.reasons.copy()}


def protect_figures(
    frame: pd.DataFrame, threshold: int, hierarchy: pd.DataFrame
) -> pd.DataFrame:
    """Disclosure control of a tidy key-figure or follow-up table.

    Hidden cells become NaN; ``valeur_masque`` and ``valeur_n_1_masque`` give
    the reason (``""`` when shown), see :func:`observatoire.disclosure.protect_figures`.
    """
    return disclosure.protect_figures(
        frame,
        threshold=threshold,
        min_denominator=disclosure.DEFAULT_MIN_DENOMINATOR,
        hierarchy=hierarchy,
    )
