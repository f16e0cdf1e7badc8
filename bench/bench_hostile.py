"""Time and peak memory of the worst hostile inputs, each in its own process.

Usage::

    python bench/bench_hostile.py [--scale 1.0] [--keep DIR]

Each case runs one ``observatoire`` command in a fresh Python process and
prints its exit status, wall time, peak resident memory (``VmHWM``) and
the length of its error line. The large cases:

- ``nul_150mb``: a 150 MB table of NUL bytes (was a 157 MB error line, 2.2 GB);
- ``header_150mb``: a 150 MB table without a line break;
- ``yaml_alias_bomb``: a 289-byte YAML alias bomb in a parameter file (was a
  312 MB message, 1.3 GB);
- ``stray_quote``: one unclosed quote on line 2 of the contacts of a
  ``--scale`` CSV extract (was read as 9 rows, exit 0);
- ``stray_quote_closed``: the same quote closed 50,000 lines further down;
- ``huge_field``: a legitimate 100 MB quoted text value;
- ``json_nesting``: ``metadonnees.json`` nested 500,000 deep;
- ``clean``: the same extract untouched, for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: peak memory from VmHWM (ru_maxrss would carry the parent's peak over exec)
CHILD = (
    "import sys\n"
    "from observatoire.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')]\n"
    "print(f'BENCH {code} {hwm[0].split()[1]}', file=sys.stderr)\n"
)


def _run(args: list[str]) -> dict:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "-q", *args],
        capture_output=True,
        text=True,
        errors="replace",
    )
    wall = time.perf_counter() - t
    lines = proc.stderr.strip().splitlines()
    bench = [ln for ln in lines if ln.startswith("BENCH ")]
    code, rss = bench[-1].split()[1:] if bench else (proc.returncode, 0)
    errors = [ln for ln in lines if ": error: " in ln]
    return {
        "exit": int(code),
        "wall_s": round(wall, 2),
        "peak_mb": round(int(rss) / 1024),
        "error_chars": max((len(e) for e in errors), default=0),
        "traceback": "Traceback" in proc.stderr,
        "message": (errors[-1][:110] if errors else ""),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--keep", type=Path, help="keep the work folder here")
    ap.add_argument("--only", nargs="+", help="only these cases")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    base = work / "base"
    if not (base / "metadonnees.json").exists():
        subprocess.run(
            [sys.executable, "-m", "observatoire.cli", "-q", "generate", "--out",
             str(base), "--scale", str(args.scale), "--format", "csv"],
            check=True,
        )  # fmt: skip

    def variant(name: str) -> Path:
        out = work / name
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(base, out)
        (out / "metadonnees.json").unlink()  # the tables are edited on purpose
        return out

    cases: dict[str, list[str]] = {"clean": ["validate", str(base)]}
    x = variant("nul_150mb")
    with open(x / "jeunes.csv", "wb") as f:
        for _ in range(150):
            f.write(b"\x00" * (1 << 20))
    cases["nul_150mb"] = ["validate", str(x)]
    x = variant("header_150mb")
    with open(x / "jeunes.csv", "wb") as f:
        for _ in range(150):
            f.write(b"a" * (1 << 20))
    cases["header_150mb"] = ["validate", str(x)]
    params = work / "bombe.yaml"
    params.write_text(
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "title: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
        encoding="utf-8",
    )
    cases["yaml_alias_bomb"] = ["batch", "--params", str(params)]
    for name, close in (("stray_quote", None), ("stray_quote_closed", 50_000)):
        x = variant(name)
        path = x / "evenements.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[1] = lines[1].replace(";", ';"', 1)
        if close is not None:
            lines[close] = lines[close] + '"'
        path.write_text("\n".join(lines), encoding="utf-8")
        cases[name] = ["validate", str(x)]
    x = variant("huge_field")
    path = x / "animations.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    plain = next(i for i, ln in enumerate(lines) if i and '"' not in ln)
    fields = lines[plain].split(";")
    fields[4] = '"' + ("mot " * 25_000_000) + '"'  # intitule: 100 MB of text
    lines[plain] = ";".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    cases["huge_field"] = ["validate", str(x)]
    x = variant("json_nesting")
    (x / "metadonnees.json").write_text("[" * 500_000 + "]" * 500_000, encoding="utf-8")
    cases["json_nesting"] = ["validate", str(x)]

    print(f"load average: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores")
    print(
        f"{'case':<20}{'exit':>5}{'wall s':>9}{'peak MB':>9}{'err chars':>10}  message"
    )
    results = {}
    for name, argv in cases.items():
        if args.only and name not in args.only:
            continue
        r = _run(argv)
        results[name] = r
        print(
            f"{name:<20}{r['exit']:>5}{r['wall_s']:>9}{r['peak_mb']:>9}"
            f"{r['error_chars']:>10}  {'TRACEBACK ' if r['traceback'] else ''}"
            f"{r['message']}"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    (work / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
