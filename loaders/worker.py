"""Untrusted files are read in a contained worker process, never in the dashboard's own.

A reader that aborts (a native panic), hangs or balloons on a hostile file ends only its
worker: the worker runs with limits on address space and CPU time, the parent waits a
bounded wall-clock time and refuses an oversized result, and every way it can fail comes
back as a located ``LoaderError`` with a plain sentence. Workers are forked from one
forkserver that has the loaders imported, so each file costs a fork, not a Python start.
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


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core files of a crashed reader


def _child(
    conn, fn: Callable, args: tuple, kwargs: dict, memory: int, cpu: int, env: dict[str, str]
) -> None:
    """Run ``fn`` under limits and send back ("ok", result) or ("error", exception)."""
    try:
        # The forkserver's environment is from when it started: take the dashboard's settings
        # as they are now (a test or an officer may have changed a limit since).
        for name in [n for n in os.environ if n.startswith(SETTINGS_PREFIX)]:
            del os.environ[name]
        os.environ.update(env)
        _limit(memory, cpu)
        result = fn(*args, **kwargs)
        payload = pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)
    except LoaderError as exc:
        payload = pickle.dumps(("error", exc))
    except MemoryError:
        payload = pickle.dumps(("memory", None))
    except BaseException as exc:
        payload = pickle.dumps(("crash", "".join(traceback.format_exception(exc))[-20000:]))
    try:
        if len(payload) > MAX_RESULT_BYTES:
            payload = pickle.dumps(("too big", len(payload)))
        conn.send_bytes(payload)
    finally:
        conn.close()


def run_contained(fn: Callable, *args: Any, file_name: str, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in a limited worker; its LoaderError is raised here as is."""
    memory = settings.worker_memory_bytes()
    cpu = settings.worker_seconds()
    ctx = _mp_context()
    parent, child = ctx.Pipe(duplex=False)
    env = {k: v for k, v in os.environ.items() if k.startswith(SETTINGS_PREFIX)}
    process = ctx.Process(
        target=_child, args=(child, fn, args, kwargs, memory, cpu, env), daemon=True
    )
    _start(process)
    child.close()
    try:
        if not parent.poll(cpu + 15):  # wall clock: CPU time plus waiting on the disk
            raise _failed(file_name, f"took longer than {cpu} seconds")
        try:
            kind, value = pickle.loads(parent.recv_bytes())
        except (EOFError, OSError):
            process.join(5)
            raise _failed(file_name, _death(process.exitcode, memory)) from None
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join(5)
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
