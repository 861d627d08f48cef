"""What needs doing today: the rules behind the Today view.

Everything is a pure function of records and ``as_of``. The caller passes the
clients in scope (one case manager's, or everyone's); records that belong to any
other client are ignored, and a closed client never appears, whatever else
refers to them.

"This week" means the seven days from ``as_of``: today and the six after it.
A meeting is upcoming until its start time: given the time of day ``now``, one
held earlier today is no longer listed (one with no time stays all day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import IntEnum
from typing import TypeVar

from casetui.core import policy
from casetui.core.case_rules import EXPIRING_WITHIN_DAYS
from casetui.core.choices import (
    LEGAL_TAB_ENGAGEMENTS,
    OPEN_REFERRAL_STATUSES,
    UPCOMING_LEGAL_STATUSES,
    ClientStatus,
    LegalKind,
    ReferralStatus,
)
from casetui.core.private_records import Consent, LegalMatter
from casetui.core.records import AdminBlock, Client, Meeting, Referral
from casetui.core.rules import ContactSummary, days_overdue, next_checkin_due

WEEK_DAYS = 7
DEFAULT_STALLED_AFTER_DAYS = policy.STALLED_DAYS
#: Expired consents are listed for this many days after they expire.
EXPIRED_LISTED_FOR_DAYS = 90


class Section(IntEnum):
    """Today's lists, in the order they are shown."""

    OVERDUE = 1
    DUE_THIS_WEEK = 2
    MEETING = 3
    COURT_DATE = 4
    REFERRAL = 5
    CONSENT = 6
    TIME_BLOCK = 7

    @property
    def label(self) -> str:
        return _SECTION_LABELS[self]


_SECTION_LABELS = {
    Section.OVERDUE: "Overdue check-in",
    Section.DUE_THIS_WEEK: "Check-in due",
    Section.MEETING: "Meeting this week",
    Section.COURT_DATE: "Court date",
    Section.REFERRAL: "Referral follow-up",
    Section.CONSENT: "Consent",
    Section.TIME_BLOCK: "Your time",
}


@dataclass(frozen=True, slots=True)
class TodayItem:
    section: Section
    #: None for the case manager's own time blocks.
    client_id: str | None
    #: The record the item is about (a client, meeting, referral, consent ...).
    record_id: str
    when: date | None
    detail: str
    #: The workspace tab that deals with this item.
    tab: str
    #: Lower comes first within a section.
    rank: tuple[int, str] = (0, "")
    #: The detail without the words a person typed (a court date's description, a
    #: time block's note), for a screen others can see; None when it has none.
    bare_detail: str | None = None
    #: The start time, for a meeting whose time is known.
    at: time | None = None

    @property
    def shareable_detail(self) -> str:
        return self.detail if self.bare_detail is None else self.bare_detail


def in_week(day: date, as_of: date) -> bool:
    return as_of <= day < as_of + timedelta(days=WEEK_DAYS)


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def checkin_items(
    clients: Iterable[Client], contacts: Mapping[str, ContactSummary], as_of: date
) -> list[TodayItem]:
    """Overdue check-ins (most overdue first), then check-ins due this week."""
    items = []
    for client in clients:
        if client.status is not ClientStatus.ACTIVE:
            continue
        contact = contacts.get(client.id, ContactSummary())
        due = next_checkin_due(client, contact)
        if due is None:
            continue
        late = days_overdue(client, contact, as_of)
        if late > 0:
            items.append(
                TodayItem(
                    Section.OVERDUE,
                    client.id,
                    client.id,
                    due,
                    f"{_days(late)} overdue",
                    "meetings",
                    (-late, client.preferred_name.casefold()),
                )
            )
        elif in_week(due, as_of):
            ahead = (due - as_of).days
            detail = "due today" if ahead == 0 else f"due in {_days(ahead)}"
            items.append(
                TodayItem(
                    Section.DUE_THIS_WEEK,
                    client.id,
                    client.id,
                    due,
                    detail,
                    "meetings",
                    (ahead, client.preferred_name.casefold()),
                )
            )
    return items


def meeting_items(
    meetings: Iterable[Meeting], as_of: date, now: time | None = None
) -> list[TodayItem]:
    """Meetings still to come, from today to six days ahead, earliest first.

    With ``now`` (the time of day), a meeting earlier today has been held and is
    not listed; one with no start time stays listed all day.
    """
    items = []
    for m in meetings:
        if not in_week(m.on, as_of):
            continue
        if m.on == as_of and now is not None and m.at is not None and m.at < now:
            continue
        minute = 0 if m.at is None else m.at.hour * 60 + m.at.minute
        # Today's time shows in the When column ("today 14:30"); a later day's, here.
        later = m.at is not None and m.on != as_of
        items.append(
            TodayItem(
                Section.MEETING,
                m.client_id,
                m.id,
                m.on,
                f"{m.kind.label} at {m.at.strftime('%H:%M')}" if later and m.at else m.kind.label,
                "meetings",
                ((m.on - as_of).days * 24 * 60 + minute, m.id),
                at=m.at,
            )
        )
    return items


def when_text(item: TodayItem, as_of: date) -> str:
    """The When column: "today 14:30" for a meeting later today, else the day.

    A meeting on a later day has its time in the detail ("Accompaniment at 09:30").
    """
    if item.when is None:
        return ""
    if item.section is Section.MEETING and item.when == as_of:
        return "today" + (f" {item.at.strftime('%H:%M')}" if item.at is not None else "")
    return item.when.strftime("%a %d %b")


def referral_reason(referral: Referral, as_of: date, stalled_after_days: int) -> str | None:
    """Why an open referral needs follow-up on ``as_of``, or None if it does not."""
    if referral.status not in OPEN_REFERRAL_STATUSES:
        return None
    if referral.follow_up_on is not None and referral.follow_up_on <= as_of:
        if referral.follow_up_on == as_of:
            return "follow-up is due today"
        return f"follow-up was due {referral.follow_up_on.isoformat()}"
    if referral.status is ReferralStatus.STALLED:
        return "marked stalled"
    quiet = (as_of - referral.last_update).days
    if quiet >= stalled_after_days:
        return f"stalled: no update for {_days(quiet)}"
    return None


def is_stalled(referral: Referral, as_of: date, stalled_after_days: int) -> bool:
    """An open referral marked stalled, or whose status has not moved in the given days."""
    if referral.status not in OPEN_REFERRAL_STATUSES:
        return False
    if referral.status is ReferralStatus.STALLED:
        return True
    return (as_of - referral.last_update).days >= stalled_after_days


def referral_items(
    referrals: Iterable[Referral], as_of: date, stalled_after_days: int
) -> list[TodayItem]:
    items = []
    for referral in referrals:
        reason = referral_reason(referral, as_of, stalled_after_days)
        if reason is None:
            continue
        waiting_since = min(referral.follow_up_on or referral.last_update, referral.last_update)
        items.append(
            TodayItem(
                Section.REFERRAL,
                referral.client_id,
                referral.id,
                referral.follow_up_on or referral.last_update,
                reason,
                "referrals",
                ((waiting_since - as_of).days, referral.id),
            )
        )
    return items


def consent_items(consents: Iterable[Consent], as_of: date) -> list[TodayItem]:
    """Consents that expire within 30 days, and ones that expired in the last 90 days.

    An expired consent drops off Today after 90 days, so a release for a service
    that ended long ago does not sit on the list for ever (it stays on the client's
    Consents tab, marked expired).

    Only the newest consent for each client and partner can be listed: one that a
    later signed consent supersedes (renewed, or itself lapsed or revoked) is not.
    Revoked consents are not listed: that was a decision, not a lapse.
    """
    consents = list(consents)
    by_pair: defaultdict[tuple[str, str], list[Consent]] = defaultdict(list)
    for consent in consents:
        by_pair[(consent.client_id, consent.partner_id)].append(consent)
    items = []
    for consent in consents:
        if consent.revoked_on is not None and consent.revoked_on <= as_of:
            continue
        if consent.signed_on > as_of:
            continue
        left = (consent.expires_on - as_of).days
        if left > EXPIRING_WITHIN_DAYS or left < -EXPIRED_LISTED_FOR_DAYS:
            continue
        renewed = any(
            other.id != consent.id
            and other.expires_on > consent.expires_on
            and other.signed_on <= as_of
            for other in by_pair[(consent.client_id, consent.partner_id)]
        )
        if renewed:
            continue
        if left < 0:
            detail = f"expired {consent.expires_on.isoformat()}"
        elif left == 0:
            detail = "expires today"
        else:
            detail = f"expires in {_days(left)}"
        items.append(
            TodayItem(
                Section.CONSENT,
                consent.client_id,
                consent.id,
                consent.expires_on,
                detail,
                "consents",
                (left, consent.id),
            )
        )
    return items


def court_items(
    matters: Iterable[LegalMatter], clients: Mapping[str, Client], as_of: date
) -> list[TodayItem]:
    """Court dates this week, for clients who chose to engage with the legal system."""
    items = []
    for matter in matters:
        client = clients.get(matter.client_id)
        if client is None or client.legal_engagement not in LEGAL_TAB_ENGAGEMENTS:
            continue
        if matter.kind is not LegalKind.COURT_DATE or matter.status not in UPCOMING_LEGAL_STATUSES:
            continue
        if not in_week(matter.on, as_of):
            continue
        ahead = (matter.on - as_of).days
        when = "today" if ahead == 0 else f"in {_days(ahead)}"
        detail = f"{matter.description or 'Court date'} ({when})"
        items.append(
            TodayItem(
                Section.COURT_DATE,
                matter.client_id,
                matter.id,
                matter.on,
                detail,
                "legal",
                (ahead, matter.id),
                bare_detail=f"Court date ({when})" if matter.description else None,
            )
        )
    return items


def block_items(blocks: Iterable[AdminBlock], as_of: date) -> list[TodayItem]:
    """The case manager's own time blocks that fall today, earliest first."""
    items = []
    for b in blocks:
        if not b.occurs_on(as_of):
            continue
        bare = f"{b.start.strftime('%H:%M')}–{b.end.strftime('%H:%M')} {b.kind.label}"
        items.append(
            TodayItem(
                Section.TIME_BLOCK,
                None,
                b.id,
                as_of,
                bare + (f": {b.note}" if b.note else ""),
                "",
                (b.start.hour * 60 + b.start.minute, b.id),
                bare_detail=bare if b.note else None,
            )
        )
    return items


ClientRecord = TypeVar("ClientRecord", Meeting, Referral, Consent, LegalMatter)


def _of(records: Iterable[ClientRecord], clients: Container[str]) -> list[ClientRecord]:
    return [r for r in records if r.client_id in clients]


def today_items(
    as_of: date,
    *,
    now: time | None = None,
    clients: Iterable[Client],
    contacts: Mapping[str, ContactSummary],
    meetings: Iterable[Meeting] = (),
    referrals: Iterable[Referral] = (),
    consents: Iterable[Consent] = (),
    legal_matters: Iterable[LegalMatter] = (),
    blocks: Iterable[AdminBlock] = (),
    stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS,
) -> list[TodayItem]:
    """Everything for Today, in section order, most pressing first within each section.

    Only ``clients`` that are not closed are considered; anything belonging to
    another client is dropped. ``now``, the time of day, drops meetings already
    held today (see :func:`meeting_items`).
    """
    if stalled_after_days < 1:
        raise ValueError("stalled_after_days must be at least 1")
    open_clients = {c.id: c for c in clients if c.status is not ClientStatus.CLOSED}

    items: list[TodayItem] = []
    items += checkin_items(open_clients.values(), contacts, as_of)
    items += meeting_items(_of(meetings, open_clients), as_of, now)
    items += court_items(_of(legal_matters, open_clients), open_clients, as_of)
    items += referral_items(_of(referrals, open_clients), as_of, stalled_after_days)
    items += consent_items(_of(consents, open_clients), as_of)
    items += block_items(blocks, as_of)
    items.sort(key=lambda item: (item.section, item.rank))
    return items
