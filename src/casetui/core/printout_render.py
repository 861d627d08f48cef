"""The goal sheet as Markdown or as a print-friendly HTML page.

Both treat every string of the sheet as untrusted text, never as markup; the
sheet itself is built by :mod:`casetui.core.printout`.
"""

from __future__ import annotations

import html

from casetui.core.formats import md_text
from casetui.core.printout import BLANK, Entry, GoalSheet, Line

# -- Markdown -----------------------------------------------------------------------


def _md_block(text: str, indent: str = "") -> str:
    """Untrusted text of one or more lines as one paragraph: lines kept, blank lines dropped."""
    lines = [md_text(line) for line in text.split("\n") if line.strip()]
    return f"\\\n{indent}".join(lines)


def _md_line(line: Line) -> str:
    value = _md_block(line.value, "") if line.value else BLANK
    return f"**{md_text(line.label)}:** {value}"


def to_markdown(sheet: GoalSheet) -> str:
    """The goal sheet as CommonMark text."""
    out = [
        f"# {md_text(sheet.title)}",
        "",
        md_text(sheet.prepared_for),
        "",
        md_text(sheet.intro),
        "",
    ]
    for section in sheet.sections:
        out += [f"## {md_text(section.heading)}", ""]
        if section.intro:
            out += [md_text(section.intro), ""]
        for group in section.groups:
            out += [f"### {md_text(group.heading)}", ""]
            for entry in group.entries:
                mark = "✓ " if entry.done else ""
                item = f"- {mark}{_md_block(entry.text, '  ')}"
                if entry.note:
                    note = md_text(entry.note)
                    item += f" — *{note}*" if entry.done else f" — {note}"
                out.append(item)
            out.append("")
        for line in section.lines:
            out += [_md_line(line), ""]
        if section.empty and not section.groups and not section.lines:
            out += [md_text(section.empty), ""]
        if section.after:
            out += [md_text(section.after), ""]
    out += ["---", "", md_text(sheet.closing), ""]
    return "\n".join(out)


# -- HTML ---------------------------------------------------------------------------

#: Print-friendly and self-contained: no scripts, fonts, images or links; no
#: background colours, so it prints the same in black and white on A4 or Letter.
_CSS = """
@page { margin: 16mm 15mm; }
html { font-size: 12pt; }
body {
  font-family: Verdana, "DejaVu Sans", "Segoe UI", Arial, sans-serif;
  line-height: 1.4; color: #000; background: #fff;
  max-width: 40em; margin: 0 auto; padding: 1.5em 1em;
}
@media print { body { max-width: none; padding: 0; } }
h1 { font-size: 1.6em; margin: 0 0 0.2em; }
h2 {
  font-size: 1.25em; margin: 1.1em 0 0.3em; padding-bottom: 0.1em;
  border-bottom: 2px solid #000;
}
h3 { font-size: 1em; margin: 0.7em 0 0.1em; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
p { margin: 0.4em 0; }
section, .group { break-inside: avoid; page-break-inside: avoid; }
section.list { break-inside: auto; page-break-inside: auto; }
.for { font-size: 1.05em; }
ul { margin: 0.1em 0 0.4em; padding-left: 1.4em; }
li { margin: 0.25em 0; break-inside: avoid; page-break-inside: avoid; }
li.done { list-style: none; position: relative; }
.tick { position: absolute; left: -1.2em; font-weight: bold; }
.note { display: block; font-size: 0.9em; }
.label { font-weight: bold; }
.blank {
  display: inline-block; min-width: 14em; height: 1.1em;
  border-bottom: 1px solid #000; vertical-align: baseline;
}
footer { margin-top: 1.5em; padding-top: 0.5em; border-top: 1px solid #000; }
""".strip()

# Belt and braces: even if text ever slipped through unescaped, the page could not
# run a script or load anything from anywhere.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _h(text: str) -> str:
    """Untrusted text as HTML: escaped, with its line breaks kept."""
    return "<br>".join(html.escape(line.strip()) for line in text.split("\n") if line.strip())


def _html_line(line: Line) -> str:
    value = _h(line.value) if line.value else '<span class="blank"></span>'
    return f'<p class="line"><span class="label">{_h(line.label)}:</span> {value}</p>'


def _html_entry(entry: Entry) -> str:
    note = f' <span class="note">{_h(entry.note)}</span>' if entry.note else ""
    if entry.done:
        return f'<li class="done"><span class="tick">✓</span> {_h(entry.text)}{note}</li>'
    return f"<li>{_h(entry.text)}{note}</li>"


def to_html(sheet: GoalSheet) -> str:
    """The goal sheet as one self-contained HTML page, ready to print."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(sheet.title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{_h(sheet.title)}</h1>",
        f'<p class="for">{_h(sheet.prepared_for)}</p>',
        f"<p>{_h(sheet.intro)}</p>",
        "</header>",
    ]
    for section in sheet.sections:
        # A short section never splits across pages; a long list may, between its groups.
        kind = " list" if section.groups else ""
        out.append(f'<section class="{section.key}{kind}">')
        out.append(f"<h2>{_h(section.heading)}</h2>")
        if section.intro:
            out.append(f"<p>{_h(section.intro)}</p>")
        for group in section.groups:
            out.append('<div class="group">')
            out.append(f"<h3>{_h(group.heading)}</h3>")
            out.append("<ul>")
            out += [_html_entry(entry) for entry in group.entries]
            out.append("</ul>")
            out.append("</div>")
        out += [_html_line(line) for line in section.lines]
        if section.empty and not section.groups and not section.lines:
            out.append(f"<p>{_h(section.empty)}</p>")
        if section.after:
            out.append(f"<p>{_h(section.after)}</p>")
        out.append("</section>")
    out += [
        f"<footer><p>{_h(sheet.closing)}</p></footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def render(sheet: GoalSheet, fmt: str) -> str:
    """The sheet as ``html`` or ``md`` text."""
    if fmt == "html":
        return to_html(sheet)
    if fmt == "md":
        return to_markdown(sheet)
    raise ValueError(f"{fmt[:20]!r} is not a format of the goal sheet; choose html or md.")
