"""The caseload as CSV, for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from casetui.core.formats import protect_cell
from casetui.core.rules import CaseloadRow

# -- the caseload as CSV -------------------------------------------------------------------

EXPORT_HEADER = (
    "Preferred name",
    "Pronouns",
    "Status",
    "Case manager",
    "Intake date",
    "Language",
    "Interpreter needed",
    "Check-in every (days)",
    "Calendar code",
    "Last contact",
    "Next check-in",
    "Open needs",
    "Goals achieved",
    "Goals total",
)


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def caseload_csv(rows: Iterable[CaseloadRow]) -> str:
    """One line per client, with a header; no notes. Cells are formula-safe.

    The text starts with a byte-order mark, so spreadsheet apps read it as UTF-8.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([protect_cell(h) for h in EXPORT_HEADER])
    for row in rows:
        c = row.client
        cells = [
            c.preferred_name,
            c.pronouns,
            c.status.label,
            row.case_manager,
            c.intake_date.isoformat(),
            c.language,
            "yes" if c.interpreter_needed else "no",
            str(c.checkin_interval_days),
            c.calendar_code,
            _day(row.last_contact),
            _day(row.next_checkin),
            str(row.open_needs),
            str(row.goals_achieved),
            str(row.goals_total),
        ]
        writer.writerow([protect_cell(cell) for cell in cells])
    return "\ufeff" + out.getvalue()
