"""The client workspace: a header about the person, then one tab per area."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from casetui.core.choices import LEGAL_TAB_ENGAGEMENTS
from casetui.core.records import Client
from casetui.ui.goal_sheet import start_print
from casetui.ui.masking import client_name, is_masked, on_masking
from casetui.ui.panes.base import Pane
from casetui.ui.panes.consents import ConsentsPane
from casetui.ui.panes.goals import GoalsPane
from casetui.ui.panes.history import HistoryPane
from casetui.ui.panes.household import HouseholdPane
from casetui.ui.panes.legal import LegalPane
from casetui.ui.panes.meetings import MeetingsPane
from casetui.ui.panes.needs import NeedsPane
from casetui.ui.panes.profile import ProfilePane
from casetui.ui.panes.referrals import ReferralsPane
from casetui.ui.panes.safety import SafetyPane
from casetui.ui.panes.services_given import ServicesPane
from casetui.ui.panes.strengths_pane import StrengthsPane
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line
from casetui.ui.session import Session, session_of
from casetui.ui.widgets.chrome import MaskBadge, SaveStatus, banners

#: (tab id, label) in order; the keys of the top row choose them (see ``TAB_KEYS``).
TABS: tuple[tuple[str, str], ...] = (
    ("profile", "Profile"),
    ("goals", "Goals"),
    ("needs", "Needs"),
    ("meetings", "Meetings"),
    ("referrals", "Referrals"),
    ("strengths", "Strengths"),
    ("safety", "Safety plan"),
    ("consents", "Consents"),
    ("legal", "Legal"),
    ("history", "History"),
    ("household", "Household"),
    ("services", "Services"),
)
#: The key of each tab, in order: 1-9, 0 the tenth (History), then - and = along the row.
TAB_KEYS = "1234567890-="
#: Textual's names for the keys that are not digits.
KEY_NAMES = {"-": "minus", "=": "equals_sign"}

#: Shorter names for a narrow terminal, where twelve tabs must share 80 columns.
SHORT_LABELS: dict[str, str] = {"safety": "Safety"}
#: Shorter still, for a narrower terminal.
TINY_LABELS: dict[str, str] = {"safety": "Safety", "meetings": "Meet", "referrals": "Refs"}
#: The shortest, for 80 columns with the Legal tab shown.
MINI_LABELS: dict[str, str] = {
    **TINY_LABELS,
    "profile": "Prof",
    "safety": "Safe",
    "consents": "ROI",
    "history": "Hist",
    "household": "House",
    "services": "Svcs",
}

#: How the tab labels are laid out, widest first: (class on the tab bar, gap between
#: the key and the name, names, columns of padding around each tab).
TAB_STYLES: tuple[tuple[str, str, dict[str, str], int], ...] = (
    ("", " ", {}, 2),
    ("-compact", " ", SHORT_LABELS, 1),
    ("-compact", "", TINY_LABELS, 1),
    ("-compact", "", MINI_LABELS, 1),
)


def tab_key(tab: str) -> str:
    """The key that chooses a tab: 1-9 in order, then 0, - and =."""
    return TAB_KEYS[[t for t, _ in TABS].index(tab)]


def tab_labels(width: int, shown: list[str]) -> tuple[str, dict[str, Content]]:
    """Labels for the ``shown`` tabs that fit in ``width`` columns, each with its key.

    The widest layout that fits is chosen; below 80 columns the shortest is used
    and the tab bar scrolls.
    """
    names = dict(TABS)

    def needed(style: tuple[str, str, dict[str, str], int]) -> int:
        _css_class, gap, short, padding = style
        return sum(
            len(tab_key(tab)) + len(gap) + len(short.get(tab, names[tab])) + padding
            for tab in shown
        )

    fitting = [style for style in TAB_STYLES if needed(style) <= width]
    css_class, gap, short, _padding = fitting[0] if fitting else TAB_STYLES[-1]
    return css_class, {
        tab: Content.assemble((tab_key(tab), "bold"), gap + short.get(tab, names[tab]))
        for tab in shown
    }


PANES: dict[str, type[Pane]] = {
    "profile": ProfilePane,
    "goals": GoalsPane,
    "needs": NeedsPane,
    "meetings": MeetingsPane,
    "referrals": ReferralsPane,
    "strengths": StrengthsPane,
    "safety": SafetyPane,
    "consents": ConsentsPane,
    "legal": LegalPane,
    "history": HistoryPane,
    "household": HouseholdPane,
    "services": ServicesPane,
}


def header_text(client: Client, masked: bool = False) -> str:
    parts = [client_name(client, masked)]
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


class ClientScreen(ShowsRecords, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="client.back"),
        Binding("g", "print_sheet", "Print goal sheet", show=False, id="client.print"),
        *[
            Binding(
                KEY_NAMES.get(key, key),
                f"tab('{tab}')",
                "Tab" if n == 1 else label,
                # The tab bar shows each tab's key, so the footer keeps its room.
                show=False,
                key_display="0-9" if n == 1 else key,
                id=f"client.tab_{tab}",
            )
            for n, ((tab, label), key) in enumerate(zip(TABS, TAB_KEYS, strict=True), start=1)
        ],
    ]

    DEFAULT_CSS = """
    ClientScreen #client-top { height: 1; background: $panel; }
    ClientScreen #client-header {
        width: 1fr; height: 1; text-style: bold; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ClientScreen TabbedContent.-compact Tab { padding: 0 0 0 1; }
    ClientScreen TabbedContent { height: 1fr; }
    ClientScreen TabPane { padding: 0; }
    """

    def __init__(
        self, client_id: str, tab: str | None = None, record_id: str | None = None
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.initial_tab = tab if tab in dict(TABS) else "profile"
        #: A record to put the cursor on in the first tab (from Today).
        self.initial_record = record_id

    @property
    def case_app(self) -> Session:
        return session_of(self.app)

    @property
    def client(self) -> Client:
        return self.case_app.require_vault().repo.clients.require(self.client_id)

    def compose(self) -> ComposeResult:
        yield from banners(self.case_app)
        with Horizontal(id="client-top"):
            yield Static("", id="client-header")
            yield MaskBadge()
            yield SaveStatus()
        with TabbedContent(initial=self.initial_tab):
            for tab, label in TABS:
                with TabPane(label, id=tab):
                    yield PANES[tab](self.client_id)
        # Compact: at 80 columns a tab's keys, Back, Quit and Help all fit.
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.refresh_header()
        self._show_legal_tab()
        if self.initial_tab == "legal" and not self._legal_visible():
            self.query_one(TabbedContent).active = "profile"
        self.call_after_refresh(self._focus_active)
        on_masking(self, self._masking_changed)

    def _masking_changed(self, masked: bool) -> None:
        if masked:
            self.query_one(SafetyPane).hide()
        self.refresh_header()
        for pane in self.query(Pane):
            pane.refresh_data()

    def _legal_visible(self) -> bool:
        return self.client.legal_engagement in LEGAL_TAB_ENGAGEMENTS

    def _show_legal_tab(self) -> None:
        """The Legal tab exists only while the client chooses to consider or engage."""
        tabs = self.query_one(TabbedContent)
        if self._legal_visible():
            tabs.show_tab("legal")
        else:
            if tabs.active == "legal":
                tabs.active = "profile"
            tabs.hide_tab("legal")
        self._fit_tab_labels()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_tab_labels()

    def _fit_tab_labels(self) -> None:
        """Every tab on screen with its key, in the widest labels that fit."""
        found = self.query(TabbedContent)
        if not found:
            return
        tabs = found.first()
        shown = [tab for tab, _ in TABS if tab != "legal" or self._legal_visible()]
        css_class, labels = tab_labels(self.size.width or self.app.size.width, shown)
        tabs.set_class(bool(css_class), "-compact")
        for tab, label in labels.items():
            tab_widget = tabs.get_tab(tab)
            if tab_widget.label != label:
                tab_widget.label = label

    def show_tab(self, tab: str) -> None:
        self.action_tab(tab)

    def _focus_active(self) -> None:
        active = self.query_one(TabbedContent).active
        if self.initial_record is not None:
            self.query_one(PANES[active]).select(self.initial_record)
        self._focus_tab(active)

    def refresh_header(self) -> None:
        client = self.client
        masked = is_masked(self)
        self.query_one("#client-header", Static).update(one_line(header_text(client, masked)))
        self.title = client_name(client, masked)

    def refresh_all(self) -> None:
        """Redraw the header, the tabs shown and every tab from the records."""
        self.refresh_header()
        self._show_legal_tab()
        for pane in self.query(Pane):
            pane.refresh_data()

    def reload_records(self) -> None:
        """After a change (``RecordsChanged``); the caseload recomputes when shown again."""
        if self.client_id in self.case_app.require_vault().repo.clients:
            self.refresh_all()

    def action_tab(self, tab: str) -> None:
        if tab == "legal" and not self._legal_visible():
            self.notify(
                "The Legal tab appears when the client chooses to consider or engage with "
                "the legal system (edit the profile).",
                markup=False,
                timeout=5,
            )
            return
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
        if event.pane.id != "safety":
            self.query_one(SafetyPane).hide()
        if event.pane.id and event.pane.id == self.query_one(TabbedContent).active:
            self._focus_tab(event.pane.id)

    def on_screen_suspend(self) -> None:
        self.query_one(SafetyPane).hide()

    def action_back(self) -> None:
        self.case_app.go_back()

    def action_print_sheet(self) -> None:
        start_print(self.case_app, self.client_id)
