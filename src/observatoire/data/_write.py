"""Write an extract directory in the shape of the data contract."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pandas as pd

from .._io import atomic_path, write_text_atomic
from ._schema import SCHEMA

logger = logging.getLogger(__name__)

METADATA_FILE = "metadonnees.json"


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
    (e.g. ``date_extraction``, ``synthetique``) goes to ``metadonnees.json``.

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
        raise ValueError(f"format must be 'parquet' or 'csv', not {fmt!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if name not in SCHEMA:
            raise ValueError(f"unknown table {name!r}; tables are {', '.join(SCHEMA)}")
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
    if metadata is not None:
        write_text_atomic(
            out / METADATA_FILE,
            json.dumps(metadata, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
        )
    return out


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    frame = frame.copy()
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            frame[col] = s.map({True: "oui", False: "non"})
        elif pd.api.types.is_datetime64_any_dtype(s):
            frame[col] = s.dt.strftime("%Y-%m-%d")
    frame.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
