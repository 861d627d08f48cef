"""One form screen for every record: fields in, a validated record out.

A form never writes to the vault itself. It builds the record with the domain's
own validation (``build``), shows the one-sentence problem beside the field that
caused it, and only dismisses with a record that is valid. Esc leaves without
saving, asking first when something was changed.

A form shows what is stored about a client as it is, so while the screen is
shared its fields are covered (and what was typed is kept) unless the form holds
nothing about clients (``shareable``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, ClassVar, Generic, Literal, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.select import InvalidSelectValueError

from casetui.core.errors import ValidationError
from casetui.core.fields import DateSpec
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.masking import is_masked, on_masking
from casetui.ui.reopening import claim_draft, form_opened_by
from casetui.ui.safe_text import one_line, plain
from casetui.ui.widgets.chrome import MaskBadge
from casetui.ui.widgets.tick_box import TickBox, TickList

T = TypeVar("T")

COVER_TEXT = (
    "This form is hidden while screen sharing, because it shows what is stored as it "
    "is. Turn screen sharing off to see it again (what you typed is kept), or press "
    "Esc to leave without saving."
)

Kind = Literal["text", "multiline", "date", "int", "choice", "flag", "many"]


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    kind: Kind = "text"
    hint: str = ""
    options: Sequence[tuple[str, Any]] = ()
    """(label, value) pairs for ``choice`` and ``many``."""
    required: bool = False


def required_date(values: dict[str, Any], name: str) -> date:
    """A required date from a form's typed values, checked as records check dates."""
    result = DateSpec(required=True).clean(name, values.get(name))
    if result is None:
        raise ValidationError(name, "is required; enter a date as YYYY-MM-DD.")
    return result


def optional_date(values: dict[str, Any], name: str) -> date | None:
    result: date | None = DateSpec(required=False).clean(name, values.get(name))
    return result


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


class FormScreen(ModalScreen[T | None], Generic[T]):
    """Edit some fields; dismiss with the built record, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        Binding("escape", "cancel", "Cancel", priority=True, id="form.cancel"),
    ]

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical {
        width: 100%; max-width: 96; height: 100%; max-height: 44;
        border: round $primary; background: $surface; padding: 0 1;
    }
    FormScreen #form-title { text-style: bold; color: $primary; padding: 0 0 1 0; }
    FormScreen .field-label { padding: 1 0 0 0; text-style: bold; }
    FormScreen .field-hint { color: $text-muted; }
    FormScreen .field-error { color: $error; text-style: bold; display: none; }
    FormScreen .field-error.shown { display: block; }
    FormScreen TextArea { height: 5; }
    FormScreen SelectionList { height: auto; max-height: 8; }
    FormScreen Checkbox { margin-top: 1; }  /* in place of the label it carries */
    FormScreen #form-error { color: $error; text-style: bold; }
    FormScreen #form-buttons { height: 3; align-horizontal: right; }
    FormScreen #form-buttons Button { margin-left: 2; }
    FormScreen #form-cover { display: none; padding: 1 0; }
    """

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        initial: dict[str, Any],
        build: Callable[[dict[str, Any]], T],
        *,
        intro: str = "",
        shareable: bool = False,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = tuple(fields)
        self.initial = dict(initial)
        self.build = build
        self.intro = intro
        #: True for a form that holds nothing about clients: not covered while sharing.
        self.shareable = shareable
        #: Whether the fields are covered now, because the screen is being shared.
        self.covered = False
        self._start: dict[str, Any] = {}
        #: How to open this form again after a lock: the action that opened it and
        #: where it ran (see ``ui/resume.py``); None when it cannot be run again.
        self.reopen: tuple[str, str] | None = form_opened_by()
        #: Typed contents to put back once mounted (a draft given back after a lock).
        self.pending_draft: dict[str, Any] | None = claim_draft()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield MaskBadge()
            yield Static(COVER_TEXT, id="form-cover", markup=False)
            yield Static(one_line(self.form_title), id="form-title")
            with VerticalScroll(id="form-fields"):
                if self.intro:
                    yield Static(plain(self.intro), classes="field-hint")
                for spec in self.fields:
                    hint = Static(plain(spec.hint), classes="field-hint") if spec.hint else None
                    if spec.kind == "flag":
                        # A checkbox carries its own label; its hint explains it below.
                        yield self._widget_for(spec)
                        if hint is not None:
                            yield hint
                    else:
                        yield Label(
                            one_line(spec.label + (" *" if spec.required else "")),
                            classes="field-label",
                        )
                        if hint is not None:
                            yield hint
                        yield self._widget_for(spec)
                    yield Static("", id=f"error-{spec.name}", classes="field-error")
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")
        yield Footer(show_command_palette=False)

    def _widget_for(self, spec: FormField) -> Widget:
        value = self.initial.get(spec.name)
        wid = f"field-{spec.name}"
        if spec.kind == "multiline":
            area = TextArea(_to_text(value), id=wid, soft_wrap=True, tab_behavior="focus")
            area.show_line_numbers = False
            return area
        if spec.kind == "choice":
            return Select(
                [(one_line(label), option) for label, option in spec.options],
                value=value if value is not None else Select.NULL,
                # A required choice with no value starts blank, so it is chosen on
                # purpose rather than left at whatever happens to be first.
                allow_blank=value is None or not spec.required,
                id=wid,
            )
        if spec.kind == "flag":
            return TickBox(one_line(spec.label), bool(value), id=wid)
        if spec.kind == "many":
            chosen = set(value or ())
            return TickList(
                *[(one_line(label), option, option in chosen) for label, option in spec.options],
                id=wid,
            )
        placeholder = "YYYY-MM-DD" if spec.kind == "date" else ""
        return Input(_to_text(value), id=wid, placeholder=placeholder)

    def on_mount(self) -> None:
        self._start = self.values()
        if self.pending_draft is not None:
            self.apply_draft(self.pending_draft)
            self.pending_draft = None
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()
        self._cover(is_masked(self))
        on_masking(self, self._cover)

    def _cover(self, masked: bool) -> None:
        """Cover the form while the screen is shared; uncover it as it was."""
        covered = masked and not self.shareable
        if covered == self.covered:
            return
        self.covered = covered
        for part in ("#form-title", "#form-fields", "#form-error", "#form-buttons"):
            self.query_one(part).display = not covered
        self.query_one("#form-cover").display = covered
        if covered:
            self.set_focus(None)
        elif self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and self.covered:
            return None  # shown, but greyed out: nothing is saved unseen
        return True

    # -- values ---------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The raw form contents (strings, booleans, chosen values)."""
        out: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, TextArea):
                out[spec.name] = widget.text
            elif isinstance(widget, Select):
                out[spec.name] = None if widget.is_blank() else widget.value
            elif isinstance(widget, Checkbox):
                out[spec.name] = widget.value
            elif isinstance(widget, SelectionList):
                out[spec.name] = tuple(widget.selected)
            elif isinstance(widget, Input):
                out[spec.name] = widget.value
        return out

    def typed_values(self) -> dict[str, Any]:
        """Form contents converted to the types records expect. Raises ValidationError."""
        out = self.values()
        for spec in self.fields:
            raw = out[spec.name]
            if spec.kind == "int":
                text = str(raw).strip()
                if not text.lstrip("-").isdigit():
                    raise ValidationError(spec.name, "should be a whole number, such as 14.")
                out[spec.name] = int(text)
            elif spec.kind == "date":
                out[spec.name] = str(raw).strip() or None
            elif spec.kind == "choice" and spec.required and raw is None:
                raise ValidationError(spec.name, "is required; please choose one.")
        return out

    @property
    def changed(self) -> bool:
        return self.values() != self._start

    # -- drafts kept across a lock -------------------------------------------------------

    def draft_values(self) -> dict[str, Any]:
        """The typed contents as plain JSON: text as typed, choices by their position."""
        out: dict[str, Any] = {}
        for spec, (name, value) in zip(self.fields, self.values().items(), strict=True):
            options = [option for _label, option in spec.options]
            if spec.kind == "choice":
                out[name] = options.index(value) if value in options else None
            elif spec.kind == "many":
                out[name] = [options.index(v) for v in value if v in options]
            elif spec.kind == "flag":
                out[name] = bool(value)
            else:
                out[name] = str(value)
        return out

    def apply_draft(self, draft: dict[str, Any]) -> None:
        """Put back contents from :meth:`draft_values`; anything that no longer fits is skipped."""
        for spec in self.fields:
            if spec.name not in draft:
                continue
            value = draft[spec.name]
            widget = self.query_one(f"#field-{spec.name}")
            options = [option for _label, option in spec.options]
            if isinstance(widget, TextArea) and isinstance(value, str):
                widget.load_text(value)
            elif (isinstance(widget, Input) and isinstance(value, str)) or (
                isinstance(widget, Checkbox) and isinstance(value, bool)
            ):
                widget.value = value
            elif isinstance(widget, Select):
                if value is None:
                    with contextlib.suppress(InvalidSelectValueError):  # a required choice
                        widget.clear()
                elif isinstance(value, int) and 0 <= value < len(options):
                    widget.value = options[value]
            elif isinstance(widget, SelectionList) and isinstance(value, list):
                widget.deselect_all()
                for index in value:
                    if isinstance(index, int) and 0 <= index < len(options):
                        widget.select(options[index])

    def draft_lines(self) -> list[str]:
        """What was typed, as "Label: value" lines, for when the form cannot be reopened."""
        lines: list[str] = []
        for spec, value in zip(self.fields, self.values().values(), strict=True):
            labels = {repr(option): label for label, option in spec.options}
            if spec.kind == "choice":
                shown = labels.get(repr(value), "") if value is not None else ""
            elif spec.kind == "many":
                shown = ", ".join(labels.get(repr(v), "") for v in value)
            elif spec.kind == "flag":
                shown = "yes" if value else "no"
            else:
                shown = str(value)
            if shown.strip():
                lines.append(f"{spec.label}: {shown}")
        return lines

    # -- actions --------------------------------------------------------------------

    def _show_error(self, error: ValidationError) -> None:
        for box in self.query(".field-error"):
            box.remove_class("shown")
        field_name = error.field.split(".")[0].split("[")[0]
        label = next((s.label for s in self.fields if s.name == field_name), None)
        sentence = f"{label}: {error.problem}" if label else str(error)
        self.query_one("#form-error", Static).update(one_line(sentence))
        if label is not None:
            box = self.query_one(f"#error-{field_name}", Static)
            box.update(one_line(error.problem))
            box.add_class("shown")
            target = self.query_one(f"#field-{field_name}")
            target.focus()
            target.scroll_visible()

    def action_save(self) -> None:
        if self.covered:
            return
        try:
            record = self.build(self.typed_values())
        except ValidationError as error:
            self._show_error(error)
            return
        self.dismiss(record)

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Leave without saving?",
                "The changes in this form have not been saved.",
                yes="Discard changes",
                no="Keep editing",
            ),
            decided,
        )

    @on(Button.Pressed, "#save")
    def _pressed_save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _pressed_cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.focus_next()
