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
    """Disclosure control of an indicator table, as :func:`disclosure.protect` gives it.

    Parameters
    ----------
    frame : pandas.DataFrame
        An indicator table of :func:`observatoire.indicators.compute` (one row
        per unit and period, counts and rates).
    threshold : int
        Smallest count shown (the run's ``disclosure_threshold``, 5 by the
        contract): counts 1 to ``threshold - 1`` are masked. Rates on fewer
        than :data:`~observatoire.disclosure.DEFAULT_MIN_DENOMINATOR` people
        are masked too.

    Returns
    -------
    observatoire.disclosure.ProtectedTable
        The values, the reason each masked cell is hidden, and the table's
        declared structure (for re-checking with ``recoverable_cells``).
    """
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

    Parameters
    ----------
    frame : pandas.DataFrame or observatoire.disclosure.ProtectedTable
        An indicator table, protected here, or one already protected.
    threshold : int
        Smallest count shown, as in :func:`protect_indicators` (unused for a
        table already protected).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``values`` (nullable integer columns turned to float, NaN where masked)
        and ``mask`` (same index and columns, text reasons).
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

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy figures: one row per unit and figure, with ``valeur`` and
        ``valeur_n_1`` (the year before), as ``indicators.key_figures`` or
        ``indicators.monthly_followup`` give them.
    threshold : int
        Smallest count shown, as in :func:`protect_indicators`.
    hierarchy : pandas.DataFrame
        The units and their parents (``niveau``, ``code``, ``code_parent``):
        MLs within departments within the region, so that no hidden cell can
        be recovered by subtraction.

    Returns
    -------
    pandas.DataFrame
        ``frame`` with hidden cells NaN and the columns ``valeur_masque`` and
        ``valeur_n_1_masque``.
    """
    return disclosure.protect_figures(
        frame,
        threshold=threshold,
        min_denominator=disclosure.DEFAULT_MIN_DENOMINATOR,
        hierarchy=hierarchy,
    )
