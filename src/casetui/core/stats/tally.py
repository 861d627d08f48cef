"""The exact counts behind the funder statistics, before any suppression."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from casetui.core.choices import (
    BlockKind,
    Choice,
    Domain,
    Horizon,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import StatusChange
from casetui.core.records import AdminBlock, Client, Meeting, NeedItem, Record, Referral
from casetui.core.schedule import hours_by_kind, week_of, week_slots

R = TypeVar("R", bound=Record)


@dataclass(frozen=True, slots=True)
class Tally:
    """One table of exact counts, before suppression. Never published as it is."""

    key: str
    title: str
    corner: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    #: Meetings only: the hours of each row.
    hours: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Tallies:
    clients: Tally
    needs_by_domain: Tally
    needs_by_horizon: Tally
    referrals: Tally
    meetings: Tally
    #: Hours of each kind of block, and the number of days counted.
    staff_hours: tuple[tuple[str, float], ...]
    days: int
    #: How many case managers have blocks in the period.
    staff_people: int = 0


def of_type(tables: Mapping[str, Sequence[Record]], cls: type[R]) -> list[R]:
    """The records of ``cls``'s table, typed."""
    return [r for r in tables.get(cls.TABLE, ()) if isinstance(r, cls)]


def _labels(choices: Sequence[Choice]) -> tuple[str, ...]:
    return tuple(c.label for c in choices)


NEW_ROW = "New (intake in the period)"
CONTINUING_ROW = "Continuing (intake before it)"


def last_counted_day(end: date, as_of: date | None) -> date:
    """The last day that counts: the period's end, or ``as_of`` if that is earlier."""
    return end if as_of is None else min(end, as_of)


def status_on(history: Sequence[StatusChange], day: date) -> object | None:
    """The status a history (oldest first) says held on ``day``; None before it began."""
    found = None
    for change in history:
        if change.on > day:
            break
        found = change.status
    return found


def need_status_on(need: NeedItem, day: date, intake: date) -> NeedStatus | None:
    """The need's status on ``day``, or None if it did not exist yet (see the module's notes)."""
    if need.history:
        found = status_on(need.history, day)
        return found if isinstance(found, NeedStatus) else None
    since = need.status_date or intake
    return need.status if since <= day else None


def referral_status_on(referral: Referral, day: date) -> ReferralStatus:
    """The referral's status on ``day`` (its first one, if it was opened after it)."""
    found = status_on(referral.history, day)
    return found if isinstance(found, ReferralStatus) else referral.history[0].status


def tally(
    tables: Mapping[str, Sequence[Record]], start: date, end: date, as_of: date | None = None
) -> Tallies:
    """Exact counts for the period; see the module's notes for what each one means."""
    if start > end:
        raise ValueError("the period starts after it ends")
    last = last_counted_day(end, as_of)

    def within(day: date) -> bool:
        return start <= day <= last

    meetings = [m for m in of_type(tables, Meeting) if within(m.on)]
    met = {m.client_id for m in meetings}
    new: set[str] = set()
    continuing: set[str] = set()
    intakes: dict[str, date] = {}
    for client in of_type(tables, Client):
        intakes[client.id] = client.intake_date
        if within(client.intake_date):
            new.add(client.id)
        elif client.intake_date < start and client.id in met:
            continuing.add(client.id)
    clients = Tally(
        "clients",
        "Clients served",
        "",
        (NEW_ROW, CONTINUING_ROW),
        ("Clients",),
        ((len(new),), (len(continuing),)),
    )

    served = new | continuing
    statuses = list(NeedStatus)
    domains, horizons = list(Domain), list(Horizon)
    by_domain = {(d, s): 0 for d in domains for s in statuses}
    by_horizon = {(h, s): 0 for h in horizons for s in statuses}
    for need in of_type(tables, NeedItem):
        if need.client_id not in served:
            continue
        status = need_status_on(need, last, intakes[need.client_id])
        if status is not None:
            by_domain[need.domain, status] += 1
            by_horizon[need.horizon, status] += 1
    needs_by_domain = Tally(
        "needs_by_domain",
        "Needs of the clients served, by domain and status at the period's end",
        "Domain",
        _labels(domains),
        _labels(statuses),
        tuple(tuple(by_domain[d, s] for s in statuses) for d in domains),
    )
    needs_by_horizon = Tally(
        "needs_by_horizon",
        "Needs of the clients served, by horizon and status at the period's end",
        "Horizon",
        _labels(horizons),
        _labels(statuses),
        tuple(tuple(by_horizon[h, s] for s in statuses) for h in horizons),
    )

    outcomes = list(ReferralStatus)
    by_service = {(k, s): 0 for k in ServiceKind for s in outcomes}
    for referral in of_type(tables, Referral):
        if within(referral.opened_on):
            by_service[referral.service, referral_status_on(referral, last)] += 1
    # Services nobody was referred to are left out: a row of zeros says nothing.
    services = [k for k in ServiceKind if any(by_service[k, s] for s in outcomes)]
    referrals = Tally(
        "referrals",
        "Referrals made in the period, by service and status at the period's end",
        "Service",
        _labels(services),
        _labels(outcomes),
        tuple(tuple(by_service[k, s] for s in outcomes) for k in services),
    )

    kinds = list(MeetingKind)
    count = dict.fromkeys(kinds, 0)
    minutes = dict.fromkeys(kinds, 0)
    for meeting in meetings:
        count[meeting.kind] += 1
        minutes[meeting.kind] += meeting.duration_minutes
    meeting_table = Tally(
        "meetings",
        "Meetings held in the period, by kind",
        "Kind",
        _labels(kinds),
        ("Meetings", "Hours"),
        tuple((count[k],) for k in kinds),
        tuple(minutes[k] / 60 for k in kinds),
    )

    blocks = of_type(tables, AdminBlock)
    staff = dict.fromkeys(BlockKind, 0.0)
    people: set[str] = set()
    monday = week_of(start)
    while monday <= last:
        slots = [s for s in week_slots(blocks, monday) if within(s.day)]
        people.update(s.block.staff_id for s in slots)
        for kind, hours in hours_by_kind(slots).items():
            staff[kind] += hours
        monday += timedelta(days=7)
    days = max((last - start).days + 1, 0)
    return Tallies(
        clients=clients,
        needs_by_domain=needs_by_domain,
        needs_by_horizon=needs_by_horizon,
        referrals=referrals,
        meetings=meeting_table,
        staff_hours=tuple((kind.label, staff[kind]) for kind in BlockKind),
        days=days,
        staff_people=len(people),
    )
