"""The safety plan. Hidden until asked for when the screen may be seen by others.

While the screen is shared it stays hidden, and cannot be shown or edited.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from casetui.core.private_records import SafetyPlan
from casetui.services import caseload_view, casework
from casetui.ui.forms.casework_fields import SAFETY_PLAN_FIELDS, safety_plan_fields
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import is_masked
from casetui.ui.panes.base import Pane
from casetui.ui.safe_text import short_date

HIDDEN_TEXT = (
    "The safety plan is hidden, because this screen may be seen by others.\n\n"
    "Press v to show it when only you and the client can see the screen."
)
SHARED_TEXT = (
    "The safety plan is hidden while screen sharing.\n\n"
    "Turn screen sharing off to show or change it."
)


def plan_text(plan: SafetyPlan) -> Text:
    text = Text(end="")
    text.append("Reviewed: ", style="bold")
    text.append(short_date(plan.reviewed_on, "not yet"))
    text.append(" · Developed with the client: ", style="bold")
    text.append("yes" if plan.developed_with_client else "no")
    for name, label, _hint in SAFETY_PLAN_FIELDS:
        text.append(f"\n\n{label}\n", style="bold")
        text.append(getattr(plan, name) or "—")
    return text


class SafetyView(VerticalScroll, can_focus=True):
    pass


class SafetyPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "reveal", "Show/hide", id="safety.toggle"),
        Binding("e", "edit", "Edit plan", id="safety.edit"),
    ]

    DEFAULT_CSS = """
    SafetyPane SafetyView { height: 1fr; padding: 0 1; }
    """

    def __init__(self, client_id: str) -> None:
        super().__init__(client_id)
        self.revealed = False

    @property
    def needs_confirmation(self) -> bool:
        return self.session.settings.confirm_safety_plan

    def compose(self) -> ComposeResult:
        with SafetyView(id="safety-view"):
            yield Static("", id="safety-text")

    def refresh_data(self) -> None:
        plan = caseload_view.safety_plan_for(self.vault.repo, self.client_id)
        box = self.query_one("#safety-text", Static)
        if plan is None:
            box.update(
                Text(
                    "No safety plan yet. Press e to write one together with the client, "
                    "in their words."
                )
            )
        elif is_masked(self):
            box.update(Text(SHARED_TEXT))
        elif self.needs_confirmation and not self.revealed:
            box.update(Text(HIDDEN_TEXT))
        else:
            box.update(plan_text(plan))

    def hide(self) -> None:
        """Cover the plan again (when leaving the tab or the client)."""
        if self.revealed:
            self.revealed = False
            self.refresh_data()

    def _refuse_while_shared(self) -> bool:
        if (
            is_masked(self)
            and caseload_view.safety_plan_for(self.vault.repo, self.client_id) is not None
        ):
            self.app.notify(
                "The safety plan stays hidden while screen sharing. Turn screen sharing off first.",
                markup=False,
                timeout=4,
            )
            return True
        return False

    def action_reveal(self) -> None:
        if self._refuse_while_shared():
            return
        if caseload_view.safety_plan_for(self.vault.repo, self.client_id) is None:
            self.app.notify(
                "There is no safety plan to show yet. Press e to write one with the client.",
                markup=False,
                timeout=4,
            )
            return
        if self.revealed or not self.needs_confirmation:
            if self.needs_confirmation:
                self.hide()
            return

        def decided(show: bool | None) -> None:
            if show:
                self.revealed = True
                self.refresh_data()

        self.app.push_screen(
            ConfirmScreen(
                "Show the safety plan?",
                "Check that nobody else can see this screen. The plan hides again when "
                "you leave this tab.",
                yes="Show it",
                no="Keep it hidden",
            ),
            decided,
        )

    def action_edit(self) -> None:
        if self._refuse_while_shared():
            return
        plan = caseload_view.safety_plan_for(self.vault.repo, self.client_id)
        client_id = self.client_id
        if plan is None:
            initial: dict[str, Any] = {
                "reviewed_on": self.session.today,
                "developed_with_client": True,
            }
        else:
            initial = {n: getattr(plan, n) for n in SafetyPlan.field_names()}

        def build(values: dict[str, Any]) -> SafetyPlan:
            if plan is None:
                return SafetyPlan.create(client_id=client_id, **values)
            return dataclasses.replace(plan, **values)

        def done(result: SafetyPlan | None) -> None:
            # The person has just seen the plan in the form: keep it shown (the form
            # covered the tab, which hid it) until they leave the tab or share the screen.
            if (result is not None or plan is not None) and not is_masked(self):
                self.revealed = True
            if result is None or result == plan:
                self.refresh_data()
                return
            self.write("Safety plan saved.", casework.save, result)

        def open_form() -> None:
            self.app.push_screen(
                FormScreen("Safety plan", safety_plan_fields(), initial, build), done
            )

        if plan is not None and self.needs_confirmation and not self.revealed:

            def decided(show: bool | None) -> None:
                if show:
                    self.revealed = True
                    self.refresh_data()
                    open_form()

            self.app.push_screen(
                ConfirmScreen(
                    "Open the safety plan for editing?",
                    "Check that nobody else can see this screen.",
                    yes="Open it",
                    no="Not now",
                ),
                decided,
            )
            return
        open_form()
