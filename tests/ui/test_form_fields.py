"""How the form lays out its fields: every label once, and a checkbox's hint beside it."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Checkbox, Label, Static

from casetui.ui.forms.form import FormField, FormScreen

FIELDS = [
    FormField("name", "Name", required=True),
    FormField("with_names", "Include clients' names", "flag", hint="Off by default."),
    FormField("may_call", "May we call?", "flag"),
    FormField("note", "Note", hint="Anything else."),
]


class FormApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(FormScreen("A form", FIELDS, {"with_names": True}, dict))


def _text(widget: Any) -> str:
    return str(widget.render())


async def test_a_checkbox_label_is_shown_once_with_its_hint_after_it() -> None:
    app = FormApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FormScreen)
        labels = [_text(label) for label in screen.query(Label)]
        for spec in FIELDS:
            carried = [c for c in screen.query(Checkbox) if spec.label in _text(c)]
            shown = sum(spec.label in text for text in labels) + len(carried)
            assert shown == 1, f"{spec.label!r} is shown {shown} times"
        box = screen.query_one("#field-with_names", Checkbox)
        assert box.value is True
        siblings = list(box.parent.children) if box.parent else []
        after = siblings[siblings.index(box) + 1]
        assert isinstance(after, Static) and "Off by default." in _text(after)
        # A text field keeps its label, then its hint, then the input.
        note = screen.query_one("#field-note")
        before = siblings[siblings.index(note) - 1]
        assert "Anything else." in _text(before)
