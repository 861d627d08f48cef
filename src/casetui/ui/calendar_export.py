"""Export the case manager's calendar from the app: a form, then a worker writes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casetui.core.choices import AuditAction
from casetui.core.errors import ValidationError
from casetui.core.ical import DEFAULT_WEEKS, CalendarFile
from casetui.core.text import plural
from casetui.services.calendar_feed import SUFFIX, WHAT, calendar_for, local_zone
from casetui.ui.exports import Exported, export_file
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormField, FormScreen
from casetui.ui.user_files import (
    Saved,
    UserFile,
    check_typed_file,
    is_served,
    safe_name,
    typed_path,
)

if TYPE_CHECKING:
    from casetui.ui.session import Session

MAX_WEEKS = 52
DEFAULT_NAME = "casetui-calendar.ics"


@dataclass(frozen=True, slots=True)
class CalendarRequest:
    out: Path
    weeks: int
    with_names: bool
    with_initials: bool = False

    @property
    def file(self) -> UserFile:
        return UserFile(self.out, WHAT, (SUFFIX,), "text/calendar")


def calendar_fields(*, served: bool = False) -> list[FormField]:
    where = " Your browser downloads it." if served else ""
    return [
        FormField("out", "Save as", required=True, hint=f"A file name ending in .ics.{where}"),
        FormField("weeks", "Weeks ahead", "int", hint=f"1 to {MAX_WEEKS}."),
        FormField(
            "with_initials",
            "Show initials instead of codes",
            "flag",
            hint="Off by default: clients appear as their calendar code. In a small "
            "community, initials can be enough to tell who someone is.",
        ),
        FormField(
            "with_names",
            "Include clients' names",
            "flag",
            hint="Off by default: clients appear as their calendar code. A calendar "
            "often syncs to phones and other services; names are safer left out.",
        ),
    ]


def build_request(values: dict[str, Any], *, served: bool = False) -> CalendarRequest:
    """The request from the form; ``served`` keeps only a safe file name and looks at no disk."""
    text = str(values["out"]).strip()
    if not text:
        raise ValidationError("out", "is required; give a file name ending in .ics.")
    out = Path(safe_name(text)) if served else typed_path(text)
    if out.suffix.lower() != SUFFIX or not out.stem:
        raise ValidationError("out", "should end in .ics so calendar apps recognise it.")
    if not served:
        check_typed_file(out)
    weeks = values["weeks"]
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationError("weeks", f"should be from 1 to {MAX_WEEKS}.")
    with_names = bool(values["with_names"])
    with_initials = bool(values.get("with_initials")) and not with_names
    return CalendarRequest(out, weeks, with_names, with_initials)


def start_export(app: Session) -> None:
    """Ask where and how, confirm anything risky, then write in a worker."""
    if app.vault is None:
        return
    if app.owner_id is None:
        app.notify(
            "This vault has no case manager of its own, so there is no calendar to export.",
            severity="warning",
            markup=False,
        )
        return
    served = is_served(app)
    # A visitor to a served demo is not shown this computer's folders.
    default = DEFAULT_NAME if served else str(Path.home() / DEFAULT_NAME)
    initial = {"out": default, "weeks": DEFAULT_WEEKS}

    def chosen(request: CalendarRequest | None) -> None:
        if request is None:
            return
        if request.with_names:
            app.push_screen(
                ConfirmScreen(
                    "Put clients' names in the calendar file?",
                    "Anyone who sees the file, or the calendar it is imported into, will see "
                    "who you are meeting. Without names, clients appear as their calendar "
                    "code.",
                    yes="Include names",
                    no="Leave them out",
                ),
                lambda yes: _save(
                    app, request if yes else CalendarRequest(request.out, request.weeks, False)
                ),
            )
            return
        _save(app, request)

    # The form holds nothing about clients, so it stays readable while screen sharing.
    app.push_screen(
        FormScreen(
            "Export your calendar",
            calendar_fields(served=served),
            initial,
            lambda values: build_request(values, served=served),
            shareable=True,
        ),
        chosen,
    )


def _save(app: Session, request: CalendarRequest) -> None:
    """Build the calendar in a worker, then save it or send it to the browser."""

    vault = app.require_vault()
    owner = app.owner_id
    today = app.today
    if owner is None:
        return

    def make() -> tuple[bytes, CalendarFile]:
        calendar = calendar_for(
            vault.repo,
            owner,
            today,
            zone=local_zone(),
            weeks=request.weeks,
            with_names=request.with_names,
            with_initials=request.with_initials,
        )
        return calendar.to_bytes(), calendar

    def told(saved: Saved, calendar: CalendarFile) -> Exported:
        names = (
            "with names"
            if request.with_names
            else "with initials"
            if request.with_initials
            else "without names"
        )
        if not vault.writable:
            names += "; this read-only session cannot add it to the audit trail"
        verb = "Wrote" if saved.path else "Sent"
        return Exported(
            detail=f"{request.weeks} week{'' if request.weeks == 1 else 's'}, {names}",
            title="Calendar exported",
            message=f"{verb} {plural(calendar.events, 'event')} ({names}) {saved.where}.",
        )

    def ready() -> bool:
        app.notify("Writing the calendar…", markup=False, timeout=2)
        return True

    export_file(
        app,
        request.file,
        make,
        told,
        action=AuditAction.CALENDAR_EXPORTED,
        doing="exporting the calendar",
        failed="The calendar was not written",
        group="calendar",
        ready=ready,
    )
