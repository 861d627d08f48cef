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
    "casetui keeps your caseload encrypted, in its vault folder. Every change is saved for you "
    "in the background; the top bar says when it last saved, or why it could not.\n"
    "Esc goes back or cancels a form without saving. ctrl+p opens the command palette, "
    "where you can type a client's name to go straight to them. ctrl+q quits (it asks "
    "first when a form holds typed changes).\n"
    "Sharing your screen? F9 shows every client only as their neutral calendar code "
    "and hides notes, until you press it again.\n"
    "Keys can be changed in config.toml (run 'casetui config' to find it), using the "
    "ids shown on the right."
)


def keys_text(screen: Screen[object]) -> Text:
    """Every active key, grouped by what it does, with the id to remap it by."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        keys = grouped.setdefault((binding.description, binding.id or ""), [])
        shown = screen.app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    text = Text(end="")
    for (description, binding_id), keys in sorted(grouped.items()):
        text.append(f"{' '.join(keys):>14}  ", style="bold")
        text.append(description)
        if binding_id:
            text.append(f"  ({binding_id})", style="dim")
        text.append("\n")
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
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
