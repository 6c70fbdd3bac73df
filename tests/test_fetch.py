"""python -m loaders fetch-benchmarks: LAIT's national files downloaded from a web server on
127.0.0.1, checked and loaded as one refresh (the trimmed published files in tests/data,
and the full ones from ../shared/real-data when they are there)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from loaders import access, cli, fetch
from loaders.bin import binned_uploads
from loaders.errors import LoaderError
from tests.helpers import (
    FULL_DATASET,
    FULL_DICTIONARY,
    LAIT_DATASET,
    LAIT_DICTIONARY,
    running_dashboard,
)

DATASET, DICTIONARY = LAIT_DATASET, LAIT_DICTIONARY
UPLOADS = "SELECT upload_id, file_name, kind FROM upload_files ORDER BY upload_id"


class _Handler(SimpleHTTPRequestHandler):
    """Serves the folder, with redirects and answers without a Content-Length on request."""

    def do_GET(self) -> None:
        target = self.server.redirects.get(self.path)
        if target:
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
        elif self.path in self.server.unsized:  # as a server streaming a file would
            self.protocol_version = "HTTP/1.0"
            self.send_response(200)
            self.end_headers()
            self.wfile.write((Path(self.directory) / self.path.lstrip("/")).read_bytes())
        else:
            super().do_GET()

    def log_message(self, *args) -> None:
        pass


@dataclass
class Published:
    folder: Path
    url: str
    server: ThreadingHTTPServer
    written: dict[str, bytes] = field(default_factory=dict)

    def publish(self, dataset: bytes | None = None, dictionary: bytes | None = None) -> None:
        """Put the two files in the folder (by default the trimmed published ones)."""
        for name, content in (
            (fetch.DATASET_FILE, dataset if dataset is not None else DATASET.read_bytes()),
            (
                fetch.DICTIONARY_FILE,
                dictionary if dictionary is not None else DICTIONARY.read_bytes(),
            ),
        ):
            (self.folder / name).write_bytes(content)
            self.written[name] = content


@pytest.fixture
def served(tmp_path):
    """A web server on 127.0.0.1 (a free port) publishing an empty folder at /lait/."""
    root = tmp_path / "site"
    (root / "lait").mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
    server.redirects, server.unsized = {}, set()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield Published(root / "lait", f"http://127.0.0.1:{server.server_address[1]}/lait/", server)
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def published(served):
    """The server publishing the trimmed files."""
    served.publish()
    return served


def run(con, capsys, *argv: str) -> tuple[int, str, str]:
    """The command as the command line runs it on an open database: (status, out, err)."""
    args = cli.build_parser().parse_args(["fetch-benchmarks", *argv])
    status = cli.run(con, args, access.command_line())
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def without(short: str) -> bytes:
    """The trimmed data set without one measure's rows."""
    table = pq.read_table(DATASET)
    sink = pa.BufferOutputStream()
    pq.write_table(table.filter(pc.not_equal(table["Short Desc"], short)), sink)
    return sink.getvalue().to_pybytes()


def indicators(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT DISTINCT indicator FROM kpi_values").fetchall()}


def figures_in(dataset: Path) -> tuple[int, int]:
    """(rows with a year, rows whose Values is a number) of a LAIT data set, read directly."""
    with duckdb.connect() as reader:
        return reader.execute(
            'SELECT count(*) FILTER (WHERE "Years" <> \'0\'), count(TRY_CAST("Values" AS DOUBLE)) '
            "FILTER (WHERE \"Years\" <> '0') FROM read_parquet(?)",
            [str(dataset)],
        ).fetchone()


def test_a_fresh_fetch_loads_the_dictionary_then_the_data_set(con, published, capsys, monkeypatch):
    monkeypatch.setenv("DASHBOARD_BENCHMARKS_URL", published.url)  # no URL given: the setting
    status, out, err = run(con, capsys)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("lait_data_dictionary.csv: dictionary, 16 measures")
    assert lines[1].startswith("bds_long_0.parquet: metrics, ")
    assert con.execute(UPLOADS).fetchall() == [
        (1, "lait_data_dictionary.csv", "dictionary"),
        (2, "bds_long_0.parquet", "metrics"),
    ]
    stored = dict(con.execute("SELECT file_name, content FROM upload_files").fetchall())
    assert stored == published.written  # the original bytes, as import keeps them
    with_year, numbers = figures_in(DATASET)
    assert con.execute("SELECT count(*), count(value) FROM kpi_values").fetchone() == (
        with_year,
        numbers,
    )
    assert len(indicators(con)) == 14 and "Primary Free School Meals" in indicators(con)


def test_a_changed_data_set_bins_the_previous_one(con, published, capsys):
    assert run(con, capsys, published.url)[0] == 0
    rta = "Children killed or seriously injured in road traffic accidents"
    assert rta in indicators(con)
    published.publish(dataset=without("RTA"))
    status, out, _ = run(con, capsys, published.url.rstrip("/"))  # the folder, without a slash
    assert status == 0
    assert out.splitlines()[0] == (
        "lait_data_dictionary.csv: unchanged, already loaded as upload 1; kept."
    )
    assert out.splitlines()[-1] == (
        "Moved the previous national set to the bin: upload 2 (bds_long_0.parquet); bring one "
        "back with: python -m loaders restore-upload UPLOAD_ID"
    )
    assert con.execute(UPLOADS).fetchall() == [
        (1, "lait_data_dictionary.csv", "dictionary"),
        (3, "bds_long_0.parquet", "metrics"),
    ]
    assert binned_uploads(con)["upload_id"].tolist() == [2]  # restorable
    assert rta not in indicators(con) and len(indicators(con)) == 13


def test_a_new_dictionary_reloads_the_same_data_set_under_its_names(con, published, capsys):
    assert run(con, capsys, published.url)[0] == 0
    renamed = DICTIONARY.read_bytes().replace(
        b',"Primary Free School Meals",', b',"Primary pupils eligible for free school meals",'
    )
    published.publish(dictionary=renamed)
    assert run(con, capsys, published.url)[0] == 0
    # both go to the bin; the data set's same bytes are loaded again, named by the new dictionary
    assert con.execute(UPLOADS).fetchall() == [
        (3, "lait_data_dictionary.csv", "dictionary"),
        (4, "bds_long_0.parquet", "metrics"),
    ]
    assert sorted(binned_uploads(con)["upload_id"]) == [1, 2]
    assert "Primary pupils eligible for free school meals" in indicators(con)
    assert "Primary Free School Meals" not in indicators(con)


def test_an_identical_fetch_says_up_to_date_and_changes_nothing(con, published, capsys, db_state):
    assert run(con, capsys, published.url)[0] == 0
    before = db_state()
    status, out, err = run(con, capsys, published.url)
    assert (status, err) == (0, "")
    assert out == (
        f"National figures are already up to date: the files at {published.url} are loaded "
        "as upload 1 and upload 2; nothing was changed.\n"
    )
    assert db_state() == before


def _html(published):
    (published.folder / fetch.DATASET_FILE).write_bytes(
        b"<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>"
    )


def _all_suppressed(published):
    table = pq.read_table(DATASET)
    values = table.column_names.index("Values")
    table = table.set_column(values, "Values", pa.array(["c"] * table.num_rows))
    pq.write_table(table, published.folder / fetch.DATASET_FILE)


def _dictionary_as_data_set(published):
    (published.folder / fetch.DATASET_FILE).write_bytes(DICTIONARY.read_bytes())


def _html_dictionary(published):
    (published.folder / fetch.DICTIONARY_FILE).write_bytes(b"<html><body>Moved</body></html>")


def _missing(published):
    (published.folder / fetch.DATASET_FILE).unlink()


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_missing, "Error: bds_long_0.parquet: {url}bds_long_0.parquet answered 404 "),
        (_html, "Error: bds_long_0.parquet: Downloaded from {url}bds_long_0.parquet: No table "
                "was found. The loader looks for "),
        (_dictionary_as_data_set, "Error: bds_long_0.parquet: Downloaded from "
                                  "{url}bds_long_0.parquet: No table was found."),
        (_all_suppressed, "Error: bds_long_0.parquet: Downloaded from {url}bds_long_0.parquet: "
                          "Nothing in this file would be stored"),
        (_html_dictionary, "Error: lait_data_dictionary.csv, sheet 'lait_data_dictionary': "
                           "Downloaded from {url}lait_data_dictionary.csv: No table was found "
                           "(sheets looked at: 'lait_data_dictionary'). The loader looks for the "
                           "LAIT measure dictionary"),
    ],
    ids=["404", "html page", "dictionary as data set", "all suppressed", "html dictionary"],
)  # fmt: skip
def test_a_bad_download_is_refused_and_changes_nothing(
    con, published, capsys, db_state, spoil, message
):
    assert run(con, capsys, published.url)[0] == 0
    before = db_state()
    spoil(published)
    status, out, err = run(con, capsys, published.url)
    assert (status, out) == (1, "")
    assert err.startswith(message.format(url=published.url)), err
    assert db_state() == before


def test_a_failure_while_writing_leaves_the_database_as_it_was(
    con, published, capsys, db_state, monkeypatch
):
    assert run(con, capsys, published.url)[0] == 0
    published.publish(without("RTA"), DICTIONARY.read_bytes() + b"\n")
    before = db_state()
    real = fetch.write_parsed

    def fails_after_the_data_set(con, parsed, *args, **kwargs):
        result = real(con, parsed, *args, **kwargs)
        if parsed.file_name == fetch.DATASET_FILE:  # binned, both written: then a failure
            raise LoaderError("The disk is full.", file=parsed.file_name)
        return result

    monkeypatch.setattr(fetch, "write_parsed", fails_after_the_data_set)
    status, _, err = run(con, capsys, published.url)
    assert (status, err) == (1, "Error: bds_long_0.parquet: The disk is full.\n")
    assert db_state() == before
    monkeypatch.undo()
    assert run(con, capsys, published.url)[0] == 0  # and the connection is usable again


@pytest.mark.parametrize(
    "url", ["file:///etc/", "ftp://127.0.0.1/lait/", "127.0.0.1/lait/", "http:///lait/"]
)
def test_only_http_addresses(con, capsys, db_state, url):
    before = db_state()
    status, _, err = run(con, capsys, url)
    assert status == 1
    assert err.startswith(f"Error: '{url}' is not an http or https address.")
    assert db_state() == before


def test_the_folder_address():
    assert fetch.base_address(" https://example.org/lait ") == "https://example.org/lait/"
    assert fetch.base_address("http://example.org/a/?v=2") == "http://example.org/a/?v=2"


def test_a_redirect_away_from_http_is_refused(con, published, capsys):
    published.server.redirects["/lait/lait_data_dictionary.csv"] = "ftp://127.0.0.1/x.csv"
    status, _, err = run(con, capsys, published.url)
    assert status == 1
    assert err.startswith(
        f"Error: {published.url}lait_data_dictionary.csv redirected to ftp://127.0.0.1/x.csv, "
        "which is not an http or https address"
    )


@pytest.mark.parametrize("sized", [True, False])
def test_a_download_past_the_size_limit_is_stopped(
    con, published, capsys, db_state, monkeypatch, sized
):
    monkeypatch.setenv("DASHBOARD_MAX_UPLOAD_MB", "0.02")  # 20 KB: the data set is 15 KB
    if not sized:  # no Content-Length: stopped by counting what arrives
        published.server.unsized.add("/lait/lait_data_dictionary.csv")
    before = db_state()
    status, _, err = run(con, capsys, published.url)
    assert status == 1
    assert err == (
        f"Error: lait_data_dictionary.csv: {published.url}lait_data_dictionary.csv is larger "
        "than the 0.02 MB limit (setting DASHBOARD_MAX_UPLOAD_MB); the download was stopped "
        "and nothing was loaded.\n"
    )
    assert db_state() == before


def test_handed_to_a_running_dashboard_and_audited_as_the_command_line(tmp_path, published):
    db = tmp_path / "dash.duckdb"
    with running_dashboard(db) as dashboard:
        assert cli.main(["fetch-benchmarks", published.url, "--db", str(db)]) == 0
        published.publish(dataset=without("RTA"))
        assert cli.main(["fetch-benchmarks", published.url, "--db", str(db)]) == 0
        trail = access.audit_trail(dashboard)
    assert trail["action"].tolist() == ["upload", "upload removed", "upload", "upload"]
    assert trail["target"].tolist() == ["upload 3", "upload 2", "upload 2", "upload 1"]
    assert set(trail["how"]) == {"command line"}
    assert all(who.endswith(" (command line)") for who in trail["who"])


@pytest.mark.skipif(
    not (FULL_DATASET.exists() and FULL_DICTIONARY.exists()),
    reason="the full LAIT files are in ../shared/real-data",
)
def test_the_full_published_files(con, served, capsys):
    served.publish(FULL_DATASET.read_bytes(), FULL_DICTIONARY.read_bytes())
    status, out, err = run(con, capsys, served.url)
    assert (status, err) == (0, "")
    with_year, numbers = figures_in(FULL_DATASET)
    assert (with_year, numbers) == (640_900, 547_187)  # 641,070 rows, 170 with year "0"
    assert con.execute("SELECT count(*), count(value) FROM kpi_values").fetchone() == (
        with_year,
        numbers,
    )
    assert f"{numbers} figures ({with_year - numbers} missing) for 434 indicators" in out
