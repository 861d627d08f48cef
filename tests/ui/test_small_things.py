"""Pilot tests for the smaller things a new user met: each one as they met it.

A meeting's time, the next check-in's hint, referral and reassessment wording,
goals joined in the meeting view, the passphrase strength line, referring with an
empty partner directory, the service filled in from the partner, the safety plan's
question and staying shown after saving, and goal removal in the footer.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static
from textual.widgets._footer import FooterKey

from casetui.core.choices import ReferralStatus, ServiceKind
from casetui.core.fields import StatusChange
from casetui.core.private_records import SafetyPlan
from casetui.core.records import Goal, Meeting, Referral
from casetui.ui.app import CaseApp
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.panes.meetings import MeetingView
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.unlock import SetupScreen
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles
from tests.ui.test_ui_casework import (
    SIZE,
    app_for,
    choose,
    close_vault,
    finish,
    go_to_tab,
    new_client,
    new_partner,
    open_client_named,
    safety_text,
    save_form,
    seed,
    start,
    text_of,
)
from tests.ui.test_ui_flows import TODAY, type_into, wait_for, wait_saved

NAME = "Wren Halloway"
SAFE = "I want to feel safe at home."
SLEEP = "Sleep through the night"


def _client_with_meeting(vault: Vault) -> None:
    client = new_client(vault, NAME)
    safe = vault.repo.goals.add(Goal.create(client_id=client.id, text=SAFE, priority=1))
    sleep = vault.repo.goals.add(Goal.create(client_id=client.id, text=SLEEP, priority=2))
    vault.repo.meetings.add(
        Meeting.create(
            client_id=client.id,
            on=TODAY - timedelta(days=2),
            at=time(14, 30),
            summary="Talked about the week.",
            goals_discussed=(safe.id, sleep.id),
        )
    )


async def _open_meeting(pilot: Pilot[int], app: CaseApp) -> str:
    await start(pilot, app)
    await open_client_named(pilot, app, NAME)
    await go_to_tab(pilot, app, "4", "meetings")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, MeetingView))
    return text_of(app, "#meeting-body")


# -- reading a meeting ------------------------------------------------------------------


async def test_reading_a_meeting_shows_its_time(vault_files: VaultFiles) -> None:
    seed(vault_files, _client_with_meeting)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        body = await _open_meeting(pilot, app)
        assert "Time: 14:30" in body
        assert "at 14:30" in text_of(app, ".title")
    close_vault(app)


async def test_goals_discussed_read_as_sentences_not_semicolons(vault_files: VaultFiles) -> None:
    seed(vault_files, _client_with_meeting)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        body = await _open_meeting(pilot, app)
        assert ".;" not in body
        assert f"Goals discussed: {SAFE} {SLEEP}." in body
    close_vault(app)


# -- the next check-in's hint -----------------------------------------------------------


def _hints(app: CaseApp) -> list[str]:
    hints = []
    for static in app.screen.query(".field-hint").results(Static):
        rendered = static.render()
        hints.append(getattr(rendered, "plain", str(rendered)))
    return hints


async def test_the_next_checkin_hint_says_what_the_filled_field_holds(
    vault_files: VaultFiles,
) -> None:
    seed(vault_files, lambda v: new_client(v, NAME, checkin_interval_days=14))
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "4", "meetings")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        field = app.screen.query_one("#field-next_checkin", Input)
        assert field.value == (TODAY + timedelta(days=14)).isoformat()
        hints = _hints(app)
        assert not any("Leave blank" in h for h in hints)
        (hint,) = [h for h in hints if "usual interval" in h]
        assert hint.startswith("Filled in with the client's usual interval (14 days)")
    close_vault(app)


# -- wording ------------------------------------------------------------------------------


def _client_with_referral(vault: Vault) -> None:
    client = new_client(vault, NAME)
    partner = new_partner(vault, "Harbour Legal Aid", ServiceKind.LEGAL_AID)
    vault.repo.referrals.add(
        Referral.create(
            client_id=client.id,
            partner_id=partner.id,
            service=ServiceKind.LEGAL_AID,
            status=ReferralStatus.PLANNED,
            history=(StatusChange(TODAY, ReferralStatus.PLANNED, ""),),
        )
    )


async def test_moving_a_referral_on_says_so_in_a_sentence(vault_files: VaultFiles) -> None:
    seed(vault_files, _client_with_referral)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "5", "referrals")
        await pilot.press("t")
        await wait_for(pilot, lambda: "Referral marked as referred." in app.messages)
        assert not any("is now" in m for m in app.messages)
        await finish(pilot, app)
    close_vault(app)


async def test_a_reassessment_yesterday_is_not_1_days_ago(vault_files: VaultFiles) -> None:
    seed(vault_files, lambda v: new_client(v, NAME, needs_reassessed_on=TODAY - timedelta(days=1)))
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "3", "needs")
        info = text_of(app, "#needs-info")
        assert "(yesterday)" in info
        assert "1 days" not in info
    close_vault(app)


async def test_the_passphrase_strength_does_not_repeat_itself(tmp_path: Path) -> None:
    app = CaseApp(tmp_path / "vault" / "vault.age", today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await type_into(pilot, "#passphrase", "violet harbour lantern quietly 72")
        await wait_for(pilot, lambda: "Keep it" in text_of(app, "#strength"), timeout=30)
        line = text_of(app, "#strength")
        assert line == "Strength: strong. Keep it somewhere safe and offline."
        assert "strong. strong" not in line.casefold()


# -- referring with an empty partner directory -------------------------------------------


async def test_referring_with_no_partners_adds_one_then_refers_to_it(
    vault_files: VaultFiles,
) -> None:
    client = seed(vault_files, lambda v: new_client(v, NAME))
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "5", "referrals")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.form_title == "New partner"
        assert not any("press Esc" in m for m in app.messages)
        await type_into(pilot, "#field-name", "Harbour Legal Aid")
        await choose(pilot, "#field-kind", "legal aid")
        await save_form(pilot, app)

        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, FormScreen) and app.screen.form_title == "Refer the client"
            ),
        )
        assert app.vault is not None
        (partner,) = app.vault.repo.partners.all()
        form = app.screen
        assert form.query_one("#field-partner_id", Select).value == partner.id
        assert form.query_one("#field-service", Select).value is ServiceKind.LEGAL_AID
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # no consent yet
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        (referral,) = app.vault.repo.referrals.for_parent(client.id)
        assert referral.partner_id == partner.id
        assert referral.service is ServiceKind.LEGAL_AID
        await finish(pilot, app)
    close_vault(app)


async def test_choosing_a_partner_fills_in_its_service_when_none_is_chosen(
    vault_files: VaultFiles,
) -> None:
    def build(vault: Vault) -> None:
        new_client(vault, NAME)
        new_partner(vault, "Cedar Clinic", ServiceKind.MEDICAL)
        new_partner(vault, "Harbour Legal Aid", ServiceKind.LEGAL_AID)

    seed(vault_files, build)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "5", "referrals")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        service = app.screen.query_one("#field-service", Select)
        assert service.is_blank()
        await choose(pilot, "#field-partner_id", "harbour")
        await wait_for(pilot, lambda: service.value is ServiceKind.LEGAL_AID)
        # A service already chosen stays as it is.
        await choose(pilot, "#field-partner_id", "cedar")
        await pilot.pause()
        assert service.value is ServiceKind.LEGAL_AID
    close_vault(app)


# -- the safety plan ----------------------------------------------------------------------

CONCERN = "He still has a key to the flat."


def _client_with_plan(vault: Vault) -> None:
    client = new_client(vault, NAME)
    vault.repo.safety_plans.add(
        SafetyPlan.create(
            client_id=client.id,
            main_concern=CONCERN,
            reviewed_on=TODAY,
            developed_with_client=True,
        )
    )


async def test_with_no_safety_plan_there_is_nothing_to_ask_about(vault_files: VaultFiles) -> None:
    seed(vault_files, lambda v: new_client(v, NAME))
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "7", "safety")
        await pilot.press("v")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ClientScreen)
        assert any("no safety plan" in m.casefold() for m in app.messages)
    close_vault(app)


async def test_the_safety_plan_stays_shown_after_saving_until_leaving_the_tab(
    vault_files: VaultFiles,
) -> None:
    seed(vault_files, _client_with_plan)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "7", "safety")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: CONCERN in safety_text(app))

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-people", "Aunt Carmen")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await wait_saved(pilot, app)
        await wait_for(pilot, lambda: "Aunt Carmen" in safety_text(app))
        assert CONCERN in safety_text(app)

        await go_to_tab(pilot, app, "1", "profile")
        await go_to_tab(pilot, app, "7", "safety")
        assert CONCERN not in safety_text(app)
        await finish(pilot, app)
    close_vault(app)


async def test_a_new_safety_plan_stays_shown_once_saved(vault_files: VaultFiles) -> None:
    seed(vault_files, lambda v: new_client(v, NAME))
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "7", "safety")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-main_concern", CONCERN)
        await save_form(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await wait_saved(pilot, app)
        await wait_for(pilot, lambda: CONCERN in safety_text(app))
        await finish(pilot, app)
    close_vault(app)


# -- goals ----------------------------------------------------------------------------------


async def test_removing_a_goal_is_in_the_footer(vault_files: VaultFiles) -> None:
    def build(vault: Vault) -> None:
        client = new_client(vault, NAME)
        vault.repo.goals.add(Goal.create(client_id=client.id, text=SLEEP, priority=1))

    seed(vault_files, build)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, NAME)
        await go_to_tab(pilot, app, "2", "goals")
        await wait_for(
            pilot,
            lambda: any(
                key.description == "Remove" and key.key == "delete"
                for key in app.screen.query(FooterKey)
            ),
        )
    close_vault(app)
