"""Every setting the project reads, in one place: named defaults, overridable by environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """A named setting: environment variable, default and a sentence of help."""

    env: str
    default: str
    help: str

    def value(self) -> str:
        return os.environ.get(self.env) or self.default


DB_PATH = Setting(
    "DASHBOARD_DB",
    str(PROJECT_ROOT / "data" / "dashboard.duckdb"),
    "Path of the DuckDB file the loaders write and the dashboard reads.",
)
OWN_AREA = Setting(
    "DASHBOARD_AREA",
    "",
    "The council this dashboard belongs to (its name as in DfE files, e.g. 'Leeds').",
)
MAX_UPLOAD_MB = Setting(
    "DASHBOARD_MAX_UPLOAD_MB",
    "50",
    "Largest spreadsheet accepted, in megabytes. Larger files are refused before reading.",
)
MAX_CELLS = Setting(
    "DASHBOARD_MAX_CELLS",
    "5000000",
    "Most cells read from one workbook; a guard against files that would exhaust memory.",
)


def db_path() -> Path:
    return Path(DB_PATH.value())


def own_area() -> str | None:
    return OWN_AREA.value().strip() or None


def max_upload_bytes() -> int:
    return int(float(MAX_UPLOAD_MB.value()) * 1024 * 1024)


def max_cells() -> int:
    return int(MAX_CELLS.value())


WORKER_MEMORY_MB = Setting(
    "DASHBOARD_WORKER_MEMORY_MB",
    "2048",
    "Most memory (address space) the worker reading one uploaded file may use, in megabytes.",
)
WORKER_SECONDS = Setting(
    "DASHBOARD_WORKER_SECONDS",
    "45",
    "Most CPU seconds the worker reading one uploaded file may use.",
)


def worker_memory_bytes() -> int:
    return int(float(WORKER_MEMORY_MB.value()) * 2**20)


def worker_seconds() -> int:
    return int(WORKER_SECONDS.value())


BENCHMARKS_URL = Setting(
    "DASHBOARD_BENCHMARKS_URL",
    "https://raw.githubusercontent.com/dfe-analytical-services/local-authority-interactive-tool/"
    "main/01_data/02_prod/",
    "Where the DfE publishes LAIT's national data set (bds_long_0.parquet) and its dictionary "
    "(lait_data_dictionary.csv): the address of the folder holding both.",
)


def benchmarks_url() -> str:
    return BENCHMARKS_URL.value().strip()
