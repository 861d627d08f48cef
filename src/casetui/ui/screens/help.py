"""The help screen: how casetui works, and every key on the screen you came from."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

GUIDE = (
    "casetui keeps your caseload in one encrypted file. Every change is saved for you "
    "in the background; the top bar says when it last saved, or why it could not.\n"
    "Esc goes back or cancels a form without saving. ctrl+p opens the command palette, "
    "where you can type a client's name to go straight to them. ctrl+q quits.\n"
    "Keys can be changed in config.toml (run 'casetui config' to find it), using the "
    "ids shown on the right."
)


def keys_text(screen: Screen[object]) -> Text:
    text = Text(end="")
    seen: set[str] = set()
    for key, active in sorted(
        screen.active_bindings.items(), key=lambda kv: kv[1].binding.description
    ):
        binding = active.binding
        if not binding.description or (binding.description in seen and not binding.id):
            continue
        seen.add(binding.description)
        shown = screen.app.get_key_display(binding)
        text.append(f"{shown:>12}  ", style="bold")
        text.append(binding.description)
        if binding.id:
            text.append(f"  ({binding.id})", style="dim")
        text.append("\n")
        del key
    text.rstrip()
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100%; max-width: 100; height: 100%; max-height: 40;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; color: $primary; }
    HelpScreen #help-guide { padding: 1 0; }
    """

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.keys = keys_text(under)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Help", id="help-title")
            with VerticalScroll(can_focus=True):
                yield Static(GUIDE, id="help-guide", markup=False)
                yield Static("Keys on this screen", id="keys-title", markup=False)
                yield Static(self.keys, id="help-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
