"""The strengths assessment: each sitting kept, each answer beside the one before.

While the screen is shared the answers are hidden; the questions, the dates and
how many were answered stay.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from casetui.core.private_records import StrengthsAssessment
from casetui.core.strengths import QUESTIONS, comparison, newest_first
from casetui.ui.forms.casework_fields import strengths_fields
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import free_text, is_masked
from casetui.ui.panes.record_pane import RecordPane
from casetui.ui.widgets.row_list import Column, Row, RowList


def comparison_text(
    current: StrengthsAssessment, earlier: StrengthsAssessment | None, masked: bool = False
) -> Text:
    text = Text(end="")
    text.append(f"Answers on {current.on.isoformat()}", style="bold")
    if earlier is not None:
        text.append(f", beside the sitting on {earlier.on.isoformat()}", style="bold")
    for number, (question, now, before) in enumerate(comparison(current, earlier), start=1):
        text.append(f"\n\n{number}. {question}", style="bold")
        text.append("\n   Now: ", style="bold")
        text.append(free_text(now, masked, "(not answered)"))
        if before is not None:
            text.append("\n   Before: ", style="italic")
            text.append(free_text(before, masked, "(not answered)"))
    return text


class StrengthsView(VerticalScroll, can_focus=True):
    pass


class StrengthsPane(RecordPane[StrengthsAssessment]):
    RECORD = StrengthsAssessment
    ADDED = "Assessment saved."
    SAVED = "Assessment saved."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Reassess", id="strengths.add"),
        Binding("e", "edit", "Edit", id="strengths.edit"),
    ]

    DEFAULT_CSS = """
    StrengthsPane #strengths-list { height: auto; max-height: 6; }
    StrengthsPane StrengthsView { height: 1fr; padding: 0 1; border-top: solid $panel; }
    """

    def compose(self) -> ComposeResult:
        yield RowList(
            [
                Column("on", "Sitting", 10),
                Column("answered", "Answered", 0, 10),
            ],
            empty_text="No strengths assessment yet. Press a to start one with the client.",
            id="strengths-list",
        )
        with StrengthsView(id="strengths-view"):
            yield Static("", id="strengths-text")

    def sittings(self) -> list[StrengthsAssessment]:
        return newest_first(self.vault.repo.strengths.for_parent(self.client_id))

    def refresh_data(self) -> None:
        sittings = self.sittings()
        rows = []
        for a in sittings:
            answered = sum(1 for name, _q in QUESTIONS if getattr(a, name))
            rows.append(Row(a.id, (a.on.isoformat(), f"{answered} of {len(QUESTIONS)}"), a))
        listing = self.query_one(RowList)
        listing.set_rows(rows)
        listing.styles.height = min(len(rows), 4) + 2 if rows else 3
        self._show_detail()

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        current = self._current()
        body = Text("")
        if current is not None:
            sittings = self.sittings()
            index = next(i for i, a in enumerate(sittings) if a.id == current.id)
            earlier = sittings[index + 1] if index + 1 < len(sittings) else None
            body = comparison_text(current, earlier, is_masked(self))
        self.query_one("#strengths-text", Static).update(body)

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    def open_form(self, assessment: StrengthsAssessment | None) -> None:
        sittings = self.sittings()
        if assessment is None:
            earlier = sittings[0] if sittings else None
            initial: dict[str, Any] = {"on": self.session.today}
        else:
            index = next(i for i, a in enumerate(sittings) if a.id == assessment.id)
            earlier = sittings[index + 1] if index + 1 < len(sittings) else None
            initial = {n: getattr(assessment, n) for n in StrengthsAssessment.field_names()}
        before = {name: getattr(earlier, name) for name, _q in QUESTIONS} if earlier else None

        title = (
            "Edit this sitting"
            if assessment
            else ("Reassess strengths" if sittings else "Strengths assessment")
        )
        self.push_form(
            assessment,
            FormScreen(
                title,
                strengths_fields(before),
                initial,
                self.builder(assessment),
                intro="Write each answer in the client's own words. Any may be left for later.",
            ),
        )
