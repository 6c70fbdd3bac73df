"""Demo data written for this project: a post-Ofsted plan re-issued over four months.

The spreadsheets are laid out as officers keep them (title lines, merged recommendation
cells, RAG as fill colour with a key, a repeated header, milestone timescales), so the
demo goes through the real loaders. Run `python -m data.demo OUT_DIR` to write them.
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


def write_all(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamps = ("2018-01", "2018-02", "2018-03", "2018-04")
    return [
        write_snapshot(out_dir / f"post_ofsted_action_plan_{stamp}.xlsx", m)
        for m, stamp in enumerate(stamps)
    ]


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "examples")):
        print(written)
