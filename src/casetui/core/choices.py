"""The fixed choices a record can hold, each with a plain-language label."""

from __future__ import annotations

from enum import StrEnum


class Choice(StrEnum):
    """A stored value (``snake_case``) with a label for people to read."""

    @property
    def label(self) -> str:
        # Keyed by type as well as value: members of different choices share values
        # ("scheduled" is a meeting kind, a referral status and a legal status), and
        # StrEnum members with equal values are equal as dict keys.
        found = _LABELS_BY_TYPE.get((type(self), self.value))
        return found if found is not None else self.value.replace("_", " ").capitalize()


class ClientStatus(Choice):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class LegalEngagement(Choice):
    """The client's own choice about engaging with the legal system."""

    NOT_ENGAGED = "not_engaged"
    CONSIDERING = "considering"
    ENGAGED = "engaged"


class GoalStatus(Choice):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    PAUSED = "paused"
    REVISED = "revised"


class NeedStatus(Choice):
    NOT_ASSESSED = "not_assessed"
    NEEDED = "needed"
    IN_PROGRESS = "in_progress"
    MET = "met"
    NOT_NEEDED = "not_needed"
    DECLINED = "declined"


class Horizon(Choice):
    SHORT_TERM = "short_term"
    INTERMEDIATE = "intermediate"
    LONG_TERM = "long_term"


class Domain(Choice):
    SAFETY = "safety"
    PHYSICAL = "physical"
    HOUSING = "housing"
    EMOTIONAL = "emotional"
    SOCIAL = "social"
    LEGAL = "legal"
    ECONOMIC = "economic"
    EDUCATION = "education"


class MeetingKind(Choice):
    SCHEDULED = "scheduled"
    CHECK_IN = "check_in"
    ACCOMPANIMENT = "accompaniment"
    CRISIS = "crisis"
    PHONE_VIDEO = "phone_video"


class BlockKind(Choice):
    ADMIN = "admin"
    SELF_CARE = "self_care"
    SUPERVISION = "supervision"
    TRAINING = "training"
    DOCUMENTATION = "documentation"


class ServiceKind(Choice):
    """What a partner offers, and what a referral is for."""

    MEDICAL = "medical"
    DENTAL = "dental"
    MENTAL_HEALTH = "mental_health"
    LEGAL_AID = "legal_aid"
    SHELTER = "shelter"
    HOUSING = "housing"
    LAW_ENFORCEMENT = "law_enforcement"
    COURT_ADVOCACY = "court_advocacy"
    IMMIGRATION = "immigration"
    EDUCATION = "education"
    PUBLIC_BENEFITS = "public_benefits"
    EMPLOYMENT = "employment"
    SUPPORT_GROUP = "support_group"
    INTERPRETER = "interpreter"
    OTHER = "other"


class ReferralStatus(Choice):
    PLANNED = "planned"
    REFERRED = "referred"
    SCHEDULED = "scheduled"
    ATTENDING = "attending"
    COMPLETED = "completed"
    DECLINED = "declined"
    UNAVAILABLE = "unavailable"
    STALLED = "stalled"


class ClosureReason(Choice):
    NEEDS_MET = "needs_met"
    CLIENT_CHOSE = "client_chose"


class CaseEventKind(Choice):
    CLOSED = "closed"
    REOPENED = "reopened"


class AuditAction(Choice):
    """What an audit-trail entry records: a change to a record, or a session event."""

    CREATED = "created"
    CHANGED = "changed"
    REMOVED = "removed"
    IMPORTED = "imported"
    UNLOCKED = "unlocked"
    LOCKED = "locked"
    EXPORTED = "exported"
    CALENDAR_EXPORTED = "calendar_exported"
    REPORT_RUN = "report_run"
    KEYS_CHANGED = "keys_changed"
    RESTORED = "restored"


class LegalKind(Choice):
    PROTECTIVE_ORDER = "protective_order"
    COURT_DATE = "court_date"
    VICTIM_COMPENSATION = "victim_compensation"


class LegalStatus(Choice):
    CONSIDERING = "considering"
    FILED = "filed"
    PENDING = "pending"
    SCHEDULED = "scheduled"
    GRANTED = "granted"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    DONE = "done"


class FundingProgram(Choice):
    """Where a grant comes from (several of an agency's grants may share one)."""

    VOCA = "voca"
    VAWA = "vawa"
    FVPSA = "fvpsa"
    STATE = "state"
    LOCAL = "local"
    PRIVATE = "private"
    OTHER = "other"


class Relationship(Choice):
    """How a household member is related to the client."""

    CHILD = "child"
    PARTNER = "partner"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"


#: (member, label) pairs; a list, because equal values would collide as dict keys.
_LABELS: tuple[tuple[Choice, str], ...] = (
    (ClientStatus.ON_HOLD, "On hold"),
    (LegalEngagement.NOT_ENGAGED, "Not engaged"),
    (GoalStatus.NOT_STARTED, "Not started"),
    (GoalStatus.IN_PROGRESS, "In progress"),
    (NeedStatus.NOT_ASSESSED, "Not assessed"),
    (NeedStatus.IN_PROGRESS, "In progress"),
    (NeedStatus.NOT_NEEDED, "Not needed"),
    (NeedStatus.DECLINED, "Declined by client"),
    (Horizon.SHORT_TERM, "Short-term"),
    (Horizon.LONG_TERM, "Long-term"),
    (MeetingKind.SCHEDULED, "Scheduled case meeting"),
    (MeetingKind.CHECK_IN, "Check-in"),
    (MeetingKind.PHONE_VIDEO, "Phone / video"),
    (BlockKind.SELF_CARE, "Self-care"),
    (ServiceKind.MENTAL_HEALTH, "Mental health"),
    (ServiceKind.LEGAL_AID, "Legal aid"),
    (ServiceKind.LAW_ENFORCEMENT, "Law enforcement"),
    (ServiceKind.COURT_ADVOCACY, "Court advocacy"),
    (ServiceKind.PUBLIC_BENEFITS, "Public benefits"),
    (ServiceKind.SUPPORT_GROUP, "Support group"),
    (ReferralStatus.DECLINED, "Declined by client"),
    (ReferralStatus.UNAVAILABLE, "Service unavailable"),
    (ClosureReason.NEEDS_MET, "The client's needs are met"),
    (ClosureReason.CLIENT_CHOSE, "The client chose to close"),
    (LegalKind.PROTECTIVE_ORDER, "Protective order"),
    (LegalKind.COURT_DATE, "Court date"),
    (LegalKind.VICTIM_COMPENSATION, "Victim compensation"),
    (AuditAction.CALENDAR_EXPORTED, "Calendar exported"),
    (AuditAction.REPORT_RUN, "Report run"),
    (AuditAction.KEYS_CHANGED, "Keys changed"),
    (FundingProgram.VOCA, "VOCA (Victims of Crime Act)"),
    (FundingProgram.VAWA, "VAWA (Violence Against Women Act)"),
    (FundingProgram.FVPSA, "FVPSA (Family Violence Prevention and Services Act)"),
    (FundingProgram.STATE, "State grant"),
    (FundingProgram.LOCAL, "Local government"),
    (FundingProgram.PRIVATE, "Foundation or private donor"),
    (Relationship.CHILD, "Child"),
    (Relationship.PARTNER, "Partner or spouse"),
    (Relationship.OTHER_RELATIVE, "Another relative"),
    (Relationship.OTHER, "Someone else in the household"),
)

#: Goal statuses that count toward the client's active goals.
ACTIVE_GOAL_STATUSES = frozenset({GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS})
#: Need statuses that still call for work.
OPEN_NEED_STATUSES = frozenset({NeedStatus.NEEDED, NeedStatus.IN_PROGRESS})
#: Client statuses that count toward a case manager's caseload.
CASELOAD_STATUSES = frozenset({ClientStatus.ACTIVE, ClientStatus.ON_HOLD})
_LABELS_BY_TYPE: dict[tuple[type[Choice], str], str] = {
    (type(member), member.value): label for member, label in _LABELS
}

#: The usual path of a referral, in order; "t" steps a referral along it.
REFERRAL_PATH = (
    ReferralStatus.PLANNED,
    ReferralStatus.REFERRED,
    ReferralStatus.SCHEDULED,
    ReferralStatus.ATTENDING,
    ReferralStatus.COMPLETED,
)
#: Referral statuses that still call for follow-up.
OPEN_REFERRAL_STATUSES = frozenset(
    {
        ReferralStatus.PLANNED,
        ReferralStatus.REFERRED,
        ReferralStatus.SCHEDULED,
        ReferralStatus.ATTENDING,
        ReferralStatus.STALLED,
    }
)
#: Legal engagement choices under which the Legal tab is shown.
LEGAL_TAB_ENGAGEMENTS = frozenset({LegalEngagement.CONSIDERING, LegalEngagement.ENGAGED})
#: Legal statuses of a court date that is still ahead.
UPCOMING_LEGAL_STATUSES = frozenset({LegalStatus.PENDING, LegalStatus.SCHEDULED})
