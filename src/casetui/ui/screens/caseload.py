"""The caseload: the home screen, one row per client.

Rows are computed once per change to the records; the filter only tests a
pre-lowered text per row and hands the survivors to :class:`RowList`, which draws
the visible lines alone. That keeps a keystroke cheap at thousands of clients.

While the screen is shared, each client shows as their calendar code (never initials),
and the filter matches only what the rows show, so typing part of a name or a
note cannot single out a client.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from casetui.core.choices import ClientStatus, LegalEngagement
from casetui.core.records import Client
from casetui.core.rules import CaseloadRow, staff_by_name
from casetui.services import caseload_view, casework
from casetui.ui.forms.client_fields import client_fields, client_values
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import client_name, is_masked, on_masking
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line, short_date
from casetui.ui.session import Session, session_of
from casetui.ui.widgets.chrome import MaskBadge, SaveStatus, banners
from casetui.ui.widgets.row_list import Column, Row, RowList

SCOPES = ("mine", "everyone", "closed")
SCOPE_TITLES = {"mine": "My caseload", "everyone": "Everyone's clients", "closed": "Closed cases"}
FILTER_HINT = "Filter by name, language, notes… (Esc clears)"
MASKED_FILTER_HINT = "Filter by code, status, case manager… (Esc clears)"


def next_checkin_text(row: CaseloadRow) -> str:
    if row.overdue:
        return f"⚠ overdue {row.days_overdue}d"
    return short_date(row.next_checkin)


def row_text(row: CaseloadRow, masked: bool = False) -> str:
    """Everything the filter searches, lowered once; while masked, only what is shown."""
    c = row.client
    if masked:
        return " ".join(
            (
                client_name(c, True),
                c.pronouns,
                c.status.label,
                row.case_manager,
                "overdue" if row.overdue else "",
            )
        ).casefold()
    return " ".join(
        (
            c.preferred_name,
            c.pronouns,
            c.status.label,
            row.case_manager,
            c.language,
            c.culture_notes,
            c.faith_notes,
            c.safe_contact_notes,
            "overdue" if row.overdue else "",
        )
    ).casefold()


def _sort_date(value: date | None) -> date:
    return value or date.max


class CaseloadScreen(ShowsRecords, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="caseload.filter"),
        Binding("m", "scope", "Scope", id="caseload.scope"),
        Binding("n", "new_client", "New", id="caseload.new_client"),
        Binding("t", "today", "Today", id="caseload.today"),
        Binding("p", "partners", "Partners", id="caseload.partners"),
        Binding("w", "week", "My week", show=False, id="caseload.week"),
        Binding("v", "team", "Team", show=False, id="caseload.team"),
        Binding("h", "audit", "Audit trail", show=False, id="caseload.audit"),
        Binding("r", "accreditation", "Readiness", show=False, id="caseload.accreditation"),
        Binding("f", "stats", "Funder statistics", show=False, id="caseload.stats"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="caseload.clear_filter"),
    ]

    DEFAULT_CSS = """
    CaseloadScreen #top { height: 1; background: $panel; }
    CaseloadScreen #title { width: 1fr; text-style: bold; padding: 0 1; }
    CaseloadScreen #capacity { width: auto; padding: 0 1; }
    CaseloadScreen #capacity.over { color: $error; text-style: bold; }
    CaseloadScreen #filter { display: none; }
    CaseloadScreen #filter.shown { display: block; }
    CaseloadScreen #summary { height: 1; color: $text-muted; padding: 0 1; }
    CaseloadScreen #why { display: none; color: $text-muted; padding: 0 1; }
    CaseloadScreen #why.shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.scope = "mine"
        self._rows: list[tuple[str, Row]] = []
        #: Why everyone's clients are shown (the vault has no case manager of its own).
        self._why = ""

    @property
    def case_app(self) -> Session:
        return session_of(self.app)

    def compose(self) -> ComposeResult:
        yield from banners(self.case_app)
        with Horizontal(id="top"):
            yield Static("", id="title")
            yield Static("", id="capacity")
            yield MaskBadge()
            yield SaveStatus()
        yield Static(one_line(self._why), id="why")
        yield Input(placeholder=FILTER_HINT, id="filter")
        yield RowList(self._columns(), empty_text="No clients to show here.", id="caseload")
        yield Static("", id="summary")
        yield Footer(show_command_palette=False)

    def _columns(self) -> list[Column]:
        columns = [
            Column("name", "Client", 0, 12, lambda r: self._shown_name(r.client).casefold()),
            Column("pronouns", "Pronouns", 9, sort_key=lambda r: r.client.pronouns.casefold()),
            Column("status", "Status", 7, sort_key=lambda r: r.client.status.label),
        ]
        if self.scope != "mine":
            columns.append(
                Column("manager", "Case manager", 0, 10, lambda r: r.case_manager.casefold())
            )
        columns += [
            Column("last", "Last contact", 12, sort_key=lambda r: _sort_date(r.last_contact)),
            Column(
                "next",
                "Next check-in",
                13,
                sort_key=lambda r: (not r.overdue, -r.days_overdue, _sort_date(r.next_checkin)),
            ),
            Column("needs", "Needs", 5, sort_key=lambda r: -r.open_needs),
            Column(
                "goals", "Goals", 5, sort_key=lambda r: r.goals_achieved / max(r.goals_total, 1)
            ),
        ]
        return columns

    def on_mount(self) -> None:
        self._show_filter_hint()
        self.reload()
        self.query_one(RowList).focus()
        on_masking(self, self._masking_changed)

    def _shown_name(self, client: Client) -> str:
        return client_name(client, is_masked(self))

    def _show_filter_hint(self) -> None:
        box = self.query_one("#filter", Input)
        box.placeholder = MASKED_FILTER_HINT if is_masked(self) else FILTER_HINT

    def _masking_changed(self, masked: bool) -> None:
        if masked:  # what was typed may be part of a name
            box = self.query_one("#filter", Input)
            had_focus = box.has_focus
            box.value = ""
            box.remove_class("shown")
            if had_focus:
                self.query_one(RowList).focus()
        self._show_filter_hint()
        self.reload()

    def reload_records(self) -> None:
        self.reload()

    # -- data -----------------------------------------------------------------------

    def _statuses(self) -> frozenset[ClientStatus]:
        if self.scope == "closed":
            return frozenset({ClientStatus.CLOSED})
        return frozenset({ClientStatus.ACTIVE, ClientStatus.ON_HOLD})

    def reload(self) -> None:
        app = self.case_app
        vault = app.require_vault()
        #: While the meeting log is still being read, contact columns wait for it.
        self._contact_unknown = "meetings" in vault.loading
        staff_id = app.owner_id if self.scope == "mine" else None
        if self.scope == "mine" and staff_id is None:
            caseload: list[CaseloadRow] = []
        else:
            caseload = caseload_view.caseload(
                vault.repo, app.today, staff_id=staff_id, statuses=self._statuses()
            )
        masked = is_masked(self)
        if masked:  # in the order the labels read, not the hidden names
            caseload.sort(key=lambda row: (self._shown_name(row.client).casefold(), row.client.id))
        self._rows = [(row_text(row, masked), self._row(row)) for row in caseload]
        self.query_one("#why", Static).set_class(
            bool(self._why) and self.scope == "everyone", "shown"
        )
        title = SCOPE_TITLES[self.scope]
        self.query_one("#title", Static).update(one_line(title))
        capacity = self.query_one("#capacity", Static)
        if self.scope == "mine" and app.owner_id is not None:
            cap = caseload_view.capacity(vault.repo, app.owner_id)
            capacity.update(one_line(cap.describe()))
            capacity.set_class(cap.over, "over")
        else:
            capacity.update(one_line(f"{len(caseload)} clients"))
            capacity.set_class(False, "over")
        overdue = sum(1 for row in caseload if row.overdue)
        if self._contact_unknown:
            said = "Reading the meeting log: check-ins show in a moment"
        elif overdue:
            said = f"{overdue} overdue for a check-in"
        else:
            said = "Nobody is overdue a check-in"
        self.query_one("#summary", Static).update(one_line(said))
        self.apply_filter()

    def _row(self, row: CaseloadRow) -> Row:
        c = row.client
        cells = [self._shown_name(c), c.pronouns or "—", c.status.label]
        if self.scope != "mine":
            cells.append(row.case_manager or "—")
        unknown = getattr(self, "_contact_unknown", False)
        cells += [
            "…" if unknown else short_date(row.last_contact, "none yet"),
            "…" if unknown else next_checkin_text(row),
            str(row.open_needs),
            f"{row.goals_achieved}/{row.goals_total}",
        ]
        marks = {len(cells) - 3: "row-list--alert"} if row.overdue and not unknown else {}
        if c.status is not ClientStatus.ACTIVE:
            marks[2] = "row-list--muted"
        return Row(c.id, tuple(cells), row, marks)

    def apply_filter(self) -> None:
        needle = self.query_one("#filter", Input).value.strip().casefold()
        rows = (
            [row for text, row in self._rows if needle in text]
            if needle
            else [row for _text, row in self._rows]
        )
        self.query_one(RowList).set_rows(rows)

    # -- actions --------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("shown")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or box.has_class("shown"):
            box.value = ""
            box.remove_class("shown")
            self.apply_filter()
            self.query_one(RowList).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(RowList).focus()

    def action_scope(self) -> None:
        self._set_scope(SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)])

    def _set_scope(self, scope: str) -> None:
        self.scope = scope
        self.query_one(RowList).set_columns(self._columns())
        self.reload()

    def show_everyone(self, why: str) -> None:
        """Everyone's clients, with a line saying why (the vault has no case manager of its own).

        May be called before the screen is mounted: it then opens that way.
        """
        self._why = why
        if not self.is_mounted:
            self.scope = "everyone"
            return
        self.query_one("#why", Static).update(one_line(why))
        self._set_scope("everyone")

    def show_mine(self) -> None:
        """The caseload of the case manager just chosen as the vault's own."""
        self._why = ""
        self._set_scope("mine")

    @on(RowList.Chosen, "#caseload")
    def _chosen(self, event: RowList.Chosen) -> None:
        self.case_app.open_client(event.row.key)

    def action_today(self) -> None:
        self.case_app.show("today")

    def action_partners(self) -> None:
        self.case_app.show("partners")

    def action_week(self) -> None:
        self.case_app.show("week")

    def action_team(self) -> None:
        self.case_app.show("team")

    def action_audit(self) -> None:
        self.case_app.show("audit")

    def action_accreditation(self) -> None:
        self.case_app.show("accreditation")

    def action_stats(self) -> None:
        self.case_app.show("stats")

    def action_new_client(self) -> None:
        app = self.case_app
        vault = app.require_vault()
        staff = staff_by_name(vault.repo.staff.all())
        if not staff:
            app.notify("Add a case manager first.", severity="error")
            return
        manager = app.owner_id or staff[0].id
        defaults: dict[str, Any] = {
            "intake_date": app.today,
            "status": ClientStatus.ACTIVE,
            "case_manager_id": manager,
            "checkin_interval_days": app.settings.checkin_interval_days,
            "legal_engagement": LegalEngagement.NOT_ENGAGED,
        }

        def build(values: dict[str, Any]) -> Client:
            return Client.create(**values)

        def done(client: Client | None) -> None:
            if client is None:
                return
            if app.write(casework.add, client):
                app.notify(f"Added {self._shown_name(client)}.", markup=False)
                app.open_client(client.id)

        app.push_screen(
            FormScreen("New client", client_fields(staff), client_values(None, defaults), build),
            done,
        )


def replace_client(client: Client, values: dict[str, Any]) -> Client:
    return dataclasses.replace(client, **values)
