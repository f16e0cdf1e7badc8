"""The regional warehouse where it lives: a PostgreSQL schema holding the contract tables.

``load_sql`` reads the tables through SQLAlchemy (psycopg 3) and hands them to
the same validation as files, so rejects and reconciliation are identical.
``write_sql`` creates the tables with the contract's types and keys and loads
an extract into them with ``COPY`` (the demo and the tests use it).

A ``period`` is pushed down to SQL so that a monthly run does not read ten
years: contacts, aids and scheme entries are read from 1 January of the year
before the period (for comparisons with the previous year) to its last day;
situations that end before that window minus 183 days are left out (the
employment-after-training indicator looks back 183 days); young people are
those with a contact or a first reception in the window, plus anyone an
accepted row refers to. Trajectory cohorts need their follow-up months: load
them without ``period``.

``ligne`` in the rejects of a database source is the row's rank in the table
ordered by its key (1-based), since a table has no file line.
"""

from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

import pandas as pd

from .._io import excerpt, is_database_url
from ..exceptions import ExtractError
from ._dates import parse_contract_date
from ._schema import SCHEMA, TABLE_ORDER, Table
from ._validate import RawTable, validate

if TYPE_CHECKING:
    from ._warehouse import Warehouse

logger = logging.getLogger(__name__)

DEFAULT_SCHEMA = "public"

_SQL_TYPES = {
    "str": "text",
    "int": "integer",
    "float": "double precision",
    "date": "date",
    "bool": "boolean",
}

#: which date column places a row of each table in time, for period filters
_DATE_COLUMN = {
    "evenements": "date_evenement",
    "aides": "date_attribution",
    "dispositifs": "date_debut",
    "animations": "date_animation",
}
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


#: query parameters of a database URL that hold a secret
_SECRET_KEYS = re.compile(r"pass|pwd|secret|token|key", re.IGNORECASE)
_MASK = "***"


def mask_url(url: str) -> str:
    """Return ``url`` with its password and secret parameters replaced by ``***``.

    The one place secrets are masked (logs, messages, manifests). The password
    is everything between the user name and the *last* ``@`` of the host part,
    so that an unencoded ``@`` in it does not leak its end; query parameters
    such as ``password=`` are masked too. Text that is not a URL is returned
    as it is.

    Examples
    --------
    >>> mask_url("postgresql://analyste:s3cret@db.example:5432/imilo")
    'postgresql://analyste:***@db.example:5432/imilo'
    >>> mask_url("postgresql://obs:ss-S3cret@x@db/imilo")
    'postgresql://obs:***@db/imilo'
    >>> mask_url("postgresql://obs@db/imilo?password=abc&schema=s")
    'postgresql://obs@db/imilo?password=***&schema=s'
    >>> mask_url("data/entrepot")
    'data/entrepot'
    """
    text = str(url)
    if not is_database_url(text):
        return text
    scheme, rest = text.split("://", 1)
    head, q, query = rest.partition("?")
    at = head.rfind("@")
    if at >= 0:
        userinfo = head[:at]
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + _MASK
        head = userinfo + head[at:]
    query = re.sub(
        r"(^|&)([^=&]*)=([^&]*)",
        lambda m: (
            f"{m.group(1)}{m.group(2)}={_MASK}"
            if _SECRET_KEYS.search(m.group(2))
            else m.group(0)
        ),
        query,
    )
    return f"{scheme}://{head}{q}{query}"


def _secrets(url: str) -> list[str]:
    """Every secret a URL holds, as written and as parsed (longest first)."""
    text = str(url)
    found: set[str] = set()
    if is_database_url(text):
        rest = text.split("://", 1)[1]
        head = rest.split("?", 1)[0]
        if "@" in head:
            userinfo = head[: head.rfind("@")]
            if ":" in userinfo:
                found.add(userinfo.split(":", 1)[1])
        query = rest.split("?", 1)[1] if "?" in rest else ""
        for key, value in parse_qsl(query, keep_blank_values=True):
            if _SECRET_KEYS.search(key):
                found.add(value)
        try:
            import sqlalchemy as sa  # lazy: only a database source loads it

            parsed = sa.engine.make_url(text)
            if parsed.password:
                found.add(str(parsed.password))
            for key, value in parsed.query.items():
                if _SECRET_KEYS.search(key):
                    found.update([value] if isinstance(value, str) else value)
        except Exception:  # a URL SQLAlchemy cannot parse: the text forms suffice
            pass
    found |= {unquote(v) for v in found}
    return sorted((v for v in found if v), key=len, reverse=True)


def mask_secrets(text: str, url: str) -> str:
    """``text`` (e.g. a driver's error message) with the secrets of ``url`` masked."""
    out = str(text)
    for secret in _secrets(url):
        if len(secret) >= 3:
            out = out.replace(secret, _MASK)
    return re.sub(r"[A-Za-z][A-Za-z0-9+.-]*://\S+", lambda m: mask_url(m.group(0)), out)


def _driver_error(exc: BaseException, url: str) -> str:
    """A driver's error as one masked, bounded line."""
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    return excerpt(mask_secrets(lines[0], url), 200)


def split_schema(url: str, schema: str | None = None) -> tuple[str, str]:
    """Take a ``schema=`` query parameter off a database URL.

    Returns the URL to connect with and the schema name (``schema`` argument
    first, then the URL's, then ``public``).
    """
    m = re.search(r"([?&])schema=([^&]*)", url)
    if m:
        url_schema = m.group(2)
        url = (url[: m.start()] + url[m.end() :]).replace("?&", "?").rstrip("?&")
        schema = schema or url_schema
    schema = schema or DEFAULT_SCHEMA
    if not _IDENT.match(schema):
        raise ExtractError(
            f"schema name {schema!r}: use lower-case letters, digits and _"
        )
    return url, schema


def _engine(url: str):
    try:
        import sqlalchemy as sa  # lazy: only a database source loads it
    except ImportError:  # pragma: no cover - a declared dependency
        raise ExtractError(
            "reading a database needs SQLAlchemy: pip install sqlalchemy"
        ) from None
    target = url
    if target.startswith("postgresql://"):
        target = "postgresql+psycopg://" + target[len("postgresql://") :]
    try:
        return sa.create_engine(target)
    except Exception as exc:  # bad URL, missing driver
        raise ExtractError(
            f"{mask_url(url)}: cannot open database ({_driver_error(exc, url)})"
        ) from None


def _period_window(
    period: str | int | None,
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if period is None:
        return None
    text = str(period)
    try:
        if re.fullmatch(r"\d{4}", text):
            end = pd.Timestamp(f"{text}-12-31")
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            end = pd.Timestamp(f"{text}-01") + pd.offsets.MonthEnd(0)
        else:
            raise ValueError
    except ValueError:
        raise ExtractError(f"period {text!r}: expected YYYY or YYYY-MM") from None
    return pd.Timestamp(year=end.year - 1, month=1, day=1), end


def _queries(schema: str, window) -> dict[str, tuple[str, dict]]:
    """One SELECT per table, filtered on the window when there is one."""
    q: dict[str, tuple[str, dict]] = {}
    s = schema

    def order(table: Table) -> str:
        keys = [c.name for c in table.columns if c.unique] or table.column_names[:3]
        return ", ".join(keys)

    for name, table in SCHEMA.items():
        q[name] = (f"SELECT * FROM {s}.{name} ORDER BY {order(table)}", {})
    if window is None:
        return q
    params = {"debut": window[0].date(), "fin": window[1].date()}
    people = (
        f"(SELECT id_jeune FROM {s}.evenements WHERE date_evenement BETWEEN :debut AND :fin"
        f" UNION SELECT id_jeune FROM {s}.jeunes"
        f" WHERE date_premier_accueil BETWEEN :debut AND :fin)"
    )
    q["jeunes"] = (
        f"SELECT * FROM {s}.jeunes WHERE id_jeune IN {people} ORDER BY id_jeune",
        params,
    )
    q["evenements"] = (
        f"SELECT * FROM {s}.evenements WHERE date_evenement BETWEEN :debut AND :fin"
        " ORDER BY id_evenement",
        params,
    )
    q["situations"] = (
        f"SELECT * FROM {s}.situations WHERE id_jeune IN {people}"
        " AND date_debut <= :fin AND (date_fin IS NULL OR date_fin >= "
        "CAST(:debut AS date) - 183) ORDER BY id_situation",
        params,
    )
    for name in ("dispositifs", "aides"):
        col = _DATE_COLUMN[name]
        q[name] = (
            f"SELECT * FROM {s}.{name} WHERE {col} BETWEEN :debut AND :fin"
            f" AND id_jeune IN {people} ORDER BY {order(SCHEMA[name])}",
            params,
        )
    q["animations"] = (
        f"SELECT * FROM {s}.animations WHERE date_animation BETWEEN :debut AND :fin"
        " ORDER BY id_animation",
        params,
    )
    q["animations_participations"] = (
        f"SELECT p.* FROM {s}.animations_participations p JOIN {s}.animations a"
        " USING (id_animation) WHERE a.date_animation BETWEEN :debut AND :fin"
        " ORDER BY p.id_animation, p.code_ml",
        params,
    )
    return q


def _named_queries(schema: str, corr) -> dict[str, tuple[str, dict]]:
    """Whole tables under the correspondence's table and column names.

    No period window: its filters name the contract's columns, which these
    tables do not have before renaming. Rows are ordered by the source names
    of the contract's keys, so ``ligne`` is the same rank as without it.
    """
    q: dict[str, tuple[str, dict]] = {}
    for name, table in SCHEMA.items():
        keys = [c.name for c in table.columns if c.unique] or table.column_names[:3]
        order = ", ".join(_quote(corr.source_column(name, k)) for k in keys)
        q[name] = (
            f"SELECT * FROM {schema}.{_quote(corr.table_name(name))} ORDER BY {order}",
            {},
        )
    return q


def _quote(identifier: str) -> str:
    """A double-quoted SQL identifier (source names may hold spaces and accents)."""
    return '"' + identifier.replace('"', '""') + '"'


def load_sql(
    url: str,
    *,
    period: str | int | None = None,
    schema: str | None = None,
    correspondence=None,
):
    """Load and validate the contract tables from a PostgreSQL schema.

    Parameters
    ----------
    url : str
        ``postgresql://user:password@host:port/database``, optionally with
        ``?schema=NAME``.
    period : str or int, optional
        ``2024`` or ``2024-05``: read only the window this period needs
        (see the module docstring).
    schema : str, optional
        Schema holding the tables (default: the URL's ``schema=``, else public).
    correspondence : Correspondence, optional
        The same correspondence as for files: ``fichiers`` names the database
        tables (an extension is dropped), ``colonnes`` and ``valeurs`` apply as
        for files. When it renames tables or columns, whole tables are read
        (no period window).

    Returns
    -------
    Warehouse
    """
    import sqlalchemy as sa  # lazy: only a database source loads it

    url, schema = split_schema(url, schema)
    masked = mask_url(url)
    engine = _engine(url)
    window = _period_window(period)
    corr_renames = correspondence is not None and bool(
        correspondence.files or correspondence.columns
    )
    if corr_renames and window is not None:
        logger.info("correspondence renames tables or columns: whole tables read")
    queries = (
        _named_queries(schema, correspondence)
        if corr_renames
        else _queries(schema, window)
    )

    def db_name(name: str) -> str:
        return name if correspondence is None else correspondence.table_name(name)

    raw: dict[str, RawTable] = {}
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names(schema=schema))
            present = {t for t in SCHEMA if db_name(t) in tables}
            missing = [
                t
                for t, spec in SCHEMA.items()
                if not spec.optional and t not in present
            ]
            if missing:
                raise ExtractError(
                    f"{masked} schema {schema!r}: table(s) missing: {', '.join(missing)}"
                )
            if "animations_participations" in present and "animations" not in present:
                raise ExtractError(
                    f"{masked} schema {schema!r}: animations_participations is present"
                    " without animations"
                )
            for name, (sql, params) in queries.items():
                if name not in present:
                    continue
                frame = pd.read_sql(sa.text(sql), conn, params=params)
                table = RawTable(
                    name,
                    f"{masked} {schema}.{db_name(name)}",
                    frame,
                    pd.RangeIndex(1, len(frame) + 1).to_numpy(),
                )
                if correspondence is not None:
                    correspondence.apply(table)
                _check_sql_columns(table.frame, SCHEMA[name], masked)
                raw[name] = table
                logger.info("read %s.%s: %d rows", schema, name, len(frame))
    except ExtractError:
        raise
    except Exception as exc:  # connection refused, authentication, SQL error
        msg = _driver_error(exc, url)
        raise ExtractError(f"{masked}: cannot read the warehouse ({msg})") from None
    finally:
        engine.dispose()
    meta = _read_sql_metadata(url, schema)
    when = meta.get("date_extraction")
    if when is not None:
        when = parse_contract_date(
            when, where=f"{masked} {schema}.metadonnees: date_extraction"
        )
    return validate(
        raw,
        source=f"{masked} (schema {schema})",
        extraction_date=when,
        synthetic=bool(meta.get("synthetique", False)),
    )


def _check_sql_columns(frame: pd.DataFrame, table: Table, where: str) -> None:
    missing = [
        c.name for c in table.columns if c.required and c.name not in frame.columns
    ]
    if missing:
        raise ExtractError(
            f"{where} table {table.name}: required column(s) missing: {', '.join(missing)}"
        )


def _read_sql_metadata(url: str, schema: str) -> dict:
    """Read the one-row ``metadonnees`` table written by ``write_sql``, if any."""
    import sqlalchemy as sa  # lazy: only a database source loads it

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            if "metadonnees" not in sa.inspect(conn).get_table_names(schema=schema):
                return {}
            row = conn.execute(
                sa.text(
                    f"SELECT date_extraction, synthetique FROM {schema}.metadonnees"
                )
            ).first()
            return (
                {}
                if row is None
                else {"date_extraction": row[0], "synthetique": row[1]}
            )
    except Exception as exc:
        raise ExtractError(
            f"{mask_url(url)} {schema}.metadonnees: cannot be read "
            f"({_driver_error(exc, url)})"
        ) from None
    finally:
        engine.dispose()


def _ddl(table: Table, schema: str) -> str:
    cols = []
    for c in table.columns:
        null = " NOT NULL" if c.required else ""
        cols.append(f"{c.name} {_SQL_TYPES[c.kind]}{null}")
    keys = [c.name for c in table.columns if c.unique]
    if keys:
        cols.append(f"PRIMARY KEY ({', '.join(keys)})")
    for group in table.unique_together:
        cols.append(f"UNIQUE ({', '.join(group)})")
    for c in table.columns:
        if c.references:
            ref_t, ref_c = c.references.split(".")
            cols.append(f"FOREIGN KEY ({c.name}) REFERENCES {schema}.{ref_t} ({ref_c})")
    return f"CREATE TABLE {schema}.{table.name} (\n  " + ",\n  ".join(cols) + "\n)"


def write_sql(
    wh: Warehouse, url: str, *, schema: str | None = None, replace: bool = False
) -> str:
    """Create the contract tables in ``schema`` and load a Warehouse's accepted rows.

    Tables get the contract's column types, NOT NULL on required columns,
    primary keys on identifiers and foreign keys between tables. The schema is
    created if missing; a schema that exists but holds none of the contract's
    tables (``public`` of a new database) is used as it is. Contract tables
    already there are an error unless ``replace``, which drops them (and only
    them) first. All in one transaction. Returns the schema name.
    """
    import sqlalchemy as sa  # lazy: only a database source loads it

    url, schema = split_schema(url, schema)
    masked = mask_url(url)
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            exists = conn.execute(
                sa.text(
                    "SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"
                ),
                {"s": schema},
            ).first()
            ours = [*TABLE_ORDER, "metadonnees"]
            present = (
                set(sa.inspect(conn).get_table_names(schema=schema))
                if exists
                else set()
            )
            held = [t for t in ours if t in present]
            if held and not replace:
                raise ExtractError(
                    f"{masked}: schema {schema!r} already exists with contract "
                    f"table(s) {', '.join(held)} (use --replace to overwrite them)"
                )
            for name in reversed(held):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {schema}.{name} CASCADE"))
            if not exists:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            for name in wh.tables_present:
                conn.execute(sa.text(_ddl(SCHEMA[name], schema)))
                _copy(conn, schema, SCHEMA[name], wh.table(name))
                logger.info("loaded %s.%s: %d rows", schema, name, len(wh.table(name)))
            conn.execute(
                sa.text(
                    f"CREATE TABLE {schema}.metadonnees (date_extraction date, "
                    "synthetique boolean NOT NULL)"
                )
            )
            conn.execute(
                sa.text(f"INSERT INTO {schema}.metadonnees VALUES (:d, :s)"),
                {
                    "d": None
                    if wh.extraction_date is None
                    else wh.extraction_date.date(),
                    "s": bool(wh.synthetic),
                },
            )
    except ExtractError:
        raise
    except Exception as exc:
        msg = _driver_error(exc, url)
        raise ExtractError(f"{masked}: cannot load the warehouse ({msg})") from None
    finally:
        engine.dispose()
    return schema


def _copy(conn, schema: str, table: Table, frame: pd.DataFrame) -> None:
    cols = table.column_names
    out = frame[cols].copy()
    for c in table.columns:
        if c.kind == "date":
            out[c.name] = out[c.name].dt.strftime("%Y-%m-%d")
    buf = io.StringIO()
    out.to_csv(buf, index=False, header=False, na_rep="")
    raw = conn.connection.driver_connection  # the psycopg connection
    with (
        raw.cursor() as cur,
        cur.copy(
            f"COPY {schema}.{table.name} ({', '.join(cols)}) FROM STDIN "
            "WITH (FORMAT csv, NULL '')"
        ) as copy,
    ):
        copy.write(buf.getvalue())
