"""Property-based tests of the CSV and Parquet readers (Hypothesis).

Whatever the bytes of a table (random values with separators, quotes, line
breaks and invisible characters; UTF-8 or another encoding; either separator; ``\\n``, ``\\r\\n`` or ``\\r``
line endings; a BOM; a stray quote, random bytes or a cut anywhere), loading
either refuses the file with one bounded line (an ``ExtractError``), or reads
it with rows read = accepted + rejected **and** rows read = the file's own
record count: nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatoire import data
from observatoire.data import SCHEMA
from observatoire.exceptions import ExtractError

pytestmark = pytest.mark.filterwarnings("ignore")

#: a fixed, fast sample in CI; OBSERVATOIRE_HYPOTHESIS_EXAMPLES=2000 explores more
_EXAMPLES = int(os.environ.get("OBSERVATOIRE_HYPOTHESIS_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=_EXAMPLES,
    deadline=15000,  # generous: the machine is shared
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=_EXAMPLES <= 60,
)
COLUMNS = SCHEMA["missions_locales"].column_names
#: characters that break naive readers
NASTY = st.sampled_from(
    [";", ",", '"', "\n", "\r", "\r\n", " ", "\t", "\u200b", "\x1b", "é", "=", "'"]
)
VALUE = st.one_of(
    st.sampled_from(["MLA", "33", "12", "4,5", "1e309", "inf", "", "NA", "-1"]),
    st.lists(st.one_of(NASTY, st.characters(codec="utf-8")), max_size=8).map("".join),
)


def _extract(folder: Path) -> Path:
    """The other required tables, header only (their rows do not matter here)."""
    for name in ("jeunes", "evenements", "situations"):
        header = ";".join(SCHEMA[name].column_names)
        (folder / f"{name}.csv").write_text(header + "\n", encoding="utf-8")
    return folder


def _one_line(exc: ExtractError) -> None:
    message = str(exc)
    assert "\n" not in message and "\r" not in message
    assert len(message) < 600
    assert message.isprintable()


def _record_count(raw: bytes, sep: str) -> int:
    """Records of a CSV file, counted straight from its bytes (blank lines skipped)."""
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=sep, strict=True)
    next(reader)  # the header
    return sum(1 for record in reader if record != [])


def _check(folder: Path, table: str, expected_rows) -> str:
    try:
        wh = data.load(folder)
    except ExtractError as exc:
        _one_line(exc)
        return "refused"
    rec = wh.reconciliation.set_index("table")
    assert (
        rec["lignes_lues"] == rec["lignes_acceptees"] + rec["lignes_rejetees"]
    ).all()
    read = int(rec.loc[table, "lignes_lues"])
    assert read == expected_rows()
    # each rejected row is counted once, however many rules it broke
    rejected = wh.rejects.query("table == @table")["ligne"].nunique()
    assert rejected == rec.loc[table, "lignes_rejetees"]
    return "read"


def _line(values, sep: str) -> str:
    """One record as RFC 4180 writes it: quoted when it holds a separator,
    a quote or any line break (``\r`` alone included), quotes doubled."""

    def field(v: str) -> str:
        if any(c in v for c in (sep, '"', "\r", "\n")):
            return '"' + v.replace('"', '""') + '"'
        return v

    return sep.join(field(v) for v in values)


@st.composite
def csv_files(draw):
    rows = draw(st.lists(st.lists(VALUE, min_size=5, max_size=5), max_size=12))
    sep = draw(st.sampled_from([";", ","]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = "".join(_line(r, sep) + ending for r in [COLUMNS, *rows])
    # other encodings are refused, unless their bytes happen to be UTF-8 too
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "latin-1", "cp1252", "utf-16"]))
    raw = text.encode(encoding, errors="replace")
    if encoding == "utf-8" and draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    damage = draw(st.sampled_from(["none", "cut", "quote", "bytes"]))
    if damage != "none" and raw:
        at = draw(st.integers(0, len(raw)))
        if damage == "cut":
            raw = raw[:at]
        elif damage == "quote":
            raw = raw[:at] + b'"' + raw[at:]
        else:
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=6)) + raw[at:]
    return raw, sep, len(rows), damage


@SETTINGS
@given(csv_files())
def test_csv_reader_refuses_in_one_line_or_counts_every_record(case):
    raw, sep, n_rows, damage = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = _extract(Path(tmp))
        (folder / "missions_locales.csv").write_bytes(raw)

        def expected():
            if damage == "none":
                return n_rows
            # the file as damaged: its records, counted independently
            header_sep = raw.decode("utf-8-sig").splitlines()[0]
            real_sep = ";" if header_sep.count(";") >= header_sep.count(",") else ","
            return _record_count(raw, real_sep)

        outcome = _check(folder, "missions_locales", expected)
        if damage == "none" and outcome == "refused":
            # an intact file is refused only when a value spans lines that look
            # like records (the stray-quote guard), holds a NUL character, is not
            # UTF-8, or a column holds no valid value at all ("wrong type")
            with pytest.raises(
                ExtractError, match="swallows lines|NUL byte|holds no valid|UTF-8"
            ):
                data.load(folder)


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**62), 2**62).map(float),
    st.none(),
)


@st.composite
def parquet_files(draw):
    n = draw(st.integers(0, 8))
    col = {
        "code_ml": draw(st.lists(st.one_of(VALUE, st.none()), min_size=n, max_size=n)),
        "nom_ml": draw(st.lists(VALUE, min_size=n, max_size=n)),
        "departement": draw(
            st.lists(st.sampled_from(["33", "99", "", "23"]), min_size=n, max_size=n)
        ),
    }
    lieux = draw(st.lists(NUMBERS, min_size=n, max_size=n))
    etp = draw(st.lists(NUMBERS, min_size=n, max_size=n))
    kind = draw(st.sampled_from(["float", "text", "int"]))
    if kind == "text":
        col["nb_lieux_accueil"] = pa.array(
            [None if v is None else str(v) for v in lieux]
        )
    elif kind == "int":
        col["nb_lieux_accueil"] = pa.array(
            [None if v is None or v != v or abs(v) > 2**62 else int(v) for v in lieux],
            pa.int64(),
        )
    else:
        col["nb_lieux_accueil"] = pa.array(lieux, pa.float64())
    col["etp"] = pa.array(etp, pa.float64())
    if draw(st.booleans()):  # an extra timestamp column of any date
        col["mise_a_jour"] = pa.array(
            draw(st.lists(st.datetimes(), min_size=n, max_size=n)), pa.timestamp("us")
        )
    buf = io.BytesIO()
    pq.write_table(pa.table(col), buf)
    raw = buf.getvalue()
    cut = draw(st.one_of(st.none(), st.integers(0, len(raw))))
    return (raw if cut is None else raw[:cut]), n


@SETTINGS
@given(parquet_files())
def test_parquet_reader_refuses_in_one_line_or_counts_every_row(case):
    raw, n_rows = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = _extract(Path(tmp))
        path = folder / "missions_locales.parquet"
        path.write_bytes(raw)
        _check(folder, "missions_locales", lambda: pq.read_metadata(path).num_rows)


@SETTINGS
@given(
    st.datetimes(), st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d"])
)
def test_a_date_is_read_by_the_contract_or_rejected(when, fmt):
    import pandas as pd

    from observatoire.data._dates import parse_dates

    text = when.strftime(fmt)
    out, bad = parse_dates(pd.Series([text]))
    if fmt in ("%Y-%m-%d", "%d/%m/%Y") and 1678 <= when.year <= 2261:
        assert not bad[0] and out.iloc[0] == pd.Timestamp(when.date())
    elif fmt in ("%m/%d/%Y",) and when.day <= 12 and when.day != when.month:
        # month first reads as another day: never the one meant
        assert bad[0] or out.iloc[0] != pd.Timestamp(when.date())
    else:
        assert bad[0] or out.iloc[0] == pd.Timestamp(when.date())
