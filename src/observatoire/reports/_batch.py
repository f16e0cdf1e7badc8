"""Batch run: every report of a run, executed with Papermill on warm kernels.

``run_batch`` reads as the run's table of contents: lock the run folder, load
or reuse the shared inputs (one data load, indicators, disclosure,
trajectories), plan the reports (those whose inputs have not changed since
their last run are reused, see ``_reuse``), execute the others on a pool of
``jobs`` warm kernels (``_engine``), export each to a self-contained HTML file,
then write ``index.html`` and ``manifest.json``. One failing notebook never
stops the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .._io import excerpt, write_text_atomic
from ..exceptions import BrowserError, ParamsError, RunLockedError
from . import _cache
from ._browser import find_chromium
from ._engine import KernelPool, KernelSlot, register_engine
from ._html import export_html, report_nav
from ._index import write_index
from ._kinds import KINDS, PlannedReport, only_choices
from ._kinds import plan as plan_kinds
from ._params import ALL, RunParams
from ._pdf import write_pdf
from ._publication import publish, report_downloads
from ._reuse import Fingerprints
from ._statement import write_statement
from ._style import report_title

logger = logging.getLogger(__name__)

#: folder of the report notebooks shipped with the project
NOTEBOOKS_DIR = Path(__file__).resolve().parents[3] / "notebooks"

#: French status labels, as the index shows them
STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_INTERRUPTED = "interrupted"

#: seconds the running reports get to stop after Ctrl-C
_INTERRUPT_GRACE = 30


# ------------------------------------------------------------------------ plan
@dataclass
class ReportResult:
    """What happened to one report (one entry of ``manifest.json``).

    ``fingerprint`` and ``inputs`` (the shared tables the report read) let the
    next run reuse it; ``reused`` is true when this run did exactly that.
    """

    name: str
    kind: str
    status: str
    started: str
    duration_s: float
    code_ml: str | None = None
    libelle: str = ""
    error: str = ""
    html: str | None = None
    notebook: str | None = None
    attempts: int = 1
    pdf: str | None = None
    execute_s: float = 0.0
    export_s: float = 0.0
    fingerprint: str = ""
    inputs: list[str] | None = None
    reused: bool = False
    downloads: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as a ``manifest.json`` entry.

        Returns
        -------
        dict of str to object
            Every field by name (a shallow copy: the lists are shared).
        """
        return dict(self.__dict__)


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`.

    ``skipped``: reports kept by ``--resume``; ``reused``: reports not run
    again because their inputs had not changed.
    """

    run_dir: Path
    results: list[ReportResult]
    index: Path
    manifest: Path
    duration_s: float
    skipped: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if r.status != STATUS_OK]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        """One line: how many reports, how many failed, where the portal is.

        Returns
        -------
        str
            One English line for the log and the command line: counts of reports
            done, kept, reused and failed (the first five failures named), the
            portal's path, the ``publication/`` folder when there is one, and the
            duration in seconds.
        """
        n_ok = len(self.results) - len(self.failed)
        text = f"{len(self.results)} reports: {n_ok} done"
        notes = []
        if self.skipped:
            notes.append(f"{len(self.skipped)} kept from the previous run")
        if self.reused:
            notes.append(f"{len(self.reused)} reused, inputs unchanged")
        if notes:
            text += f" ({'; '.join(notes)})"
        if self.failed:
            names = ", ".join(r.name for r in self.failed[:5])
            more = "..." if len(self.failed) > 5 else ""
            text += f", {len(self.failed)} failed ({names}{more})"
        text += f"; portal: {self.index}"
        publication = self.run_dir / "publication"
        if publication.is_dir():
            text += f" (to send: {publication}/)"
        return f"{text} ({self.duration_s:.0f} s)"


def select_only(
    jobs: list[PlannedReport], only: list[str] | None
) -> list[PlannedReport]:
    """Keep the jobs named by ``only`` (ML codes or report kinds of the registry).

    Parameters
    ----------
    jobs : list of PlannedReport
        The reports planned for the run.
    only : list of str, optional
        ML codes or report kinds (``--only``); None or empty keeps every job.

    Returns
    -------
    list of PlannedReport
        The jobs of a named ML or of a named kind, in their planned order.

    Raises
    ------
    ParamsError
        A value names no planned report.
    """
    if not only:
        return jobs
    wanted = set(only)
    known = {j.code_ml for j in jobs if j.code_ml} | {j.kind for j in jobs}
    unknown = sorted(wanted - known)
    if unknown:
        not_run = [u for u in unknown if u in KINDS]
        why = f" ({', '.join(not_run)}: not in this run's reports)" if not_run else ""
        raise ParamsError(
            f"--only: {', '.join(unknown)} names no report of this run{why}; use ML "
            f"codes of the run or report kinds ({only_choices()})"
        )
    return [j for j in jobs if j.code_ml in wanted or j.kind in wanted]


def _only_check(
    params: RunParams, only: list[str] | None
) -> Callable[[RunParams], None] | None:
    """Check ``--only`` as early as it can be: before any work of the run.

    A report kind the run does not produce, or a code naming none of its MLs
    when the run lists them, is refused at once. With ``mls: all`` an ML code
    is checked against the extract's codes: the returned function does it as
    soon as they are known, before the shared step computes anything.

    Raises
    ------
    ParamsError
        See :func:`select_only`.
    """
    if not only:
        return None
    if params.mls != ALL:
        select_only(plan_kinds(params, None), only)
    elif not_run := [o for o in only if o in KINDS and o not in params.reports]:
        # the kinds now, the codes once the extract says which it holds
        select_only(plan_kinds(params.replace(mls=()), None), not_run)

    def check(resolved: RunParams) -> None:
        select_only(plan_kinds(resolved, None), only)

    return check


def _output_path(run_dir: Path, relative: str) -> Path:
    """``run_dir / relative``, refused unless it lands directly in its folder.

    Report names are built from ML codes, which come from the extract: a code
    holding ``/`` or ``..`` must not make the batch write elsewhere (over the
    index, the cache, or outside the run folder).

    Raises
    ------
    ParamsError
        The path would escape its folder.
    """
    folder, _, name = relative.partition("/")
    expected = (run_dir / folder).resolve()
    path = (run_dir / relative).resolve()
    if path.parent != expected or not name or "/" in name or "\\" in name:
        raise ParamsError(
            f"report output {excerpt(relative)} would be written outside "
            f"{expected}; refused (an ML code must not hold '/' or '..')"
        )
    return path


# ------------------------------------------------------------------- execution
def _one_line(exc: BaseException) -> str:
    # lazy: Papermill costs about 1 s; a run refused on its parameters or data never loads it
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        text = f"{exc.ename}: {exc.evalue}"
    elif isinstance(exc, TimeoutError):
        text = f"timeout: {exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text[:300]


class _Runner:
    """Executes one job on a pool slot's kernel and exports its HTML."""

    def __init__(
        self,
        params: RunParams,
        run_dir: Path,
        notebooks_dir: Path,
        meta: dict[str, Any],
        fingerprints: Fingerprints,
        stop: threading.Event,
    ) -> None:
        self.params = params
        self.run_dir = run_dir
        self.notebooks_dir = notebooks_dir
        self.meta = meta
        self.fingerprints = fingerprints
        self.stop = stop
        self.engine = register_engine()
        self._parameters: dict[Path, set[str]] = {}
        self._lock = threading.Lock()

    def new_result(
        self, job: PlannedReport, status: str = STATUS_FAILED
    ) -> ReportResult:
        labels = self.meta.get("labels", {})
        return ReportResult(
            name=job.name,
            kind=job.kind,
            status=status,
            started=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            duration_s=0.0,
            code_ml=job.code_ml,
            libelle=labels.get(job.code_ml, "") if job.code_ml else "",
        )

    def execute(self, job: PlannedReport, slot: KernelSlot) -> ReportResult:
        """Run ``job`` on ``slot``'s kernel; never raises."""
        t0 = time.perf_counter()
        result = self.new_result(job)
        if self.stop.is_set():
            result.status = STATUS_INTERRUPTED
            return result
        try:
            target = _output_path(self.run_dir, job.notebook_name)
            html = _output_path(self.run_dir, job.html_name)
            log = _output_path(self.run_dir, job.log_name)
        except ParamsError as exc:
            result.error = str(exc)
            return result
        error = self._run_notebook(job, slot, target, log, result)
        if error is not None:
            interrupted = self.stop.is_set()
            result.status = STATUS_INTERRUPTED if interrupted else STATUS_FAILED
            result.error = _one_line(error)
        elif self.stop.is_set():
            result.status = STATUS_INTERRUPTED
            result.error = "interrupted before the HTML export"
        else:
            self._export(job, target, html, result)
            if result.status == STATUS_OK and self.params.pdf:
                self._export_pdf(job, result)
        result.duration_s = round(time.perf_counter() - t0, 2)
        return result

    def _run_notebook(
        self,
        job: PlannedReport,
        slot: KernelSlot,
        target: Path,
        log: Path,
        result: ReportResult,
    ) -> BaseException | None:
        """Execute the notebook into ``target``; the error, if any.

        The kernel is kept after a cell raised (the notebook's own error), and
        replaced after anything else (it died, hung past the timeout, or the
        run was interrupted while it started).
        """
        # lazy: Papermill costs about 1 s; a run refused on its parameters or data never loads it
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        t0 = time.perf_counter()
        source = self.notebooks_dir / f"{job.kind}.ipynb"
        tmp = target.with_name(f".{target.stem}.tmp.ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        since = slot.log_size()
        started = slot.started
        error: BaseException | None = None
        broken = True
        try:
            kernel = slot.ready(self.stop)
            pm.execute_notebook(
                str(source),
                str(tmp),
                parameters=self._declared(source, job.parameters),
                engine_name=self.engine,
                kernel_name="python3",
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=self.params.timeout,
                kernel=kernel,
            )
            broken = False
            result.inputs = kernel.tables_read()
            result.fingerprint = self.fingerprints.of(
                job.kind, job.parameters, result.inputs
            )
        except PapermillExecutionError as exc:  # a cell raised: the kernel is fine
            broken = False
            error = exc
        except Exception as exc:  # died, timed out, did not start (KernelError)
            error = exc
        finally:
            result.attempts = max(1, slot.started - started)
            slot.done(broken=broken)
            slot.copy_log(since, log)
        if tmp.exists():
            os.replace(tmp, target)
            result.notebook = job.notebook_name
        result.execute_s = round(time.perf_counter() - t0, 2)
        return error

    def _export(
        self, job: PlannedReport, target: Path, html: Path, result: ReportResult
    ) -> None:
        t0 = time.perf_counter()
        try:
            export_html(
                target,
                html,
                title=report_title(job.kind, self.meta, job.code_ml),
                nav=report_nav(
                    job.kind,
                    self.meta,
                    job.code_ml,
                    regional="rapport_regional" in self.params.reports,
                ),
            )
        except Exception as exc:  # full disk, lost folder, bad notebook: this report
            result.error = f"HTML export failed: {_one_line(exc)}"
        else:
            result.status = STATUS_OK
            result.html = job.html_name
            # written by the notebook's « Télécharger les données » cell
            result.downloads = report_downloads(self.run_dir, job.name)
        result.export_s = round(time.perf_counter() - t0, 2)

    def _export_pdf(self, job: PlannedReport, result: ReportResult) -> None:
        """Print the report's PDF; a failure fails this report only."""
        try:
            pdf = _output_path(self.run_dir, job.pdf_name)
            write_pdf(self.run_dir / job.html_name, pdf)
        except (BrowserError, OSError, ParamsError) as exc:
            result.status = STATUS_FAILED
            result.error = f"PDF export failed: {_one_line(exc)}"
        else:
            result.pdf = job.pdf_name

    def _declared(self, source: Path, parameters: dict[str, Any]) -> dict[str, Any]:
        """The parameters the notebook declares in its ``parameters`` cell.

        Papermill would inject the others too, with only a warning; a notebook
        that does not use the cache (say) simply does not receive it.
        """
        # lazy: Papermill costs about 1 s; a run refused on its parameters or data never loads it
        import papermill as pm

        with self._lock:
            if source not in self._parameters:
                self._parameters[source] = set(pm.inspect_notebook(str(source)))
        declared = self._parameters[source]
        return {k: v for k, v in parameters.items() if k in declared}


# ----------------------------------------------------------- manifest and index
def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def _clean_partials(run_dir: Path) -> None:
    for folder in ("notebooks", "html", "pdf", "logs"):
        folder = run_dir / folder
        if folder.is_dir():
            for p in folder.glob(".*.tmp*"):
                p.unlink(missing_ok=True)


@dataclass
class _Plan:
    """What a run does with each of its reports."""

    order: list[str]  # every report of the run, in index order
    todo: list[PlannedReport]
    kept: dict[str, dict[str, Any]]  # manifest entries carried over
    skipped: list[str] = field(default_factory=list)  # kept by --resume
    reused: list[str] = field(default_factory=list)  # inputs unchanged


def _plan(
    params: RunParams,
    shared: _cache.SharedInputs,
    fingerprints: Fingerprints,
    *,
    only: list[str] | None,
    resume: bool,
    force: bool,
) -> _Plan:
    """Plan the run: what to execute, what to keep, what to reuse."""
    run_dir = params.run_dir
    all_jobs = plan_kinds(params, shared.cache_dir)
    plan = _Plan([j.name for j in all_jobs], select_only(all_jobs, only), {})
    previous = _read_manifest(run_dir / "manifest.json") or {}
    entries = {e["name"]: e for e in previous.get("reports", []) if "name" in e}
    if previous.get("cache_key") == shared.key:
        plan.kept = dict(entries)
    elif entries:
        logger.info("previous run used other data or parameters: only unchanged "
                    "reports are kept")  # fmt: skip

    def done(entry: dict[str, Any] | None) -> bool:
        files = ["html", "notebook"] + (["pdf"] if params.pdf else [])
        return bool(
            entry
            and entry.get("status") == STATUS_OK
            and all(entry.get(f) and (run_dir / entry[f]).is_file() for f in files)
            and all((run_dir / d).is_file() for d in entry.get("downloads") or ())
        )

    todo = []
    for job in plan.todo:
        entry = entries.get(job.name)
        if resume and job.name in plan.kept and done(entry):
            plan.skipped.append(job.name)
        elif (
            not force
            and done(entry)
            and fingerprints.unchanged(job.kind, job.parameters, entry)
        ):
            plan.reused.append(job.name)
            plan.kept[job.name] = {**entry, "reused": True}
        else:
            todo.append(job)
    plan.todo = todo
    return plan


class _Outputs:
    """``manifest.json`` and ``index.html``, rewritten as reports finish."""

    def __init__(
        self,
        params: RunParams,
        shared: _cache.SharedInputs,
        plan: _Plan,
        started: dt.datetime,
        t_start: float,
        timings: dict[str, float],
    ) -> None:
        self.params = params
        self.shared = shared
        self.plan = plan
        self.started = started
        self.t_start = t_start
        self.timings = timings
        self.results: dict[str, ReportResult] = {}
        self._lock = threading.Lock()

    def record(self, result: ReportResult) -> None:
        with self._lock:
            self.results[result.name] = result
            self.write()

    def final(self) -> list[ReportResult]:
        """Every report of the run, in index order."""
        kept = self.plan.kept
        return [
            self.results[n] if n in self.results else _from_entry(kept[n])
            for n in self.plan.order
            if n in self.results or n in kept
        ]

    def write(self, *, final: bool = False) -> tuple[Path, Path]:
        """Write ``manifest.json``, ``index.html`` and the accessibility statement.

        The last call (``final``) also copies what is meant to be sent to
        ``publication/``.
        """
        entries = []
        for name in self.plan.order:
            if name in self.results:
                entries.append(self.results[name].to_dict())
            elif name in self.plan.kept:
                entries.append(self.plan.kept[name])
        shared, params = self.shared, self.params
        manifest = {
            "observatoire_version": __version__,
            "run": params.run,
            "title": params.title,
            "parameters": params.to_dict(mask_secrets=True),
            "parameters_file": params.source,
            "data_fingerprint": shared.fingerprint,
            "cache_key": shared.key,
            "extraction_date": shared.meta.get("extraction_date"),
            "synthetic": bool(shared.meta.get("synthetic")),
            "started": self.started.isoformat(timespec="seconds"),
            "duration_s": round(time.perf_counter() - self.t_start, 2),
            "complete": final,
            "reused": list(self.plan.reused),
            "timings_s": dict(self.timings),
            "reports": entries,
        }
        run_dir = params.run_dir
        manifest_path = run_dir / "manifest.json"
        _write_manifest(manifest_path, manifest)
        write_statement(run_dir, manifest)
        index = write_index(run_dir / "index.html", manifest)
        if final:
            publish(run_dir, manifest)
        return index, manifest_path


def _from_entry(entry: dict[str, Any]) -> ReportResult:
    fields = ReportResult.__dataclass_fields__
    return ReportResult(**{k: v for k, v in entry.items() if k in fields})


def _progress(total: int, enabled: bool):
    # lazy: tqdm, only when a progress bar is shown
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc="rapports",
        unit="rapport",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
    )


def _execute(
    runner: _Runner,
    pool: KernelPool,
    jobs: list[PlannedReport],
    outputs: _Outputs,
    progress: bool,
) -> None:
    """Run ``jobs`` on the pool, recording each result as it comes.

    On Ctrl-C the running cells are interrupted, the reports that stop within
    the grace period are recorded as they ended, the others as interrupted,
    and KeyboardInterrupt goes on up.
    """
    bar = _progress(len(jobs), progress)

    def record(job: PlannedReport, res: ReportResult | Exception | None) -> None:
        if isinstance(res, Exception):  # a bug in the runner: this report only
            failed = runner.new_result(job)
            failed.error = f"internal error: {_one_line(res)}"
            res = failed
        res = res or runner.new_result(job, STATUS_INTERRUPTED)
        outputs.record(res)
        bar.update(1)
        bar.set_postfix_str(res.name if res.status == STATUS_OK else f"{res.name} ✗")
        if res.status == STATUS_FAILED:
            logger.warning("%s failed: %s", res.name, res.error)

    try:
        pool.submit(runner.execute, jobs)
        for job, res in pool.results():
            record(job, res)
    except KeyboardInterrupt:
        pool.interrupt()
        for job, res in pool.results(timeout=_INTERRUPT_GRACE):
            record(job, res)
        for job in jobs:
            if job.name not in outputs.results:
                outputs.results[job.name] = runner.new_result(job, STATUS_INTERRUPTED)
        raise
    finally:
        bar.close()


@contextlib.contextmanager
def _locked(run_dir: Path):
    """Hold the run folder's lock: one batch at a time writes into a run folder.

    Raises
    ------
    RunLockedError
        Another batch holds it (the message says which process).
    """
    try:
        # lazy: fcntl is POSIX only; the rest of the module is not
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / ".batch.lock"
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = " ".join(fh.read().split())[:200] or "unknown process"
            raise RunLockedError(
                f"{run_dir} is in use by another batch ({holder}); wait for it "
                "to finish or give this run another name"
            ) from None
        fh.seek(0)
        fh.truncate()
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        fh.write(f"pid {os.getpid()}, started {now}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_browser(params: RunParams) -> None:
    if params.pdf and find_chromium() is None:
        raise BrowserError(
            "pdf: true needs headless Chromium to print the reports "
            "(apt-get install chromium, or set OBSERVATOIRE_CHROMIUM)"
        )


def _notebooks_folder(
    notebooks_dir: str | os.PathLike[str] | None, params: RunParams
) -> Path:
    folder = Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS_DIR
    missing = [k for k in params.reports if not (folder / f"{k}.ipynb").is_file()]
    if missing:
        raise ParamsError(f"notebook(s) {', '.join(missing)} not found in {folder}")
    return folder


# ------------------------------------------------------------------ front door
def run_batch(
    params: RunParams,
    *,
    jobs: int | None = None,
    only: list[str] | None = None,
    resume: bool = False,
    force: bool = False,
    fresh_kernels: bool = False,
    notebooks_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> BatchResult:
    """Produce every report of a run: notebooks, HTML, index and manifest.

    Parameters
    ----------
    params : RunParams
        From :func:`load_params` (``year``/``month`` may still be ``"auto"``).
    jobs : int, optional
        Kernels at a time; default ``params.jobs``, else the number of cores.
    only : list of str, optional
        ML codes or report kinds (``rapport_regional``...) to run.
    resume : bool
        Keep the reports done in the previous run on the same data and
        parameters, even if their notebook changed; run the missing or failed.
    force : bool
        Run every report, even those whose inputs have not changed since
        their last successful run (by default they are reused).
    fresh_kernels : bool
        A new kernel for every report, importing nothing beforehand, instead
        of the pool of warm kernels (see ``_engine``).
    notebooks_dir : path, optional
        Folder of the report notebooks (default: the project's ``notebooks/``).
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    BatchResult
        Per-report results; ``exit_code`` is 1 if any report failed.

    Raises
    ------
    ParamsError
        Unknown ML codes, a period the extract does not cover, a bad ``--only``:
        raised before any notebook runs.
    RunLockedError
        Another batch is writing into the same run folder.
    """
    t_start = time.perf_counter()
    started = dt.datetime.now().astimezone()
    notebooks = _notebooks_folder(notebooks_dir, params)
    n_jobs = jobs or params.jobs or os.cpu_count() or 1
    _check_browser(params)
    check_only = _only_check(params, only)
    timings: dict[str, float] = {}
    # kernels warm up (imports, first figure) while the shared step computes
    pool = KernelPool(n_jobs, notebooks, params.run_dir / "logs", fresh=fresh_kernels)
    with _locked(params.run_dir), contextlib.closing(pool.start()):
        # 1. shared inputs: data load, checks against the extract, indicators,
        #    disclosure, trajectories (cached under <run>/cache/<key>/)
        shared = _cache.prepare(params, check=check_only)
        params, run_dir = shared.params, shared.params.run_dir
        timings["shared"] = round(time.perf_counter() - t_start, 2)
        # 2. plan: what runs, what is kept or reused
        fingerprints = Fingerprints(shared.cache_dir, shared.key, notebooks)
        plan = _plan(
            params, shared, fingerprints, only=only, resume=resume, force=force
        )
        _log_plan(params, shared, plan, n_jobs)
        # 3. execute on the kernel pool, export, record
        _clean_partials(run_dir)
        outputs = _Outputs(params, shared, plan, started, t_start, timings)
        runner = _Runner(
            params, run_dir, notebooks, shared.meta, fingerprints, pool.stop
        )
        try:
            if plan.todo:
                _execute(runner, pool, plan.todo, outputs, progress)
        finally:
            timings["reports"] = round(
                time.perf_counter() - t_start - timings["shared"], 2
            )
            index, manifest = outputs.write(final=True)
    return BatchResult(
        run_dir=run_dir,
        results=outputs.final(),
        index=index,
        manifest=manifest,
        duration_s=time.perf_counter() - t_start,
        skipped=plan.skipped,
        reused=plan.reused,
    )


def _log_plan(
    params: RunParams, shared: _cache.SharedInputs, plan: _Plan, n_jobs: int
) -> None:
    logger.info(
        "run %s: %s %d-%02d, %d ML(s), cache %s",
        params.run,
        "synthetic data" if shared.meta.get("synthetic") else "data",
        params.year,
        params.month,
        len(params.mls),
        "reused" if shared.reused else "built",
    )
    notes = []
    if plan.skipped:
        notes.append(f"{len(plan.skipped)} already done")
    if plan.reused:
        notes.append(f"{len(plan.reused)} reused (inputs unchanged)")
    logger.info(
        "%d report(s) to run with %d kernel(s) at a time%s",
        len(plan.todo),
        n_jobs,
        f", {', '.join(notes)}" if notes else "",
    )
