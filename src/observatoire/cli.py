"""Command line: ``observatoire <command>``.

Each command is one ``_add_<command>`` function (its arguments) and one
``_run_<command>`` function (what it does). An :class:`ObservatoireError` becomes
one line on stderr and its exit status; any other exception is a bug and keeps
its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .exceptions import ObservatoireError, ParamsError

logger = logging.getLogger("observatoire")

Runner = Callable[[argparse.Namespace], int]


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
        type=float,
        default=1.0,
        help="1.0 = the Nouvelle-Aquitaine network; 12 = about the national one",
    )
    p.add_argument(
        "--format", dest="fmt", choices=["parquet", "csv"], default="parquet"
    )
    return _run_generate


def _parse_years(text: str) -> tuple[int, int]:
    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
        else:
            a = b = int(text)
    except ValueError:
        raise ParamsError(
            f"--years {text!r}: expected YEAR or FIRST-LAST, e.g. 2022-2024"
        ) from None
    if a > b:
        raise ParamsError(f"--years {text!r}: first year after last year")
    return a, b


def _run_generate(args: argparse.Namespace) -> int:
    from . import synthetic

    first, last = _parse_years(args.years)
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
    from . import data
    from ._io import excerpt
    from .data._correspondances import unmapped_summary

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
    unmapped = unmapped_summary(wh.rejects)
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
    from . import data

    wh = data.load(args.data, correspondances=args.correspondances)
    print(data.format_reconciliation(wh))
    print()
    print(data.summarise(wh))
    return 1 if wh.n_rejected else 0


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
    from . import data

    wh = data.load(args.data, correspondances=args.correspondances)
    schema = data.write_sql(wh, args.url, schema=args.schema, replace=args.replace)
    print(data.format_reconciliation(wh))
    logger.info("loaded into %s schema %s", data.mask_url(args.url), schema)
    if wh.n_rejected:
        logger.warning("%d rejected rows were not loaded", wh.n_rejected)
    return 1 if wh.n_rejected else 0


# ------------------------------------------------------------------------ batch
def _add_batch(sub: argparse._SubParsersAction) -> Runner:
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
        help="only these ML codes (or report names: rapport_regional, suivi_mensuel, trajectoires)",
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
    from . import reports

    params = reports.load_params(args.params, jobs=args.jobs, pdf=args.pdf)
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
    from . import data, exports, indicators

    period = indicators.parse_period(args.period)
    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise ParamsError(f"--out {args.out.name}: expected a .csv or .xlsx file name")
    accompagnement = indicators.check_accompaniment(
        None
        if args.accompagnement is None
        else [t for t in args.accompagnement.split(",") if t.strip()],
        where="--accompagnement",
    )
    wh = data.load(args.data, correspondances=args.correspondances)
    if wh.n_rejected:
        logger.warning("%d rejected rows left out of the indicators", wh.n_rejected)
    table = indicators.compute(
        wh, period.label, monthly=args.monthly, accompagnement=accompagnement
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
    return 0


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
    from .data._correspondances import write_draft

    out = write_draft(args.data, args.out)
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
    parser = argparse.ArgumentParser(
        prog="observatoire",
        description="Evaluation workbench of the youth-training observatory "
        "(Missions Locales, Nouvelle-Aquitaine).",
    )
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``observatoire`` console script."""
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.quiet, args.verbose)
    try:
        return runners[args.command](args)
    except ObservatoireError as exc:
        print(f"observatoire {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"observatoire {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
