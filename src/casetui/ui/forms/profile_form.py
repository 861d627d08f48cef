"""The profile form, with the funders' questions folded away under their own heading.

The questions for funders' reports are optional and personal, so they sit last,
in a group that starts collapsed: a case manager opens it when the moment is
right, and the rest of the form reads and saves as it always has. The group's
fields are ordinary form fields (they are read, drafted and checked with the
others); only where they are drawn differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Collapsible, Label, SelectionList, Static

from casetui.core.errors import ValidationError
from casetui.core.records import ANSWERS_ALONE, Client
from casetui.ui.forms.form import FormField, FormScreen
from casetui.ui.safe_text import one_line, plain
from casetui.ui.widgets.tick_box import TickList

GROUP_ID = "funder-group"


class AloneTickList(TickList):
    """A tick list where some answers stand alone, such as "Declined to answer".

    Ticking one of them unticks the others; ticking any other choice unticks them.
    Only a person's own toggles are acted on, so a draft put back stays as it was
    (the form refuses to save a mix rather than pick for the person).
    """

    def __init__(
        self, *selections: tuple[Text, Any, bool], alone: Iterable[str], id: str | None = None
    ) -> None:
        super().__init__(*selections, id=id)
        self.alone = frozenset(alone)

    def on_selection_list_selection_toggled(
        self, event: SelectionList.SelectionToggled[Any]
    ) -> None:
        ticked = event.selection.value
        if ticked not in self.selected:
            return
        for value in list(self.selected):
            if value != ticked and (ticked in self.alone or value in self.alone):
                self.deselect(value)


class ProfileFormScreen(FormScreen[Client]):
    """The client's profile form; ``group`` fields are drawn last, in a collapsed group."""

    DEFAULT_CSS = """
    ProfileFormScreen #funder-group { margin-top: 1; }
    ProfileFormScreen #funder-group CollapsibleTitle { text-style: bold; }
    """

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        group: Sequence[FormField],
        initial: dict[str, Any],
        build: Callable[[dict[str, Any]], Client],
        *,
        group_title: str,
        group_intro: str = "",
    ) -> None:
        super().__init__(title, [*fields, *group], initial, build)
        self.group = tuple(group)
        self.group_title = group_title
        self.group_intro = group_intro

    def compose(self) -> ComposeResult:
        # The form draws self.fields one after another; the group's are left out while
        # it draws, and put in a Collapsible right after the last of the others.
        everything = self.fields
        grouped = {spec.name for spec in self.group}
        self.fields = tuple(spec for spec in everything if spec.name not in grouped)
        last = f"error-{self.fields[-1].name}" if self.fields else ""
        try:
            for widget in super().compose():
                yield widget
                if widget.id == last and self.group:
                    yield self._group()
        finally:
            self.fields = everything

    def _group(self) -> Collapsible:
        parts: list[Widget] = []
        if self.group_intro:
            parts.append(Static(plain(self.group_intro), classes="field-hint"))
        for spec in self.group:
            parts.append(Label(one_line(spec.label), classes="field-label"))
            if spec.hint:
                parts.append(Static(plain(spec.hint), classes="field-hint"))
            parts.append(self._group_widget(spec))
            parts.append(Static("", id=f"error-{spec.name}", classes="field-error"))
        return Collapsible(*parts, title=self.group_title, collapsed=True, id=GROUP_ID)

    def _group_widget(self, spec: FormField) -> Widget:
        if spec.kind != "many":
            return self._widget_for(spec)
        chosen = set(self.initial.get(spec.name) or ())
        return AloneTickList(
            *[(one_line(label), option, option in chosen) for label, option in spec.options],
            alone=ANSWERS_ALONE,
            id=f"field-{spec.name}",
        )

    def _show_error(self, error: ValidationError) -> None:
        """Open the group first when the problem is in it, so the field can be seen."""
        name = error.field.split(".")[0].split("[")[0]
        if any(spec.name == name for spec in self.group):
            self.query_one(f"#{GROUP_ID}", Collapsible).collapsed = False
        super()._show_error(error)
