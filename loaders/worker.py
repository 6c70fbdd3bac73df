"""Untrusted files are read in a contained worker process, never in the dashboard's own.

A reader that aborts (a native panic), hangs or balloons on a hostile file ends only its
worker: the worker runs with limits on address space and CPU time per file, the parent
waits a bounded wall-clock time and refuses an oversized result, and every way it can fail
comes back as a located ``LoaderError`` with a plain sentence. The worker is forked from a
forkserver that has the loaders imported and reads file after file until one ends it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import resource
import secrets
import sys
import threading
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from loaders import settings
from loaders.errors import LoaderError

log = logging.getLogger(__name__)

# Modules the forkserver imports once, so a worker starts with them loaded: the loaders and
# what they import only when a file first needs it (otherwise every worker, starting cold,
# paid ~0.4 s of imports). Importing starts no DuckDB connection, so forking stays safe.
PRELOAD = [
    "loaders.importer", "loaders.readers.xlsx", "loaders.readers.xls", "loaders.readers.csv",
    "openpyxl", "openpyxl.styles.stylesheet", "pandas", "numpy.ma", "pyarrow.csv",
    "pyarrow.parquet", "pyarrow.compute", "python_calamine", "xlrd",
]  # fmt: skip
SETTINGS_PREFIX = "DASHBOARD_"
# A worker's answer may not exceed this many bytes (a file's figures, pickled).
MAX_RESULT_BYTES = 512 * 2**20


class WorkerFailed(LoaderError):
    """The contained reader stopped without an answer (memory, time, a native crash)."""


_context_lock = threading.Lock()
_context: Any = None


def _mp_context():
    """The forkserver context, set up once per process (it starts on the first file)."""
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


# multiprocessing re-runs the parent's __main__ in each worker unless it is a package's
# __main__; under Streamlit (and its AppTest) __main__ is the app script itself, which would
# start the dashboard inside the worker. A worker needs nothing from __main__.
_PLAIN_MAIN = types.ModuleType("__main__")
_main_lock = threading.Lock()


def _start(process) -> None:
    with _main_lock:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = _PLAIN_MAIN
        try:
            process.start()
        finally:
            if sys.modules.get("__main__") is _PLAIN_MAIN:
                sys.modules["__main__"] = main


def _job(fn, args, kwargs, memory: int, cpu: int, env: dict, file_name: str):
    """(kind, value, whether the worker had read other files first) of one job; a worker
    that died is "died" with its exit code; one that overran is retired and refused."""
    global _worker
    worker = _worker_for(memory)
    seasoned = worker.jobs > 0
    worker.jobs += 1
    try:
        worker.conn.send_bytes(pickle.dumps((fn, args, kwargs, cpu, env)))
        if not worker.conn.poll(cpu + 15):  # wall clock: CPU time plus waiting on the disk
            _retire(worker)
            _worker = None
            raise _failed(file_name, f"took longer than {cpu} seconds")
        kind, value = pickle.loads(worker.conn.recv_bytes())
    except (EOFError, OSError):
        worker.process.join(5)
        code = worker.process.exitcode
        _retire(worker)
        _worker = None
        return "died", code, seasoned
    if kind in ("memory", "crash") or not worker.process.is_alive():
        worker.process.join(1)
        _retire(worker)
        _worker = None
    return kind, value, seasoned


def _outcome(fn: Callable, args: tuple, kwargs: dict) -> tuple[str, Any]:
    """(kind, value) of one job: ok, error (a LoaderError), memory, or crash (a traceback)."""
    try:
        return "ok", fn(*args, **kwargs)
    except LoaderError as exc:
        return "error", exc
    except MemoryError:
        return "memory", None
    except BaseException as exc:
        return "crash", "".join(traceback.format_exception(exc))[-20000:]


def _serve(conn, memory: int) -> None:
    """The worker: jobs one after another, each under its own CPU allowance, until a job
    leaves it in doubt (out of memory, a crash) or the dashboard closes the pipe."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core files of a crashed reader
    while True:
        try:
            fn, args, kwargs, cpu, env = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        # The forkserver's environment is from when it started: take the dashboard's
        # settings as they are now (a test or an officer may have changed a limit since).
        for name in [n for n in os.environ if n.startswith(SETTINGS_PREFIX)]:
            del os.environ[name]
        os.environ.update(env)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (used + cpu, resource.RLIM_INFINITY))
        kind, value = _outcome(fn, args, kwargs)
        try:
            payload = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            kind, payload = "crash", pickle.dumps(("crash", f"unpicklable result: {exc!r}"))
        if len(payload) > MAX_RESULT_BYTES:
            payload = pickle.dumps(("too big", len(payload)))
        conn.send_bytes(payload)
        if kind in ("memory", "crash") or _address_space() > memory // 2:
            return  # in doubt, or grown (threads, pools) towards its limit: a fresh one next


def _address_space() -> int:
    """This process's virtual memory size in bytes (what RLIMIT_AS limits)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class _Worker:
    process: Any
    conn: Any
    memory: int
    jobs: int = 0


_worker_lock = threading.Lock()  # one file at a time through the worker
_worker: _Worker | None = None
# A worker is replaced after this many files, so nothing it holds grows without bound.
RECYCLE_AFTER = 200


def _retire(worker: _Worker | None) -> None:
    if worker is None:
        return
    worker.conn.close()
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(5)


def _worker_for(memory: int) -> _Worker:
    """The running worker, or a new one (forked from the forkserver) if it is gone, has a
    different memory limit, or has read enough files."""
    global _worker
    current = _worker
    usable = current and current.process.is_alive() and current.memory == memory
    if usable and current.jobs < RECYCLE_AFTER:
        return current
    _retire(current)
    ctx = _mp_context()
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child, memory), daemon=True)
    _start(process)
    child.close()
    _worker = _Worker(process, parent, memory)
    return _worker


def run_contained(fn: Callable, *args: Any, file_name: str, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in the limited worker; its LoaderError is raised here as is.

    One long-lived worker reads file after file (its caches stay warm, a file costs no
    fork); a file that ends it, overruns or exhausts it gets a located refusal and the next
    file a fresh worker. A failure in a worker that had read other files first is tried
    once more in a fresh one, so what an earlier file left behind never refuses this one."""
    memory = settings.worker_memory_bytes()
    cpu = settings.worker_seconds()
    env = {k: v for k, v in os.environ.items() if k.startswith(SETTINGS_PREFIX)}
    with _worker_lock:
        kind, value, seasoned = _job(fn, args, kwargs, memory, cpu, env, file_name)
        if kind in ("memory", "crash", "died") and seasoned:
            kind, value, _ = _job(fn, args, kwargs, memory, cpu, env, file_name)
    if kind == "died":
        raise _failed(file_name, _death(value, memory))
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "memory":
        raise _failed(file_name, f"needed more than {memory / 2**20:,.0f} MB of memory")
    if kind == "too big":
        raise _failed(
            file_name, f"gave {value / 2**20:,.0f} MB of rows, more than the dashboard holds"
        )
    incident = secrets.token_hex(4)
    log.error("reader crash %s reading %s:\n%s", incident, file_name, value)
    raise WorkerFailed(
        f"The file could not be read: the reader failed (error {incident}, logged for the "
        "dashboard's administrator). Open it in Excel, save a fresh copy and upload that; if "
        "it still fails, send the file and this error number to the administrator.",
        file=file_name,
    )


def _death(exitcode: int | None, memory: int) -> str:
    if exitcode is not None and exitcode < 0:
        import signal

        name = signal.Signals(-exitcode).name
        if name == "SIGXCPU":
            return "used more than its time limit"
        if name in ("SIGABRT", "SIGSEGV", "SIGBUS", "SIGKILL"):
            return (
                f"stopped the reader ({name}), most likely by asking for more than the "
                f"{memory / 2**20:,.0f} MB of memory a file may use"
            )
        return f"stopped the reader ({name})"
    return "stopped the reader without an answer"


def _failed(file_name: str, what: str) -> WorkerFailed:
    return WorkerFailed(
        f"The file could not be read safely: it {what}. It may be damaged, or far larger "
        "inside than it looks. Open it in Excel, delete unused sheets, rows and formatting, "
        "save a fresh copy and upload that.",
        file=file_name,
    )
