"""Profile and background: every client field, with one key to edit them."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from casetui.config.funder_lists import catalog_or_standard
from casetui.core import case_rules as core_casework
from casetui.core.choices import OPEN_NEED_STATUSES, CaseEventKind, ClientStatus
from casetui.core.funder_catalog import Catalog
from casetui.core.funder_records import FundingSource
from casetui.core.history_records import Assignment, CaseEvent
from casetui.core.labels import neutral_label
from casetui.core.records import Client
from casetui.core.rules import staff_by_name
from casetui.services import caseload_view, casework
from casetui.ui.forms.casework_fields import close_fields, reassign_fields, reopen_fields
from casetui.ui.forms.client_fields import (
    FUNDER_HEADING,
    FUNDER_INTRO,
    FUNDER_LABELS,
    check_alone,
    client_fields,
    client_values,
    funder_fields,
)
from casetui.ui.forms.form import FormScreen, required_date
from casetui.ui.forms.profile_form import ProfileFormScreen
from casetui.ui.masking import HIDDEN, client_name, free_text, is_masked
from casetui.ui.panes.base import Pane
from casetui.ui.panes.removal_flow import ask_to_remove
from casetui.ui.safe_text import clean_line, labelled, short_date


def profile_text(client: Client, manager: str, masked: bool = False) -> Text:
    """The profile as label/value lines; values are appended as plain text.

    While masked, the name is the neutral calendar code and the notes are hidden.
    """

    def flag(value: bool) -> str:
        return "yes" if value else "no"

    rows: list[tuple[str, str]] = [
        ("Preferred name", client_name(client, masked)),
        ("Pronouns", client.pronouns or "—"),
        ("Intake date", short_date(client.intake_date)),
        ("Status", client.status.label),
        ("Case manager", manager or "—"),
        ("Check in every", f"{client.checkin_interval_days} days"),
        ("Language", client.language or "—"),
        ("Interpreter needed", flag(client.interpreter_needed)),
        ("Culture notes", free_text(client.culture_notes, masked)),
        ("Faith notes", free_text(client.faith_notes, masked)),
        ("May we call", flag(client.may_call)),
        ("May we text", flag(client.may_text)),
        ("May we leave voicemail", flag(client.may_leave_voicemail)),
        ("Safe contact notes", free_text(client.safe_contact_notes, masked)),
        ("Legal engagement", client.legal_engagement.label),
        ("Needs last reassessed", short_date(client.needs_reassessed_on, "not yet")),
        ("Calendar code", neutral_label(client.preferred_name, client.calendar_code, client.id)),
    ]
    return labelled(rows)


NOT_ASKED = "not asked yet"


def funders_text(
    client: Client,
    catalog: Catalog,
    sources: list[FundingSource],
    masked: bool = False,
    problem: str = "",
) -> Text:
    """What was recorded for funders' reports, by the lists' labels (hidden while masked);
    ``problem`` says why the agency's own lists are not the ones shown."""
    rows: list[tuple[str, str]] = []
    for field_list in catalog.fields:
        stored = getattr(client, field_list.field)
        codes = (stored,) if isinstance(stored, str) else tuple(stored)
        shown = ", ".join(field_list.label(c) for c in codes if c)
        label = FUNDER_LABELS.get(field_list.field, field_list.heading)
        rows.append((label, (HIDDEN if masked else shown) if shown else NOT_ASKED))
    names = {s.id: s.name for s in sources}
    counted = ", ".join(
        names.get(i, "a funding source no longer listed") for i in client.funding_source_ids
    )
    rows.append((FUNDER_LABELS["funding_source_ids"], counted or "—"))
    text = Text(end="")
    text.append("For funders' reports", style="bold")
    text.append("\n")
    if problem:
        text.append(clean_line(problem) + "\n", style="italic")
    text.append_text(labelled(rows))
    return text


def funder_catalog() -> tuple[Catalog, str]:
    """The lists in use, and a sentence when the agency's own file could not be used."""
    catalog, problem = catalog_or_standard()
    return catalog, f"{problem} The standard lists are shown instead." if problem else ""


class ProfileView(VerticalScroll, can_focus=True):
    pass


def history_text(
    assignments: list[Assignment],
    events: list[CaseEvent],
    names: dict[str, str],
    masked: bool = False,
) -> Text:
    """Handoffs, closings and reopenings, newest first (their notes hidden while masked)."""
    entries: list[tuple[str, str, str]] = []
    for a in assignments:
        who = names.get(a.to_staff_id, "someone no longer listed")
        before = names.get(a.from_staff_id, "") if a.from_staff_id else ""
        what = f"Handed to {who}" + (f" by {before}" if before else "")
        entries.append((a.on.isoformat(), what, free_text(a.note, masked, "")))
    for e in events:
        if e.kind is CaseEventKind.CLOSED:
            what = "Closed: " + (e.reason.label if e.reason else "")
        else:
            what = "Reopened"
        entries.append((e.on.isoformat(), what, free_text(e.note, masked, "")))
    text = Text(end="")
    text.append("Case history", style="bold")
    if not entries:
        text.append("\n  Nothing yet: no handoffs, closings or reopenings.")
    for on, what, said in sorted(entries, reverse=True):
        text.append(f"\n  {on}  ", style="bold")
        text.append(what)
        if said:
            text.append(f" — {said}")
    return text


class ProfilePane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit profile", id="profile.edit"),
        Binding("r", "reassign", "Reassign", id="profile.reassign"),
        Binding("x", "close_or_reopen", "Close/reopen", id="profile.close"),
        Binding("d", "remove_client", "Remove…", id="profile.remove"),
    ]

    def compose(self) -> ComposeResult:
        with ProfileView(id="profile-view"):
            yield Static("", id="profile-text")
            yield Static("", id="profile-history")
            yield Static("", id="profile-funders")

    def refresh_data(self) -> None:
        client = self.client
        repo = self.vault.repo
        manager = repo.staff.get(client.case_manager_id)
        masked = is_masked(self)
        self.query_one("#profile-text", Static).update(
            profile_text(client, manager.name if manager else "", masked)
        )
        names = {s.id: s.name for s in repo.staff.all()}
        self.query_one("#profile-history", Static).update(
            history_text(
                repo.assignments.for_parent(self.client_id),
                repo.case_events.for_parent(self.client_id),
                names,
                masked,
            )
        )
        catalog, problem = funder_catalog()
        self.query_one("#profile-funders", Static).update(
            funders_text(client, catalog, repo.funding_sources.all(), masked, problem)
        )

    def action_reassign(self) -> None:
        client = self.client
        staff = staff_by_name(self.vault.repo.staff.all())
        if len(staff) < 2:
            self.app.notify(
                "There is no other case manager in this vault to hand the client to.",
                markup=False,
            )
            return

        def build(values: dict[str, Any]) -> tuple[str, date, str]:
            on = required_date(values, "on")
            core_casework.reassign(client, values["to_staff_id"] or "", on, values["note"])
            return values["to_staff_id"], on, values["note"]

        def done(result: tuple[str, date, str] | None) -> None:
            if result is None:
                return
            to_staff, on, note = result
            name = next((s.name for s in staff if s.id == to_staff), "")
            self.write(
                f"{client_name(client, is_masked(self))} is now with {name}.",
                casework.reassign,
                client.id,
                to_staff,
                on,
                note,
            )

        self.app.push_screen(
            FormScreen(
                "Reassign the client",
                reassign_fields(staff, client.case_manager_id),
                {"on": self.session.today},
                build,
                intro="One designated case manager per client. The handoff is kept in the "
                "case history.",
            ),
            done,
        )

    def action_remove_client(self) -> None:
        """Remove a client entered by mistake, or erase their records on their request."""
        ask_to_remove(self, self.client_id)

    def action_close_or_reopen(self) -> None:
        client = self.client
        today = self.session.today
        if client.status is ClientStatus.CLOSED:

            def build_reopen(values: dict[str, Any]) -> tuple[date, str]:
                on = required_date(values, "on")
                closed_on = core_casework.last_closed_on(
                    self.vault.repo.case_events.for_parent(client.id)
                )
                core_casework.reopen_case(client, on=on, reason=values["note"], closed_on=closed_on)
                return on, values["note"]

            def reopened(result: tuple[date, str] | None) -> None:
                if result is not None:
                    on, reason = result
                    self.write(
                        "Welcome back: the case is open again.",
                        casework.reopen_case,
                        client.id,
                        on=on,
                        reason=reason,
                    )

            self.app.push_screen(
                FormScreen("Reopen the case", reopen_fields(), {"on": today}, build_reopen),
                reopened,
            )
            return

        needs = self.vault.repo.needs.for_parent(client.id)
        open_needs = sum(1 for n in needs if n.status in OPEN_NEED_STATUSES)
        plan = caseload_view.safety_plan_for(self.vault.repo, client.id)

        def build_close(values: dict[str, Any]) -> dict[str, Any]:
            on = required_date(values, "on")
            values = {**values, "on": on}
            core_casework.close_case(client, needs=needs, **values)
            return values

        def closed(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.write(
                    "The case is closed. It stays searchable under Closed cases.",
                    casework.close_case,
                    client.id,
                    **values,
                )

        checklist = (
            f"Open needs: {open_needs}. "
            + ("Safety plan on file." if plan else "No safety plan on file.")
            + " Closed clients leave the active caseload but stay searchable, and can be "
            "reopened at any time."
        )
        self.app.push_screen(
            FormScreen(
                f"Close the case: {client.preferred_name}",
                close_fields(plan is not None),
                {"on": today},
                build_close,
                intro=checklist,
            ),
            closed,
        )

    def action_edit(self) -> None:
        client = self.client
        staff = staff_by_name(self.vault.repo.staff.all())
        catalog, problem = funder_catalog()
        if problem:
            self.app.notify(problem, severity="warning", markup=False)
        group = funder_fields(catalog, self.vault.repo.funding_sources.all(), client)

        def build(values: dict[str, Any]) -> Client:
            check_alone(values, group)
            return dataclasses.replace(client, **values)

        def done(updated: Client | None) -> None:
            if updated is not None and updated != client:
                self.write("Profile saved.", casework.save, updated)

        fields = client_fields(staff, client)
        self.app.push_screen(
            ProfileFormScreen(
                f"Profile: {client.preferred_name}",
                fields,
                group,
                client_values(client, {}, [*fields, *group]),
                build,
                group_title=FUNDER_HEADING,
                group_intro=FUNDER_INTRO,
            ),
            done,
        )
