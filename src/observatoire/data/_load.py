"""Read an extract and validate every rule of the data contract.

Reading choices (the contract leaves them to us):

- CSV: UTF-8, a BOM is tolerated; the separator is the one (``;`` or ``,``) that
  appears most in the header line; only an empty field is missing (the text
  ``NA`` is a value, and is rejected where it is not valid); surrounding spaces
  are trimmed. ``ligne`` in the rejects is the line of the record in the file,
  the header being line 1. A record with the wrong number of fields is
  rejected whole (rule ``nombre_champs``).
- Parquet: columns may already be typed (dates, booleans, numbers) or be text;
  ``ligne`` is the 1-based row number.
- A duplicated identifier: the first occurrence is kept, the later ones are
  rejected (rule ``doublon``) naming the line of the first; a row that points
  to a rejected or unknown row is an orphan (rule ``reference``), so rejects
  cascade down the tables and nothing refers to a row that is not there.
- Dates after the extraction date (``metadonnees.json``, else today) are
  rejected for contacts, births, first receptions, aids and animations: those
  are events that have happened. Situations may be planned, so their dates are
  not checked against it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import ExtractError
from ._correspondances import Correspondence, find_correspondence
from ._schema import (
    AGE_MAX_PREMIER_ACCUEIL,
    AGE_MIN_PREMIER_ACCUEIL,
    SCHEMA,
    SOUS_CATEGORIES,
    Column,
    Table,
    empty_frame,
    pandas_dtype,
)
from ._warehouse import (
    RECONCILIATION_COLUMNS,
    REJECT_COLUMNS,
    Warehouse,
    empty_rejects,
)
from ._write import METADATA_FILE

logger = logging.getLogger(__name__)

#: columns whose values may be missing but whose presence in the file is needed,
#: because a cross-column rule decides when they must be filled
_CONDITIONAL_COLUMNS = {("situations", "sous_categorie"), ("situations", "financeur")}

#: (table, date column) that cannot lie after the extraction date
_PAST_DATES = {
    ("jeunes", "date_naissance"),
    ("jeunes", "date_premier_accueil"),
    ("evenements", "date_evenement"),
    ("aides", "date_attribution"),
    ("animations", "date_animation"),
}

_TRUE = {"1", "true", "oui", "vrai"}
_FALSE = {"0", "false", "non", "faux"}
_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FR = re.compile(r"^\d{2}/\d{2}/\d{4}$")

#: a column is "wrong type everywhere" (the file is unreadable, not its rows)
#: when all of at least this many filled values fail to parse
_WRONG_TYPE_MIN_VALUES = 5


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
        everywhere).

    Examples
    --------
    >>> from pathlib import Path
    >>> wh = load(Path(__file__).parents[3] / "tests" / "fixtures" / "entrepot_mini")
    >>> int(wh.reconciliation["lignes_lues"].sum()) == int(
    ...     wh.reconciliation["lignes_acceptees"].sum() + wh.n_rejected)
    True
    """
    src = str(source)
    if "://" in src:
        from ._sql import load_sql  # optional database source

        return load_sql(
            src,
            period=period,
            schema=schema,
            correspondence=find_correspondence(None, correspondances),
        )
    directory = Path(source)
    if not directory.is_dir():
        raise ExtractError(f"extract directory not found: {directory}")
    corr = find_correspondence(directory, correspondances)
    files = _find_files(directory, corr)
    metadata = _read_metadata(directory)
    raw = {name: _read_table(path, SCHEMA[name], corr) for name, path in files.items()}
    return validate(
        raw,
        source=str(directory),
        extraction_date=metadata.get("date_extraction"),
        synthetic=bool(metadata.get("synthetique", False)),
    )


def validate(
    raw: dict[str, RawTable],
    *,
    source: str,
    extraction_date: str | pd.Timestamp | None = None,
    synthetic: bool = False,
) -> Warehouse:
    """Validate raw tables (as read from files or a database) into a Warehouse."""
    ref_date = (
        pd.Timestamp(extraction_date).normalize()
        if extraction_date
        else pd.Timestamp.today().normalize()
    )
    accepted: dict[str, pd.DataFrame] = {}
    rejects: list[pd.DataFrame] = []
    set_aside = [rt.hors_champ for rt in raw.values() if rt.hors_champ is not None]
    recon = []
    for name in SCHEMA:
        if name not in raw:
            accepted[name] = empty_frame(name)
            continue
        rt = raw[name]
        checker = _TableCheck(rt, SCHEMA[name], ref_date)
        checker.run(accepted)
        frame, rej = checker.result()
        accepted[name] = frame
        rejects.append(rej)
        n_aside = 0 if rt.hors_champ is None else len(rt.hors_champ)
        n_rejected = rt.n_rows - len(frame) - n_aside
        recon.append(
            {
                "table": name,
                "lignes_lues": rt.n_rows,
                "lignes_acceptees": len(frame),
                "lignes_rejetees": n_rejected,
                "lignes_hors_champ": n_aside,
            }
        )
        if n_rejected:
            logger.warning("%s: %d of %d rows rejected", name, n_rejected, rt.n_rows)
    rejects_df = (
        pd.concat([r for r in rejects if len(r)], ignore_index=True)
        if any(len(r) for r in rejects)
        else empty_rejects()
    )
    if extraction_date is None:
        ev = accepted["evenements"]["date_evenement"]
        extraction = ev.max() if len(ev) else pd.NaT
    else:
        extraction = ref_date
    return Warehouse(
        **accepted,
        rejects=rejects_df,
        reconciliation=pd.DataFrame(recon, columns=RECONCILIATION_COLUMNS),
        hors_champ=(
            pd.concat(set_aside, ignore_index=True) if set_aside else empty_rejects()
        ),
        source=source,
        extraction_date=None if pd.isna(extraction) else pd.Timestamp(extraction),
        synthetic=synthetic,
        tables_present=tuple(n for n in SCHEMA if n in raw),
    )


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
    from ..exports import write_csv

    return write_csv(wh.rejects, path)


def summarise(wh: Warehouse) -> str:
    """A short text summary of an extract: sizes, coverage and yearly activity."""
    lines = [f"extract: {wh.source}"]
    if wh.synthetic:
        lines.append("SYNTHETIC DATA: no figure describes real people")
    if wh.extraction_date is not None:
        lines.append(f"extraction date: {wh.extraction_date.date()}")
    ml = wh.missions_locales
    lines.append(
        f"missions locales: {len(ml)} in {ml['departement'].nunique()} departments"
    )
    ev = wh.evenements
    if len(ev):
        from ..indicators import accompanied_mask  # the definition in force

        years = ev["date_evenement"].dt.year
        ent = ev["type_evenement"] == "entretien_individuel"
        accompanying = accompanied_mask(ev["type_evenement"])
        acc = ev.loc[accompanying].groupby(years[accompanying])["id_jeune"].nunique()
        contact = ev.groupby(years)["id_jeune"].nunique()
        interviews = ent.groupby(years).sum()
        first = wh.jeunes.groupby(wh.jeunes["date_premier_accueil"].dt.year).size()
        lines.append(
            f"{'year':<6}{'in contact':>12}{'accompanied':>13}{'first recept.':>15}"
            f"{'interviews':>12}"
        )
        for y in sorted(contact.index):
            lines.append(
                f"{y:<6}{contact.get(y, 0):>12,}{acc.get(y, 0):>13,}"
                f"{first.get(y, 0):>15,}{interviews.get(y, 0):>12,}"
            )
    return "\n".join(lines)


# ------------------------------------------------------------------ reading
@dataclass
class RawTable:
    """A table as read, before validation: text or typed columns, file rows."""

    name: str
    path: str
    frame: pd.DataFrame
    lines: np.ndarray
    #: rows already rejected while reading (wrong field count)
    read_rejects: list[dict] = field(default_factory=list)
    #: CSV decimal comma allowed (``;`` files)
    decimal_comma: bool = False
    #: rows set aside as out of scope by a correspondence file (rejects' columns)
    hors_champ: pd.DataFrame | None = None

    @property
    def n_rows(self) -> int:
        aside = 0 if self.hors_champ is None else len(self.hors_champ)
        return len(self.frame) + len(self.read_rejects) + aside


def _find_files(directory: Path, corr: Correspondence | None = None) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for name, table in SCHEMA.items():
        given = None if corr is None else corr.file_name(name)
        if given is not None:
            if not (directory / given).is_file():
                where = corr.source or "the correspondence"
                raise ExtractError(
                    f"{directory}: {given} (table {name} in {where}) is not in the folder"
                )
            found[name] = directory / given
            continue
        candidates = [directory / f"{name}.parquet", directory / f"{name}.csv"]
        present = [p for p in candidates if p.is_file()]
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
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtractError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ExtractError(f"{path}: expected a JSON object")
    if meta.get("date_extraction") is not None:
        try:
            pd.Timestamp(meta["date_extraction"])
        except (ValueError, TypeError):
            raise ExtractError(
                f"{path}: date_extraction {meta['date_extraction']!r} is not a date"
            ) from None
    return meta


def _read_table(
    path: Path, table: Table, corr: Correspondence | None = None
) -> RawTable:
    if path.suffix.lower() == ".parquet":
        raw = _read_parquet(path, table)
    else:
        raw = _read_csv(path, table)
    if corr is not None:  # source names and codes onto the contract's
        corr.apply(raw)
    _check_columns(raw, table)
    return raw


def _read_parquet(path: Path, table: Table) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # text straight into Arrow-backed strings: no Python string objects
    text = pd.StringDtype("pyarrow")
    types = {pa.string(): text, pa.large_string(): text}
    try:
        frame = pq.read_table(path).to_pandas(types_mapper=types.get)
    except Exception as exc:  # pyarrow raises many types for a broken file
        raise ExtractError(f"{path}: cannot read Parquet file ({exc})") from None
    frame = frame.reset_index(drop=True)
    return RawTable(table.name, str(path), frame, np.arange(1, len(frame) + 1))


def _read_csv(path: Path, table: Table) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        raise ExtractError(f"{path}: empty file (no header line)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ExtractError(
            f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); "
            "re-export the file as UTF-8"
        ) from None
    header = text.split("\n", 1)[0]
    sep = ";" if header.count(";") >= header.count(",") else ","
    frame, lines, read_rejects = _read_csv_records(text, sep, table.name)
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(set(frame.columns)) != len(frame.columns):
        dup = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
        raise ExtractError(f"{path}: duplicated column(s) {', '.join(dup)} in header")
    for col in frame.columns:
        frame[col] = frame[col].str.strip()
    return RawTable(table.name, str(path), frame, lines, read_rejects, sep == ";")


def _read_csv_records(text: str, sep: str, table: str):
    """Record by record, keeping true line numbers and rejecting bad field counts.

    The csv module rather than pandas: pandas pads a short record with missing
    values silently, and a truncated line must be a reject, not a row.
    """
    # free-text fields may be long; the csv module's 128 KiB default would raise
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = next(reader)
    width = len(header)
    rows, lines, rejects = [], [], []
    line_start = reader.line_num + 1
    for record in reader:
        if record == []:  # blank line
            line_start = reader.line_num + 1
            continue
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
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    return frame, np.asarray(lines, dtype="int64"), rejects


def _check_columns(raw: RawTable, table: Table) -> None:
    missing = [
        c.name
        for c in table.columns
        if c.name not in raw.frame.columns
        and (c.required or (table.name, c.name) in _CONDITIONAL_COLUMNS)
    ]
    if missing:
        raise ExtractError(
            f"{raw.path}: required column(s) missing: {', '.join(missing)} "
            f"(found: {', '.join(map(str, raw.frame.columns)) or 'none'})"
        )
    for c in table.columns:
        if c.name not in raw.frame.columns:
            # an optional column may be absent from a real extract
            raw.frame[c.name] = pd.Series([None] * len(raw.frame), dtype=object)


# ------------------------------------------------------------------ checking
class _TableCheck:
    """Collect the rule breaks of one table, then split accepted and rejected."""

    def __init__(self, raw: RawTable, table: Table, ref_date: pd.Timestamp) -> None:
        self.raw = raw
        self.table = table
        self.ref_date = ref_date
        self.n = len(raw.frame)
        self.bad = np.zeros(self.n, dtype=bool)
        self.parts: list[pd.DataFrame] = []
        self.typed: dict[str, pd.Series] = {}

    # -- recording
    def _reject(self, mask, column: str, rule: str, detail, values=None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.bad |= mask
        if values is None:
            values = self.raw.frame.get(column, "")
        vals = pd.Series(values).reset_index(drop=True)[mask]
        vals = vals.astype(object).where(vals.notna(), "").astype(str).str.slice(0, 200)
        det = detail if isinstance(detail, str) else pd.Series(detail)[mask].to_numpy()
        self.parts.append(
            pd.DataFrame(
                {
                    "table": self.table.name,
                    "ligne": self.raw.lines[mask],
                    "colonne": column,
                    "valeur": vals.to_numpy(),
                    "regle": rule,
                    "detail": det,
                }
            )
        )

    def run(self, accepted: dict[str, pd.DataFrame]) -> None:
        for col in self.table.columns:
            self._check_column(col)
        self._check_rows()
        for col in self.table.columns:
            if col.unique:
                self._check_unique([col.name])
        for cols in self.table.unique_together:
            self._check_unique(list(cols))
        for col in self.table.columns:
            if col.references:
                self._check_reference(col, accepted)

    def result(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        keep = ~self.bad
        # a clean table (the usual case) is not copied row by row
        clean = bool(keep.all())
        out = {}
        for col in self.table.columns:
            typed = self.typed[col.name]
            out[col.name] = typed if clean else typed[keep].reset_index(drop=True)
        contract = set(self.table.column_names)
        frame = pd.DataFrame(out)
        for extra in self.raw.frame.columns:
            if extra not in contract:
                frame[extra] = self.raw.frame[extra][keep].reset_index(drop=True)
        parts = [p for p in self.parts if len(p)]
        if self.raw.read_rejects:
            parts.append(pd.DataFrame(self.raw.read_rejects, columns=REJECT_COLUMNS))
        rej = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
        rej = rej.astype(
            {
                "table": "string",
                "colonne": "string",
                "valeur": "string",
                "regle": "string",
                "detail": "string",
                "ligne": "int64",
            }
        ).sort_values(["ligne", "colonne"], kind="stable", ignore_index=True)
        return frame, rej

    # -- one column at a time
    def _check_column(self, col: Column) -> None:
        s = self.raw.frame[col.name].reset_index(drop=True)
        missing = _is_missing(s)
        typed, type_bad = _parse(s, col.kind, self.raw.decimal_comma)
        type_bad = np.array(type_bad, dtype=bool)  # writable copy (copy-on-write)
        type_bad &= ~missing
        filled = int((~missing).sum())
        if filled >= _WRONG_TYPE_MIN_VALUES and type_bad.sum() == filled:
            example = s[~missing].iloc[0]
            raise ExtractError(
                f"{self.raw.path}: column {col.name!r} holds no valid "
                f"{_KIND_FR[col.kind]} (e.g. {example!r} on line {self.raw.lines[~missing][0]}); "
                "are the columns swapped or the format wrong?"
            )
        self._reject(type_bad, col.name, "type", f"{_KIND_FR[col.kind]} attendu(e)")
        if col.required:
            self._reject(missing, col.name, "obligatoire", "valeur manquante")
        ok = ~missing & ~type_bad
        if col.allowed is not None:
            bad = ok & ~_isin(typed, col.allowed)
            self._reject(
                bad,
                col.name,
                "valeur_autorisee",
                "valeurs admises : " + ", ".join(col.allowed),
            )
        if col.minimum is not None:
            v = pd.to_numeric(typed, errors="coerce")
            below = (v <= col.minimum) if col.exclusive_minimum else (v < col.minimum)
            bad = ok & below.fillna(False).to_numpy(dtype=bool)
            op = ">" if col.exclusive_minimum else ">="
            self._reject(bad, col.name, "minimum", f"doit être {op} {col.minimum:g}")
        if col.kind == "date" and (self.table.name, col.name) in _PAST_DATES:
            bad = ok & (typed > self.ref_date).fillna(False).to_numpy(dtype=bool)
            self._reject(
                bad,
                col.name,
                "date_future",
                f"postérieure à la date d'extraction {self.ref_date.date()}",
            )
        self.typed[col.name] = typed

    def _check_rows(self) -> None:
        t = self.typed
        name = self.table.name
        if name == "jeunes":
            birth, first = t["date_naissance"], t["date_premier_accueil"]
            age = _age_years(birth, first)
            bad = (age < AGE_MIN_PREMIER_ACCUEIL) | (age > AGE_MAX_PREMIER_ACCUEIL)
            self._reject(
                bad.fillna(False).to_numpy(dtype=bool),
                "date_premier_accueil",
                "age_premier_accueil",
                f"âge au premier accueil hors de {AGE_MIN_PREMIER_ACCUEIL}–"
                f"{AGE_MAX_PREMIER_ACCUEIL} ans",
            )
            com = t["commune_residence"]
            bad = com.notna() & ~com.fillna("").astype(str).str.match(_COMMUNE)
            self._reject(
                bad.to_numpy(dtype=bool),
                "commune_residence",
                "format_commune",
                "code commune INSEE à 5 caractères attendu",
            )
        if name in ("situations", "dispositifs"):
            ends = (
                ["date_fin_prevue", "date_fin"]
                if name == "situations"
                else ["date_fin"]
            )
            for end in ends:
                bad = (t[end] < t["date_debut"]).fillna(False).to_numpy(dtype=bool)
                self._reject(
                    bad,
                    end,
                    "ordre_dates",
                    "antérieure à date_debut",
                    values=self.raw.frame[end],
                )
        if name == "situations":
            cat = t["categorie"].astype(object)
            sous = t["sous_categorie"].astype(object)
            fin = t["financeur"].astype(object)
            for c, allowed in SOUS_CATEGORIES.items():
                bad = (cat == c) & ~sous.isin(allowed)
                self._reject(
                    bad.to_numpy(dtype=bool),
                    "sous_categorie",
                    "sous_categorie",
                    f"pour {c} : " + ", ".join(allowed),
                )
            bad = ~cat.isin(list(SOUS_CATEGORIES)) & cat.notna() & sous.notna()
            self._reject(
                bad.to_numpy(dtype=bool),
                "sous_categorie",
                "sous_categorie",
                "doit être vide hors emploi, alternance et formation",
            )
            bad = (cat == "formation") & fin.isna()
            self._reject(
                bad.to_numpy(dtype=bool),
                "financeur",
                "financeur",
                "financeur obligatoire pour une formation",
            )
            bad = (cat != "formation") & cat.notna() & fin.notna()
            self._reject(
                bad.to_numpy(dtype=bool),
                "financeur",
                "financeur",
                "financeur réservé aux formations",
            )

    def _check_unique(self, cols: list[str]) -> None:
        # typed columns as they are: Arrow strings are hashed without Python objects
        key = pd.DataFrame({c: self.typed[c] for c in cols})
        filled = key.notna().all(axis=1).to_numpy()
        # rows already broken elsewhere do not claim an id
        candidate = filled & ~self.bad
        sub = key[candidate]
        dup = _duplicated(sub)
        if not dup.any():
            return
        first_line = (
            pd.Series(self.raw.lines[candidate])
            .groupby([sub[c].to_numpy() for c in cols])
            .transform("first")
            .to_numpy()
        )
        mask = np.zeros(self.n, dtype=bool)
        idx = np.flatnonzero(candidate)[dup]
        mask[idx] = True
        detail = np.full(self.n, "", dtype=object)
        detail[idx] = [f"déjà présent ligne {line}" for line in first_line[dup]]
        self._reject(
            mask,
            "+".join(cols),
            "doublon",
            detail,
            values=key.astype(str).agg("|".join, axis=1),
        )

    def _check_reference(self, col: Column, accepted: dict[str, pd.DataFrame]) -> None:
        ref_table, ref_col = col.references.split(".")
        if ref_table not in accepted:
            return
        valid = _as_text(accepted[ref_table][ref_col]).dropna().unique()
        values = _as_text(self.typed[col.name])
        bad = values.notna().to_numpy(dtype=bool) & ~_isin(values, valid)
        self._reject(
            bad,
            col.name,
            "reference",
            f"absent de {ref_table} (ou ligne rejetée)",
        )


_KIND_FR = {
    "str": "texte",
    "int": "nombre entier",
    "float": "nombre",
    "date": "date (AAAA-MM-JJ ou JJ/MM/AAAA)",
    "bool": "booléen (oui/non, 1/0, true/false)",
}


def _as_text(s: pd.Series) -> pd.Series:
    """The column as pandas strings (values kept as written, missing as NA).

    Vectorised: non-string objects (numbers read from a CSV cell) become their
    ``str``, as a per-value ``str(v)`` would.
    """
    if isinstance(s.dtype, pd.StringDtype):
        return s
    return s.astype("string")


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """``values.isin(allowed)`` for text, hashed in Arrow (pandas loops in Python).

    Missing values are not in: the callers check them separately.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    # Arrow-backed strings convert without a copy (no Python string objects)
    arr = pa.array(_as_text(values))
    if hasattr(allowed, "__arrow_array__"):  # e.g. the unique ids of a table
        valid = pa.array(allowed).cast(arr.type)
    else:
        valid = pa.array([str(v) for v in allowed], arr.type)
    hit = pc.is_in(arr, value_set=valid)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def _duplicated(key: pd.DataFrame) -> np.ndarray:
    """``key.duplicated(keep="first")``, with codes from Arrow for one text column.

    pandas (and Arrow's hash tables) need about 100 bytes a row for millions of
    distinct ids; a stable sort in Arrow needs a third of that: equal ids end up
    side by side in row order, and each one after the first is a duplicate.
    """
    if key.shape[1] == 1 and isinstance(key.iloc[:, 0].dtype, pd.StringDtype):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(key.iloc[:, 0])
        if len(arr) < 2:
            return np.zeros(len(arr), dtype=bool)
        order = pc.sort_indices(arr)  # stable
        ranked = pc.take(arr, order)
        if isinstance(ranked, pa.ChunkedArray):
            ranked = ranked.combine_chunks()
        same = pc.equal(ranked.slice(1), ranked.slice(0, len(ranked) - 1))
        later = same.to_numpy(zero_copy_only=False)
        dup = np.zeros(len(arr), dtype=bool)
        dup[order.to_numpy()[1:][later]] = True
        return dup
    return key.duplicated(keep="first").to_numpy()


def _is_missing(s: pd.Series) -> np.ndarray:
    m = s.isna().to_numpy(dtype=bool, copy=True)
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        blank = _as_text(s).str.strip().eq("")
        m |= blank.to_numpy(dtype=bool, na_value=False)
    return m


def _parse(
    s: pd.Series, kind: str, decimal_comma: bool
) -> tuple[pd.Series, np.ndarray]:
    """Parse a column to its contract type; return typed values and a failure mask."""
    n = len(s)
    if kind == "str":
        out = _as_text(s)
        blank = out.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
        if blank.any():
            out = out.mask(blank)
        return out, np.zeros(n, dtype=bool)
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(s):
            out = s.dt.tz_localize(None) if s.dt.tz is not None else s
            return out.astype("datetime64[ns]"), np.zeros(n, dtype=bool)
        if (
            s.dtype == object
            and len(s)
            and any(hasattr(v, "year") for v in s.dropna().iloc[:5])
        ):
            out = pd.to_datetime(s, errors="coerce")
            return out.astype("datetime64[ns]"), (s.notna() & out.isna()).to_numpy()
        text = s.astype(object).fillna("").astype(str).str.strip()
        iso = text.str.match(_ISO)
        fr = text.str.match(_FR)
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        if iso.any():
            out[iso] = pd.to_datetime(text[iso], format="%Y-%m-%d", errors="coerce")
        if fr.any():
            out[fr] = pd.to_datetime(text[fr], format="%d/%m/%Y", errors="coerce")
        bad = (text != "") & out.isna()
        return out, bad.to_numpy()
    if kind == "bool":
        if pd.api.types.is_bool_dtype(s):
            return s.astype(bool), np.zeros(n, dtype=bool)
        text = s.astype(object).fillna("").astype(str).str.strip().str.lower()
        t, f = text.isin(_TRUE), text.isin(_FALSE)
        out = pd.Series(t.to_numpy(), index=s.index, dtype=bool)
        return out, ((text != "") & ~t & ~f).to_numpy()
    # numbers
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        num = pd.to_numeric(s, errors="coerce").astype("float64")
    else:
        text = s.astype(object).fillna("").astype(str).str.strip()
        if decimal_comma and kind == "float":
            text = text.str.replace(",", ".", regex=False)
        num = pd.to_numeric(text.where(text != "", None), errors="coerce")
        num = num.astype("float64")
    bad = (s.notna() & num.isna()).to_numpy(dtype=bool, copy=True)
    if kind == "int":
        frac = num.notna() & (num != np.floor(num.fillna(0)))
        bad |= frac.to_numpy()
        out = num.where(~frac).astype("Int64")
        return out, bad
    return num.astype(pandas_dtype(Column("x", "float"))), bad


def _age_years(birth: pd.Series, day: pd.Series) -> pd.Series:
    """Age in completed years on ``day`` (birthday anniversaries), NaN if unknown."""
    years = day.dt.year - birth.dt.year
    before = (day.dt.month < birth.dt.month) | (
        (day.dt.month == birth.dt.month) & (day.dt.day < birth.dt.day)
    )
    return (years - before.astype("Int64")).astype("Float64")
