"""``casetui calendar``: the iCalendar file, its recurrences, its time zone and its privacy."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rruleset, rrulestr

from casetui.core.choices import BlockKind, ClientStatus, MeetingKind
from casetui.core.ical import (
    PRODID,
    build_calendar,
    client_label,
    escape_text,
    fold,
    initials,
    zone_observances,
)
from casetui.core.records import AdminBlock, Client, Meeting, Staff
from casetui.core.rules import ContactSummary
from casetui.services.calendar_feed import local_zone
from tests.conftest import VaultFiles, run_casetui

STAFF = "st_calendar1"
STAMP = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


# -- helpers ---------------------------------------------------------------------------


def block(on: date, start: time = time(9), end: time = time(10), **values: object) -> AdminBlock:
    return AdminBlock.create(staff_id=STAFF, on=on, start=start, end=end, **values)


def client(name: str = "Rosa Quintana", **values: object) -> Client:
    values.setdefault("intake_date", date(2024, 1, 1))
    return Client.create(preferred_name=name, case_manager_id=STAFF, **values)


def build(
    *,
    blocks: Iterable[AdminBlock] = (),
    clients: Iterable[Client] = (),
    meetings: Iterable[Meeting] = (),
    contacts: dict[str, ContactSummary] | None = None,
    as_of: date,
    zone: ZoneInfo | None = LONDON,
    weeks: int = 4,
    with_names: bool = False,
) -> str:
    return build_calendar(
        blocks=list(blocks),
        clients=list(clients),
        meetings=list(meetings),
        contacts=contacts or {},
        as_of=as_of,
        zone=zone,
        stamp=STAMP,
        weeks=weeks,
        with_names=with_names,
    ).text


def parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def events(text: str) -> dict[str, icalendar.Event]:
    return {str(ev["UID"]): ev for ev in parse(text).walk("VEVENT")}


def unfold(text: str) -> str:
    return text.replace("\r\n ", "").replace("\r\n\t", "")


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def expand(event: icalendar.Event) -> list[datetime]:
    """Every occurrence of ``event``: DTSTART, its RRULE (via dateutil) and EXDATEs."""
    start: datetime = event.decoded("DTSTART")
    rules = rruleset()
    rules.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=start))
    for excluded in event.exdates:
        rules.exdate(excluded)
    return list(rules)


def rfc_offset(vtimezone: icalendar.Timezone, moment: datetime) -> timedelta:
    """The UTC offset at ``moment`` as RFC 5545 reads the VTIMEZONE's observances."""
    starts = []
    for obs in vtimezone.subcomponents:
        local: datetime = obs.decoded("DTSTART")
        offset_from: timedelta = obs.decoded("TZOFFSETFROM")
        offset_to: timedelta = obs.decoded("TZOFFSETTO")
        starts.append(((local - offset_from).replace(tzinfo=UTC), offset_to))
    in_force = [offset for start, offset in sorted(starts) if start <= moment]
    assert in_force, f"no observance covers {moment}"
    return in_force[-1]


# -- text ------------------------------------------------------------------------------


def test_text_values_are_escaped_and_sanitised() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert escape_text("\x1b]0;pwned\x07plain \x1b[31mred\x1b[0m") == "plain red"
    assert escape_text("left\u202eright") == "leftright"


def test_long_lines_fold_at_75_octets_without_splitting_characters() -> None:
    line = "SUMMARY:" + "Café ☕ auto-entrevista; " * 12
    folded = fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 1
    for i, part in enumerate(physical):
        assert len(part.encode("utf-8")) <= 75
        if i:
            assert part.startswith(" ")
    assert unfold(folded) == line


def test_the_calendar_is_well_formed_rfc_5545() -> None:
    note = "Call-backs; forms, letters\\misc " + "é" * 60
    text = build(blocks=[block(date(2025, 3, 10), note=note)], as_of=date(2025, 3, 10))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = parse(text)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == f"Admin: {note}"
    assert "Call-backs\\; forms\\, letters\\\\misc" in unfold(text)
    assert event.decoded("DTSTAMP") == STAMP


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Rosa Quintana", "R.Q."),
        ("rosa maría de la cruz", "R.M.D.L.C."),
        ("  Ana-Lucía   O'Neill ", "A.O."),
        ("(Jo) Smith", "J.S."),
        ("Ömer Çelik", "Ö.Ç."),
        ("!!!", "Client"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


# -- blocks and their recurrence ---------------------------------------------------------


def test_a_weekly_block_is_one_event_with_rrule_until_and_exdate() -> None:
    weekly = block(
        date(2025, 3, 3),
        kind=BlockKind.SELF_CARE,
        weekly=True,
        until=date(2025, 4, 2),
        skipped=(date(2025, 3, 17), date(2025, 3, 18)),
    )
    one_off = block(date(2025, 3, 12), time(13), time(14, 30), note="Quarterly report")
    far = block(date(2025, 6, 12))  # after the window
    text = build(blocks=[weekly, one_off, far], as_of=date(2025, 3, 10))
    found = events(text)
    assert set(found) == {f"{weekly.id}@casetui", f"{one_off.id}@casetui"}

    rec = found[f"{weekly.id}@casetui"]
    assert str(rec["SUMMARY"]) == "Self-care"
    assert rec["DTSTART"].params["TZID"] == "Europe/London"
    assert rec["DTEND"].params["TZID"] == "Europe/London"
    assert rec.decoded("DTSTART") == datetime(2025, 3, 10, 9, tzinfo=LONDON)
    assert rec.decoded("DTEND") == datetime(2025, 3, 10, 10, tzinfo=LONDON)
    rule = rec["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    # The last occurrence is Monday 31 March, 09:00 BST, which is 08:00 UTC.
    assert rule["UNTIL"] == [datetime(2025, 3, 31, 8, tzinfo=UTC)]
    assert "RRULE:FREQ=WEEKLY;UNTIL=20250331T080000Z" in text
    assert "EXDATE;TZID=Europe/London:20250317T090000" in text
    assert "20250318" not in text  # not a Monday: not an occurrence to exclude
    assert [d.date() for d in expand(rec)] == [
        date(2025, 3, 10),
        date(2025, 3, 24),
        date(2025, 3, 31),
    ]

    single = found[f"{one_off.id}@casetui"]
    assert "RRULE" not in single
    assert str(single["SUMMARY"]) == "Admin: Quarterly report"
    assert single.decoded("DTSTART") == datetime(2025, 3, 12, 13, tzinfo=LONDON)
    assert single.decoded("DTEND") == datetime(2025, 3, 12, 14, 30, tzinfo=LONDON)


ROUND_TRIPS = {
    # Spring forward in London on Sunday 30 March 2025: 09:00 stays 09:00, GMT then BST.
    "london-spring": (
        LONDON,
        block(date(2025, 1, 6), weekly=True, skipped=(date(2025, 3, 24), date(2025, 1, 13))),
        date(2025, 3, 10),
        8,
    ),
    # Fall back in New York on Sunday 2 November 2025: EDT then EST.
    "new-york-fall": (
        NEW_YORK,
        block(
            date(2025, 9, 2),
            time(9),
            time(11),
            weekly=True,
            until=date(2025, 11, 25),
            skipped=(date(2025, 11, 4),),
        ),
        date(2025, 10, 20),
        8,
    ),
    # Across the year end, with the holidays skipped.
    "year-end": (
        LONDON,
        block(
            date(2025, 11, 5),
            time(14),
            time(16),
            weekly=True,
            until=date(2026, 1, 21),
            skipped=(date(2025, 12, 24), date(2025, 12, 31)),
        ),
        date(2025, 12, 8),
        8,
    ),
    "year-end-southern-summer": (
        ZoneInfo("Pacific/Auckland"),
        block(date(2025, 12, 29), time(8, 30), time(9), weekly=True),
        date(2025, 12, 20),
        6,
    ),
    # The window's first occurrence is skipped: the series starts a week later.
    "first-skipped": (
        NEW_YORK,
        block(date(2025, 3, 3), weekly=True, skipped=(date(2025, 3, 10), date(2025, 3, 24))),
        date(2025, 3, 10),
        3,
    ),
    "utc": (None, block(date(2025, 3, 3), weekly=True), date(2025, 3, 10), 6),
}


@pytest.mark.parametrize("case", list(ROUND_TRIPS), ids=list(ROUND_TRIPS))
def test_rrule_expansion_matches_occurs_on(case: str) -> None:
    zone, weekly, as_of, weeks = ROUND_TRIPS[case]
    text = build(blocks=[weekly], as_of=as_of, zone=zone, weeks=weeks)
    (event,) = events(text).values()
    occurrences = expand(event)
    last = as_of + timedelta(days=7 * weeks - 1)
    expected = [d for d in days_between(as_of, last) if weekly.occurs_on(d)]
    assert expected, "the case should have occurrences in the window"
    assert [o.date() for o in occurrences] == expected
    # Nothing outside the window, even though the block goes on (or began) outside it.
    assert all(as_of <= o.date() <= last for o in occurrences)
    tz = zone or ZoneInfo("UTC")
    for occurrence in occurrences:
        local = occurrence.astimezone(tz)
        assert local.time() == weekly.start, "the wall-clock time must not move"
        assert local.utcoffset() == datetime.combine(local.date(), weekly.start, tz).utcoffset()
    if zone is None:
        assert "VTIMEZONE" not in text
        assert "TZID" not in text
        assert f"DTSTART:{as_of:%Y%m%d}T090000Z" in text
    else:
        assert event["DTSTART"].params["TZID"] == zone.key


def test_the_dst_case_really_spans_two_utc_offsets() -> None:
    for case in ("london-spring", "new-york-fall"):
        zone, weekly, as_of, weeks = ROUND_TRIPS[case]
        (event,) = events(build(blocks=[weekly], as_of=as_of, zone=zone, weeks=weeks)).values()
        offsets = {o.utcoffset() for o in expand(event)}
        assert len(offsets) == 2, case
        hours_utc = {o.astimezone(UTC).hour for o in expand(event)}
        assert len(hours_utc) == 2, case


def test_until_is_utc_for_the_last_day_in_the_zone() -> None:
    zone, weekly, as_of, weeks = ROUND_TRIPS["new-york-fall"]
    (event,) = events(build(blocks=[weekly], as_of=as_of, zone=zone, weeks=weeks)).values()
    # 25 November 09:00 EST is 14:00 UTC (it would be 13:00 in EDT).
    assert event["RRULE"]["UNTIL"] == [datetime(2025, 11, 25, 14, tzinfo=UTC)]
    assert [d.date() for d in event.exdates] == [date(2025, 11, 4)]
    assert event.exdates[0] == datetime(2025, 11, 4, 9, tzinfo=NEW_YORK)


def test_blocks_that_end_before_or_are_skipped_throughout_the_window_are_left_out() -> None:
    ended = block(date(2025, 1, 6), weekly=True, until=date(2025, 3, 3))
    skipped = block(
        date(2025, 3, 11),
        weekly=True,
        until=date(2025, 3, 18),
        skipped=(date(2025, 3, 11), date(2025, 3, 18)),
    )
    past_one_off = block(date(2025, 3, 9))
    text = build(blocks=[ended, skipped, past_one_off], as_of=date(2025, 3, 10))
    assert events(text) == {}
    assert "VTIMEZONE" not in text


# -- the time zone ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "Europe/Dublin",
        "America/Santiago",
    ],
)
def test_the_vtimezone_follows_zoneinfo_over_the_span(key: str) -> None:
    zone = ZoneInfo(key)
    weekly = block(date(2025, 3, 3), weekly=True)
    text = build(blocks=[weekly], as_of=date(2025, 3, 10), zone=zone, weeks=52)
    (vtz,) = parse(text).walk("VTIMEZONE")
    assert str(vtz["TZID"]) == key
    kinds = [obs.name for obs in vtz.subcomponents]
    assert "STANDARD" in kinds
    assert "DAYLIGHT" in kinds
    # Each observance starts from the offset the one before it ended with.
    for before, after in zip(vtz.subcomponents, vtz.subcomponents[1:], strict=False):
        assert after.decoded("TZOFFSETFROM") == before.decoded("TZOFFSETTO")
    # A year either side of the events: 10 March 2025 to 2 March 2026.
    first = datetime(2024, 3, 10, tzinfo=UTC)
    last = datetime(2027, 3, 2, tzinfo=UTC)
    moment = first
    while moment <= last:
        assert rfc_offset(vtz, moment) == moment.astimezone(zone).utcoffset(), moment
        moment += timedelta(hours=3)
    # And icalendar's own reading of the definition agrees, away from the ambiguous hour.
    tz = vtz.to_tz(lookup_tzid=False)
    for probe in (datetime(2025, 1, 15, 12, tzinfo=UTC), datetime(2025, 7, 15, 12, tzinfo=UTC)):
        assert probe.astimezone(tz).utcoffset() == probe.astimezone(zone).utcoffset()


def test_a_zone_without_transitions_gets_one_standard_observance() -> None:
    zone = ZoneInfo("Asia/Kolkata")
    text = build(blocks=[block(date(2025, 3, 12))], as_of=date(2025, 3, 10), zone=zone)
    (vtz,) = parse(text).walk("VTIMEZONE")
    (only,) = vtz.subcomponents
    assert only.name == "STANDARD"
    assert only.decoded("TZOFFSETTO") == timedelta(hours=5, minutes=30)
    assert only.decoded("TZOFFSETFROM") == timedelta(hours=5, minutes=30)
    (event,) = events(text).values()
    assert event.decoded("DTSTART") == datetime(2025, 3, 12, 9, tzinfo=zone)


def test_zone_observances_find_the_exact_change() -> None:
    found = zone_observances(
        LONDON, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC)
    )
    starts = [obs.starts for obs in found]
    assert datetime(2025, 3, 30, 1, tzinfo=UTC) in starts
    assert datetime(2025, 10, 26, 1, tzinfo=UTC) in starts
    assert found[0].starts == datetime(2024, 10, 27, 1, tzinfo=UTC)


def test_local_zone_reads_tz() -> None:
    assert local_zone({"TZ": "Europe/London"}) == LONDON
    assert local_zone({"TZ": ":America/New_York"}) == NEW_YORK
    assert local_zone({"TZ": "/usr/share/zoneinfo/Asia/Tokyo"}) == ZoneInfo("Asia/Tokyo")
    # An unknown TZ falls back to the system's zone, or UTC (None).
    fallback = local_zone({"TZ": "Nowhere/Atlantis"})
    assert fallback is None or isinstance(fallback, ZoneInfo)


# -- meetings, check-ins and de-identification -------------------------------------------


def test_meetings_and_checkins() -> None:
    as_of = date(2025, 3, 10)
    active = client("Rosa Quintana", intake_date=as_of - timedelta(days=10))
    on_hold = client("Mei Lin Tan", status=ClientStatus.ON_HOLD)
    closed = client("Ada Closed", status=ClientStatus.CLOSED)
    overdue = client("Ola Overdue", intake_date=date(2025, 1, 1))
    timed = Meeting.create(
        client_id=active.id,
        on=as_of + timedelta(days=3),
        at=time(14, 30),
        duration_minutes=90,
        kind=MeetingKind.ACCOMPANIMENT,
    )
    untimed = Meeting.create(client_id=on_hold.id, on=as_of + timedelta(days=5))
    gone = Meeting.create(client_id=closed.id, on=as_of + timedelta(days=5), at=time(9))
    earlier = Meeting.create(client_id=active.id, on=as_of - timedelta(days=1), at=time(9))
    later = Meeting.create(client_id=active.id, on=as_of + timedelta(days=28), at=time(9))
    text = build(
        clients=[active, on_hold, closed, overdue],
        meetings=[timed, untimed, gone, earlier, later],
        as_of=as_of,
    )
    found = events(text)
    due = as_of + timedelta(days=4)
    assert set(found) == {
        f"{timed.id}@casetui",
        f"{untimed.id}@casetui",
        f"{active.id}-checkin-{due:%Y%m%d}@casetui",
    }
    meeting = found[f"{timed.id}@casetui"]
    # Without a kept code, a client's code is made from their id, never their initials.
    rq, mlt = client_label(active, with_names=False), client_label(on_hold, with_names=False)
    assert rq != "R.Q." and mlt != "M.L.T."
    assert str(meeting["SUMMARY"]) == f"Meeting (Accompaniment): {rq}"
    assert meeting.decoded("DTSTART") == datetime(2025, 3, 13, 14, 30, tzinfo=LONDON)
    assert meeting.decoded("DTEND") == datetime(2025, 3, 13, 16, tzinfo=LONDON)
    assert meeting["DTSTART"].params["TZID"] == "Europe/London"

    all_day = found[f"{untimed.id}@casetui"]
    assert str(all_day["SUMMARY"]) == f"Meeting (Scheduled case meeting): {mlt}"
    assert all_day["DTSTART"].params["VALUE"] == "DATE"
    assert all_day.decoded("DTSTART") == date(2025, 3, 15)
    assert all_day.decoded("DTEND") == date(2025, 3, 16)

    checkin = found[f"{active.id}-checkin-{due:%Y%m%d}@casetui"]
    assert str(checkin["SUMMARY"]) == f"Check-in due: {rq}"
    assert checkin.decoded("DTSTART") == due
    assert checkin["DTSTART"].params["VALUE"] == "DATE"


def test_the_agreed_next_checkin_is_used() -> None:
    as_of = date(2025, 3, 10)
    rosa = client()
    contacts = {rosa.id: ContactSummary(as_of - timedelta(days=2), as_of + timedelta(days=20))}
    (event,) = events(build(clients=[rosa], contacts=contacts, as_of=as_of)).values()
    assert event.decoded("DTSTART") == date(2025, 3, 30)
    # Outside a one-week window, there is none.
    assert events(build(clients=[rosa], contacts=contacts, as_of=as_of, weeks=1)) == {}


def test_a_meeting_across_the_clock_change_lasts_its_real_duration() -> None:
    rosa = client()
    night = Meeting.create(
        client_id=rosa.id,
        on=date(2025, 3, 30),
        at=time(0, 30),
        duration_minutes=120,
        kind=MeetingKind.CRISIS,
    )
    (event,) = [
        e
        for e in events(build(clients=[rosa], meetings=[night], as_of=date(2025, 3, 28))).values()
        if "Meeting" in str(e["SUMMARY"])
    ]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert end.replace(tzinfo=None) == datetime(2025, 3, 30, 3, 30)  # 00:30 GMT + 2 h = 03:30 BST
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2)


SECRETS = {
    "pronouns": "xe/xem-Plumtree",
    "language": "Quenyaspeak",
    "culture_notes": "Marmalade lighthouse festival",
    "faith_notes": "Saffronwick chapel",
    "safe_contact_notes": "Only after nine; Cobaltumbrella",
}
MEETING_SECRETS = {
    "summary": "Velvetharbour court prep",
    "client_view": "Feels Gingersnapped",
    "observations": "Tiredquiltwork",
    "next_steps": "Call Lanternmoth shelter",
}


def secret_client(**values: object) -> Client:
    return client("Zephyrine Quorra", intake_date=date(2025, 3, 1), **SECRETS, **values)


@pytest.mark.parametrize("with_names", [False, True])
def test_no_client_text_beyond_the_label_appears(with_names: bool) -> None:
    zq = secret_client()
    meeting = Meeting.create(
        client_id=zq.id,
        on=date(2025, 3, 12),
        at=time(10),
        kind=MeetingKind.ACCOMPANIMENT,
        **MEETING_SECRETS,
    )
    text = build(clients=[zq], meetings=[meeting], as_of=date(2025, 3, 10), with_names=with_names)
    flat = unfold(text).casefold()
    for secret in [*SECRETS.values(), *MEETING_SECRETS.values()]:
        for word in secret.replace(";", " ").replace("/", " ").split():
            if len(word) >= 6:
                assert word.casefold() not in flat, word
    summaries = sorted(str(e["SUMMARY"]) for e in events(text).values())
    label = "Zephyrine Quorra" if with_names else client_label(zq, with_names=False)
    assert label != "Z.Q."
    assert summaries == [f"Check-in due: {label}", f"Meeting (Accompaniment): {label}"]
    if not with_names:
        assert "zephyrine" not in flat
        assert "quorra" not in flat


def test_the_calendar_code_replaces_initials_unless_names_are_asked_for() -> None:
    coded = secret_client(calendar_code="K-17")
    as_of = date(2025, 3, 10)
    (event,) = events(build(clients=[coded], as_of=as_of)).values()
    assert str(event["SUMMARY"]) == "Check-in due: K-17"
    (named,) = events(build(clients=[coded], as_of=as_of, with_names=True)).values()
    assert str(named["SUMMARY"]) == "Check-in due: Zephyrine Quorra"


def test_weeks_are_bounded() -> None:
    with pytest.raises(ValueError, match="weeks"):
        build(as_of=date(2025, 3, 10), weeks=0)
    with pytest.raises(ValueError, match="weeks"):
        build(as_of=date(2025, 3, 10), weeks=53)


# -- the command line ------------------------------------------------------------------


def ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def assert_one_sentence_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode not in (0, 70), result.stderr
    assert "Traceback" not in result.stderr
    line = last_line(result.stderr)
    assert line.startswith("casetui: "), result.stderr
    assert line.endswith("."), line
    for fragment in fragments:
        assert fragment in line, line


NAME_PARTS = ("zephyrine quorra", "zephyrine", "quorra", "zephyr", "quorr", "yrine")


@pytest.fixture
def planted(vault_files: VaultFiles) -> dict[str, str]:
    """The owner's vault with Zephyrine Quorra, a coded client, and another case manager's."""
    today = date.today()
    with vault_files.open() as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        other = Staff.create(name="Other Manager")
        zq = Client.create(
            preferred_name="Zephyrine Quorra",
            intake_date=today - timedelta(days=40),
            case_manager_id=owner,
            **SECRETS,
        )
        coded = Client.create(
            preferred_name="Bartholomew Yarrowby",
            calendar_code="K-17",
            intake_date=today - timedelta(days=3),
            case_manager_id=owner,
        )
        theirs = Client.create(
            preferred_name="Someone Elsewhere", intake_date=today, case_manager_id=other.id
        )
        met = Meeting.create(
            client_id=zq.id,
            on=today - timedelta(days=3),
            next_checkin=today + timedelta(days=5),
            **MEETING_SECRETS,
        )
        planned = Meeting.create(
            client_id=zq.id,
            on=today + timedelta(days=2),
            at=time(10, 30),
            duration_minutes=45,
            kind=MeetingKind.ACCOMPANIMENT,
        )
        weekly = AdminBlock.create(
            staff_id=owner,
            kind=BlockKind.SELF_CARE,
            on=today,
            start=time(12),
            end=time(13),
            weekly=True,
            skipped=(today + timedelta(days=7),),
        )
        repo = vault.repo
        repo.staff.add(other)
        for c in (zq, coded, theirs):
            repo.clients.add(c)
        for m in (met, planned):
            repo.meetings.add(m)
        repo.admin_blocks.add(weekly)
        vault.save()
    return {"owner": owner, "other": other.id, "zq": zq.id, "coded": coded.id}


def test_cli_writes_a_private_deidentified_calendar(
    home: Path, vault_files: VaultFiles, planted: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "week.ics"
    before = vault_files.snapshot()
    result = run_casetui(
        "calendar", "--out", out, *ident(vault_files), home=home, env={"TZ": "America/New_York"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    (line,) = result.stdout.strip().splitlines()
    assert line.startswith("Wrote 4 events for the next 4 weeks")
    assert "1 time block, 1 meeting, 2 check-ins" in line
    assert "America/New_York" in line
    assert out.stat().st_mode & 0o777 == 0o600
    # The vault changes only by the audit entry for the export, and the code given
    # (and kept) for the client who had none.
    # A save adds one change file and never rewrites another.
    after = vault_files.snapshot()
    added = after.keys() - before.keys()
    assert {k for k in added if not k.startswith("vault.age.backups/")} == {
        k for k in added if k.startswith("vault.age/changes/")
    }
    assert all(after[k] == before[k] for k in before.keys() & after.keys())
    with vault_files.open(writable=False) as vault:
        entries = vault.repo.audit.all()
        assert [(e.action.value, e.detail) for e in entries][-1] == (
            "calendar_exported",
            "4 weeks, without names",
        )
        zq_code = vault.repo.clients.require(planted["zq"]).calendar_code
        assert zq_code and zq_code != "Z.Q."

    data = out.read_bytes()
    for blob in (
        data.lower(),
        unfold(data.decode()).lower().encode(),
        result.stdout.lower().encode(),
    ):
        for part in (*NAME_PARTS, "bartholomew", "yarrowby", "someone", "elsewhere"):
            assert part.encode() not in blob, part
        for secret in [*SECRETS.values(), *MEETING_SECRETS.values()]:
            assert secret.lower().encode() not in blob
    text = data.decode()
    assert "Z.Q." not in text
    assert zq_code in text
    assert "K-17" in text
    assert "B.Y." not in text
    assert "S.E." not in text  # another case manager's client
    cal = parse(text)
    (vtz,) = cal.walk("VTIMEZONE")
    assert str(vtz["TZID"]) == "America/New_York"
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    # Sorted both sides: the code made at random may sort before or after "K-17".
    assert summaries == sorted(
        [
            "Check-in due: K-17",
            f"Check-in due: {zq_code}",
            f"Meeting (Accompaniment): {zq_code}",
            "Self-care",
        ]
    )
    (block_event,) = [e for e in cal.walk("VEVENT") if "RRULE" in e]
    assert block_event["DTSTART"].params["TZID"] == "America/New_York"
    assert len(block_event.exdates) == 1


def test_cli_with_names_includes_them_and_warns(
    home: Path, vault_files: VaultFiles, planted: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "named.ics"
    result = run_casetui(
        "calendar",
        "--out",
        out,
        "--with-names",
        "--weeks",
        "2",
        *ident(vault_files),
        home=home,
        env={"TZ": "Europe/London"},
    )
    assert result.returncode == 0, result.stderr
    assert "Warning:" in result.stderr
    assert "names" in result.stderr
    assert "private" in result.stderr.lower()
    assert "Zephyrine" not in result.stdout + result.stderr
    text = unfold(out.read_bytes().decode())
    assert "Zephyrine Quorra" in text
    assert "Bartholomew Yarrowby" in text
    assert out.stat().st_mode & 0o777 == 0o600
    for secret in [*SECRETS.values(), *MEETING_SECRETS.values()]:
        assert secret.lower() not in text.lower()


def test_cli_in_utc_writes_z_times_and_no_vtimezone(
    home: Path, vault_files: VaultFiles, planted: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "utc.ics"
    result = run_casetui(
        "calendar", "--out", out, *ident(vault_files), home=home, env={"TZ": "UTC"}
    )
    assert result.returncode == 0, result.stderr
    text = out.read_bytes().decode()
    assert "VTIMEZONE" not in text
    assert "TZID" not in text
    assert "T120000Z" in text
    assert "in UTC time" in result.stdout


def test_cli_refuses_to_overwrite_without_force(
    home: Path, vault_files: VaultFiles, planted: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "keep.ics"
    out.write_text("mine")
    result = run_casetui("calendar", "--out", out, *ident(vault_files), home=home)
    assert_one_sentence_error(result, "already exists", "--force")
    assert out.read_text() == "mine"
    forced = run_casetui("calendar", "--out", out, "--force", *ident(vault_files), home=home)
    assert forced.returncode == 0, forced.stderr
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert out.stat().st_mode & 0o777 == 0o600


def test_cli_refuses_to_write_over_the_vault(
    home: Path, vault_files: VaultFiles, planted: dict[str, str]
) -> None:
    before = vault_files.snapshot()
    result = run_casetui(
        "calendar", "--out", vault_files.vault, "--force", *ident(vault_files), home=home
    )
    assert_one_sentence_error(result, "vault's own files")
    assert vault_files.snapshot() == before


@pytest.mark.parametrize("weeks", ["0", "53", "-1", "four", "2.5"])
def test_cli_bad_weeks_is_one_sentence_and_exit_2(
    home: Path, vault_files: VaultFiles, tmp_path: Path, weeks: str
) -> None:
    out = tmp_path / "x.ics"
    result = run_casetui(
        "calendar", "--out", out, f"--weeks={weeks}", *ident(vault_files), home=home
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = last_line(result.stderr)
    assert line.startswith("casetui: argument --weeks:"), line
    assert "1 to 52" in line
    assert line.endswith(".")
    assert not out.exists()


def test_cli_staff_picks_another_case_manager(
    home: Path, vault_files: VaultFiles, planted: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "other.ics"
    result = run_casetui(
        "calendar", "--out", out, "--staff", planted["other"], *ident(vault_files), home=home
    )
    assert result.returncode == 0, result.stderr
    text = out.read_bytes().decode()
    with vault_files.open(writable=False) as vault:
        (theirs,) = vault.repo.clients.for_parent(planted["other"])
    assert theirs.calendar_code and theirs.calendar_code != "S.E."
    assert f"Check-in due: {theirs.calendar_code}" in text
    assert "S.E." not in text
    assert "Z.Q." not in text
    missing = run_casetui(
        "calendar",
        "--out",
        tmp_path / "none.ics",
        "--staff",
        "st_nobody",
        *ident(vault_files),
        home=home,
    )
    assert_one_sentence_error(missing, "no case manager")
    assert not (tmp_path / "none.ics").exists()


def test_help_lists_calendar_and_calendar_help_stays_light(home: Path) -> None:
    result = run_casetui("--help", home=home)
    assert "calendar" in result.stdout
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['casetui', 'calendar', '--help']\n"
        "try:\n"
        "    runpy.run_module('casetui', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('textual', 'pyrage', 'tinydb')]\n"
        "print('HEAVY=' + ','.join(sorted(heavy)))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "--with-names" in shown.stdout
    assert shown.stdout.strip().endswith("HEAVY=")


def test_the_calendar_modules_load_no_textual() -> None:
    probe = (
        "import sys\n"
        "import casetui.core.ical, casetui.services.calendar_feed\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == ""
