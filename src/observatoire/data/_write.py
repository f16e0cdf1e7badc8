"""Write an extract directory in the shape of the data contract."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import pandas as pd

from .._io import atomic_path, write_text_atomic
from ..exceptions import ArgumentError
from ._schema import SCHEMA

logger = logging.getLogger(__name__)

METADATA_FILE = "metadonnees.json"
#: key of ``metadonnees.json`` mapping each table file to its fingerprint
FINGERPRINTS_KEY = "empreintes"


def fingerprint(path: str | os.PathLike[str]) -> str:
    """``sha256:<hex>`` of a file's bytes (read in blocks)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def write_extract(
    tables: dict[str, pd.DataFrame],
    out: str | os.PathLike[str],
    *,
    fmt: str = "parquet",
    metadata: dict | None = None,
) -> Path:
    """Write contract tables to ``out`` as ``<table>.parquet`` or ``<table>.csv``.

    Columns are written in contract order (extra columns after them). CSV files
    use ``;``, ISO dates, ``oui``/``non`` booleans and a decimal point, UTF-8.
    Each file is written under a temporary name, then renamed. ``metadata``
    (e.g. ``date_extraction``, ``synthetique``) goes to ``metadonnees.json``,
    with the fingerprint of every table file of ``out`` (key ``empreintes``):
    the loader refuses an extract whose tables do not match them (a mix of two
    writes). When ``metadata`` is None and ``metadonnees.json`` exists, its
    fingerprints are brought up to date for the tables written.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Keys are contract table names.
    out : path
        Target directory, created if missing.
    fmt : {"parquet", "csv"}
    metadata : dict, optional

    Returns
    -------
    Path
        The directory written.
    """
    if fmt not in ("parquet", "csv"):
        raise ArgumentError(f"format must be 'parquet' or 'csv', not {fmt!r}")
    unknown = [name for name in tables if name not in SCHEMA]
    if unknown:
        raise ArgumentError(
            f"unknown table {unknown[0]!r}; tables are {', '.join(SCHEMA)}"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        contract = SCHEMA[name].column_names
        cols = [c for c in contract if c in frame.columns]
        cols += [c for c in frame.columns if c not in contract]
        frame = frame[cols]
        # the other format's file would shadow or contradict this one
        other = out / f"{name}.{'csv' if fmt == 'parquet' else 'parquet'}"
        other.unlink(missing_ok=True)
        target = out / f"{name}.{fmt}"
        with atomic_path(target) as tmp:
            if fmt == "parquet":
                frame.to_parquet(tmp, index=False, compression="zstd")
            else:
                _to_csv(frame, tmp)
        logger.debug("wrote %s (%d rows)", target, len(frame))
    meta_path = out / METADATA_FILE
    if metadata is None and tables and meta_path.is_file():
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            metadata = None
        if not isinstance(metadata, dict) or FINGERPRINTS_KEY not in metadata:
            metadata = None
    if metadata is not None:
        metadata = {**metadata, FINGERPRINTS_KEY: table_fingerprints(out)}
        write_text_atomic(
            meta_path,
            json.dumps(metadata, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
        )
    return out


def table_fingerprints(directory: str | os.PathLike[str]) -> dict[str, str]:
    """File name -> fingerprint of every contract table file in ``directory``."""
    directory = Path(directory)
    prints = {}
    for name in SCHEMA:
        for fmt in ("parquet", "csv"):
            path = directory / f"{name}.{fmt}"
            if path.is_file():
                prints[path.name] = fingerprint(path)
    return prints


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    frame = frame.copy()
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            frame[col] = s.map({True: "oui", False: "non"})
        elif pd.api.types.is_datetime64_any_dtype(s):
            frame[col] = s.dt.strftime("%Y-%m-%d")
    frame.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
