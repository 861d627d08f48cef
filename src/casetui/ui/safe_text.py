"""Turning stored strings into things Textual can draw without interpreting them.

Records are sanitised when they enter the vault, but the UI cleans again on the
way out: text can reach the screen from places other than a record (a file name,
an error message), and a second pass costs next to nothing. Nothing here ever
parses markup: every user string becomes a :class:`rich.text.Text` whose only
styling comes from the code.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text

from casetui.core.text import sanitise


def plain(value: object, style: str = "") -> Text:
    """A Text that shows ``value`` literally: no markup, no control characters."""
    return Text(sanitise(str(value), multiline=True), style=style, end="")


def one_line(value: object, style: str = "") -> Text:
    """Like :func:`plain`, with line breaks folded into spaces (for table cells)."""
    return Text(sanitise(str(value), multiline=False), style=style, end="")


def clean_line(value: object) -> str:
    """A single-line, control-free string for line-API widgets and titles."""
    return sanitise(str(value), multiline=False)


def short_date(value: date | None, empty: str = "—") -> str:
    return value.isoformat() if value else empty


def labelled(rows: list[tuple[str, str]]) -> Text:
    """``Label: value`` lines, the label bold and the value shown literally."""
    text = Text(end="")
    for label, value in rows:
        text.append(f"{label}: ", style="bold")
        text.append(sanitise(value, multiline=True))
        text.append("\n")
    text.rstrip()
    return text
