"""The goal sheet a client takes home: its words, its sections, what it never holds,
its escaping.

How it prints (headless Chromium to PDF) is in ``test_printout_pdf.py``; the command
line and the key in the workspace in ``test_printout_commands.py``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from casetui.core.choices import (
    AuditAction,
    Domain,
    GoalStatus,
    Horizon,
    LegalKind,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import DatedNote, StatusChange
from casetui.core.formats import md_text
from casetui.core.printout import SECTIONS, GoalSheet, goal_sheet, parse_sections
from casetui.core.printout_render import to_html, to_markdown
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan, StrengthsAssessment
from casetui.core.records import Client, Goal, Meeting, NeedItem, Partner, Referral, Staff
from casetui.services.goal_sheet_print import goal_sheet_for
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles

GOLDEN = Path(__file__).parents[1] / "golden" / "goal_sheet.md"
AS_OF = date(2026, 3, 16)  # a Monday
#: Every heading a section puts on the page, by section.
HEADINGS = {
    "goals": "Your goals",
    "needs": "What we are working on together",
    "checkin": "Your next check-in",
    "contact": "How to reach us",
}
RECORD_ID = re.compile(r"\b(?:cl|go|nd|mt|st|pa|rf|co|sa|sp|as|ce|lm|au)_[0-9a-z]{6,}\b")
#: Words that judge, blame or speak as staff; none belongs on the client's page.
UNWELCOME = (
    "overdue",
    "late",
    "missed",
    "fail",
    "non-compliant",
    "noncompliant",
    "refused",
    "deficit",
    "problem",
    "case #",
    "case number",
    "caseload",
    "client id",
)


# -- a fixed, fictional client ---------------------------------------------------------


def _referral(
    rid: str, partner: Partner, service: ServiceKind, status: ReferralStatus, **values: Any
) -> Referral:
    history = [StatusChange(date(2026, 2, 2), ReferralStatus.PLANNED, "Chosen together.")]
    if status is not ReferralStatus.PLANNED:
        history.append(StatusChange(date(2026, 2, 9), status, ""))
    return Referral(
        id=rid,
        client_id="cl_golden001",
        partner_id=partner.id,
        service=service,
        status=status,
        history=tuple(history),
        **values,
    )


def sample_records() -> dict[str, Any]:
    """Marisol's records: a made-up client whose sheet is kept as the golden file."""
    staff = Staff(id="st_golden01", name="Wren Halloway")
    client = Client(
        id="cl_golden001",
        preferred_name="Marisol Quenby",
        pronouns="she/her",
        intake_date=date(2026, 1, 5),
        case_manager_id=staff.id,
        checkin_interval_days=14,
        safe_contact_notes="Text only; never call the landline.",
    )

    def goal(gid: str, text: str, priority: int, status: GoalStatus, **values: Any) -> Goal:
        return Goal(
            id=gid, client_id=client.id, text=text, priority=priority, status=status, **values
        )

    goals = [
        goal(
            "go_golden01",
            "I want a home where my son has his own room",
            1,
            GoalStatus.IN_PROGRESS,
            target_date=date(2026, 9, 30),
            progress_notes=(DatedNote(date(2026, 2, 9), "Viewed two flats with Wren."),),
        ),
        goal(
            "go_golden02",
            "I want to learn to drive\nso I can take my son to school",
            2,
            GoalStatus.NOT_STARTED,
            target_date=date(2026, 2, 1),  # already passed: not printed
        ),
        goal("go_golden03", "I want to sleep through the night again", 3, GoalStatus.ACHIEVED),
        goal("go_golden04", "I want to visit my aunt", 4, GoalStatus.PAUSED),
        goal("go_golden05", "I want a flat", 5, GoalStatus.REVISED),
    ]

    def need(
        nid: str,
        label: str,
        horizon: Horizon,
        domain: Domain,
        status: NeedStatus,
        key: str | None = None,
    ) -> NeedItem:
        return NeedItem(
            id=nid,
            client_id=client.id,
            catalog_key=key,
            label=label,
            horizon=horizon,
            domain=domain,
            status=status,
        )

    s, i, long = Horizon.SHORT_TERM, Horizon.INTERMEDIATE, Horizon.LONG_TERM
    needs = [
        need("nd_golden01", "Food", s, Domain.PHYSICAL, NeedStatus.NEEDED, "food"),
        need(
            "nd_golden02", "Secure shelter", s, Domain.HOUSING, NeedStatus.IN_PROGRESS,
            "secure_shelter",
        ),
        need(
            "nd_golden03", "Safe phone or way to keep in touch", s, Domain.SAFETY,
            NeedStatus.NEEDED, "safe_phone",
        ),
        need(
            "nd_golden04", "Mental health services", i, Domain.EMOTIONAL,
            NeedStatus.IN_PROGRESS, "mental_health",
        ),
        need(
            "nd_golden05", "Legal assistance", i, Domain.LEGAL, NeedStatus.NEEDED,
            "legal_assistance",
        ),
        need("nd_golden06", "Job training", i, Domain.ECONOMIC, NeedStatus.MET, "job_training"),
        need("nd_golden07", "Save for a deposit", long, Domain.ECONOMIC, NeedStatus.NEEDED),
        need("nd_golden08", "Clothing", s, Domain.PHYSICAL, NeedStatus.DECLINED, "clothing"),
    ]  # fmt: skip
    shelter = Partner(id="pa_golden01", name="Lindenbrook House", kind=ServiceKind.SHELTER)
    counselling = Partner(
        id="pa_golden02", name="Thistle Counselling Rooms", kind=ServiceKind.MENTAL_HEALTH
    )
    legal = Partner(id="pa_golden03", name="Oakmere Legal Clinic", kind=ServiceKind.LEGAL_AID)
    group = Partner(id="pa_golden04", name="Tuesday Circle", kind=ServiceKind.SUPPORT_GROUP)
    work = Partner(id="pa_golden05", name="Brightloom Jobs", kind=ServiceKind.EMPLOYMENT)
    referrals = [
        _referral(
            "rf_golden01", shelter, ServiceKind.SHELTER, ReferralStatus.SCHEDULED,
            need_id="nd_golden02",
        ),
        _referral(
            "rf_golden02", counselling, ServiceKind.MENTAL_HEALTH, ReferralStatus.ATTENDING,
            need_id="nd_golden04",
        ),
        _referral(
            "rf_golden03", legal, ServiceKind.LEGAL_AID, ReferralStatus.REFERRED,
            need_id="nd_golden05",
        ),
        _referral("rf_golden04", group, ServiceKind.SUPPORT_GROUP, ReferralStatus.REFERRED),
        _referral(
            "rf_golden05", work, ServiceKind.EMPLOYMENT, ReferralStatus.DECLINED,
            need_id="nd_golden07",
        ),
    ]  # fmt: skip
    meetings = [
        Meeting(
            id="mt_golden01",
            client_id=client.id,
            on=date(2026, 3, 9),
            kind=MeetingKind.SCHEDULED,
            summary="Went through the goal sheet.",
            next_checkin=date(2026, 3, 20),
        ),
        Meeting(  # planned: not contact yet, so its agreed date does not count
            id="mt_golden02",
            client_id=client.id,
            on=date(2026, 4, 1),
            next_checkin=date(2026, 4, 30),
        ),
    ]
    return {
        "client": client,
        "goals": goals,
        "needs": needs,
        "referrals": referrals,
        "partners": {p.id: p for p in (shelter, counselling, legal, group, work)},
        "meetings": meetings,
        "case_manager": staff.name,
        "agency_name": "Harbourlight Advocacy Network",
        "agency_contact": "",  # left blank: a line to fill in by hand
    }


def sample_sheet(sections: Iterable[str] = SECTIONS, **changes: Any) -> GoalSheet:
    records = sample_records() | changes
    return goal_sheet(records.pop("client"), as_of=AS_OF, sections=tuple(sections), **records)


def headings_of(markdown: str) -> list[str]:
    return [line.lstrip("#").strip() for line in markdown.splitlines() if line.startswith("## ")]


# -- the words on the page -----------------------------------------------------------------


def test_the_markdown_matches_the_golden_file() -> None:
    """The whole page for a fixed client, word for word. If the page was meant to change,
    look at the difference, then write the new page over tests/golden/goal_sheet.md."""
    produced = to_markdown(sample_sheet())
    assert produced == GOLDEN.read_text(encoding="utf-8"), (
        "the goal sheet changed; compare it with tests/golden/goal_sheet.md"
    )


def test_the_page_speaks_to_the_client_warmly_and_plainly() -> None:
    page = to_markdown(sample_sheet())
    assert "For Marisol Quenby" in page
    assert "Your goals" in page and "In your own words." in page
    # Working on, and achieved, clearly marked; paused and revised goals are left out.
    assert "- I want a home where my son has his own room — Hoping for: Wednesday 30 " in page
    assert "- ✓ I want to sleep through the night again — *Achieved*" in page
    assert "visit my aunt" not in page
    assert "I want a flat" not in page
    # A hoped-for date that has passed is not printed.
    assert "February 2026" not in page
    # Who is helping: the partner and the service, or the case manager.
    # A shelter's location is confidential by default: it is never named, nor its kind.
    assert "Lindenbrook" not in page
    assert "Helping: a partner agency (your case manager can tell you more)." in page
    assert "Thistle Counselling Rooms (Mental health)" in page
    assert "Food — Not started yet. Helping: Wren Halloway, your case manager." in page
    assert "Tuesday Circle (Support group)" in page
    # A declined referral is not "helping", and met or declined needs are done with.
    assert "Brightloom Jobs" not in page
    assert "Job training" not in page
    assert "Clothing" not in page
    # The check-in agreed at the last meeting, not one from a planned meeting.
    assert "**Date:** Friday 20 March 2026" in page
    assert "**How to reach us:** ________________________" in page
    for word in UNWELCOME:
        assert re.search(rf"\b{re.escape(word)}\b", page, re.IGNORECASE) is None, word


def test_progress_notes_and_staff_notes_are_not_printed() -> None:
    page = to_markdown(sample_sheet())
    assert "Viewed two flats" not in page
    assert "Went through the goal sheet" not in page
    assert "Chosen together" not in page
    assert "landline" not in page


def test_safety_and_legal_needs_and_legal_referrals_are_never_printed() -> None:
    page = to_markdown(sample_sheet())
    assert "Safe phone" not in page
    assert "Legal assistance" not in page
    assert "Oakmere Legal Clinic" not in page


def test_a_check_in_that_has_passed_or_is_paused_is_chosen_together() -> None:
    records = sample_records()
    for changes in (
        {"meetings": []},  # intake + 14 days: long passed
        {"client": Client.from_dict(records["client"].to_dict() | {"status": "on_hold"})},
    ):
        page = to_markdown(sample_sheet(["checkin"], **changes))
        assert "We will choose the day together." in page
        assert "**Date:** ________________________" in page
        assert "overdue" not in page.lower()


@pytest.mark.parametrize(
    "chosen",
    [("goals",), ("needs",), ("checkin",), ("contact",), ("goals", "contact"), SECTIONS],
)
def test_only_the_chosen_sections_are_printed(chosen: tuple[str, ...]) -> None:
    sheet = sample_sheet(reversed(chosen))  # asked in any order, printed in page order
    assert sheet.keys == chosen
    page = to_markdown(sheet)
    assert headings_of(page) == [HEADINGS[key] for key in chosen]
    page_html = to_html(sheet)
    for key, heading in HEADINGS.items():
        assert (f"<h2>{heading}</h2>" in page_html) is (key in chosen), key
    if "contact" not in chosen:
        # Without the contact section the page names neither the agency nor the manager.
        assert "Harbourlight" not in page and "Harbourlight" not in page_html
        assert "Wren Halloway" not in page.replace("Helping: Wren Halloway", "")


def test_section_names_are_checked() -> None:
    assert parse_sections("needs, goals") == ("goals", "needs")
    with pytest.raises(ValueError, match="not a section"):
        parse_sections("goals,safety")
    with pytest.raises(ValueError, match="at least one"):
        parse_sections(" , ")


# -- what it never holds -----------------------------------------------------------------

CANARY = "CANARY"


def _plant_canaries(vault: Vault) -> str:
    """A client with a canary in everything the page must leave out; returns their id."""
    repo = vault.repo
    owner = vault.owner_staff_id
    assert owner is not None
    client = repo.clients.add(
        Client.create(
            preferred_name="Ilse Marrowby",
            intake_date=date(2026, 1, 5),
            case_manager_id=owner,
            culture_notes=f"{CANARY} culture",
            faith_notes=f"{CANARY} faith",
            safe_contact_notes=f"{CANARY} contact notes",
            calendar_code="CANARYCODE",
        )
    )
    other = repo.clients.add(
        Client.create(
            preferred_name=f"{CANARY} Other Person", intake_date=date(2026, 1, 5),
            case_manager_id=owner,
        )
    )  # fmt: skip
    partner = repo.partners.add(
        Partner.create(
            name="Fernwick Food Bank",
            kind=ServiceKind.OTHER,
            contact_person=f"{CANARY} person",
            phone="CANARY-555",
            notes=f"{CANARY} partner notes",
        )
    )
    elsewhere = repo.partners.add(Partner.create(name=f"{CANARY} partner of another"))
    goal = repo.goals.add(
        Goal.create(
            client_id=client.id,
            text="I want to cook for my friends",
            status=GoalStatus.IN_PROGRESS,
            progress_notes=(DatedNote(date(2026, 2, 1), f"{CANARY} progress"),),
        )
    )
    need = repo.needs.add(
        NeedItem.create(
            client_id=client.id,
            catalog_key="food",
            label="Food",
            horizon=Horizon.SHORT_TERM,
            domain=Domain.PHYSICAL,
            status=NeedStatus.NEEDED,
            note=f"{CANARY} need note",
        )
    )
    repo.referrals.add(
        Referral.create(
            client_id=client.id,
            partner_id=partner.id,
            service=ServiceKind.OTHER,
            need_id=need.id,
            goal_id=goal.id,
            status=ReferralStatus.REFERRED,
            history=(
                StatusChange(date(2026, 2, 1), ReferralStatus.PLANNED, f"{CANARY} history"),
                StatusChange(date(2026, 2, 2), ReferralStatus.REFERRED, ""),
            ),
            note=f"{CANARY} referral note",
        )
    )
    repo.meetings.add(
        Meeting.create(
            client_id=client.id,
            on=date(2026, 3, 9),
            summary=f"{CANARY} summary",
            client_view=f"{CANARY} client view",
            observations=f"{CANARY} observations",
            next_steps=f"{CANARY} next steps",
        )
    )
    repo.safety_plans.add(
        SafetyPlan.create(
            client_id=client.id,
            **{
                name: f"{CANARY} {name}"
                for name in (
                    "main_concern", "people", "places", "community", "money_material",
                    "before", "during", "after_leaving", "emergency_contacts", "safe_to_keep",
                )
            },
        )
    )  # fmt: skip
    repo.consents.add(
        Consent.create(
            client_id=client.id,
            partner_id=partner.id,
            shares=f"{CANARY} shares",
            purpose=f"{CANARY} purpose",
            signed_on=date(2026, 1, 10),
            expires_on=date(2027, 1, 10),
        )
    )
    repo.legal_matters.add(
        LegalMatter.create(
            client_id=client.id,
            kind=LegalKind.PROTECTIVE_ORDER,
            on=date(2026, 2, 1),
            description=f"{CANARY} legal description",
            note=f"{CANARY} legal note",
        )
    )
    repo.strengths.add(
        StrengthsAssessment.create(client_id=client.id, on=date(2026, 2, 1), proud_of=CANARY)
    )
    # Another client's goals, needs and referrals.
    repo.goals.add(Goal.create(client_id=other.id, text=f"{CANARY} other goal"))
    repo.needs.add(
        NeedItem.create(
            client_id=other.id, catalog_key="clothing", label="Clothing",
            horizon=Horizon.SHORT_TERM, domain=Domain.PHYSICAL, status=NeedStatus.NEEDED,
        )
    )  # fmt: skip
    repo.referrals.add(
        Referral.create(
            client_id=other.id,
            partner_id=elsewhere.id,
            service=ServiceKind.OTHER,
            status=ReferralStatus.PLANNED,
            history=(StatusChange(date(2026, 2, 1), ReferralStatus.PLANNED, ""),),
        )
    )
    vault.repo.record_event(AuditAction.EXPORTED, detail=f"{CANARY} audit", client_id=client.id)
    return client.id


def test_the_safety_plan_notes_ids_and_other_clients_never_appear(vault: Vault) -> None:
    client_id = _plant_canaries(vault)
    sheet = goal_sheet_for(
        vault.repo, client_id, as_of=AS_OF, agency_name="Agency", agency_contact="555-0100"
    )
    for page in (to_markdown(sheet), to_html(sheet)):
        assert "I want to cook for my friends" in page  # the page is not simply empty
        assert "Fernwick Food Bank" in page
        assert CANARY.lower() not in page.lower()
        assert not RECORD_ID.search(page), RECORD_ID.search(page)
        assert "Clothing" not in page  # the other client's need
        assert "Robin Testwell" in page  # the case manager, named in full


# -- escaping ----------------------------------------------------------------------------

HOSTILE_NAME = "<script>alert('x')</script> *Ana* [click](http://evil.example) & Co &amp;"
HOSTILE_GOAL = (
    "</li></ul><h1>Boom</h1>\n# not a heading\n- not a list\n1. nor this\n---\n> nor a quote"
)
HOSTILE_PARTNER = '<img src="x" onerror="alert(1)"> `tick` _under_ |pipe|'


def hostile_sheet() -> GoalSheet:
    records = sample_records()
    client = Client.from_dict(records["client"].to_dict() | {"preferred_name": HOSTILE_NAME})
    goals = [
        Goal.from_dict(records["goals"][0].to_dict() | {"text": HOSTILE_GOAL}),
        *records["goals"][1:],
    ]
    partners = dict(records["partners"])
    partners["pa_golden01"] = Partner.from_dict(
        # Named on the page (not confidential), so its escaping is seen.
        partners["pa_golden01"].to_dict()
        | {"name": HOSTILE_PARTNER, "confidential_location": False}
    )
    return sample_sheet(
        client=client,
        goals=goals,
        partners=partners,
        agency_name='<a href="http://evil.example">Agency</a>',
        agency_contact="<!-- hidden --> 555-0100",
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def test_untrusted_text_is_escaped_in_html() -> None:
    sheet = hostile_sheet()
    page = to_html(sheet)
    plain = parse_html(to_html(sample_sheet(agency_contact="555-0100")))
    hostile = parse_html(page)
    # The same elements and attributes as the page without hostile text (the goal's
    # own line breaks aside).
    assert [t for t in hostile.tags if t != "br"] == [t for t in plain.tags if t != "br"]
    assert set(hostile.attributes) == set(plain.attributes)
    assert {"script", "img", "a", "link", "iframe"}.isdisjoint(hostile.tags)
    assert "onerror" not in hostile.attributes and "href" not in hostile.attributes
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    text = "".join(hostile.text)
    assert f"For {HOSTILE_NAME} ·" in text  # shown as the very characters typed
    assert "Boom" in text and "# not a heading" in text
    assert "&lt;!-- hidden --&gt; 555-0100" in page


def test_untrusted_text_is_shown_literally_in_markdown() -> None:
    page = to_markdown(hostile_sheet())
    parser = MarkdownIt("commonmark")
    rendered = parser.render(page)
    tokens = parser.parse(page)
    # The structure is unchanged: one title, the same sections, groups and items.
    plain_tokens = parser.parse(to_markdown(sample_sheet()))
    assert [t.type for t in tokens] == [t.type for t in plain_tokens]
    assert [t.tag for t in tokens if t.type == "heading_open"] == [
        t.tag for t in plain_tokens if t.type == "heading_open"
    ]
    # No markup came through: no raw HTML, link, emphasis from the text, or code span.
    children = [c for t in tokens if t.children for c in t.children]
    kinds = {c.type for c in children}
    assert {"html_inline", "link_open", "code_inline", "image"}.isdisjoint(kinds)
    assert not any(t.type == "html_block" for t in tokens)
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    # And the reader sees exactly what was typed.
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for typed in (
        HOSTILE_NAME,
        HOSTILE_PARTNER,
        '<a href="http://evil.example">Agency</a>',
        "<!-- hidden --> 555-0100",
        *HOSTILE_GOAL.split("\n"),
    ):
        assert typed in shown, typed


def test_no_sample_clients_page_holds_unwelcome_words(sample_files: VaultFiles) -> None:
    """Every sample client's page, read for words that judge or speak as staff."""
    with sample_files.open(writable=False) as vault:
        for client_id, raw in vault.repo.clients.raw().items():
            page = to_markdown(goal_sheet_for(vault.repo, client_id, as_of=date(2026, 11, 16)))
            # Words the client typed are theirs; only the page's own words are checked.
            for goal in vault.repo.goals.for_parent(client_id):
                page = page.replace(md_text(goal.text), "")
            for word in UNWELCOME:
                found = re.search(rf"\b{re.escape(word)}\b", page, re.IGNORECASE)
                assert found is None, (raw["preferred_name"], word)
