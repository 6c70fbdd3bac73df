"""The downloadable templates load as they are, with no edits to the layout."""

from __future__ import annotations

from data.templates import action_plan_template, kpi_template
from loaders.importer import parse_file


def test_action_plan_template_loads_without_edits():
    parsed = parse_file(action_plan_template(), "action_plan_template.xlsx")
    assert parsed.kind == "actions" and parsed.warnings == []
    assert parsed.plan == "Post Ofsted Action Plan" and str(parsed.as_of) == "2026-01-01"
    [action] = parsed.actions
    assert (action.ref, action.lead, action.rag, str(action.timescale.due_date)) == (
        "1.1",
        "Head of Service",
        "Green",
        "2026-03-31",
    )


def test_kpi_template_loads_without_edits():
    parsed = parse_file(kpi_template(), "kpi_return_template.xlsx", area="Anytown")
    assert parsed.kind == "metrics" and parsed.warnings == []
    figures = parsed.metrics.figures.to_pylist()
    assert [(f["indicator"], f["period_label"], f["value"], f["unit"]) for f in figures] == [
        ("Immunisations up to date", "2025/26", 93.5, "%"),
        ("Average caseload per social worker", "Q1 2025/26", 17.2, None),
    ]
    targets = parsed.metrics.targets.to_pylist()
    assert [(t["indicator"], t["target"]) for t in targets] == [
        ("Immunisations up to date", 95.0),
        ("Average caseload per social worker", 18.0),
    ]
