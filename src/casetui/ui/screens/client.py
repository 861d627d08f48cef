"""The client workspace: a header about the person, then one tab per area."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from casetui.core.records import Client
from casetui.ui.panes.goals import GoalsPane
from casetui.ui.panes.meetings import MeetingsPane
from casetui.ui.panes.needs import NeedsPane
from casetui.ui.panes.profile import ProfilePane
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import DemoBanner, SaveStatus

if TYPE_CHECKING:
    from casetui.ui.app import CaseApp

TABS = ("profile", "goals", "needs", "meetings")


def header_text(client: Client) -> str:
    parts = [client.preferred_name]
    if client.pronouns:
        parts[0] += f" ({client.pronouns})"
    if client.language:
        parts.append(
            client.language + (", needs an interpreter" if client.interpreter_needed else "")
        )
    elif client.interpreter_needed:
        parts.append("needs an interpreter")
    parts.append(
        ", ".join(
            (
                "may call" if client.may_call else "do not call",
                "may text" if client.may_text else "no texts",
                "voicemail OK" if client.may_leave_voicemail else "no voicemail",
            )
        )
    )
    return " · ".join(parts)


class ClientScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Caseload", id="client.back"),
        Binding("1", "tab('profile')", "Profile", show=False, id="client.tab_profile"),
        Binding("2", "tab('goals')", "Goals", show=False, id="client.tab_goals"),
        Binding("3", "tab('needs')", "Needs", show=False, id="client.tab_needs"),
        Binding("4", "tab('meetings')", "Meetings", show=False, id="client.tab_meetings"),
    ]

    DEFAULT_CSS = """
    ClientScreen #client-top { height: auto; background: $panel; }
    ClientScreen #client-header { width: 1fr; text-style: bold; padding: 0 1; }
    ClientScreen TabbedContent { height: 1fr; }
    ClientScreen TabPane { padding: 0; }
    """

    def __init__(self, client_id: str) -> None:
        super().__init__()
        self.client_id = client_id

    @property
    def case_app(self) -> CaseApp:
        return self.app  # type: ignore[return-value]

    @property
    def client(self) -> Client:
        return self.case_app.require_vault().repo.clients.require(self.client_id)

    def compose(self) -> ComposeResult:
        if self.case_app.demo:
            yield DemoBanner()
        with Horizontal(id="client-top"):
            yield Static("", id="client-header")
            yield SaveStatus()
        with TabbedContent(initial="profile"):
            with TabPane("1 Profile", id="profile"):
                yield ProfilePane(self.client_id)
            with TabPane("2 Goals", id="goals"):
                yield GoalsPane(self.client_id)
            with TabPane("3 Needs", id="needs"):
                yield NeedsPane(self.client_id)
            with TabPane("4 Meetings", id="meetings"):
                yield MeetingsPane(self.client_id)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_header()
        self.call_after_refresh(self._focus_active)

    def _focus_active(self) -> None:
        self._focus_tab(self.query_one(TabbedContent).active)

    def refresh_header(self) -> None:
        client = self.client
        self.query_one("#client-header", Static).update(one_line(header_text(client)))
        self.title = client.preferred_name

    def refresh_all(self) -> None:
        """Redraw after a change; the caseload recomputes when it is shown again."""
        self.refresh_header()
        for pane in (ProfilePane, GoalsPane, NeedsPane, MeetingsPane):
            self.query_one(pane).refresh_data()
        from casetui.ui.screens.caseload import CaseloadScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, CaseloadScreen):
                screen.mark_stale()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        pane = self.query_one(f"#{tab}", TabPane)
        for widget in pane.query("*"):
            if widget.focusable:
                widget.focus()
                return

    @on(TabbedContent.TabActivated)
    def _activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id and event.pane.id == self.query_one(TabbedContent).active:
            self._focus_tab(event.pane.id)

    def action_back(self) -> None:
        self.case_app.show_caseload()
