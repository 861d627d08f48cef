"""Every service a client was given, in the funders' list, from the work already recorded.

A case manager records meetings, referrals and legal matters; a funder counts
services (``core/funder_catalog.py``). The map below says which service each kind
of work counts as. It ships with defaults and any entry can be changed in
``config.toml`` (a ``[funder_services]`` section: ``"meeting.crisis" = "C1"``; an
empty code means "not counted"). A service given without any of these, such as
information about victims' rights, is recorded on its own (``ServiceRecord``).

What is counted, and on which day:

- a meeting: on its day, by its kind (``meeting.<kind>``);
- a referral: on the day it was made (the step to "referred"), by what it is for
  (``referral.<service>``);
- an accompaniment or transport the referral included: on the first day the
  client attended or completed it (``accompaniment.<service>``, ``transport``);
- a legal matter: on its day, by its kind (``legal.<kind>``), unless it is still
  being considered or was withdrawn;
- a service recorded on its own: on its day, as many times as it says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from casetui.core.choices import LegalStatus, ReferralStatus, ServiceKind
from casetui.core.funder_catalog import COMPENSATION, SERVICE_CODES
from casetui.core.funder_records import ServiceRecord
from casetui.core.private_records import LegalMatter
from casetui.core.records import Meeting, Record, Referral
from casetui.core.stats.tally import of_type

#: Referrals to these count as "referral to other victim service programs" (A3).
_VICTIM_SERVICES = {ServiceKind.SHELTER, ServiceKind.SUPPORT_GROUP, ServiceKind.COURT_ADVOCACY}
#: Accompaniment to these counts as the PMT's matching accompaniment service.
_ACCOMPANIMENT = {
    ServiceKind.MEDICAL: "B1",
    ServiceKind.LAW_ENFORCEMENT: "B3",
    ServiceKind.IMMIGRATION: "B6",
    ServiceKind.COURT_ADVOCACY: "E10",
    ServiceKind.LEGAL_AID: "E11",
}

DEFAULT_MAP: dict[str, str] = {
    "meeting.scheduled": "B4",
    "meeting.check_in": "B4",
    "meeting.accompaniment": "B4",
    "meeting.crisis": "C1",
    "meeting.phone_video": "B4",
    **{
        f"referral.{kind.value}": "A3" if kind in _VICTIM_SERVICES else "A4" for kind in ServiceKind
    },
    **{f"accompaniment.{kind.value}": _ACCOMPANIMENT.get(kind, "B4") for kind in ServiceKind},
    "transport": "B9",
    "legal.protective_order": "E4",
    "legal.court_date": "E10",
    "legal.victim_compensation": COMPENSATION,
}

#: Legal matters at these steps are not (yet) a service given.
_NOT_GIVEN = {LegalStatus.CONSIDERING, LegalStatus.WITHDRAWN}
#: The referral steps at which an accompaniment or transport took place.
_ATTENDED = {ReferralStatus.ATTENDING, ReferralStatus.COMPLETED}


class ServiceMapError(ValueError):
    """A ``[funder_services]`` entry that cannot be used, said in one sentence."""


def service_map(changes: Mapping[str, str] | None = None) -> dict[str, str]:
    """The defaults with ``changes`` (from config.toml) applied; ServiceMapError if one
    names no kind of work or no service."""
    out = dict(DEFAULT_MAP)
    for key, code in (changes or {}).items():
        if key not in DEFAULT_MAP:
            raise ServiceMapError(
                f"[funder_services] has {key!r}, which is not a kind of work casetui counts; "
                "the kinds are like 'meeting.crisis', 'referral.shelter', "
                "'accompaniment.medical', 'transport' and 'legal.court_date'."
            )
        if code and code not in SERVICE_CODES:
            raise ServiceMapError(
                f"[funder_services] {key} = {code!r} is not a service code; use one such as "
                'A2, B9 or E4, VC for a victim compensation application, or "" to not '
                "count it."
            )
        out[key] = code
    return out


@dataclass(frozen=True, slots=True)
class ServiceEvent:
    """One service given: to whom, when, which, how many times, under which grants."""

    client_id: str
    on: date
    service: str
    times: int = 1
    #: The grants this service itself was tagged with (empty: the client's).
    funding_source_ids: tuple[str, ...] = ()


def service_events(
    tables: Mapping[str, Sequence[Record]], mapping: Mapping[str, str], *, until: date
) -> Iterator[ServiceEvent]:
    """Every service given on or before ``until``, by the ``mapping`` (see :func:`service_map`)."""

    def counted(key: str) -> str:
        return mapping.get(key, "")

    for meeting in of_type(tables, Meeting):
        code = counted(f"meeting.{meeting.kind.value}")
        if code and meeting.on <= until:
            yield ServiceEvent(meeting.client_id, meeting.on, code)
    for referral in of_type(tables, Referral):
        yield from _referral_events(referral, counted, until)
    for matter in of_type(tables, LegalMatter):
        code = counted(f"legal.{matter.kind.value}")
        if code and matter.status not in _NOT_GIVEN and matter.on <= until:
            yield ServiceEvent(matter.client_id, matter.on, code)
    for given in of_type(tables, ServiceRecord):
        if given.on <= until:
            yield ServiceEvent(
                given.client_id, given.on, given.service, given.times, given.funding_source_ids
            )


def _referral_events(
    referral: Referral, counted: Callable[[str], str], until: date
) -> Iterator[ServiceEvent]:
    kind = referral.service.value
    made = next((c.on for c in referral.history if c.status is ReferralStatus.REFERRED), None)
    code = counted(f"referral.{kind}")
    if made is not None and code and made <= until:
        yield ServiceEvent(referral.client_id, made, code)
    attended = next((c.on for c in referral.history if c.status in _ATTENDED), None)
    if attended is None or attended > until:
        return
    if referral.accompaniment and (code := counted(f"accompaniment.{kind}")):
        yield ServiceEvent(referral.client_id, attended, code)
    if referral.transport and (code := counted("transport")):
        yield ServiceEvent(referral.client_id, attended, code)
