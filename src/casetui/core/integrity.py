"""What each record points at, and the rules those links must keep.

One rule set, used by ``casetui check`` and import (over a whole set of
records, see :func:`casetui.core.recordset.check_references`) and by the vault
on every write (see :meth:`casetui.vault.repository.Repository.check_references`):

- every id a record holds names a record that exists;
- a goal links only its own client's needs, a meeting lists only its own
  client's goals, and a referral's need and goal are its client's;
- a client has at most one safety plan.

The rules ask a :class:`Records` about the other records, so they work over
validated records and over the vault's stored rows alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

from casetui.core.funder_records import ServiceRecord
from casetui.core.private_records import SafetyPlan
from casetui.core.record_tables import RECORD_TYPES
from casetui.core.records import Client, Goal, Meeting, Record, Referral

#: Fields holding a list of ids, by record class: the table they point at. The
#: records listed must be the same client's.
LISTED_REFS: dict[type[Record], dict[str, str]] = {
    Goal: {"linked_needs": "needs"},
    Meeting: {"goals_discussed": "goals"},
}
#: Fields holding a list of ids of the agency's records (not a client's): its grants.
#: One removed leaves the ids behind, which ``casetui check`` reports.
AGENCY_LISTED_REFS: dict[type[Record], dict[str, str]] = {
    Client: {"funding_source_ids": "funding_sources"},
    ServiceRecord: {"funding_source_ids": "funding_sources"},
}
#: Single references (declared in ``REFS``) that must be the record's own client's.
OWN_CLIENT_REFS: dict[type[Record], tuple[str, ...]] = {Referral: ("need_id", "goal_id")}

NOUNS = {cls.TABLE: cls.NOUN for cls in RECORD_TYPES}

Kind = Literal["missing", "other_client", "missing_listed", "second_plan"]


class Records(Protocol):
    """The other records, as the rules need to see them."""

    def exists(self, table: str, record_id: str) -> bool:
        """Whether a record with this id is in ``table`` (or being written with this one)."""
        ...

    def client_of(self, table: str, record_id: str) -> str | None:
        """The client a stored record belongs to; None when it is not there."""
        ...

    def other_safety_plan(self, plan: SafetyPlan) -> bool:
        """Whether the plan's client has another safety plan that comes first."""
        ...


@dataclass(frozen=True, slots=True)
class Reference:
    """One id a record holds: in which field, and which table it points at."""

    field: str
    table: str
    target_id: str
    #: The record pointed at must belong to the same client.
    own_client: bool = False
    #: From a list of links (``linked_needs``, ``goals_discussed``) rather than ``REFS``.
    listed: bool = False


@dataclass(frozen=True, slots=True)
class Broken:
    """One rule a record breaks."""

    kind: Kind
    record: Record
    field: str = ""
    table: str = ""
    target_id: str = ""

    #: Problems of each kind are listed in this order by ``casetui check``.
    RANK: ClassVar[dict[str, int]] = {
        "missing": 0,
        "other_client": 1,
        "missing_listed": 1,
        "second_plan": 1,
    }

    @property
    def noun(self) -> str:
        return NOUNS.get(self.table, self.table)

    @property
    def blocks_write(self) -> bool:
        """Whether a write of the record is refused for this.

        A goal or need that is removed stays in the lists of the meetings and goals
        that named it (removing looks only at ``REFS``); refusing those would stop
        anyone editing such a meeting, so ``casetui check`` reports them instead.
        """
        return self.kind != "missing_listed"

    def problem(self) -> str:
        """What ``casetui check`` says, after the record's place."""
        if self.kind == "missing":
            return f"{self.field}: no {self.noun} has the id {self.target_id!r}."
        if self.kind == "missing_listed":
            whose = (
                " of this client" if self.field in LISTED_REFS.get(type(self.record), {}) else ""
            )
            return f"{self.field}: no {self.noun}{whose} has the id {self.target_id!r}."
        if self.kind == "other_client":
            return f"{self.field}: {self.target_id!r} is another client's {self.noun}."
        return "is a second safety plan for the same client."

    def sentence(self) -> str:
        """Why a write of the record is refused, in one sentence."""
        own = self.record.NOUN
        if self.kind == "missing":
            return f"This {own} refers to a {self.noun} that does not exist ({self.field})."
        if self.kind == "other_client" and self.field in LISTED_REFS.get(type(self.record), {}):
            return (
                f"This {own} lists another client's {self.noun} ({self.field}); "
                f"only this client's {self.noun}s can be listed."
            )
        if self.kind == "other_client":
            return f"This {own}'s {self.noun} belongs to another client."
        if self.kind == "missing_listed":
            return f"This {own} lists a {self.noun} that does not exist ({self.field})."
        return "This client already has a safety plan; edit that one instead."


def references(record: Record) -> Iterator[Reference]:
    """Every id ``record`` holds, ``REFS`` first, then its lists of links."""
    cls = type(record)
    own = OWN_CLIENT_REFS.get(cls, ())
    for field, table in cls.REFS.items():
        target_id = getattr(record, field)
        if target_id is not None:
            yield Reference(field, table, target_id, own_client=field in own)
    for field, table in LISTED_REFS.get(cls, {}).items():
        for target_id in getattr(record, field):
            yield Reference(field, table, target_id, own_client=True, listed=True)
    for field, table in AGENCY_LISTED_REFS.get(cls, {}).items():
        for target_id in getattr(record, field):
            yield Reference(field, table, target_id, listed=True)


def broken_rules(record: Record, records: Records) -> list[Broken]:
    """Every rule on links that ``record`` breaks, given the other ``records``."""
    found: list[Broken] = []
    client_id = getattr(record, "client_id", None)
    for ref in references(record):
        where = (ref.field, ref.table, ref.target_id)
        if not ref.listed and not records.exists(ref.table, ref.target_id):
            found.append(Broken("missing", record, *where))
            continue
        if not ref.own_client:
            if ref.listed and not records.exists(ref.table, ref.target_id):
                found.append(Broken("missing_listed", record, *where))
            continue
        owner = records.client_of(ref.table, ref.target_id)
        if owner is not None and owner != client_id:
            found.append(Broken("other_client", record, *where))
        elif ref.listed and not records.exists(ref.table, ref.target_id):
            found.append(Broken("missing_listed", record, *where))
    if isinstance(record, SafetyPlan) and records.other_safety_plan(record):
        found.append(Broken("second_plan", record))
    return found
