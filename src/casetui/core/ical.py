"""The case manager's coming weeks as an iCalendar file (RFC 5545).

Pure: records, a day, a time zone and a timestamp go in, text comes out. The file
holds the case manager's own time blocks, the planned meetings of their clients
and the check-ins that fall due, for ``weeks`` weeks from ``as_of``.

Clients are de-identified by default: each appears only as their calendar code
(initials only when asked for). Nothing else from a client's record (no
notes, summaries or language) is ever written, with or without names.

Weekly blocks become one event with a weekly ``RRULE`` clipped to the window (so
the file never claims anything beyond the weeks asked for), with an ``EXDATE``
for each skipped day. Times carry the local zone as a ``TZID`` with a matching
``VTIMEZONE`` built from the zone's real UTC-offset changes; in UTC, times are
written with a ``Z`` and no ``VTIMEZONE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from casetui.core.choices import CASELOAD_STATUSES
from casetui.core.labels import initials, neutral_label
from casetui.core.records import AdminBlock, Client, Meeting
from casetui.core.rules import ContactSummary, next_checkin_due
from casetui.core.text import sanitise

PRODID = "-//casetui//casetui//EN"
DEFAULT_WEEKS = 4
MIN_WEEKS = 1
MAX_WEEKS = 52
UID_DOMAIN = "casetui"
#: Zone keys that mean plain UTC: times are written with a Z and no VTIMEZONE.
UTC_KEYS = frozenset(
    {"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"}
)
#: The VTIMEZONE covers this much time either side of the events that use it.
ZONE_MARGIN = timedelta(days=366)
#: Offset changes are looked for at this step, then pinned to the second.
_ZONE_SCAN_STEP = timedelta(hours=6)
_LOOK_BACK = timedelta(days=3653)
_LOOK_BACK_STEP = timedelta(days=1)
_MAX_LINE_OCTETS = 75
_CRLF = "\r\n"


@dataclass(frozen=True, slots=True)
class CalendarFile:
    """The iCalendar text and what it holds (counts only, never names)."""

    text: str
    blocks: int
    meetings: int
    checkins: int

    @property
    def events(self) -> int:
        return self.blocks + self.meetings + self.checkins

    def to_bytes(self) -> bytes:
        return self.text.encode("utf-8")


# -- text -------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value: sanitised, then backslash, semicolon, comma and newline escaped."""
    text = sanitise(value)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param_value(value: str) -> str:
    """A property parameter value, quoted when it holds a character that needs it."""
    cleaned = sanitise(value, multiline=False).replace('"', "")
    if any(ch in cleaned for ch in ":;,"):
        return f'"{cleaned}"'
    return cleaned


def fold(line: str) -> str:
    """Fold one content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    if len(line.encode("utf-8")) <= _MAX_LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = _MAX_LINE_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = _MAX_LINE_OCTETS - 1  # the continuation's leading space is an octet too
        current.append(ch)
        size += width
    parts.append("".join(current))
    return (_CRLF + " ").join(parts)


def client_label(client: Client, *, with_names: bool, with_initials: bool = False) -> str:
    """How a client appears in the calendar: their code, or initials or name if asked.

    A client with no code yet (the vault gives and keeps one before exporting) gets
    a neutral code made from their random id, never their initials.
    """
    if with_names:
        return sanitise(client.preferred_name, multiline=False) or initials("")
    if with_initials:
        return initials(client.preferred_name)
    return neutral_label(client.preferred_name, client.calendar_code, client.id)


def block_summary(block: AdminBlock) -> str:
    """The block's kind (Self-care), with its note if it has one (Admin: call-backs)."""
    label = block.kind.label
    note = sanitise(block.note, multiline=False)
    return f"{label}: {note}" if note else label


# -- time ---------------------------------------------------------------------------------


def _is_utc(zone: ZoneInfo | None) -> bool:
    return zone is None or zone.key in UTC_KEYS


def _stamp_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _day(day: date) -> str:
    return day.strftime("%Y%m%d")


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    mins, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{mins:02d}" + (f"{secs:02d}" if secs else "")


class _Clock:
    """Writes wall-clock times in the local zone (TZID) or in UTC (Z)."""

    def __init__(self, zone: ZoneInfo | None) -> None:
        self.zone = None if _is_utc(zone) else zone
        self.used: list[datetime] = []

    @property
    def tz(self) -> tzinfo:
        return self.zone if self.zone is not None else UTC

    def aware(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.tz)

    def prop(self, name: str, moment: datetime) -> str:
        """``NAME;TZID=Zone:YYYYMMDDTHHMMSS``, or ``NAME:YYYYMMDDTHHMMSSZ`` in UTC."""
        if self.zone is None:
            return f"{name}:{_stamp_utc(moment)}"
        self.used.append(moment)
        return f"{name};TZID={_param_value(self.zone.key)}:{_local(moment)}"

    def later(self, start: datetime, minutes: int) -> datetime:
        """The wall-clock time ``minutes`` of real time after ``start``."""
        return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(self.tz)


# -- VTIMEZONE ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Observance:
    starts: datetime  # UTC instant
    offset_from: timedelta
    offset_to: timedelta
    name: str
    dst: timedelta


def _state(zone: ZoneInfo, moment: datetime) -> tuple[timedelta, timedelta, str]:
    local = moment.astimezone(zone)
    return (
        local.utcoffset() or timedelta(0),
        local.dst() or timedelta(0),
        local.tzname() or "",
    )


def _transition_between(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first instant in (before, after] whose zone state differs from ``before``'s."""
    target = _state(zone, before)
    low, high = before, after
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        mid = mid.replace(microsecond=0)
        if mid <= low:
            break
        if _state(zone, mid) == target:
            low = mid
        else:
            high = mid
    return high


def _changes(zone: ZoneInfo, first: datetime, last: datetime) -> list[_Observance]:
    """Every change of the zone's offset, name or DST flag in (first, last]."""
    found: list[_Observance] = []
    previous = _state(zone, first)
    moment = first
    while moment < last:
        step = min(moment + _ZONE_SCAN_STEP, last)
        if _state(zone, step) == previous:
            moment = step
            continue
        changed = _transition_between(zone, moment, step)
        offset_to, dst_to, name_to = _state(zone, changed)
        found.append(_Observance(changed, previous[0], offset_to, name_to, dst_to))
        previous = (offset_to, dst_to, name_to)
        moment = changed
    return found


def _change_before(zone: ZoneInfo, moment: datetime) -> _Observance | None:
    """The last change at or before ``moment`` (looking back ten years at most)."""
    state = _state(zone, moment)
    probe = moment
    floor = moment - _LOOK_BACK
    while probe > floor:
        back = max(probe - _LOOK_BACK_STEP, floor)
        if _state(zone, back) != state:
            return _changes(zone, back, probe)[-1]
        probe = back
    return None


def zone_observances(zone: ZoneInfo, first: datetime, last: datetime) -> list[_Observance]:
    """The change in force at ``first`` and every change up to ``last``.

    A change of name or DST flag that keeps the offset counts too, since calendar
    apps show the name. A zone that has not changed for ten years before ``first``
    and does not change by ``last`` yields one observance, starting at ``first``.
    """
    first = first.astimezone(UTC)
    last = last.astimezone(UTC)
    leading = _change_before(zone, first)
    if leading is None:
        offset, dst, name = _state(zone, first)
        leading = _Observance(first, offset, offset, name, dst)
    return [leading, *_changes(zone, first, last)]


def vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> list[str]:
    """VTIMEZONE lines for ``zone`` from a year before ``first`` to a year after ``last``."""
    start = datetime.combine((first - ZONE_MARGIN).astimezone(UTC).date(), time(), tzinfo=UTC)
    observances = zone_observances(zone, start, last + ZONE_MARGIN)
    # Zones with "negative DST" (Europe/Dublin, Africa/Casablanca) mark the shorter
    # offset as daylight saving; calendar apps expect the reverse, as in tzdata's
    # "rearguard" form, so there the periods without a DST offset count as daylight.
    negative = any(obs.dst < timedelta(0) for obs in observances)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    for obs in observances:
        daylight = obs.dst == timedelta(0) if negative else obs.dst > timedelta(0)
        kind = "DAYLIGHT" if daylight and len(observances) > 1 else "STANDARD"
        # DTSTART is the local time of the change, read with the offset in force before it.
        local = (obs.starts + obs.offset_from).replace(tzinfo=None)
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{_local(local)}",
            f"TZOFFSETFROM:{_offset(obs.offset_from)}",
            f"TZOFFSETTO:{_offset(obs.offset_to)}",
        ]
        if obs.name:
            lines.append(f"TZNAME:{escape_text(obs.name)}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return lines


# -- events -----------------------------------------------------------------------------


def _event(uid: str, stamp: str, summary: str, body: Iterable[str]) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp}",
        *body,
        f"SUMMARY:{escape_text(summary)}",
        "CLASS:PRIVATE",
        "END:VEVENT",
    ]


def _all_day(day: date) -> list[str]:
    return [
        f"DTSTART;VALUE=DATE:{_day(day)}",
        f"DTEND;VALUE=DATE:{_day(day + timedelta(days=1))}",
    ]


def block_days(block: AdminBlock, first: date, last: date) -> list[date]:
    """The days ``block`` happens from ``first`` to ``last`` (inclusive)."""
    if not block.weekly:
        return [block.on] if first <= block.on <= last and block.occurs_on(block.on) else []
    start = max(first, block.on)
    start += timedelta(days=(block.on - start).days % 7)
    days: list[date] = []
    day = start
    while day <= last:
        if block.occurs_on(day):
            days.append(day)
        day += timedelta(days=7)
    return days


def _block_event(
    block: AdminBlock, first: date, last: date, clock: _Clock, stamp: str
) -> list[str] | None:
    days = block_days(block, first, last)
    if not days:
        return None
    start = clock.aware(days[0], block.start)
    end = clock.aware(days[0], block.end)
    body = [clock.prop("DTSTART", start), clock.prop("DTEND", end)]
    if block.weekly:
        # UNTIL is the last occurrence's start as a UTC instant (RFC 5545 requires UTC
        # when DTSTART has a TZID); each occurrence keeps the same local wall clock.
        until = clock.aware(days[-1], block.start)
        clock.used.append(until)  # the VTIMEZONE must reach the last occurrence too
        body.append(f"RRULE:FREQ=WEEKLY;UNTIL={_stamp_utc(until)}")
        body += [
            clock.prop("EXDATE", clock.aware(day, block.start))
            for day in _skipped_between(block, days[0], days[-1])
        ]
    return _event(f"{block.id}@{UID_DOMAIN}", stamp, block_summary(block), body)


def _skipped_between(block: AdminBlock, first: date, last: date) -> list[date]:
    """Skipped days that the weekly rule from ``first`` to ``last`` would otherwise hit."""
    return sorted(
        day for day in set(block.skipped) if first < day < last and (day - block.on).days % 7 == 0
    )


def _meeting_event(meeting: Meeting, label: str, clock: _Clock, stamp: str) -> list[str]:
    if meeting.at is None:
        body = _all_day(meeting.on)
    else:
        start = clock.aware(meeting.on, meeting.at)
        end = clock.later(start, meeting.duration_minutes)
        body = [clock.prop("DTSTART", start), clock.prop("DTEND", end)]
    summary = f"Meeting ({meeting.kind.label}): {label}"
    return _event(f"{meeting.id}@{UID_DOMAIN}", stamp, summary, body)


def _checkin_event(client: Client, due: date, label: str, stamp: str) -> list[str]:
    uid = f"{client.id}-checkin-{_day(due)}@{UID_DOMAIN}"
    return _event(uid, stamp, f"Check-in due: {label}", _all_day(due))


def build_calendar(
    *,
    blocks: Iterable[AdminBlock],
    clients: Iterable[Client],
    meetings: Iterable[Meeting],
    contacts: Mapping[str, ContactSummary],
    as_of: date,
    zone: ZoneInfo | None,
    stamp: datetime,
    weeks: int = DEFAULT_WEEKS,
    with_names: bool = False,
    with_initials: bool = False,
) -> CalendarFile:
    """The iCalendar text for ``weeks`` weeks from ``as_of`` (``as_of`` and later days).

    ``blocks`` are the case manager's own; ``clients`` theirs (closed clients are
    left out); ``meetings`` may be any, only the listed clients' count; ``contacts``
    holds each client's contact summary as of ``as_of`` (missing means no contact
    yet). ``zone`` None (or a UTC zone) writes UTC times. ``stamp`` is the DTSTAMP.
    """
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be from {MIN_WEEKS} to {MAX_WEEKS}")
    first = as_of
    last = as_of + timedelta(days=7 * weeks - 1)
    clock = _Clock(zone)
    stamp_text = _stamp_utc(stamp)

    events: list[list[str]] = []
    block_count = 0
    for block in sorted(blocks, key=lambda b: (b.on, b.start, b.end, b.id)):
        lines = _block_event(block, first, last, clock, stamp_text)
        if lines is not None:
            events.append(lines)
            block_count += 1

    in_scope = {c.id: c for c in clients if c.status in CASELOAD_STATUSES}
    labels = {
        cid: client_label(c, with_names=with_names, with_initials=with_initials)
        for cid, c in in_scope.items()
    }
    meeting_count = 0
    planned = [m for m in meetings if m.client_id in in_scope and first <= m.on <= last]
    for meeting in sorted(planned, key=_meeting_order):
        events.append(_meeting_event(meeting, labels[meeting.client_id], clock, stamp_text))
        meeting_count += 1

    checkin_count = 0
    due_list: list[tuple[date, Client]] = []
    for client in in_scope.values():
        due = next_checkin_due(client, contacts.get(client.id, ContactSummary()))
        if due is not None and first <= due <= last:
            due_list.append((due, client))
    for due, client in sorted(due_list, key=lambda pair: (pair[0], pair[1].id)):
        events.append(_checkin_event(client, due, labels[client.id], stamp_text))
        checkin_count += 1

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:casetui",
    ]
    if clock.zone is not None and clock.used:
        lines += vtimezone(clock.zone, min(clock.used), max(clock.used))
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    text = "".join(fold(line) + _CRLF for line in lines)
    return CalendarFile(text, block_count, meeting_count, checkin_count)


def _meeting_order(meeting: Meeting) -> tuple[date, time, str]:
    return (meeting.on, meeting.at or time.min, meeting.id)
