"""Cleaning untrusted text before it enters the vault.

Anything a person types, imports or pastes may carry terminal escape sequences
(an OSC title or clipboard write), stray control bytes, or bidirectional
overrides that make text display differently from what it holds. All of it is
removed on the way in, so every later layer can trust stored text to be inert.

Text already stored is cleaned again when a vault is opened
(:func:`sanitise_document`), because a vault may have been edited by hand or
written by an older casetui: every string in the decrypted document passes the
same rules before anything reads it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

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
# A lone UTF-16 surrogate: JSON can spell one ("\\ud800"), but it is not a
# character and cannot be written as UTF-8, so nothing holding one can be saved.
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


def plural(count: int, noun: str, many: str = "") -> str:
    """``1 day``, ``3 days``, ``1,200 clients``: a count with its noun agreeing.

    ``many`` is the plural when it is not ``noun`` + "s" (``1 person``, ``2 people``).
    """
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def has_surrogate(value: str) -> bool:
    """True when ``value`` holds a lone surrogate, which is not text and cannot be saved."""
    return _SURROGATE.search(value) is not None


def strip_controls(value: str) -> str:
    """Return ``value`` with escape sequences and unsafe controls removed.

    Line breaks are normalised to ``\\n`` and a lone surrogate becomes U+FFFD;
    nothing else changes (no trimming, no Unicode normalisation). This is the part
    of :func:`sanitise` that makes text inert, and it is idempotent.
    """
    text = _LINE_BREAKS.sub("\n", value)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _SURROGATE.sub(REPLACEMENT_CHARACTER, text)
    return _UNSAFE.sub("", text)


def printable(value: str) -> str:
    """``value`` with each non-printable character written as its escape (``\\x1b``).

    For names taken from a file's keys (record ids, field names) and shown in a
    message: the person sees exactly what is in the file, and a terminal gets
    nothing it would act on. Printable text, in any script, is left as it is.
    """
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)


def sanitise(value: str, *, multiline: bool = True) -> str:
    """Return ``value`` with escape sequences and unsafe controls removed.

    Line breaks are normalised to ``\\n``; single-line fields turn them into
    spaces. The result is NFC-normalised and has no surrounding whitespace.
    The function is idempotent.
    """
    text = unicodedata.normalize("NFC", strip_controls(value))
    if not multiline:
        text = " ".join(text.split())
    else:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text.strip()


def is_clean(value: str) -> bool:
    """True when ``value`` holds no character that :func:`sanitise` removes."""
    return _UNSAFE.search(value) is None and "\x1b" not in value


# Every character strip_controls removes or rewrites: a string without any of
# them is already clean and is left exactly as it is.
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")

# The same characters as they can appear in UTF-8 JSON text. ``json.loads``
# refuses raw C0 controls inside strings, so those can only arrive as escapes
# (\b, \f, \r, \u0000-\u001f); DEL, C1, the line and paragraph separators and
# the bidi controls may also be written raw. Each pattern is paired with the
# byte it starts with: looking for one byte is far quicker than running the
# pattern, so a pattern runs only on text that holds its first byte. A false
# alarm (an escaped backslash before "r", say) only costs a walk over the document.
_JSON_SUSPECTS = (
    (b"\\", re.compile(rb"\\(?:[bfr]|u00[0189]|u007[fF]|u202[89a-eA-E]|u206[6-9])")),
    (b"\xc2", re.compile(rb"\xc2[\x80-\x9f]")),  # C1, including NEL
    (b"\xe2", re.compile(rb"\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")),  # U+2028-202E, U+2066-2069
    # A lone surrogate can only be an escape; a high one followed by a low one is a pair.
    (
        b"\\u",
        re.compile(
            rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
            rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
        ),
    ),
)


def json_may_need_cleaning(data: bytes) -> bool:
    """False when the UTF-8 JSON text ``data`` surely holds no string that
    :func:`sanitise_document` would change; True when it might."""
    if b"\x7f" in data:
        return True
    # Each lead is a pass over the text, so the ones that cannot be there are skipped:
    # no byte above 0x7f (one fast pass) rules out the UTF-8 leads, and no backslash
    # rules out every escape.
    ascii_only = data.isascii()
    backslash = b"\\" in data
    return any(
        (backslash if lead.startswith(b"\\") else not ascii_only)
        and lead in data
        and pattern.search(data)
        for lead, pattern in _JSON_SUSPECTS
    )


def sanitise_document(document: dict[str, Any] | list[Any]) -> int:
    """Clean every string value in a parsed JSON document, in place.

    Each string that holds an escape sequence or an unsafe control goes through
    :func:`strip_controls`; every other value, and every key, is left as it is,
    so the document keeps its shape. (Keys are record ids, table and field
    names, which the vault and the records check against strict patterns; a
    message that names a refused key shows it through :func:`printable`.)
    Returns how many strings changed. Idempotent, and iterative, so a deeply
    nested document cannot exhaust the stack.
    """
    changed = 0
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            fixes = {}
            for key, value in node.items():
                if isinstance(value, str):
                    if _NEEDS_CLEANING.search(value):
                        fixes[key] = strip_controls(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
            node.update(fixes)
            changed += len(fixes)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    if _NEEDS_CLEANING.search(value):
                        node[index] = strip_controls(value)
                        changed += 1
                elif isinstance(value, dict | list):
                    stack.append(value)
    return changed
