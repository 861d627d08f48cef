"""The goal sheet: a warm, plain-language page the client takes home.

Pure: records, a day and a few words about the agency go in; a small document
comes out, which :func:`~casetui.core.printout_render.to_markdown` and
:func:`~casetui.core.printout_render.to_html` turn into text. Nothing
here reads a clock or touches a file.

The page speaks to the client ("your goals"), by their preferred name, and holds
only the sections asked for:

- ``goals``: their goals in their own words, the ones they are working on and the
  ones they have achieved (clearly marked). Paused and revised goals are left
  out, and so are progress notes: those are written by staff, about the client,
  for the record.
- ``needs``: what is being worked on (needed or under way), grouped from right
  now to further ahead, and who is helping with each: the partner a referral went
  to and the service, or the case manager for the rest. A partner marked as a
  confidential location (shelters, by default) is never named, nor its kind:
  the sheet says "a partner agency" instead. Needs about safety or
  the law, and referrals to legal, court, police or immigration services, are
  never printed: a paper can be found by the wrong person.
- ``checkin``: the next check-in, by the same rule as the caseload.
- ``contact``: the case manager's name and how to reach the agency, with a blank
  line to fill in by hand for anything not set.

It never holds the safety plan, meeting notes or observations, legal matters,
consents, strengths answers, ids, other clients or the audit trail: none of them
is an input. Every string is cleaned with :func:`casetui.core.text.sanitise`, and
both renderers treat every string as untrusted text, never as markup.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from casetui.core.choices import (
    ACTIVE_GOAL_STATUSES,
    OPEN_NEED_STATUSES,
    OPEN_REFERRAL_STATUSES,
    Domain,
    GoalStatus,
    Horizon,
    NeedStatus,
    ServiceKind,
)
from casetui.core.records import Client, Goal, Meeting, NeedItem, Partner, Referral
from casetui.core.rules import meeting_dates, next_checkin_due, summarise_contact
from casetui.core.text import sanitise

#: Every section, in the order they appear on the page.
SECTIONS: tuple[str, ...] = ("goals", "needs", "checkin", "contact")
#: What each section is called where a person chooses them.
SECTION_LABELS: dict[str, str] = {
    "goals": "Their goals, in their own words",
    "needs": "What is being worked on, and who is helping",
    "checkin": "The next check-in",
    "contact": "The case manager and how to reach the agency",
}
#: Needs in these domains belong to the safety plan or to legal matters: never printed.
PRIVATE_DOMAINS = frozenset({Domain.SAFETY, Domain.LEGAL})
#: Referrals for these services are legal matters: never printed.
PRIVATE_SERVICES = frozenset(
    {
        ServiceKind.LAW_ENFORCEMENT,
        ServiceKind.COURT_ADVOCACY,
        ServiceKind.LEGAL_AID,
        ServiceKind.IMMIGRATION,
    }
)

TITLE = "Your goals and plan"
INTRO = (
    "This is a copy of the plan we are making together. It is yours to keep, and you "
    "can change any part of it whenever you like."
)
CLOSING = (
    "This plan belongs to you. We go at your pace, and you can ask for changes at any "
    "time. Keep this page somewhere that feels safe to you."
)
#: Stands for a line left blank, to be filled in by hand.
BLANK = "_" * 24

_HORIZON_HEADINGS: dict[Horizon, str] = {
    Horizon.SHORT_TERM: "Right now",
    Horizon.INTERMEDIATE: "In the coming months",
    Horizon.LONG_TERM: "Further ahead",
}
_NEED_STATUS_WORDS: dict[NeedStatus, str] = {
    NeedStatus.NEEDED: "Not started yet",
    NeedStatus.IN_PROGRESS: "Under way",
}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_day(day: date) -> str:
    """A day as people write it, such as "Monday 30 November 2026" (never the locale's)."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


# -- the document -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a list: a goal or a need, with a short plain note."""

    text: str
    note: str = ""
    #: An achieved goal: shown with a tick and the word "achieved".
    done: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    heading: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Line:
    """A labelled line; an empty value is printed as a blank to fill in by hand."""

    label: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    heading: str
    intro: str = ""
    groups: tuple[Group, ...] = ()
    lines: tuple[Line, ...] = ()
    #: Said when there are no groups or lines to show.
    empty: str = ""
    #: Said after everything else.
    after: str = ""


@dataclass(frozen=True, slots=True)
class GoalSheet:
    title: str
    prepared_for: str
    intro: str
    sections: tuple[Section, ...]
    closing: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(section.key for section in self.sections)


# -- choosing sections --------------------------------------------------------------


def choose_sections(wanted: Iterable[str]) -> tuple[str, ...]:
    """The sections asked for, in page order; ValueError with one sentence if any is unknown."""
    chosen = {name.strip().lower() for name in wanted if name.strip()}
    unknown = sorted(chosen - set(SECTIONS))
    if unknown:
        raise ValueError(
            f"{unknown[0][:20]!r} is not a section of the goal sheet; choose from "
            f"{', '.join(SECTIONS)}."
        )
    if not chosen:
        raise ValueError(f"Choose at least one section: {', '.join(SECTIONS)}.")
    return tuple(name for name in SECTIONS if name in chosen)


def parse_sections(text: str) -> tuple[str, ...]:
    """``goals,needs`` as typed on the command line; see :func:`choose_sections`."""
    return choose_sections(text.split(","))


# -- building -----------------------------------------------------------------------


def _line(text: str) -> str:
    return sanitise(text, multiline=False)


def _goals_section(client_id: str, goals: Iterable[Goal], as_of: date) -> Section:
    mine = sorted(
        (g for g in goals if g.client_id == client_id),
        key=lambda g: (g.priority, g.text.casefold()),
    )
    working = []
    for goal in mine:
        if goal.status not in ACTIVE_GOAL_STATUSES:
            continue
        note = ""
        # A hoped-for date still ahead helps; one already passed would only weigh.
        if goal.target_date is not None and goal.target_date >= as_of:
            note = f"Hoping for: {format_day(goal.target_date)}"
        working.append(Entry(sanitise(goal.text), note))
    achieved = [
        Entry(sanitise(g.text), "Achieved", done=True)
        for g in mine
        if g.status is GoalStatus.ACHIEVED
    ]
    groups = []
    if working:
        groups.append(Group("What you are working on", tuple(working)))
    if achieved:
        groups.append(Group("What you have achieved", tuple(achieved)))
    return Section(
        "goals",
        "Your goals",
        intro="In your own words.",
        groups=tuple(groups),
        empty="Your goals will go here once you have chosen them.",
    )


#: Said instead of a partner whose location is confidential (a shelter, a safe house).
_CONFIDENTIAL_HELPER = "a partner agency (your case manager can tell you more)"


def _helper(referral: Referral, partners: Mapping[str, Partner]) -> str | None:
    partner = partners.get(referral.partner_id)
    if partner is None:
        return None
    if partner.confidential_location:
        # Neither name nor kind: in a small town "Shelter" alone can say where.
        return _CONFIDENTIAL_HELPER
    return f"{_line(partner.name)} ({referral.service.label})"


def _needs_section(
    client_id: str,
    needs: Iterable[NeedItem],
    referrals: Iterable[Referral],
    partners: Mapping[str, Partner],
    case_manager: str,
) -> Section:
    shown = [
        n
        for n in needs
        if n.client_id == client_id
        and n.status in OPEN_NEED_STATUSES
        and n.domain not in PRIVATE_DOMAINS
    ]
    helping: dict[str | None, list[str]] = {}
    for referral in sorted(
        (r for r in referrals if r.client_id == client_id),
        key=lambda r: (r.opened_on, r.id),
    ):
        if referral.status not in OPEN_REFERRAL_STATUSES or referral.service in PRIVATE_SERVICES:
            continue
        helper = _helper(referral, partners)
        if helper is not None and helper not in helping.get(referral.need_id, []):
            helping.setdefault(referral.need_id, []).append(helper)
    manager = f"{case_manager}, your case manager" if case_manager else "your case manager"
    groups = []
    for horizon in Horizon:
        entries = []
        for need in sorted(
            (n for n in shown if n.horizon is horizon), key=lambda n: n.label.casefold()
        ):
            who = "; ".join(helping.get(need.id, [])) or manager
            note = f"{_NEED_STATUS_WORDS[need.status]}. Helping: {who}."
            entries.append(Entry(_line(need.label), note))
        if entries:
            groups.append(Group(_HORIZON_HEADINGS[horizon], tuple(entries)))
    unlinked = helping.get(None, [])
    if unlinked:
        # On a line of its own, the neutral phrase starts a sentence; names stay as written.
        groups.append(
            Group(
                "Also helping you",
                tuple(
                    Entry(h[:1].upper() + h[1:] if h == _CONFIDENTIAL_HELPER else h)
                    for h in unlinked
                ),
            )
        )
    return Section(
        "needs",
        "What we are working on together",
        intro="The things you said you need, and who is helping with each.",
        groups=tuple(groups),
        empty="Nothing is listed just now. Tell us whenever something comes up.",
    )


def _checkin_section(client: Client, meetings: Iterable[Meeting], as_of: date) -> Section:
    contact = summarise_contact(
        meeting_dates(m for m in meetings if m.client_id == client.id), as_of
    )
    due = next_checkin_due(client, contact)
    if due is not None and due >= as_of:
        return Section(
            "checkin",
            "Your next check-in",
            intro="We plan to talk again on this day. If it does not suit you, just say.",
            lines=(Line("Date", format_day(due)), Line("Time and place")),
        )
    return Section(
        "checkin",
        "Your next check-in",
        intro="We will choose the day together.",
        lines=(Line("Date"), Line("Time and place")),
    )


def _contact_section(case_manager: str, agency_name: str, agency_contact: str) -> Section:
    return Section(
        "contact",
        "How to reach us",
        intro="You can get in touch whenever you need to.",
        lines=(
            Line("Your case manager", case_manager),
            Line("Agency", agency_name),
            Line("How to reach us", agency_contact),
        ),
        after="If you are ever in danger, call your local emergency number.",
    )


def goal_sheet(
    client: Client,
    *,
    as_of: date,
    goals: Iterable[Goal] = (),
    needs: Iterable[NeedItem] = (),
    referrals: Iterable[Referral] = (),
    partners: Mapping[str, Partner] | None = None,
    meetings: Iterable[Meeting] = (),
    case_manager: str = "",
    agency_name: str = "",
    agency_contact: str = "",
    sections: Collection[str] = SECTIONS,
) -> GoalSheet:
    """The goal sheet for ``client`` as of ``as_of``, holding only ``sections``.

    Records of any other client are ignored. Raises ValueError for an unknown
    section or none at all.
    """
    chosen = choose_sections(sections)
    manager = _line(case_manager)
    built: list[Section] = []
    for key in chosen:
        if key == "goals":
            built.append(_goals_section(client.id, goals, as_of))
        elif key == "needs":
            built.append(_needs_section(client.id, needs, referrals, partners or {}, manager))
        elif key == "checkin":
            built.append(_checkin_section(client, meetings, as_of))
        else:
            built.append(_contact_section(manager, _line(agency_name), _line(agency_contact)))
    return GoalSheet(
        title=TITLE,
        prepared_for=f"For {_line(client.preferred_name)} · {format_day(as_of)}",
        intro=INTRO,
        sections=tuple(built),
        closing=CLOSING,
    )


def audit_detail(sheet: GoalSheet, fmt: str) -> str:
    """What the audit trail says about a printing: the format and sections, never content."""
    kind = "HTML" if fmt == "html" else "Markdown"
    return f"printed a goal sheet as {kind}: {', '.join(sheet.keys)}"
