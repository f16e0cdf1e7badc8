"""Report-level reuse: a report whose inputs have not changed is not run again.

The shared cache already spares the data load and the shared computations when
the extract and the parameters are unchanged. This extends it to each report:
its *fingerprint* hashes what its page is made of,

- the notebook it is executed from (its cells and kernel, not the metadata an
  editor rewrites),
- its parameters (except ``cache_dir``, a path that names the cache, not its
  content),
- its slice of the shared cache: the description of the extract (``meta.json``
  without the keys that merely name the cache) and the tables the report read
  when it last ran, as the kernel recorded them
  (:data:`._inputs.tables_read`), so that a new extract that leaves, say, the
  ARML's animation log as it was does not re-run the animation review,
- the code that draws it: the package version, a digest of the package's
  source files (an analyst editing a section function re-runs the reports, as
  they expect, even without a new version number) and the versions of the
  libraries that render the pages.

A report is reused when its previous run succeeded, its HTML page and executed
notebook are still there, and its fingerprint, recomputed with today's cache,
equals the one recorded in ``manifest.json``. ``--force`` runs everything.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__

#: libraries whose version changes what a page looks like
_RENDERING = ("numpy", "pandas", "matplotlib", "nbconvert", "nbformat", "papermill")
#: meta.json keys that name the cache rather than describe its content
_NAMING_KEYS = frozenset({"key", "fingerprint", "tables"})


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.lru_cache(maxsize=1)
def environment_digest() -> str:
    """Package version, package source and rendering libraries, hashed."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    for name in _RENDERING:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def cache_digests(cache_dir: Path) -> dict[str, str]:
    """Digest of each table of a shared cache, plus ``meta`` for its description.

    Parameters
    ----------
    cache_dir : Path
        A complete cache folder (its ``*.pkl`` tables and ``meta.json``).

    Returns
    -------
    dict of str to str
        Hexadecimal SHA-256 by table name (the pickle's stem), and under
        ``meta`` that of ``meta.json`` without the keys that only name the cache
        (``key``, ``fingerprint``, ``tables``).
    """
    out = {}
    for path in sorted(cache_dir.glob("*.pkl")):
        out[path.stem] = _digest(path.read_bytes())
    meta = json.loads((cache_dir / "meta.json").read_text(encoding="utf-8"))
    described = {k: v for k, v in meta.items() if k not in _NAMING_KEYS}
    out["meta"] = _digest(json.dumps(described, sort_keys=True, default=str).encode())
    return out


class Fingerprints:
    """Fingerprints of the reports of one run (one shared cache, one notebook folder).

    Parameters
    ----------
    cache_dir : path
        The run's shared cache.
    cache_key : str
        Its key: stands for the whole cache when a report's slice is unknown.
    notebooks_dir : path
        Folder of the report notebooks.
    """

    def __init__(self, cache_dir: Path, cache_key: str, notebooks_dir: Path) -> None:
        self.tables = cache_digests(cache_dir)
        self.cache_key = cache_key
        self.notebooks_dir = notebooks_dir
        self._notebooks: dict[str, str] = {}

    def notebook(self, kind: str) -> str:
        """Digest of what in a notebook changes its report.

        The cells' type, source and tags, and the kernel: not cell ids, outputs,
        execution counts or editor metadata, which JupyterLab rewrites when an
        analyst merely opens and saves a notebook.

        Parameters
        ----------
        kind : str
            A report kind: the notebook ``<notebooks_dir>/<kind>.ipynb``.

        Returns
        -------
        str
            Hexadecimal SHA-256, computed once per kind and kept.
        """
        if kind not in self._notebooks:
            path = self.notebooks_dir / f"{kind}.ipynb"
            nb = json.loads(path.read_text(encoding="utf-8"))
            cells = [
                (
                    c.get("cell_type"),
                    "".join(c.get("source", "")),
                    sorted(c.get("metadata", {}).get("tags", [])),
                )
                for c in nb.get("cells", [])
            ]
            kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
            blob = json.dumps([kernel, cells], ensure_ascii=False).encode()
            self._notebooks[kind] = _digest(blob)
        return self._notebooks[kind]

    def of(
        self, kind: str, parameters: dict[str, Any], tables: list[str] | None
    ) -> str:
        """The fingerprint of a report of ``kind`` that read ``tables``.

        ``tables`` None (not known, e.g. the kernel could not be asked) stands
        for the whole cache. A table that no longer exists makes the
        fingerprint differ from any recorded one.

        Parameters
        ----------
        kind : str
            The report kind.
        parameters : dict
            The report's notebook parameters (``cache_dir`` is left out, as it
            names the cache rather than its content).
        tables : list of str or None
            The shared tables the report read.

        Returns
        -------
        str
            Hexadecimal SHA-256 of the environment, the kind, its notebook, the
            parameters, the cache's description and the tables read.
        """
        if tables is None:
            slice_ = {"cache": self.cache_key}
        else:
            slice_ = {t: self.tables.get(t, "absent") for t in sorted(tables)}
        parts = {
            "environment": environment_digest(),
            "kind": kind,
            "notebook": self.notebook(kind),
            "parameters": {k: v for k, v in parameters.items() if k != "cache_dir"},
            "meta": self.tables["meta"],
            "tables": slice_,
        }
        return _digest(json.dumps(parts, sort_keys=True, default=str).encode())

    def unchanged(self, kind: str, parameters: dict[str, Any], entry: dict) -> bool:
        """True if the manifest ``entry`` of a report still matches its inputs.

        Parameters
        ----------
        kind : str
            The report kind.
        parameters : dict
            The report's notebook parameters for this run.
        entry : dict
            The report's entry in the previous run's ``manifest.json``.

        Returns
        -------
        bool
            False when the entry records no fingerprint or a different one.
        """
        recorded = entry.get("fingerprint")
        if not recorded:
            return False
        return self.of(kind, parameters, entry.get("inputs")) == recorded
