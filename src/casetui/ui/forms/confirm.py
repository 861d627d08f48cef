"""A yes/no question before anything is destroyed or thrown away."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from casetui.ui.masking import is_masked, on_masking
from casetui.ui.safe_text import one_line, plain


class ConfirmScreen(ModalScreen[bool]):
    """Ask once. The safe answer ("no") has the focus, and Esc means no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "No", id="confirm.no"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", show=False, id="confirm.no_key"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmScreen #question { text-style: bold; }
    ConfirmScreen #detail { padding: 1 0; }
    ConfirmScreen Horizontal { height: 3; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """

    def __init__(
        self,
        question: str,
        detail: str = "",
        *,
        yes: str = "Yes",
        no: str = "No",
        shared_detail: str | None = None,
    ) -> None:
        """``shared_detail`` replaces ``detail`` while the screen is shared; give it
        when the detail names a client or quotes their notes."""
        super().__init__()
        self.question = question
        self.detail = detail
        self.shared_detail = shared_detail
        self.yes = yes
        self.no = no

    def _detail(self, masked: bool) -> str:
        if masked and self.shared_detail is not None:
            return self.shared_detail
        return self.detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(one_line(self.question), id="question")
            if self.detail:
                yield Static(plain(self._detail(is_masked(self))), id="detail")
            with Horizontal():
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button(f"{self.no} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()
        if self.detail:
            on_masking(self, self._show_detail)

    def _show_detail(self, masked: bool) -> None:
        self.query_one("#detail", Static).update(plain(self._detail(masked)))

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
