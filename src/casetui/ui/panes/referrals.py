"""Referrals: where the client was referred, and every step since.

While the screen is shared, the notes and the goal a referral serves are hidden;
partner, service, status, dates and catalog needs stay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select, Static

from casetui.core import case_rules as core_casework
from casetui.core.choices import ReferralStatus
from casetui.core.records import Partner, Referral
from casetui.core.today import is_stalled
from casetui.services import casework
from casetui.ui.forms.casework_fields import referral_fields, status_fields
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormField, FormScreen, optional_date, required_date
from casetui.ui.forms.partner_form import open_partner_form
from casetui.ui.masking import free_text, is_masked, need_label
from casetui.ui.panes.consents import ConsentsPane
from casetui.ui.panes.record_pane import RecordPane
from casetui.ui.safe_text import labelled, short_date
from casetui.ui.widgets.row_list import Column, Row, RowList


class ReferralForm(FormScreen[Referral]):
    """The referral form: choosing a partner fills in the service it offers, if none is yet."""

    def __init__(
        self,
        partners: Sequence[Partner],
        title: str,
        fields: Sequence[FormField],
        initial: dict[str, Any],
        build: Callable[[dict[str, Any]], Referral],
    ) -> None:
        super().__init__(title, fields, initial, build)
        self.kinds = {p.id: p.kind for p in partners}

    @on(Select.Changed, "#field-partner_id")
    def _partner_chosen(self, event: Select.Changed) -> None:
        service = self.query_one("#field-service", Select)
        kind = self.kinds.get(str(event.value))
        if kind is not None and service.is_blank():
            service.value = kind


class ReferralsPane(RecordPane[Referral]):
    RECORD = Referral
    ADDED = "Referral added."
    SAVED = "Referral saved."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Refer", id="referrals.add"),
        Binding("t", "step", "Step", id="referrals.step"),
        Binding("u", "update", "Update", id="referrals.update"),
        Binding("e", "edit", "Edit", id="referrals.edit"),
    ]

    DEFAULT_CSS = """
    ReferralsPane #referrals-info { height: 1; padding: 0 1; color: $text-muted; }
    ReferralsPane #referrals-list { height: 1fr; min-height: 5; }
    ReferralsPane #referral-detail {
        height: auto; max-height: 12; padding: 0 1; border-top: solid $panel;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="referrals-info")
        yield RowList(
            [
                Column("partner", "Partner", 0, 12, lambda r: r[1].casefold()),
                Column("status", "Status", 19, sort_key=lambda r: r[0].status.label),
                Column("updated", "Updated", 10, sort_key=lambda r: r[0].last_update),
                Column("follow", "Follow-up", 10, sort_key=lambda r: r[0].follow_up_on or date.max),
            ],
            empty_text="No referrals yet. Press a to refer the client to a partner.",
            id="referrals-list",
        )
        yield Static("", id="referral-detail")

    def _partner_name(self, partner_id: str) -> str:
        partner = self.vault.repo.partners.get(partner_id)
        return partner.name if partner else "(removed partner)"

    def refresh_data(self) -> None:
        today = self.session.today
        stalled_after = self.session.settings.stalled_after_days
        referrals = sorted(
            self.vault.repo.referrals.for_parent(self.client_id),
            key=lambda r: (r.last_update, r.id),
            reverse=True,
        )
        rows = []
        stalled = 0
        for r in referrals:
            name = self._partner_name(r.partner_id)
            marks: dict[int, str] = {}
            if is_stalled(r, today, stalled_after):
                stalled += 1
                marks[1] = "row-list--alert"
            elif r.status is ReferralStatus.COMPLETED:
                marks[1] = "row-list--good"
            rows.append(
                Row(
                    r.id,
                    (
                        f"{name} · {r.service.label}",
                        r.status.label,
                        short_date(r.last_update),
                        short_date(r.follow_up_on, ""),
                    ),
                    (r, name),
                    marks,
                )
            )
        self.query_one(RowList).set_rows(rows)
        info = f"{len(referrals)} referral{'s' if len(referrals) != 1 else ''}"
        if stalled:
            info += f" · {stalled} stalled (no update for {stalled_after}+ days)"
        self.query_one("#referrals-info", Static).update(Text(info))
        self._show_detail()

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        referral = self._current()
        text = Text(end="")
        if referral is not None:
            repo = self.vault.repo
            today = self.session.today
            need = repo.needs.get(referral.need_id) if referral.need_id else None
            goal = repo.goals.get(referral.goal_id) if referral.goal_id else None
            consents = repo.consents.for_parent(self.client_id)
            consent = core_casework.valid_consent(consents, referral.partner_id, today)
            masked = is_masked(self)
            goal_text = free_text(goal.text, masked, "") if goal else ""
            need_text = need_label(need, masked) if need else ""
            lines = [
                ("Partner", self._partner_name(referral.partner_id)),
                (
                    "For",
                    " · ".join(x for x in (need_text, goal_text) if x) or "—",
                ),
                (
                    "Support",
                    ", ".join(
                        x
                        for x, on_ in (
                            ("accompaniment", referral.accompaniment),
                            ("transport", referral.transport),
                        )
                        if on_
                    )
                    or "none needed",
                ),
                (
                    "Consent",
                    f"on file until {consent.expires_on.isoformat()}"
                    if consent
                    else "no valid release of information on file for this partner",
                ),
                ("Note", free_text(referral.note, masked)),
            ]
            text = labelled(lines)
            text.append("\nHistory:", style="bold")
            for change in reversed(referral.history):
                text.append(f"\n  {change.on.isoformat()}  {change.status.label}")
                if change.note:
                    text.append(f" — {free_text(change.note, masked)}")
        self.query_one("#referral-detail", Static).update(text)

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_update()

    # -- adding and editing -----------------------------------------------------------

    def open_form(self, referral: Referral | None, chosen: Partner | None = None) -> None:
        repo = self.vault.repo
        partners = sorted(repo.partners.all(), key=lambda p: p.name.casefold())
        if not partners:
            # Add the agency here, then go on to the referral with it chosen.
            open_partner_form(
                self.app,
                None,
                lambda partner: self.open_form(None, partner),
                intro="The partner directory is empty. Add the agency you are referring "
                "the client to; the referral comes next, with this partner chosen.",
            )
            return
        needs = sorted(repo.needs.for_parent(self.client_id), key=lambda n: n.label)
        goals = sorted(repo.goals.for_parent(self.client_id), key=lambda g: g.priority)
        client_id = self.client_id
        today = self.session.today
        if referral is None:
            initial: dict[str, Any] = {"status": ReferralStatus.PLANNED, "on": today}
            if chosen is not None:
                initial.update(partner_id=chosen.id, service=chosen.kind)
        else:
            initial = {n: getattr(referral, n) for n in Referral.field_names() if n != "id"}

        def build(values: dict[str, Any]) -> Referral:
            if referral is None:
                status = values.pop("status")
                on = required_date(values, "on")
                values.pop("on")
                values["follow_up_on"] = optional_date(values, "follow_up_on")
                return core_casework.new_referral(
                    client_id=client_id, on=on, status=status, **values
                )
            return dataclasses.replace(referral, **values)

        title = "Refer the client" if referral is None else "Edit referral"
        fields = referral_fields(partners, needs, goals, new=referral is None)
        self.push_form(referral, ReferralForm(partners, title, fields, initial, build))

    def added(self, referral: Referral, ok: bool) -> None:
        if ok:
            self.select(referral.id)
            self._warn_without_consent(referral)

    def _warn_without_consent(self, referral: Referral) -> None:
        """Warn, never block: services never depend on signing a release."""
        consents = self.vault.repo.consents.for_parent(self.client_id)
        if core_casework.valid_consent(consents, referral.partner_id, self.session.today):
            return
        name = self._partner_name(referral.partner_id)

        def decided(record: bool | None) -> None:
            if record:
                self.screen.query_one(ConsentsPane).open_form(None, partner_id=referral.partner_id)

        self.app.push_screen(
            ConfirmScreen(
                "No release of information on file",
                f"The referral to {name} is saved. There is no valid consent to share the "
                "client's information with them. If the client agrees, record one now; if "
                "not, the referral still stands and nothing is shared.",
                yes="Record a consent",
                no="Not now",
            ),
            decided,
        )

    # -- moving a referral on -----------------------------------------------------------

    def action_step(self) -> None:
        referral = self._current()
        if referral is None:
            return
        following = core_casework.next_on_path(referral.status)
        if following is None:
            self.app.notify("This referral is completed.", markup=False, timeout=3)
            return
        self._apply_status(referral, following, self.session.today, "", None)

    def action_update(self) -> None:
        referral = self._current()
        if referral is None:
            return

        def build(values: dict[str, Any]) -> Referral:
            return core_casework.change_status(
                referral,
                values["status"],
                required_date(values, "on"),
                values["note"],
                optional_date(values, "follow_up_on"),
            )

        def done(result: Referral | None) -> None:
            if result is None:
                return
            last = result.history[-1]
            self._apply_status(referral, last.status, last.on, last.note, result.follow_up_on)

        self.app.push_screen(
            FormScreen(
                "Update the referral",
                status_fields(),
                {"status": referral.status, "on": self.session.today, "follow_up_on": None},
                build,
                intro=f"{self._partner_name(referral.partner_id)} · now {referral.status.label}",
            ),
            done,
        )

    def _apply_status(
        self,
        referral: Referral,
        status: ReferralStatus,
        on: date,
        note: str,
        follow_up_on: date | None,
    ) -> None:
        repo = self.vault.repo
        try:
            preview: Referral | None = core_casework.change_status(
                referral, status, on, note, follow_up_on
            )
        except ValueError:
            preview = None  # refused again below, and the reason shown
        need = repo.needs.get(referral.need_id) if referral.need_id else None
        message = core_casework.status_sentence(referral.status, status)

        def decided(mark: bool | None) -> None:
            self.write(
                message + (" The need is marked met." if mark else ""),
                casework.change_referral_status,
                referral.id,
                status,
                on,
                note,
                follow_up_on=follow_up_on,
                mark_need_met=bool(mark),
            )

        if preview is None or need is None or not core_casework.need_to_mark_met(preview, need):
            decided(False)
            return

        question = "The referral is complete. Is the need “{}” met now? Only if the client agrees."
        self.app.push_screen(
            ConfirmScreen(
                "Mark the linked need as met?",
                question.format(need.label),
                yes="Yes, it is met",
                no="Not yet",
                shared_detail=question.format(need_label(need, True)),
            ),
            decided,
        )
