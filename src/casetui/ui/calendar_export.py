"""Export the case manager's calendar from the app: a form, then a worker writes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casetui.core.choices import AuditAction
from casetui.core.errors import ValidationError
from casetui.core.ical import DEFAULT_WEEKS
from casetui.ui.screens.confirm import ConfirmScreen, write_unless_kept
from casetui.ui.screens.form import FormField, FormScreen
from casetui.ui.worker_errors import guarded
from casetui.vault.errors import VaultError

if TYPE_CHECKING:
    from casetui.ui.app import CaseApp

MAX_WEEKS = 52


@dataclass(frozen=True, slots=True)
class CalendarRequest:
    out: Path
    weeks: int
    with_names: bool


def calendar_fields() -> list[FormField]:
    return [
        FormField("out", "Save as", required=True, hint="A file name ending in .ics."),
        FormField("weeks", "Weeks ahead", "int", hint=f"1 to {MAX_WEEKS}."),
        FormField(
            "with_names",
            "Include clients' names",
            "flag",
            hint="Off by default: clients appear as their calendar code or initials. A "
            "calendar often syncs to phones and other services; names are safer left out.",
        ),
    ]


def build_request(values: dict[str, Any]) -> CalendarRequest:
    text = str(values["out"]).strip()
    if not text:
        raise ValidationError("out", "is required; give a file name ending in .ics.")
    out = Path(text).expanduser()
    if out.suffix.lower() != ".ics":
        raise ValidationError("out", "should end in .ics so calendar apps recognise it.")
    if out.is_dir():
        raise ValidationError("out", "is a folder; give the name of the file to write.")
    if not out.parent.is_dir():
        raise ValidationError("out", "is in a folder that does not exist.")
    weeks = values["weeks"]
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationError("weeks", f"should be from 1 to {MAX_WEEKS}.")
    return CalendarRequest(out, weeks, bool(values["with_names"]))


def start_export(app: CaseApp) -> None:
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
    initial = {"out": str(Path.home() / "casetui-calendar.ics"), "weeks": DEFAULT_WEEKS}

    def chosen(request: CalendarRequest | None) -> None:
        if request is None:
            return
        if request.with_names:
            app.push_screen(
                ConfirmScreen(
                    "Put clients' names in the calendar file?",
                    "Anyone who sees the file, or the calendar it is imported into, will see "
                    "who you are meeting. Without names, clients appear as their calendar "
                    "code or initials.",
                    yes="Include names",
                    no="Leave them out",
                ),
                lambda yes: _check_overwrite(
                    app, request if yes else CalendarRequest(request.out, request.weeks, False)
                ),
            )
            return
        _check_overwrite(app, request)

    # The form holds nothing about clients, so it stays readable while screen sharing.
    app.push_screen(
        FormScreen(
            "Export your calendar", calendar_fields(), initial, build_request, shareable=True
        ),
        chosen,
    )


def _check_overwrite(app: CaseApp, request: CalendarRequest) -> None:
    write_unless_kept(app, request.out, lambda overwrite: _write(app, request, overwrite=overwrite))


def _write(app: CaseApp, request: CalendarRequest, *, overwrite: bool) -> None:
    app.notify("Writing the calendar…", markup=False, timeout=2)
    _write_worker(app, request, overwrite)


def _write_worker(app: CaseApp, request: CalendarRequest, overwrite: bool) -> None:
    from casetui.vault.calendar import local_zone, write_calendar

    vault = app.require_vault()
    owner = app.owner_id
    today = app.today

    def job() -> None:
        try:
            written = write_calendar(
                vault,
                request.out,
                staff_id=owner,
                as_of=today,
                zone=local_zone(),
                weeks=request.weeks,
                with_names=request.with_names,
                overwrite=overwrite,
            )
        except (VaultError, OSError) as error:
            app.call_from_thread(
                app.notify,
                str(error),
                title="The calendar was not written",
                severity="error",
                markup=False,
            )
            return
        names = "with names" if request.with_names else "without names"
        if not vault.writable:
            names += "; this read-only session cannot add it to the audit trail"
        app.call_from_thread(
            app.record_event,
            AuditAction.CALENDAR_EXPORTED,
            f"{request.weeks} week{'' if request.weeks == 1 else 's'}, {names}",
        )
        app.call_from_thread(
            app.notify,
            f"Wrote {written.events} events ({names}) to {request.out}.",
            title="Calendar exported",
            markup=False,
        )

    app.run_worker(
        guarded(app, "exporting the calendar", job),
        thread=True,
        group="calendar",
        exit_on_error=False,
    )
