"""Read an extract directory into raw tables, then validate them (``_validate``).

Two stages, so that a step can sit between them (e.g. a correspondence file
that renames columns or maps values): :func:`read_extract` reads the files as
they are, :func:`observatoire.data._validate.validate` applies the contract.

Reading choices (the contract leaves them to us):

- Every table must be a regular file; a directory, a FIFO, a device or a
  symbolic link leading out of the extract is refused ("not a regular file").
- ``metadonnees.json`` is a small JSON object; its ``date_extraction`` follows
  the contract's date formats (``YYYY-MM-DD`` or ``DD/MM/YYYY``); its
  ``empreintes`` (written with the extract) must match every table, so that an
  extract whose tables come from different writes is refused.
- CSV: UTF-8, a BOM is tolerated; the header line is read (and checked) before
  the rest of the file; the separator is the one (``;`` or ``,``) that appears
  most in the header line; line endings ``\\n``, ``\\r\\n`` or ``\\r``; only an
  empty field is missing (the text ``NA`` is a value, and is rejected where it
  is not valid); surrounding spaces are trimmed. ``ligne`` in the rejects is
  the line of the record in the file, the header being line 1. A record with
  the wrong number of fields is rejected whole (rule ``nombre_champs``).
  Quoting must be well formed: a quote never closed, a closing quote followed
  by text, or a quoted value that runs over lines that look like records (a
  stray quote swallowing the rest of the file) makes the file unreadable,
  naming the line where the quote opened. NUL bytes are refused.
- Parquet: columns may already be typed (dates, booleans, numbers) or be text;
  ``ligne`` is the 1-based row number; the schema is checked before the data
  is read.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .._io import excerpt, is_database_url, write_csv
from ..exceptions import ExtractError
from ._correspondances import Correspondence, find_correspondence
from ._dates import FIRST as FIRST_DATE
from ._dates import LAST as LAST_DATE
from ._dates import parse_contract_date
from ._schema import SCHEMA, Table
from ._validate import RawTable, check_columns, validate
from ._warehouse import Warehouse
from ._write import FINGERPRINTS_KEY, METADATA_FILE, fingerprint

logger = logging.getLogger(__name__)

#: a header line longer than this is not a header (e.g. a file of NUL bytes)
HEADER_MAX_BYTES = 1 << 20
#: largest metadonnees.json read
METADATA_MAX_BYTES = 1 << 20


# ------------------------------------------------------------------ public API
def load(
    source: str | os.PathLike[str],
    *,
    period: str | int | None = None,
    schema: str | None = None,
    correspondances: str | os.PathLike[str] | Correspondence | None = None,
) -> Warehouse:
    """Load an extract and validate it against the data contract.

    Parameters
    ----------
    source : path or str
        Directory holding one ``<table>.parquet`` or ``<table>.csv`` per table,
        or a ``postgresql://`` URL of the regional warehouse.
    period : str or int, optional
        Database sources only: ``2024`` or ``2024-05`` reads just the window the
        period's indicators need (pushed down to SQL). Ignored for files.
    schema : str, optional
        Database sources only: the schema holding the tables.
    correspondances : path or Correspondence, optional
        Correspondence file mapping the extract's own file, column and value
        names onto the contract (see ``_correspondances``); default: the
        folder's ``correspondances.yaml`` when there is one.

    Returns
    -------
    Warehouse
        Accepted rows of each table, the rejects and the reconciliation.

    Raises
    ------
    ExtractError
        A required table is missing, or a file cannot be read at all (not
        UTF-8, empty, a required column missing, a column of the wrong type
        everywhere, broken quoting, not a regular file, tables that do not
        match the fingerprints of ``metadonnees.json``).

    Examples
    --------
    >>> from pathlib import Path
    >>> wh = load(Path(__file__).parents[3] / "tests" / "fixtures" / "entrepot_mini")
    >>> int(wh.reconciliation["lignes_lues"].sum()) == int(
    ...     wh.reconciliation["lignes_acceptees"].sum() + wh.n_rejected)
    True
    """
    if is_database_url(source):
        from ._sql import load_sql  # optional database source

        return load_sql(
            str(source),
            period=period,
            schema=schema,
            correspondence=find_correspondence(None, correspondances),
        )
    with _arrow_memory_pool():
        raw, metadata = read_extract(source, correspondances=correspondances)
        return validate(
            raw,
            source=str(source),
            extraction_date=metadata.get("date_extraction"),
            synthetic=bool(metadata.get("synthetique", False)),
        )


def read_extract(
    source: str | os.PathLike[str],
    *,
    correspondances: str | os.PathLike[str] | Correspondence | None = None,
    check_header: bool = True,
) -> tuple[dict[str, RawTable], dict]:
    """Read the tables of an extract directory as they are (no contract rule yet).

    Returns the raw tables by name and the metadata (``date_extraction`` parsed
    to a Timestamp). Raises :class:`ExtractError` for what cannot be read.
    A correspondence file (``correspondances``, default the folder's
    ``correspondances.yaml``) renames files, columns and values onto the
    contract's right after each table is read. With ``check_header`` (the
    default, and without a correspondence) a table missing a required column is
    refused from its header, before its rows are read; :func:`validate` checks
    the columns in any case.
    """
    directory = Path(source)
    if not directory.is_dir():
        what = "not a directory" if directory.exists() else "not found"
        raise ExtractError(f"extract directory {what}: {directory}")
    corr = find_correspondence(directory, correspondances)
    files = _find_files(directory, corr)
    metadata = _read_metadata(directory)
    _check_fingerprints(directory, files, metadata)
    with _arrow_memory_pool():
        raw = {
            name: _read_table(path, SCHEMA[name], corr, check_header and corr is None)
            for name, path in files.items()
        }
    return raw, metadata


@contextlib.contextmanager
def _arrow_memory_pool():
    """Arrow allocates from the C library's allocator while an extract is read.

    pyarrow's default allocator (mimalloc) cost 1.7 to 5 s of system time to
    read and validate the 18 MB synthetic warehouse (2.8 M events), against
    0.3 to 1.4 s with the system allocator, for the same user time (measured
    on the project's 2-core machine, issue #18). The buffers allocated here
    keep their allocator after the previous default is restored. A pool
    chosen by the user (``ARROW_DEFAULT_MEMORY_POOL``) is left alone.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        yield
        return
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def format_reconciliation(wh: Warehouse) -> str:
    """Return the reconciliation as an aligned text table (read = accepted + rejected)."""
    rec = wh.reconciliation
    aside = "lignes_hors_champ" in rec and bool(rec["lignes_hors_champ"].sum())
    head = f"{'table':<27}{'read':>12}{'accepted':>12}{'rejected':>12}"
    lines = [head + (f"{'set aside':>12}" if aside else "")]
    for row in rec.itertuples(index=False):
        lines.append(
            f"{row.table:<27}{row.lignes_lues:>12,}{row.lignes_acceptees:>12,}"
            f"{row.lignes_rejetees:>12,}"
            + (f"{row.lignes_hors_champ:>12,}" if aside else "")
        )
    if len(wh.rejects):
        lines.append("")
        lines.append("rejects by rule:")
        counts = wh.rejects.groupby(["table", "colonne", "regle"]).size()
        for (table, col, rule), n in counts.items():
            lines.append(f"  {table}.{col}: {rule} x{n:,}")
    return "\n".join(lines)


def write_rejects(wh: Warehouse, path: str | os.PathLike[str]) -> Path:
    """Write the rejects table to a CSV file (UTF-8, ``,``), atomically.

    Cell values are neutralised against formula injection: the rejected values
    come from untrusted files and the CSV will be opened in a spreadsheet.
    """
    return write_csv(wh.rejects, path)


# ------------------------------------------------------------------ files
def regular_file(path: Path, directory: Path) -> bool:
    """True if ``path`` is a regular file of ``directory``; False if absent.

    Raises :class:`ExtractError` ("not a regular file") for a directory, a
    FIFO, a socket, a device, a broken symbolic link or one that leads out of
    ``directory``: reading those would hang, or print another file's text.
    """
    try:
        st = path.lstat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ExtractError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise ExtractError(
                f"{path}: not a regular file (a broken symbolic link)"
            ) from None
        if directory.resolve() not in target.parents:
            raise ExtractError(
                f"{path}: not a regular file (a symbolic link out of the extract)"
            )
        st = target.stat()
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a directory"
            if stat.S_ISDIR(st.st_mode)
            else "a FIFO"
            if stat.S_ISFIFO(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket"
        )
        raise ExtractError(f"{path}: not a regular file ({kind})")
    return True


def _find_files(directory: Path, corr: Correspondence | None = None) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for name, table in SCHEMA.items():
        given = None if corr is None else corr.file_name(name)
        if given is not None:
            if not regular_file(directory / given, directory):
                where = corr.source or "the correspondence"
                raise ExtractError(
                    f"{directory}: {excerpt(given)} (table {name} in {where}) "
                    "is not in the folder"
                )
            found[name] = directory / given
            continue
        candidates = [directory / f"{name}.parquet", directory / f"{name}.csv"]
        present = [p for p in candidates if regular_file(p, directory)]
        if len(present) == 2:
            raise ExtractError(
                f"{directory}: both {name}.parquet and {name}.csv exist; keep one"
            )
        if present:
            found[name] = present[0]
        elif not table.optional:
            raise ExtractError(
                f"{directory}: table {name!r} is missing "
                f"(expected {name}.parquet or {name}.csv)"
            )
    if "animations_participations" in found and "animations" not in found:
        raise ExtractError(
            f"{directory}: animations_participations is present without animations"
        )
    return found


def _read_metadata(directory: Path) -> dict:
    path = directory / METADATA_FILE
    if not regular_file(path, directory):
        return {}
    size = path.stat().st_size
    if size > METADATA_MAX_BYTES:
        raise ExtractError(
            f"{path}: {size:,} bytes, more than metadata may hold "
            f"({METADATA_MAX_BYTES:,})"
        )
    try:
        meta = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ExtractError(
            f"{path}: not valid JSON (line {exc.lineno}: {excerpt(exc.msg)})"
        ) from None
    except RecursionError:
        raise ExtractError(f"{path}: not valid JSON (nested too deeply)") from None
    if not isinstance(meta, dict):
        raise ExtractError(f"{path}: expected a JSON object")
    when = meta.get("date_extraction")
    if when is not None:
        meta["date_extraction"] = parse_contract_date(
            when, where=f"{path}: date_extraction"
        )
    if not isinstance(meta.get("synthetique", False), bool):
        raise ExtractError(
            f"{path}: synthetique {excerpt(meta['synthetique'])} is not true or false"
        )
    prints = meta.get(FINGERPRINTS_KEY)
    if prints is not None and not (
        isinstance(prints, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in prints.items())
    ):
        raise ExtractError(
            f"{path}: {FINGERPRINTS_KEY} must map file names to fingerprints"
        )
    return meta


def _check_fingerprints(directory: Path, files: dict[str, Path], meta: dict) -> None:
    """Every table file matches the fingerprint written with the extract.

    A table written by another run (an interrupted write, a table copied from
    another extract) would otherwise be read as if it belonged to this one.
    """
    prints = meta.get(FINGERPRINTS_KEY)
    if not prints:
        return
    names = {p.name for p in files.values()}
    for fname in sorted(set(prints) - names):
        raise ExtractError(
            f"{directory}: {excerpt(fname)} is listed in {METADATA_FILE} but absent: "
            "the extract is incomplete or mixed; write it again"
        )
    for path in files.values():
        expected = prints.get(path.name)
        if expected is None:
            raise ExtractError(
                f"{path}: not listed in {METADATA_FILE}: the extract mixes tables "
                "of different writes; write it again"
            )
        if fingerprint(path) != expected:
            raise ExtractError(
                f"{path}: does not match its fingerprint in {METADATA_FILE}: the "
                "extract mixes tables of different writes (or a table was edited); "
                "write it again"
            )


def _read_table(
    path: Path,
    table: Table,
    corr: Correspondence | None = None,
    check_header: bool = True,
) -> RawTable:
    if path.suffix.lower() == ".parquet":
        raw = _read_parquet(path, table, check_header)
    else:
        raw = _read_csv(path, table, check_header)
    if corr is not None:  # source names and codes onto the contract's
        corr.apply(raw)
    return raw


def _check_header(path: Path, table: Table, names: list[str]) -> None:
    empty = pd.DataFrame(columns=names)
    check_columns(RawTable(table.name, str(path), empty, np.zeros(0, "int64")), table)


# ------------------------------------------------------------------ Parquet
def _read_parquet(path: Path, table: Table, check_header: bool = True) -> RawTable:
    try:
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
    except Exception as exc:  # pyarrow raises many types for a broken file
        raise ExtractError(
            f"{path}: cannot read Parquet file ({excerpt(exc, 120)})"
        ) from None
    if check_header:  # a missing column is found without reading the data
        _check_header(path, table, schema.names)
    for col in table.columns:
        if col.name in schema.names:
            typ = schema.field(col.name).type
            if not _parquet_type_ok(typ):
                raise ExtractError(
                    f"{path}: column {col.name!r} has Parquet type {excerpt(typ)}, "
                    "not a plain value (text, number, boolean or date)"
                )
    # text straight into Arrow-backed strings: no Python string objects
    text = pd.StringDtype("pyarrow")
    types = {pa.string(): text, pa.large_string(): text}
    try:
        arrow = pf.read()
        arrow = _dates_to_ns(arrow)
        # the pandas metadata would restore dtypes the values may not fit
        frame = arrow.to_pandas(types_mapper=types.get, ignore_metadata=True)
    except Exception as exc:
        raise ExtractError(
            f"{path}: cannot read Parquet file ({excerpt(exc, 120)})"
        ) from None
    frame = frame.reset_index(drop=True)
    return RawTable(table.name, str(path), frame, np.arange(1, len(frame) + 1))


def _parquet_type_ok(typ) -> bool:
    t = pa.types
    if t.is_dictionary(typ):
        typ = typ.value_type
    return bool(
        t.is_string(typ)
        or t.is_large_string(typ)
        or t.is_integer(typ)
        or t.is_floating(typ)
        or t.is_decimal(typ)
        or t.is_boolean(typ)
        or t.is_date(typ)
        or t.is_timestamp(typ)
        or t.is_null(typ)
    )


def _dates_to_ns(arrow):
    """Dates and timestamps as naive nanosecond timestamps, or as text if out of range.

    pandas turns ``date32`` into Python objects and cannot hold a timestamp
    outside 1678-2261: a column holding such a value becomes ISO text here, so
    that the validator rejects each such value (rule ``type``) instead of the
    whole read failing. Time-zone-aware timestamps are taken in local time.
    """
    lo = pa.scalar(FIRST_DATE.to_pydatetime(), pa.timestamp("s"))
    hi = pa.scalar(LAST_DATE.to_pydatetime(), pa.timestamp("s"))
    cols, changed = [], False
    for i, fld in enumerate(arrow.schema):
        col = arrow.column(i)
        typ = fld.type
        if pa.types.is_date(typ) or pa.types.is_timestamp(typ):
            changed = True
            if pa.types.is_timestamp(typ) and typ.tz is not None:
                col = pc.local_timestamp(col)
            secs = col.cast(pa.timestamp("s"), safe=False)  # for the bounds only
            bounds = pc.min_max(secs)
            low, high = bounds["min"], bounds["max"]
            inside = not low.is_valid or (
                pc.greater_equal(low, lo).as_py() and pc.less_equal(high, hi).as_py()
            )
            if inside:
                col = col.cast(pa.timestamp("ns"))
            else:
                col = pc.strftime(secs, format="%Y-%m-%d")
        cols.append(col)
    if not changed:
        return arrow
    return pa.Table.from_arrays(cols, names=arrow.schema.names)


# ------------------------------------------------------------------ CSV
def _read_csv(path: Path, table: Table, check_header: bool = True) -> RawTable:
    header_bytes = _read_header_bytes(path)
    if not header_bytes.strip():
        with path.open("rb") as f:
            blank = not f.read(HEADER_MAX_BYTES).strip()
        raise ExtractError(
            f"{path}: empty file (no header line)"
            if blank
            else f"{path}: line 1 is empty (header line expected)"
        )
    header_text = _decode(header_bytes, path)
    sep = ";" if header_text.count(";") >= header_text.count(",") else ","
    header = _parse_header(header_text, sep, path)
    if check_header:  # the columns are checked before the whole file is read
        _check_header(path, table, header)
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        raise ExtractError(f"{path}: holds a NUL byte (line {line}): not a text file")
    text = _decode(data, path)
    del data
    frame, lines, read_rejects = _read_csv_records(text, sep, table.name, path)
    frame.columns = header
    for col in frame.columns:
        frame[col] = frame[col].str.strip()
    return RawTable(table.name, str(path), frame, lines, read_rejects, sep == ";")


def _read_header_bytes(path: Path) -> bytes:
    """The first line of a file, read without reading the rest."""
    with path.open("rb") as f:
        head = f.read(HEADER_MAX_BYTES + 4)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError(
            f"{path}: UTF-16 text, not UTF-8; re-export the file as UTF-8"
        )
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
    if ends:
        head = head[: min(ends)]
    elif len(head) > HEADER_MAX_BYTES:
        raise ExtractError(
            f"{path}: no line break in the first {HEADER_MAX_BYTES:,} bytes: "
            "not a CSV table (header line expected)"
        )
    if b"\x00" in head:
        raise ExtractError(f"{path}: holds a NUL byte (line 1): not a text file")
    return head


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExtractError(
            f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); "
            "re-export the file as UTF-8"
        ) from None


def _parse_header(text: str, sep: str, path: Path) -> list[str]:
    try:
        header = next(csv.reader([text], delimiter=sep, strict=True))
    except (csv.Error, StopIteration) as exc:
        raise ExtractError(
            f"{path}: line 1: the header line is not valid CSV ({excerpt(exc)})"
        ) from None
    header = [c.strip() for c in header]
    dup = sorted({c for c in header if header.count(c) > 1 and c})
    empty = [i + 1 for i, c in enumerate(header) if not c]
    if dup:
        raise ExtractError(
            f"{path}: duplicated column(s) {', '.join(map(excerpt, dup))} in header"
        )
    if len(empty) > 1:
        raise ExtractError(
            f"{path}: duplicated column(s): header columns "
            f"{', '.join(map(str, empty))} have no name"
        )
    return header


def _read_csv_records(text: str, sep: str, table: str, path: Path | str = ""):
    """Record by record, keeping true line numbers and rejecting bad field counts.

    The csv module rather than pandas: pandas pads a short record with missing
    values silently, and a truncated line must be a reject, not a row. Quoting
    is read strictly; a record that runs over several lines is checked for
    swallowed records (see the module docstring).
    """
    # free-text fields may be long; the csv module's 128 KiB default would raise
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    # newline=None: "\r\n" and a lone "\r" end a line too, as in the file
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=sep, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ExtractError(
            f"{path}: line 1: the header line is not valid CSV ({excerpt(exc)})"
        ) from None
    width = len(header)
    rows, lines, rejects = [], [], []
    line_start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            msg = _quote_message(path, line_start, reader.line_num, exc)
            raise ExtractError(msg) from None
        if record == []:  # blank line
            line_start = reader.line_num + 1
            continue
        if reader.line_num > line_start:  # a value over several lines
            _check_swallowed(record, sep, width, line_start, reader.line_num, path)
        if len(record) != width:
            rejects.append(
                {
                    "table": table,
                    "ligne": line_start,
                    "colonne": "",
                    "valeur": sep.join(record)[:200],
                    "regle": "nombre_champs",
                    "detail": f"{len(record)} champs au lieu de {width}",
                }
            )
        else:
            rows.append(record)
            lines.append(line_start)
        line_start = reader.line_num + 1
    frame = pd.DataFrame(rows, columns=range(width), dtype=str)
    return frame, np.asarray(lines, dtype="int64"), rejects


def _quote_message(path, start: int, end: int, exc: csv.Error) -> str:
    if "unexpected end of data" in str(exc):
        return (
            f'{path}: line {start}: a quote (") opened in this record is never '
            f"closed (it runs to the end of the file, line {end}); "
            "fix the quoting or re-export the file"
        )
    return (
        f"{path}: line {end}: broken quoting in the record that starts on line "
        f"{start} ({excerpt(exc)}); fix the quoting or re-export the file"
    )


def _check_swallowed(record, sep, width, start, end, path) -> None:
    """A quoted value whose inner lines look like records is a stray quote.

    A legitimate multi-line text value (an ``intitule`` on two lines) rarely
    holds a whole record's worth of separators on one of its lines; a quote
    left open in one record swallows the following records, each of which
    does. Refusing the file is better than reading those records as one value.
    """
    if width < 3:
        return
    line = start
    for value in record:
        parts = value.split("\n")
        for part in parts[1:]:
            if part.count(sep) >= width - 1:
                raise ExtractError(
                    f'{path}: line {line}: a quote (") opened here runs to line '
                    f"{end} and swallows lines that look like records "
                    f"({excerpt(part)}); fix the quoting or re-export the file"
                )
        line += len(parts) - 1
