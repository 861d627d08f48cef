"""Records kept for funders' reports: the agency's grants, services given without a
meeting, and the people in a client's household who were harmed too.

None of them holds anything a report shows by name: a grant is named by the
agency, a service by its code in the funders' list, and a household member by
relationship and age group (a name, if kept, is for the case manager only).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import ClassVar

from casetui.core import fields as f
from casetui.core.choices import FundingProgram, Relationship
from casetui.core.code_fields import code
from casetui.core.errors import ValidationError
from casetui.core.funder_catalog import SERVICE_CODES, service_label
from casetui.core.records import Record


class ServiceCodeSpec(f.Spec[str]):
    """A service of the funders' list by its code (``core/funder_catalog.py``)."""

    def clean(self, name: str, value: object) -> str:
        code = value.strip().upper() if isinstance(value, str) else value
        if not isinstance(code, str) or code not in SERVICE_CODES:
            shown = repr(code[:10]) if isinstance(code, str) else type(code).__name__
            raise ValidationError(
                name, f"{shown} is not a service code such as A2, B9 or E4 (or VC)."
            )
        return code

    def dump(self, value: str) -> f.JSON:
        return value


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FundingSource(Record):
    """One of the agency's grants, so its clients and services can be reported apart."""

    TABLE = "funding_sources"
    NOUN = "funding source"
    ID_PREFIX = "fs"

    #: What the agency calls it, such as "VOCA 2026" (used by --funding).
    name: str = f.text(80, required=True)
    program: FundingProgram = f.choice(FundingProgram, FundingProgram.OTHER)
    award_number: str = f.text(60)
    starts_on: date | None = f.day()
    ends_on: date | None = f.day()
    note: str = f.text(1000, multiline=True)

    def _check(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError("ends_on", "is before the day the grant starts.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ServiceRecord(Record):
    """A service given to a client, in the funders' list, when no meeting, referral or
    legal matter already records it: "information about victims' rights", say."""

    TABLE = "services"
    NOUN = "service"
    ID_PREFIX = "sv"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients"}
    PARENT = "client_id"

    client_id: str = f.ref()
    on: date = f.day(required=True)
    #: The PMT's code: "A2", "B9"…, or "VC" (help with a victim compensation application).
    service: str = f._field(ServiceCodeSpec())
    #: How many times it was given that day (a transport there and back is 2).
    times: int = f.whole(1, 99, default=1)
    #: The grants it is counted under; none: the client's.
    funding_source_ids: tuple[str, ...] = f.refs(20)
    note: str = f.text(400, multiline=True)

    @property
    def label(self) -> str:
        return service_label(self.service)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class HouseholdMember(Record):
    """Someone close to the client; counted as a secondary victim when also harmed and
    served. Reports count them; they never show them."""

    TABLE = "household"
    NOUN = "household member"
    ID_PREFIX = "hh"
    REFS: ClassVar[dict[str, str]] = {"client_id": "clients"}
    PARENT = "client_id"

    client_id: str = f.ref()
    relationship: Relationship = f.choice(Relationship, Relationship.OTHER)
    #: A code of the age groups in core/funder_catalog.py; empty: not known.
    age_group: str = code()
    harmed: bool = f.flag()
    served: bool = f.flag()
    #: How the case manager knows them (a first name, "youngest"); never in a report.
    known_as: str = f.text(60)
