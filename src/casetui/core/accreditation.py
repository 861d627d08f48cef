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

What the rules read and give is in :mod:`casetui.core.readiness_checks`; the
agency's summary and the report are in :mod:`casetui.core.readiness_report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from casetui.core.catalog import CATALOG_BY_KEY
from casetui.core.choices import (
    BlockKind,
    Domain,
    GoalStatus,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.readiness_checks import (
    TITLES,
    CaseRecords,
    Check,
    ClientReadiness,
    ManagerReadiness,
    Verdict,
)
from casetui.core.records import AdminBlock, NeedItem, Referral, Staff
from casetui.core.text import plural

DEFAULT_REASSESS_DAYS = 90
SELF_CARE_WINDOW = timedelta(days=28)


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
