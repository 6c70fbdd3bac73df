"""The built-in demo plan loads cleanly through the real loaders and tells its story."""

from __future__ import annotations

from data.demo import write_all
from loaders.importer import import_file


def test_demo_snapshots_load_without_warnings(tmp_path, con):
    results = [import_file(con, path) for path in write_all(tmp_path)]
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
