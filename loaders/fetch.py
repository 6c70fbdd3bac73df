"""Fetch the DfE's national benchmarking figures (LAIT's data set and its measure dictionary)
from where they are published, and load them as one refresh replacing the previous set.

Both files are downloaded whole and read as ``import`` reads them (the same layouts, in
the contained worker) before anything is written. Then one transaction moves the previous
LAIT uploads to the bin and loads the dictionary and the data set, through the bin's and
the importer's own audited writes: the refresh lands whole or not at all.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.parse import urljoin, urlsplit

import duckdb

from loaders import access, settings
from loaders.access import Actor
from loaders.bin import remove_upload
from loaders.errors import LoaderError
from loaders.importer import ImportResult, check_loadable, interpret_file, write_parsed
from loaders.layouts import Layout, Options, ParsedFile
from loaders.layouts import lait as lait_layout
from loaders.store import saved_layout_map, transaction
from loaders.worker import run_contained

DICTIONARY_FILE = "lait_data_dictionary.csv"
DATASET_FILE = "bds_long_0.parquet"
SCHEMES = ("http", "https")
# Seconds the server may take to answer, or to send the next part of a file.
TIMEOUT_SECONDS = 60
CHUNK_BYTES = 2**20


class FetchFailed(LoaderError):
    """An address that is not http(s), or a download that did not arrive whole."""


@dataclass
class Refresh:
    """What one fetch did: the uploads it loaded, moved to the bin and kept as they were."""

    base_url: str
    loaded: list[ImportResult] = field(default_factory=list)
    binned: list[tuple[int, str]] = field(default_factory=list)  # (upload_id, file_name)
    kept: list[int] = field(default_factory=list)  # uploads already holding these bytes

    @property
    def up_to_date(self) -> bool:
        return not self.loaded


def base_address(url: str) -> str:
    """The folder's address, ending in a slash so the file names join onto it."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        raise FetchFailed(
            f"'{url}' is not an http or https address. Give the address of the folder holding "
            f"{DATASET_FILE} and {DICTIONARY_FILE} (by default {settings.BENCHMARKS_URL.default})."
        )
    return parts._replace(path=parts.path.rstrip("/") + "/").geturl()


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to another http(s) address (urllib would follow ftp too)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in SCHEMES:
            raise FetchFailed(
                f"{req.full_url} redirected to {newurl}, which is not an http or https "
                "address; nothing was loaded."
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str, file_name: str) -> bytes:
    """The bytes at ``url``: a whole 200 answer within the upload size limit, else refused."""
    limit = settings.max_upload_bytes()
    too_big = FetchFailed(
        f"{url} is larger than the {settings.MAX_UPLOAD_MB.value()} MB limit (setting "
        f"{settings.MAX_UPLOAD_MB.env}); the download was stopped and nothing was loaded.",
        file=file_name,
    )
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    try:
        with opener.open(url, timeout=TIMEOUT_SECONDS) as answer:
            if answer.status != 200:
                raise FetchFailed(
                    f"{url} answered {answer.status} {answer.reason}, not 200 OK; nothing "
                    "was loaded.",
                    file=file_name,
                )
            declared = answer.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_big
            parts, size = [], 0
            while chunk := answer.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise too_big
                parts.append(chunk)
    except urllib.error.HTTPError as exc:
        raise FetchFailed(
            f"{url} answered {exc.code} {exc.reason}; nothing was loaded. Check the address "
            f"(setting {settings.BENCHMARKS_URL.env}, or the command's URL).",
            file=file_name,
        ) from exc
    except urllib.error.URLError as exc:
        raise FetchFailed(
            f"{url} could not be reached ({exc.reason}); nothing was loaded. Check the "
            "address and this server's internet connection.",
            file=file_name,
        ) from exc
    except (OSError, HTTPException) as exc:  # a timeout or a dropped connection mid-file
        raise FetchFailed(
            f"The download of {url} stopped part-way ({exc or type(exc).__name__}); nothing "
            "was loaded. Try again.",
            file=file_name,
        ) from exc
    # urllib does not notice a connection closed early: compare with what was promised.
    if declared.isdigit() and size != int(declared):
        raise FetchFailed(
            f"The download of {url} stopped part-way ({size:,} of {int(declared):,} bytes); "
            "nothing was loaded. Try again.",
            file=file_name,
        )
    return b"".join(parts)


def _interpret(
    content: bytes, file_name: str, kind: str, reference: dict, saved: dict
) -> ParsedFile:
    """In the worker: the importer's reading, with the new dictionary as reference data."""
    parsed = interpret_file(
        content, file_name, kind=kind, options=Options(reference=reference), saved=saved.get
    )
    parsed.content = b""  # the caller has the bytes
    return parsed


def read_download(
    con: duckdb.DuckDBPyConnection,
    content: bytes,
    url: str,
    file_name: str,
    layout: Layout,
    reference: dict | None = None,
) -> ParsedFile:
    """A download read as ``import`` reads a file of ``layout``'s kind; refused, with the
    loaders' own message, unless it is loadable and would store something."""
    try:
        parsed = run_contained(
            _interpret, content, file_name, layout.kind, reference or {},
            saved_layout_map(con), file_name=file_name,
        )  # fmt: skip
        parsed.content = content
        check_loadable(parsed)
    except LoaderError as exc:
        exc.message = f"Downloaded from {url}: {exc.message}"
        exc.located(file_name)
        raise
    return parsed


def fetch_benchmarks(
    con: duckdb.DuckDBPyConnection, url: str | None = None, *, actor: Actor | None = None
) -> Refresh:
    """Download LAIT's dictionary and data set from ``url`` (default: the setting), check
    them, and load them in place of the previous LAIT uploads, which go to the bin.

    Nothing changes when both files are already loaded. A dictionary already loaded is
    kept; the data set is loaded again even when its bytes are not new, since a new
    dictionary may name its measures differently. Needs the admin role (it bins uploads)."""
    actor = access.acting(actor, "upload")
    access.require(actor, "upload removed")
    base = base_address(url or settings.benchmarks_url())
    dictionary_url, dataset_url = urljoin(base, DICTIONARY_FILE), urljoin(base, DATASET_FILE)
    dictionary_bytes = download(dictionary_url, DICTIONARY_FILE)
    dataset_bytes = download(dataset_url, DATASET_FILE)
    dictionary = read_download(
        con, dictionary_bytes, dictionary_url, DICTIONARY_FILE, lait_layout.DICTIONARY
    )
    reference = {"measure_dictionary": dictionary.extra_rows["measure_dictionary"]}
    dataset = read_download(
        con, dataset_bytes, dataset_url, DATASET_FILE, lait_layout.DATASET, reference
    )

    current = con.execute(
        "SELECT upload_id, file_name, sha256 FROM upload_files WHERE layout IN (?, ?) "
        "ORDER BY upload_id",
        [lait_layout.DICTIONARY.name, lait_layout.DATASET.name],
    ).fetchall()
    by_sha = {sha: upload_id for upload_id, _, sha in current}
    refresh = Refresh(base)
    if dictionary.sha256 in by_sha and dataset.sha256 in by_sha:
        refresh.kept = [by_sha[dictionary.sha256], by_sha[dataset.sha256]]
        return refresh
    keep = by_sha.get(dictionary.sha256)
    refresh.kept = [keep] if keep else []
    refresh.binned = [(upload_id, name) for upload_id, name, _ in current if upload_id != keep]
    with transaction(con):  # the writes below join it (store.transaction)
        for upload_id, _ in refresh.binned:
            remove_upload(con, upload_id, actor)
        if keep is None:
            refresh.loaded.append(write_parsed(con, dictionary, actor=actor))
        refresh.loaded.append(write_parsed(con, dataset, actor=actor))
    return refresh
