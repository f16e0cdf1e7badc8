"""observatoire: evaluation workbench of the youth-training observatory.

The package front door exposes the version and the stage modules; everything else
is reached through them (``observatoire.data.load``, ``observatoire.indicators``...).
"""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # looked up on first use: importlib.metadata is slow to import, and the
    # command line must be able to handle Ctrl-C from its very first instant
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("observatoire")
        except PackageNotFoundError:  # pragma: no cover - a source tree
            value = "0.0.0"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module 'observatoire' has no attribute {name!r}")
