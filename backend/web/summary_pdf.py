"""The programme summary as a printable A4 PDF (reportlab), for the oncology team.

Plain tables a reader can scan on paper; every reason is in clinical words (the service
hands over ml.phrases' sentences); dates are the patient's days, the print time the clinic's.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from backend.domain import vocabulary as v

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9, leading=11.5)
SMALL = ParagraphStyle(
    "small", parent=BODY, fontSize=8, leading=10, textColor=colors.HexColor("#52606d")
)
H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontSize=16, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=11.5, spaceBefore=8, spaceAfter=3)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#d9dee5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
)
WIDTH = A4[0] - 30 * mm


def _day(d) -> str:
    return f"{d.day} {d:%b %Y}"


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(header: list[str], rows: list[list], widths: list[float]) -> Table:
    data = [header] + [[c if isinstance(c, Paragraph) else _p(c) for c in r] for r in rows]
    table = Table(data, colWidths=[w * WIDTH for w in widths], repeatRows=1)
    table.setStyle(GRID)
    return table


def _load_chart(weeks: list[dict]) -> Drawing:
    """Weekly training load as bars: the load trend at a glance."""
    drawing = Drawing(WIDTH, 42 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 8 * mm, WIDTH - 16 * mm, 30 * mm
    chart.data = [[w["load"] for w in weeks] or [0]]
    chart.categoryAxis.categoryNames = [
        f"{w['week_start'].day} {w['week_start']:%b}" for w in weeks
    ]
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#0f766e")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, 40 * mm, "Training load per week (minutes x effort, CR-10)", fontSize=8))
    return drawing


def _week_rows(weeks: list[dict]) -> list[list]:
    return [
        [
            f"{w['week_start'].day} {w['week_start']:%b}",
            f"{w['attended']} of {w['due']}" if w["due"] else "none due",
            w["load"],
            "–" if w["fatigue"] is None else w["fatigue"],
            "–" if w["esas_total"] is None else f"{w['esas_total']}/90",
        ]
        for w in weeks
    ]


def render(s: dict) -> bytes:
    """The summary dict of services.summary.programme_summary as PDF bytes."""
    patient = s["patient"]
    printed = s["generated_at"].astimezone(ZoneInfo(s["clinic_timezone"]))
    c = s["counts"]
    story = [
        _p("Exercise programme summary", H1),
        _p(f"{patient['display_name']} · {s['clinic']}", BODY),
        _p(
            f"Programme {_day(s['from'])} to {_day(s['to'])} · printed "
            f"{printed:%d %b %Y %H:%M} ({s['clinic_timezone']}) · for the oncology team",
            SMALL,
        ),
        Spacer(1, 4),
        _p("Sessions", H2),
        _p(
            f"{c['completed']} done, {c['partial']} partly done, {c['stopped']} stopped early, "
            f"{c['missed']} missed. Levels now: "
            + (
                ", ".join(
                    f"{v.MODALITY_LABELS.get(m, m)} {lv}"
                    for m, lv in s["levels"].items()
                    if lv is not None
                )
                or "none prescribed"
            )
            + "."
        ),
    ]
    if s["weeks"]:
        story += [
            _p("Load trend, adherence and symptoms per week", H2),
            _load_chart(s["weeks"]),
            _table(
                ["Week of", "Sessions done", "Load", "Mean fatigue (0-10)", "ESAS-r total"],
                _week_rows(s["weeks"]),
                [0.16, 0.2, 0.14, 0.25, 0.25],
            ),
        ]
    story.append(_p("Flares (sessions not tolerated)", H2))
    if s["flares"]:
        story.append(
            _table(
                ["Date", "Exercise", "Level"],
                [[_day(f["date"]), f["modality"], f["level"]] for f in s["flares"]],
                [0.25, 0.5, 0.25],
            )
        )
    else:
        story.append(_p("No session was followed by a flare."))
    story.append(_p("Red-flag alerts", H2))
    if s["alerts"]:
        story.append(
            _table(
                ["Date", "What was reported", "Outcome", "Note"],
                [
                    [_day(a["date"]), "; ".join(a["reasons"]), a["outcome"], a["note"] or ""]
                    for a in s["alerts"]
                ],
                [0.14, 0.36, 0.2, 0.3],
            )
        )
    else:
        story.append(_p("No red flags in this period."))
    story.append(_p("Level changes and why", H2))
    if s["changes"]:
        story.append(
            _table(
                ["Date", "Exercise", "Level", "Decision", "Why"],
                [
                    [
                        _day(ch["date"]),
                        ch["modality"],
                        f"{ch['from']} → {ch['to']}",
                        ch["outcome"] + (f" ({ch['note']})" if ch["note"] else ""),
                        ch["why"],
                    ]
                    for ch in s["changes"]
                ],
                [0.14, 0.16, 0.08, 0.21, 0.41],
            )
        )
    else:
        story.append(_p("No level changes in this period."))
    story.append(_p("Symptom questionnaire (ESAS-r, weekly)", H2))
    if s["questionnaires"]:
        story.append(
            _table(
                ["Date", "Total (0-90)", "Physical (0-60)", "Emotional (0-20)"],
                [
                    [_day(q["date"]), q["total"], q["physical"], q["emotional"]]
                    for q in s["questionnaires"]
                ],
                [0.25, 0.25, 0.25, 0.25],
            )
        )
        story.append(
            _p(
                "Edmonton Symptom Assessment System - revised (public domain); higher = more "
                "symptom distress. Total = sum of the nine items.",
                SMALL,
            )
        )
    else:
        story.append(_p("No questionnaire answered in this period."))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title="Exercise programme summary",
        author="Onward",
    )
    footer = f"Onward · {patient['display_name']} · printed {printed:%d %b %Y}"

    def _footer(canvas, document) -> None:
        # Every printed page names whose it is: pages of a summary get separated.
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#52606d"))
        canvas.drawString(15 * mm, 8 * mm, footer[:150])
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()
