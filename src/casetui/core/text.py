"""Cleaning untrusted text before it enters the vault.

Anything a person types, imports or pastes may carry terminal escape sequences
(an OSC title or clipboard write), stray control bytes, or bidirectional
overrides that make text display differently from what it holds. All of it is
removed on the way in, so every later layer can trust stored text to be inert.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except TAB and LF, DEL, the C1 block, and the bidi embedding,
# override and isolate controls (U+202A-U+202E, U+2066-U+2069).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# An escape sequence is dropped whole, not just its ESC byte, so that no
# "]0;title" residue is left behind: CSI (ESC [ ... final), OSC / DCS / APC / PM /
# SOS strings (ESC ] ... BEL or ST), and two-byte escapes (ESC x).
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]P_^X][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, APC, PM, SOS
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
    r"|\x1b[ -~]?"  # any other escape
)
_LINE_BREAKS = re.compile("\r\n|\r|\u2028|\u2029|\x85")


def sanitise(value: str, *, multiline: bool = True) -> str:
    """Return ``value`` with escape sequences and unsafe controls removed.

    Line breaks are normalised to ``\\n``; single-line fields turn them into
    spaces. The result is NFC-normalised and has no surrounding whitespace.
    The function is idempotent.
    """
    text = _LINE_BREAKS.sub("\n", value)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _UNSAFE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    if not multiline:
        text = " ".join(text.split())
    else:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text.strip()


def is_clean(value: str) -> bool:
    """True when ``value`` holds no character that :func:`sanitise` removes."""
    return _UNSAFE.search(value) is None and "\x1b" not in value
