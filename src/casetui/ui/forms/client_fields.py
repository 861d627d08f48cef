"""The fields of each record's form, in the order a case manager fills them in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from casetui.core.case_rules import plural
from casetui.core.choices import (
    ClientStatus,
    Domain,
    GoalStatus,
    Horizon,
    LegalEngagement,
    MeetingKind,
    NeedStatus,
)
from casetui.core.errors import ValidationError
from casetui.core.funder_catalog import Catalog, FieldList
from casetui.core.funder_records import FundingSource
from casetui.core.records import ANSWERS_ALONE, Client, Goal, NeedItem, Staff
from casetui.ui.forms.form import FormField


def choices(enum: Any) -> list[tuple[str, Any]]:
    """(label, member) for each member of a choice, or of a list of members."""
    return [(member.label, member) for member in enum]


_choices = choices


def client_fields(staff: Sequence[Staff], editing: Client | None = None) -> list[FormField]:
    """The client form. When editing, the case manager and closing have their own flows
    (reassignment and the closing checklist), so they keep their history."""
    fields = [
        FormField(
            "preferred_name",
            "Preferred name",
            required=True,
            hint="The name the client asked to be called.",
        ),
        FormField("pronouns", "Pronouns", hint="As the client gave them, e.g. she/her, they/them."),
        FormField("intake_date", "Intake date", "date", required=True),
        FormField("status", "Status", "choice", options=_choices(ClientStatus), required=True),
        FormField(
            "case_manager_id",
            "Designated case manager",
            "choice",
            options=[(s.name, s.id) for s in staff],
            required=True,
        ),
        FormField(
            "checkin_interval_days",
            "Check in every (days)",
            "int",
            hint="How often to be in touch; 1 to 365 days.",
        ),
        FormField("checkin_interval_agreed", "Check-in interval agreed with the client", "flag"),
        FormField("language", "Language"),
        FormField("interpreter_needed", "Interpreter needed", "flag"),
        FormField(
            "culture_notes",
            "Culture notes",
            "multiline",
            hint="Only what the client wants us to keep in mind.",
        ),
        FormField("faith_notes", "Faith notes", "multiline"),
        FormField("may_call", "May we call?", "flag"),
        FormField("may_text", "May we text?", "flag"),
        FormField("may_leave_voicemail", "May we leave a voicemail?", "flag"),
        FormField(
            "safe_contact_notes",
            "Safe contact notes",
            "multiline",
            hint="e.g. shared phone: say you are calling from the library.",
        ),
        FormField(
            "legal_engagement",
            "Legal engagement (the client's choice)",
            "choice",
            options=_choices(LegalEngagement),
            required=True,
        ),
        FormField("needs_reassessed_on", "Needs last reassessed", "date"),
        FormField(
            "calendar_code",
            "Calendar code",
            hint="How this client appears in an exported calendar and while the screen is "
            "shared: a neutral code made when the client was added. Change it if you like; "
            "never use initials.",
        ),
    ]
    if editing is None:
        fields[3] = FormField(
            "status",
            "Status",
            "choice",
            options=_choices([ClientStatus.ACTIVE, ClientStatus.ON_HOLD]),
            required=True,
        )
        return fields
    fields = [f for f in fields if f.name != "case_manager_id"]
    if editing.status is ClientStatus.CLOSED:
        return [f for f in fields if f.name != "status"]
    fields[3] = FormField(
        "status",
        "Status",
        "choice",
        options=_choices([ClientStatus.ACTIVE, ClientStatus.ON_HOLD]),
        required=True,
        hint="To close the case, use x on the profile: closing has a short checklist.",
    )
    return fields


def client_values(
    client: Client | None, defaults: dict[str, Any], fields: Sequence[FormField] = ()
) -> dict[str, Any]:
    if client is None:
        return dict(defaults)
    names = {f.name for f in fields} if fields else set(Client.field_names()) - {"id"}
    values = {name: getattr(client, name) for name in names}
    for name in SINGLE_CODES & names:
        values[name] = values[name] or None  # not asked yet: the choice starts blank
    return values


# -- for funders' reports ---------------------------------------------------------------

FUNDER_HEADING = "For funders' reports (optional)"
FUNDER_INTRO = (
    "Ask only when it feels right, and only what the client wants to share. Nothing "
    "here is required, and help never depends on it. Leave a question blank if it "
    "has not come up yet."
)
#: The profile's and the form's short name for each list (the catalog's question is the hint).
FUNDER_LABELS: dict[str, str] = {
    "victimization_types": "Types of harm",
    "age_group": "Age group",
    "gender_identity": "Gender identity",
    "race_ethnicity": "Race or ethnicity",
    "special_classifications": "Other things funders ask about",
    "funding_source_ids": "Funding sources",
}
#: Lists with one answer: stored as "" when not asked, shown blank in the form.
SINGLE_CODES = frozenset({"age_group", "gender_identity"})


def alone_hint(field_list: FieldList) -> str:
    """Say which answers of a list stand alone (such as "Declined to answer")."""
    alone = [o.label for o in field_list.all_options() if o.code in ANSWERS_ALONE]
    said = ", ".join(alone[:-1]) + " and " + alone[-1] if len(alone) > 1 else "".join(alone)
    verb = "stands" if len(alone) == 1 else "stand"
    return f"Several may apply. {said} {verb} alone: choosing one clears the others."


SOURCES_HINT = "The grants this client's services are counted under."


def _list_options(field_list: FieldList, stored: Sequence[str]) -> list[tuple[str, Any]]:
    """The list's choices; a stored code the list no longer has is kept as a choice
    (by its code), so saving the form never drops it unseen."""
    options: list[tuple[str, Any]] = [(o.label, o.code) for o in field_list.all_options()]
    known = {code for _label, code in options}
    options += [(field_list.label(c), c) for c in stored if c and c not in known]
    return options


def funder_fields(
    catalog: Catalog, sources: Sequence[FundingSource], client: Client | None = None
) -> list[FormField]:
    """The funders' questions, in the catalog's order, then the funding sources."""
    fields: list[FormField] = []
    for field_list in catalog.fields:
        name = field_list.field
        stored = getattr(client, name, ()) if client is not None else ()
        stored = (stored,) if isinstance(stored, str) else tuple(stored)
        hint = field_list.question + "."
        if field_list.several:
            hint = field_list.question.split(" (")[0] + ". " + alone_hint(field_list)
        fields.append(
            FormField(
                name,
                FUNDER_LABELS.get(name, field_list.heading),
                "many" if field_list.several else "choice",
                hint=hint,
                options=_list_options(field_list, stored),
            )
        )
    chosen = client.funding_source_ids if client is not None else ()
    named = sorted(sources, key=lambda s: s.name.casefold())
    options: list[tuple[str, Any]] = [(s.name, s.id) for s in named]
    known = {s.id for s in named}
    options += [("A funding source no longer listed", i) for i in chosen if i not in known]
    if options:
        fields.append(
            FormField(
                "funding_source_ids",
                FUNDER_LABELS["funding_source_ids"],
                "many",
                hint=SOURCES_HINT,
                options=options,
            )
        )
    return fields


def check_alone(values: dict[str, Any], fields: Sequence[FormField]) -> None:
    """Refuse, in one sentence, a list holding an answer that stands alone beside others.

    The form clears the others when such an answer is ticked; this catches a mix put
    back from a draft or stored before, so it is never saved (Client._check agrees).
    """
    for spec in fields:
        chosen = set(values.get(spec.name) or ())
        if spec.kind == "many" and len(chosen) > 1 and ANSWERS_ALONE & chosen:
            alone = [label for label, code in spec.options if code in chosen & ANSWERS_ALONE]
            raise ValidationError(
                spec.name,
                f"{' and '.join(alone)} cannot be ticked with other answers; "
                "untick one or the other.",
            )


def goal_fields(needs: Sequence[NeedItem]) -> list[FormField]:
    return [
        FormField(
            "text",
            "The goal, in the client's own words",
            "multiline",
            required=True,
            hint="Write it the way the client said it.",
        ),
        FormField("status", "Status", "choice", options=_choices(GoalStatus), required=True),
        FormField("target_date", "Target date", "date"),
        FormField("linked_needs", "Linked needs", "many", options=[(n.label, n.id) for n in needs]),
    ]


def goal_values(goal: Goal | None) -> dict[str, Any]:
    if goal is None:
        return {"status": GoalStatus.NOT_STARTED, "linked_needs": ()}
    return {
        "text": goal.text,
        "status": goal.status,
        "target_date": goal.target_date,
        "linked_needs": goal.linked_needs,
    }


def progress_note_fields() -> list[FormField]:
    return [
        FormField("on", "Date", "date", required=True),
        FormField("text", "Progress note", "multiline", required=True),
    ]


def need_fields(custom: bool) -> list[FormField]:
    fields = []
    if custom:
        fields += [
            FormField(
                "label", "Need", required=True, hint="In plain words, e.g. Pet-friendly housing."
            ),
            FormField("horizon", "When", "choice", options=_choices(Horizon), required=True),
            FormField("domain", "Area of life", "choice", options=_choices(Domain), required=True),
        ]
    fields += [
        FormField("status", "Status", "choice", options=_choices(NeedStatus), required=True),
        FormField("status_date", "Status date", "date"),
        FormField("note", "Note", "multiline"),
    ]
    return fields


def next_checkin_hint(interval_days: int, *, new: bool, filled: bool) -> str:
    """The hint above a meeting's next check-in, saying what the field holds."""
    usual = f"the client's usual interval ({plural(interval_days, 'day')})"
    if not filled:
        return (
            f"Left blank, {usual} counts from the last contact. "
            "Enter a date if you agreed another day."
        )
    if new:
        return (
            f"Filled in with {usual} from today. Change it to the day you agreed, "
            "or clear it to count the interval from the last contact."
        )
    return (
        "The check-in saved with this meeting. Clear it to count "
        f"{usual} from the last contact instead."
    )


def meeting_fields(
    staff: Sequence[Staff], goals: Sequence[Goal], *, checkin_hint: str = ""
) -> list[FormField]:
    return [
        FormField("on", "Date", "date", required=True),
        FormField(
            "at",
            "Time",
            hint="Optional, 24-hour HH:MM: it places the meeting on your week and calendar.",
        ),
        FormField(
            "kind", "Kind of contact", "choice", options=_choices(MeetingKind), required=True
        ),
        FormField("duration_minutes", "Minutes", "int"),
        FormField("staff_id", "Met with", "choice", options=[(s.name, s.id) for s in staff]),
        FormField("summary", "Summary", "multiline"),
        FormField(
            "client_view",
            "In the client's words",
            "multiline",
            hint="How the client sees things today.",
        ),
        FormField("observations", "Observations", "multiline"),
        FormField(
            "goals_discussed", "Goals discussed", "many", options=[(g.text, g.id) for g in goals]
        ),
        FormField("progress_discussed", "Progress on goals was discussed", "flag"),
        FormField("next_steps", "Next steps", "multiline"),
        FormField(
            "next_checkin",
            "Next check-in",
            "date",
            hint=checkin_hint or "Left blank, the client's usual interval applies.",
        ),
    ]
