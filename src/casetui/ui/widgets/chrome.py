"""The bars every screen shares: the demo banner and the quiet save status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from casetui.ui.safe_text import one_line

if TYPE_CHECKING:
    from casetui.ui.app import CaseApp, SaveState

DEMO_TEXT = "DEMO — fictional data, deleted when you quit"


class DemoBanner(Static):
    DEFAULT_CSS = """
    DemoBanner {
        dock: top; height: 1; width: 100%;
        background: $warning; color: $background; text-style: bold; content-align: center middle;
    }
    """

    def __init__(self) -> None:
        super().__init__(DEMO_TEXT, markup=False)


class SaveStatus(Static):
    """Shows "Saved 14:02", or why the last save failed."""

    DEFAULT_CSS = """
    SaveStatus { height: 1; width: auto; color: $text-muted; padding: 0 1; }
    SaveStatus.failed { color: $error; text-style: bold; }
    """

    def on_mount(self) -> None:
        app: CaseApp = self.app  # type: ignore[assignment]
        self.watch(app, "save_state", self._show, init=True)

    def _show(self, state: SaveState) -> None:
        self.update(one_line(state.text))
        self.set_class(not state.ok, "failed")
