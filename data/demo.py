"""Demo data written for this project: a post-Ofsted plan re-issued over four months,
and a council KPI return with four years of figures, targets and benchmarks.

The spreadsheets are laid out as officers keep them (title lines, merged recommendation
cells, RAG as fill colour with a key, a repeated header, milestone timescales), so the
demo goes through the real loaders. Run `python -m data.demo OUT_DIR` to write them.
The council is fictional ("Anytown"); the KPI values echo those published in real
council papers.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill

COUNCIL = "Anytown Borough Council Children's Services"
PLAN_TITLE = "Post Ofsted Action Plan"
SNAPSHOTS = ("31 January 2018", "28 February 2018", "31 March 2018", "30 April 2018")
FILLS = {"B": "00B0F0", "G": "92D050", "A": "FFC000", "R": "FF0000"}
HEADER = [
    "Rec",
    "Ofsted recommendation",
    "Ref",
    "Action",
    "Lead officer",
    "Timescale",
    "Progress update",
    "Cost implications",
    "RAG",
]

RECOMMENDATIONS = [
    "Ensure that management oversight and supervision are regular, recorded and challenge drift.",
    "Improve the timeliness of initial health assessments for children coming into care.",
    "Ensure that pathway plans for care leavers are up to date and reflect their views.",
    "Strengthen the use of the public law outline so that pre-proceedings work is timely.",
    "Reduce social worker caseloads and turnover so that children have stable relationships.",
    "Improve the quality and timeliness of return home interviews.",
    "Ensure that children's views are captured and inform their plans.",
    "Strengthen the corporate parenting panel's oversight of outcomes for children in care.",
]


@dataclass(frozen=True)
class DemoAction:
    rec: int
    ref: str
    text: str
    lead: str
    timescales: tuple[str, str, str, str]  # as written in each month's file
    rags: str  # one letter per month: B, G, A, R
    cost: str | None = None


ACTIONS = [
    DemoAction(
        1,
        "1.1",
        "Issue revised supervision policy and recording template",
        "Head of Service (CP)",
        ("Feb-18",) * 4,
        "GBBB",
    ),
    DemoAction(
        1,
        "1.2",
        "Audit 50 case files for evidence of management oversight",
        "QA Manager",
        ("March 18", "March 18", "May 18", "May 18"),
        "GAAG",
    ),
    DemoAction(
        1,
        "1.3",
        "Train all team managers in reflective supervision",
        "Principal Social Worker",
        ("April 18",) * 4,
        "GGGB",
        "Trainer: £4,500",
    ),
    DemoAction(
        1,
        "1.4",
        "Report supervision compliance monthly to SMT",
        "Performance Manager",
        ("Monthly",) * 4,
        "GGGG",
    ),
    DemoAction(
        2,
        "2.1",
        "Agree a joint protocol with the CCG for health assessment requests",
        "Head of Service (LAC)",
        ("Jan-18",) * 4,
        "ABBB",
    ),
    DemoAction(
        2,
        "2.2",
        "Track every initial health assessment request weekly",
        "LAC Nurse",
        ("Feb-18", "Feb-18", "Feb-18", "Feb-18"),
        "AAGB",
    ),
    DemoAction(
        2,
        "2.3",
        "Recruit an additional paediatrician sessions for IHAs",
        "Designated Doctor",
        ("March 18", "June 18", "June 18", "September 18"),
        "ARRA",
        "£18,000 per year",
    ),
    DemoAction(
        3,
        "3.1",
        "Refresh the pathway plan template with care leavers",
        "Leaving Care Team Manager",
        ("March 18",) * 4,
        "GGBB",
    ),
    DemoAction(
        3,
        "3.2",
        "Review every pathway plan older than six months",
        "Leaving Care Team Manager",
        ("April 18", "April 18", "June 18", "June 18"),
        "GAAA",
    ),
    DemoAction(
        3,
        "3.3",
        "Launch the care leavers' local offer online",
        "Participation Lead",
        ("December 2018: offer published.\nMarch 2019: take-up reviewed.",) * 4,
        "GGGG",
        "In budget",
    ),
    DemoAction(
        4,
        "4a",
        "Introduce a PLO tracker reviewed at legal gateway meetings",
        "Head of Service (Court)",
        ("Feb-18",) * 4,
        "GBBB",
    ),
    DemoAction(
        4,
        "4b",
        "Audit pre-proceedings letters for clarity",
        "Legal Services Lead",
        ("March 18", "March 18", "March 18", "March 18"),
        "GGAR",
    ),
    DemoAction(
        4,
        "4c",
        "Set a 16-week target for pre-proceedings and report it monthly",
        "Head of Service (Court)",
        ("Quarterly: Reviewed",) * 4,
        "AAGG",
    ),
    DemoAction(
        5,
        "5.1",
        "Recruit six permanent social workers to the assessment team",
        "Head of Service (Front Door)",
        ("May 18", "May 18", "July 18", "July 18"),
        "AARA",
        "Agency SW x 6 months £24,000",
    ),
    DemoAction(
        5,
        "5.2",
        "Introduce a caseload cap of 18 and report breaches",
        "Principal Social Worker",
        ("April 18",) * 4,
        "AAAG",
    ),
    DemoAction(
        5,
        "5.3",
        "Launch the social worker retention offer",
        "HR Business Partner",
        ("March 18", "March 18", "March 18", "June 18"),
        "GGRA",
        "£52,055.00",
    ),
    DemoAction(
        6,
        "6.1",
        "Commission a new return home interview provider",
        "Commissioning Manager",
        ("April 18", "April 18", "April 18", "April 18"),
        "GGGB",
    ),
    DemoAction(
        6,
        "6.2",
        "Report return home interview take-up to the missing panel",
        "Missing Coordinator",
        ("Monthly",) * 4,
        "AAGG",
    ),
    DemoAction(
        7,
        "7.1",
        "Use the Mind of My Own app in every team",
        "Participation Lead",
        ("June 18",) * 4,
        "GGGG",
        "Licence £6,000",
    ),
    DemoAction(
        7,
        "7.2",
        "Audit plans for the child's voice",
        "QA Manager",
        ("May 18", "May 18", "May 18", "August 18"),
        "GGAA",
    ),
    DemoAction(
        8,
        "8.1",
        "Agree a panel scorecard with councillors",
        "Director of Children's Services",
        ("Feb-18",) * 4,
        "GBBB",
    ),
    DemoAction(
        8,
        "8.2",
        "Present the scorecard at every panel meeting",
        "Performance Manager",
        ("Immediate / Ongoing",) * 4,
        "GGGG",
    ),
    DemoAction(
        8,
        "8.3",
        "Hold a development session for panel members",
        "Democratic Services",
        ("March 18", "March 18", "April 18", "April 18"),
        "AAGB",
    ),
]


def write_snapshot(path: Path, month: int) -> Path:
    """One month's plan as an officer would save it."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Action plan"
    ws.append([COUNCIL])
    ws.append([PLAN_TITLE])
    ws.append([f"Progress as at {SNAPSHOTS[month]}"])
    ws.append([])
    ws.append(HEADER)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for rec, text in enumerate(RECOMMENDATIONS, start=1):
        if rec == 5:
            ws.append(HEADER)  # the printed page repeats the header
        first_row = ws.max_row + 1
        for action in (a for a in ACTIONS if a.rec == rec):
            ref = action.ref if "." in action.ref else f"{action.ref[-1]})"
            rag = action.rags[month]
            ws.append(
                [
                    rec,
                    text,
                    ref,
                    action.text,
                    action.lead,
                    action.timescales[month],
                    _progress(action, month),
                    action.cost,
                    None,
                ]
            )
            ws.cell(ws.max_row, len(HEADER)).fill = PatternFill("solid", fgColor=FILLS[rag])
        if ws.max_row > first_row:
            ws.merge_cells(start_row=first_row, start_column=1, end_row=ws.max_row, end_column=1)
            ws.merge_cells(start_row=first_row, start_column=2, end_row=ws.max_row, end_column=2)
    ws.append([])
    ws.append(["RAG key"])
    for letter, meaning in (
        ("B", "Complete"),
        ("G", "On track"),
        ("A", "Some slippage"),
        ("R", "Off track"),
    ):
        ws.append([None, meaning])
        ws.cell(ws.max_row, 1).fill = PatternFill("solid", fgColor=FILLS[letter])
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)
    return path


def _progress(action: DemoAction, month: int) -> str:
    rag = action.rags[month]
    if rag == "B":
        return "• Completed and signed off by SMT"
    if rag == "R":
        return "• Behind schedule: recruitment delayed\n• Escalated to DCS"
    if rag == "A":
        return "• Started; some slippage against the original date"
    return "• On track"


# Demo KPIs: (indicator, polarity, target, is a percentage, values 2014/15..2017/18,
# statistical neighbours, England), shaped like the LAC health figures in council papers.
YEARS = ("2014/15", "2015/16", "2016/17", "2017/18")
KPIS = [
    ("Immunisations up to date", "Higher is better", 0.95, True, (0.94, 0.935, 0.907, 0.924), (0.89, 0.906, 0.9, 0.91), (0.877, 0.874, 0.85, 0.86)),
    ("Dental checks", "Higher is better", 0.95, True, (0.977, 0.97, 0.949, 0.955), (0.85, 0.709, 0.86, 0.87), (0.859, 0.849, 0.83, 0.84)),
    ("Initial health assessments within 20 working days", "Higher is better", 0.9, True, (0.575, 0.412, 0.897, 0.86), (0.6, 0.62, 0.64, 0.66), (None, None, None, None)),
    ("Review health assessments on time", "Higher is better", 0.95, True, (0.977, 0.965, 0.925, 0.94), (0.9, 0.9, 0.9, 0.91), (0.9, 0.89, 0.88, 0.89)),
    ("SDQ completion", "Higher is better", 0.9, True, (None, 0.85, 1.0, 0.96), (0.6, 0.638, 0.7, 0.72), (0.75, 0.76, 0.77, 0.77)),
    ("SDQ average score", "Lower is better", 14, False, (14.2, 14.5, 13.2, 13.8), (15.0, 15.2, 14.9, 14.8), (14.0, 14.1, 14.2, 14.1)),
    ("Average caseload per social worker", "Lower is better", 18, False, (21.0, 19.5, 18.2, 17.1), (17.5, 17.0, 16.8, 16.5), (16.1, 16.0, 16.2, 16.0)),
]  # fmt: skip
CAMHS = {
    "2016-17": (
        (19, 15, 18, 27, 79),
        ("8%", "2%", "10%", "7.7%", "8%"),
        (360, 279, 632, 395, 1666),
    ),
    "2017-18": ((22, 25, 17, 30, 94), ("6%", "5%", "9%", "4%", "6%"), (401, 350, 512, 470, 1733)),
}
TEAMS = [
    ("Assessment", (24, 8, 0.67), (24, 6, 0.75)),
    ("Court and permanence", (26, 6, 0.77), (26, 4, 0.85)),
    ("Leaving care", (15.5, 4, 0.74), (15.5, 2, 0.87)),
]


def write_kpis(path: Path) -> Path:
    """A council KPI return in the shapes officers use: wide, long, quarterly, by team."""
    book = openpyxl.Workbook()
    health = book.active
    health.title = "LAC health"
    health.append(["Anytown Children's Services: looked after children's health"])
    health.append([])
    health.append(["Indicator", *YEARS, "Target", "Polarity"])
    for name, polarity, target, percent, values, _, _ in KPIS:
        health.append([name, *values, target, polarity])
        if percent:  # the figures and the target, as Excel shows a percentage
            for cell in health[health.max_row][1:6]:
                cell.number_format = "0.0%"
    bench = book.create_sheet("Benchmarks")
    bench.append(["Indicator", "Period", "Value", "Area"])
    for name, _, _, percent, _, neighbours, england in KPIS:
        for area, series in (("Statistical neighbours", neighbours), ("England", england)):
            for year, value in zip(YEARS, series, strict=True):
                if value is not None:
                    bench.append([name, year, f"{value * 100:.1f}%" if percent else value, area])
    camhs = book.create_sheet("CAMHS")
    for year, (referrals, dna, contacts) in CAMHS.items():
        camhs.append([f"CAMHS Performance Data {year}"])
        camhs.append(["Measure", "Q1", "Q2", "Q3", "Q4", "YTD"])
        camhs.append(["CAMHS referrals", *referrals])
        camhs.append(["CAMHS did not attend rate", *dna])
        camhs.append(["CAMHS direct contacts", *contacts])
        camhs.append([])
    teams = book.create_sheet("Workforce")
    teams.append(["Social worker stability by team"])
    teams.append(["Team", "Year", "Establishment (FTE)", "Leavers", "Stability %"])
    for team, *years in TEAMS:
        for year, (fte, leavers, stability) in zip((2016, 2017), years, strict=True):
            teams.append([team, year, fte, leavers, stability])
            teams.cell(teams.max_row, 5).number_format = "0%"
    book.save(path)
    return path


def write_all(out_dir: Path) -> list[Path]:
    """The four monthly plan snapshots, then the KPI return."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamps = ("2018-01", "2018-02", "2018-03", "2018-04")
    plans = [
        write_snapshot(out_dir / f"post_ofsted_action_plan_{stamp}.xlsx", m)
        for m, stamp in enumerate(stamps)
    ]
    return [*plans, write_kpis(out_dir / "panel_kpis_2017-18.xlsx")]


# Fictional councils for the demo's benchmark view, in real regions, so ranks and
# quartiles have something to work on. Anytown's own figures are its return's.
DEMO_COUNCILS = [
    "Anytown", "Bridgeford", "Castlebury", "Dunmouth", "Eastwick", "Fairhaven", "Glenford",
    "Hartley Vale", "Ironbridge Borough", "Kingsmere", "Lowfield", "Marston", "Northam",
    "Oakridge", "Pemberton", "Queensbury", "Redcliffe", "Stonebridge", "Thornbury",
    "Upton Hills", "Westmoor", "Yardley", "Ashcombe", "Brookvale",
]  # fmt: skip
DEMO_REGIONS = ("Yorkshire and The Humber", "North West", "East Midlands", "South West")


def write_national(path: Path, seed: int = 7) -> Path:
    """A DfE-format file of the demo KPIs for fictional councils, their regions and England."""
    import random

    rng = random.Random(seed)
    header = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
              "region_name,old_la_code,la_name,new_la_code,characteristic,breakdown,children_count,children_percent")  # fmt: skip
    lines = [header]
    percent_kpis = [k for k in KPIS if k[3]]
    for y, year in enumerate(YEARS):
        period = year.replace("/", "")  # the DfE writes 2017/18 as 201718
        for i, council in enumerate(DEMO_COUNCILS):
            region = DEMO_REGIONS[i % len(DEMO_REGIONS)]
            total = rng.randint(150, 900)
            place = f"E1200000{i % 4 + 1},{region},{900 + i},{council},E0{9900000 + i}"
            lines.append(
                f"{period},Financial year,Local authority,E92000001,England,{place},Children looked after,Total all ages,{total},100"
            )
            for name, _, _, _, values, _, _ in percent_kpis:
                own = values[y]
                share = own if council == "Anytown" else min(1.0, max(0.3, rng.gauss(0.86, 0.07)))
                if own is None and council == "Anytown":
                    lines.append(
                        f"{period},Financial year,Local authority,E92000001,England,{place},Children looked after,{name},x,x"
                    )
                    continue
                lines.append(
                    f"{period},Financial year,Local authority,E92000001,England,{place},Children looked after,{name},{round(share * total)},{share * 100:.1f}"
                )
        for r, region in enumerate(DEMO_REGIONS):
            for name, *_ in percent_kpis:
                lines.append(
                    f"{period},Financial year,Regional,E92000001,England,E1200000{r + 1},{region},,,,Children looked after,{name},,{rng.gauss(86, 3):.1f}"
                )
        for name, _, _, _, _, _, england in percent_kpis:
            value = england[y]
            lines.append(
                f"{period},Financial year,National,E92000001,England,,,,,,Children looked after,{name},,{'x' if value is None else f'{value * 100:.1f}'}"
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


DEMO_AREA = "Anytown"


def load_demo(con) -> list[int]:
    """Load the demo into an empty database (never into one with data, nor after the demo
    was cleared); returns the new upload ids."""
    import json
    import tempfile

    from loaders import access, store
    from loaders.importer import import_file
    from report import decks

    if (
        store.get_state(con, "demo_cleared")
        or con.execute("SELECT count(*) FROM upload_files").fetchone()[0]
    ):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        paths = [
            *write_all(Path(tmp)),
            write_national(Path(tmp) / "demo_national_health_outcomes.csv"),
        ]
        ids = [
            import_file(con, path, area=DEMO_AREA, actor=access.DEMO).upload_id for path in paths
        ]
    store.set_state(con, "demo_uploads", json.dumps(ids))
    store.set_state(con, "own_area", DEMO_AREA)
    store.set_state(con, "demo_deck", str(decks.save(con, demo_deck(), access.DEMO)))
    return ids


DEMO_PLAN = PLAN_TITLE


def demo_deck():
    """A panel meeting's deck over the demo data, to show what a deck is."""
    from report.decks import Deck, Slide

    plan = {"plan": DEMO_PLAN}
    kpi = {"area": DEMO_AREA}
    return Deck(
        "Corporate parenting panel (demo)",
        [
            Slide("overview", plan, "Where the plan stands this month; the trend since the inspection."),
            Slide("rag_by_recommendation", plan, "Recommendation 4 is where the Red actions are."),
            Slide("rag_movement", plan, "Most movement is actions completing; one went backwards."),
            Slide("overdue", plan, "Ask the lead for a recovery date."),
            Slide("redated", plan, "Re-dating is allowed but the panel should see it."),
            Slide("kpi", {"indicator": "Initial health assessments within 20 working days", **kpi},
                  "Still below target though improving."),
            Slide("kpi", {"indicator": "Dental checks", **kpi}, "Well above statistical neighbours."),
            Slide("kpi", {"indicator": "Average caseload per social worker", **kpi},
                  "Lower is better: caseloads are falling towards the target."),
        ],
    )  # fmt: skip


def demo_uploads(con) -> list[int]:
    import json

    from loaders import store

    value = store.get_state(con, "demo_uploads")
    return json.loads(value) if value else []


def clear_demo(con, actor=None) -> int:
    """Move every demo upload to the bin and keep the demo from loading again; returns how
    many. Needs an admin (``actor``; by default whoever runs the command line)."""
    from loaders import access, store
    from loaders.bin import remove_upload
    from report import decks

    actor = access.acting(actor, "demo cleared")
    ids = demo_uploads(con)
    existing = {r[0] for r in con.execute("SELECT upload_id FROM upload_files").fetchall()}
    for upload_id in ids:
        if upload_id in existing:
            remove_upload(con, upload_id, actor)
    store.set_state(con, "demo_uploads", None)
    if deck_id := store.get_state(con, "demo_deck"):
        decks.delete(con, int(deck_id), actor)
        store.set_state(con, "demo_deck", None)
    store.set_state(con, "demo_cleared", "1")
    with store.transaction(con):
        access.record(con, actor, "demo cleared", f"{len(ids)} demo uploads", ids, "in the bin")
    if store.get_state(con, "own_area") == DEMO_AREA:
        store.set_state(con, "own_area", None)
    return len(ids)


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "examples")):
        print(written)
