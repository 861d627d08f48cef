"""Untrusted text made safe for an output format: spreadsheet cells and Markdown.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula, so every cell casetui writes to a CSV file goes
through :func:`protect_cell` first. Markdown reads punctuation as markup, so
text shown in Markdown goes through :func:`md_escape` or :func:`md_text`.
"""

from __future__ import annotations

import re

# -- spreadsheet cells -------------------------------------------------------------------

#: A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_RISKY = re.compile(r"'*[=+\-@\t\r]")
_PROTECTED = re.compile(r"'+[=+\-@\t\r]")


def protect_cell(value: str, *, reversible: bool = True) -> str:
    """``value`` with a ``'`` in front if a spreadsheet would read it as a formula.

    A value that already starts with quotes before such a character gets one more,
    so :func:`unprotect_cell` can always tell the added quote apart. Reports that
    are never read back pass ``reversible=False``: such a value cannot run as a
    formula, so they leave it as it is.
    """
    if not reversible:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return "'" + value if _RISKY.match(value) else value


def unprotect_cell(value: str) -> str:
    """Undo :func:`protect_cell`: drop the one ``'`` it added, and nothing else."""
    return value[1:] if _PROTECTED.match(value) else value


# -- Markdown ----------------------------------------------------------------------------

#: Every character Markdown may read as markup somewhere: each gets a backslash.
MD_PUNCTUATION = "\\`*_{}[]<>()#+-.!|"
#: Characters that can start markup anywhere in a line.
MD_INLINE = "\\`*_[]<>|~"
#: Inside a table cell only these matter: a backslash and the column bar.
MD_TABLE_CELL = "\\|"

# An ampersand that would start an entity reference (&lt;, &#60;).
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What turns a line into a heading, list item, quote or rule when it starts one.
_MD_LINE_START = re.compile(r"^([#=+-])|^(\d+)([.)])")


def md_escape(text: str, specials: str = MD_INLINE) -> str:
    """``text`` with a backslash before each character of ``specials``."""
    return re.sub(f"([{re.escape(specials)}])", r"\\\1", text)


def md_text(text: str) -> str:
    """One line of untrusted text, escaped so Markdown shows it exactly as typed.

    Beyond :func:`md_escape`, an ampersand that would start an entity is written
    ``&amp;``, and what would start a heading, list item or rule is escaped too.
    """
    escaped = _MD_ENTITY.sub("&amp;", md_escape(text.strip(), MD_INLINE))
    return _MD_LINE_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", escaped
    )
