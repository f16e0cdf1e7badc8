"""The PostgreSQL source: same validation, rejects and reconciliation as files."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from observatoire import data
from observatoire.cli import main
from observatoire.exceptions import ExtractError

pytestmark = pytest.mark.postgres

FIXTURE = Path(__file__).parent / "fixtures" / "entrepot_mini"


def _engine(url):
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def test_round_trip_through_postgres_is_identical(pg_url):
    files = data.load(FIXTURE)
    data.write_sql(files, pg_url, schema="rt", replace=True)
    db = data.load(pg_url, schema="rt")
    assert db.n_rejected == 0
    assert db.tables_present == files.tables_present
    for name in files.tables_present:
        # a table has no row order: compare sorted on every column
        cols = list(files.table(name).columns)
        pd.testing.assert_frame_equal(
            db.table(name).sort_values(cols, ignore_index=True),
            files.table(name).sort_values(cols, ignore_index=True),
            check_dtype=False,
            obj=name,
        )
    assert db.extraction_date == files.extraction_date
    assert "motdepasse-secret" not in db.source and "***" in db.source


def test_schema_in_url_and_tables_have_contract_keys(pg_url):
    data.write_sql(data.load(FIXTURE), pg_url + "?schema=cles", replace=True)
    with _engine(pg_url).connect() as conn:
        insp = sa.inspect(conn)
        assert insp.get_pk_constraint("jeunes", schema="cles")[
            "constrained_columns"
        ] == ["id_jeune"]
        fks = {
            fk["referred_table"]
            for fk in insp.get_foreign_keys("evenements", schema="cles")
        }
        assert fks == {"jeunes", "missions_locales"}
        cols = {c["name"]: c for c in insp.get_columns("jeunes", schema="cles")}
        assert str(cols["date_naissance"]["type"]) == "DATE"
        assert cols["date_naissance"]["nullable"] is False
        assert cols["commune_residence"]["nullable"] is True
    assert len(data.load(pg_url + "?schema=cles").jeunes) == 12


def test_database_rows_breaking_rules_are_rejected_like_file_rows(pg_url):
    data.write_sql(data.load(FIXTURE), pg_url, schema="sale", replace=True)
    with _engine(pg_url).begin() as conn:
        # the warehouse has no CHECK constraints: bad values reach us
        conn.execute(
            sa.text("UPDATE sale.aides SET montant_eur = -5 WHERE id_aide = 'A03'")
        )
        conn.execute(
            sa.text("UPDATE sale.jeunes SET sexe = 'X' WHERE id_jeune = 'J12'")
        )
    wh = data.load(pg_url, schema="sale")
    rec = wh.reconciliation.set_index("table")
    assert rec.loc["aides", "lignes_rejetees"] == 1
    # J12 rejected: its one contact and its one situation go as orphans
    assert rec.loc["jeunes", "lignes_rejetees"] == 1
    assert rec.loc["evenements", "lignes_rejetees"] == 1
    assert rec.loc["situations", "lignes_rejetees"] == 1
    rule = wh.rejects.query("table == 'aides'")[["colonne", "regle", "ligne"]]
    # A03 is the 3rd aid by id
    assert rule.values.tolist() == [["montant_eur", "minimum", 3]]


def test_period_is_pushed_down(pg_url):
    data.write_sql(data.load(FIXTURE), pg_url, schema="periode", replace=True)
    full = data.load(pg_url, schema="periode")
    month = data.load(pg_url, schema="periode", period="2023-02")
    # window 2022-01-01 .. 2023-02-28: contacts E01 E02 E04 E07 E08 E12 E13 E14
    assert sorted(month.evenements["id_evenement"]) == [
        "E01", "E02", "E04", "E07", "E08", "E12", "E13", "E14",
    ]  # fmt: skip
    assert month.n_rejected == 0
    assert len(month.jeunes) < len(full.jeunes)
    assert set(month.situations["id_jeune"]) <= set(month.jeunes["id_jeune"])
    with pytest.raises(ExtractError, match="expected YYYY or YYYY-MM"):
        data.load(pg_url, schema="periode", period="mai 2023")


def test_load_sql_command_masks_the_password(pg_url, tmp_path, capsys, caplog):
    extract = tmp_path / "x"
    shutil.copytree(FIXTURE, extract)
    caplog.set_level(logging.DEBUG)
    assert main(["load-sql", "--data", str(extract), "--url", pg_url, "--schema", "cli",
                 "--replace"]) == 0  # fmt: skip
    assert main(["validate", pg_url, "--schema", "cli"]) == 0
    # a second load without --replace is a clear error, not a traceback
    assert (
        main(["load-sql", "--data", str(extract), "--url", pg_url, "--schema", "cli"])
        == 2
    )
    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text
    assert "already exists" in captured.err
    assert "motdepasse-secret" not in everything


def test_missing_table_and_unreachable_server_are_clear_errors(pg_url):
    data.write_sql(data.load(FIXTURE), pg_url, schema="troue", replace=True)
    with _engine(pg_url).begin() as conn:
        conn.execute(sa.text("DROP TABLE troue.situations CASCADE"))
    with pytest.raises(ExtractError, match="table\\(s\\) missing: situations"):
        data.load(pg_url, schema="troue")
    bad = "postgresql://observatoire:autre-secret@127.0.0.1:1/postgres"
    with pytest.raises(ExtractError, match="cannot read the warehouse") as err:
        data.load(bad)
    assert "autre-secret" not in str(err.value)


def test_readme_command_on_a_brand_new_database(pg_url, tmp_path, capsys):
    # exactly the README's command, on a database just created: its empty
    # schema public is used as it is, no --replace needed
    base = pg_url.rsplit("/", 1)[0]
    with (
        _engine(pg_url)
        .connect()
        .execution_options(isolation_level="AUTOCOMMIT") as conn
    ):
        conn.execute(sa.text("DROP DATABASE IF EXISTS neuve"))
        conn.execute(sa.text("CREATE DATABASE neuve"))
    url = f"{base}/neuve"
    extract = tmp_path / "x"
    shutil.copytree(FIXTURE, extract)
    assert main(["load-sql", "--data", str(extract), "--url", url]) == 0
    assert main(["validate", url]) == 0
    # a second load meets the contract tables: --replace, and only them
    with _engine(url).begin() as conn:
        conn.execute(sa.text("CREATE TABLE public.autre (x int)"))
    assert main(["load-sql", "--data", str(extract), "--url", url]) == 2
    assert "use --replace" in capsys.readouterr().err
    assert main(["load-sql", "--data", str(extract), "--url", url, "--replace"]) == 0
    with _engine(url).connect() as conn:
        assert "autre" in sa.inspect(conn).get_table_names(schema="public")
    assert len(data.load(url).jeunes) == 12


def test_password_with_at_sign_or_in_the_query_never_shows(pg_url, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    host = pg_url.rsplit("@", 1)[1]
    for url in (
        f"postgresql://observatoire:ss-S3cret@x@{host}",
        f"postgresql://observatoire@{host}?password=qs-S3cret",
        "postgresql://observatoire:ss-S3cret@x@127.0.0.1:1/postgres",
    ):
        assert main(["validate", url, "--schema", "nulle_part"]) == 2
    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text
    assert "S3cret" not in everything
    assert "***" in captured.err
