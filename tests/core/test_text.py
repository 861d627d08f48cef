"""Untrusted text is made inert on the way in."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from casetui.core.text import is_clean, printable, sanitise

OSC_TITLE = "\x1b]0;TITLE\x07"


def test_osc_title_sequence_is_removed_whole() -> None:
    assert sanitise(f"Met at the library{OSC_TITLE}, went well") == "Met at the library, went well"


def test_osc52_clipboard_write_with_string_terminator_is_removed() -> None:
    assert sanitise("a\x1b]52;c;ZXZpbA==\x1b\\b") == "ab"


def test_csi_sequences_and_c1_controls_are_removed() -> None:
    assert sanitise("\x1b[2J\x1b[31mred\x1b[0m \x9b2J\x85x") == "red\nx"


def test_bidi_overrides_are_removed() -> None:
    assert sanitise("abc\u202edcba\u2066x\u2069") == "abcdcbax"


def test_newlines_and_tabs_survive_in_multiline_text() -> None:
    assert sanitise("line one\r\nline\ttwo\rthree") == "line one\nline\ttwo\nthree"


def test_single_line_fields_collapse_whitespace() -> None:
    assert sanitise("  Ana \n  María\t ", multiline=False) == "Ana María"


def test_markup_is_kept_literally() -> None:
    # Markup is not a control character: it is stored as typed, and the UI must
    # render it as plain text.
    assert (
        sanitise("[bold]x[/bold] [@click=app.quit]y[/]") == "[bold]x[/bold] [@click=app.quit]y[/]"
    )


def test_scripts_and_joiners_are_kept() -> None:
    text = "Nguyễn Thị Mai · مريم · 👩‍👧 · क्‍ष"
    assert sanitise(text) == unicodedata.normalize("NFC", text)


@given(st.text())
def test_sanitise_is_idempotent_and_leaves_nothing_unsafe(text: str) -> None:
    once = sanitise(text)
    assert sanitise(once) == once
    assert is_clean(once)


@given(st.text())
def test_single_line_output_has_no_line_breaks(text: str) -> None:
    assert "\n" not in sanitise(text, multiline=False)


def test_printable_shows_controls_as_escapes_and_keeps_other_scripts() -> None:
    assert printable("cl_0001") == "cl_0001"
    assert printable("Tomás 李") == "Tomás 李"
    shown = printable(f"cl_x{OSC_TITLE}\x9b2J\n")
    assert shown == "cl_x\\x1b]0;TITLE\\x07\\x9b2J\\n"
    assert shown.isprintable()
