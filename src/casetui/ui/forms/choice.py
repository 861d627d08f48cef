"""A question with a few named answers, each with its own key (Esc cancels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from casetui.ui.safe_text import one_line, plain


class ChoiceScreen(ModalScreen[str | None]):
    """Dismisses with the chosen answer's value, or None for Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
    ]

    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical {
        width: 70; max-width: 100%; height: auto;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    ChoiceScreen #choice-question { text-style: bold; }
    ChoiceScreen #choice-detail { padding: 1 0; }
    ChoiceScreen Horizontal { height: auto; align-horizontal: right; }
    ChoiceScreen Button { margin-left: 1; }
    """

    def __init__(
        self, question: str, answers: Sequence[tuple[str, str, str]], detail: str = ""
    ) -> None:
        """``answers`` are (key, label, value); the first one has the focus."""
        super().__init__()
        self.question = question
        self.answers = tuple(answers)
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(one_line(self.question), id="choice-question")
            if self.detail:
                yield Static(plain(self.detail), id="choice-detail")
            with Horizontal():
                for key, label, value in self.answers:
                    yield Button(f"{label} ({key})", id=f"answer-{value}")
                yield Button("Cancel (esc)", id="answer-cancel", variant="primary")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_key(self, event: Key) -> None:
        for key, _label, value in self.answers:
            if event.key == key:
                event.stop()
                self.dismiss(value)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        value = (event.button.id or "").removeprefix("answer-")
        self.dismiss(None if value == "cancel" else value)
