"""A starter mapping for a sheet: which column likely feeds which client field."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from casetui.core.sheets.mapping import (
    FIELD_KINDS,
    ISO_FORMAT,
    MAPPING_VERSION,
    MAX_HEADING,
    REQUIRED_FIELDS,
    fold,
)
from casetui.core.text import sanitise

#: Headings that usually mean each field, folded. The first is the field's own name.
ALIASES: dict[str, tuple[str, ...]] = {
    "preferred_name": (
        "preferred name",
        "name",
        "client",
        "client name",
        "full name",
        "known as",
        "goes by",
    ),
    "pronouns": ("pronouns", "pronoun"),
    "intake_date": (
        "intake date",
        "intake",
        "date of intake",
        "intake on",
        "start date",
        "date opened",
        "opened",
        "opened on",
    ),
    "status": ("status", "case status", "state"),
    "case_manager": (
        "case manager",
        "case manager name",
        "casemanager",
        "caseworker",
        "case worker",
        "advocate",
        "assigned to",
        "worker",
        "staff",
    ),
    "language": ("language", "preferred language", "primary language", "main language"),
    "interpreter_needed": (
        "interpreter needed",
        "interpreter",
        "needs interpreter",
        "needs an interpreter",
        "interpreter required",
        "interpreter?",
    ),
    "checkin_interval_days": (
        "checkin interval days",
        "check in interval",
        "check in interval days",
        "check in every (days)",
        "check in every",
        "check in days",
        "days between check ins",
        "contact every (days)",
    ),
    "calendar_code": ("calendar code", "code", "client code"),
    "may_call": ("may call", "ok to call", "safe to call", "can call", "call ok"),
    "may_text": ("may text", "ok to text", "safe to text", "can text", "text ok", "sms ok"),
    "may_leave_voicemail": (
        "may leave voicemail",
        "ok to leave voicemail",
        "safe to leave voicemail",
        "can leave voicemail",
        "voicemail ok",
        "ok to leave a voicemail",
        "voicemail",
    ),
    "safe_contact_notes": (
        "safe contact notes",
        "safe contact",
        "contact notes",
        "how to contact safely",
    ),
    "culture_notes": ("culture notes", "culture", "cultural notes", "cultural background"),
    "faith_notes": ("faith notes", "faith", "religion", "faith and religion"),
    "legal_engagement": ("legal engagement", "legal", "legal involvement", "legal process"),
    "needs_reassessed_on": (
        "needs reassessed on",
        "needs reassessed",
        "needs last reassessed",
        "reassessed on",
        "last reassessment",
    ),
    "victimization_types": (
        "victimization types",
        "victimization",
        "victimization type",
        "types of victimization",
        "type of victimization",
        "victimisation",
        "crime type",
        "type of crime",
    ),
    "age_group": ("age group", "age", "age range", "age at intake"),
    "gender_identity": ("gender identity", "gender"),
    "race_ethnicity": (
        "race ethnicity",
        "race/ethnicity",
        "race and ethnicity",
        "race",
        "ethnicity",
    ),
    "special_classifications": (
        "special classifications",
        "special classification",
        "special classifications of individuals",
    ),
    "funding_sources": (
        "funding sources",
        "funding source",
        "funding",
        "funded by",
        "grant",
        "grants",
        "funder",
    ),
}
#: Columns of casetui's own CSV export that casetui works out itself.
DERIVED_HEADINGS = {
    fold(h): why
    for h, why in (
        ("Last contact", "comes from the meeting log"),
        ("Next check-in", "is worked out from the meetings and the check-in interval"),
        ("Open needs", "comes from the needs checklist"),
        ("Goals achieved", "comes from the goal sheet"),
        ("Goals total", "comes from the goal sheet"),
    )
}
#: Formats tried when suggesting; the day-first and month-first ones exclude each other.
CANDIDATE_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%m/%d/%y",
)


def match_headings(headings: Sequence[str]) -> dict[str, int]:
    """Guess which column feeds each field: field -> column index.

    Exact matches against the aliases come first, then close spellings. Each
    field takes at most one column and each column feeds at most one field.
    """
    folded = [fold(h) for h in headings]
    chosen: dict[str, int] = {}
    taken: set[int] = set()
    for field, aliases in ALIASES.items():
        wanted = {fold(field), *(fold(a) for a in aliases)}
        for index, heading in enumerate(folded):
            if index not in taken and heading in wanted:
                chosen[field] = index
                taken.add(index)
                break
    for field, aliases in ALIASES.items():
        if field in chosen:
            continue
        options = {fold(field), *(fold(a) for a in aliases)}
        best: tuple[float, int] | None = None
        for index, heading in enumerate(folded):
            if index in taken or not heading or heading in DERIVED_HEADINGS:
                continue
            score = max(difflib.SequenceMatcher(None, heading, o).ratio() for o in options)
            if score >= 0.85 and (best is None or score > best[0]):
                best = (score, index)
        if best is not None:
            chosen[field] = best[1]
            taken.add(best[1])
    return chosen


def guess_date_formats(values: Iterable[str]) -> list[str]:
    """The candidate formats that read every one of ``values`` (non-empty ones)."""
    samples = [v.strip() for v in values if v.strip()][:500]
    if not samples:
        return []
    fitting = []
    for fmt in CANDIDATE_DATE_FORMATS:
        try:
            for value in samples:
                datetime.strptime(value[:40], fmt)
        except ValueError:
            continue
        fitting.append(fmt)
    return fitting


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string."""
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def suggest_mapping(
    headings: Sequence[str],
    *,
    source: str,
    delimiter: str = ",",
    encoding: str | None = None,
    date_formats: Mapping[str, list[str]] | None = None,
) -> tuple[str, dict[str, int]]:
    """A starter mapping for a sheet with these headings, and the columns it matched.

    ``date_formats`` holds, for each matched date field, the formats that read all
    its values (see :func:`guess_date_formats`); only formats go in the mapping,
    never a value from the sheet.
    """
    chosen = match_headings(headings)
    shown = [sanitise(h, multiline=False)[:MAX_HEADING] for h in headings]
    lines = [
        f"# How casetui reads {sanitise(source, multiline=False)[:80]}: which column feeds which",
        "# client field. Check every line, then try it with:",
        "#   casetui import-csv FILE --map THIS_FILE --dry-run",
        "# See sample_data/clients_template.toml for every setting, explained.",
        "",
        f"version = {MAPPING_VERSION}",
        f"encoding = {toml_string(encoding or 'auto')}",
        f"delimiter = {toml_string(delimiter)}",
    ]
    fitting: list[str] = []
    for formats in (date_formats or {}).values():
        fitting = [f for f in (fitting or formats) if f in formats]
    day_first = [f for f in fitting if f.startswith("%d")]
    month_first = [f for f in fitting if f.startswith("%m")]
    if day_first and month_first:
        lines.append(
            "# Every date in the sheet reads both day-first and month-first; keep the one "
            "your sheet uses."
        )
        fitting = [f for f in fitting if not f.startswith("%m")]
        lines.append(f'# date_formats = ["{month_first[0]}"]   (month first)')
    chosen_formats = [f for f in fitting if f != ISO_FORMAT][:1] or [ISO_FORMAT]
    if chosen_formats == [ISO_FORMAT] and not fitting and date_formats:
        lines.append("# No one date format reads every date in the sheet; set the right one.")
    formats_text = ", ".join(toml_string(f) for f in chosen_formats)
    lines.append(f"date_formats = [{formats_text}]   # YYYY-MM-DD is always understood too")
    lines += ["", "[columns]"]
    by_index = {index: field for field, index in chosen.items()}
    for field in FIELD_KINDS:
        if field in chosen:
            note = "   # required" if field in REQUIRED_FIELDS else ""
            lines.append(f"{field} = {toml_string(shown[chosen[field]])}{note}")
    missing = [f for f in FIELD_KINDS if f not in chosen]
    for field in missing:
        need = "REQUIRED: " if field in REQUIRED_FIELDS else ""
        lines.append(f'# {field} = ""   # {need}no column matched ({FIELD_KINDS[field]})')
    unmatched = [i for i in range(len(headings)) if i not in by_index]
    if unmatched:
        lines += ["", "# Columns that feed no field, and are not imported:"]
        for index in unmatched:
            heading = shown[index] or "(no heading)"
            why = DERIVED_HEADINGS.get(fold(heading), "matched no client field")
            lines.append(f"#   column {index + 1}, {toml_string(heading)}: {why}")
    lines += [
        "",
        "[status]   # more words for each status; active, on hold and closed always work",
        'active = ["open", "current", "ongoing"]',
        'on_hold = ["paused", "on hold", "hold"]',
        'closed = ["done", "finished"]',
        "",
        "[legal_engagement]   # not engaged, considering and engaged always work",
        'not_engaged = ["no", "none"]',
        'considering = ["maybe"]',
        'engaged = ["yes"]',
        "",
        "[yes_no]   # yes/no, y/n, true/false and 1/0 always work",
        'yes = ["ok", "x"]',
        'no = ["not ok"]',
        "",
        "[case_manager]",
        '# default = "Your Name"   # for rows with no case manager; else the vault\'s owner',
        "create_missing = false   # true adds a case manager for each name casetui does not know",
        "",
    ]
    return "\n".join(lines), chosen
