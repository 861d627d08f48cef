"""Your week: admin, self-care, supervision, training and documentation time.

The standard asks that case managers get protected admin time and outlets for
self-care. This screen plans them like any other appointment, shows the week's
hours against the targets, and flags clashes with each other or with client
meetings. Notes are gentle: they suggest, never judge.

Client meetings show only as a count, never a name. While the screen is shared,
a block's own note (which may mention a client) is hidden too.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from casetui.core import schedule
from casetui.core.choices import BlockKind
from casetui.core.errors import ValidationError
from casetui.core.records import AdminBlock
from casetui.services import caseload_view, casework, week_view
from casetui.ui.forms.choice import ChoiceScreen
from casetui.ui.forms.client_fields import choices
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormField, FormScreen
from casetui.ui.masking import free_text, is_masked, on_masking
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.widgets.week_grid import LEGEND, WeekGrid

if TYPE_CHECKING:
    pass

SCOPE_ANSWERS = (
    ("t", "Just this one", "this"),
    ("f", "This and all after", "future"),
)


def block_fields() -> list[FormField]:
    return [
        FormField("kind", "Kind of time", "choice", options=choices(BlockKind), required=True),
        FormField("on", "Day", "date", required=True),
        FormField("start", "From", required=True, hint="24-hour HH:MM, e.g. 09:00."),
        FormField("end", "Until", required=True, hint="24-hour HH:MM, e.g. 11:00."),
        FormField("weekly", "Repeat every week", "flag"),
        FormField("until", "Repeat until", "date", hint="Leave blank to keep repeating."),
        FormField("note", "Note", hint="Optional, e.g. a walk at lunch, or case notes."),
    ]


def fmt_hours(hours: float) -> str:
    return f"{hours:g} h"


def summary_text(summary: schedule.WeekSummary, clashes: list[str]) -> Text:
    text = Text(end="")
    text.append("Admin ", style="bold")
    text.append(f"{fmt_hours(summary.admin_hours)} of {fmt_hours(summary.admin_target)}")
    text.append(" · Self-care ", style="bold")
    text.append(f"{fmt_hours(summary.self_care_hours)} of {fmt_hours(summary.self_care_target)}")
    text.append(" · Meetings ", style="bold")
    text.append(str(summary.meetings))
    text.append(" · Caseload ", style="bold")
    text.append(summary.capacity.describe())
    for clash in clashes:
        text.append("\n! ", style="bold")
        text.append(clash)
    for prompt in summary.prompts:
        text.append("\n• ")
        text.append(prompt)
    return text


def legend_text() -> Text:
    """What the grid's letters and marks mean, one short entry each."""
    text = Text(end="")
    for index, (mark, meaning) in enumerate(LEGEND):
        if index:
            text.append(" · ")
        text.append(mark, style="bold")
        text.append(f" {meaning}")
    return text


def clash_lines(slots: list[schedule.Slot], meetings: list[schedule.MeetingSlot]) -> list[str]:
    lines = []
    for a, b in schedule.overlaps(slots):
        lines.append(
            f"{a.day.strftime('%a')} {a.block.start.strftime('%H:%M')}: "
            f"{a.block.kind.label} overlaps {b.block.kind.label}"
        )
    for slot, _meeting in schedule.collisions(slots, meetings):
        lines.append(
            f"{slot.day.strftime('%a')} {slot.block.start.strftime('%H:%M')}: "
            f"{slot.block.kind.label} clashes with a client meeting"
        )
    return lines


class WeekScreen(ShowsRecords, CaseScreen):
    RELOAD_ON_EVERY_RESUME = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="week.add"),
        Binding("e,enter", "edit", "Edit", id="week.edit"),
        Binding("delete,backspace", "remove", "Remove", id="week.remove"),
        Binding("left_square_bracket", "week(-1)", "Week", key_display="[ ]", id="week.previous"),
        Binding("right_square_bracket", "week(1)", "Next week", show=False, id="week.next"),
        Binding("w", "this_week", "This week", show=False, id="week.this_week"),
        Binding("v", "team", "Team", id="week.team"),
        Binding("c", "calendar", "Export calendar", show=False, id="week.calendar"),
        Binding("escape", "back", "Back", id="week.back"),
    ]

    DEFAULT_CSS = """
    WeekScreen #week-cell { height: 1; padding: 0 1; color: $text-muted; }
    WeekScreen #week-legend { height: auto; padding: 0 1; color: $text-muted; }
    WeekScreen #week-summary {
        height: auto; max-height: 7; padding: 0 1; border-top: solid $panel;
    }
    """

    def __init__(self, staff_id: str) -> None:
        super().__init__()
        self.staff_id = staff_id
        self.monday = schedule.week_of(date.today())

    def compose(self) -> ComposeResult:
        yield from self.chrome("week", "")
        yield WeekGrid(id="week-grid")
        yield Static(legend_text(), id="week-legend")
        yield Static("", id="week-cell")
        yield Static("", id="week-summary")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        today = self.case_app.today
        self.monday = schedule.week_of(today)
        grid = self.query_one(WeekGrid)
        grid.cursor_day = today.weekday()
        grid.cursor_hour = 9
        self.reload()
        grid.focus()
        on_masking(self, lambda _masked: self._describe_cell())

    def reload_records(self) -> None:
        """Nothing cached: the week is read afresh each time it is drawn."""
        self.reload()

    def reload(self) -> None:
        repo = self.case_app.require_vault().repo
        staff = repo.staff.require(self.staff_id)
        slots, meetings = week_view.week(repo, self.staff_id, self.monday)
        summary = schedule.week_summary(
            staff, slots, len(meetings), caseload_view.capacity(repo, self.staff_id)
        )
        self.query_one(WeekGrid).show_week(self.monday, self.case_app.today, slots, meetings)
        sunday = self.monday + timedelta(days=6)
        self.query_one("#week-title", Static).update(
            one_line(
                f"{staff.name}'s week: {self.monday.strftime('%d %b')} – "
                f"{sunday.strftime('%d %b %Y')}"
            )
        )
        if "meetings" in self.case_app.require_vault().loading:
            # Meetings are not known yet: no count, and no clash, rather than wrong ones.
            self.query_one("#week-summary", Static).update(
                one_line("Reading the meeting log: client meetings show in a moment…")
            )
        else:
            self.query_one("#week-summary", Static).update(
                summary_text(summary, clash_lines(slots, meetings))
            )
        self._describe_cell()

    @on(WeekGrid.Moved)
    def _describe_cell(self) -> None:
        grid = self.query_one(WeekGrid)
        day = grid.cursor_date
        where = f"{day.strftime('%a %d %b')} {grid.cursor_hour:02d}:00"
        slots = grid.slots_at(grid.cursor_day, grid.cursor_hour)
        meetings = grid.meetings_at(grid.cursor_day, grid.cursor_hour)
        masked = is_masked(self)
        parts = []
        for slot in slots:
            b = slot.block
            part = f"{b.kind.label} {b.start.strftime('%H:%M')}–{b.end.strftime('%H:%M')}"
            if b.weekly:
                part += ", every week"
            if b.note:
                part += f" ({free_text(b.note, masked)})"
            parts.append(part)
        if meetings:
            parts.append(f"{len(meetings)} client meeting{'s' if len(meetings) > 1 else ''}")
        that_day = sum(1 for m in grid.meetings if m.day == day)
        if that_day:
            parts.append(f"{that_day} meeting{'s' if that_day > 1 else ''} that day")
        text = f"{where} · " + ("; ".join(parts) if parts else "free (press a to plan time)")
        self.query_one("#week-cell", Static).update(one_line(text))

    # -- moving between weeks -----------------------------------------------------------

    def action_week(self, step: int) -> None:
        self.monday += timedelta(days=7 * step)
        self.reload()

    def action_this_week(self) -> None:
        self.monday = schedule.week_of(self.case_app.today)
        self.reload()

    def action_back(self) -> None:
        self.case_app.go_back()

    def action_calendar(self) -> None:
        self.case_app.export_calendar()

    def action_team(self) -> None:
        self.case_app.open_team()

    # -- adding, changing, removing -------------------------------------------------------

    def _form(
        self, title: str, initial: dict[str, Any], apply: Any, base: AdminBlock | None = None
    ) -> None:
        staff_id = self.staff_id

        def build(values: dict[str, Any]) -> AdminBlock:
            values = {**values, "until": values.get("until") or None}
            if not values.get("weekly"):
                if values["until"]:
                    raise ValidationError("until", "only applies to a block that repeats.")
                values["skipped"] = ()
            if base is None:
                return AdminBlock.create(staff_id=staff_id, **values)
            return dataclasses.replace(base, **values)

        def done(block: AdminBlock | None) -> None:
            if block is not None:
                apply(block)

        self.app.push_screen(FormScreen(title, block_fields(), initial, build), done)

    def _run(self, message: str, operation: Any, *args: Any) -> None:
        """Write through the session (a service of :mod:`casework`); it redraws on
        the ``RecordsChanged`` that follows."""
        if self.case_app.write(operation, *args):
            self.case_app.notify(message, markup=False, timeout=3)

    def action_add(self) -> None:
        grid = self.query_one(WeekGrid)
        hour = grid.cursor_hour
        initial = {
            "kind": BlockKind.ADMIN,
            "on": grid.cursor_date,
            "start": time(hour, 0).strftime("%H:%M"),
            "end": time(min(hour + 1, 23), 0 if hour < 23 else 59).strftime("%H:%M"),
            "weekly": False,
        }
        self._form(
            "Plan time for yourself",
            initial,
            lambda block: self._run("Time planned.", casework.add, block),
        )

    def _initial(self, block: AdminBlock, day: date) -> dict[str, Any]:
        values = {n: getattr(block, n) for n in AdminBlock.field_names()}
        values.update(on=day, start=block.start.strftime("%H:%M"), end=block.end.strftime("%H:%M"))
        return values

    def action_edit(self) -> None:
        grid = self.query_one(WeekGrid)
        slot = grid.current_slot
        if slot is None:
            self.action_add()
            return
        block, day = slot.block, slot.day

        def edit(scope: str | None) -> None:
            if scope is None:
                return

            def apply(changed: AdminBlock) -> None:
                kept, new = schedule.split_edit(block, day, changed, scope)  # type: ignore[arg-type]
                self._run("Time block saved.", casework.change_time_block, block.id, kept, new)

            initial = self._initial(block, day)
            if scope == "this":
                initial.update(weekly=False, until=None)
            self._form("Change time block", initial, apply, base=block)

        if block.weekly:
            self.app.push_screen(
                ChoiceScreen("This block repeats every week. Change…", SCOPE_ANSWERS), edit
            )
        else:
            edit("future")

    def action_remove(self) -> None:
        grid = self.query_one(WeekGrid)
        slot = grid.current_slot
        if slot is None:
            return
        block, day = slot.block, slot.day

        def remove(scope: str | None) -> None:
            if scope is None:
                return
            left = schedule.remove_occurrence(block, day, scope)  # type: ignore[arg-type]
            if left is None:
                self._run("Time block removed.", casework.remove, block)
            else:
                self._run("Time block removed.", casework.save, left)

        if block.weekly:
            self.app.push_screen(
                ChoiceScreen(
                    f"Remove {block.kind.label.lower()} on {day.strftime('%a %d %b')}…",
                    SCOPE_ANSWERS,
                ),
                remove,
            )
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                remove("this")

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {block.kind.label.lower()} on {day.strftime('%a %d %b')}?",
                "It is your own time; you can plan it again at any moment.",
                yes="Remove",
                no="Keep it",
            ),
            confirmed,
        )
