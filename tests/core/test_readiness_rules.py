"""Accreditation readiness scores as the standard words it.

Each test here holds one rule against the standard's words (see the README's
"Accreditation readiness" and the module docstring of casetui.core.accreditation).
Names added with these rules are imported inside the tests that use them.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, time, timedelta
from typing import Any

import pytest

from casetui.core import case_rules as casework
from casetui.core.accreditation import (
    basic_needs,
    goal_sheet,
    health_access,
    readiness,
    referrals_made,
)
from casetui.core.catalog import CATALOG_BY_KEY
from casetui.core.choices import (
    BlockKind,
    ClientStatus,
    GoalStatus,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import DatedNote
from casetui.core.private_records import StrengthsAssessment
from casetui.core.readiness_checks import CaseRecords, Check, ClientReadiness, Verdict
from casetui.core.readiness_report import render
from casetui.core.records import AdminBlock, Client, Goal, Meeting, NeedItem, Referral, Staff

AS_OF = date(2026, 11, 20)
STAFF = Staff(id="st_1", name="Priya Oakhaven")
CLIENT_VALUES: dict[str, Any] = {
    "id": "cl_1",
    "preferred_name": "Amaru Quispe",
    "intake_date": date(2026, 10, 1),
    "case_manager_id": "st_1",
    "checkin_interval_days": 14,
    "language": "Quechua",
    "culture_notes": "Prefers meetings in the morning, with her sister present.",
}


def make_client(**changes: Any) -> Client:
    """The client; the check-in interval is marked agreed where the model has the field."""
    values = dict(CLIENT_VALUES)
    if "checkin_interval_agreed" in Client.field_names():
        values["checkin_interval_agreed"] = True
    values.update(changes)
    return Client(**values)


def need(key: str, status: NeedStatus, client_id: str = "cl_1") -> NeedItem:
    item = CATALOG_BY_KEY[key]
    return NeedItem(
        id=f"nd_{key}_{client_id}",
        client_id=client_id,
        catalog_key=key,
        label=item.label,
        horizon=item.horizon,
        domain=item.domain,
        status=status,
    )


def refer(
    service: ServiceKind,
    status: ReferralStatus = ReferralStatus.REFERRED,
    need_id: str | None = None,
) -> Referral:
    return casework.new_referral(
        client_id="cl_1",
        partner_id="pa_1",
        service=service,
        on=AS_OF - timedelta(days=3),
        status=status,
        need_id=need_id,
    )


def self_care_block(on: date) -> AdminBlock:
    return AdminBlock(
        id=f"ab_{on:%m%d}",
        staff_id="st_1",
        kind=BlockKind.SELF_CARE,
        on=on,
        start=time(15),
        end=time(16),
    )


PHYSICAL = [
    need("safety_plan", NeedStatus.MET),
    need("secure_shelter", NeedStatus.IN_PROGRESS),
    need("food", NeedStatus.DECLINED),
    need("clothing", NeedStatus.MET),
    need("personal_necessities", NeedStatus.MET),
]
EMOTIONAL = [need("mental_health", NeedStatus.DECLINED)]
SOCIAL = [need("life_social_skills", NeedStatus.IN_PROGRESS)]
MEDICAL_DENTAL = [need("acute_medical_dental", NeedStatus.MET)]
ALL_NEEDS = [*PHYSICAL, *EMOTIONAL, *SOCIAL, *MEDICAL_DENTAL]


def goal(**changes: Any) -> Goal:
    values: dict[str, Any] = {
        "id": "go_1",
        "client_id": "cl_1",
        "text": "I want to make friends in this town.",
        "status": GoalStatus.IN_PROGRESS,
        "linked_needs": ("nd_life_social_skills_cl_1",),
        "progress_notes": (DatedNote(AS_OF - timedelta(days=6), "Joined the choir."),),
    }
    values.update(changes)
    return Goal(**values)


def complete(**changes: Any) -> CaseRecords:
    """A client who meets every requirement as the standard words them."""
    base = CaseRecords(
        client=make_client(),
        manager=STAFF,
        needs=ALL_NEEDS,
        goals=[goal()],
        meetings=[
            Meeting(
                id="mt_1", client_id="cl_1", on=AS_OF - timedelta(days=5), progress_discussed=True
            )
        ],
        referrals=[refer(ServiceKind.SHELTER, need_id="nd_secure_shelter_cl_1")],
        strengths=[
            StrengthsAssessment(
                id="sa_1", client_id="cl_1", on=date(2026, 10, 8), overcome="Moving here alone."
            )
        ],
        blocks=[self_care_block(AS_OF - timedelta(days=10))],
    )
    return dataclasses.replace(base, **changes)


def rule(result: ClientReadiness, number: str) -> Check:
    found = [c for c in result.checks if c.rule == number]
    assert found, f"rule {number} is not checked"
    return found[0]


def without(*keys: str) -> list[NeedItem]:
    return [n for n in ALL_NEEDS if n.catalog_key not in keys]


def test_the_complete_case_meets_every_requirement() -> None:
    result = readiness(complete(), AS_OF)
    assert [c.rule for c in result.checks if c.verdict is not Verdict.PASS] == []


# -- 4: physical, emotional and social needs ------------------------------------------------


def test_4_personal_necessities_and_hygiene_are_a_basic_physical_need() -> None:
    check = basic_needs(complete(needs=without("personal_necessities")))
    assert check.verdict is Verdict.FAIL
    assert "personal necessities" in check.reason
    needed = [*without("personal_necessities"), need("personal_necessities", NeedStatus.NEEDED)]
    assert basic_needs(complete(needs=needed)).verdict is Verdict.ATTENTION


@pytest.mark.parametrize(
    ("left_out", "word"),
    [("mental_health", "emotional"), ("life_social_skills", "social")],
)
def test_4_emotional_and_social_needs_are_basic_needs_too(left_out: str, word: str) -> None:
    check = basic_needs(complete(needs=without(left_out)))
    assert check.verdict is Verdict.FAIL
    assert f"{word} need" in check.reason


def test_4_an_agency_s_own_need_in_the_domain_counts() -> None:
    group = NeedItem(
        id="nd_group",
        client_id="cl_1",
        label="Peer support group",
        horizon=CATALOG_BY_KEY["life_social_skills"].horizon,
        domain=CATALOG_BY_KEY["life_social_skills"].domain,
        status=NeedStatus.MET,
    )
    assert basic_needs(complete(needs=[*without("life_social_skills"), group])).verdict is (
        Verdict.PASS
    )


# -- 4 and 5: one reading of "not needed" -----------------------------------------------------


def test_not_needed_settles_neither_basic_needs_nor_health_access() -> None:
    """The standard asks both "for all clients": "not needed" says neither that the
    client has it nor that they chose against it, so neither rule takes it."""
    clothing = [*without("clothing"), need("clothing", NeedStatus.NOT_NEEDED)]
    check4 = basic_needs(complete(needs=clothing))
    assert check4.verdict is Verdict.FAIL and "mark it met" in check4.reason
    dental = [
        *without("acute_medical_dental", "mental_health"),
        need("acute_medical_dental", NeedStatus.NOT_NEEDED),
        need("crisis_counselling", NeedStatus.MET),
    ]
    check5 = health_access(complete(needs=dental))
    assert check5.verdict is Verdict.FAIL
    assert "\u201cAcute medical and dental care\u201d is marked not needed" in check5.reason
    assert "mark the need met" in check5.reason


# -- 5: medical, dental and mental health ---------------------------------------------------


def test_5_one_combined_need_met_says_it_counts_for_both() -> None:
    check = health_access(complete())
    assert check.verdict is Verdict.PASS
    said = "Medical and dental: \u201cAcute medical and dental care\u201d is met"
    assert check.reason.startswith(said)
    assert "Acute medical and dental care" in check.reason
    assert "counts for medical and dental care alike" in check.reason


def test_5_a_medical_referral_on_the_combined_need_is_not_dental_care() -> None:
    """What a new user met: a medical referral on the combined need, and a reason that
    did not use the checklist's words ("Nothing recorded for dental")."""
    combined = need("acute_medical_dental", NeedStatus.NEEDED)
    needs = [*without("acute_medical_dental"), combined]
    referral = refer(ServiceKind.MEDICAL, need_id=combined.id)
    check = health_access(complete(needs=needs, referrals=[referral]))
    assert check.verdict is Verdict.FAIL
    assert "Nothing recorded" not in check.reason
    assert "Medical:" not in check.reason  # medical is settled by the referral
    assert (
        "Dental: \u201cAcute medical and dental care\u201d is needed, with a medical referral only"
        in check.reason
    )
    dental = refer(ServiceKind.DENTAL, need_id=combined.id)
    assert health_access(complete(needs=needs, referrals=[referral, dental])).verdict is (
        Verdict.PASS
    )


@pytest.mark.parametrize(
    ("status", "counts"),
    [
        (ReferralStatus.REFERRED, True),
        (ReferralStatus.SCHEDULED, True),
        (ReferralStatus.ATTENDING, True),
        (ReferralStatus.COMPLETED, True),
        (ReferralStatus.PLANNED, False),
        (ReferralStatus.DECLINED, False),
        (ReferralStatus.STALLED, False),
        (ReferralStatus.UNAVAILABLE, False),
    ],
)
def test_5_only_a_referral_that_was_made_counts(status: ReferralStatus, counts: bool) -> None:
    needs = [*without("mental_health"), need("life_stabilisation", NeedStatus.MET)]
    check = health_access(
        complete(needs=needs, referrals=[refer(ServiceKind.MENTAL_HEALTH, status)])
    )
    assert (check.verdict is Verdict.PASS) is counts, check.reason
    if not counts:
        assert f"the mental health referral is {status.label.lower()}" in check.reason


# -- 3: the goal sheet ----------------------------------------------------------------------


def test_3_each_current_goal_is_linked_to_a_need() -> None:
    check = rule(readiness(complete(goals=[goal(linked_needs=())]), AS_OF), "3")
    assert check.verdict is Verdict.ATTENTION and check.tab == "goals"
    assert "1 goal is not linked to a need" in check.reason
    # An achieved goal is done with; it need not be linked.
    done = goal(id="go_2", status=GoalStatus.ACHIEVED, linked_needs=())
    assert goal_sheet(complete(goals=[goal(), done]), AS_OF, 90).verdict is Verdict.PASS
    # A link to a need this client does not have does not count.
    stray = goal(linked_needs=("nd_elsewhere",))
    assert goal_sheet(complete(goals=[stray]), AS_OF, 90).verdict is Verdict.ATTENTION


def test_3_the_sheet_is_revisited_within_the_reassessment_interval() -> None:
    client = make_client(intake_date=date(2026, 1, 5))
    old = goal(progress_notes=(DatedNote(date(2026, 6, 1), "Went to one choir practice."),))
    check = goal_sheet(complete(client=client, goals=[old]), AS_OF, 90)
    assert check.verdict is Verdict.ATTENTION
    assert "last revisited 172 days ago" in check.reason and "every 90 days" in check.reason
    talked = Meeting(
        id="mt_9", client_id="cl_1", on=AS_OF - timedelta(days=2), goals_discussed=("go_1",)
    )
    check = goal_sheet(complete(client=client, goals=[old], meetings=[talked]), AS_OF, 90)
    assert check.verdict is Verdict.PASS
    assert rule(readiness(complete(client=client, goals=[old]), AS_OF), "3").verdict is (
        Verdict.ATTENTION
    )


# -- 7b: referrals linked to an open need ---------------------------------------------------


def test_7b_counts_only_referrals_linked_to_an_open_need() -> None:
    education = need("education", NeedStatus.NEEDED)
    needs = [*ALL_NEEDS, education]
    met_shelter = [
        *without("secure_shelter", "life_social_skills"),
        need("secure_shelter", NeedStatus.MET),
        need("life_social_skills", NeedStatus.MET),
        education,
    ]
    # The only referral is for a need that is already met, and one with no need at all.
    unrelated = [
        refer(ServiceKind.SHELTER, need_id="nd_secure_shelter_cl_1"),
        refer(ServiceKind.LEGAL_AID),
    ]
    check = referrals_made(complete(needs=met_shelter, referrals=unrelated))
    assert check.verdict is Verdict.ATTENTION
    assert "1 open need (Education)" in check.reason and "(s)" not in check.reason
    linked = refer(ServiceKind.EDUCATION, need_id=education.id)
    assert referrals_made(complete(needs=needs, referrals=[linked])).verdict is Verdict.PASS


# -- 7c: once per case manager --------------------------------------------------------------


def test_7c_is_about_the_case_manager_and_never_a_client_s_line() -> None:
    no_self_care = complete(blocks=[])
    result = readiness(no_self_care, AS_OF)
    assert "7c" not in {c.rule for c in result.checks}
    assert result.verdict is Verdict.PASS
    second = dataclasses.replace(result, client_id="cl_2")
    text = render([("A.Q.", "cl_1", result), ("B.R.", "cl_2", second)], AS_OF)
    assert text.count("7c. Self-care time for the case manager") == 2  # the table, and once
    assert "Priya Oakhaven: attention" in text
    assert "A.Q. (cl_1): pass" in text and "B.R. (cl_2): pass" in text
    table = list(
        csv.reader(
            io.StringIO(render([("A.Q.", "cl_1", result), ("B.R.", "cl_2", second)], AS_OF, "csv"))
        )
    )
    assert [r[0] for r in table if r[2] == "7c"] == ["Priya Oakhaven (case manager)"]


def test_7c_shows_once_per_case_manager_on_the_screen() -> None:
    from casetui.ui.screens.accreditation_readiness import lines_for

    one = readiness(complete(blocks=[]), AS_OF)
    other_client = make_client(id="cl_2", preferred_name="Beatriz Reyes")
    two = readiness(complete(client=other_client, blocks=[]), AS_OF)
    rows = lines_for([(make_client(), one), (other_client, two)], masked=False)
    cells = [row.cells for row in rows]
    assert [c for c in cells if c[2].startswith("7c.")] == [
        (
            "Priya Oakhaven",
            "! attention",
            "7c. No self-care time in the case manager's week in the last 4 weeks; plan some.",
            "Week",
        )
    ]
    assert ("Amaru Quispe", "\u2713 pass", "Every requirement is met", "") in cells


# -- clients on hold ------------------------------------------------------------------------


def test_clients_on_hold_are_checked_and_marked(vault: Any) -> None:
    from casetui.services.readiness import accreditation

    owner = vault.owner_staff_id
    for name, status in (
        ("Active Client", ClientStatus.ACTIVE),
        ("Paused Client", ClientStatus.ON_HOLD),
        ("Closed Client", ClientStatus.CLOSED),
    ):
        vault.repo.clients.add(
            Client.create(
                preferred_name=name,
                intake_date=date(2026, 10, 1),
                case_manager_id=owner,
                status=status,
            )
        )
    results = accreditation(vault.repo, AS_OF)
    assert [c.preferred_name for c, _r in results] == ["Active Client", "Paused Client"]
    rows = [(c.preferred_name, c.id, r) for c, r in results]
    text = render(rows, AS_OF)
    assert "2 clients in the program (1 active, 1 on hold)" in text
    assert "closed cases are not" in text
    paused = results[1]
    assert f"Paused Client ({paused[0].id}, on hold): fail" in text


def test_a_recent_meeting_on_goals_counts_as_revisiting_the_sheet_in_the_vault(
    vault: Any,
) -> None:
    from casetui.services.readiness import accreditation

    client = vault.repo.clients.add(
        Client.create(
            preferred_name="Amaru Quispe",
            intake_date=date(2026, 1, 5),
            case_manager_id=vault.owner_staff_id,
        )
    )
    added = vault.repo.goals.add(Goal.create(client_id=client.id, text="A job I like."))

    def rule3() -> Check:
        [(_client, result)] = accreditation(vault.repo, AS_OF)
        return rule(result, "3")

    assert "last revisited" in rule3().reason
    vault.repo.meetings.add(
        Meeting.create(
            client_id=client.id, on=AS_OF - timedelta(days=4), goals_discussed=(added.id,)
        )
    )
    assert "last revisited" not in rule3().reason


# -- 8: client background -------------------------------------------------------------------


def test_8_client_background_is_part_of_the_assessment() -> None:
    bare = make_client(language="", culture_notes="", faith_notes="")
    check = rule(readiness(complete(client=bare), AS_OF), "8")
    assert (check.verdict, check.tab) == (Verdict.FAIL, "profile")
    assert "language" in check.reason and "interpreter" in check.reason
    # "Not applicable" written down is a recorded answer.
    said = make_client(culture_notes="Not applicable, she says.")
    assert rule(readiness(complete(client=said), AS_OF), "8").verdict is Verdict.PASS
    no_notes = make_client(culture_notes="")
    assert rule(readiness(complete(client=no_notes), AS_OF), "8").verdict is Verdict.ATTENTION
    # An interpreter is needed: the services take it in.
    needs_one = make_client(interpreter_needed=True)
    check = rule(readiness(complete(client=needs_one), AS_OF), "8")
    assert check.verdict is Verdict.ATTENTION and "\u201cInterpretation\u201d" in check.reason
    with_need = [*ALL_NEEDS, need("interpretation", NeedStatus.MET)]
    assert rule(readiness(complete(client=needs_one, needs=with_need), AS_OF), "8").verdict is (
        Verdict.PASS
    )


# -- 9: a client-specific approach ----------------------------------------------------------


def test_9_the_check_in_interval_is_set_with_the_client() -> None:
    agreed = make_client(checkin_interval_agreed=True, checkin_interval_days=7)
    check = rule(readiness(complete(client=agreed), AS_OF), "9")
    assert check.verdict is Verdict.PASS and "every 7 days" in check.reason
    unasked = make_client(checkin_interval_agreed=False)
    check = rule(readiness(complete(client=unasked), AS_OF), "9")
    assert (check.verdict, check.tab) == (Verdict.ATTENTION, "profile")
    assert "Check-in interval agreed with the client" in check.reason
    # Old data, saved before the field: it loads, and asks.
    old = {k: v for k, v in make_client().to_dict().items() if k != "checkin_interval_agreed"}
    assert Client.from_dict(old).checkin_interval_agreed is False


# -- wording --------------------------------------------------------------------------------


def test_plurals_and_wording_read_right_everywhere() -> None:
    one = readiness(complete(blocks=[]), AS_OF)
    text = render([("A.Q.", "cl_1", one)], AS_OF)
    assert "1 active client: 1 passes, 0 need attention, 0 fail." in text
    assert "the the" not in text and "(s)" not in text
    assert "fix in the case manager's week" in text

    from casetui.core.readiness_report import headline, summarise

    summary = summarise([one])
    assert headline(summary) == "1 active client: 1 passes, 0 need attention, 0 fail."
    two = readiness(complete(goals=[goal(), goal(id="go_2", linked_needs=())]), AS_OF)
    assert "1 goal is not linked" in rule(two, "3").reason
    three = readiness(
        complete(goals=[goal(linked_needs=()), goal(id="go_2", linked_needs=())]), AS_OF
    )
    assert "2 goals are not linked" in rule(three, "3").reason
    assert all("(s)" not in c.reason for r in (one, two, three) for c in r.checks)
    summary = summarise([two, three])
    assert headline(summary) == "2 active clients: 0 pass, 2 need attention, 0 fail."
