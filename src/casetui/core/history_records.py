"""What happened to a case and in the vault: handoffs between case managers,
closings and reopenings, and the audit trail.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import ClassVar

from casetui.core import fields as f
from casetui.core.choices import AuditAction, CaseEventKind, ClosureReason
from casetui.core.errors import ValidationError
from casetui.core.records import Record


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
    #: Whose chain the entry is in: a device of a shared vault, or "" for the vault's first.
    chain: str = f.text(32)
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

    def to_dict(self, *, with_id: bool = True) -> dict[str, f.JSON]:
        """As stored; ``chain`` only when it is not the vault's first, so older rows hash alike."""
        out = Record.to_dict(self, with_id=with_id)
        if not self.chain:
            out.pop("chain", None)
        return out

    def interchange_dict(self) -> dict[str, f.JSON]:
        """As exported: without ``chain``, which only means something inside this vault."""
        out = self.to_dict()
        out.pop("chain", None)
        return out
