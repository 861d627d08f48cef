"""Check-in, overdue, capacity and goal rules, with fixed dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetui.core.catalog import CATALOG, CATALOG_BY_KEY, catalog_for
from casetui.core.choices import ClientStatus, GoalStatus, Horizon, NeedStatus
from casetui.core.records import Client, Meeting, Staff
from casetui.core.rules import (
    Capacity,
    ClientSummary,
    ContactSummary,
    capacity_of,
    caseload_count,
    caseload_row,
    days_overdue,
    goal_count_note,
    goal_progress,
    is_overdue,
    meeting_dates,
    next_checkin_due,
    open_need_count,
    summarise_contact,
)


def client(
    *,
    intake: date = date(2024, 1, 31),
    interval: int = 14,
    status: str = "active",
    cm: str = "st_1",
) -> Client:
    return Client(
        id="cl_1",
        preferred_name="Mei Ambersparrow",
        intake_date=intake,
        status=status,
        case_manager_id=cm,
        checkin_interval_days=interval,
    )


def meeting(on: date, next_checkin: date | None = None, mid: str = "mt_1") -> Meeting:
    return Meeting(id=mid, client_id="cl_1", on=on, next_checkin=next_checkin)


def test_with_no_meetings_the_interval_runs_from_intake() -> None:
    due = next_checkin_due(client(intake=date(2024, 1, 31), interval=30), ContactSummary())
    assert due == date(2024, 3, 1)  # 2024 is a leap year: Jan 31 + 30 days


def test_the_interval_runs_from_the_last_contact_across_a_leap_day() -> None:
    contact = summarise_contact(
        meeting_dates([meeting(date(2024, 2, 20)), meeting(date(2024, 2, 1))])
    )
    assert contact.last_contact == date(2024, 2, 20)
    assert next_checkin_due(client(interval=14), contact) == date(2024, 3, 5)


def test_a_date_agreed_at_the_latest_meeting_wins_over_the_interval() -> None:
    contact = summarise_contact(
        [(date(2025, 12, 20), date(2026, 1, 10)), (date(2025, 12, 1), date(2025, 12, 8))]
    )
    assert next_checkin_due(client(interval=7), contact) == date(2026, 1, 10)


def test_an_older_agreed_date_does_not_outlive_a_newer_meeting() -> None:
    contact = summarise_contact([(date(2025, 1, 1), date(2025, 6, 1)), (date(2025, 1, 20), None)])
    assert contact == ContactSummary(date(2025, 1, 20), None)
    assert next_checkin_due(client(interval=14), contact) == date(2025, 2, 3)


def test_two_meetings_on_one_day_keep_the_agreed_date() -> None:
    contact = summarise_contact([(date(2025, 3, 3), date(2025, 3, 17)), (date(2025, 3, 3), None)])
    assert contact.agreed_next_checkin == date(2025, 3, 17)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 2, 28), 0),  # due on Feb 28 (2025 is not a leap year): not yet overdue
        (date(2025, 3, 1), 1),
        (date(2025, 3, 31), 31),
        (date(2025, 2, 1), 0),
    ],
)
def test_days_overdue_across_a_month_end(as_of: date, expected: int) -> None:
    contact = summarise_contact([(date(2025, 1, 31), None)])
    c = client(interval=28)
    assert next_checkin_due(c, contact) == date(2025, 2, 28)
    assert days_overdue(c, contact, as_of) == expected
    assert is_overdue(c, contact, as_of) is (expected > 0)


def test_leap_day_due_date() -> None:
    contact = summarise_contact([(date(2028, 2, 22), date(2028, 2, 29))])
    assert days_overdue(client(), contact, date(2028, 2, 29)) == 0
    assert days_overdue(client(), contact, date(2028, 3, 1)) == 1


@pytest.mark.parametrize("status", ["on_hold", "closed"])
def test_clients_on_hold_or_closed_are_never_overdue(status: str) -> None:
    c = client(status=status, intake=date(2020, 1, 1))
    assert next_checkin_due(c, ContactSummary()) is None
    assert days_overdue(c, ContactSummary(), date(2026, 1, 1)) == 0


@given(
    st.lists(
        st.tuples(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 60)),
        max_size=8,
    ),
    st.permutations(range(8)),
)
def test_contact_summary_does_not_depend_on_meeting_order(
    pairs: list[tuple[date, int]], order: list[int]
) -> None:
    meetings = [(on, on + timedelta(days=gap) if gap else None) for on, gap in pairs]
    shuffled = [meetings[i] for i in order if i < len(meetings)]
    assert summarise_contact(meetings) == summarise_contact(shuffled)


def test_capacity_counts_active_and_on_hold_but_not_closed() -> None:
    clients = [
        client(status="active"),
        client(status="on_hold"),
        client(status="closed"),
        client(status="active", cm="st_2"),
    ]
    staff = Staff(id="st_1", name="Priya Oakhaven", capacity=2)
    assert caseload_count("st_1", clients) == 2
    cap = capacity_of(staff, clients)
    assert cap == Capacity(2, 2)
    assert (cap.over, cap.remaining, cap.describe()) == (False, 0, "2 of 2 clients")
    over = Capacity(26, 25)
    assert over.over
    assert over.describe() == "26 of 25 clients"


def test_goal_progress_leaves_out_revised_goals() -> None:
    statuses = [GoalStatus.ACHIEVED, GoalStatus.REVISED, GoalStatus.IN_PROGRESS, GoalStatus.PAUSED]
    assert goal_progress(statuses) == (1, 3)


def test_more_than_five_active_goals_earns_a_gentle_note() -> None:
    five = [GoalStatus.IN_PROGRESS] * 3 + [GoalStatus.NOT_STARTED] * 2 + [GoalStatus.ACHIEVED]
    assert goal_count_note(five) is None
    note = goal_count_note([*five, GoalStatus.NOT_STARTED])
    assert note is not None
    assert note.startswith("6 goals are active")
    assert "fine to keep them all" in note


def test_open_needs_are_needed_or_in_progress() -> None:
    statuses = [NeedStatus.NEEDED, NeedStatus.IN_PROGRESS, NeedStatus.MET, NeedStatus.DECLINED]
    assert open_need_count(statuses) == 2


def test_caseload_row_combines_the_figures() -> None:
    summary = ClientSummary(ContactSummary(date(2026, 1, 1), None), 3, 1, 4)
    row = caseload_row(client(interval=14), "Priya Oakhaven", summary, date(2026, 1, 20))
    assert row.next_checkin == date(2026, 1, 15)
    assert row.days_overdue == 5
    assert row.overdue
    assert (row.open_needs, row.goals_achieved, row.goals_total) == (3, 1, 4)


STANDARD_NEEDS = {
    Horizon.SHORT_TERM: [
        "Safety plan",
        "Secure shelter",
        "Food",
        "Clothing",
        "Personal necessities",
        "Acute medical and dental care",
        "Information",
        "Advocacy",
    ],
    Horizon.INTERMEDIATE: [
        "Ongoing medical and dental care",
        "Mental health services",
        "Transitional housing",
        "Education",
        "Job training",
        "Work permit",
    ],
    Horizon.LONG_TERM: [
        "Life and social skills",
        "Life stabilisation",
        "Employment assistance",
        "Resolution of immigration status",
        "Independent permanent housing",
        "Advanced education",
        "Continued safety planning",
    ],
}


@pytest.mark.parametrize("horizon", list(Horizon))
def test_the_catalog_holds_every_need_the_standard_names(horizon: Horizon) -> None:
    labels = {need.label for need in catalog_for(horizon) if need.standard}
    assert set(STANDARD_NEEDS[horizon]) <= labels


def test_catalog_keys_are_unique() -> None:
    assert len(CATALOG_BY_KEY) == len(CATALOG)


def test_client_status_enum_matches_the_caseload_statuses() -> None:
    assert {s.value for s in ClientStatus} == {"active", "on_hold", "closed"}
