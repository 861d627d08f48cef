"""The case records: typed, validated on construction, immutable.

Every record is a frozen dataclass whose fields carry a :mod:`~casetui.core.fields`
spec. Building one cleans and checks every field, so a record that exists is a
valid record. ``from_dict`` reads the stored/JSON form and ``to_dict`` writes it.
Change a record with :func:`dataclasses.replace`, which validates again.

The client's private records are in :mod:`casetui.core.private_records`, a
case's history in :mod:`casetui.core.history_records`, and every record type
by table in :mod:`casetui.core.record_tables`.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from datetime import date, time
from typing import Any, ClassVar, Self

from casetui.core import fields as f
from casetui.core import policy
from casetui.core.catalog import CATALOG_BY_KEY
from casetui.core.choices import (
    BlockKind,
    ClientStatus,
    Domain,
    GoalStatus,
    Horizon,
    LegalEngagement,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.code_fields import code, codes
from casetui.core.errors import ValidationError

_SPECS: dict[type, tuple[tuple[str, f.Spec[Any], bool], ...]] = {}
#: Answers that stand alone in a list of choices (see core/funder_catalog.py).
ANSWERS_ALONE = frozenset({"declined", "not_reported", "none"})


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

    def interchange_dict(self) -> dict[str, f.JSON]:
        """The record as ``casetui export`` writes it."""
        return self.to_dict()

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
    #: For funders' reports, all optional: codes of the lists in core/funder_catalog.py
    #: (empty: not asked yet). "declined" is the client's answer, and stands alone.
    victimization_types: tuple[str, ...] = codes()
    age_group: str = code()
    gender_identity: str = code()
    race_ethnicity: tuple[str, ...] = codes()
    special_classifications: tuple[str, ...] = codes()
    #: The grants this client's services are counted under (funding_sources ids).
    funding_source_ids: tuple[str, ...] = f.refs(20)

    def _check(self) -> None:
        if self.needs_reassessed_on and self.needs_reassessed_on < self.intake_date:
            raise ValidationError("needs_reassessed_on", "is before the intake date.")
        for name in ("victimization_types", "race_ethnicity", "special_classifications"):
            chosen = getattr(self, name)
            if len(chosen) > 1 and any(c in ANSWERS_ALONE for c in chosen):
                raise ValidationError(
                    name, "holds 'declined' or 'not reported' beside other choices; keep one."
                )


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
