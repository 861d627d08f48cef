"""Profile and background: every client field, with one key to edit them."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from casetui.core.records import Client
from casetui.ui.client_forms import client_fields, client_values
from casetui.ui.panes.base import Pane
from casetui.ui.safe_text import short_date
from casetui.ui.screens.form import FormScreen


def profile_text(client: Client, manager: str) -> Text:
    """The profile as label/value lines; values are appended as plain text."""

    def flag(value: bool) -> str:
        return "yes" if value else "no"

    rows: list[tuple[str, str]] = [
        ("Preferred name", client.preferred_name),
        ("Pronouns", client.pronouns or "—"),
        ("Intake date", short_date(client.intake_date)),
        ("Status", client.status.label),
        ("Case manager", manager or "—"),
        ("Check in every", f"{client.checkin_interval_days} days"),
        ("Language", client.language or "—"),
        ("Interpreter needed", flag(client.interpreter_needed)),
        ("Culture notes", client.culture_notes or "—"),
        ("Faith notes", client.faith_notes or "—"),
        ("May we call", flag(client.may_call)),
        ("May we text", flag(client.may_text)),
        ("May we leave voicemail", flag(client.may_leave_voicemail)),
        ("Safe contact notes", client.safe_contact_notes or "—"),
        ("Legal engagement", client.legal_engagement.label),
        ("Needs last reassessed", short_date(client.needs_reassessed_on, "not yet")),
    ]
    text = Text(end="")
    for label, value in rows:
        text.append(f"{label}: ", style="bold")
        text.append(value)
        text.append("\n")
    text.rstrip()
    return text


class ProfileView(VerticalScroll, can_focus=True):
    pass


class ProfilePane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit profile", id="profile.edit"),
    ]

    def compose(self) -> ComposeResult:
        with ProfileView(id="profile-view"):
            yield Static("", id="profile-text")

    def refresh_data(self) -> None:
        client = self.client
        manager = self.vault.repo.staff.get(client.case_manager_id)
        self.query_one("#profile-text", Static).update(
            profile_text(client, manager.name if manager else "")
        )

    def action_edit(self) -> None:
        client = self.client
        staff = sorted(self.vault.repo.staff.all(), key=lambda s: s.name.casefold())

        def build(values: dict[str, Any]) -> Client:
            return dataclasses.replace(client, **values)

        def done(updated: Client | None) -> None:
            if updated is not None and updated != client:
                self.change(lambda v: v.repo.clients.put(updated), "Profile saved.")

        self.app.push_screen(
            FormScreen(
                f"Profile: {client.preferred_name}",
                client_fields(staff),
                client_values(client, {}),
                build,
            ),
            done,
        )
