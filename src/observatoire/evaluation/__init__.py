"""Evaluation methods: outcomes after Region-funded training, time to employment,
and the composition-adjusted comparison of the Missions Locales.

Front door
----------
- :func:`outcomes_after_training`: situation 6 and 12 months after leaving a
  Region-funded training, by ML, training type and profile (Wilson intervals).
- :func:`time_to_employment`: Kaplan-Meier, log-rank and Cox model of the time to
  a first job after first reception or after a Region-funded training.
- :func:`compare_missions_locales`: observed / expected ratios from a logistic
  model of each Article 4 outcome on the profile, with funnel limits.
"""

from ._adjusted import AdjustedComparison, compare_missions_locales
from ._outcomes import TrainingOutcomes, outcomes_after_training
from ._survival import SurvivalAnalysis, kaplan_meier, time_to_employment

__all__ = [
    "AdjustedComparison",
    "SurvivalAnalysis",
    "TrainingOutcomes",
    "compare_missions_locales",
    "kaplan_meier",
    "outcomes_after_training",
    "time_to_employment",
]
