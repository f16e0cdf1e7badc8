"""Sequence analysis of trajectories (states per month), matching TraMineR 2.2-12.

Define sequences with :func:`define_sequences`, describe them (state distribution,
transition rates, entropy, mean time per state), compute dissimilarities between them
(:func:`distances`: OM, HAM, LCS, DHD) with fast numba kernels, and build typologies
(:func:`ward`, :func:`pam`, :func:`clara`, :func:`silhouette`).
"""

from __future__ import annotations

from ._cluster import ClaraResult, clara, pam, silhouette, silhouette_samples, ward
from ._distances import cross_distances, distances
from ._sequences import (
    MISSING,
    Sequences,
    define_sequences,
    entropy,
    mean_time,
    state_distribution,
    substitution_costs,
    transition_rates,
)

__all__ = [
    "MISSING",
    "ClaraResult",
    "Sequences",
    "clara",
    "cross_distances",
    "define_sequences",
    "distances",
    "entropy",
    "mean_time",
    "pam",
    "silhouette",
    "silhouette_samples",
    "state_distribution",
    "substitution_costs",
    "transition_rates",
    "ward",
]

# iMilo trajectories and plots
from ._imilo import (  # noqa: E402
    STATE_COLOURS,
    STATE_LABELS,
    STATES,
    from_warehouse,
    monthly_states,
)
from ._imilo_typology import Typology, cohort_typology  # noqa: E402
from ._plots import (  # noqa: E402
    plot_index,
    plot_mean_time,
    plot_silhouette,
    plot_state_distribution,
    plot_transition_rates,
)

__all__ += [
    "STATES",
    "STATE_COLOURS",
    "STATE_LABELS",
    "Typology",
    "cohort_typology",
    "from_warehouse",
    "monthly_states",
    "plot_index",
    "plot_mean_time",
    "plot_silhouette",
    "plot_state_distribution",
    "plot_transition_rates",
]
