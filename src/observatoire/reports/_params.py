"""Run parameters: one YAML file, parsed once into a frozen dataclass.

``load_params`` checks every key and value before any data is read and reports
all the problems in one :class:`~observatoire.exceptions.ParamsError`.
``check_against_warehouse`` then checks what needs the extract (ML codes, the
period against the extraction date) before any notebook runs, and returns the
parameters with ``year`` and ``month`` resolved.

Every key is documented in ``params/README.md``; keep both in step.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._io import load_yaml
from ..data import Coverage, is_database_url, load_correspondence, mask_url
from ..disclosure import DEFAULT_THRESHOLD
from ..exceptions import ParamsError
from ..indicators import NATIONAL_ACCOMPANIMENT, check_accompaniment
from ._kinds import REPORT_KINDS

if TYPE_CHECKING:
    from ..data import Warehouse

#: method default: counts from 1 to this value minus one are masked (data contract)
DEFAULT_DISCLOSURE_THRESHOLD = DEFAULT_THRESHOLD
#: method default: seconds one notebook may run before it is stopped
DEFAULT_TIMEOUT = 600
#: most notebooks at a time: each is a kernel process of a few hundred MB, and
#: a run has about fifty reports
MAX_JOBS = 64


AUTO = "auto"
ALL = "all"
_RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_YEAR_RANGE = (2000, 2100)


@dataclass(frozen=True)
class RunParams:
    """The parameters of one batch run (see ``params/README.md``).

    Attributes
    ----------
    run : str
        Name of the run; outputs go to ``<output_dir>/<run>/``.
    title : str
        Title shown on the index page and on each report.
    data : str
        Extract directory (absolute) or database URL.
    year : int or "auto"
        Year reported on; ``"auto"``: the year of the latest complete month.
    month : int or "auto"
        Month (1-12) of the monthly follow-up, and end of the year-to-date
        figures; ``"auto"``: the latest complete month of the extract.
    mls : "all" or tuple of str
        Missions Locales that get a report.
    reports : tuple of str
        Report kinds to produce, among :data:`REPORT_KINDS`.
    disclosure_threshold : int
        Counts from 1 to ``disclosure_threshold - 1`` are masked.
    output_dir : str
        Folder (absolute) holding one sub-folder per run.
    jobs : int or None
        Notebooks executed at the same time; None: the number of cores.
    timeout : int
        Seconds one notebook may run.
    debug : bool
        Also write the shared intermediate tables to ``<run>/interim/``.
    targets : str or None
        Target file (``params/objectifs.yaml`` format, absolute once parsed);
        ``"auto"``: ``params/objectifs.yaml`` of the project when it exists;
        None: no targets section.
    accompagnement : tuple of str
        Event types that make a young person accompanied (default: the
        network's national definition, ``entretien_individuel``, ``atelier``,
        ``information_collective``); every figure over the accompanied follows
        it and every report states it.
    correspondances : str or None
        Correspondence file mapping the extract's own names and codes onto the
        contract (absolute once parsed, checked on load); None: the extract
        folder's ``correspondances.yaml`` if it has one.
    pdf : bool
        Also print each report to ``<run>/pdf/<name>.pdf`` (headless Chromium).
    contact : str or None
        Where a reader reports an accessibility problem or asks for an
        accessible version (an e-mail address or a web address), shown on the
        accessibility statement; None: the statement says none was given.
    source : str
        The YAML file read (empty when built in code).
    """

    run: str
    data: str
    title: str = "Observatoire des Missions Locales de Nouvelle-Aquitaine"
    year: int | str = AUTO
    month: int | str = AUTO
    mls: str | tuple[str, ...] = ALL
    reports: tuple[str, ...] = REPORT_KINDS
    disclosure_threshold: int = DEFAULT_DISCLOSURE_THRESHOLD
    output_dir: str = "outputs"
    jobs: int | None = None
    timeout: int = DEFAULT_TIMEOUT
    debug: bool = False
    targets: str | None = AUTO
    accompagnement: tuple[str, ...] = NATIONAL_ACCOMPANIMENT
    correspondances: str | None = None
    pdf: bool = False
    contact: str | None = None
    source: str = field(default="", compare=False)

    @property
    def run_dir(self) -> Path:
        """``<output_dir>/<run>``."""
        return Path(self.output_dir) / self.run

    @property
    def resolved(self) -> bool:
        """True once ``year`` and ``month`` are numbers."""
        return isinstance(self.year, int) and isinstance(self.month, int)

    def replace(self, **changes: Any) -> RunParams:
        """Return a copy with ``changes`` applied (unknown fields are refused).

        Parameters
        ----------
        **changes
            New values of fields, by field name (not checked again: give values
            :func:`parse_params` would accept).

        Returns
        -------
        RunParams
            A new instance; ``self`` is unchanged.
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self, *, mask_secrets: bool = True) -> dict[str, Any]:
        """The parameters as plain JSON types; URL passwords masked by default.

        Parameters
        ----------
        mask_secrets : bool, default True
            Replace the password of a database URL in ``data`` by ``***``.

        Returns
        -------
        dict of str to object
            Every field but ``source``; ``mls`` (unless ``all``), ``reports`` and
            ``accompagnement`` as lists.
        """
        out = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name != "source"
        }
        out["mls"] = out["mls"] if out["mls"] == ALL else list(out["mls"])
        out["reports"] = list(out["reports"])
        out["accompagnement"] = list(out["accompagnement"])
        if mask_secrets:
            out["data"] = mask_url_password(out["data"])
        return out


# ----------------------------------------------------------------------- checks
def _is_int(value: Any) -> bool:
    # YAML ``true`` is a bool, and bool is an int subclass: refuse it
    return isinstance(value, int) and not isinstance(value, bool)


def _check_str(name: str, value: Any, problems: list[str]) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{name}: expected a non-empty text, got {value!r}")


def _check_year(value: Any, problems: list[str]) -> None:
    if value == AUTO:
        return
    if not _is_int(value):
        problems.append(f"year: expected a year such as 2024 or 'auto', got {value!r}")
    elif not _YEAR_RANGE[0] <= value <= _YEAR_RANGE[1]:
        problems.append(
            f"year: {value} is not a possible year "
            f"(expected {_YEAR_RANGE[0]}-{_YEAR_RANGE[1]} or 'auto')"
        )


def _check_month(value: Any, problems: list[str]) -> None:
    if value == AUTO:
        return
    if not _is_int(value):
        problems.append(f"month: expected a month number 1-12 or 'auto', got {value!r}")
    elif not 1 <= value <= 12:
        problems.append(f"month: {value} is not a month (expected 1-12 or 'auto')")


def _check_mls(value: Any, problems: list[str]) -> str | tuple[str, ...]:
    if value == ALL:
        return ALL
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not value:
        problems.append(f"mls: expected 'all' or a list of ML codes, got {value!r}")
        return ALL
    codes = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            problems.append(f"mls: {item!r} is not an ML code (text expected)")
        else:
            codes.append(str(item))
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        problems.append(f"mls: code(s) listed twice: {', '.join(dupes)}")
    return tuple(dict.fromkeys(codes))


def _check_reports(value: Any, problems: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        problems.append(
            f"reports: expected a list among {', '.join(REPORT_KINDS)}, got {value!r}"
        )
        return REPORT_KINDS
    unknown = [v for v in value if v not in REPORT_KINDS]
    if unknown:
        problems.append(
            f"reports: unknown report(s) {', '.join(map(repr, unknown))}; "
            f"reports are {', '.join(REPORT_KINDS)}"
        )
    return tuple(k for k in REPORT_KINDS if k in value)


def _check_positive_int(
    name: str,
    value: Any,
    problems: list[str],
    *,
    minimum: int = 1,
    maximum: int | None = None,
) -> None:
    if not _is_int(value):
        problems.append(f"{name}: expected a whole number, got {value!r}")
    elif value < minimum:
        problems.append(f"{name}: {value} is below the minimum {minimum}")
    elif maximum is not None and value > maximum:
        problems.append(f"{name}: {value} is above the maximum {maximum}")


_FIELDS = [f.name for f in dataclasses.fields(RunParams) if f.name != "source"]


def parse_params(
    raw: Any, *, source: str = "", base_dir: str | os.PathLike[str] | None = None
) -> RunParams:
    """Check a parsed YAML mapping and build :class:`RunParams`.

    Parameters
    ----------
    raw : dict
        The mapping read from YAML.
    source : str
        Name of the file, quoted in messages.
    base_dir : path, optional
        Folder that relative ``data`` and ``output_dir`` paths start from
        (default: the current directory).

    Returns
    -------
    RunParams

    Raises
    ------
    ParamsError
        Listing every problem found: unknown keys, missing ``data``, wrong
        types, impossible dates, bad numbers.

    Examples
    --------
    >>> p = parse_params({"data": "/srv/entrepot", "year": 2024, "month": 5})
    >>> (p.run, p.year, p.month, p.mls)
    ('run', 2024, 5, 'all')
    """
    where = f"{source}: " if source else ""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ParamsError(
            f"{where}expected a mapping of key: value, got {type(raw).__name__}"
        )
    problems: list[str] = []
    for key in raw:
        if key not in _FIELDS:
            close = difflib.get_close_matches(str(key), _FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"unknown key {key!r}{hint}; keys are {', '.join(_FIELDS)}")
    values: dict[str, Any] = {k: v for k, v in raw.items() if k in _FIELDS}
    default_run = Path(source).stem if source else "run"
    values.setdefault("run", default_run)

    _check_values(values, problems)
    if problems:
        raise ParamsError(_format_problems(where, problems))
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    _resolve_paths(values, base, where)
    return RunParams(source=source, **values)


def _check_period(year: Any, month: Any, problems: list[str]) -> None:
    _check_year(year, problems)
    _check_month(month, problems)
    if year == AUTO and month != AUTO:
        problems.append("month: a month needs a year (set year, or both to 'auto')")


def _check_values(values: dict[str, Any], problems: list[str]) -> None:
    """Check each known key of ``values`` (normalising mls and reports)."""
    if "data" not in values:
        problems.append("data: missing (extract directory or database URL)")
    else:
        _check_str("data", values["data"], problems)
    run = values["run"]
    if not isinstance(run, str) or not _RUN_NAME.fullmatch(run):
        problems.append(
            f"run: {run!r} is not a usable folder name "
            "(letters, digits, '_', '-', '.', at most 64)"
        )
    if "title" in values:
        _check_str("title", values["title"], problems)
    if "output_dir" in values:
        _check_str("output_dir", values["output_dir"], problems)
    _check_period(values.get("year", AUTO), values.get("month", AUTO), problems)
    if "mls" in values:
        values["mls"] = _check_mls(values["mls"], problems)
    if "reports" in values:
        values["reports"] = _check_reports(values["reports"], problems)
    if "disclosure_threshold" in values:
        _check_positive_int(
            "disclosure_threshold", values["disclosure_threshold"], problems, minimum=2
        )
    if values.get("jobs") is not None:
        _check_positive_int("jobs", values["jobs"], problems, maximum=MAX_JOBS)
    if "timeout" in values:
        _check_positive_int("timeout", values["timeout"], problems, minimum=10)
    if "debug" in values and not isinstance(values["debug"], bool):
        problems.append(f"debug: expected true or false, got {values['debug']!r}")
    if values.get("targets") is not None:
        _check_str("targets", values["targets"], problems)
    _check_definitions(values, problems)


def _check_definitions(values: dict[str, Any], problems: list[str]) -> None:
    """Check who counts as accompanied and the correspondence file's name."""
    if "accompagnement" in values:
        try:
            values["accompagnement"] = check_accompaniment(values["accompagnement"])
        except ParamsError as exc:
            problems.append(str(exc))
    if values.get("correspondances") is not None:
        _check_str("correspondances", values["correspondances"], problems)
    if "pdf" in values and not isinstance(values["pdf"], bool):
        problems.append(f"pdf: expected true or false, got {values['pdf']!r}")
    if values.get("contact") is not None:
        _check_str("contact", values["contact"], problems)


def _resolve_paths(values: dict[str, Any], base: Path, where: str) -> None:
    """Make ``data``, ``output_dir``, ``targets`` and ``correspondances`` absolute.

    ``auto`` targets are found in the project's ``params/``; a correspondence
    file is read and checked here, before any data is.
    """
    if not is_database_url(values["data"]):
        values["data"] = str(_absolute(values["data"], base))
    values["output_dir"] = str(_absolute(values.get("output_dir", "outputs"), base))
    targets = values.get("targets", AUTO)
    if targets == AUTO:
        root = project_root(base) or project_root(Path(__file__).parent)
        default = root / "params" / "objectifs.yaml" if root else None
        targets = str(default) if default is not None and default.is_file() else None
    elif targets is not None:
        targets = str(_absolute(targets, base))
        if not Path(targets).is_file():
            raise ParamsError(f"{where}targets: file {targets!r} not found")
    values["targets"] = targets
    if values.get("correspondances") is not None:
        # checked now, like every parameter: a bad file stops the run before
        # any data is read, with every problem listed
        corr = str(_absolute(values["correspondances"], base))
        if not Path(corr).is_file():
            raise ParamsError(f"{where}correspondances: file {corr!r} not found")
        load_correspondence(corr)
        values["correspondances"] = corr


def _format_problems(where: str, problems: list[str]) -> str:
    n = len(problems)
    head = f"{where}{n} problem{'s' if n > 1 else ''} in the parameters:"
    return "\n".join([head, *(f"  - {p}" for p in problems)])


def _absolute(path: str, base: Path) -> Path:
    p = Path(os.path.expanduser(path))
    return p if p.is_absolute() else (base / p).resolve()


def project_root(start: str | os.PathLike[str]) -> Path | None:
    """The nearest folder at or above ``start`` holding a ``pyproject.toml``.

    Parameters
    ----------
    start : str or os.PathLike
        A file or folder to start from (resolved to an absolute path).

    Returns
    -------
    Path or None
        That folder, or None when no folder up to the file-system root holds one.
    """
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return None


def load_params(path: str | os.PathLike[str], **overrides: Any) -> RunParams:
    """Read a parameter file and return checked :class:`RunParams`.

    Relative paths in the file (``data``, ``output_dir``) start from the project
    root holding the file (nearest parent folder with a ``pyproject.toml``),
    else from the file's folder. ``overrides`` (e.g. ``jobs=2`` from the command
    line) replace keys of the file and are checked the same way.

    Parameters
    ----------
    path : str or os.PathLike
        A YAML parameter file (``params/*.yaml``).
    **overrides
        Keys replacing those of the file; a None value leaves the file's.

    Returns
    -------
    RunParams
        The checked parameters (``year``, ``month``, ``mls`` may still be
        ``auto`` / ``all``: :func:`check_against_warehouse` resolves them).

    Raises
    ------
    ParamsError
        The file is missing, is not YAML, or holds bad keys or values (all
        listed in one message).
    """
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"parameter file {str(path)!r} not found")
    raw = load_yaml(path, error=ParamsError)
    if isinstance(raw, dict):
        raw = {**raw, **{k: v for k, v in overrides.items() if v is not None}}
    base = project_root(path.parent) or path.parent.resolve()
    return parse_params(raw, source=str(path), base_dir=base)


# ------------------------------------------------------- checks against the data
def latest_complete_month(extraction_date: Any) -> tuple[int, int]:
    """(year, month) of the latest month wholly covered by an extract.

    Parameters
    ----------
    extraction_date : date-like
        The extraction date (anything :class:`pandas.Timestamp` reads).

    Returns
    -------
    tuple of (int, int)
        ``(year, month)``: the extraction's month when the extraction is on its
        last day, else the month before.

    Examples
    --------
    >>> import pandas as pd
    >>> latest_complete_month(pd.Timestamp("2024-06-12"))
    (2024, 5)
    >>> latest_complete_month(pd.Timestamp("2024-12-31"))
    (2024, 12)
    >>> latest_complete_month(pd.Timestamp("2024-01-03"))
    (2023, 12)
    """
    return Coverage(
        None, pd.Timestamp(extraction_date).normalize()
    ).latest_complete_month


def check_against_warehouse(params: RunParams, wh: Warehouse) -> RunParams:
    """Check ML codes and the period against a loaded extract; resolve "auto".

    Parameters
    ----------
    params : RunParams
    wh : observatoire.data.Warehouse

    Returns
    -------
    RunParams
        With integer ``year`` and ``month``, and ``mls`` a tuple of codes.

    Raises
    ------
    ParamsError
        Listing every problem: ML codes not in ``missions_locales`` (with the
        valid ones), a period after the extraction date or before the data.
    """
    return check_against_coverage(
        params,
        codes=[str(c) for c in wh.missions_locales["code_ml"].tolist()],
        coverage=wh.coverage,
    )


def check_against_extract(
    params: RunParams,
    *,
    codes: list[str],
    extraction_date: Any,
    first_date: Any,
) -> RunParams:
    """:func:`check_against_warehouse` from a description of the extract.

    ``codes`` are the ML codes of ``missions_locales``, ``extraction_date`` the
    date of the extract, ``first_date`` its first contact (None if none).

    Parameters
    ----------
    params : RunParams
        Parameters from :func:`load_params` (``year``/``month`` may be ``auto``).
    codes : list of str
        The ML codes of the extract.
    extraction_date : date-like or None
        The extraction date.
    first_date : date-like or None
        The extract's first contact; None (or NaN) when it has none.

    Returns
    -------
    RunParams
        ``params`` with ``year``, ``month`` and ``mls`` resolved.

    Raises
    ------
    ParamsError
        Unknown ML codes, or a period the extract does not cover, all listed.

    Examples
    --------
    >>> p = parse_params({"data": "/srv/e", "mls": ["ML33A"]})
    >>> r = check_against_extract(
    ...     p, codes=["ML33A", "ML87A"], extraction_date="2024-06-12",
    ...     first_date="2022-01-03")
    >>> (r.year, r.month, r.mls)
    (2024, 5, ('ML33A',))
    """

    def day(value: Any) -> pd.Timestamp | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value)

    end = day(extraction_date)
    coverage = Coverage(day(first_date), None if end is None else end.normalize())
    return check_against_coverage(params, codes=codes, coverage=coverage)


def check_against_coverage(
    params: RunParams, *, codes: list[str], coverage: Coverage
) -> RunParams:
    """:func:`check_against_warehouse` from the ML codes and the extract's coverage.

    Parameters
    ----------
    params : RunParams
        Parameters from :func:`load_params` (``year``/``month`` may be ``auto``).
    codes : list of str
        The ML codes of the extract.
    coverage : Coverage
        The extract's span (:attr:`observatoire.data.Warehouse.coverage`).

    Returns
    -------
    RunParams
        ``params`` with ``year``, ``month`` and ``mls`` resolved.

    Raises
    ------
    ParamsError
        Unknown ML codes, or a period the extract does not cover, all listed.
    """
    problems: list[str] = []
    if params.mls == ALL:
        mls = tuple(sorted(codes))
    else:
        unknown = [c for c in params.mls if c not in codes]
        if unknown:
            problems.append(
                f"mls: unknown ML code(s) {', '.join(unknown)}; codes in the extract "
                f"are {', '.join(sorted(codes))}"
            )
        mls = params.mls
    if coverage.end is None:
        raise ParamsError("the extract holds no contact, so no period can be reported")
    extraction = coverage.end
    last_y, last_m = coverage.latest_complete_month
    first = coverage.first if coverage.first is not None else extraction

    year, month = params.year, params.month
    if year == AUTO:
        year, month = last_y, last_m
    elif month == AUTO:
        month = 12 if year < last_y else last_m
    if (year, month) > (last_y, last_m):
        problems.append(
            f"year/month: {month:02d}/{year} is not complete in the extract, "
            f"extracted on {extraction:%d/%m/%Y} "
            f"(latest complete month {last_m:02d}/{last_y})"
        )
    if year < first.year:
        problems.append(
            f"year: {year} is before the first contact in the extract ({first:%d/%m/%Y})"
        )
    if problems:
        where = f"{params.source}: " if params.source else ""
        raise ParamsError(_format_problems(where, problems))
    return params.replace(year=int(year), month=int(month), mls=mls)


def mask_url_password(text: str) -> str:
    """Replace the password of a URL by ``***`` (:func:`observatoire.data.mask_url`).

    Parameters
    ----------
    text : str
        A database URL or a path.

    Returns
    -------
    str
        ``text`` with its password masked; unchanged without one.

    Examples
    --------
    >>> mask_url_password("postgresql://obs:s3cret@db.local:5432/imilo")
    'postgresql://obs:***@db.local:5432/imilo'
    >>> mask_url_password("/data/entrepot")
    '/data/entrepot'
    """
    return mask_url(text)
