"""The supervisor view: every case manager side by side, to share caseloads fairly."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from casetui.core.schedule import week_of
from casetui.services import week_view
from casetui.services.week_view import SupervisorRow
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.widgets.row_list import Column, Row, RowList

if TYPE_CHECKING:
    pass


def _h(hours: float) -> str:
    return f"{hours:g}"


class TeamScreen(ShowsRecords, CaseScreen):
    RELOAD_ON_EVERY_RESUME = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="team.back"),
    ]

    DEFAULT_CSS = """
    TeamScreen #team-note { height: auto; padding: 0 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield from self.chrome("team", "")
        yield RowList(
            [
                Column("name", "Case manager", 0, 14, lambda r: r.staff.name.casefold()),
                Column(
                    "caseload",
                    "Caseload",
                    12,
                    sort_key=lambda r: r.capacity.count / max(r.capacity.capacity, 1),
                ),
                Column("overdue", "Overdue", 8, sort_key=lambda r: -r.overdue),
                Column("admin", "Admin h", 10, sort_key=lambda r: r.admin_hours),
                Column("self", "Self-care h", 11, sort_key=lambda r: r.self_care_hours),
            ],
            empty_text="No case managers in this vault yet.",
            id="team-list",
        )
        yield Static(
            "Hours are this week's planned blocks against each person's target. "
            "Use this to share caseloads fairly, not to rank people.",
            id="team-note",
        )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RowList).focus()

    def reload_records(self) -> None:
        """Read afresh whenever shown."""
        self.reload()

    def reload(self) -> None:
        """Draw the team's rows. Until the meeting log is read (just after unlocking),
        nobody's overdue check-ins are counted: every one would look overdue."""
        app = self.case_app
        vault = app.require_vault()
        waiting = "meetings" in vault.loading
        rows = week_view.supervisor_rows(vault.repo, app.today)
        self.query_one(RowList).set_rows([self._row(r, waiting) for r in rows])
        monday = week_of(app.today)
        title = f"Team: the week of {monday.strftime('%d %b %Y')}"
        if waiting:
            title += " · reading the meeting log: overdue check-ins follow in a moment"
        self.query_one("#team-title", Static).update(one_line(title))

    def _row(self, r: SupervisorRow, waiting: bool = False) -> Row:
        marks: dict[int, str] = {}
        if r.capacity.over:
            marks[1] = "row-list--alert"
        if r.overdue and not waiting:
            marks[2] = "row-list--alert"
        if r.admin_hours < r.staff.admin_hours_target:
            marks[3] = "row-list--muted"
        if r.self_care_hours < r.staff.self_care_hours_target:
            marks[4] = "row-list--muted"
        cells = (
            r.staff.name,
            f"{r.capacity.count} of {r.capacity.capacity}",
            "…" if waiting else str(r.overdue),
            f"{_h(r.admin_hours)} of {_h(r.staff.admin_hours_target)}",
            f"{_h(r.self_care_hours)} of {_h(r.staff.self_care_hours_target)}",
        )
        return Row(r.staff.id, cells, r, marks)

    @on(RowList.Chosen, "#team-list")
    def _chosen(self, event: RowList.Chosen) -> None:
        self.case_app.open_week(event.row.key)

    def action_back(self) -> None:
        self.case_app.go_back()
