"""Helpers shared by several test files (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(what: str, reason: str) -> NoReturn:
    """Skip a test whose outside tool is missing; in CI, where every tool is
    installed (``.ci/run``), fail instead: a silent skip there hides a break."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} tests cannot run in CI: {reason}")
    pytest.skip(f"{what} tests skipped: {reason}")
