"""Where the app can go: its sections, a client, a case manager's week, and back.

Only the app uses this module; a screen asks through its session (``show``,
``open_client``, ``go_back``…), so no screen imports another to open it.

The stack is: the caseload at the bottom, then at most one section (Today, the
partner directory, …), then at most one client workspace. Esc goes one step back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen

from casetui.ui.screens.accreditation_readiness import AccreditationScreen
from casetui.ui.screens.audit_trail import AuditScreen
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.funder_stats import StatsScreen
from casetui.ui.screens.funding_sources import FundingSourcesScreen
from casetui.ui.screens.partners import PartnersScreen
from casetui.ui.screens.pmt_figures import PmtScreen
from casetui.ui.screens.team import TeamScreen
from casetui.ui.screens.today_list import TodayScreen
from casetui.ui.screens.two_versions import VersionsScreen
from casetui.ui.screens.week import WeekScreen
from casetui.ui.session import Section, session_of

#: Each section's screen; the caseload is the bottom of the stack, and "week" is the
#: vault owner's own.
SECTION_SCREENS: dict[Section, type[Screen[Any]]] = {
    "today": TodayScreen,
    "partners": PartnersScreen,
    "week": WeekScreen,
    "team": TeamScreen,
    "accreditation": AccreditationScreen,
    "stats": StatsScreen,
    "funding": FundingSourcesScreen,
    "pmt": PmtScreen,
    "audit": AuditScreen,
    "versions": VersionsScreen,
}

#: The sections a client workspace opens over, rather than replacing.
KEPT_UNDER_A_CLIENT = (TodayScreen, PartnersScreen, AuditScreen, AccreditationScreen)


def section_of(screen: Screen[Any]) -> Section | None:
    """The section ``screen`` shows, if it is one."""
    for section, screen_class in SECTION_SCREENS.items():
        if type(screen) is screen_class:
            return section
    return None


class Navigator:
    """Opens screens for the app; the app's ``show``, ``open_client``… call it."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app

    def _pop_to(self, keep: Callable[[Screen[Any]], bool]) -> None:
        app = self.app
        while len(app.screen_stack) > 2 and not keep(app.screen):
            app.pop_screen()

    def show(self, section: Section) -> None:
        """Open one of the app's sections over the caseload (or go back to the caseload)."""
        session = session_of(self.app)
        if section == "caseload":
            self._pop_to(lambda s: False)
            return
        if session.vault is None:
            return
        if section == "week":
            # The vault owner's week of admin and self-care time.
            if session.owner_id is None:
                self.app.notify(
                    "This vault has no case manager of its own, so there is no week to show.",
                    severity="warning",
                    markup=False,
                )
                return
            self._pop_to(lambda s: False)
            self.app.push_screen(WeekScreen(session.owner_id))
            return
        self._pop_to(lambda s: False)
        self.app.push_screen(SECTION_SCREENS[section]())

    def open_client(
        self, client_id: str, tab: str | None = None, record_id: str | None = None
    ) -> None:
        vault = session_of(self.app).vault
        if vault is None or client_id not in vault.repo.clients:
            return
        self._pop_to(lambda s: isinstance(s, KEPT_UNDER_A_CLIENT))
        self.app.push_screen(ClientScreen(client_id, tab, record_id))

    def open_week(self, staff_id: str) -> None:
        """A case manager's week, over the screen showing now (the team view, readiness)."""
        self.app.push_screen(WeekScreen(staff_id))

    def open_team(self) -> None:
        """The team view, from a week: back to it when it is just below, else over it."""
        stack = self.app.screen_stack
        if len(stack) > 1 and isinstance(stack[-2], TeamScreen):
            self.app.pop_screen()  # came from the team view: go back rather than pile up
        else:
            self.app.push_screen(TeamScreen())

    def go_back(self) -> None:
        """Esc from a workspace: back to Today or the directory, else the caseload."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
