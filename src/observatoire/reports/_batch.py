"""Batch run: every report of a run, executed with Papermill in one process.

``run_batch`` reads as the run's table of contents: check the parameters, load
or reuse the shared inputs (one data load, indicators, disclosure, trajectories),
plan the reports, execute the notebooks ``jobs`` kernels at a time in a thread
pool, export each to a self-contained HTML file, then write ``index.html`` and
``manifest.json``. One failing notebook never stops the others.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .._io import write_text_atomic
from ..exceptions import BrowserError, ParamsError
from . import _cache
from ._params import REPORT_KINDS, RunParams

logger = logging.getLogger(__name__)

#: folder of the report notebooks shipped with the project
NOTEBOOKS_DIR = Path(__file__).resolve().parents[3] / "notebooks"

#: French status labels, as the index shows them
STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_INTERRUPTED = "interrupted"

#: attempts to start a kernel before a notebook is declared failed
_START_ATTEMPTS = 3
#: one kernel launched at a time: picking free ports and binding them must not race
_KERNEL_START_LOCK = threading.Lock()


# ------------------------------------------------------------------------ plan
@dataclass(frozen=True)
class ReportJob:
    """One notebook to execute: its name, notebook kind and parameters."""

    name: str
    kind: str
    parameters: dict[str, Any]
    code_ml: str | None = None

    @property
    def html_name(self) -> str:
        return f"html/{self.name}.html"

    @property
    def notebook_name(self) -> str:
        return f"notebooks/{self.name}.ipynb"

    @property
    def pdf_name(self) -> str:
        return f"pdf/{self.name}.pdf"


@dataclass
class ReportResult:
    """What happened to one report (one entry of ``manifest.json``)."""

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

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`."""

    run_dir: Path
    results: list[ReportResult]
    index: Path
    manifest: Path
    duration_s: float
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if r.status != STATUS_OK]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        """One line: how many reports, how many failed, where the index is."""
        n_ok = len(self.results) - len(self.failed)
        text = f"{len(self.results)} reports: {n_ok} done"
        if self.skipped:
            text += f" ({len(self.skipped)} kept from the previous run)"
        if self.failed:
            names = ", ".join(r.name for r in self.failed[:5])
            more = "..." if len(self.failed) > 5 else ""
            text += f", {len(self.failed)} failed ({names}{more})"
        return f"{text}; index: {self.index} ({self.duration_s:.0f} s)"


def plan_reports(
    params: RunParams, labels: dict[str, str], cache_dir: Path | None
) -> list[ReportJob]:
    """The notebooks a run executes, with their Papermill parameters.

    ``params`` must be resolved (``year`` and ``month`` numbers, ``mls`` codes);
    ``labels`` maps ML codes to names. Output names are built from the
    parameters: ``rapport_mission_locale_<code_ml>``, ``rapport_regional``...
    """
    common = {
        "data": params.data,
        "cache_dir": str(cache_dir) if cache_dir is not None else None,
        "year": params.year,
        "month": params.month,
        "disclosure_threshold": params.disclosure_threshold,
        "title": params.title,
    }
    jobs = []
    for kind in REPORT_KINDS:
        if kind not in params.reports:
            continue
        if kind == "rapport_mission_locale":
            for code in params.mls:
                jobs.append(
                    ReportJob(
                        f"{kind}_{code}",
                        kind,
                        {**common, "code_ml": code},
                        code_ml=code,
                    )
                )
        elif kind == "bilan_animation":
            # an annual review covers the latest complete year, not the month's,
            # and carries its own title (the run's title is the index's)
            review = {k: v for k, v in common.items() if k != "title"}
            jobs.append(ReportJob(kind, kind, {**review, "year": "auto"}))
        else:
            jobs.append(ReportJob(kind, kind, dict(common)))
    return jobs


def select_only(jobs: list[ReportJob], only: list[str] | None) -> list[ReportJob]:
    """Keep the jobs named by ``only`` (ML codes or report kinds).

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
        raise ParamsError(
            f"--only: {', '.join(unknown)} names no report of this run; use ML codes "
            f"of the run or report names ({', '.join(REPORT_KINDS[:-1])})"
        )
    return [j for j in jobs if j.code_ml in wanted or j.kind in wanted]


# ------------------------------------------------------------------- execution
def _kernel_manager_class(stderr_path: Path, live: dict[str, Any], key: str):
    """An AsyncKernelManager that starts one kernel at a time, logs to a file.

    Launching under a lock keeps two kernels from picking the same free ports;
    the kernel's own stderr (warnings, crash messages) goes to ``stderr_path``.
    The manager registers itself in ``live`` so an interrupt can reach it.
    """
    from jupyter_client.manager import AsyncKernelManager

    class _KernelManager(AsyncKernelManager):
        async def _async_start_kernel(self, **kw: Any) -> None:
            stderr_path.parent.mkdir(parents=True, exist_ok=True)
            log = open(stderr_path, "ab")  # noqa: SIM115 - closed with the job
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            with _KERNEL_START_LOCK:
                await super()._async_start_kernel(**kw)
            log.close()  # the child keeps its own descriptor
            live[key] = self

        start_kernel = _async_start_kernel

    return _KernelManager


def _started_cells(path: Path) -> bool:
    """True if the (partial) executed notebook shows a cell that ran."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(
        c.get("metadata", {}).get("papermill", {}).get("status")
        not in (None, "pending")
        for c in nb.get("cells", [])
    )


def _one_line(exc: BaseException) -> str:
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
    """Executes jobs in a thread pool and exports their HTML."""

    def __init__(
        self,
        params: RunParams,
        run_dir: Path,
        notebooks_dir: Path,
        meta: dict[str, Any],
    ) -> None:
        self.params = params
        self.run_dir = run_dir
        self.notebooks_dir = notebooks_dir
        self.meta = meta
        self.stop = threading.Event()
        self.live_kernels: dict[str, Any] = {}
        self._parameters: dict[Path, set[str]] = {}
        self._lock = threading.Lock()

    def execute(self, job: ReportJob) -> ReportResult:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        from ._html import export_html

        started = dt.datetime.now().astimezone()
        t0 = time.perf_counter()
        source = self.notebooks_dir / f"{job.kind}.ipynb"
        target = self.run_dir / job.notebook_name
        tmp = target.with_name(f".{target.stem}.tmp.ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        result = ReportResult(
            name=job.name,
            kind=job.kind,
            status=STATUS_FAILED,
            started=started.isoformat(timespec="seconds"),
            duration_s=0.0,
            code_ml=job.code_ml,
            libelle=self.meta.get("labels", {}).get(job.code_ml, "")
            if job.code_ml
            else "",
        )
        if self.stop.is_set():
            result.status = STATUS_INTERRUPTED
            return result
        log_path = self.run_dir / "logs" / f"{job.name}.kernel.log"
        log_path.unlink(missing_ok=True)
        error: BaseException | None = None
        for attempt in range(1, _START_ATTEMPTS + 1):
            result.attempts = attempt
            km_class = _kernel_manager_class(log_path, self.live_kernels, job.name)
            try:
                pm.execute_notebook(
                    str(source),
                    str(tmp),
                    parameters=self._declared(source, job.parameters),
                    kernel_name="python3",
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    cwd=str(self.notebooks_dir),
                    execution_timeout=self.params.timeout,
                    kernel_manager_class=km_class,
                )
                error = None
                break
            except PapermillExecutionError as exc:
                error = exc
                break
            except Exception as exc:  # kernel did not start, died, or timed out
                error = exc
                if (
                    isinstance(exc, TimeoutError)
                    or _started_cells(tmp)
                    or self.stop.is_set()
                ):
                    break
                logger.warning(
                    "%s: kernel start failed (%s), attempt %d of %d",
                    job.name,
                    _one_line(exc),
                    attempt,
                    _START_ATTEMPTS,
                )
                time.sleep(0.5 * attempt)
            finally:
                self.live_kernels.pop(job.name, None)
        if tmp.exists():
            os.replace(tmp, target)
            result.notebook = job.notebook_name
        if error is not None:
            result.status = STATUS_INTERRUPTED if self.stop.is_set() else STATUS_FAILED
            result.error = _one_line(error)
        elif self.stop.is_set():
            result.status = STATUS_INTERRUPTED
            result.error = "interrupted before the HTML export"
        else:
            try:
                export_html(
                    target,
                    self.run_dir / job.html_name,
                    title=self._title(job),
                )
            except OSError as exc:  # full disk, lost folder: this report only
                result.error = f"HTML export failed: {_one_line(exc)}"
            else:
                result.status = STATUS_OK
                result.html = job.html_name
                if self.params.pdf:
                    self._export_pdf(job, result)
        result.duration_s = round(time.perf_counter() - t0, 2)
        return result

    def _export_pdf(self, job: ReportJob, result: ReportResult) -> None:
        """Print the report's PDF; a failure fails this report only."""
        from ..exceptions import BrowserError
        from ._pdf import write_pdf

        try:
            write_pdf(self.run_dir / job.html_name, self.run_dir / job.pdf_name)
        except (BrowserError, OSError) as exc:
            result.status = STATUS_FAILED
            result.error = f"PDF export failed: {_one_line(exc)}"
        else:
            result.pdf = job.pdf_name

    def _declared(self, source: Path, parameters: dict[str, Any]) -> dict[str, Any]:
        """The parameters the notebook declares in its ``parameters`` cell.

        Papermill would inject the others too, with only a warning; a notebook
        that does not use the cache (say) simply does not receive it.
        """
        import papermill as pm

        with self._lock:
            if source not in self._parameters:
                self._parameters[source] = set(pm.inspect_notebook(str(source)))
        declared = self._parameters[source]
        return {k: v for k, v in parameters.items() if k in declared}

    def _title(self, job: ReportJob) -> str:
        from ._style import report_title

        return report_title(job.kind, self.meta, job.code_ml)

    def interrupt_kernels(self) -> None:
        """Send SIGINT to the running kernels so their cell stops now."""
        for km in list(self.live_kernels.values()):
            with contextlib.suppress(Exception):
                pid = km.provisioner.pid
                os.killpg(os.getpgid(pid), signal.SIGINT)


# ----------------------------------------------------------- manifest and index
def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def _clean_partials(run_dir: Path) -> None:
    for folder in (run_dir / "notebooks", run_dir / "html", run_dir / "pdf"):
        if folder.is_dir():
            for p in folder.glob(".*.tmp*"):
                p.unlink(missing_ok=True)


# ------------------------------------------------------------------ front door
def run_batch(  # noqa: C901 (helper batch is cutting it below the cap)
    params: RunParams,
    *,
    jobs: int | None = None,
    only: list[str] | None = None,
    resume: bool = False,
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
        Run only the reports missing or failed in the previous run on the same
        data and parameters.
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
    """
    t_start = time.perf_counter()
    started = dt.datetime.now().astimezone()
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else NOTEBOOKS_DIR
    missing = [
        k for k in params.reports if not (notebooks_dir / f"{k}.ipynb").is_file()
    ]
    if missing:
        raise ParamsError(
            f"notebook(s) {', '.join(missing)} not found in {notebooks_dir}"
        )
    n_jobs = jobs or params.jobs or os.cpu_count() or 1
    if params.pdf:
        from ._browser import find_chromium

        if find_chromium() is None:
            raise BrowserError(
                "pdf: true needs headless Chromium to print the reports "
                "(apt-get install chromium, or set OBSERVATOIRE_CHROMIUM)"
            )

    # 1. shared inputs: data load, checks against the extract, indicators,
    #    disclosure, trajectories (cached under <run>/cache/<key>/)
    shared = _cache.prepare(params)
    params = shared.params
    run_dir = params.run_dir
    logger.info(
        "run %s: %s %d-%02d, %d ML(s), cache %s",
        params.run,
        "synthetic data" if shared.meta.get("synthetic") else "data",
        params.year,
        params.month,
        len(params.mls),
        "reused" if shared.reused else "built",
    )

    # 2. plan
    all_jobs = plan_reports(params, shared.meta.get("labels", {}), shared.cache_dir)
    todo = select_only(all_jobs, only)
    manifest_path = run_dir / "manifest.json"
    previous = _read_manifest(manifest_path)
    kept: dict[str, dict[str, Any]] = {}
    if previous and previous.get("cache_key") == shared.key:
        for entry in previous.get("reports", []):
            kept[entry["name"]] = entry
    elif previous:
        logger.info(
            "previous run used other data or parameters: its reports are dropped"
        )
    skipped = []
    if resume:
        done = {
            name
            for name, e in kept.items()
            if e.get("status") == STATUS_OK
            and e.get("html")
            and (run_dir / e["html"]).is_file()
            and (not params.pdf or (e.get("pdf") and (run_dir / e["pdf"]).is_file()))
        }
        skipped = [j.name for j in todo if j.name in done]
        todo = [j for j in todo if j.name not in done]
    logger.info(
        "%d report(s) to run with %d kernel(s) at a time%s",
        len(todo),
        n_jobs,
        f", {len(skipped)} already done" if skipped else "",
    )

    # 3. execute
    _clean_partials(run_dir)
    runner = _Runner(params, run_dir, notebooks_dir, shared.meta)
    results: dict[str, ReportResult] = {}
    order = [j.name for j in all_jobs]
    manifest_lock = threading.Lock()

    def record(res: ReportResult) -> None:
        with manifest_lock:
            results[res.name] = res
            _write_outputs(
                params, shared, started, t_start, order, kept, results, run_dir
            )

    interrupted = False
    bar = _progress(len(todo), progress)
    pool = cf.ThreadPoolExecutor(max_workers=n_jobs, thread_name_prefix="rapport")
    try:
        futures = {pool.submit(runner.execute, j): j for j in todo}
        for fut in cf.as_completed(futures):
            res = fut.result()
            record(res)
            bar.update(1)
            bar.set_postfix_str(
                res.name if res.status == STATUS_OK else f"{res.name} ✗"
            )
            if res.status == STATUS_FAILED:
                logger.warning("%s failed: %s", res.name, res.error)
    except KeyboardInterrupt:
        interrupted = True
        runner.stop.set()
        runner.interrupt_kernels()
        pool.shutdown(wait=False, cancel_futures=True)
        for fut, j in futures.items():
            with contextlib.suppress(BaseException):
                res = fut.result(timeout=30) if not fut.cancelled() else None
                if res is not None:
                    results[res.name] = res
            if j.name not in results:
                results[j.name] = ReportResult(
                    j.name, j.kind, STATUS_INTERRUPTED, "", 0.0, j.code_ml
                )
    finally:
        bar.close()
        pool.shutdown(wait=True)
        with manifest_lock:
            index, manifest = _write_outputs(
                params,
                shared,
                started,
                t_start,
                order,
                kept,
                results,
                run_dir,
                final=True,
            )
    if interrupted:
        raise KeyboardInterrupt
    final = [
        results[n] if n in results else _from_entry(kept[n])
        for n in order
        if n in results or n in kept
    ]
    return BatchResult(
        run_dir=run_dir,
        results=final,
        index=index,
        manifest=manifest,
        duration_s=time.perf_counter() - t_start,
        skipped=skipped,
    )


def _from_entry(entry: dict[str, Any]) -> ReportResult:
    fields = ReportResult.__dataclass_fields__
    return ReportResult(**{k: v for k, v in entry.items() if k in fields})


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc="rapports",
        unit="rapport",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
    )


def _write_outputs(
    params: RunParams,
    shared: _cache.SharedInputs,
    started: dt.datetime,
    t_start: float,
    order: list[str],
    kept: dict[str, dict[str, Any]],
    results: dict[str, ReportResult],
    run_dir: Path,
    *,
    final: bool = False,
) -> tuple[Path, Path]:
    """Write ``manifest.json``, ``index.html`` and the accessibility statement.

    The last call (``final``) also copies what is meant to be sent to
    ``publication/``.
    """
    from ._index import write_index
    from ._publication import publish
    from ._statement import write_statement

    entries = []
    for name in order:
        if name in results:
            entries.append(results[name].to_dict())
        elif name in kept:
            entries.append(kept[name])
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
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - t_start, 2),
        "complete": final,
        "reports": entries,
    }
    manifest_path = run_dir / "manifest.json"
    _write_manifest(manifest_path, manifest)
    write_statement(run_dir, manifest)
    index = write_index(run_dir / "index.html", manifest)
    if final:
        publish(run_dir, manifest)
    return index, manifest_path
