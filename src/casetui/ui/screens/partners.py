"""The partner directory: agencies and providers, searchable as you type.

Partners are agencies, not clients, so they stay named while the screen is shared;
their notes (which may mention a client) are hidden, and not searched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Input, Static

from casetui.core.errors import VaultError
from casetui.core.records import Partner
from casetui.services import casework
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.partner_form import open_partner_form
from casetui.ui.masking import free_text, is_masked, on_masking
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import labelled
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.widgets.row_list import Column, Row, RowList

if TYPE_CHECKING:
    pass


def partner_text(partner: Partner, masked: bool = False) -> Text:
    rows = [
        ("Kind", partner.kind.label),
        ("Contact", partner.contact_person or "—"),
        ("Phone", partner.phone or "—"),
        ("Email", partner.email or "—"),
        ("Address", partner.address or "—"),
        ("Languages", partner.languages or "—"),
        ("Trauma-informed", "yes" if partner.trauma_informed else "not known"),
        ("Notes", free_text(partner.notes, masked)),
    ]
    return labelled(rows)


def search_text(partner: Partner, masked: bool = False) -> str:
    return " ".join(
        (
            partner.name,
            partner.kind.label,
            partner.contact_person,
            partner.languages,
            partner.address,
            "" if masked else partner.notes,
            "trauma-informed" if partner.trauma_informed else "",
        )
    ).casefold()


class PartnersScreen(ShowsRecords, CaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="partners.back"),
        Binding("slash", "filter", "Search", id="partners.filter"),
        Binding("a", "add", "Add", id="partners.add"),
        Binding("e", "edit", "Edit", id="partners.edit"),
        Binding("delete", "remove", "Remove", id="partners.remove"),
    ]

    DEFAULT_CSS = """
    PartnersScreen #partners-filter { display: none; }
    PartnersScreen #partners-filter.shown { display: block; }
    PartnersScreen #partners-list { height: 1fr; min-height: 5; }
    PartnersScreen #partner-detail {
        height: auto; max-height: 10; padding: 0 1; border-top: solid $panel;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, Row]] = []

    def compose(self) -> ComposeResult:
        yield from self.chrome("partners", "Partner directory")
        yield Input(
            placeholder="Search by name, kind, language, notes… (Esc clears)", id="partners-filter"
        )
        yield RowList(
            [
                Column("name", "Partner", 0, 14, lambda p: p.name.casefold()),
                Column("kind", "Kind", 16, sort_key=lambda p: p.kind.label),
                Column("languages", "Languages", 0, 10, lambda p: p.languages.casefold()),
                Column("ti", "Trauma-inf.", 11, sort_key=lambda p: not p.trauma_informed),
            ],
            empty_text="No partners yet. Press a to add the first agency you refer clients to.",
            id="partners-list",
        )
        yield Static("", id="partner-detail")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RowList).focus()
        on_masking(self, lambda _masked: self.reload())

    def reload_records(self) -> None:
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        partners = sorted(
            self.case_app.require_vault().repo.partners.all(), key=lambda p: p.name.casefold()
        )
        masked = is_masked(self)
        self._rows = [
            (
                search_text(p, masked),
                Row(
                    p.id,
                    (p.name, p.kind.label, p.languages or "—", "yes" if p.trauma_informed else ""),
                    p,
                ),
            )
            for p in partners
        ]
        self.apply_filter(keep)

    def apply_filter(self, keep: str | None = None) -> None:
        needle = self.query_one("#partners-filter", Input).value.strip().casefold()
        rows = [row for text, row in self._rows if needle in text]
        self.query_one(RowList).set_rows(rows, keep_key=keep)
        self._show_detail()

    def _current(self) -> Partner | None:
        row = self.query_one(RowList).current
        return self.case_app.require_vault().repo.partners.get(row.key) if row else None

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        partner = self._current()
        self.query_one("#partner-detail", Static).update(
            partner_text(partner, is_masked(self)) if partner else Text("")
        )

    @on(Input.Changed, "#partners-filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#partners-filter")
    def _filter_done(self) -> None:
        self.query_one(RowList).focus()

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    def action_filter(self) -> None:
        box = self.query_one("#partners-filter", Input)
        box.add_class("shown")
        box.focus()

    def action_back(self) -> None:
        box = self.query_one("#partners-filter", Input)
        if box.value or box.has_class("shown"):
            box.value = ""
            box.remove_class("shown")
            self.apply_filter()
            self.query_one(RowList).focus()
            return
        self.case_app.go_back()

    def open_form(self, partner: Partner | None) -> None:
        open_partner_form(self.case_app, partner, lambda saved: self.reload(keep=saved.id))

    def action_add(self) -> None:
        self.open_form(None)

    def action_edit(self) -> None:
        partner = self._current()
        if partner is not None:
            self.open_form(partner)

    def action_remove(self) -> None:
        partner = self._current()
        if partner is None:
            return
        app = self.case_app
        try:
            app.require_vault().repo.check_unreferenced(Partner.TABLE, partner.id)
        except VaultError as error:
            app.notify(str(error), title="Kept in the directory", severity="warning", markup=False)
            return

        def decided(yes: bool | None) -> None:
            if yes and app.write(casework.remove, partner):
                app.notify("Partner removed.", markup=False, timeout=3)
                self.reload()

        app.push_screen(
            ConfirmScreen(
                f"Remove {partner.name} from the directory?",
                "No referral or consent points at this partner. Removing cannot be undone.",
                yes="Remove",
                no="Keep it",
            ),
            decided,
        )
