"""The bars every screen shares: the demo banner, the save status and the sharing badge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from casetui.ui.masking import INDICATOR, is_masked, on_masking
from casetui.ui.safe_text import one_line
from casetui.ui.session import Session, session_of

if TYPE_CHECKING:
    from casetui.ui.save_worker import SaveState

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


class ReadOnlyBanner(Static):
    """Across the top of every screen of a read-only session, so it is never mistaken."""

    DEFAULT_CSS = """
    ReadOnlyBanner {
        dock: top; height: 1; width: 100%;
        background: $error; color: $background; text-style: bold; content-align: center middle;
    }
    """

    def __init__(self, holder: str, *, older_copy: bool = False) -> None:
        where = f" (open elsewhere{holder})" if holder else ""
        if older_copy:
            where = " (an older copy of the vault)"
        super().__init__(one_line(f"READ-ONLY{where} — nothing here can be changed or saved"))


def banners(app: Session) -> ComposeResult:
    """The banner a screen starts with: the demo's, or a read-only session's."""
    if app.demo:
        yield DemoBanner()
    elif app.vault is not None and not app.vault.writable:
        yield ReadOnlyBanner(app.read_only_because, older_copy=app.vault.older_copy() is not None)


class SaveStatus(Static):
    """Shows "Saved 14:02", or why the last save failed."""

    DEFAULT_CSS = """
    SaveStatus { height: 1; width: auto; color: $text-muted; padding: 0 1; }
    SaveStatus.failed { color: $error; text-style: bold; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "save_state", self._show, init=True)

    def _show(self, state: SaveState) -> None:
        self.update(one_line(state.text))
        self.set_class(not state.ok, "failed")


class MaskBadge(Static):
    """The "Screen sharing: names hidden" badge while the screen is shared; nothing otherwise."""

    DEFAULT_CSS = """
    MaskBadge {
        height: 1; width: auto; padding: 0 1; display: none;
        background: $warning; color: $background; text-style: bold;
    }
    MaskBadge.shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__(INDICATOR, markup=False)

    def on_mount(self) -> None:
        self._show(is_masked(self))
        on_masking(self, self._show)

    def _show(self, masked: bool) -> None:
        self.set_class(masked, "shown")


class TitleBar(Horizontal):
    """A screen's top line: its title on the left, the save status on the right."""

    DEFAULT_CSS = """
    TitleBar { height: 1; background: $panel; }
    TitleBar > .title-bar--title { width: 1fr; text-style: bold; padding: 0 1; }
    """

    def __init__(self, title_id: str, title: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_id = title_id
        self.initial_title = title

    def compose(self) -> ComposeResult:
        yield Static(one_line(self.initial_title), id=self.title_id, classes="title-bar--title")
        yield MaskBadge()
        yield SaveStatus()


class CaseScreen(Screen[None]):
    """A full screen of the app, with the demo banner (in the demo) and a title bar."""

    @property
    def case_app(self) -> Session:
        return session_of(self.app)

    def chrome(self, name: str, title: str = "") -> ComposeResult:
        """The banner and title bar; the title is ``#<name>-title`` for updates."""
        yield from banners(self.case_app)
        yield TitleBar(f"{name}-title", title, id=f"{name}-top")
