"""Accreditation readiness: each active client against the standard's essential requirements.

Every rule is a pure function of one client's records and a day. A rule gives
*pass*, *attention* (something to look at soon) or *fail* (an essential
requirement is not met), a plain reason, and the workspace tab where it is
fixed. The recommended practices (rule 7) never fail: at worst they ask for
attention.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum

from casetui.core.choices import BlockKind, ClientStatus, NeedStatus, ServiceKind
from casetui.core.records import (
    AdminBlock,
    Client,
    Goal,
    Meeting,
    NeedItem,
    Referral,
    Staff,
    StrengthsAssessment,
)

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
    """One requirement held against one client."""

    rule: str  # "1" … "6", or "7a" … "7c" for the recommended practices
    title: str
    verdict: Verdict
    reason: str
    #: Where to fix it: a workspace tab ("profile", "needs", …) or "week".
    tab: str


@dataclass(frozen=True, slots=True)
class ClientReadiness:
    client_id: str
    checks: tuple[Check, ...]

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
    meetings: Sequence[Meeting] = ()
    referrals: Sequence[Referral] = ()
    strengths: Sequence[StrengthsAssessment] = ()
    #: The case manager's own time blocks (for self-care in the last four weeks).
    blocks: Sequence[AdminBlock] = field(default_factory=tuple)


TITLES = {
    "1": "A designated case manager",
    "2": "Needs assessed at intake and reassessed",
    "3": "A goal sheet in the client's own words",
    "4": "Basic physical needs recorded",
    "5": "Access to health services recorded",
    "6": "Progress discussed with the client",
    "7a": "Strengths assessment (recommended)",
    "7b": "Referrals where needs call for them (recommended)",
    "7c": "Self-care time for the case manager (recommended)",
}

#: Rule 4: the catalog needs that stand for safety, shelter, food and clothing.
BASIC_NEEDS = {
    "safety": ("safety_plan",),
    "shelter": ("secure_shelter", "transitional_housing", "permanent_housing"),
    "food": ("food",),
    "clothing": ("clothing",),
}
RECORDED = frozenset({NeedStatus.MET, NeedStatus.IN_PROGRESS, NeedStatus.DECLINED})

#: Rule 5: each service, the catalog needs that stand for it, and its referral kind.
HEALTH = {
    "medical": (("acute_medical_dental", "ongoing_medical_dental"), ServiceKind.MEDICAL),
    "dental": (("acute_medical_dental", "ongoing_medical_dental"), ServiceKind.DENTAL),
    "mental health": (("mental_health", "crisis_counselling"), ServiceKind.MENTAL_HEALTH),
}
HEALTH_SETTLED = frozenset({NeedStatus.MET, NeedStatus.DECLINED, NeedStatus.NOT_NEEDED})

#: Rule 7b: need domains a partner agency usually helps with.
OPEN_NEED = frozenset({NeedStatus.NEEDED, NeedStatus.IN_PROGRESS})


def _check(rule: str, verdict: Verdict, reason: str, tab: str) -> Check:
    return Check(rule, TITLES[rule], verdict, reason, tab)


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


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


def goal_sheet(case: CaseRecords) -> Check:
    goals = [g for g in case.goals if g.text.strip()]
    if not goals:
        return _check(
            "3",
            Verdict.FAIL,
            "There is no goal sheet yet; write goals in the client's words.",
            "goals",
        )
    return _check("3", Verdict.PASS, f"{len(goals)} goal(s) in the client's words.", "goals")


def basic_needs(case: CaseRecords) -> Check:
    by_key = {n.catalog_key: n for n in case.needs if n.catalog_key}
    missing: list[str] = []
    not_needed: list[str] = []
    waiting: list[str] = []
    for name, keys in BASIC_NEEDS.items():
        found = [by_key[k] for k in keys if k in by_key]
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
            said.append(f"Not yet recorded: {', '.join(missing)}.")
        if not_needed:
            # "Not needed" says the client has it; the standard wants that said as "met".
            said.append(
                f"Marked not needed: {', '.join(not_needed)}; if the client already has it, "
                "mark it met."
            )
        said.append("Mark each as met, in progress or declined.")
        return _check("4", Verdict.FAIL, " ".join(said), "needs")
    if waiting:
        return _check(
            "4",
            Verdict.ATTENTION,
            f"Needed but not yet in progress: {', '.join(waiting)}.",
            "needs",
        )
    return _check("4", Verdict.PASS, "Safety, shelter, food and clothing are recorded.", "needs")


def health_access(case: CaseRecords) -> Check:
    by_key = {n.catalog_key: n for n in case.needs if n.catalog_key}
    services = {r.service for r in case.referrals}
    missing = []
    for name, (keys, service) in HEALTH.items():
        settled = any(by_key[k].status in HEALTH_SETTLED for k in keys if k in by_key)
        if not (settled or service in services):
            missing.append(name)
    if missing:
        return _check(
            "5",
            Verdict.FAIL,
            f"Nothing recorded for {', '.join(missing)} care: a referral, a met need, or the "
            "client's choice to decline.",
            "referrals",
        )
    return _check(
        "5", Verdict.PASS, "Medical, dental and mental health access recorded.", "referrals"
    )


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
    open_needs = [n for n in case.needs if n.status in OPEN_NEED]
    if not open_needs or case.referrals:
        return _check(
            "7b", Verdict.PASS, "Referrals are in place, or none are called for.", "referrals"
        )
    return _check(
        "7b",
        Verdict.ATTENTION,
        f"{len(open_needs)} open need(s) and no referral to a partner agency yet.",
        "referrals",
    )


def self_care(case: CaseRecords, as_of: date) -> Check:
    start = as_of - SELF_CARE_WINDOW
    for block in case.blocks:
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
        "No self-care time in the case manager's week in the last 4 weeks.",
        "week",
    )


def readiness(
    case: CaseRecords, as_of: date, reassess_days: int = DEFAULT_REASSESS_DAYS
) -> ClientReadiness:
    """Every rule for one client, in the standard's order."""
    checks = (
        designated_manager(case),
        needs_assessed(case, as_of, reassess_days),
        goal_sheet(case),
        basic_needs(case),
        health_access(case),
        progress_discussed(case, as_of),
        strengths_done(case),
        referrals_made(case),
        self_care(case, as_of),
    )
    return ClientReadiness(case.client.id, checks)


@dataclass(frozen=True, slots=True)
class AgencySummary:
    clients: int
    overall: Counter[Verdict]
    by_rule: dict[str, Counter[Verdict]]


def summarise(results: Iterable[ClientReadiness]) -> AgencySummary:
    overall: Counter[Verdict] = Counter()
    by_rule: dict[str, Counter[Verdict]] = {rule: Counter() for rule in TITLES}
    count = 0
    for result in results:
        count += 1
        overall[result.verdict] += 1
        for check in result.checks:
            by_rule[check.rule][check.verdict] += 1
    return AgencySummary(count, overall, by_rule)


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
    "week": "the case manager's week",
}


def _csv_safe(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render(rows: Sequence[tuple[str, str, ClientReadiness]], as_of: date, fmt: str = "text") -> str:
    """The report for (label, client id, readiness) rows: text, Markdown ("md") or CSV."""
    summary = summarise(r for _label, _id, r in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["client", "client_id", "rule", "requirement", "verdict", "reason", "fix_in"]
        )
        for label, client_id, result in rows:
            for c in result.checks:
                writer.writerow(
                    [
                        _csv_safe(label),
                        client_id,
                        c.rule,
                        c.title,
                        c.verdict.label,
                        _csv_safe(c.reason),
                        TAB_NAMES.get(c.tab, c.tab),
                    ]
                )
        return out.getvalue()
    md = fmt == "md"
    counts = summary.overall
    head = (
        f"{summary.clients} active client{'' if summary.clients == 1 else 's'}: "
        f"{counts[Verdict.PASS]} pass, {counts[Verdict.ATTENTION]} need attention, "
        f"{counts[Verdict.FAIL]} fail."
    )
    lines = [
        f"# Accreditation readiness as of {as_of.isoformat()}"
        if md
        else f"Accreditation readiness as of {as_of.isoformat()}",
        "",
        head,
        "",
    ]
    if md:
        lines += ["| Requirement | Pass | Attention | Fail |", "|---|---:|---:|---:|"]
        for rule, title in TITLES.items():
            n = summary.by_rule[rule]
            lines.append(
                f"| {rule}. {title} | {n[Verdict.PASS]} | {n[Verdict.ATTENTION]} | "
                f"{n[Verdict.FAIL]} |"
            )
    else:
        lines.append(f"{'Requirement':<58}{'pass':>6}{'attn':>6}{'fail':>6}")
        for rule, title in TITLES.items():
            n = summary.by_rule[rule]
            name = f"{rule:>2}. {title}"[:57]
            lines.append(
                f"{name:<58}{n[Verdict.PASS]:>6}{n[Verdict.ATTENTION]:>6}{n[Verdict.FAIL]:>6}"
            )
    lines.append("")
    for label, client_id, result in rows:
        title = f"{label} ({client_id}): {result.verdict.label}"
        lines.append(f"## {_md(title)}" if md else title)
        for c in result.checks:
            if c.verdict is Verdict.PASS:
                continue
            where = TAB_NAMES.get(c.tab, c.tab)
            text = f"{c.verdict.label}: {c.rule}. {c.title}. {c.reason} (fix in the {where})"
            lines.append(f"- {_md(text)}" if md else f"  - {text}")
        if result.verdict is Verdict.PASS:
            lines.append("- Every requirement is met." if md else "  Every requirement is met.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Text shown literally in Markdown."""
    for ch in "\\`*_{}[]<>()#+-.!|":
        text = text.replace(ch, "\\" + ch)
    return text
