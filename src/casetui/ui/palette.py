"""The app's own entries in the command palette (ctrl+p), after Textual's."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import SystemCommand

from casetui.ui.session import Section
from casetui.ui.settings_commands import settings_commands

#: Where the palette goes, in the order it lists them: (title, help, section), or
#: None for the calendar export, which is listed among them.
DESTINATIONS: tuple[tuple[str, str, Section | None], ...] = (
    ("Caseload", "Go to the caseload list", "caseload"),
    ("Today", "What needs doing today: check-ins, referrals, consents", "today"),
    ("My week", "Your admin, self-care and supervision time", "week"),
    (
        "Export calendar",
        "Your time blocks, planned meetings and check-ins as an .ics file",
        None,
    ),
    (
        "Team (supervisor view)",
        "Every case manager's caseload, overdue check-ins and hours",
        "team",
    ),
    ("Partner directory", "Agencies and providers clients are referred to", "partners"),
    (
        "Accreditation readiness",
        "Every active client against the standard's essential requirements",
        "accreditation",
    ),
    (
        "Funder statistics",
        "De-identified counts for a period, small counts suppressed",
        "stats",
    ),
    (
        "PMT quarterly figures",
        "The federal victim-services figures for a quarter: exact, no names, to file",
        "pmt",
    ),
    (
        "Funding sources",
        "The agency's grants, which clients and services are counted under",
        "funding",
    ),
    ("Audit trail", "Who changed what, and when, across the whole vault", "audit"),
    (
        "2 versions to choose",
        "Fields changed on two devices at once: choose which version to keep",
        "versions",
    ),
)


def palette_commands(app: Any) -> Iterator[SystemCommand]:
    """The app's commands: its sections while a vault is open, then screen sharing and help.

    ``app`` is the running ``CaseApp`` (not imported here: it imports this module).
    """
    if app.vault is not None:
        for title, help_text, section in DESTINATIONS:
            go = app.export_calendar if section is None else partial(app.show, section)
            yield SystemCommand(title, help_text, go)
        yield SystemCommand("Save now", "Write all changes to the vault", app.action_save_now)
        yield from settings_commands(app)
    if app.masked:
        yield SystemCommand(
            "Screen sharing: show names",
            "Show clients' names and notes again",
            app.action_toggle_mask,
        )
    else:
        yield SystemCommand(
            "Screen sharing: hide names",
            "Show clients only by their neutral calendar code, and hide notes",
            app.action_toggle_mask,
        )
    yield SystemCommand("Keys and help", "Show every key on this screen", app.action_help)
