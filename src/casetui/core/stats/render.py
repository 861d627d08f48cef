"""The funder statistics as text, Markdown or CSV."""

from __future__ import annotations

import csv
import io
import textwrap

from casetui.core.formats import MD_TABLE_CELL, md_escape, protect_cell
from casetui.core.stats.funder_report import FunderStats, StatsTable

FORMATS = ("text", "md", "csv")
#: Text output is laid out for a terminal this wide.
TEXT_WIDTH = 78


def render_stats(stats: FunderStats, fmt: str) -> str:
    """The statistics as ``text`` (aligned, 80 columns), ``md`` (Markdown) or ``csv``."""
    if fmt == "text":
        return _render_text(stats)
    if fmt == "md":
        return _render_markdown(stats)
    if fmt == "csv":
        return _render_csv(stats)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _heading(stats: FunderStats) -> str:
    return f"Funder statistics, {stats.start.isoformat()} to {stats.end.isoformat()}"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        TEXT_WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _render_text(stats: FunderStats) -> str:
    title = _heading(stats)
    lines = [title, "=" * len(title), "", "How these figures were made:"]
    for rule in stats.rules:
        lines += _wrap(rule, "  - ", "    ")
    for table in stats.tables:
        lines += ["", table.title, "-" * len(table.title)]
        if not table.withheld:
            lines += _text_table(table)
        if table.note:
            lines += _wrap(table.note)
    return "\n".join(lines) + "\n"


def _text_table(table: StatsTable) -> list[str]:
    labels = [table.corner] + [label for label, _cells in table.rows]
    label_width = max(len(label) for label in labels)
    count = len(table.columns)
    cell_width = [max((len(cells[j]) for _l, cells in table.rows), default=1) for j in range(count)]
    wide = [max(w, len(h)) for w, h in zip(cell_width, table.columns, strict=True)]
    if label_width + sum(w + 2 for w in wide) <= TEXT_WIDTH:
        widths = wide
    else:
        widths = [
            max(w, *(len(word) for word in h.split()))
            for w, h in zip(cell_width, table.columns, strict=True)
        ]
    blocks: list[list[int]] = [[]]
    used = label_width
    for j in range(count):
        if blocks[-1] and used + widths[j] + 2 > TEXT_WIDTH:
            blocks.append([])
            used = label_width
        blocks[-1].append(j)
        used += widths[j] + 2
    lines: list[str] = []
    for n, block in enumerate(blocks):
        if n:
            lines.append("")
        headers = [
            textwrap.wrap(table.columns[j], widths[j], break_long_words=False) or [""]
            for j in block
        ]
        depth = max(len(h) for h in headers)
        for level in range(depth):
            parts = [(table.corner if level == depth - 1 else "").ljust(label_width)]
            for j, head in zip(block, headers, strict=True):
                offset = level - (depth - len(head))
                parts.append((head[offset] if offset >= 0 else "").rjust(widths[j]))
            lines.append("  ".join(parts).rstrip())
        for label, cells in table.rows:
            parts = [label.ljust(label_width)] + [cells[j].rjust(widths[j]) for j in block]
            lines.append("  ".join(parts).rstrip())
    return lines


def _render_markdown(stats: FunderStats) -> str:
    lines = [f"# {_heading(stats)}", "", "How these figures were made:", ""]
    lines += [f"- {md_escape(rule, MD_TABLE_CELL)}" for rule in stats.rules]
    for table in stats.tables:
        lines += ["", f"## {md_escape(table.title, MD_TABLE_CELL)}", ""]
        if not table.withheld:
            header = [table.corner, *table.columns]
            lines.append("| " + " | ".join(md_escape(h, MD_TABLE_CELL) for h in header) + " |")
            lines.append("|:---|" + "---:|" * len(table.columns))
            for label, cells in table.rows:
                lines.append(
                    "| " + " | ".join(md_escape(c, MD_TABLE_CELL) for c in (label, *cells)) + " |"
                )
        if table.note:
            if not table.withheld:
                lines.append("")
            lines.append(md_escape(table.note, MD_TABLE_CELL))
    return "\n".join(lines) + "\n"


def _render_csv(stats: FunderStats) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows: list[tuple[str, str, str, str]] = [
        ("about", "Period", "From", stats.start.isoformat()),
        ("about", "Period", "To", stats.end.isoformat()),
        ("about", "Small-cell threshold", "", str(stats.threshold)),
    ]
    rows += [("about", f"Rule {n}", "", rule) for n, rule in enumerate(stats.rules, 1)]
    for table in stats.tables:
        if table.withheld:
            rows.append((table.title, "", "", "withheld"))
        for label, cells in table.rows:
            rows += [
                (table.title, label, col, cell)
                for col, cell in zip(table.columns, cells, strict=True)
            ]
        if table.note:
            rows.append((table.title, "Note", "", table.note))
    writer.writerow(("table", "row", "column", "value"))
    for row in rows:
        writer.writerow([protect_cell(cell, reversible=False) for cell in row])
    return buffer.getvalue()
