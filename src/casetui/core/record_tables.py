"""Every record type, and the table each is stored in."""

from __future__ import annotations

from casetui.core.funder_records import FundingSource, HouseholdMember, ServiceRecord
from casetui.core.history_records import Assignment, AuditEntry, CaseEvent
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan, StrengthsAssessment
from casetui.core.records import (
    AdminBlock,
    Client,
    Goal,
    Meeting,
    NeedItem,
    Partner,
    Record,
    Referral,
    Staff,
)

#: Every record type, in the order tables are listed, imported and checked.
RECORD_TYPES: tuple[type[Record], ...] = (
    Staff,
    Client,
    Goal,
    NeedItem,
    Meeting,
    AdminBlock,
    Partner,
    Referral,
    Consent,
    StrengthsAssessment,
    SafetyPlan,
    Assignment,
    CaseEvent,
    LegalMatter,
    FundingSource,
    ServiceRecord,
    HouseholdMember,
    AuditEntry,
)
RECORD_BY_TABLE: dict[str, type[Record]] = {cls.TABLE: cls for cls in RECORD_TYPES}
