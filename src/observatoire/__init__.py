"""observatoire: evaluation workbench of the youth-training observatory.

The package front door exposes the version and the stage modules; everything else
is reached through them (``observatoire.data.load``, ``observatoire.indicators``...).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("observatoire")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
