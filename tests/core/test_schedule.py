"""The case manager's week: recurrence, hours against targets, overlaps and edits.

Every date is fixed. Blocks are wall-clock times on calendar days, so weeks that
hold a daylight-saving change or a year end behave like any other week.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta

import pytest

from casetui.core.choices import BlockKind
from casetui.core.errors import ValidationError
from casetui.core.fields import DateListSpec, OptionalTimeSpec
from casetui.core.records import AdminBlock, Client, Meeting, Staff
from casetui.core.rules import Capacity
from casetui.core.schedule import (
    ADMIN_KINDS,
    KIND_LETTERS,
    MeetingSlot,
    Slot,
    collisions,
    hours_by_kind,
    meeting_slots,
    overlaps,
    remove_occurrence,
    split_edit,
    week_days,
    week_of,
    week_prompts,
    week_slots,
    week_summary,
)
from casetui.core.timeshift import shift_document
from casetui.services import caseload_view, week_view
from casetui.vault.vault import Vault

# Five (six) Mondays in a row, used by the edit tests.
W1, W2, W3, W4, W5, W6 = (date(2027, 1, 4) + timedelta(weeks=i) for i in range(6))
MONDAYS = [W1, W2, W3, W4, W5, W6]


def block(
    on: date,
    start: time = time(9),
    end: time = time(11),
    *,
    bid: str = "ab_1",
    kind: BlockKind = BlockKind.ADMIN,
    weekly: bool = False,
    until: date | None = None,
    skipped: tuple[date, ...] = (),
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
        skipped=skipped,
        note=note,
    )


def meeting(on: date, at: time | None = None, *, minutes: int = 60, mid: str = "mt_1") -> Meeting:
    return Meeting(id=mid, client_id="cl_1", on=on, at=at, duration_minutes=minutes)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def occurrences(b: AdminBlock, first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` (inclusive) on which ``b`` happens."""
    return [d for d in days_between(first, last) if b.occurs_on(d)]


def on_mondays(*blocks: AdminBlock) -> list[list[date]]:
    """For each block, the Mondays W1..W6 it happens on."""
    return [[d for d in MONDAYS if b.occurs_on(d)] for b in blocks]


def slot_view(slots: list[Slot]) -> list[tuple[str, date, int, int]]:
    return [(s.block.id, s.day, s.start, s.end) for s in slots]


# -- week_of / week_days -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2027, 1, 4), date(2027, 1, 4)),  # a Monday is its own week
        (date(2027, 1, 10), date(2027, 1, 4)),  # Sunday ends the week
        (date(2026, 12, 31), date(2026, 12, 28)),  # Thursday, year end
        (date(2027, 1, 1), date(2026, 12, 28)),  # Friday, new year, last year's Monday
        (date(2028, 1, 2), date(2027, 12, 27)),  # Sunday, year end
        (date(2028, 2, 29), date(2028, 2, 28)),  # leap day (a Tuesday)
        (date(2028, 3, 5), date(2028, 2, 28)),  # Sunday after the leap day
        (date(2026, 3, 29), date(2026, 3, 23)),  # EU clocks go forward
        (date(2026, 11, 1), date(2026, 10, 26)),  # US clocks go back
    ],
)
def test_week_of_maps_any_day_to_its_monday(day: date, monday: date) -> None:
    assert week_of(day) == monday
    assert week_of(day).weekday() == 0


def test_week_days_are_seven_days_from_monday_across_the_year_end() -> None:
    assert week_days(date(2026, 12, 28)) == [
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]


def test_week_days_include_the_leap_day() -> None:
    assert week_days(date(2028, 2, 28)) == [
        date(2028, 2, 28),
        date(2028, 2, 29),
        date(2028, 3, 1),
        date(2028, 3, 2),
        date(2028, 3, 3),
        date(2028, 3, 4),
        date(2028, 3, 5),
    ]


def test_every_day_of_a_week_maps_back_to_its_monday() -> None:
    monday = date(2027, 12, 27)
    assert {week_of(d) for d in week_days(monday)} == {monday}


# -- recurrence ----------------------------------------------------------------------


def test_a_one_off_block_happens_on_its_day_only() -> None:
    once = block(date(2027, 1, 6))
    assert occurrences(once, date(2026, 12, 1), date(2027, 3, 1)) == [date(2027, 1, 6)]


def test_a_weekly_block_repeats_on_its_weekday_across_the_year_end() -> None:
    wednesdays = block(date(2026, 12, 9), weekly=True)
    assert occurrences(wednesdays, date(2026, 12, 1), date(2027, 1, 31)) == [
        date(2026, 12, 9),
        date(2026, 12, 16),
        date(2026, 12, 23),
        date(2026, 12, 30),
        date(2027, 1, 6),
        date(2027, 1, 13),
        date(2027, 1, 20),
        date(2027, 1, 27),
    ]
    assert not wednesdays.occurs_on(date(2026, 12, 2)), "not before its first day"


def test_a_weekly_block_crosses_the_leap_day() -> None:
    tuesdays = block(date(2028, 2, 15), weekly=True)
    assert occurrences(tuesdays, date(2028, 2, 1), date(2028, 3, 14)) == [
        date(2028, 2, 15),
        date(2028, 2, 22),
        date(2028, 2, 29),
        date(2028, 3, 7),
        date(2028, 3, 14),
    ]


def test_week_slots_across_the_year_end_hold_each_block_once_in_order() -> None:
    wednesdays = block(date(2026, 12, 9), bid="ab_wed", weekly=True)
    thursdays = block(
        date(2026, 12, 31), time(13), time(14), bid="ab_thu", weekly=True, until=date(2027, 1, 14)
    )
    new_year = block(date(2027, 1, 1), time(8), time(9), bid="ab_fri")
    slots = week_slots([thursdays, new_year, wednesdays], date(2026, 12, 28))
    assert slot_view(slots) == [
        ("ab_wed", date(2026, 12, 30), 540, 660),
        ("ab_thu", date(2026, 12, 31), 780, 840),
        ("ab_fri", date(2027, 1, 1), 480, 540),
    ]
    next_week = week_slots([thursdays, new_year, wednesdays], date(2027, 1, 4))
    assert slot_view(next_week) == [
        ("ab_wed", date(2027, 1, 6), 540, 660),
        ("ab_thu", date(2027, 1, 7), 780, 840),
    ]


@pytest.mark.parametrize(
    "change_day",
    [
        date(2026, 3, 29),  # Europe: clocks go forward
        date(2026, 10, 25),  # Europe: clocks go back
        date(2026, 3, 8),  # US: clocks go forward
        date(2026, 11, 1),  # US: clocks go back
    ],
)
def test_blocks_keep_their_wall_clock_hours_across_daylight_saving(change_day: date) -> None:
    # A Sunday block that started three weeks earlier lands on the change day itself,
    # and a Monday block lands before and after it.
    sundays = block(change_day - timedelta(weeks=3), bid="ab_sun", weekly=True)
    mondays = block(week_of(change_day) - timedelta(weeks=2), bid="ab_mon", weekly=True)
    for weeks in (-1, 0, 1):
        monday = week_of(change_day) + timedelta(weeks=weeks)
        slots = week_slots([sundays, mondays], monday)
        assert slot_view(slots) == [
            ("ab_mon", monday, 540, 660),
            ("ab_sun", monday + timedelta(days=6), 540, 660),
        ]
        assert [s.hours for s in slots] == [2.0, 2.0]
        assert hours_by_kind(slots)[BlockKind.ADMIN] == 4.0
    assert sundays.occurs_on(change_day)


def test_until_is_inclusive() -> None:
    mondays = block(W1, weekly=True, until=W4)
    assert occurrences(mondays, W1, W6 + timedelta(days=6)) == [W1, W2, W3, W4]
    assert mondays.occurs_on(W4)
    assert not mondays.occurs_on(W5)


def test_until_on_an_off_day_ends_after_the_last_occurrence_before_it() -> None:
    mondays = block(W1, weekly=True, until=W3 + timedelta(days=2))
    assert occurrences(mondays, W1, W6) == [W1, W2, W3]


def test_a_weekly_block_with_until_its_first_day_happens_once() -> None:
    assert occurrences(block(W1, weekly=True, until=W1), W1, W6) == [W1]


def test_skipped_days_do_not_happen_and_others_still_do() -> None:
    mondays = block(W1, weekly=True, skipped=(W2, W4))
    assert occurrences(mondays, W1, W6) == [W1, W3, W5, W6]
    assert week_slots([mondays], W2) == []
    assert slot_view(week_slots([mondays], W3)) == [("ab_1", W3, 540, 660)]


def test_a_skipped_day_off_the_weekday_changes_nothing() -> None:
    mondays = block(W1, weekly=True, skipped=(W2 + timedelta(days=1),))
    assert occurrences(mondays, W1, W6) == MONDAYS


def test_skipped_and_until_together() -> None:
    mondays = block(W1, weekly=True, until=W5, skipped=(W1, W3))
    assert occurrences(mondays, W1 - timedelta(days=7), W6 + timedelta(days=7)) == [W2, W4, W5]


def test_week_slots_sort_by_day_then_time() -> None:
    late = block(W1, time(14), time(15), bid="ab_late", weekly=True)
    early = block(W1, time(8), time(9), bid="ab_early", weekly=True)
    tuesday = block(W1 + timedelta(days=1), time(7), time(8), bid="ab_tue")
    assert slot_view(week_slots([tuesday, late, early], W1)) == [
        ("ab_early", W1, 480, 540),
        ("ab_late", W1, 840, 900),
        ("ab_tue", W1 + timedelta(days=1), 420, 480),
    ]


# -- hours and the week summary ------------------------------------------------------


def a_full_week() -> list[AdminBlock]:
    """Week of W2: admin 2 h + documentation 1.5 h, self-care 0.75 h, and others."""
    return [
        block(W1, time(9), time(11), bid="ab_adm", weekly=True),
        block(
            W2 + timedelta(days=1),
            time(13),
            time(14, 30),
            bid="ab_doc",
            kind=BlockKind.DOCUMENTATION,
        ),
        block(
            W2 + timedelta(days=2), time(12), time(12, 45), bid="ab_sc", kind=BlockKind.SELF_CARE
        ),
        block(W1, time(10), time(11), bid="ab_sup", kind=BlockKind.SUPERVISION, weekly=True),
        block(W2 + timedelta(days=4), time(9), time(12), bid="ab_tr", kind=BlockKind.TRAINING),
        # Not this week: one-offs the week before and after.
        block(W1 + timedelta(days=2), time(9), time(17), bid="ab_prev", kind=BlockKind.SELF_CARE),
        block(W3, time(9), time(17), bid="ab_next"),
    ]


def test_hours_by_kind_counts_every_kind_in_the_week() -> None:
    assert hours_by_kind(week_slots(a_full_week(), W2)) == {
        BlockKind.ADMIN: 2.0,
        BlockKind.SELF_CARE: 0.75,
        BlockKind.SUPERVISION: 1.0,
        BlockKind.TRAINING: 3.0,
        BlockKind.DOCUMENTATION: 1.5,
    }


def test_hours_by_kind_of_an_empty_week_is_zero_for_every_kind() -> None:
    assert hours_by_kind([]) == dict.fromkeys(BlockKind, 0.0)


def test_admin_kinds_and_letters() -> None:
    assert frozenset({BlockKind.ADMIN, BlockKind.DOCUMENTATION}) == ADMIN_KINDS
    assert set(KIND_LETTERS) == set(BlockKind)
    assert len(set(KIND_LETTERS.values())) == len(KIND_LETTERS)


def test_staff_self_care_target_defaults_to_two_hours() -> None:
    staff = Staff(id="st_1", name="Robin Testwell")
    assert (staff.admin_hours_target, staff.self_care_hours_target) == (6.0, 2.0)


def test_week_summary_counts_admin_and_documentation_as_admin_and_self_care_apart() -> None:
    staff = Staff(id="st_1", name="Robin Testwell", admin_hours_target=3.5)
    capacity = Capacity(10, 25)
    summary = week_summary(staff, week_slots(a_full_week(), W2), 4, capacity)
    assert summary.admin_hours == 3.5
    assert summary.self_care_hours == 0.75
    assert (summary.admin_target, summary.self_care_target) == (3.5, 2.0)
    assert summary.meetings == 4
    assert summary.capacity == capacity
    assert summary.prompts == (), "all is well: admin on target, some self-care, room left"


def staff(admin_target: float = 6.0) -> Staff:
    return Staff(id="st_1", name="Robin Testwell", admin_hours_target=admin_target)


NO_SELF_CARE = "No self-care is planned this week."
ADMIN_UNDER = "Admin time is"
OVER = "The caseload is"


@pytest.mark.parametrize(
    ("admin", "self_care", "capacity", "expected"),
    [
        (6.0, 1.0, Capacity(25, 25), []),  # admin exactly on target, full but not over
        (7.5, 0.25, Capacity(3, 25), []),
        (6.0, 0.0, Capacity(3, 25), [NO_SELF_CARE]),
        (5.5, 1.0, Capacity(3, 25), [ADMIN_UNDER]),
        (6.0, 1.0, Capacity(26, 25), [OVER]),
        (0.0, 0.0, Capacity(30, 25), [NO_SELF_CARE, ADMIN_UNDER, OVER]),
    ],
)
def test_each_prompt_appears_exactly_when_it_should(
    admin: float, self_care: float, capacity: Capacity, expected: list[str]
) -> None:
    prompts = week_prompts(admin, self_care, staff(), capacity)
    assert len(prompts) == len(expected)
    for prompt, start in zip(prompts, expected, strict=True):
        assert prompt.startswith(start)


def test_prompts_name_the_figures() -> None:
    admin, over = week_prompts(2.5, 1.0, staff(6.0), Capacity(27, 25))
    assert admin.startswith("Admin time is 2.5 h of the 6 h you aim for.")
    assert over.startswith("The caseload is 27 of 25 clients.")


def test_the_summary_prompts_follow_the_week() -> None:
    none_planned = week_summary(staff(0.0), [], 0, Capacity(0, 25))
    assert [p.split(".")[0] for p in none_planned.prompts] == ["No self-care is planned this week"]
    assert none_planned.admin_hours == 0.0
    slots = week_slots(a_full_week(), W2)
    under = week_summary(staff(6.0), slots, 0, Capacity(26, 25))
    assert [p.split(" ")[0] for p in under.prompts] == ["Admin", "The"]
    assert under.capacity.over


@pytest.mark.parametrize("word", ["must", "failed", "should", "fail", "never", "!"])
def test_prompts_are_gentle(word: str) -> None:
    prompts = week_prompts(0.0, 0.0, staff(), Capacity(40, 25))
    assert len(prompts) == 3
    for prompt in prompts:
        assert word not in prompt.lower()


# -- overlaps and collisions ---------------------------------------------------------


def pair_ids(pairs: list[tuple[Slot, Slot]]) -> list[tuple[str, str]]:
    return [(a.block.id, b.block.id) for a, b in pairs]


def test_blocks_sharing_time_on_the_same_day_overlap() -> None:
    a = block(W1, time(9), time(11), bid="ab_a")
    b = block(W1, time(10, 30), time(12), bid="ab_b")
    inside = block(W1, time(9, 15), time(9, 45), bid="ab_c")
    pairs = overlaps(week_slots([a, b, inside], W1))
    assert pair_ids(pairs) == [("ab_a", "ab_c"), ("ab_a", "ab_b")]


def test_touching_ends_do_not_overlap() -> None:
    a = block(W1, time(10), time(11), bid="ab_a")
    b = block(W1, time(11), time(12), bid="ab_b")
    assert overlaps(week_slots([a, b], W1)) == []


def test_the_same_hours_on_different_days_do_not_overlap() -> None:
    a = block(W1, bid="ab_a")
    b = block(W1 + timedelta(days=1), bid="ab_b")
    assert overlaps(week_slots([a, b], W1)) == []


def test_a_weekly_block_overlaps_a_one_off_in_a_later_week_only_that_week() -> None:
    weekly = block(W1, time(9), time(11), bid="ab_weekly", weekly=True)
    once = block(W3, time(10), time(10, 30), bid="ab_once")
    [(a, b)] = overlaps(week_slots([weekly, once], W3))
    assert (a.block.id, b.block.id, a.day, b.day) == ("ab_weekly", "ab_once", W3, W3)
    assert overlaps(week_slots([weekly, once], W2)) == []
    assert overlaps(week_slots([weekly, once], W4)) == []


def test_a_skipped_occurrence_does_not_overlap() -> None:
    weekly = block(W1, bid="ab_weekly", weekly=True, skipped=(W3,))
    once = block(W3, time(10), time(12), bid="ab_once")
    assert overlaps(week_slots([weekly, once], W3)) == []


def test_meeting_slots_keep_the_week_only_and_place_timed_meetings() -> None:
    meetings = [
        meeting(W1 + timedelta(days=2), time(14), minutes=90, mid="mt_wed"),
        meeting(W1 + timedelta(days=2), None, mid="mt_untimed"),
        meeting(W1, time(23, 30), mid="mt_late"),
        meeting(W1 - timedelta(days=1), time(9), mid="mt_before"),
        meeting(W2, time(9), mid="mt_after"),
    ]
    slots = meeting_slots(meetings, W1)
    assert [(s.meeting.id, s.day, s.start, s.end) for s in slots] == [
        ("mt_late", W1, 1410, 1440),  # clipped at midnight
        ("mt_untimed", W1 + timedelta(days=2), None, None),
        ("mt_wed", W1 + timedelta(days=2), 840, 930),
    ]


def collision_ids(slots: list[Slot], meetings: list[MeetingSlot]) -> list[tuple[str, str]]:
    return [(s.block.id, m.meeting.id) for s, m in collisions(slots, meetings)]


def test_a_timed_meeting_sharing_time_with_a_block_collides() -> None:
    admin = week_slots([block(W1, time(9), time(11), bid="ab_a", weekly=True)], W2)
    meetings = meeting_slots([meeting(W2, time(10, 30), mid="mt_1")], W2)
    assert collision_ids(admin, meetings) == [("ab_a", "mt_1")]


def test_a_meeting_covering_the_whole_block_collides() -> None:
    admin = week_slots([block(W1, time(9), time(10), bid="ab_a")], W1)
    meetings = meeting_slots([meeting(W1, time(8, 30), minutes=120)], W1)
    assert collision_ids(admin, meetings) == [("ab_a", "mt_1")]


@pytest.mark.parametrize(
    "m",
    [
        meeting(W1, None),  # no time logged: never flagged
        meeting(W1, time(11)),  # starts as the block ends
        meeting(W1, time(8)),  # ends as the block starts
        meeting(W1 + timedelta(days=1), time(10)),  # another day
        meeting(W1 + timedelta(days=7), time(10)),  # another week
    ],
    ids=["untimed", "after", "before", "other-day", "other-week"],
)
def test_meetings_that_do_not_share_time_do_not_collide(m: Meeting) -> None:
    admin = week_slots([block(W1, time(9), time(11), bid="ab_a")], W1)
    assert collisions(admin, meeting_slots([m], W1)) == []
    start = None if m.at is None else m.at.hour * 60 + m.at.minute
    end = None if start is None else start + m.duration_minutes
    # Placed by hand, outside the week too: only the day and the time decide.
    assert collisions(admin, [MeetingSlot(m, m.on, start, end)]) == []


# -- editing and removing occurrences ------------------------------------------------


def weekly_mondays(**extra: object) -> AdminBlock:
    return block(W1, bid="ab_orig", weekly=True, note="Paperwork", **extra)  # type: ignore[arg-type]


def moved(original: AdminBlock, on: date) -> AdminBlock:
    """The edit form's values: the occurrence on ``on`` moved to 13:00-15:00."""
    return dataclasses.replace(original, on=on, start=time(13), end=time(15))


def test_edit_this_on_a_later_week_skips_it_and_adds_a_one_off() -> None:
    original = weekly_mondays()
    kept, new = split_edit(original, W3, moved(original, W3), "this")
    assert kept is not None
    assert kept.id == "ab_orig"
    assert kept.skipped == (W3,)
    assert (kept.start, kept.end, kept.until) == (time(9), time(11), None)
    assert new.id != "ab_orig" and new.id.startswith("ab_")
    assert (new.on, new.start, new.end, new.weekly, new.until, new.skipped) == (
        W3,
        time(13),
        time(15),
        False,
        None,
        (),
    )
    assert new.note == "Paperwork"
    assert on_mondays(kept, new) == [[W1, W2, W4, W5, W6], [W3]]
    assert slot_view(week_slots([kept, new], W3)) == [(new.id, W3, 780, 900)]


def test_edit_this_on_the_first_week() -> None:
    original = weekly_mondays()
    kept, new = split_edit(original, W1, moved(original, W1), "this")
    assert kept is not None and kept.id == "ab_orig"
    assert on_mondays(kept, new) == [[W2, W3, W4, W5, W6], [W1]]


def test_edit_this_can_move_the_occurrence_to_another_day() -> None:
    original = weekly_mondays()
    tuesday = W3 + timedelta(days=1)
    kept, new = split_edit(original, W3, moved(original, tuesday), "this")
    assert kept is not None
    assert occurrences(kept, W1, W6) == [W1, W2, W4, W5, W6]
    assert occurrences(new, W1, W6) == [tuesday]


def test_edit_this_on_a_block_with_until_and_skips_keeps_both() -> None:
    original = weekly_mondays(until=W5, skipped=(W2,))
    kept, new = split_edit(original, W4, moved(original, W4), "this")
    assert kept is not None
    assert (kept.until, kept.skipped) == (W5, (W2, W4))
    assert (new.weekly, new.until, new.skipped) == (False, None, ())
    assert on_mondays(kept, new) == [[W1, W3, W5], [W4]]


def test_edit_future_from_a_later_week_ends_the_original_and_starts_a_new_series() -> None:
    original = weekly_mondays()
    ended, new = split_edit(original, W3, moved(original, W3), "future")
    assert ended is not None
    assert ended.id == "ab_orig"
    assert ended.until == W3 - timedelta(days=1)
    assert (ended.start, ended.end) == (time(9), time(11))
    assert new.id != "ab_orig"
    assert (new.on, new.start, new.end, new.weekly, new.until) == (
        W3,
        time(13),
        time(15),
        True,
        None,
    )
    assert on_mondays(ended, new) == [[W1, W2], [W3, W4, W5, W6]]
    assert slot_view(week_slots([ended, new], W2)) == [("ab_orig", W2, 540, 660)]
    assert slot_view(week_slots([ended, new], W5)) == [(new.id, W5, 780, 900)]


def test_edit_future_keeps_the_series_end() -> None:
    original = weekly_mondays(until=W5)
    ended, new = split_edit(original, W4, moved(original, W4), "future")
    assert ended is not None
    assert on_mondays(ended, new) == [[W1, W2, W3], [W4, W5]]


def test_edit_future_from_the_first_week_replaces_the_block() -> None:
    original = weekly_mondays()
    gone, new = split_edit(original, W1, moved(original, W1), "future")
    assert gone is None
    assert new.id == "ab_orig"
    assert (new.start, new.end, new.weekly) == (time(13), time(15), True)
    assert on_mondays(new) == [MONDAYS]


@pytest.mark.parametrize("scope", ["this", "future"])
def test_editing_a_one_off_block_replaces_it(scope: str) -> None:
    original = block(W2, bid="ab_once")
    gone, new = split_edit(original, W2, moved(original, W2), scope)  # type: ignore[arg-type]
    assert gone is None
    assert new.id == "ab_once"
    assert (new.on, new.start, new.end, new.weekly) == (W2, time(13), time(15), False)


@pytest.mark.parametrize(
    "day",
    [
        W3 + timedelta(days=1),  # wrong weekday
        W1 - timedelta(days=7),  # before the first day
        W2,  # skipped
        W6,  # after until
    ],
    ids=["weekday", "before", "skipped", "after-until"],
)
@pytest.mark.parametrize("scope", ["this", "future"])
def test_a_day_the_block_does_not_happen_is_refused(day: date, scope: str) -> None:
    original = weekly_mondays(until=W5, skipped=(W2,))
    with pytest.raises(ValidationError) as edit:
        split_edit(original, day, moved(weekly_mondays(), day), scope)  # type: ignore[arg-type]
    assert edit.value.field == "on"
    with pytest.raises(ValidationError) as remove:
        remove_occurrence(original, day, scope)  # type: ignore[arg-type]
    assert remove.value.field == "on"


def test_a_one_off_refuses_any_other_day() -> None:
    once = block(W2)
    with pytest.raises(ValidationError, match="is not a day this block happens"):
        split_edit(once, W3, moved(once, W3), "this")
    with pytest.raises(ValidationError, match="is not a day this block happens"):
        remove_occurrence(once, W1, "this")


def test_remove_this_on_a_later_week_skips_it() -> None:
    kept = remove_occurrence(weekly_mondays(), W3, "this")
    assert kept is not None and kept.id == "ab_orig"
    assert kept.skipped == (W3,)
    assert on_mondays(kept) == [[W1, W2, W4, W5, W6]]


def test_remove_this_on_the_first_week_skips_it() -> None:
    kept = remove_occurrence(weekly_mondays(), W1, "this")
    assert kept is not None
    assert on_mondays(kept) == [[W2, W3, W4, W5, W6]]


def test_removing_two_occurrences_skips_both_in_date_order() -> None:
    first = remove_occurrence(weekly_mondays(), W5, "this")
    assert first is not None
    second = remove_occurrence(first, W2, "this")
    assert second is not None
    assert second.skipped == (W2, W5)
    assert on_mondays(second) == [[W1, W3, W4, W6]]
    with pytest.raises(ValidationError):
        remove_occurrence(second, W2, "this")


def test_remove_future_from_a_later_week_ends_the_series_the_day_before() -> None:
    ended = remove_occurrence(weekly_mondays(), W3, "future")
    assert ended is not None and ended.id == "ab_orig"
    assert ended.until == date(2027, 1, 17)
    assert on_mondays(ended) == [[W1, W2]]


def test_remove_future_from_the_first_week_removes_the_block() -> None:
    assert remove_occurrence(weekly_mondays(), W1, "future") is None


@pytest.mark.parametrize("scope", ["this", "future"])
def test_removing_a_one_off_removes_it(scope: str) -> None:
    assert remove_occurrence(block(W2), W2, scope) is None  # type: ignore[arg-type]


# -- validation ----------------------------------------------------------------------


def test_skipped_on_a_one_off_block_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        block(W1, skipped=(W1,))
    assert caught.value.field == "skipped"


def test_skipped_days_are_sorted_and_deduplicated() -> None:
    b = block(W1, weekly=True, skipped=("2027-01-18", W2, date(2027, 1, 18)))  # type: ignore[arg-type]
    assert b.skipped == (W2, W3)
    assert b.to_dict()["skipped"] == ["2027-01-11", "2027-01-18"]
    assert AdminBlock.from_dict(b.to_dict()) == b


def test_date_list_spec() -> None:
    spec = DateListSpec(3)
    assert spec.clean("skipped", None) == ()
    assert spec.clean("skipped", []) == ()
    assert spec.clean("skipped", ["2028-02-29", "2027-12-31", "2028-02-29"]) == (
        date(2027, 12, 31),
        date(2028, 2, 29),
    )
    assert spec.dump((date(2027, 12, 31),)) == ["2027-12-31"]
    with pytest.raises(ValidationError, match="should be a list of dates"):
        spec.clean("skipped", "2027-01-04")
    with pytest.raises(ValidationError, match="the limit is 3"):
        spec.clean("skipped", ["2027-01-04"] * 4)
    with pytest.raises(ValidationError) as bad:
        spec.clean("skipped", ["2027-01-04", "2027-02-30"])
    assert bad.value.field == "skipped[1]"


@pytest.mark.parametrize("empty", [None, ""])
def test_optional_time_spec_accepts_no_time(empty: str | None) -> None:
    spec = OptionalTimeSpec()
    assert spec.clean("at", empty) is None
    assert spec.dump(None) is None


def test_optional_time_spec_reads_and_writes_hh_mm() -> None:
    spec = OptionalTimeSpec()
    assert spec.clean("at", "09:30") == time(9, 30)
    assert spec.clean("at", time(9, 30, 15)) == time(9, 30)
    assert spec.dump(time(9, 30)) == "09:30"


@pytest.mark.parametrize("bad", ["9.30", "25:00", "noon"])
def test_optional_time_spec_refuses_other_forms(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        OptionalTimeSpec().clean("at", bad)
    assert caught.value.field == "at"


def test_a_meetings_time_is_optional() -> None:
    assert meeting(W1).at is None
    assert meeting(W1).to_dict()["at"] is None
    timed = Meeting(id="mt_1", client_id="cl_1", on=W1, at="14:05")  # type: ignore[arg-type]
    assert timed.at == time(14, 5)
    assert Meeting.from_dict(timed.to_dict()) == timed
    assert Meeting(id="mt_1", client_id="cl_1", on=W1, at="").at is None  # type: ignore[arg-type]


# -- moving a document through time --------------------------------------------------


def test_timeshift_moves_skipped_days_with_the_block() -> None:
    row = {
        "id": "ab_1",
        "staff_id": "st_1",
        "on": "2026-11-02",
        "start": "09:00",
        "end": "11:00",
        "weekly": True,
        "until": "2026-12-28",
        "skipped": ["2026-11-09", "2026-12-28"],
    }
    document = {"format": "casetui", "version": 1, "as_of": "2026-11-16", "admin_blocks": [row]}
    shifted = shift_document(document, date(2027, 2, 24))  # 100 days: a Monday becomes a Wednesday
    [moved_row] = shifted["admin_blocks"]
    assert moved_row["on"] == "2027-02-10"
    assert moved_row["until"] == "2027-04-07"
    assert moved_row["skipped"] == ["2027-02-17", "2027-04-07"]
    assert row["skipped"] == ["2026-11-09", "2026-12-28"], "the input must not be changed"

    before = AdminBlock.from_dict(row)
    after = AdminBlock.from_dict(moved_row)
    delta = timedelta(days=100)
    assert [d + delta for d in occurrences(before, date(2026, 11, 1), date(2027, 1, 31))] == (
        occurrences(after, date(2026, 11, 1) + delta, date(2027, 1, 31) + delta)
    )
    assert len(occurrences(after, date(2027, 2, 1), date(2027, 5, 1))) == 7


def test_timeshift_leaves_what_is_not_a_date_in_a_skipped_list() -> None:
    document = {
        "as_of": "2026-11-16",
        "admin_blocks": [{"skipped": ["2026-11-09", "later"], "note": "2026-11-09"}],
    }
    shifted = shift_document(document, date(2026, 11, 23))
    assert shifted["admin_blocks"][0] == {"skipped": ["2026-11-16", "later"], "note": "2026-11-09"}


# -- on a real vault -----------------------------------------------------------------

AS_OF = date(2027, 1, 31)  # a Sunday: its week starts Monday 2027-01-25
MON = date(2027, 1, 25)


def me(vault: Vault) -> str:
    staff_id = vault.owner_staff_id
    assert staff_id is not None
    return staff_id


def add_client(vault: Vault, name: str, staff_id: str, intake: date = date(2027, 1, 1)) -> Client:
    return vault.repo.clients.add(
        Client.create(preferred_name=name, intake_date=intake, case_manager_id=staff_id)
    )


def add_block(
    vault: Vault, staff_id: str, on: date, start: int, end: int, **extra: object
) -> AdminBlock:
    return vault.repo.admin_blocks.add(
        AdminBlock.create(staff_id=staff_id, on=on, start=time(start), end=time(end), **extra)
    )


def add_meeting(vault: Vault, client_id: str, on: date, **extra: object) -> Meeting:
    return vault.repo.meetings.add(Meeting.create(client_id=client_id, on=on, **extra))


def test_week_holds_the_owners_blocks_and_their_clients_meetings_that_week(vault: Vault) -> None:
    other = vault.repo.staff.add(Staff.create(name="Daniel Riverstone"))
    mine = add_client(vault, "Ana Mine", me(vault))
    theirs = add_client(vault, "Ben Theirs", other.id)

    weekly = add_block(vault, me(vault), date(2027, 1, 4), 9, 11, weekly=True)
    add_block(vault, me(vault), date(2027, 2, 2), 9, 11)  # next week
    add_block(vault, other.id, MON, 9, 11)  # someone else's time

    clash = add_meeting(vault, mine.id, MON, at=time(10, 30))
    in_week = add_meeting(vault, mine.id, date(2027, 1, 27), at=time(10))
    untimed = add_meeting(vault, mine.id, AS_OF)
    add_meeting(vault, mine.id, date(2027, 1, 24), at=time(10))  # the Sunday before
    add_meeting(vault, mine.id, date(2027, 2, 1), at=time(10))  # the Monday after
    covered = add_meeting(vault, theirs.id, date(2027, 1, 26), staff_id=me(vault), at=time(9))
    add_meeting(vault, theirs.id, date(2027, 1, 26), at=time(15))  # their own meeting
    add_meeting(vault, mine.id, date(2027, 1, 28), staff_id=other.id)  # a colleague covered

    slots, meetings = week_view.week(vault.repo, me(vault), MON)
    assert [(s.block.id, s.day) for s in slots] == [(weekly.id, MON)]
    assert [(m.meeting.id, m.day, m.start) for m in meetings] == [
        (clash.id, MON, 630),
        (covered.id, date(2027, 1, 26), 540),
        (in_week.id, date(2027, 1, 27), 600),
        (untimed.id, AS_OF, None),
    ]
    assert [(s.block.id, m.meeting.id) for s, m in collisions(slots, meetings)] == [
        (weekly.id, clash.id)
    ]

    their_slots, their_meetings = week_view.week(vault.repo, other.id, MON)
    assert [s.block.on for s in their_slots] == [MON]
    assert len(their_meetings) == 2
    assert {m.meeting.client_id for m in their_meetings} == {theirs.id, mine.id}

    summary = week_view.week_summary(vault.repo, me(vault), MON)
    assert (summary.admin_hours, summary.self_care_hours, summary.meetings) == (2.0, 0.0, 4)
    assert summary.capacity == Capacity(1, 25)
    assert summary.prompts[0].startswith(NO_SELF_CARE)
    assert summary.prompts[1].startswith("Admin time is 2 h of the 6 h you aim for.")
    assert len(summary.prompts) == 2


def test_supervisor_rows_list_everyone_with_capacity_overdue_and_hours(vault: Vault) -> None:
    owner = vault.repo.staff.require(me(vault))
    vault.repo.staff.put(dataclasses.replace(owner, capacity=2))
    other = vault.repo.staff.add(Staff.create(name="Daniel Riverstone"))

    overdue = add_client(vault, "Ana Overdue", me(vault))  # due Jan 15, no contact
    seen = add_client(vault, "Cleo Seen", me(vault))
    add_meeting(vault, seen.id, date(2027, 1, 28), at=time(14))
    add_client(vault, "Dev Also Overdue", me(vault), intake=date(2027, 1, 10))  # due Jan 24
    add_client(vault, "Ben New", other.id, intake=date(2027, 1, 20))  # due Feb 3

    add_block(vault, me(vault), date(2027, 1, 4), 9, 11, weekly=True)  # admin, 2 h
    add_block(vault, me(vault), date(2027, 1, 27), 13, 14, kind=BlockKind.DOCUMENTATION)
    add_block(vault, me(vault), date(2027, 1, 29), 12, 13, kind=BlockKind.SELF_CARE)
    add_block(vault, me(vault), date(2027, 1, 30), 9, 10, kind=BlockKind.TRAINING)
    add_block(vault, me(vault), date(2027, 2, 1), 9, 17, kind=BlockKind.SELF_CARE)  # next week
    add_block(vault, other.id, date(2027, 1, 22), 9, 17, kind=BlockKind.SELF_CARE)  # last week

    rows = week_view.supervisor_rows(vault.repo, AS_OF)
    assert [
        (
            r.staff.name,
            r.capacity.count,
            r.capacity.capacity,
            r.overdue,
            r.admin_hours,
            r.self_care_hours,
        )
        for r in rows
    ] == [
        ("Daniel Riverstone", 1, 25, 0, 0.0, 0.0),
        ("Robin Testwell", 3, 2, 2, 3.0, 1.0),
    ]
    assert [r.capacity.over for r in rows] == [False, True]
    assert overdue.id in {
        c.client.id for c in caseload_view.caseload(vault.repo, AS_OF, staff_id=me(vault))
    }
    summary = week_view.week_summary(vault.repo, me(vault), MON)
    assert any(p.startswith("The caseload is 3 of 2 clients.") for p in summary.prompts)


def test_supervisor_rows_use_the_week_of_as_of(vault: Vault) -> None:
    add_block(vault, me(vault), date(2027, 2, 1), 9, 12, kind=BlockKind.SELF_CARE)
    [before] = week_view.supervisor_rows(vault.repo, AS_OF)  # Sunday: the week of Jan 25
    [after] = week_view.supervisor_rows(vault.repo, AS_OF + timedelta(days=1))  # Monday Feb 1
    assert (before.self_care_hours, after.self_care_hours) == (0.0, 3.0)


def test_removing_the_only_day_left_removes_the_whole_block() -> None:
    block = AdminBlock.create(
        staff_id="st_1",
        kind=BlockKind.ADMIN,
        on=date(2026, 11, 16),
        start=time(9, 0),
        end=time(10, 0),
        weekly=True,
        until=date(2026, 11, 23),
        skipped=(date(2026, 11, 23),),
    )
    assert remove_occurrence(block, date(2026, 11, 16), "this") is None


def test_this_and_all_after_keeps_later_removed_days_removed() -> None:
    block = AdminBlock.create(
        staff_id="st_1",
        kind=BlockKind.ADMIN,
        on=date(2026, 11, 2),
        start=time(9, 0),
        end=time(10, 0),
        weekly=True,
        skipped=(date(2026, 11, 9), date(2026, 11, 30)),
    )
    changed = dataclasses.replace(block, on=date(2026, 11, 16), start=time(13, 0), end=time(14, 0))
    ended, following = split_edit(block, date(2026, 11, 16), changed, "future")
    assert ended is not None and ended.until == date(2026, 11, 15)
    assert ended.skipped == (date(2026, 11, 9), date(2026, 11, 30))
    assert following.skipped == (date(2026, 11, 30),)
    assert not following.occurs_on(date(2026, 11, 30))
    assert following.occurs_on(date(2026, 11, 23))
