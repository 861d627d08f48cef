"""The goal sheet: the client's goals in their own words, in their order.

A goal is the client's own words, so while the screen is shared its text and its
progress notes are hidden; its number, status and dates stay.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from casetui.core.choices import GoalStatus
from casetui.core.errors import ValidationError
from casetui.core.fields import NoteListSpec
from casetui.core.records import Goal
from casetui.core.rules import goal_count_note
from casetui.services import casework
from casetui.ui.forms.client_fields import goal_fields, goal_values, progress_note_fields
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import HIDDEN, free_text, is_masked, need_label
from casetui.ui.panes.record_pane import RecordPane, Removal
from casetui.ui.safe_text import one_line, short_date
from casetui.ui.widgets.row_list import Column, Row, RowList

STATUS_CYCLE = (
    GoalStatus.NOT_STARTED,
    GoalStatus.IN_PROGRESS,
    GoalStatus.ACHIEVED,
    GoalStatus.PAUSED,
    GoalStatus.REVISED,
)


def ordered(goals: list[Goal]) -> list[Goal]:
    return sorted(goals, key=lambda g: (g.priority, g.id))


class GoalsPane(RecordPane[Goal]):
    RECORD = Goal
    ADDED = "Goal added."
    SAVED = "Goal saved."
    REMOVED = "Goal removed."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="goals.add"),
        Binding("e", "edit", "Edit", show=False, id="goals.edit"),
        Binding("t", "cycle_status", "Status", id="goals.status"),
        Binding("p", "progress", "Note", id="goals.progress"),
        Binding("shift+up,K", "move(-1)", "Move", key_display="⇧↑↓", id="goals.move_up"),
        Binding("shift+down,J", "move(1)", "Move down", show=False, id="goals.move_down"),
        Binding("delete", "remove", "Remove", id="goals.remove"),
    ]

    DEFAULT_CSS = """
    GoalsPane #goals-intro { color: $text-muted; padding: 0 1; height: 1; }
    GoalsPane #goals-warning { color: $warning; text-style: bold; padding: 0 1; height: auto; }
    GoalsPane #goals-list { height: 1fr; min-height: 5; }
    GoalsPane #goal-detail { height: auto; max-height: 10; padding: 0 1; border-top: solid $panel; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Goals are written in the client's own words.", id="goals-intro")
        yield Static("", id="goals-warning")
        yield RowList(
            [
                Column("priority", "#", 3),
                Column("text", "Goal (client's own words)", 0, 20),
                Column("status", "Status", 11),
                Column("target", "Target", 10),
            ],
            empty_text="No goals yet. Press a to add the client's first goal.",
            id="goals-list",
        )
        yield Static("", id="goal-detail")

    def goals(self) -> list[Goal]:
        return ordered(self.vault.repo.goals.for_parent(self.client_id))

    def refresh_data(self) -> None:
        goals = self.goals()
        masked = is_masked(self)
        rows = [
            Row(
                g.id,
                (str(n), free_text(g.text, masked), g.status.label, short_date(g.target_date, "")),
                g,
                {2: "row-list--good"} if g.status is GoalStatus.ACHIEVED else {},
            )
            for n, g in enumerate(goals, start=1)
        ]
        self.query_one(RowList).set_rows(rows)
        note = goal_count_note([g.status for g in goals])
        self.query_one("#goals-warning", Static).update(one_line(note or ""))
        self._show_detail()

    @on(RowList.Highlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        goal = self._current()
        text = Text(end="")
        if goal is not None:
            masked = is_masked(self)
            text.append("In their words: ", style="bold")
            text.append(free_text(goal.text, masked))
            needs = [self.vault.repo.needs.get(nid) for nid in goal.linked_needs]
            text.append("\nLinked needs: ", style="bold")
            text.append(", ".join(need_label(n, masked) for n in needs if n) or "none")
            text.append("\nProgress notes:", style="bold")
            if not goal.progress_notes:
                text.append(" none yet (press p to add one)")
            for note in sorted(goal.progress_notes, key=lambda n: n.on, reverse=True):
                text.append(f"\n  {note.on.isoformat()}  ", style="bold")
                text.append(free_text(note.text, masked))
        self.query_one("#goal-detail", Static).update(text)

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    # -- actions --------------------------------------------------------------------

    def open_form(self, goal: Goal | None) -> None:
        needs = sorted(self.vault.repo.needs.for_parent(self.client_id), key=lambda n: n.label)
        next_priority = max((g.priority for g in self.goals()), default=0) + 1
        build = self.builder(goal, priority=next_priority)
        title = "New goal" if goal is None else "Edit goal"
        self.push_form(goal, FormScreen(title, goal_fields(needs), goal_values(goal), build))

    def added(self, goal: Goal, ok: bool) -> None:
        # The cursor goes to the new goal even when it was refused (then to the top).
        self.select(goal.id)

    def action_cycle_status(self) -> None:
        goal = self._current()
        if goal is None:
            return
        following = STATUS_CYCLE[(STATUS_CYCLE.index(goal.status) + 1) % len(STATUS_CYCLE)]
        updated = dataclasses.replace(goal, status=following)
        self.write(f"Goal is now {following.label.lower()}.", casework.save, updated)

    def action_progress(self) -> None:
        goal = self._current()
        if goal is None:
            return

        def build(values: dict[str, Any]) -> Goal:
            try:
                (note,) = NoteListSpec(1, 2000).clean("note", [values])
            except ValidationError as error:
                raise ValidationError(error.field.rsplit(".", 1)[-1], error.problem) from None
            return dataclasses.replace(goal, progress_notes=(*goal.progress_notes, note))

        def done(result: Goal | None) -> None:
            if result is not None:
                self.write("Progress note added.", casework.save, result)

        self.app.push_screen(
            FormScreen(
                "Progress note",
                progress_note_fields(),
                {"on": self.session.today},
                build,
                intro=goal.text,
            ),
            done,
        )

    def action_move(self, step: int) -> None:
        goals = self.goals()
        goal = self._current()
        if goal is None:
            return
        index = goals.index(goal)
        target = index + step
        if not 0 <= target < len(goals):
            return
        goals[index], goals[target] = goals[target], goals[index]
        renumbered = [
            dataclasses.replace(g, priority=n)
            for n, g in enumerate(goals, start=1)
            if g.priority != n
        ]
        self.write("", casework.save_all, renumbered)
        self.query_one(RowList).set_rows(self.query_one(RowList).rows, keep_key=goal.id)

    def removal(self, goal: Goal) -> Removal:
        advice = (
            "If the client changed their mind, marking it revised or paused keeps the "
            "history. Removing cannot be undone."
        )
        return Removal("Remove this goal?", f"{goal.text}\n\n{advice}", f"{HIDDEN}\n\n{advice}")
