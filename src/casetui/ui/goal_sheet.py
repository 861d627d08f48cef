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
from casetui.core.printout import SECTION_LABELS, SECTIONS, audit_detail, choose_sections
from casetui.core.printout_render import render
from casetui.services.goal_sheet_print import FORMATS, SUFFIXES, WHAT, goal_sheet_for
from casetui.ui.exports import Exported, export_file
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


MIME_TYPES = {"html": "text/html", "md": "text/markdown"}
HINT = "Keep the file private, and delete it once it is printed."
SERVED_HINT = f"Your browser downloads it. {HINT}"


@dataclass(frozen=True, slots=True)
class PrintRequest:
    out: Path
    fmt: str
    sections: tuple[str, ...]

    @property
    def file(self) -> UserFile:
        return UserFile(self.out, WHAT, SUFFIXES[self.fmt], MIME_TYPES[self.fmt])


def default_path(preferred_name: str) -> Path:
    """``~/goal-sheet-AB.html``: the client's initials, never their name."""
    tag = initials(preferred_name)
    letters = "" if tag == NO_INITIALS else "".join(ch for ch in tag if ch.isalnum())
    return Path.home() / (f"goal-sheet-{letters}.html" if letters else "goal-sheet.html")


def print_fields(*, served: bool = False) -> list[FormField]:
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
            hint=SERVED_HINT if served else HINT,
        ),
    ]


def build_request(values: dict[str, Any], default: Path, *, served: bool = False) -> PrintRequest:
    """The request from the form; ``served`` keeps only a safe file name and looks at no disk.

    A name with no ending gets the format's; any other ending is refused, so a
    sheet is never saved as ``notes.sh`` (or as the vault's ``.age`` key file).
    """
    try:
        sections = choose_sections(values.get("sections") or ())
    except ValueError:
        raise ValidationError("sections", "choose at least one section to print.") from None
    fmt = str(values.get("format") or "html")
    text = str(values["out"]).strip()
    if not text:
        raise ValidationError("out", "is required; give a file name.")
    suffix = FORMATS[fmt]
    allowed = SUFFIXES[fmt]
    if served:
        name = safe_name(text)
        if not name:
            raise ValidationError("out", "needs letters or digits; give a file name.")
        out = Path(name)
    else:
        out = typed_path(text)
        if out.is_dir():
            raise ValidationError("out", "is a folder; give the name of the file to write.")
    if out == default:
        out = out.with_suffix(suffix)  # the suggested name follows the format
    elif not out.suffix:
        out = out.with_name(out.name + suffix)
    elif out.suffix.lower() not in allowed:  # such as .sh, or the other format's
        raise ValidationError("out", f"should end in {suffix} for the format chosen.")
    if not served:
        check_typed_file(out)
    return PrintRequest(out, fmt, sections)


def _refused(app: Session) -> bool:
    """Say in one sentence why printing is not possible now, if it is not."""
    if app.masked:
        reason = MASKED_REFUSAL
    elif not app.require_vault().writable:
        reason = READ_ONLY_REFUSAL
    else:
        return False
    app.notify(reason, title="Not printed", severity="warning", markup=False)
    return True


def start_print(app: Session, client_id: str) -> None:
    """Ask what to print and where, then write it in a worker."""
    vault = app.vault
    if vault is None or _refused(app):
        return
    client = vault.repo.clients.get(client_id)
    if client is None:
        return
    served = is_served(app)
    default = default_path(client.preferred_name)
    if served:  # a visitor is not shown this computer's folders
        default = Path(safe_name(default.name) or "goal-sheet.html")
    initial = {"sections": SECTIONS, "format": "html", "out": str(default)}

    def chosen(request: PrintRequest | None) -> None:
        if request is not None:
            _save(app, client_id, request)

    app.push_screen(
        FormScreen(
            "Print a goal sheet",
            print_fields(served=served),
            initial,
            lambda values: build_request(values, default, served=served),
            intro=INTRO,
        ),
        chosen,
    )


def _save(app: Session, client_id: str, request: PrintRequest) -> None:
    """Build the sheet in a worker, then save it or send it to the browser."""
    repo = app.require_vault().repo
    as_of = app.today
    agency_name, agency_contact = app.settings.agency_name, app.settings.agency_contact

    def make() -> tuple[bytes, str]:
        sheet = goal_sheet_for(
            repo,
            client_id,
            as_of=as_of,
            sections=request.sections,
            agency_name=agency_name,
            agency_contact=agency_contact,
        )
        return render(sheet, request.fmt).encode("utf-8"), audit_detail(sheet, request.fmt)

    def told(saved: Saved, detail: str) -> Exported:
        fetch = saved.fetch_hint()
        return Exported(
            detail=detail,
            title="Goal sheet printed",
            message=f"{'Wrote' if saved.path else 'Sent'} the goal sheet {saved.where}. It "
            "holds the client's own words: keep it private, and hand it to them."
            + (f" {fetch}" if fetch else ""),
            timeout=30 if fetch else 10,
        )

    export_file(
        app,
        request.file,
        make,
        told,
        action=AuditAction.REPORT_RUN,
        client_id=client_id,
        doing="printing the goal sheet",
        failed="The goal sheet was not written",
        group="print",
        # Screen sharing may have been turned on while the form was open.
        ready=lambda: not _refused(app),
    )
