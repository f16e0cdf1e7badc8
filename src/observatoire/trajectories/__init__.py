"""Sequence analysis of trajectories (states per month), matching TraMineR 2.2-12.

Define sequences with :func:`define_sequences`, describe them (state distribution,
transition rates, entropy, mean time per state), compute dissimilarities between them
(:func:`distances`: OM, HAM, LCS, DHD) with fast numba kernels, and build typologies
(:func:`ward`, :func:`pam`, :func:`clara`, :func:`silhouette`).
"""

from __future__ import annotations

import os

import numba

# The batch forks a worker for the typology after other work may have run a
# parallel kernel: GNU OpenMP (numba's default layer here) aborts the child
# (« fork() called from a process already using GNU OpenMP »). A fork-safe
# layer (tbb, Intel OpenMP or numba's workqueue), unless the user chose one.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "forksafe"

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
    cohort_window,
    comparable_cohorts,
    from_warehouse,
    monthly_states,
)
from ._imilo_typology import (  # noqa: E402
    COVARIATES,
    Typology,
    TypologyStudy,
    cohort_typology,
    describe_path,
    indicators_by_cohort,
    indicators_by_profile,
    typology_study,
)
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
    "COVARIATES",
    "Typology",
    "TypologyStudy",
    "cohort_typology",
    "describe_path",
    "cohort_window",
    "comparable_cohorts",
    "indicators_by_cohort",
    "indicators_by_profile",
    "typology_study",
    "from_warehouse",
    "monthly_states",
    "plot_index",
    "plot_mean_time",
    "plot_silhouette",
    "plot_state_distribution",
    "plot_transition_rates",
]

# typology quality and validation, discrepancy analysis, trees, aggregation (issue #19)
from ._aggregate import AggregatedCases, aggregate_cases  # noqa: E402
from ._discrepancy import (  # noqa: E402
    DISCREPANCY_STATS,
    DiscrepancyResult,
    discrepancy,
    discrepancy_table,
)
from ._kmedoids import (  # noqa: E402
    KMedoidsResult,
    group_medoids,
    kmedoids,
    weighted_ward,
)
from ._quality import (  # noqa: E402
    QUALITY_STATS,
    ClusterRange,
    cluster_quality,
    cluster_quality_sampled,
    cluster_range,
    cluster_range_from_labels,
    cluster_silhouettes,
    plot_cluster_range,
    weighted_silhouette_samples,
)
from ._stability import (  # noqa: E402
    StabilityResult,
    adjusted_rand_index,
    typology_stability,
)
from ._tree import SequenceTree, sequence_tree  # noqa: E402

__all__ += [
    "DISCREPANCY_STATS",
    "QUALITY_STATS",
    "AggregatedCases",
    "ClusterRange",
    "DiscrepancyResult",
    "KMedoidsResult",
    "SequenceTree",
    "StabilityResult",
    "adjusted_rand_index",
    "aggregate_cases",
    "cluster_quality",
    "cluster_quality_sampled",
    "cluster_range",
    "cluster_range_from_labels",
    "cluster_silhouettes",
    "discrepancy",
    "discrepancy_table",
    "group_medoids",
    "kmedoids",
    "plot_cluster_range",
    "sequence_tree",
    "typology_stability",
    "weighted_silhouette_samples",
    "weighted_ward",
]

# representative sequences, longitudinal indicators, relative-frequency and MDS-sorted
# index plots (plot_index here extends the one of _plots with sort= and tables)
from ._distances import ALL_METHODS  # noqa: E402
from ._indicators import INDICATORS, sequence_indicators  # noqa: E402
from ._plots_more import (  # noqa: E402
    RelativeFrequency,
    mds_coordinate,
    plot_index,  # noqa: F811 (extends _plots.plot_index: sort=, tables)
    plot_relative_frequency,
    relative_frequency,
)
from ._represent import (  # noqa: E402
    Representatives,
    SampledRepresentatives,
    log_probability,
    mscore,
    representatives,
    sample_representatives,
)

__all__ += [
    "ALL_METHODS",
    "INDICATORS",
    "RelativeFrequency",
    "Representatives",
    "log_probability",
    "mds_coordinate",
    "mscore",
    "plot_relative_frequency",
    "relative_frequency",
    "representatives",
    "SampledRepresentatives",
    "sample_representatives",
    "sequence_indicators",
]
