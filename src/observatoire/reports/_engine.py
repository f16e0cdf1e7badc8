"""Execution engine of the batch: a pool of warm kernels driven through Papermill.

Each of the ``jobs`` worker threads owns one kernel for the whole batch. The
kernel imports the report libraries once (:func:`._kernel.preload`), then runs
report after report; before each one the namespace is emptied and the process
state put back (:func:`._kernel.restore`, which explains the choice), so that
nothing leaks from a report to the next. A notebook is still executed by
Papermill (``execute_notebook`` with the ``observatoire-warm`` engine): it
injects the parameters cell, tracks each cell and writes the executed notebook
as before; only the kernel is kept instead of started and stopped.

A kernel that dies, hangs past the timeout or cannot be reset is killed and
replaced; only the report it was running fails. With ``fresh=True`` every
report gets a new kernel that imports nothing beforehand, the behaviour of the
batch before the pool, kept for comparison and for notebooks that change
library state a reset cannot undo.

Threads, not processes, drive the kernels: the work of the parent is waiting on
sockets. Each kernel client is created and used in one thread only, because its
sockets belong to that thread's event loop.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import os
import queue
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: name under which the engine is registered with Papermill
ENGINE_NAME = "observatoire-warm"
#: attempts to start a kernel before the report waiting for it fails
START_ATTEMPTS = 3
#: seconds a kernel may take to start, to import the libraries, to reset
START_TIMEOUT = 60
PRELOAD_TIMEOUT = 180
RESET_TIMEOUT = 60
#: one kernel launched at a time: picking free ports and binding them must not race
_KERNEL_START_LOCK = threading.Lock()
#: IPython's history is an SQLite file by default: kernels side by side would
#: lock each other out of it, and a batch has no use for it
_KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]

_PRELOAD_CODE = (
    "import observatoire.reports._kernel as _obs_kernel\n"
    "_obs_kernel.preload()\n"
    "del _obs_kernel"
)
_RESET_CODE = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "__import__('observatoire.reports._kernel', fromlist=['restore']).restore()"
)
_TABLES_EXPR = (
    "sorted(getattr(__import__('sys').modules.get("
    "'observatoire.reports._inputs'), 'tables_read', ()))"
)


class KernelError(RuntimeError):
    """A kernel could not be started, reset or queried."""


def _kernel_manager_class(log_path: Path):
    """An AsyncKernelManager that starts one kernel at a time, logs to a file.

    The kernel's own stdout and stderr (C-level warnings, crash messages) are
    appended to ``log_path``.
    """
    # lazy: jupyter_client and Papermill (about 1.5 s) only once a batch runs
    from jupyter_client.manager import AsyncKernelManager

    class _KernelManager(AsyncKernelManager):
        async def _async_start_kernel(self, **kw: Any) -> None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(log_path, "ab") as log:  # the child keeps its own descriptor
                kw.setdefault("stdout", log)
                kw.setdefault("stderr", log)
                with _KERNEL_START_LOCK:
                    await super()._async_start_kernel(**kw)

        start_kernel = _async_start_kernel

    return _KernelManager


class Kernel:
    """One kernel process and its client; used from a single thread.

    ``interrupt`` and ``kill`` only send signals and may be called from any
    thread.
    """

    def __init__(self, cwd: Path, log_path: Path, *, preload: bool) -> None:
        self.cwd = cwd
        self.log_path = log_path
        self.preload = preload
        self.km: Any = None
        self.kc: Any = None
        self.reports = 0  # reports executed since the start
        self._pid: int | None = None

    # -- life cycle (owning thread)
    def start(self) -> None:
        # lazy: with jupyter_client (see _kernel_manager_class)
        from jupyter_core.utils import run_sync

        run_sync(self._start)()

    async def _start(self) -> None:
        self.km = _kernel_manager_class(self.log_path)(kernel_name="python3")
        await self.km.start_kernel(cwd=str(self.cwd), extra_arguments=_KERNEL_ARGS)
        self._pid = getattr(self.km.provisioner, "pid", None)
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=START_TIMEOUT)
        if self.preload:
            await self._execute(_PRELOAD_CODE, PRELOAD_TIMEOUT)

    def reset(self) -> None:
        """Empty the namespace and restore the state of the preload."""
        # lazy: with jupyter_client (see _kernel_manager_class)
        from jupyter_core.utils import run_sync

        run_sync(self._execute)(_RESET_CODE, RESET_TIMEOUT)

    def tables_read(self) -> list[str] | None:
        """The batch-cache tables the last report read (None if unknown).

        Returns
        -------
        list of str or None
            Table names, sorted (:func:`observatoire.reports._kernel.tables_read`
            asked in the kernel); None when the kernel could not be asked, which
            the caller reads as « the whole cache ».
        """
        # lazy: with jupyter_client (see _kernel_manager_class)
        from jupyter_core.utils import run_sync

        try:
            content = run_sync(self._execute)(
                "", RESET_TIMEOUT, user_expressions={"t": _TABLES_EXPR}
            )
            found = content["user_expressions"]["t"]
            return list(ast.literal_eval(found["data"]["text/plain"]))
        except Exception as exc:  # noqa: BLE001 - unknown means "assume everything"
            logger.debug("tables read: unknown (%s)", exc)
            return None

    def alive(self) -> bool:
        """Whether the kernel process is running and answers.

        Returns
        -------
        bool
            False when it was never started, has stopped, or cannot be asked.
        """
        # lazy: with jupyter_client (see _kernel_manager_class)
        from jupyter_core.utils import run_sync

        if self.km is None:
            return False
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def shutdown(self) -> None:
        """Stop the kernel now; never raises."""
        # lazy: with jupyter_client (see _kernel_manager_class)
        from jupyter_core.utils import run_sync

        if self.km is None:
            return
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as exc:  # noqa: BLE001 - a dead kernel cannot be stopped
            logger.debug("kernel shutdown: %s", exc)
            self.kill()
        finally:
            with contextlib.suppress(Exception):
                run_sync(self.km.cleanup_resources)()
            self.km = self.kc = None

    # -- signals (any thread)
    def interrupt(self) -> None:
        self._signal(signal.SIGINT)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        if self._pid is None:
            return
        with contextlib.suppress(OSError):
            os.killpg(os.getpgid(self._pid), sig)

    # -- messages
    async def _execute(
        self, code: str, timeout: float, user_expressions: dict | None = None
    ) -> dict[str, Any]:
        """Run ``code`` silently; return the reply's content, raise on error."""
        msg_id = self.kc.execute(
            code,
            silent=True,
            store_history=False,
            user_expressions=user_expressions or {},
            allow_stdin=False,
        )
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"kernel did not answer within {timeout:.0f} s")
            try:
                reply = await self.kc.get_shell_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not await self.km.is_alive():
                    raise KernelError("kernel died") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            content = reply["content"]
            if content.get("status") != "ok":
                raise KernelError(
                    f"{content.get('ename', 'error')}: {content.get('evalue', '')}"
                )
            return content


class KernelSlot:
    """A worker's kernel: started when needed, replaced when broken."""

    def __init__(self, number: int, cwd: Path, log_dir: Path, *, fresh: bool):
        self.number = number
        self.cwd = cwd
        self.log_path = log_dir / f"kernel-{number}.log"
        self.fresh = fresh
        self.kernel: Kernel | None = None
        self.started = 0  # kernels started by this slot

    def ready(self, stop: threading.Event | None = None) -> Kernel:
        """A live kernel with a clean namespace, started or reset as needed.

        Parameters
        ----------
        stop : threading.Event, optional
            Set by :meth:`KernelPool.close`: no further start is attempted.

        Returns
        -------
        Kernel
            The slot's kernel (also ``self.kernel``): the previous one reset when it
            ran a report and is still alive, else a new one.

        Raises
        ------
        KernelError
            No kernel could be started in :data:`START_ATTEMPTS` attempts.
        """
        kernel = self.kernel
        if kernel is not None:
            try:
                if not kernel.alive():
                    raise KernelError("kernel died between two reports")
                if kernel.reports:
                    kernel.reset()
                return kernel
            except Exception as exc:  # noqa: BLE001 - dead, hung or broken
                logger.warning("kernel %d replaced (%s)", self.number, exc)
                self.discard()
        error: Exception | None = None
        for attempt in range(1, START_ATTEMPTS + 1):
            if stop is not None and stop.is_set():
                break
            kernel = Kernel(self.cwd, self.log_path, preload=not self.fresh)
            self.kernel = kernel
            try:
                kernel.start()
            except Exception as exc:  # noqa: BLE001 - reported on the last attempt
                error = exc
                self.discard()
                if stop is not None and stop.is_set():
                    break  # killed by close(): nothing to report
                logger.warning(
                    "kernel %d: start failed (%s), attempt %d of %d",
                    self.number,
                    exc,
                    attempt,
                    START_ATTEMPTS,
                )
                time.sleep(0.5 * attempt)
                continue
            self.started += 1
            return kernel
        raise KernelError(f"kernel did not start: {error or 'interrupted'}")

    def done(self, *, broken: bool) -> None:
        """After a report: keep the kernel, or stop it if broken or fresh.

        Parameters
        ----------
        broken : bool
            Whether the report left the kernel unusable (died, hung, timed out).
        """
        if self.kernel is None:
            return
        self.kernel.reports += 1
        if broken or self.fresh:
            self.discard()

    def discard(self) -> None:
        if self.kernel is not None:
            self.kernel.kill()
            self.kernel.shutdown()
            self.kernel = None

    def log_size(self) -> int:
        """How many bytes the kernel's log holds: the offset for :meth:`copy_log`.

        Returns
        -------
        int
            The size of ``log_path``; 0 when it does not exist yet.
        """
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def copy_log(self, since: int, target: Path) -> None:
        """Copy what the kernel logged since offset ``since`` to ``target``.

        Parameters
        ----------
        since : int
            Byte offset in the kernel's log (:meth:`log_size` before the report).
        target : Path
            The report's log file, written atomically; a failure to copy is only
            logged.
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            with tmp.open("wb") as out:
                if self.log_path.exists():
                    with self.log_path.open("rb") as src:
                        src.seek(since)
                        shutil.copyfileobj(src, out)
            os.replace(tmp, target)
        except OSError as exc:  # a log is not worth failing a report for
            tmp.unlink(missing_ok=True)
            logger.debug("kernel log of %s not copied: %s", target.name, exc)


_END = object()


class KernelPool:
    """``size`` worker threads, each with its own kernel.

    Parameters
    ----------
    size : int
        Kernels (and threads).
    cwd : path
        Working directory of the kernels (the notebooks' folder).
    log_dir : path
        Where each kernel's own output goes (``kernel-<n>.log``).
    fresh : bool
        A new kernel, with no preload, for every report.
    """

    def __init__(
        self, size: int, cwd: Path, log_dir: Path, *, fresh: bool = False
    ) -> None:
        self.slots = [KernelSlot(i + 1, cwd, log_dir, fresh=fresh) for i in range(size)]
        self.stop = threading.Event()
        self._todo: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._work: Callable[[Any, KernelSlot], Any] | None = None
        self._pending = 0
        self._ready = threading.Event()

    def start(self) -> KernelPool:
        """Start the threads; warm kernels begin to start at once.

        Returns
        -------
        KernelPool
            ``self``, for chaining.
        """
        for slot in self.slots:
            thread = threading.Thread(
                target=self._worker, args=(slot,), name=f"noyau-{slot.number}"
            )
            thread.daemon = True
            thread.start()
            self._threads.append(thread)
        return self

    def submit(self, work: Callable[[Any, KernelSlot], Any], items: Iterable) -> None:
        """Queue ``work(item, slot)`` for every item; ``work`` must not raise.

        Parameters
        ----------
        work : callable
            ``work(item, slot)``, run in a pool thread with the slot whose kernel
            it may use; its result is what :meth:`results` yields.
        items : iterable
            The items to run, in order.
        """
        if not self._threads:
            self.start()
        self._work = work
        for item in items:
            self._pending += 1
            self._todo.put(item)
        for _ in self.slots:
            self._todo.put(_END)
        self._ready.set()

    def results(self, timeout: float | None = None) -> Iterator[tuple[Any, Any]]:
        """Yield ``(item, result)`` as reports finish, until none is pending.

        With ``timeout``, stop waiting after that many seconds. Items the pool
        did not start because it was interrupted come with ``None``; an item
        whose ``work`` raised comes with the exception.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait in all; None waits until every item is done.

        Yields
        ------
        tuple
            ``(item, result)``, in the order items finish.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._pending:
            if deadline is not None and time.monotonic() > deadline:
                return
            try:
                found = self._done.get(timeout=0.2)
            except queue.Empty:
                continue
            self._pending -= 1
            yield found

    def interrupt(self) -> None:
        """Stop taking items and interrupt the running cells (Ctrl-C)."""
        self.stop.set()
        self._ready.set()
        for slot in self.slots:
            if slot.kernel is not None:
                slot.kernel.interrupt()

    def close(self, timeout: float = 10.0) -> None:
        """Let the threads stop their kernels; kill what is still busy.

        Idle threads stop at once. A thread still busy (a kernel starting, or
        a report that ignored the interruption) gets its kernel killed, which
        ends what it was waiting for.

        Parameters
        ----------
        timeout : float, default 10.0
            Seconds to wait in all for the threads after the kills.
        """
        self.stop.set()
        self._ready.set()
        for _ in self.slots:
            self._todo.put(_END)
        for thread in self._threads:
            thread.join(0.5)
        for slot, thread in zip(self.slots, self._threads, strict=True):
            if thread.is_alive() and slot.kernel is not None:
                slot.kernel.kill()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _worker(self, slot: KernelSlot) -> None:
        try:
            if not slot.fresh:  # warm up before the first report arrives
                with contextlib.suppress(Exception):
                    slot.ready(self.stop)
            self._ready.wait()
            while True:
                item = self._todo.get()
                if item is _END:
                    break
                if self.stop.is_set() or self._work is None:
                    self._done.put((item, None))
                    continue
                try:
                    found = self._work(item, slot)
                except Exception as exc:  # a bug: report it, never hang the batch
                    logger.exception("report %s: unexpected error", item)
                    found = exc
                self._done.put((item, found))
        finally:
            slot.discard()


# --------------------------------------------------------------------- Papermill
def _engine_class():
    # lazy: jupyter_client and Papermill (about 1.5 s) only once a batch runs
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import Engine
    from papermill.log import logger as papermill_logger

    class WarmEngine(Engine):
        """Papermill engine executing a notebook on a kernel already running.

        Papermill's own ``nbclient`` engine starts a kernel per notebook and
        stops it; this one receives the kernel (``kernel=``, a :class:`Kernel`)
        and leaves it running. Parameters, cell tracking and the executed
        notebook are Papermill's as usual.
        """

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            *,
            kernel: Kernel,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=START_TIMEOUT,
            execution_timeout=None,
            **kwargs,
        ):
            client = PapermillNotebookClient(
                nb_man,
                km=kernel.km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=papermill_logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client.kc = kernel.kc  # the kept client: nothing is started
            return client.execute()

    return WarmEngine


_REGISTERED = False


def register_engine() -> str:
    """Register the warm engine with Papermill (once); return its name.

    Returns
    -------
    str
        The engine's name for Papermill's ``engine_name`` (:data:`ENGINE_NAME`).
    """
    global _REGISTERED
    if not _REGISTERED:
        # lazy: jupyter_client and Papermill (about 1.5 s) only once a batch runs
        from papermill.engines import papermill_engines

        papermill_engines.register(ENGINE_NAME, _engine_class())
        _REGISTERED = True
    return ENGINE_NAME
