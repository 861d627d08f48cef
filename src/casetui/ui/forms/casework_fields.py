"""Form fields for the casework records: partners, referrals, consents and the rest."""

from __future__ import annotations

from collections.abc import Sequence

from casetui.core.choices import (
    ClosureReason,
    LegalKind,
    LegalStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.records import Goal, NeedItem, Partner, Staff
from casetui.core.strengths import QUESTIONS
from casetui.ui.forms.client_fields import choices as _choices
from casetui.ui.forms.form import FormField


def partner_fields() -> list[FormField]:
    return [
        FormField("name", "Name", required=True),
        FormField(
            "kind", "Kind of service", "choice", options=_choices(ServiceKind), required=True
        ),
        FormField("contact_person", "Contact person"),
        FormField("phone", "Phone"),
        FormField("email", "Email"),
        FormField("address", "Address", "multiline"),
        FormField("languages", "Languages", hint="e.g. English, Spanish, Tagalog."),
        FormField("trauma_informed", "Trauma-informed practice", "flag"),
        FormField(
            "confidential_location",
            "Confidential location",
            "flag",
            hint="Never named on anything printed or exported for a client, such as a "
            "shelter's address. A new shelter starts with this on.",
        ),
        FormField("notes", "Notes", "multiline", hint="What clients found helpful; how to refer."),
    ]


def referral_fields(
    partners: Sequence[Partner], needs: Sequence[NeedItem], goals: Sequence[Goal], *, new: bool
) -> list[FormField]:
    fields = [
        FormField(
            "partner_id",
            "Partner",
            "choice",
            options=[(f"{p.name} ({p.kind.label})", p.id) for p in partners],
            required=True,
        ),
        FormField(
            "service", "Service type", "choice", options=_choices(ServiceKind), required=True
        ),
        FormField("need_id", "For the need", "choice", options=[(n.label, n.id) for n in needs]),
        FormField("goal_id", "For the goal", "choice", options=[(g.text, g.id) for g in goals]),
        FormField("accompaniment", "Accompaniment needed", "flag"),
        FormField("transport", "Transport needed", "flag"),
        FormField("follow_up_on", "Follow up on", "date", hint="When to check how it went."),
    ]
    if new:
        fields += [
            FormField(
                "status",
                "Status",
                "choice",
                options=_choices([ReferralStatus.PLANNED, ReferralStatus.REFERRED]),
                required=True,
            ),
            FormField("on", "Date", "date", required=True),
        ]
    fields.append(FormField("note", "Note", "multiline"))
    return fields


def status_fields() -> list[FormField]:
    return [
        FormField(
            "status",
            "Status",
            "choice",
            options=_choices(ReferralStatus),
            required=True,
            hint="Keep the same status to record a follow-up where nothing changed.",
        ),
        FormField("on", "Date", "date", required=True),
        FormField("note", "What happened", "multiline"),
        FormField("follow_up_on", "Next follow-up", "date"),
    ]


def consent_fields(partners: Sequence[Partner]) -> list[FormField]:
    return [
        FormField(
            "partner_id",
            "Share with",
            "choice",
            options=[(p.name, p.id) for p in partners],
            required=True,
        ),
        FormField(
            "shares",
            "What may be shared",
            "multiline",
            required=True,
            hint="Only what the client agreed to, e.g. name and appointment times.",
        ),
        FormField("purpose", "Purpose", "multiline", required=True),
        FormField("signed_on", "Signed on", "date", required=True),
        FormField(
            "expires_on",
            "Expires on",
            "date",
            required=True,
            hint="Releases are time-limited; the client can revoke one at any time.",
        ),
    ]


def revoke_fields() -> list[FormField]:
    return [
        FormField("revoked_on", "Revoked on", "date", required=True),
        FormField("revocation_note", "Note", "multiline", hint="e.g. the client asked by phone."),
    ]


def strengths_fields(earlier: dict[str, str] | None) -> list[FormField]:
    fields = [FormField("on", "Date of this conversation", "date", required=True)]
    for name, question in QUESTIONS:
        before = (earlier or {}).get(name, "")
        hint = f"Last time: {before}" if before else "In the client's own words."
        fields.append(FormField(name, question, "multiline", hint=hint))
    return fields


SAFETY_PLAN_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("main_concern", "The main concern, in the client's words", ""),
    ("people", "Resources: people", "People the client trusts to call or stay with."),
    ("places", "Resources: places", "Safe places to go, and how to get there."),
    ("community", "Resources: community", "Groups, faith community, helplines."),
    ("money_material", "Resources: money and material", "Savings, documents, a spare key."),
    ("before", "Preparedness: before danger", ""),
    ("during", "Strategies: during danger", ""),
    ("after_leaving", "Steps after leaving", ""),
    ("emergency_contacts", "Emergency contacts", ""),
    (
        "safe_to_keep",
        "What is safe to keep, and where",
        "e.g. numbers memorised, not saved in a shared phone.",
    ),
)


def safety_plan_fields() -> list[FormField]:
    fields = [
        FormField(name, label, "multiline", hint=hint) for name, label, hint in SAFETY_PLAN_FIELDS
    ]
    fields += [
        FormField("reviewed_on", "Reviewed on", "date"),
        FormField("developed_with_client", "Developed with the client", "flag"),
    ]
    return fields


def reassign_fields(staff: Sequence[Staff], current: str) -> list[FormField]:
    return [
        FormField(
            "to_staff_id",
            "New designated case manager",
            "choice",
            options=[(s.name, s.id) for s in staff if s.id != current],
            required=True,
        ),
        FormField("on", "From", "date", required=True),
        FormField(
            "note",
            "Handoff note",
            "multiline",
            required=True,
            hint="What the new case manager should know; how the client prefers to be contacted.",
        ),
    ]


def close_fields(has_plan: bool) -> list[FormField]:
    reviewed = (
        "The safety plan was reviewed with the client"
        if has_plan
        else "Safety was talked through with the client (there is no written plan)"
    )
    return [
        FormField(
            "reason",
            "Why the case is closing",
            "choice",
            options=_choices(ClosureReason),
            required=True,
        ),
        FormField("safety_plan_reviewed", reviewed, "flag"),
        FormField("knows_can_return", "The client knows they can come back at any time", "flag"),
        FormField("on", "Closing date", "date", required=True),
        FormField("note", "Final note", "multiline", required=True),
    ]


def reopen_fields() -> list[FormField]:
    return [
        FormField("on", "Reopening date", "date", required=True),
        FormField("note", "Reason", "multiline", required=True),
    ]


def legal_fields() -> list[FormField]:
    return [
        FormField("kind", "Kind", "choice", options=_choices(LegalKind), required=True),
        FormField("status", "Status", "choice", options=_choices(LegalStatus), required=True),
        FormField("on", "Date", "date", required=True, hint="The court date, or the date filed."),
        FormField("description", "Description", hint="e.g. Hearing at the county family court."),
        FormField("note", "Note", "multiline"),
    ]
