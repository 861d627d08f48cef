"""Accreditation readiness: each rule with fixed dates, the report, and fixing a line in the app."""

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
    designated_manager,
    goal_sheet,
    health_access,
    needs_assessed,
    progress_discussed,
    readiness,
    referrals_made,
    self_care,
    strengths_done,
)
from casetui.core.catalog import CATALOG_BY_KEY
from casetui.core.choices import BlockKind, NeedStatus, ReferralStatus, ServiceKind
from casetui.core.private_records import StrengthsAssessment
from casetui.core.readiness_checks import CaseRecords, Verdict
from casetui.core.readiness_report import render
from casetui.core.records import (
    AdminBlock,
    Client,
    Goal,
    Meeting,
    NeedItem,
    Partner,
    Referral,
    Staff,
)

AS_OF = date(2026, 11, 20)
STAFF = Staff(id="st_1", name="Priya Oakhaven")
CLIENT = Client(
    id="cl_1",
    preferred_name="Amaru Quispe",
    intake_date=date(2026, 10, 1),
    case_manager_id="st_1",
    checkin_interval_days=14,
    checkin_interval_agreed=True,
    language="Quechua",
    culture_notes="Prefers morning meetings.",
)


def need(key: str, status: NeedStatus, n: int = 0) -> NeedItem:
    item = CATALOG_BY_KEY[key]
    return NeedItem(
        id=f"nd_{key}{n}",
        client_id="cl_1",
        catalog_key=key,
        label=item.label,
        horizon=item.horizon,
        domain=item.domain,
        status=status,
    )


BASICS = [
    need("safety_plan", NeedStatus.MET),
    need("secure_shelter", NeedStatus.IN_PROGRESS),
    need("food", NeedStatus.DECLINED),
    need("clothing", NeedStatus.MET),
    need("personal_necessities", NeedStatus.MET),
    need("life_social_skills", NeedStatus.IN_PROGRESS),
    need("life_stabilisation", NeedStatus.IN_PROGRESS),
]
HEALTH = [
    need("acute_medical_dental", NeedStatus.MET),
    need("mental_health", NeedStatus.DECLINED),
]


def refer(service: ServiceKind, need_id: str | None = None) -> Referral:
    return casework.new_referral(
        client_id="cl_1",
        partner_id="pa_1",
        service=service,
        on=AS_OF,
        status=ReferralStatus.REFERRED,
        need_id=need_id,
    )


def meeting(on: date, discussed: bool = True) -> Meeting:
    return Meeting(id=f"mt_{on:%m%d}", client_id="cl_1", on=on, progress_discussed=discussed)


def self_care_block(on: date, weekly: bool = False) -> AdminBlock:
    return AdminBlock(
        id=f"ab_{on:%m%d}",
        staff_id="st_1",
        kind=BlockKind.SELF_CARE,
        on=on,
        start=time(15),
        end=time(16),
        weekly=weekly,
    )


def complete(**changes: Any) -> CaseRecords:
    """A client who meets every requirement; ``changes`` takes one away."""
    base = CaseRecords(
        client=CLIENT,
        manager=STAFF,
        needs=[*BASICS, *HEALTH],
        goals=[
            Goal(
                id="go_1",
                client_id="cl_1",
                text="I want to feel safe at home.",
                linked_needs=("nd_secure_shelter0",),
            )
        ],
        meetings=[meeting(AS_OF - timedelta(days=5))],
        referrals=[refer(ServiceKind.SHELTER, "nd_secure_shelter0")],
        strengths=[
            StrengthsAssessment(
                id="sa_1", client_id="cl_1", on=date(2026, 10, 8), overcome="Moving here alone."
            )
        ],
        blocks=[self_care_block(AS_OF - timedelta(days=10))],
    )
    return dataclasses.replace(base, **changes)


def test_a_complete_case_passes_everything() -> None:
    result = readiness(complete(), AS_OF)
    assert [c.verdict for c in result.checks] == [Verdict.PASS] * 10
    assert result.verdict is Verdict.PASS and result.first_problem() is None


# -- 1 ---------------------------------------------------------------------------------------


def test_1_a_missing_case_manager_fails() -> None:
    assert designated_manager(complete()).verdict is Verdict.PASS
    check = designated_manager(complete(manager=None))
    assert (check.verdict, check.tab) == (Verdict.FAIL, "profile")


# -- 2 ---------------------------------------------------------------------------------------


def test_2_no_assessed_need_fails() -> None:
    case = complete(needs=[need("food", NeedStatus.NOT_ASSESSED)])
    assert needs_assessed(case, AS_OF, 90).verdict is Verdict.FAIL


@pytest.mark.parametrize(
    ("reassessed", "days", "expected"),
    [
        (None, 90, Verdict.PASS),  # intake 2026-10-01: due by 2026-12-30
        (None, 30, Verdict.ATTENTION),  # due by 2026-10-31
        (date(2026, 11, 1), 30, Verdict.PASS),  # due by 2026-12-01
        (date(2026, 8, 1), 90, Verdict.PASS),  # before intake is refused by Client; see below
    ],
)
def test_2_reassessment_is_due_after_the_interval(
    reassessed: date | None, days: int, expected: Verdict
) -> None:
    client = CLIENT
    if reassessed is not None and reassessed >= CLIENT.intake_date:
        client = dataclasses.replace(CLIENT, needs_reassessed_on=reassessed)
    check = needs_assessed(complete(client=client), AS_OF, days)
    assert check.verdict is expected, check.reason


def test_2_due_day_itself_still_passes() -> None:
    due = CLIENT.intake_date + timedelta(days=90)
    assert needs_assessed(complete(), due, 90).verdict is Verdict.PASS
    assert needs_assessed(complete(), due + timedelta(days=1), 90).verdict is Verdict.ATTENTION


# -- 3 ---------------------------------------------------------------------------------------


def test_3_no_goal_sheet_fails() -> None:
    assert goal_sheet(complete()).verdict is Verdict.PASS
    check = goal_sheet(complete(goals=[]))
    assert (check.verdict, check.tab) == (Verdict.FAIL, "goals")


# -- 4 ---------------------------------------------------------------------------------------


def test_4_each_basic_need_must_be_recorded() -> None:
    without_food = [n for n in BASICS if n.catalog_key != "food"]
    check = basic_needs(complete(needs=without_food))
    assert check.verdict is Verdict.FAIL and "food" in check.reason
    needed = [*without_food, need("food", NeedStatus.NEEDED)]
    check = basic_needs(complete(needs=needed))
    assert check.verdict is Verdict.ATTENTION and "food" in check.reason
    shelter_later = [
        *[n for n in BASICS if n.catalog_key != "secure_shelter"],
        need("transitional_housing", NeedStatus.MET),
    ]
    assert basic_needs(complete(needs=shelter_later)).verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (NeedStatus.MET, Verdict.PASS),
        (NeedStatus.IN_PROGRESS, Verdict.PASS),
        (NeedStatus.DECLINED, Verdict.PASS),
        (NeedStatus.NEEDED, Verdict.ATTENTION),
        (NeedStatus.NOT_NEEDED, Verdict.FAIL),
        (NeedStatus.NOT_ASSESSED, Verdict.FAIL),
    ],
)
def test_4_only_met_in_progress_or_declined_count(status: NeedStatus, expected: Verdict) -> None:
    needs = [*[n for n in BASICS if n.catalog_key != "clothing"], need("clothing", status)]
    check = basic_needs(complete(needs=needs))
    assert check.verdict is expected
    if status is NeedStatus.NOT_NEEDED:
        # The reason says what was recorded and what to do, not "not yet recorded".
        assert "Marked not needed: clothing" in check.reason and "mark it met" in check.reason
        assert "Not yet recorded" not in check.reason
    elif status is NeedStatus.NOT_ASSESSED:
        assert "Not yet recorded: clothing" in check.reason


# -- 5 ---------------------------------------------------------------------------------------


def test_5_health_access_by_need_referral_or_declining() -> None:
    assert health_access(complete()).verdict is Verdict.PASS
    no_mental = [n for n in HEALTH if n.catalog_key != "mental_health"]
    check = health_access(complete(needs=[*BASICS, *no_mental]))
    assert check.verdict is Verdict.FAIL and "mental health" in check.reason
    referral = refer(ServiceKind.MENTAL_HEALTH)
    assert health_access(complete(needs=[*BASICS, *no_mental], referrals=[referral])).verdict is (
        Verdict.PASS
    )
    open_only = [need("acute_medical_dental", NeedStatus.NEEDED), HEALTH[1]]
    check = health_access(complete(needs=[*BASICS, *open_only]))
    assert check.verdict is Verdict.FAIL
    assert "Medical and dental: \u201cAcute medical and dental care\u201d is needed" in check.reason


# -- 6 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (0, Verdict.PASS),
        (14, Verdict.PASS),
        (15, Verdict.ATTENTION),
        (28, Verdict.ATTENTION),
        (29, Verdict.FAIL),
    ],
)
def test_6_progress_discussed_within_the_interval(ago: int, expected: Verdict) -> None:
    case = complete(meetings=[meeting(AS_OF - timedelta(days=ago))])
    assert progress_discussed(case, AS_OF).verdict is expected


def test_6_a_meeting_without_progress_or_in_the_future_does_not_count() -> None:
    case = complete(
        meetings=[
            meeting(AS_OF - timedelta(days=2), discussed=False),
            meeting(AS_OF + timedelta(days=3)),
        ]
    )
    check = progress_discussed(case, AS_OF)
    assert (check.verdict, check.tab) == (Verdict.FAIL, "meetings")


# -- 7 ---------------------------------------------------------------------------------------


def test_7_recommended_practices_never_fail() -> None:
    bare = complete(
        referrals=[],
        strengths=[],
        blocks=[],
        needs=[*BASICS, *HEALTH, need("education", NeedStatus.NEEDED)],
    )
    assert strengths_done(bare).verdict is Verdict.ATTENTION
    assert referrals_made(bare).verdict is Verdict.ATTENTION
    assert self_care(bare, AS_OF).verdict is Verdict.ATTENTION
    assert readiness(bare, AS_OF).verdict is Verdict.ATTENTION


def test_7c_self_care_within_four_weeks_including_a_weekly_block() -> None:
    assert (
        self_care(complete(blocks=[self_care_block(AS_OF - timedelta(days=28))]), AS_OF).verdict
        is Verdict.PASS
    )
    assert self_care(
        complete(blocks=[self_care_block(AS_OF - timedelta(days=29))]), AS_OF
    ).verdict is (Verdict.ATTENTION)
    weekly = self_care_block(date(2026, 1, 5), weekly=True)
    assert self_care(complete(blocks=[weekly]), AS_OF).verdict is Verdict.PASS
    admin = dataclasses.replace(self_care_block(AS_OF), kind=BlockKind.ADMIN)
    assert self_care(complete(blocks=[admin]), AS_OF).verdict is Verdict.ATTENTION


# -- the report ----------------------------------------------------------------------------


def test_the_report_in_each_format() -> None:
    failing = readiness(complete(goals=[]), AS_OF)
    passing = readiness(complete(), AS_OF)
    rows = [("=A.Q.", "cl_1", failing), ("B.R.", "cl_2", passing)]
    text = render(rows, AS_OF, "text")
    assert "2 active clients: 1 passes, 0 need attention, 1 fails." in text
    assert "=A.Q. (cl_1): fail" in text and "fix in the Goals tab" in text
    assert "B.R. (cl_2): pass" in text and "Every requirement is met." in text
    md = render(rows, AS_OF, "md")
    assert md.startswith("# Accreditation readiness as of 2026-11-20")
    assert "| 3. A goal sheet in the client's words, linked and revisited | 1 | 0 | 1 |" in md
    table = list(csv.reader(io.StringIO(render(rows, AS_OF, "csv"))))
    assert table[0] == ["client", "client_id", "rule", "requirement", "verdict", "reason", "fix_in"]
    assert len(table) == 1 + 2 * 10 + 1  # and the case manager's own line, once
    clients = {r[0] for r in table[1:] if r[2] != "7c"}
    assert clients == {"'=A.Q.", "B.R."}  # never read as a formula


# -- in the app ------------------------------------------------------------------------------


def _ready_but_for_goals(vault: Any) -> str:
    """A client who meets everything except a goal sheet (rule 3)."""
    from tests.ui.test_ui_casework import TODAY

    owner = vault.owner_staff_id
    client = vault.repo.clients.add(
        Client.create(
            preferred_name="Amaru Quispe",
            intake_date=TODAY - timedelta(days=30),
            case_manager_id=owner,
            checkin_interval_agreed=True,
            language="Quechua",
            culture_notes="Prefers morning meetings.",
        )
    )
    for item in (*BASICS, *HEALTH):
        vault.repo.needs.add(dataclasses.replace(item, id=f"{item.id}x", client_id=client.id))
    vault.repo.meetings.add(
        Meeting.create(client_id=client.id, on=TODAY - timedelta(days=3), progress_discussed=True)
    )
    vault.repo.strengths.add(
        StrengthsAssessment.create(client_id=client.id, on=TODAY, proud_of="My daughter.")
    )
    partner = vault.repo.partners.add(Partner.create(name="Harbourlight Housing"))
    vault.repo.referrals.add(
        casework.new_referral(
            client_id=client.id,
            partner_id=partner.id,
            service=ServiceKind.SHELTER,
            on=TODAY,
            status=ReferralStatus.REFERRED,
            need_id="nd_secure_shelter0x",
        )
    )
    vault.repo.admin_blocks.add(
        AdminBlock.create(
            staff_id=owner,
            kind=BlockKind.SELF_CARE,
            on=TODAY - timedelta(days=2),
            start=time(15),
            end=time(16),
        )
    )
    return str(client.id)


async def test_following_a_failing_line_to_its_tab_and_fixing_it_turns_it_to_pass(
    vault_files: Any,
) -> None:
    from textual.widgets import SelectionList, Static

    from casetui.ui.forms.form import FormScreen
    from casetui.ui.screens.accreditation_readiness import AccreditationScreen
    from casetui.ui.screens.client import ClientScreen
    from casetui.ui.widgets.row_list import RowList
    from tests.ui.test_ui_casework import active_tab, app_for, row_cells, seed
    from tests.ui.test_ui_flows import caseload_ready, type_into, wait_for

    client_id = seed(vault_files, _ready_but_for_goals)
    app = app_for(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, AccreditationScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.ready)  # type: ignore[attr-defined]
        rows = row_cells(app, "#accreditation-list")
        assert rows == [
            (
                "Amaru Quispe",
                "✗ fail",
                "3. There is no goal sheet yet; write goals in the client's words.",
                "Goals",
            )
        ]

        def detail() -> str:
            return str(app.screen.query_one("#accreditation-detail", Static).render())

        assert detail() == (
            "3. A goal sheet in the client's words, linked and revisited: There is no goal sheet "
            "yet; write goals in the client's words. Fix it in the Goals tab."
        )
        await wait_for(pilot, lambda: app.screen.query_one(RowList).has_focus)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await wait_for(pilot, lambda: active_tab(app) == "goals")
        assert app.screen.client_id == client_id  # type: ignore[attr-defined]
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-text", "I want to sleep through the night again.")
        # The goal names the need it goes with (rule 3).
        needs_list = app.screen.query_one("#field-linked_needs", SelectionList)
        needs_list.select(needs_list.get_option_at_index(0).value)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, AccreditationScreen))
        await wait_for(
            pilot,
            lambda: (
                screen.ready  # type: ignore[attr-defined]
                and row_cells(app, "#accreditation-list")
                == [("Amaru Quispe", "✓ pass", "Every requirement is met", "")]
            ),
        )
        assert detail().startswith("Every requirement is met, essential and recommended")
        await pilot.press("ctrl+q")
    assert app.return_code == 0
