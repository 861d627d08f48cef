"""The people in the client's household, counted for funders when harmed and served too.

A household member is known by relationship and age group; how the case manager
knows them ("known as") is hidden while the screen is shared, and never reported.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from casetui.core.choices import Relationship
from casetui.core.funder_records import HouseholdMember
from casetui.ui.forms.form import FormScreen
from casetui.ui.forms.funder_forms import age_groups, household_fields, lists_in_use
from casetui.ui.masking import free_text, is_masked
from casetui.ui.panes.record_pane import RecordPane, Removal
from casetui.ui.widgets.row_list import Column, Row, RowList

INFO = (
    "Household members who were also harmed and were served are counted in funders' "
    "reports as secondary victims, never by name."
)


def yes(value: bool) -> str:
    return "yes" if value else ""


class HouseholdPane(RecordPane[HouseholdMember]):
    RECORD = HouseholdMember
    ADDED = "Household member added."
    SAVED = "Saved."
    REMOVED = "Removed."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="household.add"),
        Binding("e", "edit", "Edit", id="household.edit"),
        Binding("delete", "remove", "Remove", key_display="Del", id="household.remove"),
    ]

    DEFAULT_CSS = """
    HouseholdPane #household-info { height: auto; padding: 0 1; color: $text-muted; }
    HouseholdPane #household-list { height: 1fr; min-height: 5; }
    """

    def compose(self) -> ComposeResult:
        yield Static(INFO, id="household-info", markup=False)
        yield RowList(
            [
                Column("relationship", "Relationship", 30, sort_key=lambda m: m.relationship.label),
                Column("age", "Age group", 13, sort_key=lambda m: m.age_group),
                Column("harmed", "Harmed", 7, sort_key=lambda m: not m.harmed),
                Column("served", "Served", 7, sort_key=lambda m: not m.served),
                Column("known_as", "Known as", 0, 10),
            ],
            empty_text="No one recorded. Press a to add someone in the client's household.",
            id="household-list",
        )

    def refresh_data(self) -> None:
        ages = age_groups(lists_in_use())
        masked = is_masked(self)
        members = sorted(
            self.vault.repo.household.for_parent(self.client_id),
            key=lambda m: (m.relationship.label, m.id),
        )
        rows = [
            Row(
                m.id,
                (
                    m.relationship.label,
                    ages.label(m.age_group) if m.age_group else "not known",
                    yes(m.harmed),
                    yes(m.served),
                    free_text(m.known_as, masked, ""),
                ),
                m,
            )
            for m in members
        ]
        self.query_one(RowList).set_rows(rows)

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    def open_form(self, member: HouseholdMember | None) -> None:
        if member is None:
            initial: dict[str, Any] = {"relationship": Relationship.CHILD}
        else:
            initial = {n: getattr(member, n) for n in HouseholdMember.field_names()}
            initial["age_group"] = member.age_group or None  # not known: starts blank
        title = "Add a household member" if member is None else "Edit household member"
        fields = household_fields(lists_in_use(), member.age_group if member else "")
        self.push_form(member, FormScreen(title, fields, initial, self.builder(member)))

    def removal(self, member: HouseholdMember) -> Removal:
        return Removal(
            "Remove this household member?",
            f"{member.relationship.label}"
            + (f", known as {member.known_as}" if member.known_as else "")
            + ". Removing cannot be undone.",
            shared_detail=f"{member.relationship.label}. Removing cannot be undone.",
        )
