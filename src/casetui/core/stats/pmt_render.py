"""The PMT report as text, Markdown or CSV: the funder's questions in order, exact counts."""

from __future__ import annotations

import csv
import io
import textwrap

from casetui.core.formats import MD_INLINE, MD_TABLE_CELL, md_escape, protect_cell
from casetui.core.stats.pmt_report import PmtReport, Section

TITLE = "Victim services performance figures (federal PMT, quarterly)"
NOT_FOR_PUBLICATION = (
    "For the funder's reporting portal only, not for publication: the counts are exact, "
    "as the funder asks. No client's name, code or id is in it."
)


def render_pmt(report: PmtReport, fmt: str) -> str:
    if fmt == "csv":
        return _csv(report)
    if fmt == "md":
        return _markdown(report)
    return _text(report)


def _heading_lines(report: PmtReport) -> list[str]:
    return [
        f"Period: {report.label} ({report.start:%Y-%m-%d} to {report.end:%Y-%m-%d})",
        f"Funding: {report.funding}",
        NOT_FOR_PUBLICATION,
    ]


def _text(report: PmtReport) -> str:
    lines = [TITLE, "=" * len(TITLE), *_heading_lines(report), ""]
    for section in (*report.sections, *report.quality):
        lines += _text_section(section)
    return "\n".join(lines).rstrip() + "\n"


#: The label column of the text report; a longer label (the PMT's own wording) wraps.
LABEL_WIDTH = 70


def _text_section(section: Section) -> list[str]:
    out = [section.title, "-" * len(section.title)]
    for row in section.rows:
        indent = len(row.label) - len(row.label.lstrip())
        lines = textwrap.wrap(
            row.label.strip(),
            LABEL_WIDTH - indent,
            initial_indent=" " * indent,
            subsequent_indent=" " * (indent + 4),
        ) or [""]
        out += lines[:-1]
        out.append(f"{lines[-1]:<{LABEL_WIDTH}}  {row.count:>6}")
    if section.note:
        out += textwrap.wrap(f"({section.note})", LABEL_WIDTH + 8)
    out.append("")
    return out


def _markdown(report: PmtReport) -> str:
    heading = (md_escape(line, MD_INLINE) for line in _heading_lines(report))
    lines = [f"# {TITLE}", "", *(f"- {line}" for line in heading), ""]
    for section in (*report.sections, *report.quality):
        lines += [f"## {md_escape(section.title, MD_INLINE)}", "", "| | Count |", "|---|---:|"]
        lines += [
            f"| {md_escape(row.label.strip(), MD_TABLE_CELL)} | {row.count} |"
            for row in section.rows
        ]
        if section.note:
            lines += ["", md_escape(section.note, MD_INLINE)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _csv(report: PmtReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rows: list[tuple[str, str, str]] = [
        ("report", "period", f"{report.start:%Y-%m-%d} to {report.end:%Y-%m-%d}"),
        ("report", "funding", report.funding),
        ("report", "note", NOT_FOR_PUBLICATION),
    ]
    for section in (*report.sections, *report.quality):
        rows += [(section.title, row.label.strip(), str(row.count)) for row in section.rows]
    writer.writerow(["section", "item", "count"])
    for row in rows:
        writer.writerow([protect_cell(cell, reversible=False) for cell in row])
    return out.getvalue()
