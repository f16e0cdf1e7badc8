"""Shared fixtures: paths, the reference material of ../shared, a private PostgreSQL."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from _helpers import unavailable

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def synthetic_extract(tmp_path_factory) -> Path:
    """A small synthetic warehouse (scale 0.03, 2022-2024) for end-to-end tests.

    Read-only: a test that alters it works on a copy.
    """
    from observatoire import synthetic

    out = tmp_path_factory.mktemp("synthetique") / "entrepot"
    synthetic.generate(out, scale=0.03)
    return out


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (TraMineR references); tests skip when a clone has none."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"reference material not found at {SHARED} (only CI has ../shared)")
    return SHARED


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _no_server(reason: str):
    unavailable(
        "PostgreSQL",
        f"no local PostgreSQL server: {reason} (apt-get install postgresql)",
    )


@pytest.fixture(scope="session")
def browser():
    """The headless browser tools (Chromium, Node, axe-core), or a skip (CI: fail)."""
    from observatoire.reports import _browser

    reason = _browser.missing_tools()
    if reason is not None:
        unavailable("browser", reason)
    return _browser.find_tools()


@pytest.fixture(scope="session")
def pg_url():
    """URL of a throw-away PostgreSQL server on 127.0.0.1, or of OBSERVATOIRE_TEST_PG_URL."""
    if os.environ.get("OBSERVATOIRE_TEST_PG_URL"):
        yield os.environ["OBSERVATOIRE_TEST_PG_URL"]
        return
    bindir = _pg_bin()
    if bindir is None:
        _no_server("initdb not found")
    base = Path(tempfile.mkdtemp(prefix="observatoire-pg-"))
    base.chmod(0o755)
    datadir, sockdir = base / "data", base / "sock"
    sockdir.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(base, "postgres")
        shutil.chown(sockdir, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(datadir), "-A", "trust",
             "-U", "observatoire", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, env=env, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-w", "-t", "60",
             "-l", str(base / "server.log"), "-o",
             f"-c listen_addresses=127.0.0.1 -p {port} -k {sockdir} -c fsync=off"
             " -c full_page_writes=off -c synchronous_commit=off", "start"],
            check=True, capture_output=True, env=env, timeout=120,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        _no_server(
            f"server did not start ({exc}; {detail.decode(errors='replace')[-300:]})"
        )
    # trust authentication ignores the password: it is there to test masking
    yield f"postgresql://observatoire:motdepasse-secret@127.0.0.1:{port}/postgres"
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "stop"],
        capture_output=True, timeout=60,
    )  # fmt: skip
    time.sleep(0.2)
    shutil.rmtree(base, ignore_errors=True)
