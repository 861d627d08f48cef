"""Spreadsheet cells safe from formula injection, and Markdown escaping.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula, so every cell casetui writes to a CSV file goes
through :func:`protect_cell` first.
"""

from __future__ import annotations

import re

_RISKY = re.compile(r"'*[=+\-@\t\r]")
_PROTECTED = re.compile(r"'+[=+\-@\t\r]")


def protect_cell(value: str) -> str:
    """``value`` with a ``'`` in front if a spreadsheet would read it as a formula.

    A value that already starts with quotes before such a character gets one more,
    so :func:`unprotect_cell` can always tell the added quote apart.
    """
    return "'" + value if _RISKY.match(value) else value


def unprotect_cell(value: str) -> str:
    """Undo :func:`protect_cell`: drop the one ``'`` it added, and nothing else."""
    return value[1:] if _PROTECTED.match(value) else value
