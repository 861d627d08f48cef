"""The agency's accreditation readiness: a summary over all clients, and the report
as text, Markdown or CSV.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from casetui.core.choices import ClientStatus
from casetui.core.formats import MD_PUNCTUATION, md_escape, protect_cell
from casetui.core.readiness_checks import (
    TITLES,
    Check,
    ClientReadiness,
    ManagerReadiness,
    Verdict,
)
from casetui.core.records import Client
from casetui.core.text import plural


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


#: The CSV's verdict column for a note: something optional, never pass or fail.
NOTE_VERDICT = "note"

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
            for note in result.notes:  # optional: a row of its own, never a verdict
                writer.writerow(
                    [
                        protect_cell(label + held, reversible=False),
                        client_id,
                        "",
                        "",
                        NOTE_VERDICT,
                        protect_cell(note, reversible=False),
                        TAB_NAMES["profile"],
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

    def problems(
        title: str,
        checks: Sequence[Check],
        verdict: Verdict,
        level: str = "##",
        notes: Sequence[str] = (),
    ) -> None:
        lines.append(f"{level} {md_escape(title, MD_PUNCTUATION)}" if md else title)
        for c in checks:
            if c.verdict is Verdict.PASS:
                continue
            where = TAB_NAMES.get(c.tab, c.tab)
            text = f"{c.verdict.label}: {c.rule}. {c.title}. {c.reason} (fix in the {where})"
            lines.append(f"- {md_escape(text, MD_PUNCTUATION)}" if md else f"  - {text}")
        if verdict is Verdict.PASS:
            lines.append("- Every requirement is met." if md else "  Every requirement is met.")
        for note in notes:
            text = f"Note: {note}, on the {TAB_NAMES['profile']}."
            lines.append(f"- {md_escape(text, MD_PUNCTUATION)}" if md else f"  {text}")
        lines.append("")

    for label, client_id, result in rows:
        held = ", on hold" if result.status is ClientStatus.ON_HOLD else ""
        problems(
            f"{label} ({client_id}{held}): {result.verdict.label}",
            result.checks,
            result.verdict,
            notes=result.notes,
        )
    if summary.managers:
        lines += ["## Case managers" if md else "Case managers", ""]
        for manager in summary.managers:
            title = f"{manager.name}: {manager.verdict.label}"
            problems(title, manager.checks, manager.verdict, "###")
    return "\n".join(lines).rstrip() + "\n"
