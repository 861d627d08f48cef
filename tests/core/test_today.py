"""The Today rules, with fixed dates: month ends, year ends and leap days."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetui.core import case_rules as casework
from casetui.core.choices import (
    BlockKind,
    ClientStatus,
    LegalEngagement,
    LegalKind,
    LegalStatus,
    MeetingKind,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import StatusChange
from casetui.core.private_records import Consent, LegalMatter
from casetui.core.records import AdminBlock, Client, Meeting, Referral
from casetui.core.rules import ContactSummary, meeting_dates, summarise_contact
from casetui.core.today import (
    DEFAULT_STALLED_AFTER_DAYS,
    Section,
    TodayItem,
    block_items,
    checkin_items,
    consent_items,
    court_items,
    in_week,
    is_stalled,
    meeting_items,
    referral_items,
    referral_reason,
    today_items,
)

# -- builders ------------------------------------------------------------------------


def client(
    cid: str = "cl_a",
    name: str = "Amara Bluefinch",
    *,
    status: ClientStatus = ClientStatus.ACTIVE,
    intake: date = date(2026, 1, 5),
    interval: int = 14,
    cm: str = "st_1",
    legal: LegalEngagement = LegalEngagement.NOT_ENGAGED,
) -> Client:
    return Client(
        id=cid,
        preferred_name=name,
        intake_date=intake,
        status=status,
        case_manager_id=cm,
        checkin_interval_days=interval,
        legal_engagement=legal,
    )


def agreed(due: date) -> ContactSummary:
    """Contact whose latest meeting agreed the next check-in for ``due``."""
    return ContactSummary(due - timedelta(days=7), due)


def meeting(
    mid: str,
    on: date,
    *,
    cid: str = "cl_a",
    kind: MeetingKind = MeetingKind.SCHEDULED,
    next_checkin: date | None = None,
) -> Meeting:
    return Meeting(id=mid, client_id=cid, on=on, kind=kind, next_checkin=next_checkin)


def referral(
    rid: str,
    *changes: tuple[date, ReferralStatus],
    cid: str = "cl_a",
    follow_up_on: date | None = None,
) -> Referral:
    history = tuple(StatusChange(on, status, "") for on, status in changes)
    return Referral(
        id=rid,
        client_id=cid,
        partner_id="pa_1",
        service=ServiceKind.HOUSING,
        follow_up_on=follow_up_on,
        status=history[-1].status,
        history=history,
    )


def consent(
    coid: str,
    signed: date,
    expires: date,
    *,
    cid: str = "cl_a",
    partner: str = "pa_1",
    revoked: date | None = None,
) -> Consent:
    return Consent(
        id=coid,
        client_id=cid,
        partner_id=partner,
        shares="Name and phone number",
        purpose="Booking a first appointment",
        signed_on=signed,
        expires_on=expires,
        revoked_on=revoked,
    )


def court(
    lid: str,
    on: date,
    *,
    cid: str = "cl_a",
    kind: LegalKind = LegalKind.COURT_DATE,
    status: LegalStatus = LegalStatus.SCHEDULED,
    description: str = "",
) -> LegalMatter:
    return LegalMatter(
        id=lid, client_id=cid, kind=kind, status=status, on=on, description=description
    )


def block(
    bid: str,
    on: date,
    *,
    start: time = time(9),
    end: time = time(11),
    weekly: bool = False,
    until: date | None = None,
    kind: BlockKind = BlockKind.ADMIN,
    note: str = "",
) -> AdminBlock:
    return AdminBlock(
        id=bid,
        staff_id="st_1",
        kind=kind,
        on=on,
        start=start,
        end=end,
        weekly=weekly,
        until=until,
        note=note,
    )


def brief(items: Iterable[TodayItem]) -> list[tuple[Section, str, str]]:
    """(section, record id, detail) of each item, in order."""
    return [(i.section, i.record_id, i.detail) for i in items]


def sorted_items(items: Sequence[TodayItem]) -> list[TodayItem]:
    return sorted(items, key=lambda i: (i.section, i.rank))


# -- "this week" ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "day", "expected"),
    [
        (date(2026, 12, 31), date(2026, 12, 30), False),
        (date(2026, 12, 31), date(2026, 12, 31), True),  # day 0
        (date(2026, 12, 31), date(2027, 1, 6), True),  # day 6
        (date(2026, 12, 31), date(2027, 1, 7), False),  # day 7
        (date(2027, 1, 31), date(2027, 2, 6), True),
        (date(2027, 1, 31), date(2027, 2, 7), False),
        (date(2028, 2, 24), date(2028, 3, 1), True),  # 2028: Feb 29 is day 5
        (date(2028, 2, 24), date(2028, 3, 2), False),
        (date(2027, 2, 23), date(2027, 3, 1), True),  # 2027: no Feb 29, Mar 1 is day 6
        (date(2027, 2, 23), date(2027, 3, 2), False),
    ],
)
def test_this_week_is_the_seven_days_from_as_of(as_of: date, day: date, expected: bool) -> None:
    assert in_week(day, as_of) is expected


# -- check-ins -----------------------------------------------------------------------


def test_overdue_check_ins_come_most_overdue_first_then_by_name() -> None:
    as_of = date(2027, 3, 1)
    clients = [
        client("cl_zora", "Zora Quill", intake=date(2027, 2, 1)),  # due Feb 15: 14 late
        client("cl_abel", "Abel Finch", intake=date(2027, 2, 14)),  # due Feb 28: 1 late
        client("cl_mina", "Mina Reed", intake=date(2027, 1, 15)),  # due Jan 29: 31 late
        client("cl_bea", "bea Lark", intake=date(2027, 2, 1)),  # due Feb 15: 14 late
        client("cl_hold", "Hal Moss", intake=date(2026, 1, 1), status=ClientStatus.ON_HOLD),
        client("cl_now", "Nia Bell", intake=date(2027, 2, 15)),  # due Mar 1: today
    ]
    items = sorted_items(checkin_items(clients, {}, as_of))
    assert brief(items) == [
        (Section.OVERDUE, "cl_mina", "31 days overdue"),
        (Section.OVERDUE, "cl_bea", "14 days overdue"),
        (Section.OVERDUE, "cl_zora", "14 days overdue"),
        (Section.OVERDUE, "cl_abel", "1 day overdue"),
        (Section.DUE_THIS_WEEK, "cl_now", "due today"),
    ]
    assert [i.when for i in items] == [
        date(2027, 1, 29),
        date(2027, 2, 15),
        date(2027, 2, 15),
        date(2027, 2, 28),
        date(2027, 3, 1),
    ]
    assert {i.tab for i in items} == {"meetings"}
    assert all(i.client_id == i.record_id for i in items)


@pytest.mark.parametrize(
    ("as_of", "due", "section", "detail"),
    [
        (date(2026, 12, 31), date(2026, 12, 30), Section.OVERDUE, "1 day overdue"),
        (date(2026, 12, 31), date(2026, 12, 31), Section.DUE_THIS_WEEK, "due today"),
        (date(2026, 12, 31), date(2027, 1, 1), Section.DUE_THIS_WEEK, "due in 1 day"),
        (date(2026, 12, 31), date(2027, 1, 6), Section.DUE_THIS_WEEK, "due in 6 days"),
        (date(2026, 12, 31), date(2027, 1, 7), None, None),
        (date(2027, 1, 31), date(2027, 2, 6), Section.DUE_THIS_WEEK, "due in 6 days"),
        (date(2027, 1, 31), date(2027, 2, 7), None, None),
        (date(2027, 2, 1), date(2027, 1, 31), Section.OVERDUE, "1 day overdue"),
        (date(2028, 2, 26), date(2028, 2, 29), Section.DUE_THIS_WEEK, "due in 3 days"),
        (date(2028, 2, 26), date(2028, 3, 3), Section.DUE_THIS_WEEK, "due in 6 days"),
        (date(2028, 2, 26), date(2028, 3, 4), None, None),
        (date(2028, 3, 1), date(2028, 2, 29), Section.OVERDUE, "1 day overdue"),
        (date(2027, 2, 26), date(2027, 3, 4), Section.DUE_THIS_WEEK, "due in 6 days"),
        (date(2027, 2, 26), date(2027, 3, 5), None, None),
        (date(2027, 3, 1), date(2027, 2, 28), Section.OVERDUE, "1 day overdue"),
    ],
)
def test_check_in_due_this_week_boundaries(
    as_of: date, due: date, section: Section | None, detail: str | None
) -> None:
    items = checkin_items([client()], {"cl_a": agreed(due)}, as_of)
    if section is None:
        assert items == []
    else:
        [item] = items
        assert (item.section, item.when, item.detail) == (section, due, detail)


def test_due_this_week_is_ordered_soonest_first() -> None:
    as_of = date(2026, 12, 31)
    clients = [client("cl_b", "Bo"), client("cl_c", "Cy"), client("cl_d", "Di")]
    contacts = {
        "cl_b": agreed(date(2027, 1, 5)),
        "cl_c": agreed(date(2027, 1, 1)),
        "cl_d": agreed(date(2026, 12, 31)),
    }
    items = sorted_items(checkin_items(clients, contacts, as_of))
    assert [(i.record_id, i.detail) for i in items] == [
        ("cl_d", "due today"),
        ("cl_c", "due in 1 day"),
        ("cl_b", "due in 5 days"),
    ]


@pytest.mark.parametrize(
    ("last", "as_of", "expected"),
    [
        # 2028 is a leap year: Feb 15 + 14 days is Feb 29.
        (date(2028, 2, 15), date(2028, 2, 28), "due in 1 day"),
        (date(2028, 2, 15), date(2028, 2, 29), "due today"),
        (date(2028, 2, 15), date(2028, 3, 1), "1 day overdue"),
        # 2027 is not: Feb 15 + 14 days is Mar 1.
        (date(2027, 2, 15), date(2027, 2, 28), "due in 1 day"),
        (date(2027, 2, 15), date(2027, 3, 1), "due today"),
        (date(2027, 2, 15), date(2027, 3, 2), "1 day overdue"),
        # Jan 31 + 14 days across the month end.
        (date(2027, 1, 31), date(2027, 2, 14), "due today"),
        (date(2027, 1, 31), date(2027, 2, 16), "2 days overdue"),
    ],
)
def test_check_in_interval_over_month_ends_and_leap_days(
    last: date, as_of: date, expected: str
) -> None:
    contacts = {"cl_a": summarise_contact(meeting_dates([meeting("mt_1", last)]), as_of)}
    [item] = checkin_items([client(interval=14)], contacts, as_of)
    assert item.detail == expected


def test_a_planned_meeting_is_listed_but_does_not_count_as_contact() -> None:
    as_of = date(2027, 1, 31)
    meetings = [
        meeting("mt_past", date(2027, 1, 10)),  # due Jan 24: 7 days overdue
        meeting("mt_next", date(2027, 2, 2), kind=MeetingKind.CHECK_IN),
    ]
    contacts = {"cl_a": summarise_contact(meeting_dates(meetings), as_of)}
    items = today_items(as_of, clients=[client()], contacts=contacts, meetings=meetings)
    assert brief(items) == [
        (Section.OVERDUE, "cl_a", "7 days overdue"),
        (Section.MEETING, "mt_next", "Check-in"),
    ]


# -- planned meetings ----------------------------------------------------------------


def test_meetings_this_week_over_the_year_end() -> None:
    as_of = date(2026, 12, 31)
    meetings = [
        meeting("mt_yesterday", date(2026, 12, 30)),
        meeting("mt_day6", date(2027, 1, 6), kind=MeetingKind.PHONE_VIDEO),
        meeting("mt_today", date(2026, 12, 31), kind=MeetingKind.ACCOMPANIMENT),
        meeting("mt_day7", date(2027, 1, 7)),
    ]
    items = sorted_items(meeting_items(meetings, as_of))
    assert brief(items) == [
        (Section.MEETING, "mt_today", "Accompaniment"),
        (Section.MEETING, "mt_day6", "Phone / video"),
    ]
    assert [i.when for i in items] == [date(2026, 12, 31), date(2027, 1, 6)]
    assert [i.client_id for i in items] == ["cl_a", "cl_a"]


@pytest.mark.parametrize(
    ("as_of", "inside", "outside"),
    [
        (date(2028, 2, 24), [date(2028, 2, 29), date(2028, 3, 1)], [date(2028, 3, 2)]),
        (date(2027, 2, 23), [date(2027, 2, 28), date(2027, 3, 1)], [date(2027, 3, 2)]),
        (date(2027, 1, 31), [date(2027, 1, 31), date(2027, 2, 6)], [date(2027, 2, 7)]),
    ],
)
def test_meetings_this_week_around_february(
    as_of: date, inside: list[date], outside: list[date]
) -> None:
    meetings = [meeting(f"mt_{d.isoformat()}", d) for d in [*inside, *outside]]
    items = sorted_items(meeting_items(meetings, as_of))
    assert [i.when for i in items] == inside


def test_meetings_of_a_closed_client_are_not_listed() -> None:
    as_of = date(2027, 1, 31)
    items = today_items(
        as_of,
        clients=[client(status=ClientStatus.CLOSED), client("cl_b", "Bo")],
        contacts={"cl_b": agreed(date(2027, 3, 1))},
        meetings=[meeting("mt_a", as_of), meeting("mt_b", as_of, cid="cl_b")],
    )
    assert brief(items) == [(Section.MEETING, "mt_b", "Scheduled case meeting")]


# -- referrals -----------------------------------------------------------------------


def test_a_passed_follow_up_date_is_listed() -> None:
    as_of = date(2027, 2, 1)
    r = referral(
        "rf_1",
        (date(2027, 1, 25), ReferralStatus.REFERRED),
        follow_up_on=date(2027, 1, 31),
    )
    assert referral_reason(r, as_of, 14) == "follow-up was due 2027-01-31"
    [item] = referral_items([r], as_of, 14)
    assert (item.section, item.record_id, item.when, item.tab) == (
        Section.REFERRAL,
        "rf_1",
        date(2027, 1, 31),
        "referrals",
    )


def test_a_follow_up_due_today_is_listed_and_tomorrow_is_not() -> None:
    r = referral(
        "rf_1",
        (date(2028, 2, 20), ReferralStatus.SCHEDULED),
        follow_up_on=date(2028, 2, 29),
    )
    assert referral_reason(r, date(2028, 2, 29), 14) == "follow-up is due today"
    assert referral_reason(r, date(2028, 2, 28), 14) is None
    assert referral_items([r], date(2028, 2, 28), 14) == []


@pytest.mark.parametrize(
    ("last", "quiet_day", "stalled_day"),
    [
        (date(2026, 12, 18), date(2026, 12, 31), date(2027, 1, 1)),  # over the year end
        (date(2028, 2, 15), date(2028, 2, 28), date(2028, 2, 29)),  # leap year
        (date(2027, 2, 15), date(2027, 2, 28), date(2027, 3, 1)),  # not a leap year
        (date(2027, 1, 18), date(2027, 1, 31), date(2027, 2, 1)),  # month end
    ],
)
def test_stalled_after_the_default_fourteen_days_exactly(
    last: date, quiet_day: date, stalled_day: date
) -> None:
    assert DEFAULT_STALLED_AFTER_DAYS == 14
    r = referral("rf_1", (last, ReferralStatus.REFERRED))
    # 13 days quiet: not yet.
    assert (quiet_day - last).days == 13
    assert not is_stalled(r, quiet_day, DEFAULT_STALLED_AFTER_DAYS)
    assert referral_items([r], quiet_day, DEFAULT_STALLED_AFTER_DAYS) == []
    # 14 days quiet: stalled.
    assert (stalled_day - last).days == 14
    assert is_stalled(r, stalled_day, DEFAULT_STALLED_AFTER_DAYS)
    [item] = referral_items([r], stalled_day, DEFAULT_STALLED_AFTER_DAYS)
    assert item.detail == "stalled: no update for 14 days"
    assert item.when == last


def test_today_items_uses_fourteen_days_unless_told_otherwise() -> None:
    last = date(2027, 1, 1)
    r = referral("rf_1", (last, ReferralStatus.PLANNED))
    c = client()
    contacts = {"cl_a": agreed(date(2027, 3, 1))}
    assert today_items(date(2027, 1, 14), clients=[c], contacts=contacts, referrals=[r]) == []
    [item] = today_items(date(2027, 1, 15), clients=[c], contacts=contacts, referrals=[r])
    assert item.detail == "stalled: no update for 14 days"
    [item] = today_items(
        date(2027, 1, 8), clients=[c], contacts=contacts, referrals=[r], stalled_after_days=7
    )
    assert item.detail == "stalled: no update for 7 days"
    assert (
        today_items(
            date(2027, 1, 7), clients=[c], contacts=contacts, referrals=[r], stalled_after_days=7
        )
        == []
    )


@pytest.mark.parametrize("n", [1, 5, 30])
def test_stalled_days_are_configurable_with_an_exact_boundary(n: int) -> None:
    last = date(2028, 2, 29)
    r = referral("rf_1", (last, ReferralStatus.ATTENDING))
    before = last + timedelta(days=n - 1)
    at = last + timedelta(days=n)
    assert referral_reason(r, before, n) is None
    assert not is_stalled(r, before, n)
    assert referral_reason(r, at, n) == f"stalled: no update for {n} day{'s' if n > 1 else ''}"
    assert is_stalled(r, at, n)


def test_stalled_after_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        today_items(date(2027, 1, 1), clients=[], contacts={}, stalled_after_days=0)


def test_a_referral_marked_stalled_is_listed_at_once() -> None:
    as_of = date(2027, 1, 31)
    r = referral(
        "rf_1",
        (date(2027, 1, 20), ReferralStatus.REFERRED),
        (date(2027, 1, 31), ReferralStatus.STALLED),
    )
    assert is_stalled(r, as_of, 14)
    [item] = referral_items([r], as_of, 14)
    assert item.detail == "marked stalled"


@pytest.mark.parametrize(
    "status", [ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.UNAVAILABLE]
)
def test_finished_referrals_never_show(status: ReferralStatus) -> None:
    as_of = date(2027, 1, 31)
    r = referral(
        "rf_1",
        (date(2026, 6, 1), ReferralStatus.REFERRED),
        (date(2026, 7, 1), status),
        follow_up_on=date(2026, 8, 1),  # long passed
    )
    assert referral_reason(r, as_of, 14) is None
    assert not is_stalled(r, as_of, 1)
    assert referral_items([r], as_of, 1) == []
    items = today_items(
        as_of, clients=[client()], contacts={"cl_a": agreed(date(2027, 3, 1))}, referrals=[r]
    )
    assert items == []


def test_a_same_status_follow_up_entry_resets_the_stalled_clock() -> None:
    as_of = date(2027, 1, 20)
    first = casework.new_referral(
        client_id="cl_a",
        partner_id="pa_1",
        service=ServiceKind.SHELTER,
        on=date(2027, 1, 1),
        status=ReferralStatus.REFERRED,
    )
    assert referral_reason(first, as_of, 14) == "stalled: no update for 19 days"
    followed = casework.change_status(
        first, ReferralStatus.REFERRED, date(2027, 1, 10), "Called; still on the waiting list."
    )
    assert followed.status is ReferralStatus.REFERRED
    assert referral_reason(followed, as_of, 14) is None
    assert not is_stalled(followed, as_of, 14)
    # ...and the clock runs again from the follow-up.
    assert referral_reason(followed, date(2027, 1, 24), 14) == "stalled: no update for 14 days"


def test_logging_the_follow_up_takes_the_referral_off_today() -> None:
    r = referral(
        "rf_1",
        (date(2027, 1, 25), ReferralStatus.SCHEDULED),
        follow_up_on=date(2027, 1, 31),
    )
    assert referral_reason(r, date(2027, 2, 1), 14) == "follow-up was due 2027-01-31"
    followed = casework.change_status(
        r, ReferralStatus.SCHEDULED, date(2027, 2, 1), "Confirmed the appointment."
    )
    assert followed.follow_up_on is None
    assert referral_items([followed], date(2027, 2, 1), 14) == []
    # A check before the follow-up date leaves the date in place.
    early = casework.change_status(r, ReferralStatus.SCHEDULED, date(2027, 1, 28))
    assert referral_reason(early, date(2027, 1, 31), 14) == "follow-up is due today"


def test_referrals_are_ordered_by_how_long_they_have_waited() -> None:
    as_of = date(2027, 2, 1)
    items = sorted_items(
        referral_items(
            [
                referral("rf_new", (date(2027, 1, 18), ReferralStatus.REFERRED)),  # 14 days
                referral(
                    "rf_due",
                    (date(2027, 1, 30), ReferralStatus.SCHEDULED),
                    follow_up_on=date(2027, 2, 1),
                ),
                referral("rf_old", (date(2026, 12, 1), ReferralStatus.PLANNED)),
                referral(
                    "rf_fu",
                    (date(2027, 1, 20), ReferralStatus.REFERRED),
                    follow_up_on=date(2027, 1, 25),
                ),
            ],
            as_of,
            14,
        )
    )
    assert [(i.record_id, i.detail) for i in items] == [
        ("rf_old", "stalled: no update for 62 days"),
        ("rf_new", "stalled: no update for 14 days"),
        ("rf_fu", "follow-up was due 2027-01-25"),
        ("rf_due", "follow-up is due today"),
    ]


# -- consents ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expires", "detail"),
    [
        (date(2027, 1, 29), date(2027, 2, 28), "expires in 30 days"),
        (date(2027, 1, 29), date(2027, 3, 1), None),  # 31 days
        (date(2028, 1, 30), date(2028, 2, 29), "expires in 30 days"),
        (date(2028, 1, 30), date(2028, 3, 1), None),  # 31 days
        (date(2026, 12, 31), date(2027, 1, 30), "expires in 30 days"),
        (date(2026, 12, 31), date(2027, 1, 31), None),  # 31 days
        (date(2027, 1, 31), date(2027, 2, 1), "expires in 1 day"),
        (date(2028, 2, 29), date(2028, 2, 29), "expires today"),
        (date(2028, 3, 1), date(2028, 2, 29), "expired 2028-02-29"),
        (date(2027, 1, 1), date(2026, 12, 31), "expired 2026-12-31"),
    ],
)
def test_consents_expiring_within_thirty_days_or_expired(
    as_of: date, expires: date, detail: str | None
) -> None:
    c = consent("co_1", date(2026, 6, 1), expires)
    items = consent_items([c], as_of)
    if detail is None:
        assert items == []
    else:
        [item] = items
        assert (item.section, item.record_id, item.when, item.detail, item.tab) == (
            Section.CONSENT,
            "co_1",
            expires,
            detail,
            "consents",
        )


def test_an_expired_consent_renewed_for_the_same_partner_is_not_listed() -> None:
    as_of = date(2027, 2, 1)
    old = consent("co_old", date(2026, 8, 1), date(2027, 1, 31))
    renewal = consent("co_new", date(2027, 1, 20), date(2027, 7, 20))
    assert consent_items([old, renewal], as_of) == []
    # A renewal with another partner, or for another client, does not count.
    other_partner = consent("co_px", date(2027, 1, 20), date(2027, 7, 20), partner="pa_2")
    other_client = consent("co_cx", date(2027, 1, 20), date(2027, 7, 20), cid="cl_b")
    assert brief(consent_items([old, other_partner, other_client], as_of)) == [
        (Section.CONSENT, "co_old", "expired 2027-01-31")
    ]


def test_an_expiring_consent_already_renewed_is_not_listed() -> None:
    as_of = date(2028, 2, 20)
    old = consent("co_old", date(2027, 3, 1), date(2028, 2, 29))
    renewal = consent("co_new", date(2028, 2, 15), date(2029, 2, 15))
    assert consent_items([old, renewal], as_of) == []
    assert brief(consent_items([old], as_of)) == [(Section.CONSENT, "co_old", "expires in 9 days")]


def test_a_revoked_renewal_ends_the_story_rather_than_reviving_the_old_one() -> None:
    """The client renewed, then revoked: nothing is left to renew, so nothing is listed."""
    as_of = date(2027, 2, 1)
    old = consent("co_old", date(2026, 8, 1), date(2027, 1, 31))
    renewal = consent("co_new", date(2027, 1, 20), date(2027, 7, 20), revoked=date(2027, 1, 25))
    assert consent_items([old, renewal], as_of) == []
    assert brief(consent_items([old], as_of)) == [(Section.CONSENT, "co_old", "expired 2027-01-31")]


def test_only_the_newest_lapsed_consent_per_partner_is_listed() -> None:
    as_of = date(2027, 3, 1)
    first = consent("co_1", date(2025, 1, 1), date(2026, 1, 1))
    second = consent("co_2", date(2026, 1, 1), date(2027, 1, 31))
    assert brief(consent_items([first, second], as_of)) == [
        (Section.CONSENT, "co_2", "expired 2027-01-31")
    ]


def test_revoked_consents_are_not_listed() -> None:
    as_of = date(2027, 2, 1)
    expired_revoked = consent("co_1", date(2026, 8, 1), date(2027, 1, 20), revoked=date(2027, 1, 2))
    expiring_revoked = consent(
        "co_2", date(2026, 8, 1), date(2027, 2, 10), revoked=date(2027, 2, 1)
    )
    assert consent_items([expired_revoked, expiring_revoked], as_of) == []
    # The day before the revocation, the expiring one was still listed.
    assert brief(consent_items([expiring_revoked], date(2027, 1, 31))) == [
        (Section.CONSENT, "co_2", "expires in 10 days")
    ]


def test_a_consent_not_yet_signed_is_not_listed() -> None:
    assert (
        consent_items([consent("co_1", date(2027, 2, 2), date(2027, 2, 20))], date(2027, 2, 1))
        == []
    )


def test_consents_are_ordered_most_urgent_first() -> None:
    as_of = date(2027, 1, 31)
    items = sorted_items(
        consent_items(
            [
                consent("co_soon", date(2026, 6, 1), date(2027, 2, 10), partner="pa_1"),
                consent("co_gone", date(2026, 6, 1), date(2027, 1, 1), partner="pa_2"),
                consent("co_today", date(2026, 6, 1), date(2027, 1, 31), partner="pa_3"),
            ],
            as_of,
        )
    )
    assert [(i.record_id, i.detail) for i in items] == [
        ("co_gone", "expired 2027-01-01"),
        ("co_today", "expires today"),
        ("co_soon", "expires in 10 days"),
    ]


# -- court dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engagement", "listed"),
    [
        (LegalEngagement.CONSIDERING, True),
        (LegalEngagement.ENGAGED, True),
        (LegalEngagement.NOT_ENGAGED, False),
    ],
)
def test_court_dates_only_for_clients_engaging_with_the_legal_system(
    engagement: LegalEngagement, listed: bool
) -> None:
    as_of = date(2027, 1, 31)
    c = client(legal=engagement)
    matter = court("lm_1", date(2027, 2, 2), description="Protective order hearing")
    items = court_items([matter], {"cl_a": c}, as_of)
    if listed:
        assert brief(items) == [
            (Section.COURT_DATE, "lm_1", "Protective order hearing (in 2 days)")
        ]
        assert (items[0].when, items[0].tab) == (date(2027, 2, 2), "legal")
    else:
        assert items == []


def test_court_dates_this_week_only() -> None:
    as_of = date(2026, 12, 31)
    c = client(legal=LegalEngagement.ENGAGED)
    matters = [
        court("lm_past", date(2026, 12, 30)),
        court("lm_today", date(2026, 12, 31), status=LegalStatus.PENDING),
        court("lm_day6", date(2027, 1, 6), description="Custody hearing"),
        court("lm_day7", date(2027, 1, 7)),
    ]
    items = sorted_items(court_items(matters, {"cl_a": c}, as_of))
    assert brief(items) == [
        (Section.COURT_DATE, "lm_today", "Court date (today)"),
        (Section.COURT_DATE, "lm_day6", "Custody hearing (in 6 days)"),
    ]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (LegalKind.PROTECTIVE_ORDER, LegalStatus.SCHEDULED),
        (LegalKind.VICTIM_COMPENSATION, LegalStatus.PENDING),
        (LegalKind.COURT_DATE, LegalStatus.DONE),
        (LegalKind.COURT_DATE, LegalStatus.WITHDRAWN),
        (LegalKind.COURT_DATE, LegalStatus.CONSIDERING),
        (LegalKind.COURT_DATE, LegalStatus.GRANTED),
    ],
)
def test_only_upcoming_court_dates_are_listed(kind: LegalKind, status: LegalStatus) -> None:
    as_of = date(2028, 2, 28)
    c = client(legal=LegalEngagement.ENGAGED)
    matter = court("lm_1", date(2028, 2, 29), kind=kind, status=status)
    assert court_items([matter], {"cl_a": c}, as_of) == []


def test_court_date_on_a_leap_day() -> None:
    c = client(legal=LegalEngagement.CONSIDERING)
    matter = court("lm_1", date(2028, 2, 29))
    [item] = court_items([matter], {"cl_a": c}, date(2028, 2, 23))
    assert item.detail == "Court date (in 6 days)"
    assert court_items([matter], {"cl_a": c}, date(2028, 2, 22)) == []


# -- the case manager's own time -----------------------------------------------------


@pytest.mark.parametrize(
    ("blk", "day", "expected"),
    [
        (block("ab_1", date(2027, 1, 31)), date(2027, 1, 31), True),
        (block("ab_1", date(2027, 1, 31)), date(2027, 2, 7), False),  # not weekly
        (block("ab_1", date(2027, 1, 31), weekly=True), date(2027, 1, 24), False),  # before
        (block("ab_1", date(2027, 1, 31), weekly=True), date(2027, 2, 7), True),
        (block("ab_1", date(2027, 1, 31), weekly=True), date(2027, 2, 28), True),
        (block("ab_1", date(2027, 1, 31), weekly=True), date(2027, 3, 1), False),
        (block("ab_1", date(2028, 2, 22), weekly=True), date(2028, 2, 29), True),
        (block("ab_1", date(2028, 2, 22), weekly=True), date(2028, 3, 1), False),
        (block("ab_1", date(2027, 2, 22), weekly=True), date(2027, 3, 1), True),
        (
            block("ab_1", date(2026, 12, 31), weekly=True, until=date(2027, 1, 14)),
            date(2027, 1, 14),
            True,
        ),
        (
            block("ab_1", date(2026, 12, 31), weekly=True, until=date(2027, 1, 14)),
            date(2027, 1, 21),
            False,
        ),
        (
            block("ab_1", date(2026, 12, 31), weekly=True, until=date(2027, 1, 13)),
            date(2027, 1, 14),
            False,
        ),
    ],
)
def test_time_blocks_today(blk: AdminBlock, day: date, expected: bool) -> None:
    items = block_items([blk], day)
    assert [i.record_id for i in items] == (["ab_1"] if expected else [])
    if expected:
        assert (items[0].section, items[0].client_id, items[0].when) == (
            Section.TIME_BLOCK,
            None,
            day,
        )


def test_time_blocks_are_earliest_first_with_their_kind_and_note() -> None:
    as_of = date(2027, 1, 7)
    blocks = [
        block("ab_late", as_of, start=time(15), end=time(16, 30), kind=BlockKind.SELF_CARE),
        block(
            "ab_early",
            date(2026, 12, 31),
            weekly=True,
            start=time(8, 30),
            end=time(9),
            kind=BlockKind.SUPERVISION,
            note="with Jo",
        ),
        block("ab_other_day", date(2027, 1, 8)),
    ]
    items = sorted_items(block_items(blocks, as_of))
    assert brief(items) == [
        (Section.TIME_BLOCK, "ab_early", "08:30–09:00 Supervision: with Jo"),
        (Section.TIME_BLOCK, "ab_late", "15:00–16:30 Self-care"),
    ]


# -- everything together -------------------------------------------------------------


def test_today_items_come_in_section_order() -> None:
    as_of = date(2027, 1, 31)
    ana = client("cl_a", "Ana", legal=LegalEngagement.ENGAGED)
    ben = client("cl_b", "Ben")
    cat = client("cl_c", "Cat", status=ClientStatus.ON_HOLD)
    items = today_items(
        as_of,
        clients=[cat, ben, ana],
        contacts={"cl_a": agreed(date(2027, 1, 30)), "cl_b": agreed(date(2027, 2, 3))},
        meetings=[meeting("mt_1", date(2027, 2, 1), cid="cl_c")],
        referrals=[referral("rf_1", (date(2027, 1, 1), ReferralStatus.REFERRED), cid="cl_b")],
        consents=[consent("co_1", date(2026, 6, 1), date(2027, 2, 5), cid="cl_c")],
        legal_matters=[court("lm_1", date(2027, 2, 1))],
        blocks=[block("ab_1", date(2027, 1, 31), note="Case notes")],
    )
    assert brief(items) == [
        (Section.OVERDUE, "cl_a", "1 day overdue"),
        (Section.DUE_THIS_WEEK, "cl_b", "due in 3 days"),
        (Section.MEETING, "mt_1", "Scheduled case meeting"),
        (Section.COURT_DATE, "lm_1", "Court date (in 1 day)"),
        (Section.REFERRAL, "rf_1", "stalled: no update for 30 days"),
        (Section.CONSENT, "co_1", "expires in 5 days"),
        (Section.TIME_BLOCK, "ab_1", "09:00–11:00 Admin: Case notes"),
    ]
    assert [i.section.label for i in items] == [
        "Overdue check-in",
        "Check-in due",
        "Meeting this week",
        "Court date",
        "Referral follow-up",
        "Consent",
        "Your time",
    ]


def test_records_of_clients_out_of_scope_are_dropped() -> None:
    as_of = date(2027, 1, 31)
    items = today_items(
        as_of,
        clients=[client("cl_a", legal=LegalEngagement.ENGAGED)],
        contacts={"cl_a": agreed(date(2027, 3, 1))},
        meetings=[meeting("mt_x", as_of, cid="cl_x")],
        referrals=[referral("rf_x", (date(2026, 1, 1), ReferralStatus.REFERRED), cid="cl_x")],
        consents=[consent("co_x", date(2026, 1, 1), date(2027, 1, 1), cid="cl_x")],
        legal_matters=[court("lm_x", as_of, cid="cl_x")],
    )
    assert items == []


def test_a_closed_client_never_appears_whatever_points_at_them() -> None:
    as_of = date(2027, 1, 31)
    closed = client(status=ClientStatus.CLOSED, legal=LegalEngagement.ENGAGED)
    items = today_items(
        as_of,
        clients=[closed],
        contacts={"cl_a": agreed(date(2026, 1, 1))},
        meetings=[meeting("mt_1", as_of)],
        referrals=[referral("rf_1", (date(2026, 1, 1), ReferralStatus.STALLED))],
        consents=[consent("co_1", date(2026, 1, 1), date(2027, 1, 1))],
        legal_matters=[court("lm_1", as_of)],
        blocks=[block("ab_1", as_of)],
    )
    assert brief(items) == [(Section.TIME_BLOCK, "ab_1", "09:00–11:00 Admin")]


# -- property: closed clients never show ---------------------------------------------

AS_OF = date(2028, 2, 27)
DAYS = st.integers(-60, 20).map(lambda n: AS_OF + timedelta(days=n))
CLIENT_IDS = [f"cl_{i}" for i in range(5)]
client_ids = st.sampled_from(CLIENT_IDS)


@st.composite
def clients_st(draw: st.DrawFn) -> list[Client]:
    return [
        client(
            cid,
            f"Client {cid}",
            status=draw(st.sampled_from(list(ClientStatus))),
            intake=draw(st.dates(date(2027, 6, 1), AS_OF)),
            interval=draw(st.integers(1, 60)),
            legal=draw(st.sampled_from(list(LegalEngagement))),
        )
        for cid in CLIENT_IDS
    ]


@st.composite
def meetings_st(draw: st.DrawFn) -> Meeting:
    on = draw(DAYS)
    gap = draw(st.none() | st.integers(0, 40))
    return Meeting(
        id=f"mt_{draw(st.integers(0, 10**6))}",
        client_id=draw(client_ids),
        on=on,
        kind=draw(st.sampled_from(list(MeetingKind))),
        next_checkin=None if gap is None else on + timedelta(days=gap),
    )


@st.composite
def referrals_st(draw: st.DrawFn) -> Referral:
    days = sorted(draw(st.lists(DAYS, min_size=1, max_size=4)))
    statuses = draw(st.lists(st.sampled_from(list(ReferralStatus)), min_size=len(days)))
    follow = draw(st.none() | DAYS)
    return Referral(
        id=f"rf_{draw(st.integers(0, 10**6))}",
        client_id=draw(client_ids),
        partner_id=draw(st.sampled_from(["pa_1", "pa_2"])),
        service=ServiceKind.OTHER,
        follow_up_on=follow,
        status=statuses[len(days) - 1],
        history=tuple(StatusChange(d, s) for d, s in zip(days, statuses, strict=False)),
    )


@st.composite
def consents_st(draw: st.DrawFn) -> Consent:
    signed = draw(DAYS)
    expires = signed + timedelta(days=draw(st.integers(1, 90)))
    revoked = draw(st.none() | st.integers(0, 90).map(lambda n: signed + timedelta(days=n)))
    return consent(
        f"co_{draw(st.integers(0, 10**6))}",
        signed,
        expires,
        cid=draw(client_ids),
        partner=draw(st.sampled_from(["pa_1", "pa_2"])),
        revoked=revoked,
    )


@st.composite
def legal_st(draw: st.DrawFn) -> LegalMatter:
    return court(
        f"lm_{draw(st.integers(0, 10**6))}",
        draw(DAYS),
        cid=draw(client_ids),
        kind=draw(st.sampled_from(list(LegalKind))),
        status=draw(st.sampled_from(list(LegalStatus))),
    )


@st.composite
def blocks_st(draw: st.DrawFn) -> AdminBlock:
    weekly = draw(st.booleans())
    on = draw(DAYS)
    until = draw(st.none() | st.integers(0, 60).map(lambda n: on + timedelta(days=n)))
    return block(
        f"ab_{draw(st.integers(0, 10**6))}",
        on,
        weekly=weekly,
        until=until if weekly else None,
    )


@settings(max_examples=150, deadline=None)
@given(
    clients=clients_st(),
    meetings=st.lists(meetings_st(), max_size=8),
    referrals=st.lists(referrals_st(), max_size=8),
    consents=st.lists(consents_st(), max_size=8),
    legal=st.lists(legal_st(), max_size=6),
    blocks=st.lists(blocks_st(), max_size=3),
    stalled=st.integers(1, 30),
)
def test_today_never_lists_a_closed_client(
    clients: list[Client],
    meetings: list[Meeting],
    referrals: list[Referral],
    consents: list[Consent],
    legal: list[LegalMatter],
    blocks: list[AdminBlock],
    stalled: int,
) -> None:
    closed = {c.id for c in clients if c.status is ClientStatus.CLOSED}
    open_ids = {c.id for c in clients} - closed
    contacts = {
        c.id: summarise_contact(meeting_dates(m for m in meetings if m.client_id == c.id), AS_OF)
        for c in clients
    }
    items = today_items(
        AS_OF,
        clients=clients,
        contacts=contacts,
        meetings=meetings,
        referrals=referrals,
        consents=consents,
        legal_matters=legal,
        blocks=blocks,
        stalled_after_days=stalled,
    )
    assert not [i for i in items if i.client_id in closed]
    assert {i.client_id for i in items} <= open_ids | {None}
    # Items stay in section order, most pressing first.
    assert items == sorted(items, key=lambda i: (i.section, i.rank))
    # Dropping the closed clients and everything of theirs changes nothing.
    assert items == today_items(
        AS_OF,
        clients=[c for c in clients if c.id in open_ids],
        contacts=contacts,
        meetings=[m for m in meetings if m.client_id in open_ids],
        referrals=[r for r in referrals if r.client_id in open_ids],
        consents=[c for c in consents if c.client_id in open_ids],
        legal_matters=[m for m in legal if m.client_id in open_ids],
        blocks=blocks,
        stalled_after_days=stalled,
    )


@pytest.mark.parametrize(
    ("expired", "listed"),
    [
        (date(2026, 11, 3), True),  # 89 days before as_of
        (date(2026, 11, 2), True),  # 90 days: the last day it is listed
        (date(2026, 11, 1), False),  # 91 days
    ],
)
def test_an_expired_consent_leaves_today_after_ninety_days(expired: date, listed: bool) -> None:
    as_of = date(2027, 1, 31)
    old = consent("co_old", date(2025, 11, 1), expired)
    assert [i.record_id for i in consent_items([old], as_of)] == (["co_old"] if listed else [])
