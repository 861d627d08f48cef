"""The case records: typed, validated on construction, immutable.

Every record is a frozen dataclass whose fields carry a :mod:`~casetui.core.fields`
spec. Building one cleans and checks every field, so a record that exists is a
valid record. ``from_dict`` reads the stored/JSON form and ``to_dict`` writes it.
Change a record with :func:`dataclasses.replace`, which validates again.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, ClassVar, Self

from casetui.core import fields as f
from casetui.core import policy
from casetui.core.catalog import CATALOG_BY_KEY
from casetui.core.choices import (
    AuditAction,
    BlockKind,
    CaseEventKind,
    ClientStatus,
    ClosureReason,
    Domain,
    GoalStatus,
    Horizon,
    LegalEngagement,
    LegalKind,
    LegalStatus,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.errors import ValidationError

_SPECS: dict[type, tuple[tuple[str, f.Spec[Any], bool], ...]] = {}


def new_id(prefix: str) -> str:
    """A random record id such as ``cl_3f9a27c1d0``. Ids carry no meaning."""
    return f"{prefix}_{secrets.token_hex(5)}"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Record:
    """Base of all stored records."""

    TABLE: ClassVar[str]
    NOUN: ClassVar[str]
    ID_PREFIX: ClassVar[str]
    #: Reference fields: field name -> the table it points into.
    REFS: ClassVar[dict[str, str]] = {}
    #: The reference field a record belongs under (indexed by the repository).
    PARENT: ClassVar[str | None] = None

    id: str = f.ref()

    @classmethod
    def _specs(cls) -> tuple[tuple[str, f.Spec[Any], bool], ...]:
        """(name, spec, required) for each field, computed once per class."""
        specs = _SPECS.get(cls)
        if specs is None:
            specs = tuple(
                (
                    fld.name,
                    fld.metadata["spec"],
                    fld.default is dataclasses.MISSING
                    and fld.default_factory is dataclasses.MISSING,
                )
                for fld in dataclasses.fields(cls)
            )
            _SPECS[cls] = specs
        return specs

    def __post_init__(self) -> None:
        for name, spec, _required in self._specs():
            object.__setattr__(self, name, spec.clean(name, getattr(self, name)))
        self._check()

    def _check(self) -> None:
        """Rules that involve more than one field. Raise ValidationError."""

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(name for name, _spec, _req in cls._specs())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, record_id: str | None = None) -> Self:
        """Build a record from its JSON form. ``record_id`` supplies a missing id."""
        if not isinstance(data, Mapping):
            raise ValidationError(cls.NOUN, "should be an object with named fields.")
        values = dict(data)
        if record_id is not None:
            if "id" in values and values["id"] != record_id:
                raise ValidationError("id", "does not match the record's key in the vault.")
            values["id"] = record_id
        known = cls.field_names()
        for key in values:
            if key not in known:
                shown = key[:40] if isinstance(key, str) else repr(key)
                raise ValidationError(shown, f"is not a field of a {cls.NOUN} record.")
        for name, _spec, required in cls._specs():
            if required and name not in values:
                raise ValidationError(name, "is missing.")
        return cls(**values)

    def to_dict(self, *, with_id: bool = True) -> dict[str, f.JSON]:
        out: dict[str, f.JSON] = {}
        for name, spec, _required in self._specs():
            if name == "id" and not with_id:
                continue
            out[name] = spec.dump(getattr(self, name))
        return out

    @classmethod
    def create(cls, **values: Any) -> Self:
        """Build a new record with a fresh id."""
        return cls(id=new_id(cls.ID_PREFIX), **values)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Staff(Record):
    """A case manager (or supervisor) who holds a caseload."""

    TABLE = "staff"
    NOUN = "case manager"
    ID_PREFIX = "st"

    name: str = f.text(120, required=True)
    capacity: int = f.whole(1, 200, default=25)
    admin_hours_target: float = f.number(0, 60, default=6.0)
    self_care_hours_target: float = f.number(0, 60, default=2.0)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Client(Record):
    """A person the agency supports. Only what the work needs is kept."""

    TABLE = "clients"
    NOUN = "client"
    ID_PREFIX = "cl"
    REFS: ClassVar[dict[str, str]] = {"case_manager_id": "staff"}
    PARENT = "case_manager_id"

    preferred_name: str = f.text(120, required=True)
    pronouns: str = f.text(40)
    intake_date: date = f.day(required=True)
    status: ClientStatus = f.choice(ClientStatus, ClientStatus.ACTIVE)
    case_manager_id: str = f.ref()
    checkin_interval_days: int = f.whole(
        policy.MIN_CHECKIN_DAYS, policy.MAX_CHECKIN_DAYS, default=policy.CHECKIN_DAYS
    )
    #: The client chose how often to check in (accreditation: a client-specific approach).
    checkin_interval_agreed: bool = f.flag()
    language: str = f.text(60)
    interpreter_needed: bool = f.flag()
    culture_notes: str = f.text(2000, multiline=True)
    faith_notes: str = f.text(2000, multiline=True)
    may_call: bool = f.flag()
    may_text: bool = f.flag()
    may_leave_voicemail: bool = f.flag()
    safe_contact_notes: str = f.text(1000, multiline=True)
    legal_engagement: LegalEngagement = f.choice(LegalEngagement, LegalEngagement.NOT_ENGAGED)
    needs_reassessed_on: date | None = f.day()
    #: How the client appears in an exported calendar; when empty, a neutral code is
    #: made and kept at the first export (see casetui.services.calendar_feed).
    calendar_code: str = f.text(12)

    def _check(self) -> None:
        if self.needs_reassessed_on and self.needs_reassessed_on < self.intake_date:
            raise ValidationError("needs_reassessed_on", "is before the intake date.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Goal(Record):
    """One line of the client's goal sheet, in the client's own words."""

    TABLE = "goals"
    NOUN = "goal"
    ID_PREFIX = "go"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients"}
    PARENT = "client_id"

    client_id: str = f.ref()
    text: str = f.text(2000, required=True, multiline=True)
    priority: int = f.whole(1, 999, default=1)
    status: GoalStatus = f.choice(GoalStatus, GoalStatus.NOT_STARTED)
    target_date: date | None = f.day()
    linked_needs: tuple[str, ...] = f.refs()
    progress_notes: tuple[f.DatedNote, ...] = f.notes()


#: The most status changes a need keeps.
NEED_HISTORY_LIMIT = 500


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class NeedItem(Record):
    """One item of the client's needs checklist.

    ``catalog_key`` names a built-in need; a custom need has none and carries its
    own label, horizon and domain.
    """

    TABLE = "needs"
    NOUN = "need"
    ID_PREFIX = "nd"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients"}
    PARENT = "client_id"

    client_id: str = f.ref()
    catalog_key: str | None = f.ref(required=False)
    label: str = f.text(120, required=True)
    horizon: Horizon = f.choice(Horizon)
    domain: Domain = f.choice(Domain)
    status: NeedStatus = f.choice(NeedStatus, NeedStatus.NOT_ASSESSED)
    status_date: date | None = f.day()
    note: str = f.text(2000, multiline=True)
    #: Each status the need has had and since when, oldest first. The vault adds to
    #: it whenever a need is written with a new status (see :meth:`noting_status`);
    #: it is empty for needs last written before it was kept.
    history: tuple[f.StatusChange, ...] = f.history(NeedStatus, NEED_HISTORY_LIMIT)

    def _check(self) -> None:
        if self.catalog_key is not None and self.catalog_key not in CATALOG_BY_KEY:
            raise ValidationError(
                "catalog_key", f"{self.catalog_key!r} is not in the needs catalog."
            )

    def noting_status(self, stored: NeedItem | None, today: date, since: date | None) -> NeedItem:
        """This need as it should be written over ``stored``, its status change in the history.

        A copy read before the last write never loses what is stored: the longer
        history wins. A new need, or one whose status differs from the stored one's,
        gets an entry dated ``status_date`` (when it was set for this change) or
        ``today``, never before the entry before it. A stored need without history
        first gets an entry for the status it had, since its ``status_date`` or
        ``since`` (the client's intake), so a new ``status_date`` alone cannot move
        when it began.
        """
        history = self.history
        if stored is not None and len(stored.history) > len(history):
            history = stored.history
        if stored is not None and not history:
            began = stored.status_date or since
            if began is None:
                return self
            history = (f.StatusChange(began, stored.status),)
        if history and history[-1].status is self.status:
            return self if history == self.history else dataclasses.replace(self, history=history)
        fresh = self.status_date is not None and (
            stored is None or self.status_date != stored.status_date
        )
        on = self.status_date if fresh and self.status_date is not None else today
        if history and on < history[-1].on:
            on = history[-1].on
        kept = (*history, f.StatusChange(on, self.status))
        if len(kept) > NEED_HISTORY_LIMIT:  # keep when the need began, and the latest
            kept = (kept[0], *kept[len(kept) - NEED_HISTORY_LIMIT + 1 :])
        return dataclasses.replace(self, history=kept)

    @property
    def is_custom(self) -> bool:
        return self.catalog_key is None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Meeting(Record):
    """One entry of the meeting log."""

    TABLE = "meetings"
    NOUN = "meeting"
    ID_PREFIX = "mt"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients", "staff_id": "staff"}
    PARENT = "client_id"

    client_id: str = f.ref()
    staff_id: str | None = f.ref(required=False)
    on: date = f.day(required=True)
    #: The start time, when known: it lets the week grid and calendar place it.
    at: time | None = f.optional_clock()
    duration_minutes: int = f.whole(1, 1440, default=60)
    kind: MeetingKind = f.choice(MeetingKind, MeetingKind.SCHEDULED)
    summary: str = f.text(4000, multiline=True)
    client_view: str = f.text(2000, multiline=True)
    observations: str = f.text(4000, multiline=True)
    goals_discussed: tuple[str, ...] = f.refs()
    next_steps: str = f.text(2000, multiline=True)
    next_checkin: date | None = f.day()
    progress_discussed: bool = f.flag()

    def _check(self) -> None:
        if self.next_checkin is not None and self.next_checkin < self.on:
            raise ValidationError("next_checkin", "is before the meeting itself.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AdminBlock(Record):
    """A block of the case manager's own time: admin, self-care, supervision..."""

    TABLE = "admin_blocks"
    NOUN = "time block"
    ID_PREFIX = "ab"
    REFS: ClassVar[dict[str, str]] = {"staff_id": "staff"}
    PARENT = "staff_id"

    staff_id: str = f.ref()
    kind: BlockKind = f.choice(BlockKind, BlockKind.ADMIN)
    on: date = f.day(required=True)
    start: time = f.clock()
    end: time = f.clock()
    weekly: bool = f.flag()
    until: date | None = f.day()
    #: Days a weekly block does not happen ("just this one" was moved or removed).
    skipped: tuple[date, ...] = f.days()
    note: str = f.text(200)

    def _check(self) -> None:
        if self.end <= self.start:
            raise ValidationError("end", "must be later than the start time.")
        if self.until is not None:
            if not self.weekly:
                raise ValidationError("until", "only applies to a weekly block.")
            if self.until < self.on:
                raise ValidationError("until", "is before the block's first day.")
        if self.skipped and not self.weekly:
            raise ValidationError("skipped", "only applies to a weekly block.")

    @property
    def hours(self) -> float:
        minutes = (self.end.hour * 60 + self.end.minute) - (
            self.start.hour * 60 + self.start.minute
        )
        return minutes / 60

    def occurs_on(self, day: date) -> bool:
        """Whether this block falls on ``day`` (weekly blocks repeat on the same weekday)."""
        if day < self.on:
            return False
        if not self.weekly:
            return day == self.on
        if self.until is not None and day > self.until:
            return False
        return (day - self.on).days % 7 == 0 and day not in self.skipped


#: Kinds of partner whose location is confidential unless the user says otherwise.
#: (The app has no separate "safe house" kind: a safe house is recorded as a shelter.)
CONFIDENTIAL_KINDS: frozenset[str] = frozenset({ServiceKind.SHELTER.value})
#: A partner's confidential_location when not given: decided by its kind.
_BY_KIND: Any = None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Partner(Record):
    """An agency or provider clients are referred to."""

    TABLE = "partners"
    NOUN = "partner"
    ID_PREFIX = "pa"

    name: str = f.text(160, required=True)
    kind: ServiceKind = f.choice(ServiceKind, ServiceKind.OTHER)
    contact_person: str = f.text(120)
    phone: str = f.text(60)
    email: str = f.text(160)
    address: str = f.text(400, multiline=True)
    languages: str = f.text(200)
    trauma_informed: bool = f.flag()
    notes: str = f.text(2000, multiline=True)
    #: Never named on anything printed or exported for a client. Left out (older
    #: vaults, imports, ``create``), it is decided by kind: on for shelters.
    confidential_location: bool = f.flag(_BY_KIND)

    def __post_init__(self) -> None:
        given: object = self.confidential_location
        if given is None:
            kind = getattr(self.kind, "value", self.kind)
            hidden = kind in CONFIDENTIAL_KINDS
            object.__setattr__(self, "confidential_location", hidden)
        Record.__post_init__(self)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Referral(Record):
    """A referral of one client to a partner, with every status change it went through.

    ``history`` is oldest first and never empty: its last entry is the current
    status. A follow-up that changes nothing still adds an entry (same status, a
    note), which is what keeps a referral from counting as stalled.
    """

    TABLE = "referrals"
    NOUN = "referral"
    ID_PREFIX = "rf"
    REFS: ClassVar[dict[str, str]] = {
        "client_id": "clients",
        "partner_id": "partners",
        "need_id": "needs",
        "goal_id": "goals",
    }
    PARENT = "client_id"

    client_id: str = f.ref()
    partner_id: str = f.ref()
    service: ServiceKind = f.choice(ServiceKind)
    need_id: str | None = f.ref(required=False)
    goal_id: str | None = f.ref(required=False)
    accompaniment: bool = f.flag()
    transport: bool = f.flag()
    follow_up_on: date | None = f.day()
    status: ReferralStatus = f.choice(ReferralStatus, ReferralStatus.PLANNED)
    history: tuple[f.StatusChange, ...] = f.history(ReferralStatus)
    note: str = f.text(2000, multiline=True)

    def _check(self) -> None:
        if not self.history:
            raise ValidationError("history", "needs at least the referral's first status.")
        if self.history[-1].status is not self.status:
            raise ValidationError("status", "does not match the last entry of the history.")

    @property
    def opened_on(self) -> date:
        return self.history[0].on

    @property
    def last_update(self) -> date:
        return self.history[-1].on


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
class Assignment(Record):
    """A handoff of a client from one case manager to another (or the first one)."""

    TABLE = "assignments"
    NOUN = "reassignment"
    ID_PREFIX = "as"
    REFS: ClassVar[dict[str, str]] = {
        "client_id": "clients",
        "from_staff_id": "staff",
        "to_staff_id": "staff",
    }
    PARENT = "client_id"

    client_id: str = f.ref()
    from_staff_id: str | None = f.ref(required=False)
    to_staff_id: str = f.ref()
    on: date = f.day(required=True)
    note: str = f.text(2000, multiline=True)

    def _check(self) -> None:
        if self.from_staff_id == self.to_staff_id:
            raise ValidationError("to_staff_id", "is already the client's case manager.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CaseEvent(Record):
    """A case closing (after its checklist) or reopening (with a reason)."""

    TABLE = "case_events"
    NOUN = "case event"
    ID_PREFIX = "ce"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients"}
    PARENT = "client_id"

    client_id: str = f.ref()
    kind: CaseEventKind = f.choice(CaseEventKind)
    on: date = f.day(required=True)
    reason: ClosureReason | None = f.optional_choice(ClosureReason)
    safety_plan_reviewed: bool = f.flag()
    knows_can_return: bool = f.flag()
    note: str = f.text(2000, required=True, multiline=True)

    def _check(self) -> None:
        if self.kind is CaseEventKind.CLOSED:
            if self.reason is None:
                raise ValidationError(
                    "reason", "is required: the needs are met, or the client chose to close."
                )
            if not self.safety_plan_reviewed:
                raise ValidationError(
                    "safety_plan_reviewed", "is part of closing; review it first."
                )
            if not self.knows_can_return:
                raise ValidationError(
                    "knows_can_return", "is part of closing; let the client know first."
                )
        elif self.reason is not None or self.safety_plan_reviewed or self.knows_can_return:
            raise ValidationError("kind", "a reopening has a reason only, not a closing checklist.")


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


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry(Record):
    """One line of the audit trail: who did what, when, to which record.

    It names the fields a change touched but never holds their values, so the
    trail can be shown to a supervisor or an auditor without repeating a note,
    a name or a safety plan. ``record_id`` and ``client_id`` are plain ids, not
    references: the trail outlives the records it describes.

    ``seq`` and ``prev`` chain the trail (see :mod:`casetui.vault.audit`): 0 and
    "" mean an entry not chained yet. An entry brought in by ``casetui import``
    says when, by whom and from which file (``imported_*``); its ``at`` and
    ``who`` are only what that file claimed.
    """

    TABLE = "audit"
    NOUN = "audit record"
    ID_PREFIX = "au"
    PARENT = "client_id"

    at: datetime = f.moment()
    who: str = f.text(120, required=True)
    action: AuditAction = f.choice(AuditAction)
    table: str = f.text(40)
    record_id: str | None = f.ref(required=False)
    client_id: str | None = f.ref(required=False)
    fields: tuple[str, ...] = f.refs(80)
    detail: str = f.text(200)
    seq: int = f.whole(0, 2**53, default=0)
    prev: str = f.text(64)
    imported_at: datetime | None = f.optional_moment()
    imported_by: str = f.text(120)
    imported_from: str = f.text(200)

    def _check(self) -> None:
        if (self.seq == 0) != (self.prev == ""):
            raise ValidationError("prev", "and seq should be given together, or neither.")
        if self.prev and not (
            len(self.prev) == 64 and all(c in "0123456789abcdef" for c in self.prev)
        ):
            raise ValidationError("prev", "is not a SHA-256 hash in lowercase hex.")
        marks = {self.imported_at is not None, bool(self.imported_by), bool(self.imported_from)}
        if len(marks) > 1:
            raise ValidationError(
                "imported_at", "goes with imported_by and imported_from: give all three or none."
            )

    @property
    def imported(self) -> bool:
        """True for an entry brought in from another vault's export."""
        return self.imported_at is not None


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
    AuditEntry,
)
RECORD_BY_TABLE: dict[str, type[Record]] = {cls.TABLE: cls for cls in RECORD_TYPES}
