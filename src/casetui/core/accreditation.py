"""Accreditation readiness: each client in the program against the standard.

Every rule is a pure function of one client's records and a day. A rule gives
*pass*, *attention* (something to look at soon) or *fail* (an essential
requirement is not met), a plain reason, and the workspace tab where it is
fixed. The recommended practices (rule 7) never fail: at worst they ask for
attention. Rule 7c, self-care time, is about the case manager, not the client:
it is checked once per case manager and never changes a client's result.

Clients on hold are still in the program, so they are checked like active
clients; closed cases are not.

One reading throughout: a need counts as settled when it is met, in progress
(rule 4) or declined by the client. "Not needed" never settles a requirement the
standard sets "for all clients": if the client already has it, mark it met.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum

from casetui.core.catalog import CATALOG_BY_KEY
from casetui.core.choices import (
    BlockKind,
    ClientStatus,
    Domain,
    GoalStatus,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.formats import MD_PUNCTUATION, md_escape, protect_cell
from casetui.core.private_records import StrengthsAssessment
from casetui.core.records import AdminBlock, Client, Goal, Meeting, NeedItem, Referral, Staff
from casetui.core.text import plural

DEFAULT_REASSESS_DAYS = 90
SELF_CARE_WINDOW = timedelta(days=28)


class Verdict(IntEnum):
    """Ordered so that the worst of several verdicts is their ``max``."""

    PASS = 0
    ATTENTION = 1
    FAIL = 2

    @property
    def label(self) -> str:
        return ("pass", "attention", "fail")[self]


@dataclass(frozen=True, slots=True)
class Check:
    """One requirement held against one client (or, for 7c, one case manager)."""

    rule: str  # "1" … "9", or "7a" … "7c" for the recommended practices
    title: str
    verdict: Verdict
    reason: str
    #: Where to fix it: a workspace tab ("profile", "needs", …) or "week".
    tab: str


@dataclass(frozen=True, slots=True)
class ManagerReadiness:
    """What the standard asks of the case manager's own time (rule 7c)."""

    staff_id: str
    name: str
    checks: tuple[Check, ...]

    @property
    def verdict(self) -> Verdict:
        return max((c.verdict for c in self.checks), default=Verdict.PASS)


@dataclass(frozen=True, slots=True)
class ClientReadiness:
    client_id: str
    checks: tuple[Check, ...]
    status: ClientStatus = ClientStatus.ACTIVE
    #: The client's case manager's own checks: shown once per case manager, and
    #: never part of the client's verdict.
    manager: ManagerReadiness | None = None

    @property
    def verdict(self) -> Verdict:
        return max((c.verdict for c in self.checks), default=Verdict.PASS)

    def first_problem(self) -> Check | None:
        problems = [c for c in self.checks if c.verdict is not Verdict.PASS]
        return max(problems, key=lambda c: c.verdict) if problems else None


@dataclass(frozen=True, slots=True)
class CaseRecords:
    """Everything the rules look at for one client."""

    client: Client
    manager: Staff | None
    needs: Sequence[NeedItem] = ()
    goals: Sequence[Goal] = ()
    #: Rule 6 looks at meetings where progress was discussed, rule 3 at those where
    #: goals were; the latest of each is enough.
    meetings: Sequence[Meeting] = ()
    referrals: Sequence[Referral] = ()
    strengths: Sequence[StrengthsAssessment] = ()
    #: The case manager's own time blocks (for self-care in the last four weeks).
    blocks: Sequence[AdminBlock] = field(default_factory=tuple)


TITLES = {
    "1": "A designated case manager",
    "2": "Needs assessed at intake and reassessed",
    "3": "A goal sheet in the client's words, linked and revisited",
    "4": "Basic physical, emotional and social needs recorded",
    "5": "Access to medical, dental and mental health care",
    "6": "Progress discussed with the client",
    "7a": "Strengths assessment (recommended)",
    "7b": "Referrals where open needs call for them (recommended)",
    "7c": "Self-care time for the case manager (recommended)",
    "8": "Client background integrated into the assessment",
    "9": "A client-specific approach",
}
#: Rules held against each client; 7c is held against each case manager.
MANAGER_RULES = ("7c",)
CLIENT_RULES = tuple(rule for rule in TITLES if rule not in MANAGER_RULES)


def _days(n: int) -> str:
    return plural(n, "day")


def _listed(items: Sequence[str], limit: int = 4) -> str:
    """``a``, ``a and b``, ``a, b and c``; past ``limit``, ``… and 2 more``."""
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _label(key: str) -> str:
    """A catalog need as the checklist names it."""
    return CATALOG_BY_KEY[key].label


#: A need the client has, is being helped with, or chose not to pursue (rule 4).
RECORDED = frozenset({NeedStatus.MET, NeedStatus.IN_PROGRESS, NeedStatus.DECLINED})

#: Rule 4, physical: the catalog needs that stand for each basic physical need. The
#: standard names safety, housing, food, clothing and hygiene (personal necessities).
PHYSICAL_NEEDS: dict[str, tuple[str, ...]] = {
    "safety plan": ("safety_plan",),
    "secure shelter or housing": ("secure_shelter", "transitional_housing", "permanent_housing"),
    "food": ("food",),
    "clothing": ("clothing",),
    "personal necessities (hygiene)": ("personal_necessities",),
}
#: Rule 4, emotional and social: any need in the domain, built-in or the agency's own.
DOMAIN_NEEDS: dict[str, tuple[Domain, str]] = {
    "an emotional need": (
        Domain.EMOTIONAL,
        f"such as {_label('mental_health')} or {_label('crisis_counselling')}",
    ),
    "a social need": (
        Domain.SOCIAL,
        f"such as {_label('life_social_skills')} or a support group",
    ),
}
#: Kept for callers of the first version: the physical needs by name.
BASIC_NEEDS = PHYSICAL_NEEDS

#: Rule 5: a referral counts once it is made; not while planned, nor when declined,
#: stalled or the service is unavailable.
COUNTED_REFERRAL = frozenset(
    {
        ReferralStatus.REFERRED,
        ReferralStatus.SCHEDULED,
        ReferralStatus.ATTENDING,
        ReferralStatus.COMPLETED,
    }
)
#: Rule 5: each service, the checklist needs that stand for it, and its referral kind.
#: The catalog keeps medical and dental care on one line each, so one such need met
#: or declined counts for both, and the reason says so.
HEALTH: dict[str, tuple[tuple[str, ...], ServiceKind]] = {
    "medical": (("acute_medical_dental", "ongoing_medical_dental"), ServiceKind.MEDICAL),
    "dental": (("acute_medical_dental", "ongoing_medical_dental"), ServiceKind.DENTAL),
    "mental health": (("mental_health", "crisis_counselling"), ServiceKind.MENTAL_HEALTH),
}
#: Rule 5: a health need the client has care for, or chose not to pursue.
HEALTH_SETTLED = frozenset({NeedStatus.MET, NeedStatus.DECLINED})

#: Rule 7b: needs that still call for work.
OPEN_NEED = frozenset({NeedStatus.NEEDED, NeedStatus.IN_PROGRESS})
#: Rule 3: goals still on the sheet (not achieved, not replaced by a revised one).
CURRENT_GOAL = frozenset({GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS, GoalStatus.PAUSED})


def _check(rule: str, verdict: Verdict, reason: str, tab: str) -> Check:
    return Check(rule, TITLES[rule], verdict, reason, tab)


def designated_manager(case: CaseRecords) -> Check:
    if case.manager is None:
        return _check(
            "1", Verdict.FAIL, "No case manager is assigned; reassign the client.", "profile"
        )
    return _check("1", Verdict.PASS, f"{case.manager.name} is the case manager.", "profile")


def needs_assessed(case: CaseRecords, as_of: date, reassess_days: int) -> Check:
    assessed = [n for n in case.needs if n.status is not NeedStatus.NOT_ASSESSED]
    if not assessed:
        return _check(
            "2",
            Verdict.FAIL,
            "No needs have been assessed yet; assess them with the client.",
            "needs",
        )
    last = case.client.needs_reassessed_on or case.client.intake_date
    due = last + timedelta(days=reassess_days)
    if as_of > due:
        return _check(
            "2",
            Verdict.ATTENTION,
            f"Needs were last assessed {_days((as_of - last).days)} ago; reassess them "
            f"(every {_days(reassess_days)}) and press r on the Needs tab.",
            "needs",
        )
    return _check(
        "2", Verdict.PASS, f"Assessed; the next reassessment is due by {due.isoformat()}.", "needs"
    )


def goal_sheet_revisited(case: CaseRecords, as_of: date) -> date:
    """The last day the goal sheet was gone over: a goal's progress note, a meeting
    where goals were discussed, or else the intake, where the sheet is first written."""
    days = [case.client.intake_date]
    days += [n.on for g in case.goals for n in g.progress_notes if n.on <= as_of]
    days += [m.on for m in case.meetings if m.goals_discussed and m.on <= as_of]
    return max(days)


def goal_sheet(
    case: CaseRecords, as_of: date | None = None, reassess_days: int = DEFAULT_REASSESS_DAYS
) -> Check:
    """The sheet exists, each current goal names the needs it calls for, and (given
    ``as_of``) it was revisited with the client within the reassessment interval."""
    goals = [g for g in case.goals if g.text.strip()]
    if not goals:
        return _check(
            "3",
            Verdict.FAIL,
            "There is no goal sheet yet; write goals in the client's words.",
            "goals",
        )
    said: list[str] = []
    need_ids = {n.id for n in case.needs}
    current = [g for g in goals if g.status in CURRENT_GOAL]
    unlinked = [g for g in current if not any(nid in need_ids for nid in g.linked_needs)]
    if unlinked:
        which = "is" if len(unlinked) == 1 else "are"
        said.append(
            f"{plural(len(unlinked), 'goal')} {which} not linked to a need; "
            "link each goal to the needs that go with it."
        )
    if as_of is not None:
        last = goal_sheet_revisited(case, as_of)
        due = last + timedelta(days=reassess_days)
        if as_of > due:
            said.append(
                f"The goal sheet was last revisited {_days((as_of - last).days)} ago; go over "
                f"it with the client (every {_days(reassess_days)}) and add a progress note."
            )
    if said:
        return _check("3", Verdict.ATTENTION, " ".join(said), "goals")
    return _check(
        "3",
        Verdict.PASS,
        f"{plural(len(goals), 'goal')} in the client's words, each linked to a need.",
        "goals",
    )


def basic_needs(case: CaseRecords) -> Check:
    by_key: dict[str, list[NeedItem]] = {}
    for n in case.needs:
        if n.catalog_key:
            by_key.setdefault(n.catalog_key, []).append(n)
    groups: dict[str, list[NeedItem]] = {
        name: [n for k in keys for n in by_key.get(k, [])] for name, keys in PHYSICAL_NEEDS.items()
    }
    for name, (domain, _example) in DOMAIN_NEEDS.items():
        groups[name] = [n for n in case.needs if n.domain is domain]
    missing: list[str] = []
    not_needed: list[str] = []
    waiting: list[str] = []
    for name, found in groups.items():
        if any(n.status in RECORDED for n in found):
            continue
        if any(n.status is NeedStatus.NEEDED for n in found):
            waiting.append(name)
        elif any(n.status is NeedStatus.NOT_NEEDED for n in found):
            not_needed.append(name)
        else:
            missing.append(name)
    if missing or not_needed:
        said = []
        if missing:
            named = [
                f"{name} ({DOMAIN_NEEDS[name][1]})" if name in DOMAIN_NEEDS else name
                for name in missing
            ]
            said.append(f"Not yet recorded: {_listed(named, limit=len(named))}.")
        if not_needed:
            # The standard wants these for every client: "not needed" does not say whether
            # the client has it. If they do, that is "met".
            said.append(
                f"Marked not needed: {_listed(not_needed, limit=len(not_needed))}; if the "
                "client already has it, mark it met."
            )
        said.append("Mark each as met, in progress or declined.")
        return _check("4", Verdict.FAIL, " ".join(said), "needs")
    if waiting:
        return _check(
            "4",
            Verdict.ATTENTION,
            f"Needed but not yet in progress: {_listed(waiting, limit=len(waiting))}.",
            "needs",
        )
    return _check(
        "4",
        Verdict.PASS,
        "Safety, housing, food, clothing, personal necessities, and emotional and social "
        "needs are recorded.",
        "needs",
    )


def _health_line(
    keys: tuple[str, ...],
    service: ServiceKind,
    needs: Sequence[NeedItem],
    referrals: Sequence[Referral],
) -> tuple[bool, str]:
    """(settled, what the records say) for one of medical, dental or mental health."""
    counted = [r for r in referrals if r.service is service and r.status in COUNTED_REFERRAL]
    if counted:
        return True, f"a {service.label.lower()} referral ({counted[-1].status.label.lower()})"
    found = [n for n in needs if n.catalog_key in keys]
    settled = [n for n in found if n.status in HEALTH_SETTLED]
    if settled:
        n = settled[0]
        how = "met" if n.status is NeedStatus.MET else "declined by the client"
        both = (
            ", which counts for medical and dental care alike"
            if n.catalog_key in HEALTH["dental"][0]
            else ""
        )
        return True, f"\u201c{n.label}\u201d is {how}{both}"
    # Why not, in the checklist's own words.
    said = []
    other = [r for r in referrals if r.service is service]
    if other:
        states = _listed(sorted({r.status.label.lower() for r in other}))
        said.append(f"the {service.label.lower()} referral is {states}, which does not count yet")
    for n in found:
        if n.status is NeedStatus.NOT_NEEDED:
            said.append(f"\u201c{n.label}\u201d is marked not needed")
        elif n.status in OPEN_NEED:
            elsewhere = sorted(
                {
                    r.service.label.lower()
                    for r in referrals
                    if r.need_id == n.id and r.service is not service
                }
            )
            also = f", with a {_listed(elsewhere)} referral only" if elsewhere else ""
            said.append(f"\u201c{n.label}\u201d is {n.status.label.lower()}{also}")
    if not said:
        named = " or ".join(f"\u201c{_label(k)}\u201d" for k in keys)
        said.append(f"nothing on the checklist ({named}) and no {service.label.lower()} referral")
    return False, "; ".join(said)


def health_access(case: CaseRecords) -> Check:
    lines = {
        name: _health_line(keys, service, case.needs, case.referrals)
        for name, (keys, service) in HEALTH.items()
    }
    medical, dental = lines["medical"], lines["dental"]
    if (medical[0], medical[1].replace("no medical referral", "")) == (
        dental[0],
        dental[1].replace("no dental referral", ""),
    ):  # one catalog line stands for both: say it once
        said = medical[1].replace("no medical referral", "no medical or dental referral")
        del lines["medical"], lines["dental"]
        lines = {"medical and dental": (medical[0], said), **lines}
    settled = [f"{name.capitalize()}: {said}" for name, (ok, said) in lines.items() if ok]
    missing = [f"{name.capitalize()}: {said}" for name, (ok, said) in lines.items() if not ok]
    if missing:
        return _check(
            "5",
            Verdict.FAIL,
            ". ".join(missing) + ". Make a referral (referred, scheduled, attending or "
            "completed), mark the need met if the client already has care, or declined if it "
            "is their choice.",
            "referrals",
        )
    return _check("5", Verdict.PASS, ". ".join(settled) + ".", "referrals")


def progress_discussed(case: CaseRecords, as_of: date) -> Check:
    interval = case.client.checkin_interval_days
    discussed = [m.on for m in case.meetings if m.progress_discussed and m.on <= as_of]
    if not discussed:
        return _check(
            "6",
            Verdict.FAIL,
            "No meeting has recorded progress discussed with the client.",
            "meetings",
        )
    ago = (as_of - max(discussed)).days
    if ago <= interval:
        return _check("6", Verdict.PASS, f"Discussed with the client {_days(ago)} ago.", "meetings")
    verdict = Verdict.ATTENTION if ago <= 2 * interval else Verdict.FAIL
    return _check(
        "6",
        verdict,
        f"Progress was last discussed with the client {_days(ago)} ago; the check-in "
        f"interval is {_days(interval)}.",
        "meetings",
    )


def strengths_done(case: CaseRecords) -> Check:
    if case.strengths:
        last = max(s.on for s in case.strengths)
        return _check("7a", Verdict.PASS, f"Last done on {last.isoformat()}.", "strengths")
    return _check("7a", Verdict.ATTENTION, "No strengths assessment yet.", "strengths")


def referrals_made(case: CaseRecords) -> Check:
    """Open needs, and whether any of them has a referral linked to it."""
    open_needs = [n for n in case.needs if n.status in OPEN_NEED]
    linked = {r.need_id for r in case.referrals if r.need_id}
    if not open_needs or any(n.id in linked for n in open_needs):
        return _check(
            "7b",
            Verdict.PASS,
            "An open need has a referral to a partner agency, or no need is open.",
            "referrals",
        )
    which = _listed([n.label for n in open_needs], limit=3)
    return _check(
        "7b",
        Verdict.ATTENTION,
        f"{plural(len(open_needs), 'open need')} ({which}) and no referral linked to "
        "any of them yet.",
        "referrals",
    )


def self_care_in(blocks: Iterable[AdminBlock], as_of: date) -> Check:
    """Rule 7c for one case manager's time blocks."""
    start = as_of - SELF_CARE_WINDOW
    for block in blocks:
        if block.kind is not BlockKind.SELF_CARE:
            continue
        day = start
        while day <= as_of:
            if block.occurs_on(day):
                return _check(
                    "7c",
                    Verdict.PASS,
                    "The case manager had self-care time in the last 4 weeks.",
                    "week",
                )
            day += timedelta(days=1)
    return _check(
        "7c",
        Verdict.ATTENTION,
        "No self-care time in the case manager's week in the last 4 weeks; plan some.",
        "week",
    )


def self_care(case: CaseRecords, as_of: date) -> Check:
    """Rule 7c for the client's case manager (see :func:`manager_readiness`)."""
    return self_care_in(case.blocks, as_of)


def manager_readiness(staff: Staff, blocks: Iterable[AdminBlock], as_of: date) -> ManagerReadiness:
    return ManagerReadiness(staff.id, staff.name, (self_care_in(blocks, as_of),))


def background(case: CaseRecords) -> Check:
    """Rule 8: the client's background is part of the assessment and of the services."""
    client = case.client
    language = client.language.strip()
    notes = (client.culture_notes + client.faith_notes).strip()
    if not language and not notes:
        return _check(
            "8",
            Verdict.FAIL,
            "Nothing about the client's background is recorded. With the client, record "
            "their language, whether they need an interpreter, and culture or faith notes; "
            "if none applies, or they would rather not say, write that in the culture notes.",
            "profile",
        )
    if not language:
        return _check(
            "8",
            Verdict.ATTENTION,
            "The client's language is not recorded; add it, and whether they need an interpreter.",
            "profile",
        )
    if not notes:
        return _check(
            "8",
            Verdict.ATTENTION,
            "No culture or faith notes: add what the client wants you to keep in mind, or "
            "write that none applies.",
            "profile",
        )
    if client.interpreter_needed:
        on_list = any(
            n.catalog_key == "interpretation" and n.status is not NeedStatus.NOT_ASSESSED
            for n in case.needs
        )
        referred = any(r.service is ServiceKind.INTERPRETER for r in case.referrals)
        if not (on_list or referred):
            return _check(
                "8",
                Verdict.ATTENTION,
                f"The client needs an interpreter, but \u201c{_label('interpretation')}\u201d "
                "is not assessed on the needs checklist and there is no interpreter referral.",
                "needs",
            )
    return _check("8", Verdict.PASS, "Language and culture or faith notes are recorded.", "profile")


def client_specific(case: CaseRecords) -> Check:
    """Rule 9: the process is tailored with the client; the check-in interval is the
    part the records hold."""
    every = _days(case.client.checkin_interval_days)
    if case.client.checkin_interval_agreed:
        return _check("9", Verdict.PASS, f"The client chose to check in every {every}.", "profile")
    return _check(
        "9",
        Verdict.ATTENTION,
        f"Ask the client how often they would like to check in (now every {every}), then "
        "tick \u201cCheck-in interval agreed with the client\u201d on the profile.",
        "profile",
    )


def readiness(
    case: CaseRecords, as_of: date, reassess_days: int = DEFAULT_REASSESS_DAYS
) -> ClientReadiness:
    """Every rule for one client, in the standard's order; 7c goes with the case manager."""
    checks = (
        designated_manager(case),
        needs_assessed(case, as_of, reassess_days),
        goal_sheet(case, as_of, reassess_days),
        basic_needs(case),
        health_access(case),
        progress_discussed(case, as_of),
        strengths_done(case),
        referrals_made(case),
        background(case),
        client_specific(case),
    )
    manager = manager_readiness(case.manager, case.blocks, as_of) if case.manager else None
    return ClientReadiness(case.client.id, checks, case.client.status, manager)


@dataclass(frozen=True, slots=True)
class AgencySummary:
    clients: int
    overall: Counter[Verdict]
    #: Per rule: clients for the client rules, case managers for 7c.
    by_rule: dict[str, Counter[Verdict]]
    on_hold: int = 0
    managers: tuple[ManagerReadiness, ...] = ()

    @property
    def active(self) -> int:
        return self.clients - self.on_hold


def managers_of(results: Iterable[ClientReadiness]) -> list[ManagerReadiness]:
    """Each case manager once, in the order first met."""
    seen: dict[str, ManagerReadiness] = {}
    for result in results:
        if result.manager is not None:
            seen.setdefault(result.manager.staff_id, result.manager)
    return list(seen.values())


def summarise(results: Iterable[ClientReadiness]) -> AgencySummary:
    overall: Counter[Verdict] = Counter()
    by_rule: dict[str, Counter[Verdict]] = {rule: Counter() for rule in TITLES}
    count = on_hold = 0
    kept = list(results)
    for result in kept:
        count += 1
        on_hold += result.status is ClientStatus.ON_HOLD
        overall[result.verdict] += 1
        for check in result.checks:
            by_rule[check.rule][check.verdict] += 1
    managers = tuple(managers_of(kept))
    for manager in managers:
        for check in manager.checks:
            by_rule[check.rule][check.verdict] += 1
    return AgencySummary(count, overall, by_rule, on_hold, managers)


def headline(summary: AgencySummary) -> str:
    """``3 clients in the program (2 active, 1 on hold): 1 passes, 1 needs attention, 1 fails.``"""
    if summary.on_hold:
        who = (
            f"{plural(summary.clients, 'client')} in the program ({summary.active} active, "
            f"{summary.on_hold} on hold)"
        )
    else:
        who = plural(summary.clients, "active client")
    n = summary.overall
    p, a, f = n[Verdict.PASS], n[Verdict.ATTENTION], n[Verdict.FAIL]
    return (
        f"{who}: {p} {'passes' if p == 1 else 'pass'}, "
        f"{a} {'needs' if a == 1 else 'need'} attention, {f} {'fails' if f == 1 else 'fail'}."
    )


#: Which clients are checked, said in the report.
SCOPE = "Active clients and clients on hold are checked; closed cases are not."


def in_program(clients: Iterable[Client]) -> list[Client]:
    """The clients the report checks: active or on hold."""
    return [c for c in clients if c.status in (ClientStatus.ACTIVE, ClientStatus.ON_HOLD)]


def active(clients: Iterable[Client]) -> list[Client]:
    return [c for c in clients if c.status is ClientStatus.ACTIVE]


# -- reports ----------------------------------------------------------------------------

TAB_NAMES = {
    "profile": "Profile tab",
    "needs": "Needs tab",
    "goals": "Goals tab",
    "meetings": "Meetings tab",
    "referrals": "Referrals tab",
    "strengths": "Strengths tab",
    "week": "case manager's week",
}


def render(rows: Sequence[tuple[str, str, ClientReadiness]], as_of: date, fmt: str = "text") -> str:
    """The report for (label, client id, readiness) rows: text, Markdown ("md") or CSV.

    Each case manager's own requirement (7c) follows the clients, once per case manager.
    """
    summary = summarise(r for _label, _id, r in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["client", "client_id", "rule", "requirement", "verdict", "reason", "fix_in"]
        )
        for label, client_id, result in rows:
            held = " (on hold)" if result.status is ClientStatus.ON_HOLD else ""
            for c in result.checks:
                writer.writerow(
                    [
                        protect_cell(label + held, reversible=False),
                        client_id,
                        c.rule,
                        c.title,
                        c.verdict.label,
                        protect_cell(c.reason, reversible=False),
                        TAB_NAMES.get(c.tab, c.tab),
                    ]
                )
        for manager in summary.managers:
            for c in manager.checks:
                writer.writerow(
                    [
                        protect_cell(f"{manager.name} (case manager)", reversible=False),
                        manager.staff_id,
                        c.rule,
                        c.title,
                        c.verdict.label,
                        protect_cell(c.reason, reversible=False),
                        TAB_NAMES.get(c.tab, c.tab),
                    ]
                )
        return out.getvalue()
    md = fmt == "md"
    lines = [
        f"# Accreditation readiness as of {as_of.isoformat()}"
        if md
        else f"Accreditation readiness as of {as_of.isoformat()}",
        "",
        headline(summary),
        SCOPE,
        "",
    ]
    note = "7c counts case managers, not clients."
    if md:
        lines += ["| Requirement | Pass | Attention | Fail |", "|---|---:|---:|---:|"]
        for rule, title in TITLES.items():
            n = summary.by_rule[rule]
            lines.append(
                f"| {rule}. {title} | {n[Verdict.PASS]} | {n[Verdict.ATTENTION]} | "
                f"{n[Verdict.FAIL]} |"
            )
        lines += ["", note]
    else:
        lines.append(f"{'Requirement':<62}{'pass':>6}{'attn':>6}{'fail':>6}")
        for rule, title in TITLES.items():
            n = summary.by_rule[rule]
            name = f"{rule:>2}. {title}"
            if len(name) > 61:
                name = name[:60] + "…"
            lines.append(
                f"{name:<62}{n[Verdict.PASS]:>6}{n[Verdict.ATTENTION]:>6}{n[Verdict.FAIL]:>6}"
            )
        lines.append(note)
    lines.append("")

    def problems(title: str, checks: Sequence[Check], verdict: Verdict, level: str = "##") -> None:
        lines.append(f"{level} {md_escape(title, MD_PUNCTUATION)}" if md else title)
        for c in checks:
            if c.verdict is Verdict.PASS:
                continue
            where = TAB_NAMES.get(c.tab, c.tab)
            text = f"{c.verdict.label}: {c.rule}. {c.title}. {c.reason} (fix in the {where})"
            lines.append(f"- {md_escape(text, MD_PUNCTUATION)}" if md else f"  - {text}")
        if verdict is Verdict.PASS:
            lines.append("- Every requirement is met." if md else "  Every requirement is met.")
        lines.append("")

    for label, client_id, result in rows:
        held = ", on hold" if result.status is ClientStatus.ON_HOLD else ""
        problems(
            f"{label} ({client_id}{held}): {result.verdict.label}", result.checks, result.verdict
        )
    if summary.managers:
        lines += ["## Case managers" if md else "Case managers", ""]
        for manager in summary.managers:
            title = f"{manager.name}: {manager.verdict.label}"
            problems(title, manager.checks, manager.verdict, "###")
    return "\n".join(lines).rstrip() + "\n"
