"""The fixed choices a record can hold, each with a plain-language label."""

from __future__ import annotations

from enum import StrEnum


class Choice(StrEnum):
    """A stored value (``snake_case``) with a label for people to read."""

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " ").capitalize())


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


_LABELS: dict[Choice, str] = {
    ClientStatus.ON_HOLD: "On hold",
    LegalEngagement.NOT_ENGAGED: "Not engaged",
    GoalStatus.NOT_STARTED: "Not started",
    GoalStatus.IN_PROGRESS: "In progress",
    NeedStatus.NOT_ASSESSED: "Not assessed",
    NeedStatus.IN_PROGRESS: "In progress",
    NeedStatus.NOT_NEEDED: "Not needed",
    NeedStatus.DECLINED: "Declined by client",
    Horizon.SHORT_TERM: "Short-term",
    Horizon.LONG_TERM: "Long-term",
    MeetingKind.SCHEDULED: "Scheduled case meeting",
    MeetingKind.CHECK_IN: "Check-in",
    MeetingKind.PHONE_VIDEO: "Phone / video",
    BlockKind.SELF_CARE: "Self-care",
}

#: Goal statuses that count toward the client's active goals.
ACTIVE_GOAL_STATUSES = frozenset({GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS})
#: Need statuses that still call for work.
OPEN_NEED_STATUSES = frozenset({NeedStatus.NEEDED, NeedStatus.IN_PROGRESS})
#: Client statuses that count toward a case manager's caseload.
CASELOAD_STATUSES = frozenset({ClientStatus.ACTIVE, ClientStatus.ON_HOLD})
