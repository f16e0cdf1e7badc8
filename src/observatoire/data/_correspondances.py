"""Correspondence files: an extract in i-Milo's own vocabulary mapped onto the contract.

A real extract names its files, columns and codes as its export does. A
correspondence file (``correspondances.yaml`` in the extract's folder, or the
file given explicitly) maps them onto the data contract without code changes.
Its three optional sections are keyed by **contract** table name:

- ``fichiers``: contract table -> file name in the folder (extension included;
  for a database source, the table name, its extension if any dropped);
- ``colonnes``: per table, source column name -> contract column name;
- ``valeurs``: per table and contract column, source value -> contract value,
  or ``~`` (out of scope: the row is set aside as ``hors_champ``).

Columns are renamed first, then values are mapped on the contract's column
names, then every rule of the contract applies as usual. Matching of values is
exact after stripping surrounding spaces; a value already equal to a contract
value needs no entry. In a column with a ``valeurs`` entry, a value not listed
is a reject with rule ``valeur_non_reconnue`` naming the value. Reading
choices where the contract is silent:

- a row holding both an out-of-scope value and an unlisted one is set aside
  (it is out of scope whatever its other values);
- a missing value passes through untouched (the contract's ``obligatoire``
  rule then decides);
- a free-text column (``code_ml``, ``nom_ml``...) may have ``valeurs``
  entries (to recode); there a value not listed is kept as it is, since every
  text is a contract value; boolean columns accept the contract's spellings
  (``oui``/``non``, ``1``/``0``, ``true``/``false``) without an entry; date
  and number columns cannot have ``valeurs``;
- a source column named in ``colonnes`` but absent from the file is not an
  error by itself (the file may serve several exports); a required contract
  column still missing after renaming is, as always.

A file that breaks these rules (unknown section, table or column, a target the
contract does not allow, two source columns onto one contract column, a key
YAML read as a boolean or a list...) raises one :class:`ParamsError` listing
every problem (exit status 2).
"""

from __future__ import annotations

import difflib
import io
import logging
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .._io import excerpt, load_yaml, write_text_atomic
from ..exceptions import ExtractError, ParamsError
from ._schema import SCHEMA, Column

logger = logging.getLogger(__name__)

#: the correspondence file an extract's folder may hold
CORRESPONDENCE_FILE = "correspondances.yaml"
#: reject rule of a value the file does not map
RULE_UNMAPPED = "valeur_non_reconnue"
#: rule of a row set aside by a value mapped to ``~``
RULE_OUT_OF_SCOPE = "hors_champ"

SECTIONS: tuple[str, ...] = ("fichiers", "colonnes", "valeurs")
_EXTENSIONS = (".csv", ".parquet")
#: spellings the loader reads as booleans (any case): contract values already
_BOOL_SPELLINGS = ("1", "0", "true", "false", "oui", "non", "vrai", "faux")


@dataclass(frozen=True)
class Correspondence:
    """A checked correspondence file.

    Attributes
    ----------
    files : dict
        Contract table -> file name in the extract's folder.
    columns : dict
        Contract table -> {source column name: contract column name}.
    values : dict
        Contract table -> contract column -> {source value: contract value, or
        None for out of scope}. Source values are stored stripped.
    source : str
        The file it was read from (empty when built in code).
    """

    files: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, dict[str, str | None]]] = field(default_factory=dict)
    source: str = ""

    def file_name(self, table: str) -> str | None:
        """The file name given for ``table``, None when the contract's is used."""
        return self.files.get(table)

    def table_name(self, table: str) -> str:
        """The database table holding contract table ``table`` (extension dropped)."""
        name = self.files.get(table)
        if name is None:
            return table
        return Path(name).stem if Path(name).suffix in _EXTENSIONS else name

    def source_column(self, table: str, column: str) -> str:
        """The source name of contract column ``column`` of ``table``."""
        for src, dst in self.columns.get(table, {}).items():
            if dst == column:
                return src
        return column

    def apply(self, raw: Any) -> Any:
        """Rename the columns and map the values of one table as read, in place.

        Parameters
        ----------
        raw : RawTable
            A table as read by the loader (``name``, ``path``, ``frame``,
            ``lines``, ``read_rejects``, ``hors_champ``), before its columns
            are checked.

        Returns
        -------
        RawTable
            The same object: columns renamed, values mapped, rows with a value
            not listed moved to ``read_rejects`` (rule ``valeur_non_reconnue``)
            and rows out of scope moved to ``hors_champ``.

        Raises
        ------
        ExtractError
            When renaming gives two columns the same name.
        """
        self._rename(raw)
        self._map_values(raw)
        return raw

    # -- renaming
    def _rename(self, raw: Any) -> None:
        mapping = self.columns.get(raw.name)
        if not mapping:
            return
        frame = raw.frame
        present = {str(c) for c in frame.columns}
        absent = [src for src in mapping if src not in present]
        if absent:
            logger.info(
                "%s: column(s) of the correspondence not in the file: %s",
                raw.path,
                ", ".join(excerpt(a) for a in absent),
            )
        renamed = [mapping.get(str(c), str(c)) for c in frame.columns]
        clashes = sorted({c for c in renamed if renamed.count(c) > 1})
        if clashes:
            sources = [
                f"{excerpt(str(c))} -> {mapping.get(str(c), str(c))}"
                for c in frame.columns
                if mapping.get(str(c), str(c)) in clashes
            ]
            raise ExtractError(
                f"{raw.path}: after the correspondence {self.source or ''} the "
                f"column(s) {', '.join(clashes)} appear twice ({'; '.join(sources)}); "
                "map only one source column onto each contract column"
            )
        frame.columns = renamed

    # -- values
    def _map_values(self, raw: Any) -> None:
        table_values = self.values.get(raw.name)
        if not table_values:
            return
        frame = raw.frame
        n = len(frame)
        out_of_scope = np.zeros(n, dtype=bool)
        out_column = np.full(n, "", dtype=object)
        out_value = np.full(n, "", dtype=object)
        unmapped: list[tuple[str, np.ndarray, np.ndarray]] = []
        contract = SCHEMA[raw.name]
        for column, mapping in table_values.items():
            if column not in frame.columns:
                continue
            col = contract.column(column)
            text = _as_text(frame[column])
            codes, uniques = pd.factorize(text)
            uniq = [str(u) for u in uniques]
            target = np.empty(len(uniq), dtype=object)
            verdict = np.zeros(len(uniq), dtype=np.int8)  # 0 keep, 1 map, 2 out, 3 bad
            accepted = _contract_values(col)
            for k, value in enumerate(uniq):
                if value == "":
                    verdict[k] = 0
                elif value in mapping:
                    target[k] = mapping[value]
                    verdict[k] = 2 if mapping[value] is None else 1
                elif accepted is None or _is_contract_value(value, col, accepted):
                    verdict[k] = 0
                else:
                    verdict[k] = 3
            row_verdict = np.where(codes >= 0, verdict[np.maximum(codes, 0)], 0)
            if (row_verdict == 1).any():
                mapped = text.to_numpy(dtype=object, na_value=None).copy()
                hit = row_verdict == 1
                mapped[hit] = target[codes[hit]]
                frame[column] = pd.array(mapped, dtype=text.dtype)
            else:
                frame[column] = text
            out = (row_verdict == 2) & ~out_of_scope
            out_column[out] = column
            out_value[out] = text.to_numpy(dtype=object, na_value="")[out]
            out_of_scope |= row_verdict == 2
            bad = row_verdict == 3
            if bad.any():
                unmapped.append(
                    (column, bad, text.to_numpy(dtype=object, na_value="")[bad])
                )
        rejected = np.zeros(n, dtype=bool)
        for column, bad, values in unmapped:
            keep = ~out_of_scope[bad]
            lines = raw.lines[bad][keep]
            where = f"valeurs.{raw.name}.{column}"
            for line, value in zip(lines, values[keep], strict=True):
                raw.read_rejects.append(
                    {
                        "table": raw.name,
                        "ligne": int(line),
                        "colonne": column,
                        "valeur": str(value)[:200],
                        "regle": RULE_UNMAPPED,
                        "detail": f"valeur absente de la correspondance ({where})",
                    }
                )
            rejected |= bad & ~out_of_scope
        if out_of_scope.any():
            aside = pd.DataFrame(
                {
                    "table": raw.name,
                    "ligne": raw.lines[out_of_scope].astype("int64"),
                    "colonne": out_column[out_of_scope],
                    "valeur": [str(v)[:200] for v in out_value[out_of_scope]],
                    "regle": RULE_OUT_OF_SCOPE,
                    "detail": "hors champ selon la correspondance",
                }
            )
            raw.hors_champ = (
                aside
                if raw.hors_champ is None
                else pd.concat([raw.hors_champ, aside], ignore_index=True)
            )
        drop = out_of_scope | rejected
        if drop.any():
            keep = ~drop
            raw.frame = frame.loc[keep].reset_index(drop=True)
            raw.lines = np.asarray(raw.lines)[keep]


def _as_text(s: pd.Series) -> pd.Series:
    """The column as stripped pandas strings (missing stays missing)."""
    text = s if isinstance(s.dtype, pd.StringDtype) else s.astype("string")
    return text.str.strip()


def _contract_values(col: Column) -> tuple[str, ...] | None:
    """The values a column accepts as they are; None for free text."""
    if col.allowed is not None:
        return col.allowed
    if col.kind == "bool":
        return _BOOL_SPELLINGS
    return None


def _is_contract_value(value: str, col: Column, accepted: tuple[str, ...]) -> bool:
    if col.kind == "bool":
        return value.lower() in accepted
    return value in accepted


# ----------------------------------------------------------------- reading
def load_correspondence(path: str | os.PathLike[str]) -> Correspondence:
    """Read and check a correspondence file.

    Parameters
    ----------
    path : path-like
        A YAML file (UTF-8) with optional sections ``fichiers``, ``colonnes``,
        ``valeurs`` (see the module docstring).

    Returns
    -------
    Correspondence

    Raises
    ------
    ParamsError
        The file is missing, not YAML, or breaks a rule: one message listing
        every problem.
    """
    raw = load_yaml(path, error=ParamsError)
    return parse_correspondence(raw, source=str(path))


def find_correspondence(
    directory: str | os.PathLike[str] | None,
    explicit: str | os.PathLike[str] | Correspondence | None = None,
) -> Correspondence | None:
    """The correspondence an extract is read with, if any.

    An explicit file (``--correspondances``, ``correspondances:`` in the run
    parameters) wins over ``correspondances.yaml`` in the extract's folder.
    """
    if isinstance(explicit, Correspondence):
        return explicit
    if explicit is not None:
        return load_correspondence(explicit)
    if directory is None:
        return None
    own = Path(directory) / CORRESPONDENCE_FILE
    if own.is_file():
        logger.info("correspondence file %s applied", own)
        return load_correspondence(own)
    return None


def parse_correspondence(raw: Any, *, source: str = "") -> Correspondence:
    """Check a parsed YAML document and build a :class:`Correspondence`.

    Examples
    --------
    >>> c = parse_correspondence({"valeurs": {"situations": {
    ...     "etat": {"PREVU": "prevue", "EN_COURS": "en_cours"}}}})
    >>> c.values["situations"]["etat"]["PREVU"]
    'prevue'
    >>> parse_correspondence({"colonnes": {"jeune": {"Sexe": "sexe"}}})
    Traceback (most recent call last):
    ...
    observatoire.exceptions.ParamsError: 1 problem in the correspondence file:
      - colonnes.jeune: unknown contract table (did you mean 'jeunes'?)
    """
    problems: list[str] = []
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ParamsError(
            f"{source + ': ' if source else ''}a correspondence file is a mapping "
            f"with sections {', '.join(SECTIONS)}, got {type(raw).__name__}"
        )
    for key in raw:
        if key not in SECTIONS:
            problems.append(
                f"{excerpt(key)}: unknown section{_hint(key, SECTIONS)}; "
                f"sections are {', '.join(SECTIONS)}"
            )
    files = _parse_files(raw.get("fichiers"), problems)
    columns = _parse_columns(raw.get("colonnes"), problems)
    values = _parse_values(raw.get("valeurs"), problems)
    if problems:
        n = len(problems)
        where = f"{source}: " if source else ""
        head = f"{where}{n} problem{'s' if n > 1 else ''} in the correspondence file:"
        raise ParamsError("\n".join([head, *(f"  - {p}" for p in problems)]))
    return Correspondence(files, columns, values, source)


def _hint(key: Any, choices) -> str:
    close = difflib.get_close_matches(str(key), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _tables(section: str, value: Any, problems: list[str]) -> dict[str, Any]:
    """The section's tables, each a known contract table."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(
            f"{section}: expected a mapping keyed by contract table, "
            f"got {type(value).__name__}"
        )
        return {}
    out = {}
    for table, content in value.items():
        if table not in SCHEMA:
            problems.append(
                f"{section}.{excerpt(table)[1:-1]}: unknown contract table"
                f"{_hint(table, SCHEMA)}"
            )
            continue
        out[table] = content
    return out


def _key_text(where: str, key: Any, problems: list[str]) -> str | None:
    """A mapping key as text: numbers become their text, booleans and lists are refused."""
    if isinstance(key, bool) or key is None:
        problems.append(
            f"{where}: the key {key!r} was read by YAML as "
            f"{'a boolean' if isinstance(key, bool) else 'empty'}; quote it "
            '("yes": ..., "~": ...)'
        )
        return None
    if isinstance(key, (int, float)):
        return str(key)
    if not isinstance(key, str):
        problems.append(f"{where}: key {key!r} is not a plain value")
        return None
    text = key.strip()
    if not text:
        problems.append(f"{where}: an empty key")
        return None
    return text


def _parse_files(value: Any, problems: list[str]) -> dict[str, str]:
    files: dict[str, str] = {}
    for table, name in _tables("fichiers", value, problems).items():
        where = f"fichiers.{table}"
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: expected a file name, got {name!r}")
            continue
        name = name.strip()
        if "/" in name or "\\" in name or name in (".", ".."):
            problems.append(
                f"{where}: {excerpt(name)} is not a file name of the extract's "
                "folder (no folder part)"
            )
            continue
        if Path(name).suffix.lower() not in _EXTENSIONS:
            problems.append(
                f"{where}: {excerpt(name)} must end in .csv or .parquet "
                "(the extension tells how to read it)"
            )
            continue
        files[table] = name
    seen: dict[str, str] = {}
    for table, name in files.items():
        if name in seen:
            problems.append(
                f"fichiers: {excerpt(name)} given for both {seen[name]} and {table}"
            )
        seen.setdefault(name, table)
    return files


def _parse_columns(value: Any, problems: list[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for table, mapping in _tables("colonnes", value, problems).items():
        where = f"colonnes.{table}"
        if mapping is None:
            continue
        if not isinstance(mapping, Mapping):
            problems.append(
                f"{where}: expected source column: contract column pairs, "
                f"got {type(mapping).__name__}"
            )
            continue
        names = SCHEMA[table].column_names
        renames: dict[str, str] = {}
        for src, dst in mapping.items():
            src_text = _key_text(where, src, problems)
            if src_text is None:
                continue
            at = f"{where}.{excerpt(src_text)}"
            if not isinstance(dst, str) or not dst.strip():
                problems.append(
                    f"{at}: no contract column given; name one of "
                    f"{', '.join(names)} (or delete the line: the column keeps its name)"
                )
                continue
            dst = dst.strip()
            if dst not in names:
                problems.append(
                    f"{at}: {excerpt(dst)} is not a column of {table}"
                    f"{_hint(dst, names)}; columns are {', '.join(names)}"
                )
                continue
            if src_text in renames:
                problems.append(f"{at}: given twice (after stripping spaces)")
                continue
            renames[src_text] = dst
        targets = list(renames.values())
        for dst in sorted({d for d in targets if targets.count(d) > 1}):
            srcs = [excerpt(s) for s, d in renames.items() if d == dst]
            problems.append(
                f"{where}: {', '.join(srcs)} are all mapped onto {dst}; map one"
            )
        out[table] = renames
    return out


def _parse_values(
    value: Any, problems: list[str]
) -> dict[str, dict[str, dict[str, str | None]]]:
    out: dict[str, dict[str, dict[str, str | None]]] = {}
    for table, columns in _tables("valeurs", value, problems).items():
        where_t = f"valeurs.{table}"
        if columns is None:
            continue
        if not isinstance(columns, Mapping):
            problems.append(
                f"{where_t}: expected contract column: mapping, got "
                f"{type(columns).__name__}"
            )
            continue
        spec = SCHEMA[table]
        out[table] = {}
        for column, mapping in columns.items():
            where = f"{where_t}.{column}"
            if column not in spec.column_names:
                problems.append(
                    f"{where_t}.{excerpt(column)[1:-1]}: not a column of {table}"
                    f"{_hint(column, spec.column_names)} (valeurs are keyed by "
                    "the contract's column names, after renaming)"
                )
                continue
            col = spec.column(column)
            if col.kind in ("date", "int", "float"):
                problems.append(
                    f"{where}: a {col.kind} column; only text and boolean "
                    "columns can have their values mapped"
                )
                continue
            if mapping is None:
                continue
            if not isinstance(mapping, Mapping):
                problems.append(
                    f"{where}: expected source value: contract value pairs, "
                    f"got {type(mapping).__name__}"
                )
                continue
            parsed: dict[str, str | None] = {}
            for src, dst in mapping.items():
                src_text = _key_text(where, src, problems)
                if src_text is None:
                    continue
                at = f"{where}.{excerpt(src_text)}"
                target = _target(at, dst, col, problems)
                if target is _INVALID:
                    continue
                if src_text in parsed:
                    problems.append(f"{at}: given twice (after stripping spaces)")
                    continue
                parsed[src_text] = target
            out[table][column] = parsed
    return out


_INVALID = object()


def _target(at: str, dst: Any, col: Column, problems: list[str]) -> Any:
    """A checked contract value (None: out of scope), or _INVALID."""
    if dst is None:
        return None
    if isinstance(dst, bool):
        if col.kind == "bool":
            return "true" if dst else "false"
        problems.append(f"{at}: {dst!r} was read by YAML as a boolean; quote the value")
        return _INVALID
    if isinstance(dst, (int, float)):
        dst = str(dst)
    if not isinstance(dst, str):
        problems.append(f"{at}: expected a contract value or ~, got {dst!r}")
        return _INVALID
    text = dst.strip()
    if not text:
        allowed = _contract_values(col)
        choices = f": one of {', '.join(allowed)}" if allowed else ""
        problems.append(
            f"{at}: no contract value given; fill it in{choices}, or ~ (out of scope)"
        )
        return _INVALID
    if col.kind == "bool":
        if text.lower() not in _BOOL_SPELLINGS:
            problems.append(
                f"{at}: {excerpt(text)} is not a boolean of the contract "
                "(oui/non, 1/0, true/false)"
            )
            return _INVALID
        return text.lower()
    if col.allowed is not None and text not in col.allowed:
        problems.append(
            f"{at}: {excerpt(text)} is not allowed in {col.name}"
            f"{_hint(text, col.allowed)}; values are {', '.join(col.allowed)}"
        )
        return _INVALID
    return text


# --------------------------------------------------------------- starting file
def _normalise(text: str) -> str:
    """Lower case, accents off, runs of spaces and punctuation as one ``_``.

    >>> _normalise("  Scolarité ") , _normalise("Date de début"), _normalise("EN_COURS")
    ('scolarite', 'date_de_debut', 'en_cours')
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z+]+", "_", plain.lower()).strip("_")


def _read_source(path: Path) -> pd.DataFrame:
    """A source file as text columns, for the starting file only."""
    if path.suffix.lower() == ".parquet":
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a broken file
            raise ExtractError(f"{path}: cannot read Parquet file ({exc})") from None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(
            f"{path}: not UTF-8 (byte {exc.start}); re-export the file as UTF-8"
        ) from None
    header = text.split("\n", 1)[0]
    sep = ";" if header.count(";") >= header.count(",") else ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExtractError(f"{path}: cannot read CSV file ({first})") from None


#: words of i-Milo export file names -> contract table (for the starting file)
_FILE_WORDS = {
    "structures": "missions_locales",
    "dossiers": "jeunes",
    "actualites": "evenements",
}


def _guess_table(path: Path, columns: list[str], taken: set[str]) -> str | None:
    """The contract table a file holds: by its name, else by its columns."""
    stem = _normalise(path.stem)
    words = set(stem.split("_"))
    for name in SCHEMA:
        if stem == name and name not in taken:
            return name
    for name in sorted(
        SCHEMA, key=len, reverse=True
    ):  # animations_participations first
        if name not in taken and (stem.endswith(name) or name in words):
            return name
    for word, name in _FILE_WORDS.items():
        if word in words and name not in taken:
            return name
    normal = {_normalise(c) for c in columns}
    best, score = None, 0.0
    for name, table in SCHEMA.items():
        if name in taken:
            continue
        required = [c.name for c in table.columns if c.required]
        hit = sum(c in normal for c in required) / len(required)
        if hit > score:
            best, score = name, hit
    return best if score >= 0.5 else None


#: an unrecognised column with at most this many distinct values has them shown
_HINT_VALUES = 30


def draft_correspondence(directory: str | os.PathLike[str]) -> str:
    """A starting correspondence file (YAML text) for the extract in ``directory``.

    Every file of the folder is matched to a contract table (by its name, else
    by its columns); every column is listed with its contract column where the
    names agree once case, accents and spaces are set aside; every distinct
    value of the coded columns (those the contract gives a list of values, and
    booleans) is listed with its contract value where they agree the same way,
    and left empty (``""``) otherwise: the file is refused until each empty
    target is filled in with a contract value or ``~`` (out of scope).
    Unmatched columns are written as comments (a column not mapped keeps its
    name).

    Raises
    ------
    ExtractError
        The folder does not exist or a file cannot be read.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ExtractError(f"extract directory not found: {folder}")
    paths = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _EXTENSIONS
    )
    if not paths:
        raise ExtractError(f"{folder}: no .csv or .parquet file to describe")
    found: dict[str, tuple[Path, pd.DataFrame]] = {}
    unknown: list[Path] = []
    for path in paths:
        frame = _read_source(path)
        name = _guess_table(path, [str(c) for c in frame.columns], set(found))
        if name is None:
            unknown.append(path)
        else:
            found[name] = (path, frame)
    tables = {name: found[name] for name in SCHEMA if name in found}

    lines = [
        "# Correspondence file (starting point written by `observatoire correspondances`)",
        f'# for the extract {folder.name}. Fill in every empty target ("") with a value',
        "# of the data contract, or ~ for out of scope (the row is set aside and counted).",
        "# A column left as a comment keeps its name. Check with `observatoire validate`.",
        "",
        "fichiers:",
    ]
    for name in SCHEMA:
        if name in tables:
            lines.append(f"  {name}: {_yaml_text(tables[name][0].name)}")
    for path in unknown:
        lines.append(f"  # ?: {_yaml_text(path.name)}   # fichier non reconnu")
    missing = [n for n in SCHEMA if n not in tables and not SCHEMA[n].optional]
    if missing:
        lines.append(f"  # tables obligatoires non trouvées : {', '.join(missing)}")

    lines += ["", "colonnes:"]
    renamed: dict[str, dict[str, str]] = {}
    for name, (_path, frame) in tables.items():
        contract = SCHEMA[name].column_names
        by_norm = {_normalise(c): c for c in contract}
        lines.append(f"  {name}:")
        renamed[name] = {}
        for col in frame.columns:
            target = by_norm.get(_normalise(str(col)))
            if target is not None and target not in renamed[name].values():
                renamed[name][str(col)] = target
                lines.append(f"    {_yaml_text(str(col))}: {target}")
            else:
                lines.append(
                    f"    # {_yaml_text(str(col))}:   # à compléter : "
                    f"{', '.join(c for c in contract if c not in renamed[name].values())}"
                )
        absent = [c for c in contract if c not in renamed[name].values()]
        if absent:
            lines.append(
                f"    # colonnes du contrat non trouvées : {', '.join(absent)}"
            )

    lines += ["", "valeurs:"]
    for name, (_path, frame) in tables.items():
        blocks: list[str] = []
        for src, target in renamed[name].items():
            col = SCHEMA[name].column(target)
            accepted = _contract_values(col)
            if accepted is None:
                continue
            counts = _as_text(frame[src]).replace("", pd.NA).dropna().value_counts()
            if not len(counts):
                continue
            blocks.append(f"    {target}:   # {col.kind}: {', '.join(accepted)}")
            by_norm = {_normalise(v): v for v in accepted}
            for value, n in counts.items():
                value = str(value)
                if col.kind == "bool":
                    guess = value.lower() if value.lower() in accepted else None
                else:
                    guess = by_norm.get(_normalise(value))
                shown = _yaml_value(guess) if guess is not None else '""'
                blocks.append(f"      {_yaml_text(value)}: {shown}   # {n} ligne(s)")
        for src in frame.columns:
            if str(src) in renamed[name]:
                continue
            text = _as_text(frame[src]).replace("", pd.NA).dropna()
            counts = text.value_counts()
            looks_coded = (
                0 < len(counts) <= _HINT_VALUES
                and len(counts) < len(text)  # values repeat: not an identifier
                and not text.str.fullmatch(r"[\d/.,: -]+").all()  # dates, numbers
            )
            if looks_coded:
                shown = ", ".join(
                    f"{_yaml_text(str(v))} ({n})" for v, n in counts.items()
                )
                blocks.append(
                    f"    # {_yaml_text(str(src))} (colonne à nommer dans colonnes) :"
                )
                blocks.append(f"    #   {shown}")
        if blocks:
            lines.append(f"  {name}:")
            lines += blocks
    return "\n".join(lines) + "\n"


def _yaml_text(text: str) -> str:
    """``text`` as a double-quoted YAML scalar (always safe to read back)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in escaped
    )
    return f'"{escaped}"'


def _yaml_value(text: str) -> str:
    """``text`` bare when YAML reads it back as that text, else quoted (``"3"``)."""
    try:
        plain = yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain = False
    return text if plain else _yaml_text(text)


def write_draft(directory: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    """Write :func:`draft_correspondence` of ``directory`` to ``out`` atomically."""
    return write_text_atomic(out, draft_correspondence(directory))


def unmapped_summary(rejects: pd.DataFrame) -> pd.DataFrame:
    """Values the correspondence does not map: table, colonne, valeur, lignes.

    Most frequent first (then by table, column and value), from the rejects of
    rule ``valeur_non_reconnue``.
    """
    rows = rejects[rejects["regle"] == RULE_UNMAPPED]
    counts = (
        rows.groupby(["table", "colonne", "valeur"], dropna=False)
        .size()
        .rename("lignes")
        .reset_index()
    )
    return counts.sort_values(
        ["lignes", "table", "colonne", "valeur"],
        ascending=[False, True, True, True],
        kind="stable",
        ignore_index=True,
    )
