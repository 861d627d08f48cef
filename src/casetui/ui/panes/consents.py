"""Consents: releases of information, each time-limited and revocable.

While the screen is shared, what may be shared, the purpose and any revocation
note are hidden; the partner, the dates and the state stay.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from casetui.core import case_rules as core_casework
from casetui.core.private_records import Consent
from casetui.services import casework
from casetui.ui.forms.casework_fields import consent_fields, revoke_fields
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import free_text, is_masked
from casetui.ui.panes.base import ClientTabs
from casetui.ui.panes.record_pane import RecordPane
from casetui.ui.safe_text import labelled, short_date
from casetui.ui.widgets.row_list import Column, Row, RowList

STATE_MARKS = {
    "expired": "row-list--alert",
    "expiring": "row-list--alert",
    "revoked": "row-list--muted",
    "replaced": "row-list--muted",
    "valid": "row-list--good",
}
STATE_LABELS = {
    "valid": "Valid",
    "expiring": "Expiring soon",
    "expired": "Expired",
    "revoked": "Revoked",
    "not yet signed": "Starts later",
    "replaced": "Renewed",
}


class ConsentsPane(RecordPane[Consent]):
    RECORD = Consent
    ADDED = "Consent recorded."
    SAVED = "Consent saved."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Record", id="consents.add"),
        Binding("e", "edit", "Edit", id="consents.edit"),
        Binding("r", "renew", "Renew", id="consents.renew"),
        Binding("v", "revoke", "Revoke", id="consents.revoke"),
    ]

    DEFAULT_CSS = """
    ConsentsPane #consents-info { height: auto; padding: 0 1; color: $text-muted; }
    ConsentsPane #consents-list { height: 1fr; min-height: 5; }
    ConsentsPane #consent-detail {
        height: auto; max-height: 10; padding: 0 1; border-top: solid $panel;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(
            "Releases of information. Services never depend on the client signing one.",
            id="consents-info",
        )
        yield RowList(
            [
                Column("partner", "Share with", 0, 12, lambda c: c[1].casefold()),
                Column("signed", "Signed", 10, sort_key=lambda c: c[0].signed_on),
                Column("expires", "Expires", 10, sort_key=lambda c: c[0].expires_on),
                Column("state", "State", 13, sort_key=lambda c: c[2]),
            ],
            empty_text="No consents on file. Press a to record one the client has signed.",
            id="consents-list",
        )
        yield Static("", id="consent-detail")

    def _partner_name(self, partner_id: str) -> str:
        partner = self.vault.repo.partners.get(partner_id)
        return partner.name if partner else "(removed partner)"

    def refresh_data(self) -> None:
        today = self.session.today
        consents = sorted(
            self.vault.repo.consents.for_parent(self.client_id),
            key=lambda c: (c.expires_on, c.id),
            reverse=True,
        )
        rows = []
        for c in consents:
            state = core_casework.consent_state(c, today)
            if state == "expired" and any(
                o.partner_id == c.partner_id and o.signed_on > c.signed_on for o in consents
            ):
                state = "replaced"
            name = self._partner_name(c.partner_id)
            rows.append(
                Row(
                    c.id,
                    (name, short_date(c.signed_on), short_date(c.expires_on), STATE_LABELS[state]),
                    (c, name, state),
                    {3: STATE_MARKS[state]} if state in STATE_MARKS else {},
                )
            )
        self.query_one(RowList).set_rows(rows)
        self._show_detail()

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        consent = self._current()
        text = Text(end="")
        if consent is not None:
            masked = is_masked(self)
            lines = [
                ("What may be shared", free_text(consent.shares, masked)),
                ("Purpose", free_text(consent.purpose, masked)),
            ]
            if consent.revoked_on:
                why = free_text(consent.revocation_note, masked, "")
                when = consent.revoked_on.isoformat()
                lines.append(("Revoked", f"{when} — {why}" if why else when))
            text = labelled(lines)
        self.query_one("#consent-detail", Static).update(text)

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    def open_form(
        self,
        consent: Consent | None,
        *,
        partner_id: str | None = None,
        renewing: Consent | None = None,
    ) -> None:
        repo = self.vault.repo
        partners = sorted(repo.partners.all(), key=lambda p: p.name.casefold())
        if not partners:
            self.app.notify(
                "The partner directory is empty. Add the agency first: press Esc, then p.",
                severity="warning",
                markup=False,
            )
            return
        today = self.session.today
        if consent is not None:
            initial = {n: getattr(consent, n) for n in Consent.field_names() if n != "id"}
        else:
            source = renewing
            initial = {
                "partner_id": partner_id or (source.partner_id if source else None),
                "shares": source.shares if source else "",
                "purpose": source.purpose if source else "",
                "signed_on": today,
                "expires_on": date(today.year + 1, today.month, min(today.day, 28)),
            }

        title = "Edit consent" if consent else ("Renew consent" if renewing else "Record a consent")
        form = FormScreen(title, consent_fields(partners), initial, self.builder(consent))
        self.push_form(consent, form)
        if partner_id is not None:
            screen = self.screen
            if isinstance(screen, ClientTabs):
                screen.show_tab("consents")

    def action_renew(self) -> None:
        consent = self._current()
        if consent is not None:
            self.open_form(None, renewing=consent)

    def action_revoke(self) -> None:
        consent = self._current()
        if consent is None:
            return
        if consent.revoked_on is not None:
            self.app.notify("This consent was already revoked.", markup=False, timeout=3)
            return

        def build(values: dict[str, Any]) -> Consent:
            return dataclasses.replace(consent, **values)

        def done(result: Consent | None) -> None:
            if result is not None:
                self.write(
                    "Consent revoked. Nothing more is shared under it.", casework.save, result
                )

        self.app.push_screen(
            FormScreen(
                "Revoke consent",
                revoke_fields(),
                {"revoked_on": self.session.today},
                build,
                intro=f"Sharing with {self._partner_name(consent.partner_id)} stops from "
                "this date.",
            ),
            done,
        )
