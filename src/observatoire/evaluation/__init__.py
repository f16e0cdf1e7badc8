"""Evaluation methods: outcomes after Region-funded training, time to employment,
and the composition-adjusted comparison of the Missions Locales.

Front door
----------
- :func:`outcomes_after_training`: situation 6 and 12 months after leaving a
  Region-funded training, by ML, training type and profile (Wilson intervals).
- :func:`time_to_employment`: Kaplan-Meier, log-rank and Cox model of the time to
  a first job after first reception or after a Region-funded training;
  :func:`kaplan_meier` and :func:`cox_model` are its building blocks.
- :func:`compare_missions_locales`: observed / expected ratios from a logistic
  model of each Article 4 outcome on the profile, with funnel limits.

For reports (French, disclosure applied: counts 1-4 as ``< 5``, rates over
fewer than 20 hidden as ``s``):

- tables :func:`outcomes_table`, :func:`medians_table`, :func:`logrank_table`,
  :func:`cox_table`, :func:`comparison_table`;
- figures :func:`survival_figure`, :func:`funnel_figure`,
  :func:`outcomes_figure` (matplotlib ``Figure``);
- :func:`reading_guide` / :data:`READING_GUIDES`: what each one says, in plain
  French.
"""

from ._adjusted import AdjustedComparison, compare_missions_locales
from ._figures import funnel_figure, outcomes_figure, survival_figure
from ._outcomes import TrainingOutcomes, outcomes_after_training
from ._survival import SurvivalAnalysis, cox_model, kaplan_meier, time_to_employment
from ._tables import (
    READING_GUIDES,
    comparison_table,
    cox_table,
    logrank_table,
    medians_table,
    outcomes_table,
    reading_guide,
)

__all__ = [
    "READING_GUIDES",
    "AdjustedComparison",
    "SurvivalAnalysis",
    "TrainingOutcomes",
    "compare_missions_locales",
    "comparison_table",
    "cox_model",
    "cox_table",
    "funnel_figure",
    "kaplan_meier",
    "logrank_table",
    "medians_table",
    "outcomes_after_training",
    "outcomes_figure",
    "outcomes_table",
    "reading_guide",
    "survival_figure",
    "time_to_employment",
]
