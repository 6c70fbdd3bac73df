"""Command-line work while the dashboard runs.

DuckDB lets one process at a time write a database file, and the running dashboard holds
its file open. So while it runs, ``python -m loaders ...`` hands its command to it: the
command is written into the requests folder beside the database, the dashboard's watcher
thread runs it with the dashboard's own connection (the same code as on the command line),
and writes the output and exit status beside it, which the command line prints. Pages go on
answering throughout; the next view shows what the command changed.

When no dashboard holds the file, the command line opens it itself, waiting its turn while
another command line has it.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

HEARTBEAT_SECONDS = 1.0
ALIVE_WITHIN = 5.0  # a heartbeat older than this is a dashboard that has stopped
POLL_SECONDS = 0.25


def requests_folder(db: Path) -> Path:
    return db.with_name(db.name + ".requests")


def _heartbeat(folder: Path) -> Path:
    return folder / "dashboard.alive"


def dashboard_alive(db: Path) -> bool:
    """True while a dashboard process is watching this database's requests folder."""
    beat = _heartbeat(requests_folder(db))
    try:
        pid = int(beat.read_text(encoding="utf-8"))
        fresh = time.time() - beat.stat().st_mtime < ALIVE_WITHIN
    except (OSError, ValueError):
        return False
    if not fresh:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, run by another user
    return True


def submit(db: Path, request: dict, timeout: float) -> dict:
    """Hand one command to the dashboard and wait for its result:
    ``{"status": int, "out": str, "err": str}``."""
    folder = requests_folder(db)
    name = uuid.uuid4().hex
    draft, ready = folder / f"{name}.draft", folder / name
    draft.mkdir(parents=True)
    (draft / "request.json").write_text(json.dumps(request), encoding="utf-8")
    draft.rename(ready)  # the watcher sees a request only when it is whole
    result = ready / "result.json"
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if result.exists():
                return json.loads(result.read_text(encoding="utf-8"))
            if not dashboard_alive(db):
                return _failed("The dashboard stopped before it ran the command; run it again.")
            time.sleep(POLL_SECONDS)
        return _failed(
            f"The dashboard did not finish the command within {timeout:.0f} seconds; it may "
            "still complete. Check the Data page's upload history before running it again."
        )
    finally:
        shutil.rmtree(ready, ignore_errors=True)


def _failed(message: str) -> dict:
    return {"status": 1, "out": "", "err": f"Error: {message}\n"}


Runner = Callable[[dict], dict]


class Watcher(threading.Thread):
    """In the dashboard: beats the heartbeat and runs each request handed to it, in turn."""

    def __init__(self, db: Path, run: Runner) -> None:
        super().__init__(name="loaders-handoff", daemon=True)
        self.db = db
        self.folder = requests_folder(db)
        self.run_request = run
        self.stopping = threading.Event()

    def run(self) -> None:
        # The heartbeat has its own thread: a long import must not look like a dashboard
        # that has stopped to the command line waiting for it.
        beating = threading.Thread(target=self._beating, name="loaders-heartbeat", daemon=True)
        beating.start()
        while not self.stopping.is_set() and self.db.exists():
            for request in sorted(self.folder.glob("*/request.json")):
                if request.parent.suffix or (request.parent / "result.json").exists():
                    continue
                try:
                    self._answer(request)
                except OSError:
                    continue  # the command line gave up and took its request away
            self.stopping.wait(POLL_SECONDS)
        self.stopping.set()
        beating.join()

    def _beating(self) -> None:
        beat = _heartbeat(self.folder)
        while not self.stopping.is_set() and self.db.exists():
            self._beat(beat)
            self.stopping.wait(HEARTBEAT_SECONDS)
        beat.unlink(missing_ok=True)

    def _beat(self, beat: Path) -> None:
        """Say the dashboard is here, making the folder if it went (never its parents: a
        database whose folder has gone ends the loop instead)."""
        try:
            # Only the dashboard's own user may hand it commands (each acts as admin).
            self.folder.mkdir(mode=0o700, exist_ok=True)
            fresh = beat.with_suffix(".beating")
            fresh.write_text(str(os.getpid()), encoding="utf-8")
            fresh.replace(beat)  # whole, never an empty file read halfway through a write
        except OSError:
            pass

    def _answer(self, request: Path) -> None:
        try:
            result = self.run_request(json.loads(request.read_text(encoding="utf-8")))
        except Exception as exc:  # a request must never end the watcher
            result = _failed(f"The dashboard could not run the command ({type(exc).__name__}).")
        partial = request.parent / "result.partial"
        partial.write_text(json.dumps(result), encoding="utf-8")
        partial.rename(request.parent / "result.json")

    def stop(self) -> None:
        self.stopping.set()
