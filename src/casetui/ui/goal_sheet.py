"""Print a client's goal sheet from their workspace: a form, then a worker writes it.

The sheet is built from the records at once (it is quick: one client's records),
and only the disk write runs in a worker thread. Printing is refused while the
screen is shared, since the form and the notification are about one client, and
in a read-only session, which could not record the printing in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casetui.core.choices import AuditAction
from casetui.core.errors import ValidationError
from casetui.core.labels import NO_INITIALS, initials
from casetui.core.printout import SECTION_LABELS, SECTIONS, audit_detail, choose_sections, render
from casetui.ui.screens.confirm import write_unless_kept
from casetui.ui.screens.form import FormField, FormScreen
from casetui.ui.worker_errors import guarded
from casetui.vault.errors import VaultError
from casetui.vault.printout import FORMATS, goal_sheet_for, write_printout

if TYPE_CHECKING:
    from casetui.ui.app import CaseApp

MASKED_REFUSAL = (
    "The goal sheet cannot be printed while screen sharing, because it shows the client's "
    "name and words; press F9 to stop sharing first."
)
READ_ONLY_REFUSAL = (
    "This session is read-only, so printing could not be recorded in the audit trail; "
    "print the goal sheet from the casetui that has the vault open."
)
INTRO = (
    "A warm, plain-language page for the client to take home. Choose what goes on it. "
    "The safety plan, notes, legal matters and consents are never printed, and the file "
    "is readable only by you."
)


#: File name endings that name a format; a name ending in another format's is refused.
_SUFFIXES = frozenset({".html", ".htm", ".md"})


@dataclass(frozen=True, slots=True)
class PrintRequest:
    out: Path
    fmt: str
    sections: tuple[str, ...]


def default_path(preferred_name: str) -> Path:
    """``~/goal-sheet-AB.html``: the client's initials, never their name."""
    tag = initials(preferred_name)
    letters = "" if tag == NO_INITIALS else "".join(ch for ch in tag if ch.isalnum())
    return Path.home() / (f"goal-sheet-{letters}.html" if letters else "goal-sheet.html")


def print_fields() -> list[FormField]:
    return [
        FormField(
            "sections",
            "What to print",
            "many",
            hint="Space ticks or unticks the one under the cursor.",
            options=[(SECTION_LABELS[key], key) for key in SECTIONS],
        ),
        FormField(
            "format",
            "Format",
            "choice",
            options=[
                ("A page to print, from a web browser (.html)", "html"),
                ("Plain text with Markdown (.md)", "md"),
            ],
            required=True,
        ),
        FormField(
            "out",
            "Save as",
            required=True,
            hint="Keep the file private, and delete it once it is printed.",
        ),
    ]


def build_request(values: dict[str, Any], default: Path) -> PrintRequest:
    try:
        sections = choose_sections(values.get("sections") or ())
    except ValueError:
        raise ValidationError("sections", "choose at least one section to print.") from None
    fmt = str(values.get("format") or "html")
    text = str(values["out"]).strip()
    if not text:
        raise ValidationError("out", "is required; give a file name.")
    out = Path(text).expanduser()
    if out.is_dir():
        raise ValidationError("out", "is a folder; give the name of the file to write.")
    suffix = FORMATS[fmt]
    allowed = {".html", ".htm"} if fmt == "html" else {".md"}
    if out == default:
        out = out.with_suffix(suffix)  # the suggested name follows the format
    elif not out.suffix:
        out = out.with_name(out.name + suffix)
    elif out.suffix.lower() in _SUFFIXES - allowed:
        raise ValidationError("out", f"should end in {suffix} for the format chosen.")
    if out.is_dir():
        raise ValidationError("out", "is a folder; give the name of the file to write.")
    if not out.parent.is_dir():
        raise ValidationError("out", "is in a folder that does not exist.")
    return PrintRequest(out, fmt, sections)


def _refused(app: CaseApp) -> bool:
    """Say in one sentence why printing is not possible now, if it is not."""
    if app.masked:
        reason = MASKED_REFUSAL
    elif not app.require_vault().writable:
        reason = READ_ONLY_REFUSAL
    else:
        return False
    app.notify(reason, title="Not printed", severity="warning", markup=False)
    return True


def start_print(app: CaseApp, client_id: str) -> None:
    """Ask what to print and where, then write it in a worker."""
    vault = app.vault
    if vault is None or _refused(app):
        return
    client = vault.repo.clients.get(client_id)
    if client is None:
        return
    default = default_path(client.preferred_name)
    initial = {"sections": SECTIONS, "format": "html", "out": str(default)}

    def chosen(request: PrintRequest | None) -> None:
        if request is not None:
            _check_overwrite(app, client_id, request)

    app.push_screen(
        FormScreen(
            "Print a goal sheet",
            print_fields(),
            initial,
            lambda values: build_request(values, default),
            intro=INTRO,
        ),
        chosen,
    )


def _check_overwrite(app: CaseApp, client_id: str, request: PrintRequest) -> None:
    write_unless_kept(
        app, request.out, lambda overwrite: _write(app, client_id, request, overwrite=overwrite)
    )


def _write(app: CaseApp, client_id: str, request: PrintRequest, *, overwrite: bool) -> None:
    vault = app.require_vault()
    if _refused(app):  # screen sharing was turned on while the form was open
        return
    try:
        sheet = goal_sheet_for(
            vault.repo,
            client_id,
            as_of=app.today,
            sections=request.sections,
            agency_name=app.settings.agency_name,
            agency_contact=app.settings.agency_contact,
        )
    except (VaultError, ValueError) as error:
        app.notify(str(error), title="Not printed", severity="error", markup=False)
        return
    text = render(sheet, request.fmt)
    detail = audit_detail(sheet, request.fmt)

    def job() -> None:
        try:
            write_printout(vault, request.out, text, overwrite=overwrite)
        except (VaultError, OSError) as error:
            app.call_from_thread(
                app.notify,
                str(error),
                title="The goal sheet was not written",
                severity="error",
                markup=False,
            )
            return
        app.call_from_thread(app.record_event, AuditAction.REPORT_RUN, detail, client_id=client_id)
        app.call_from_thread(
            app.notify,
            f"Wrote the goal sheet to {request.out}. It holds the client's own words: keep "
            "it private, and hand it to them.",
            title="Goal sheet printed",
            markup=False,
            timeout=10,
        )

    app.run_worker(
        guarded(app, "printing the goal sheet", job),
        thread=True,
        group="print",
        exit_on_error=False,
    )
