"""What the accreditation readiness rules look at, and what they say.

:class:`CaseRecords` is everything the rules read for one client; a rule gives a
:class:`Check`, and a client's checks make a :class:`ClientReadiness`. The rules
themselves are in :mod:`casetui.core.accreditation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from casetui.core.choices import ClientStatus
from casetui.core.private_records import StrengthsAssessment
from casetui.core.records import AdminBlock, Client, Goal, Meeting, NeedItem, Referral, Staff


class Verdict(IntEnum):
    """Ordered so that the worst of several verdicts is their ``max``."""

    PASS = 0
    ATTENTION = 1
    FAIL = 2

    @property
    def label(self) -> str:
        return ("pass", "attention", "fail")[self]


@dataclass(frozen=True, slots=True)
class Check:
    """One requirement held against one client (or, for 7c, one case manager)."""

    rule: str  # "1" … "9", or "7a" … "7c" for the recommended practices
    title: str
    verdict: Verdict
    reason: str
    #: Where to fix it: a workspace tab ("profile", "needs", …) or "week".
    tab: str


@dataclass(frozen=True, slots=True)
class ManagerReadiness:
    """What the standard asks of the case manager's own time (rule 7c)."""

    staff_id: str
    name: str
    checks: tuple[Check, ...]

    @property
    def verdict(self) -> Verdict:
        return max((c.verdict for c in self.checks), default=Verdict.PASS)


@dataclass(frozen=True, slots=True)
class ClientReadiness:
    client_id: str
    checks: tuple[Check, ...]
    status: ClientStatus = ClientStatus.ACTIVE
    #: The client's case manager's own checks: shown once per case manager, and
    #: never part of the client's verdict.
    manager: ManagerReadiness | None = None
    #: Gentle notes about something optional (such as the funders' questions for a
    #: new client): shown with the client, never a verdict, never counted.
    notes: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        return max((c.verdict for c in self.checks), default=Verdict.PASS)

    def first_problem(self) -> Check | None:
        problems = [c for c in self.checks if c.verdict is not Verdict.PASS]
        return max(problems, key=lambda c: c.verdict) if problems else None


@dataclass(frozen=True, slots=True)
class CaseRecords:
    """Everything the rules look at for one client."""

    client: Client
    manager: Staff | None
    needs: Sequence[NeedItem] = ()
    goals: Sequence[Goal] = ()
    #: Rule 6 looks at meetings where progress was discussed, rule 3 at those where
    #: goals were; the latest of each is enough.
    meetings: Sequence[Meeting] = ()
    referrals: Sequence[Referral] = ()
    strengths: Sequence[StrengthsAssessment] = ()
    #: The case manager's own time blocks (for self-care in the last four weeks).
    blocks: Sequence[AdminBlock] = field(default_factory=tuple)


TITLES = {
    "1": "A designated case manager",
    "2": "Needs assessed at intake and reassessed",
    "3": "A goal sheet in the client's words, linked and revisited",
    "4": "Basic physical, emotional and social needs recorded",
    "5": "Access to medical, dental and mental health care",
    "6": "Progress discussed with the client",
    "7a": "Strengths assessment (recommended)",
    "7b": "Referrals where open needs call for them (recommended)",
    "7c": "Self-care time for the case manager (recommended)",
    "8": "Client background integrated into the assessment",
    "9": "A client-specific approach",
}
#: Rules held against each client; 7c is held against each case manager.
MANAGER_RULES = ("7c",)
CLIENT_RULES = tuple(rule for rule in TITLES if rule not in MANAGER_RULES)
