"""Our own exception classes: user errors the CLI turns into one line.

Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line imports this module first: keep it light
    import pandas as pd


class ObservatoireError(Exception):
    """Base class of every user-facing error of observatoire."""

    #: exit status the command line uses for this error
    exit_code: int = 2


class ExtractError(ObservatoireError):
    """A table is missing or cannot be read at all (file, column or encoding)."""

    exit_code = 2


class ValidationError(ObservatoireError):
    """Rows broke the data contract; carries the rejects table."""

    exit_code = 1

    def __init__(self, message: str, rejects: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.rejects = rejects


class ParamsError(ObservatoireError):
    """A parameter file or option is invalid."""

    exit_code = 2


class ArgumentError(ParamsError, ValueError):
    """A function argument or command-line option is invalid (also a ValueError)."""

    exit_code = 2


class OutputError(ObservatoireError):
    """An output cannot be written where it was asked (over an input, not a folder)."""

    exit_code = 2


class Interrupted(KeyboardInterrupt):
    """The process received SIGTERM: cleaned up like Ctrl-C, exit status 143."""

    exit_code = 143


class DisclosureError(ObservatoireError):
    """A table cannot be protected as asked (e.g. nothing to suppress with)."""

    exit_code = 2


class SequenceError(ObservatoireError, ValueError):
    """Bad input to the sequence-analysis functions (also a ValueError)."""

    exit_code = 2


class BrowserError(ObservatoireError):
    """Headless Chromium is missing or failed (PDF export, accessibility checks)."""

    exit_code = 2


class RunLockedError(ObservatoireError):
    """Another batch is writing into the same run folder."""

    exit_code = 2
