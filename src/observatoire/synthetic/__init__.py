"""Seeded synthetic warehouse in the shape of the data contract.

:func:`generate` writes the eight contract tables (calibrated at ``scale=1`` on
the 2022-2024 framework agreement of Nouvelle-Aquitaine); :func:`truth` returns
the effects it injected (ML effects, profile effects, baseline hazards) so that
the evaluation methods can be checked against them.
"""

from ._generate import generate
from ._truth import Truth, truth

__all__ = ["generate", "truth", "Truth"]
