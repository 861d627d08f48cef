"""The client's private records: releases of information, strengths assessments,
the safety plan and legal matters.

They hold the most sensitive text in a vault; neither the goal sheet nor the
funder statistics reads them.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import ClassVar

from casetui.core import fields as f
from casetui.core.choices import LegalKind, LegalStatus
from casetui.core.errors import ValidationError
from casetui.core.records import Record


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Consent(Record):
    """A release of information: what may be shared with a partner, and until when.

    Releases are always time-limited, so the expiry date is required. A revoked
    consent is kept, with the day it was revoked.
    """

    TABLE = "consents"
    NOUN = "consent"
    ID_PREFIX = "co"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients", "partner_id": "partners"}
    PARENT = "client_id"

    client_id: str = f.ref()
    partner_id: str = f.ref()
    shares: str = f.text(1000, required=True, multiline=True)
    purpose: str = f.text(1000, required=True, multiline=True)
    signed_on: date = f.day(required=True)
    expires_on: date = f.day(required=True)
    revoked_on: date | None = f.day()
    revocation_note: str = f.text(1000, multiline=True)

    def _check(self) -> None:
        if self.expires_on <= self.signed_on:
            raise ValidationError("expires_on", "must be after the day it was signed.")
        if self.revoked_on is not None and self.revoked_on < self.signed_on:
            raise ValidationError("revoked_on", "is before the day it was signed.")
        if self.revocation_note and self.revoked_on is None:
            raise ValidationError("revoked_on", "is needed when there is a revocation note.")

    def valid_on(self, day: date) -> bool:
        """Signed, not yet expired (the expiry day itself still counts) and not revoked."""
        if self.revoked_on is not None and day >= self.revoked_on:
            return False
        return self.signed_on <= day <= self.expires_on


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class StrengthsAssessment(Record):
    """One sitting of the strengths assessment, answered in the client's own words.

    A reassessment is a new record, so earlier answers are never overwritten.
    The questions are in :data:`casetui.core.strengths.QUESTIONS`.
    """

    TABLE = "strengths"
    NOUN = "strengths assessment"
    ID_PREFIX = "sa"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients"}
    PARENT = "client_id"

    client_id: str = f.ref()
    on: date = f.day(required=True)
    overcome: str = f.text(2000, multiline=True)
    learned: str = f.text(2000, multiline=True)
    positive_influence: str = f.text(2000, multiline=True)
    rely_on: str = f.text(2000, multiline=True)
    proud_of: str = f.text(2000, multiline=True)
    others_say: str = f.text(2000, multiline=True)
    reach_goals: str = f.text(2000, multiline=True)
    what_would_change: str = f.text(2000, multiline=True)
    challenges_now: str = f.text(2000, multiline=True)

    def _check(self) -> None:
        answers = [name for name in self.field_names() if name not in ("id", "client_id", "on")]
        if not any(getattr(self, name) for name in answers):
            raise ValidationError(
                answers[0], "needs an answer; the client may leave the others for later."
            )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class SafetyPlan(Record):
    """The client's safety plan. One per client, reviewed over time."""

    TABLE = "safety_plans"
    NOUN = "safety plan"
    ID_PREFIX = "sp"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients"}
    PARENT = "client_id"

    client_id: str = f.ref()
    main_concern: str = f.text(2000, multiline=True)
    people: str = f.text(2000, multiline=True)
    places: str = f.text(2000, multiline=True)
    community: str = f.text(2000, multiline=True)
    money_material: str = f.text(2000, multiline=True)
    before: str = f.text(2000, multiline=True)
    during: str = f.text(2000, multiline=True)
    after_leaving: str = f.text(2000, multiline=True)
    emergency_contacts: str = f.text(2000, multiline=True)
    safe_to_keep: str = f.text(2000, multiline=True)
    reviewed_on: date | None = f.day()
    developed_with_client: bool = f.flag()


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LegalMatter(Record):
    """A protective order, court date or victim compensation application, if the client chose."""

    TABLE = "legal_matters"
    NOUN = "legal matter"
    ID_PREFIX = "lm"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients"}
    PARENT = "client_id"

    client_id: str = f.ref()
    kind: LegalKind = f.choice(LegalKind)
    status: LegalStatus = f.choice(LegalStatus, LegalStatus.CONSIDERING)
    on: date = f.day(required=True)
    description: str = f.text(400)
    note: str = f.text(2000, multiline=True)
