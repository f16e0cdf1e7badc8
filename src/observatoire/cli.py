"""Command line: ``observatoire <command>``.

Each command is one ``_add_<command>`` function (its arguments) and one
``_run_<command>`` function (what it does). An :class:`ObservatoireError` becomes
one line on stderr and its exit status; so does a file the system cannot read
or write (``OSError``: a full disk, a permission): exit 2. Ctrl-C exits 130 and
SIGTERM 143, after the same clean-up (no partial file is left: every output is
written under a temporary name, then renamed). Any other exception is a bug and
keeps its traceback.

Every path a command writes goes through :func:`observatoire._io.check_output`
first: never inside the extract it reads, never onto one of its inputs. This
module imports nothing heavy at the top, so that Ctrl-C during the first
second (while pandas loads) is an interruption, not a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._io import check_output, excerpt, printable
from .exceptions import (
    ExtractError,
    Interrupted,
    ObservatoireError,
    OutputError,
    ParamsError,
)

if TYPE_CHECKING:
    from .data import Warehouse

logger = logging.getLogger("observatoire")

Runner = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error (exit 2), like every other error."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# --------------------------------------------------------------------- generate
def _add_generate(sub: argparse._SubParsersAction) -> Runner:
    p = sub.add_parser(
        "generate",
        help="write a seeded synthetic warehouse in the shape of the data contract",
    )
    p.add_argument("--out", required=True, type=Path, help="target directory")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.add_argument(
        "--years",
        default="2022-2024",
        help="first-last year of activity, e.g. 2022-2024 (default)",
    )
    p.add_argument(
        "--scale",
        type=_scale,
        default=1.0,
        help="1.0 = the Nouvelle-Aquitaine network; 12 = about the national one",
    )
    p.add_argument(
        "--format", dest="fmt", choices=["parquet", "csv"], default="parquet"
    )
    return _run_generate


def _scale(text: str) -> float:
    """``--scale``: a finite number in (0, 100] (argparse turns errors into exit 2)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{excerpt(text)} is not a number") from None
    if not 0 < value <= 100:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"{excerpt(text)}: expected a number above 0 and at most 100"
        )
    return value


def _parse_years(text: str) -> tuple[int, int]:
    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
        else:
            a = b = int(text)
    except ValueError:
        raise ParamsError(
            f"--years {excerpt(text)}: expected YEAR or FIRST-LAST, e.g. 2022-2024"
        ) from None
    if a > b:
        raise ParamsError(f"--years {excerpt(text)}: first year after last year")
    if not 2000 <= a <= b <= 2100:
        raise ParamsError(f"--years {excerpt(text)}: years between 2000 and 2100")
    return a, b


def _run_generate(args: argparse.Namespace) -> int:
    first, last = _parse_years(args.years)
    check_output(args.out, directory=True)
    from . import synthetic  # lazy: see the module docstring

    out = synthetic.generate(
        args.out, seed=args.seed, years=(first, last), scale=args.scale, fmt=args.fmt
    )
    logger.info("synthetic warehouse written to %s", out)
    return 0


def _add_correspondences_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--correspondances",
        type=Path,
        metavar="FILE",
        help="correspondence file mapping the extract's names and codes onto the "
        "contract (default: correspondances.yaml in the extract's folder)",
    )


# --------------------------------------------------------------------- validate
def _add_validate(sub: argparse._SubParsersAction) -> Runner:
    p = sub.add_parser(
        "validate",
        help="check an extract against the data contract; exit 0 clean, 1 rejects, 2 unreadable",
    )
    p.add_argument("data", help="extract directory (or database URL)")
    p.add_argument("--schema", default=None, help="database schema (URL sources)")
    p.add_argument("--rejects", type=Path, help="write the rejected rows to this CSV")
    _add_correspondences_option(p)
    return _run_validate


def _run_validate(args: argparse.Namespace) -> int:
    if args.rejects is not None:
        check_output(args.rejects, option="--rejects", reads=[args.data])
    from . import data  # lazy: see the module docstring

    wh = data.load(args.data, schema=args.schema, correspondances=args.correspondances)
    print(data.format_reconciliation(wh))
    if len(wh.hors_champ):
        print()
        print("rows set aside as out of scope (hors_champ) by the correspondence:")
        aside = wh.hors_champ.groupby(["table", "colonne", "valeur"]).size()
        for (table, col, value), n in aside.sort_values(
            ascending=False, kind="stable"
        ).items():
            print(f"  {table}.{col} {excerpt(value)} x{n:,}")
    unmapped = data.unmapped_summary(wh.rejects)
    if len(unmapped):
        print()
        print(
            f"{len(unmapped)} values not in the correspondence (rule "
            "valeur_non_reconnue), most frequent first:"
        )
        for row in unmapped.itertuples(index=False):
            print(f"  {row.table}.{row.colonne} {excerpt(row.valeur)} x{row.lignes:,}")
    if args.rejects is not None:
        data.write_rejects(wh, args.rejects)
        logger.info("rejects written to %s", args.rejects)
    return 1 if wh.n_rejected else 0


# ---------------------------------------------------------------------- summary
def _add_summary(sub: argparse._SubParsersAction) -> Runner:
    p = sub.add_parser("summary", help="print a short summary of an extract")
    p.add_argument("data", help="extract directory (or database URL)")
    _add_correspondences_option(p)
    return _run_summary


def _run_summary(args: argparse.Namespace) -> int:
    from . import data  # lazy: see the module docstring

    wh = data.load(args.data, correspondances=args.correspondances)
    print(data.format_reconciliation(wh))
    print()
    print(_activity(wh))
    return 1 if wh.n_rejected else 0


def _activity(wh: Warehouse) -> str:
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
        # lazy, as above; the definition of « accompagné » in force
        from .indicators import accompanied_mask

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


# --------------------------------------------------------------------- load-sql
def _add_load_sql(sub: argparse._SubParsersAction) -> Runner:
    p = sub.add_parser(
        "load-sql",
        help="load a file extract into a PostgreSQL schema (tables with contract keys)",
    )
    p.add_argument("--data", required=True, help="extract directory")
    p.add_argument(
        "--url", required=True, help="postgresql://user:password@host:port/db"
    )
    p.add_argument("--schema", default=None, help="target schema (default: public)")
    p.add_argument(
        "--replace", action="store_true", help="drop the schema if it exists"
    )
    _add_correspondences_option(p)
    return _run_load_sql


def _run_load_sql(args: argparse.Namespace) -> int:
    from . import data  # lazy: see the module docstring

    wh = data.load(args.data, correspondances=args.correspondances)
    schema = data.write_sql(wh, args.url, schema=args.schema, replace=args.replace)
    print(data.format_reconciliation(wh))
    logger.info("loaded into %s schema %s", data.mask_url(args.url), schema)
    if wh.n_rejected:
        logger.warning("%d rejected rows were not loaded", wh.n_rejected)
    return 1 if wh.n_rejected else 0


# ------------------------------------------------------------------------ batch
def _add_batch(sub: argparse._SubParsersAction) -> Runner:
    from .reports import KINDS  # the registry alone: no pandas, no Papermill

    p = sub.add_parser(
        "batch",
        help="execute every report notebook of a run to HTML, with an index and a manifest",
    )
    p.add_argument(
        "--params",
        required=True,
        type=Path,
        help="run parameters, e.g. params/defaut.yaml",
    )
    p.add_argument(
        "--jobs", type=int, help="notebooks at a time (default: params, else the cores)"
    )
    p.add_argument(
        "--only",
        nargs="+",
        metavar="CODE",
        help=f"only these ML codes, or report kinds: {', '.join(KINDS)}",
    )
    p.add_argument(
        "--resume", action="store_true", help="run only the reports missing or failed"
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        default=None,
        help="also print each report to <run>/pdf/ (headless Chromium; as pdf: true)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="run every report, even those whose inputs have not changed",
    )
    p.add_argument(
        "--notebooks",
        type=Path,
        metavar="DIR",
        help="folder of the report notebooks (default: the project's notebooks/)",
    )
    return _run_batch


def _run_batch(args: argparse.Namespace) -> int:
    from . import reports  # lazy: see the module docstring

    params = reports.load_params(args.params, jobs=args.jobs, pdf=args.pdf)
    # the run folder: never inside the extract, never over the parameter file
    check_output(
        params.run_dir, option="run folder", reads=[params.data, args.params],
        directory=True,
    )  # fmt: skip
    result = reports.run_batch(
        params,
        only=args.only,
        resume=args.resume,
        force=args.force,
        notebooks_dir=args.notebooks,
        progress=not args.quiet,
    )
    print(result.summary())
    return result.exit_code


# ------------------------------------------------------------------- indicators
def _add_indicators(sub: argparse._SubParsersAction) -> Runner:
    p = sub.add_parser(
        "indicators",
        help="contract indicators per ML, department and region to CSV or XLSX",
    )
    p.add_argument("--data", required=True, help="extract directory (or database URL)")
    p.add_argument("--period", required=True, help="a year (2023) or a month (2023-05)")
    p.add_argument(
        "--monthly",
        action="store_true",
        help="with a year: 12 month and 12 year-to-date rows",
    )
    p.add_argument("--out", required=True, type=Path, help="FILE.csv or FILE.xlsx")
    p.add_argument(
        "--raw",
        action="store_true",
        help="exact figures, no disclosure control: internal analysis only, not for circulation",
    )
    p.add_argument(
        "--threshold",
        type=int,
        default=5,
        help="counts 1 to THRESHOLD-1 are masked (default 5)",
    )
    p.add_argument(
        "--accompagnement",
        metavar="TYPES",
        help="event types that make a young person accompanied, comma-separated "
        "(default: the national definition, "
        "entretien_individuel,atelier,information_collective)",
    )
    _add_correspondences_option(p)
    return _run_indicators


def _run_indicators(args: argparse.Namespace) -> int:
    # everything that needs no data is checked before the extract is loaded
    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise ParamsError(f"--out {args.out.name}: expected a .csv or .xlsx file name")
    if not args.raw and args.threshold < 2:
        raise ParamsError(
            f"--threshold {args.threshold}: must be at least 2 (counts from 1 to "
            "THRESHOLD-1 are masked); use --raw for exact figures"
        )
    check_output(args.out, reads=[args.data])
    from . import data, exports, indicators  # lazy: see the module docstring

    period = indicators.parse_period(args.period)
    accompagnement = indicators.check_accompaniment(
        None
        if args.accompagnement is None
        else [t for t in args.accompagnement.split(",") if t.strip()],
        where="--accompagnement",
    )
    wh = data.load(args.data, correspondances=args.correspondances)
    coverage = _period_coverage(wh, period)
    if wh.n_rejected:
        logger.warning("%d rejected rows left out of the indicators", wh.n_rejected)
    table = indicators.compute(
        wh, period.label, monthly=args.monthly, accompagnement=accompagnement
    )
    table = _mark_coverage(table, wh)
    if coverage == "partial":
        logger.warning(
            "%s is only partly covered by the extract (it ends on %s): its rows "
            "say couverture_periode = partielle",
            period.label,
            wh.coverage.end.date(),
        )
    if args.raw:
        logger.warning(
            "--raw: exact figures without disclosure control, not for circulation"
        )
    exports.write_indicators(
        table,
        args.out,
        raw=args.raw,
        threshold=args.threshold,
        source=data.mask_url(args.data),
        extraction_date=wh.extraction_date,
        synthetic=bool(wh.synthetic),
        accompagnement=accompagnement,
    )
    logger.info(
        "indicators %s written to %s (%d rows)", period.label, args.out, len(table)
    )
    return 1 if wh.n_rejected else 0


#: ``Coverage.covers`` in the French of the data files
_COVERAGE_FR = {"complete": "complete", "partial": "partielle", "absent": "absente"}


def _period_coverage(wh: Warehouse, period) -> str:
    """Refuse a period the extract does not cover; return its coverage."""
    cov = wh.coverage
    status = cov.covers(period.year, period.month)
    if status == "absent":
        span = (
            "holds no contact"
            if cov.first is None or cov.end is None
            else f"covers {cov.first.date()} to {cov.end.date()}"
        )
        raise ExtractError(
            f"--period {period.label}: the extract {span}; choose a period inside it"
        )
    return status


def _mark_coverage(table, wh: Warehouse):
    """Add ``couverture_periode`` (complete, partielle, absente) to every row."""
    cov = wh.coverage
    labels = table["periode"].astype(str)
    status = {
        label: _COVERAGE_FR[
            cov.covers(int(label[:4]), int(label[5:7]) if len(label) > 4 else None)
        ]
        for label in labels.unique()
    }
    out = table.copy()
    # last, so that the contract's columns keep their places
    out["couverture_periode"] = labels.map(status).astype("string")
    return out


# -------------------------------------------------------------- correspondances
def _add_correspondances(sub: argparse._SubParsersAction) -> Runner:
    p = sub.add_parser(
        "correspondances",
        help="write a starting correspondence file for an extract in its own "
        "vocabulary (every column, every value of the coded columns)",
    )
    p.add_argument("data", help="extract directory")
    p.add_argument("--out", required=True, type=Path, help="the YAML file to write")
    return _run_correspondances


def _run_correspondances(args: argparse.Namespace) -> int:
    # inside the extract, the draft would be read as its correspondence file
    check_output(args.out, reads=[args.data])
    from . import data  # lazy: see the module docstring

    out = data.write_draft(args.data, args.out)
    logger.info(
        "starting correspondence written to %s: fill in every empty target, "
        "then check with observatoire validate %s --correspondances %s",
        out,
        args.data,
        out,
    )
    return 0


COMMANDS: list[Callable[[argparse._SubParsersAction], Runner]] = [
    _add_generate,
    _add_validate,
    _add_summary,
    _add_load_sql,
    _add_batch,
    _add_indicators,
    _add_correspondances,
]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Runner]]:
    """Build the argument parser and the map of command name to runner."""
    parser = _Parser(
        prog="observatoire",
        description="Evaluation workbench of the youth-training observatory "
        "(Missions Locales, Nouvelle-Aquitaine).",
    )
    # read from the installed metadata, inside main()'s guard (see the docstring)
    from . import __version__

    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="only warnings and errors"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    runners: dict[str, Runner] = {}
    for add in COMMANDS:
        before = set(sub.choices)
        runner = add(sub)
        for name in set(sub.choices) - before:
            runners[name] = runner
    return parser, runners


class _StderrHandler(logging.StreamHandler):
    """Write to whatever ``sys.stderr`` is at the time (tests and notebooks swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("observatoire")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


_MAIN_PID = os.getpid()


def _on_sigterm(signum, frame) -> None:
    if os.getpid() != _MAIN_PID:
        # a forked worker (a process pool being shut down): die as by default
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    # raised where the program is, like Ctrl-C: the same clean-up runs
    raise Interrupted("terminated (SIGTERM)")


def _os_error_line(exc: OSError) -> str:
    what = exc.strerror or type(exc).__name__
    where = f": {exc.filename}" if exc.filename else ""
    return f"{what}{where}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``observatoire`` console script."""
    previous = None
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        try:
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread (e.g. a test runner's worker)
            previous = None
    prog, command = "observatoire", ""
    try:
        parser, runners = build_parser()
        args = parser.parse_args(argv)
        command = f" {args.command}"
        _setup_logging(args.quiet, args.verbose)
        return runners[args.command](args)
    except ObservatoireError as exc:
        # messages quote data through excerpt(); this is the last guard (a list
        # of parameter problems keeps its one line per problem)
        text = "\n".join(printable(line) for line in str(exc).splitlines())
        print(f"{prog}{command}: error: {text}", file=sys.stderr)
        return exc.exit_code
    except Interrupted:
        print(f"{prog}{command}: terminated (SIGTERM)", file=sys.stderr)
        return Interrupted.exit_code
    except KeyboardInterrupt:
        print(f"{prog}{command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        text = printable(_os_error_line(exc), 300)
        print(f"{prog}{command}: error: {text}", file=sys.stderr)
        return OutputError.exit_code
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
