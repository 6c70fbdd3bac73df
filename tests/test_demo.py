"""The built-in demo plan loads cleanly through the real loaders and tells its story."""

from __future__ import annotations

from data.demo import write_all
from loaders.importer import import_file


def test_demo_snapshots_load_without_warnings(tmp_path, con):
    results = [import_file(con, path) for path in write_all(tmp_path)[:4]]
    assert [r.parsed.warnings for r in results] == [[], [], [], []]
    assert {r.parsed.plan for r in results} == {"Post Ofsted Action Plan"}
    assert [str(r.parsed.as_of) for r in results] == [
        "2018-01-31",
        "2018-02-28",
        "2018-03-31",
        "2018-04-30",
    ]
    latest = dict(con.execute("SELECT rag, count(*) FROM actions_latest GROUP BY rag").fetchall())
    assert latest == {"Complete": 9, "Green": 8, "Amber": 5, "Red": 1}
    # the story: completions, re-dating and an overdue action in the latest month
    assert con.execute("SELECT count(*) FROM slippage WHERE days_redated > 0").fetchone() == (7,)
    assert con.execute("SELECT ref FROM slippage WHERE overdue").fetchall() == [("4b",)]
    improved = con.execute(
        "SELECT count(*) FROM action_changes WHERE rag_before <> rag_after"
    ).fetchone()[0]
    assert improved == 26


def test_demo_kpis_have_targets_polarity_and_benchmarks(tmp_path, con):
    result = import_file(con, write_all(tmp_path)[4], area="Anytown")
    assert result.parsed.warnings == []
    latest = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT indicator, value, previous_value, target, polarity, rag FROM kpi_latest "
            "WHERE area = 'Anytown' AND breakdown IS NULL"
        ).fetchall()
    }
    assert latest["Immunisations up to date"] == (92.4, 90.7, 95.0, "higher", "Amber")
    assert latest["SDQ average score"] == (13.8, 13.2, 14.0, "lower", "Green")
    benchmarks = con.execute(
        "SELECT DISTINCT area FROM kpi_values WHERE is_benchmark ORDER BY 1"
    ).fetchall()
    assert benchmarks == [("England",), ("Statistical neighbours",)]
    years = con.execute(
        "SELECT count(DISTINCT period_label) FROM kpi_values WHERE indicator = 'Dental checks'"
    ).fetchone()
    assert years == (4,)
