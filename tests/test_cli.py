"""The command line: exit statuses, one-line errors, signals, the output guard."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from observatoire import _io
from observatoire.cli import main
from observatoire.exceptions import OutputError

FIXTURE = Path(__file__).parent / "fixtures" / "entrepot_mini"


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        # Ctrl-C as in a terminal, even when the suite runs in the background
        # (where a shell starts jobs with SIGINT ignored)
        [sys.executable, "-c", "import signal, sys; "
         "signal.signal(signal.SIGINT, signal.default_int_handler); "
         "from observatoire.cli import main; sys.exit(main())", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
)
def test_signal_during_generate_leaves_the_old_extract_and_exits(sig, status, tmp_path):
    out = tmp_path / "entrepot"
    shutil.copytree(FIXTURE, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = _cli("generate", "--out", str(out), "--scale", "0.3")
    # wait for the staging folder beside the extract (imports done, the new
    # extract under way) rather than a fixed delay, which a quiet machine
    # outruns and a busy one does not reach
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".entrepot.*.tmp")) and time.monotonic() < deadline:
        assert proc.poll() is None, "generate ended before its staging folder was seen"
        time.sleep(0.01)
    time.sleep(0.1)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == status, err
    assert "Traceback" not in err
    assert err.strip().endswith(
        "interrupted" if status == 130 else "terminated (SIGTERM)"
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["entrepot"]  # nothing left beside


def test_ctrl_c_while_modules_load_is_an_interruption(tmp_path):
    proc = _cli("validate", str(FIXTURE))
    time.sleep(0.3)  # pandas is still being imported
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    # 0 if it had already finished; killed by the signal if Python itself was
    # still starting (before any of our code ran)
    assert proc.returncode in (0, 130, -signal.SIGINT)


def test_full_disk_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "r.csv"))

    monkeypatch.setattr("pandas.DataFrame.to_csv", full)
    assert main(["validate", str(FIXTURE), "--rejects", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("observatoire validate: error: No space left on device")
    assert not list(tmp_path.iterdir())  # the temporary file is gone too


def test_usage_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["generate", "--out", "x", "--scale", "nan"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--scale" in err[0]


@pytest.mark.parametrize(
    ("option", "value"), [("--seed", "-5"), ("--scale", "1e-9"), ("--years", "1999")]
)
def test_generate_refuses_absurd_arguments_in_one_line(tmp_path, capsys, option, value):
    out = tmp_path / "x"
    assert main(["generate", "--out", str(out), option, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("observatoire generate: error: ")
    assert not out.exists() and not list(tmp_path.iterdir())  # no staging left


def test_generate_creates_the_missing_parents_of_out(tmp_path, capsys):
    out = tmp_path / "a" / "b" / "sub"
    assert main(["generate", "--out", str(out), "--scale", "0.01"]) == 0
    assert (out / "metadonnees.json").is_file()
    assert (out / "jeunes.parquet").is_file()
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["sub"]


def test_generate_failing_removes_the_parents_it_created(tmp_path, capsys, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "garder.txt").write_text("x", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("observatoire.synthetic._generate._build", full)
    out = tmp_path / "a" / "b" / "c" / "sub"
    assert main(["generate", "--out", str(out), "--scale", "0.01"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["observatoire generate: error: No space left on device"]
    # b and c were made for this run and are gone; a was there and stays
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["garder.txt"]


def test_output_guard(tmp_path):
    extract = tmp_path / "extrait"
    shutil.copytree(FIXTURE, extract)
    (tmp_path / "fichier").write_text("x", encoding="utf-8")
    cases = {
        extract / "jeunes.csv": "inside the extract",
        extract / "sous" / "nouveau.csv": "inside the extract",
        tmp_path: "is a folder",
        tmp_path / "fichier" / "x.csv": "is a file, not a folder",
    }
    for target, message in cases.items():
        with pytest.raises(OutputError, match=message):
            _io.check_output(target, reads=[extract])
    # a symbolic link onto an input is the input
    link = tmp_path / "lien.csv"
    link.symlink_to(extract / "jeunes.csv")
    with pytest.raises(OutputError, match="is an input"):
        _io.check_output(link, reads=[extract / "jeunes.csv"])
    assert (
        _io.check_output(tmp_path / "neuf" / "x.csv", reads=[extract]).name == "x.csv"
    )
    assert _io.check_output(tmp_path / "x.csv", reads=["postgresql://u@h/db"])


def test_indicators_exit_1_with_rejects_and_mark_a_partial_period(tmp_path, capsys):
    extract = tmp_path / "extrait"
    shutil.copytree(FIXTURE, extract)
    aides = extract / "aides.csv"
    aides.write_text(
        aides.read_text(encoding="utf-8").replace(";900;", ";-5;"), "utf-8"
    )
    out = tmp_path / "ind.csv"
    # the fixture's contacts end on 2023-12-12: 2023 is partial, 2023-05 complete
    assert main(["indicators", "--data", str(extract), "--period", "2023",
                 "--monthly", "--out", str(out)]) == 1  # fmt: skip
    import pandas as pd

    table = pd.read_csv(out, dtype=str)
    cover = table.drop_duplicates("periode").set_index("periode")["couverture_periode"]
    assert cover["2023-05"] == "complete"
    assert cover["2023-12"] == "partielle"
    assert "rejected rows left out" in capsys.readouterr().err
    assert main(["indicators", "--data", str(extract), "--period", "2023",
                 "--out", str(out)]) == 1  # fmt: skip
    table = pd.read_csv(out, dtype=str)
    assert set(table["couverture_periode"]) == {"partielle"}
    assert "only partly covered" in capsys.readouterr().err
