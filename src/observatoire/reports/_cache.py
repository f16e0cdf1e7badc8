"""Shared inputs of a run: computed once, cached, read by every notebook.

The batch loads the extract once and computes what the reports share (the
indicators of the year, monthly and annual, the key figures, the monthly
follow-up, the trajectory typology), already protected by disclosure control.
They are stored as pickles under ``<run>/cache/<key>/``, where ``key`` hashes
the data fingerprint and the parameters that change the figures, so a second
run on the same data reuses them and a changed extract never does.

A notebook given ``cache_dir`` reads only the tables it shows; without it (in
JupyterLab) :func:`open_report` loads the extract and computes them itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import __version__, indicators
from ..data import SCHEMA, is_database_url
from ..data import load as load_extract
from ..exceptions import ParamsError
from ._inputs import ReportInputs  # re-exported: sections and tests import it here
from ._params import (
    AUTO,
    DEFAULT_DISCLOSURE_THRESHOLD,
    RunParams,
    check_against_extract,
    check_against_warehouse,
    parse_params,
    project_root,
)
from ._reuse import environment_digest

if TYPE_CHECKING:
    from ..data import Warehouse

logger = logging.getLogger(__name__)

#: bump when the content or layout of the cache changes
CACHE_VERSION = 1
META_FILE = "meta.json"
_DATA_SUFFIXES = (".parquet", ".csv", ".json")


# ----------------------------------------------------------------- fingerprint
def data_fingerprint(source: str | os.PathLike[str]) -> str | None:
    """SHA-256 of an extract directory's files (names and contents).

    Returns None for a database URL, whose content cannot be hashed before it
    is loaded (see :func:`frames_fingerprint`).

    Parameters
    ----------
    source : str or os.PathLike
        An extract directory, or a database URL.

    Returns
    -------
    str or None
        The hexadecimal SHA-256 of the data files directly in the directory
        (those with a suffix of ``_DATA_SUFFIXES``, in name order); None for a
        database URL or a path that is not a directory.
    """
    text = str(source)
    if is_database_url(text):
        return None
    folder = Path(text)
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix in _DATA_SUFFIXES:
            digest.update(path.name.encode())
            digest.update(b"\0")
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            digest.update(b"\0")
    return digest.hexdigest()


def frames_fingerprint(wh: Warehouse) -> str:
    """SHA-256 of the loaded tables (for extracts read from a database).

    Parameters
    ----------
    wh : Warehouse
        The loaded extract.

    Returns
    -------
    str
        The hexadecimal SHA-256 of every table of the schema (names and row
        hashes, index ignored) and of the extraction date.
    """
    digest = hashlib.sha256()
    for name in SCHEMA:
        frame = wh.table(name)
        digest.update(name.encode())
        digest.update(
            pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
        )
    digest.update(str(wh.extraction_date).encode())
    return digest.hexdigest()


def cache_key(fingerprint: str, params: RunParams) -> str:
    """16 hex digits naming the cache of ``params`` on data ``fingerprint``.

    Only what changes the shared figures enters the key: the period (as
    written, ``auto`` resolving the same way on the same data), the disclosure
    threshold, the definition of « accompagné », the targets and correspondence
    files (by content), the package version, the package's source and the
    libraries that draw (:func:`~._reuse.environment_digest`: an analyst who
    edits the code gets tables computed by the new code) and the cache layout.

    Parameters
    ----------
    fingerprint : str
        :func:`data_fingerprint` of the extract (or :func:`frames_fingerprint`).
    params : RunParams
        The run parameters, ``year`` and ``month`` as written.

    Returns
    -------
    str
        The name of the cache folder under ``<run>/cache/``.
    """
    parts = {
        "cache": CACHE_VERSION,
        "version": __version__,
        "code": environment_digest(),
        "data": fingerprint,
        "year": params.year,
        "month": params.month,
        "threshold": params.disclosure_threshold,
        "targets": _file_digest(params.targets),
        "accompagnement": list(params.accompagnement),
        "correspondances": _file_digest(
            params.correspondances
            or (
                None
                if is_database_url(params.data)
                else Path(params.data) / "correspondances.yaml"
            )
        ),
    }
    blob = json.dumps(parts, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _file_digest(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------- storage
@dataclass(frozen=True)
class SharedInputs:
    """Where the shared inputs of a run are and what they describe."""

    params: RunParams
    cache_dir: Path
    key: str
    fingerprint: str
    meta: dict[str, Any]
    reused: bool = False


def write_cache(folder: Path, tables: dict[str, Any], meta: dict[str, Any]) -> Path:
    """Write ``tables`` (one pickle each) and ``meta.json`` to ``folder``.

    Everything is written to a temporary folder first, then renamed, so a
    folder holding ``meta.json`` is always complete.

    Parameters
    ----------
    folder : Path
        The cache folder, replaced whole if it exists.
    tables : dict of str to object
        The shared tables (aggregates only, already protected), by name.
    meta : dict
        What describes them (JSON types); ``tables`` is added.

    Returns
    -------
    Path
        ``folder``.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, value in tables.items():
            with (tmp / f"{name}.pkl").open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        meta = {**meta, "tables": sorted(tables)}
        (tmp / META_FILE).write_text(
            json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def read_meta(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The ``meta.json`` of a cache folder, or None if it is absent or unreadable.

    Parameters
    ----------
    folder : path
        A cache folder written by :func:`write_cache`.

    Returns
    -------
    dict or None
    """
    try:
        return json.loads((Path(folder) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _prune(cache_root: Path, keep: str) -> None:
    """Remove the caches of older data or parameters in this run folder."""
    if not cache_root.is_dir():
        return
    for child in cache_root.iterdir():
        if child.name != keep and child.is_dir():
            shutil.rmtree(child, ignore_errors=True)


def _check_with_meta(params: RunParams, meta: dict[str, Any]) -> RunParams:
    """Check ``params`` against the extract as the cache describes it."""
    return check_against_extract(
        params,
        codes=list(meta["labels"]),
        extraction_date=meta["extraction_date"],
        first_date=meta["first_date"],
    )


def prepare(
    params: RunParams, *, check: Callable[[RunParams], None] | None = None
) -> SharedInputs:
    """Load or build the shared inputs of a run (batch side).

    On a cache hit nothing is loaded: the parameters are checked against the
    extract's description kept in ``meta.json``. Otherwise the extract is
    loaded once (``data.load`` validates it), the parameters are checked
    against it, and the shared tables are computed, protected and written.

    Parameters
    ----------
    params : RunParams
        The run's parameters (``year``, ``month``, ``mls`` may be ``auto``/``all``).
    check : callable, optional
        Called with the resolved parameters before anything is computed (the
        batch's ``--only``): what it raises stops the run before the shared step.

    Returns
    -------
    SharedInputs
        The resolved parameters, the cache folder, its key, the data fingerprint,
        the contents of ``meta.json``, and ``reused`` True on a cache hit.

    Raises
    ------
    ParamsError
        ML codes unknown to the extract, a period it does not cover.
    """
    cache_root = params.run_dir / "cache"
    fingerprint = data_fingerprint(params.data)
    if fingerprint is not None:
        key = cache_key(fingerprint, params)
        meta = read_meta(cache_root / key)
        if meta is not None:
            resolved = _check_with_meta(params, meta)
            if check is not None:
                check(resolved)
            logger.info("shared inputs: reused %s", cache_root / key)
            return SharedInputs(
                resolved, cache_root / key, key, fingerprint, meta, True
            )

    t0 = time.perf_counter()
    wh = load_extract(params.data, correspondances=params.correspondances)
    logger.info(
        "data: %d ML, %d young people, %d contacts loaded from %s (%.1f s)",
        len(wh.missions_locales),
        len(wh.jeunes),
        len(wh.evenements),
        wh.source or params.data,
        time.perf_counter() - t0,
    )
    if fingerprint is None:
        fingerprint = frames_fingerprint(wh)
        key = cache_key(fingerprint, params)
    resolved = check_against_warehouse(params, wh)
    if check is not None:
        check(resolved)
    t0 = time.perf_counter()
    tables, meta = compute_inputs(wh, resolved, draw_figures=True)
    meta = {**meta, "fingerprint": fingerprint, "key": key}
    folder = write_cache(cache_root / key, tables, meta)
    _prune(cache_root, keep=key)
    logger.info(
        "shared inputs: %d tables computed in %.1f s, cached in %s",
        len(tables),
        time.perf_counter() - t0,
        folder,
    )
    if resolved.debug:
        _write_interim(resolved.run_dir / "interim", tables)
    return SharedInputs(resolved, folder, key, fingerprint, meta, False)


def _write_interim(folder: Path, tables: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in tables.items():
        if isinstance(value, pd.DataFrame):
            value.to_csv(folder / f"{name}.csv", sep=";", index=False)
    logger.info("debug: %d interim tables written to %s", len(tables), folder)


def compute_inputs(
    wh: Warehouse, params: RunParams, *, draw_figures: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Compute the shared tables and their description (resolved ``params``).

    Every indicator is counted under the run's definition of the young people
    accompanied (``params.accompagnement``), which ``meta`` states for the
    reports' « Définitions et méthode »: ``accompagnement`` (the event types),
    ``definition_accompagnement`` (the French sentence) and
    ``correspondances`` (the correspondence file applied, if any).

    Parameters
    ----------
    wh : Warehouse
        The loaded extract.
    params : RunParams
        The parameters, checked against ``wh`` (``year`` and ``month`` resolved).
    draw_figures : bool
        Draw the figures several reports show in the shared step (the batch): see
        :func:`~._shared.compute_shared`.

    Returns
    -------
    tables : dict of str to object
        The shared tables, protected by disclosure control.
    meta : dict
        Their description (JSON types), read by every report.
    """
    # batch side only: a notebook reading the cache never loads the models
    from ._shared import compute_shared

    with indicators.accompaniment(params.accompagnement) as types:
        tables, meta = compute_shared(wh, params, draw_figures=draw_figures)
    corr = params.correspondances
    if corr is None and not is_database_url(params.data):
        own = Path(params.data) / "correspondances.yaml"  # the folder's own file
        corr = str(own) if own.is_file() else None
    meta = {
        **meta,
        "accompagnement": list(types),
        "definition_accompagnement": indicators.accompaniment_sentence(types),
        "correspondances": corr,
    }
    return tables, meta


# ---------------------------------------------------------------- notebook side
def default_data_dir(start: str | os.PathLike[str] | None = None) -> Path:
    """The project's default extract, ``data/entrepot`` at the repository root.

    Looks upwards from ``start`` (default: the working directory, which is the
    notebook's folder in JupyterLab) for a folder holding ``pyproject.toml``,
    then falls back to the source tree this package was installed from.

    Parameters
    ----------
    start : str or os.PathLike, optional
        Where to start looking; None means the working directory.

    Returns
    -------
    Path
        ``<root>/data/entrepot``, which may not exist; the working directory's
        ``data/entrepot`` when no project root is found.
    """
    root = project_root(start or Path.cwd())
    if root is None or not (root / "data" / "entrepot").is_dir():
        root = project_root(Path(__file__).parent) or root
    if root is None:
        return Path.cwd() / "data" / "entrepot"
    return root / "data" / "entrepot"


def open_report(
    data: str | None = None,
    cache_dir: str | None = None,
    year: int | str | None = None,
    month: int | str | None = None,
    disclosure_threshold: int | None = None,
    code_ml: str | None = None,
) -> ReportInputs:
    """The inputs of a report, from the batch cache or computed here.

    Parameters
    ----------
    data : str, optional
        Extract directory or URL; default :func:`default_data_dir`.
    cache_dir : str, optional
        A cache folder written by the batch; when given, nothing is computed.
    year, month : int or "auto", optional
        Period; default the latest complete month of the extract.
    disclosure_threshold : int, optional
        Default 5 (method default).
    code_ml : str, optional
        For a Mission Locale report: checked against the extract.

    Returns
    -------
    ReportInputs
        The report's metadata and tables: read from ``cache_dir`` when
        given, else held in memory.

    Raises
    ------
    ParamsError
        Unknown ``code_ml`` or a period the extract does not cover.
    """
    if cache_dir:
        meta = read_meta(cache_dir)
        if meta is None:
            raise ParamsError(f"cache_dir {cache_dir!r} holds no shared inputs")
        inputs = ReportInputs(meta, Path(cache_dir))
    else:
        raw = {
            "run": "notebook",
            "data": str(data or default_data_dir()),
            "year": AUTO if year is None else year,
            "month": AUTO if month is None else month,
            "disclosure_threshold": disclosure_threshold
            or DEFAULT_DISCLOSURE_THRESHOLD,
        }
        params = parse_params(raw, source="notebook parameters")
        wh = load_extract(params.data)
        params = check_against_warehouse(params, wh)
        tables, meta = compute_inputs(wh, params)
        inputs = ReportInputs(meta, None, dict(tables))
    if code_ml is not None and code_ml not in inputs.meta["labels"]:
        raise ParamsError(
            f"code_ml {code_ml!r} is not in the extract; codes are "
            f"{', '.join(sorted(inputs.meta['labels']))}"
        )
    return inputs
