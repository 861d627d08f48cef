"""Pilot tests for the casework screens: referrals, consents, Today, closing, handoffs,
the safety plan, the Legal tab and the partner directory.

Each test builds its own records through the vault API, drives the app from the
keyboard as a case manager would, then checks the records (reopened from disk
where practical) and what the screen shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Checkbox, Select, Static, Tab, TabbedContent

import casetui.ui.app
from casetui.config import Settings
from casetui.core import case_rules as casework
from casetui.core.choices import (
    CaseEventKind,
    ClientStatus,
    ClosureReason,
    Domain,
    Horizon,
    LegalEngagement,
    LegalKind,
    LegalStatus,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import StatusChange
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan
from casetui.core.records import Client, Meeting, NeedItem, Partner, Staff
from casetui.core.today import Section, TodayItem
from casetui.services import caseload_view
from casetui.ui.app import CaseApp
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import TABS, ClientScreen
from casetui.ui.screens.partners import PartnersScreen
from casetui.ui.screens.today_list import TodayScreen
from casetui.ui.widgets.row_list import RowList
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles
from tests.ui.test_ui_flows import TODAY, type_into, wait_for, wait_saved

T = TypeVar("T")
SIZE = (120, 40)


class RecordingApp(CaseApp):
    """The app, remembering every notification it showed (tests run without toasts)."""

    # Relative CSS paths are found beside the class's module; this one is in tests/.
    CSS_PATH = str(Path(casetui.ui.app.__file__).with_name("casetui.tcss"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.messages: list[str] = []

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.messages.append(str(message))
        super().notify(message, *args, **kwargs)


def app_for(files: VaultFiles, settings: Settings | None = None) -> RecordingApp:
    """The app on a test vault, unlocked by its key file (no scrypt)."""
    return RecordingApp(
        files.vault,
        unlocker=identity_unlocker(files.identity_file),
        today=TODAY,
        settings=settings,
    )


def seed(files: VaultFiles, build: Callable[[Vault], T]) -> T:
    """Write records with the vault API before the app starts."""
    with files.open() as vault:
        result = build(vault)
        vault.save()
    return result


def new_client(vault: Vault, name: str, **values: Any) -> Client:
    values.setdefault("intake_date", date(2026, 9, 1))
    values.setdefault("case_manager_id", vault.owner_staff_id)
    return vault.repo.clients.add(Client.create(preferred_name=name, **values))


def new_partner(vault: Vault, name: str, kind: ServiceKind, **values: Any) -> Partner:
    return vault.repo.partners.add(Partner.create(name=name, kind=kind, **values))


def text_of(app: CaseApp, selector: str) -> str:
    """What a Static shows, as plain text."""
    rendered = app.screen.query_one(selector, Static).render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


def row_cells(app: CaseApp, selector: str = "RowList") -> list[tuple[str, ...]]:
    return [row.cells for row in app.screen.query_one(selector, RowList).rows]


def first_cells(app: CaseApp, selector: str = "RowList") -> list[str]:
    return [cells[0] for cells in row_cells(app, selector)]


def active_tab(app: CaseApp) -> str:
    return app.screen.query_one(TabbedContent).active


def shown_tabs(app: CaseApp) -> list[str]:
    """The names of the tabs on show (their labels also carry the key and may be short)."""
    names = dict(TABS)
    tabs = app.screen.query_one(TabbedContent).query(Tab)
    return [names[str(tab.id).removeprefix("--content-tab-")] for tab in tabs if tab.display]


async def choose(pilot: Pilot[int], selector: str, search: str) -> None:
    """Open a drop-down, type to find an option, and pick it with Enter."""
    select = pilot.app.screen.query_one(selector, Select)
    select.focus()
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: select.expanded)
    await pilot.press(*search)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not select.expanded)


async def tick(pilot: Pilot[int], selector: str) -> None:
    box = pilot.app.screen.query_one(selector, Checkbox)
    before = box.value
    box.focus()
    await pilot.pause()
    await pilot.press("space")
    await wait_for(pilot, lambda: box.value is not before)


async def start(pilot: Pilot[int], app: CaseApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen), timeout=30)
    await wait_for(pilot, lambda: app.screen.query_one(RowList).has_focus)


async def open_client_named(pilot: Pilot[int], app: CaseApp, name: str) -> ClientScreen:
    """From the caseload: filter by name, Enter to the list, Enter to open."""
    await pilot.press("slash", *name)
    await pilot.press("enter")
    await wait_for(pilot, lambda: first_cells(app) == [name])
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    screen = app.screen
    assert isinstance(screen, ClientScreen)
    assert screen.client.preferred_name == name
    return screen


async def go_to_tab(pilot: Pilot[int], app: CaseApp, key: str, tab: str) -> None:
    await pilot.press(key)
    await wait_for(pilot, lambda: active_tab(app) == tab)
    pane = app.screen.query_one(f"#{tab}")
    await wait_for(pilot, lambda: app.focused is not None and pane in app.focused.ancestors)


async def save_form(pilot: Pilot[int], app: CaseApp) -> None:
    form = app.screen
    assert isinstance(form, FormScreen)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: app.screen is not form)


async def finish(pilot: Pilot[int], app: CaseApp) -> None:
    """Wait for the background save, then quit as a person would."""
    await wait_saved(pilot, app)
    await pilot.press("ctrl+q")


def close_vault(app: CaseApp) -> None:
    if app.vault is not None:
        app.vault.close()


# -- 1. referring without a consent on file -------------------------------------------


def _client_and_partners(vault: Vault) -> tuple[str, str, str]:
    client = new_client(vault, "Amaya Reedwater")
    first = new_partner(vault, "Cedar Clinic", ServiceKind.MEDICAL)
    harbour = new_partner(vault, "Harbour Legal Aid", ServiceKind.LEGAL_AID)
    return client.id, first.id, harbour.id


async def _refer_to_harbour(pilot: Pilot[int], app: CaseApp, harbour_id: str) -> None:
    await go_to_tab(pilot, app, "5", "referrals")
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
    assert app.screen.form_title == "Refer the client"
    await choose(pilot, "#field-partner_id", "harbour")
    assert app.screen.query_one("#field-partner_id", Select).value == harbour_id
    await choose(pilot, "#field-service", "legal aid")
    assert app.screen.query_one("#field-service", Select).value is ServiceKind.LEGAL_AID
    await type_into(pilot, "#field-note", "Wants advice on custody first.")
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))


async def test_referring_without_consent_warns_but_keeps_a_planned_referral(
    vault_files: VaultFiles,
) -> None:
    client_id, _cedar_id, harbour_id = seed(vault_files, _client_and_partners)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, "Amaya Reedwater")
        await _refer_to_harbour(pilot, app, harbour_id)

        warning = app.screen
        assert isinstance(warning, ConfirmScreen)
        assert warning.question == "No release of information on file"
        assert "The referral to Harbour Legal Aid is saved" in warning.detail
        # Already saved before the question is answered.
        assert app.vault is not None
        (referral,) = app.vault.repo.referrals.for_parent(client_id)
        assert referral.partner_id == harbour_id
        assert referral.status is ReferralStatus.PLANNED

        await pilot.press("n")  # Not now
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert active_tab(app) == "referrals"
        assert row_cells(app, "#referrals-list") == [
            ("Harbour Legal Aid · Legal aid", "Planned", "2026-11-16", "")
        ]
        detail = text_of(app, "#referral-detail")
        assert "Consent: no valid release of information on file for this partner" in detail
        assert "2026-11-16  Planned" in detail
        assert app.vault.repo.consents.for_parent(client_id) == []
        await finish(pilot, app)
    close_vault(app)

    with vault_files.open(writable=False) as vault:
        (referral,) = vault.repo.referrals.for_parent(client_id)
        assert referral.partner_id == harbour_id
        assert referral.service is ServiceKind.LEGAL_AID
        assert referral.status is ReferralStatus.PLANNED
        assert referral.history == (StatusChange(TODAY, ReferralStatus.PLANNED, ""),)
        assert referral.note == "Wants advice on custody first."
        assert vault.repo.consents.for_parent(client_id) == []


async def test_referring_without_consent_can_go_straight_to_recording_one(
    vault_files: VaultFiles,
) -> None:
    client_id, _cedar_id, harbour_id = seed(vault_files, _client_and_partners)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, "Amaya Reedwater")
        await _refer_to_harbour(pilot, app, harbour_id)

        await pilot.press("y")  # Record a consent
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.form_title == "Record a consent"
        # The partner of the referral is chosen already (it is not the first in the list).
        assert form.query_one("#field-partner_id", Select).value == harbour_id
        assert form.query_one("#field-expires_on").value == "2027-11-16"
        await type_into(pilot, "#field-shares", "Name, phone number and appointment times.")
        await type_into(pilot, "#field-purpose", "To book a first appointment.")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert active_tab(app) == "consents"
        assert row_cells(app, "#consents-list") == [
            ("Harbour Legal Aid", "2026-11-16", "2027-11-16", "Valid")
        ]
        await finish(pilot, app)
    close_vault(app)

    with vault_files.open(writable=False) as vault:
        (consent,) = vault.repo.consents.for_parent(client_id)
        assert consent.partner_id == harbour_id
        assert consent.shares == "Name, phone number and appointment times."
        assert consent.purpose == "To book a first appointment."
        assert consent.signed_on == TODAY
        assert consent.expires_on == date(2027, 11, 16)
        assert consent.revoked_on is None
        (referral,) = vault.repo.referrals.for_parent(client_id)
        assert referral.status is ReferralStatus.PLANNED
        assert len(referral.history) == 1
        assert casework.valid_consent([consent], referral.partner_id, TODAY) == consent


# -- 2. stepping a referral along ------------------------------------------------------

OPENED = date(2026, 11, 2)


def _referral_for_a_need(
    vault: Vault, status: ReferralStatus = ReferralStatus.PLANNED
) -> tuple[str, str, str]:
    client = new_client(vault, "Tomasz Ivybridge")
    partner = new_partner(vault, "Bright Smile Dental", ServiceKind.DENTAL)
    vault.repo.consents.add(
        Consent.create(
            client_id=client.id,
            partner_id=partner.id,
            shares="Name and phone.",
            purpose="Dental appointments.",
            signed_on=OPENED,
            expires_on=date(2027, 11, 2),
        )
    )
    need = vault.repo.needs.add(
        NeedItem.create(
            client_id=client.id,
            label="Dental care",
            horizon=Horizon.SHORT_TERM,
            domain=Domain.PHYSICAL,
            status=NeedStatus.NEEDED,
            status_date=OPENED,
        )
    )
    referral = casework.new_referral(
        client_id=client.id,
        partner_id=partner.id,
        service=ServiceKind.DENTAL,
        on=OPENED,
        need_id=need.id,
    )
    for step in (ReferralStatus.REFERRED, ReferralStatus.SCHEDULED, ReferralStatus.ATTENDING):
        if referral.status is status:
            break
        referral = casework.change_status(referral, step, OPENED)
    vault.repo.referrals.add(referral)
    return client.id, referral.id, need.id


async def test_next_step_walks_the_path_and_completion_can_mark_the_need_met(
    vault_files: VaultFiles,
) -> None:
    client_id, referral_id, need_id = seed(vault_files, _referral_for_a_need)
    steps = [
        (date(2026, 11, 16), ReferralStatus.REFERRED),
        (date(2026, 11, 18), ReferralStatus.SCHEDULED),
        (date(2026, 11, 23), ReferralStatus.ATTENDING),
        (date(2026, 11, 30), ReferralStatus.COMPLETED),
    ]
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, "Tomasz Ivybridge")
        await go_to_tab(pilot, app, "5", "referrals")
        assert app.vault is not None
        repo = app.vault.repo
        for day, status in steps:
            app._today = day  # the days pass between steps
            await pilot.press("t")
            if status is ReferralStatus.COMPLETED:
                await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                question = app.screen
                assert isinstance(question, ConfirmScreen)
                assert question.question == "Mark the linked need as met?"
                assert "“Dental care”" in question.detail
                # Nothing is written until the question is answered.
                assert repo.referrals.require(referral_id).status is ReferralStatus.ATTENDING
                await pilot.press("y")
                await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
            await wait_for(pilot, lambda s=status: repo.referrals.require(referral_id).status is s)
            assert repo.referrals.require(referral_id).last_update == day
            assert row_cells(app, "#referrals-list")[0][1:3] == (status.label, day.isoformat())

        detail = text_of(app, "#referral-detail")
        assert "2026-11-30  Completed" in detail
        assert "2026-11-18  Scheduled" in detail
        assert repo.needs.require(need_id).status is NeedStatus.MET

        # A completed referral has no next step.
        await pilot.press("t")
        await wait_for(pilot, lambda: "This referral is completed." in app.messages)
        assert len(repo.referrals.require(referral_id).history) == 5
        await finish(pilot, app)
    close_vault(app)

    with vault_files.open(writable=False) as vault:
        referral = vault.repo.referrals.require(referral_id)
        assert referral.status is ReferralStatus.COMPLETED
        assert referral.history == (
            StatusChange(OPENED, ReferralStatus.PLANNED, ""),
            *(StatusChange(day, status, "") for day, status in steps),
        )
        need = vault.repo.needs.require(need_id)
        assert need.status is NeedStatus.MET
        assert need.status_date == date(2026, 11, 30)
        assert vault.repo.referrals.for_parent(client_id) == [referral]


async def test_completing_and_answering_not_yet_leaves_the_need_open(
    vault_files: VaultFiles,
) -> None:
    _client_id, referral_id, need_id = seed(
        vault_files, lambda v: _referral_for_a_need(v, ReferralStatus.ATTENDING)
    )
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, "Tomasz Ivybridge")
        await go_to_tab(pilot, app, "5", "referrals")
        assert row_cells(app, "#referrals-list")[0][1] == "Attending"
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Mark the linked need as met?"
        await pilot.press("n")  # Not yet
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert row_cells(app, "#referrals-list")[0][1] == "Completed"
        await finish(pilot, app)
    close_vault(app)

    with vault_files.open(writable=False) as vault:
        referral = vault.repo.referrals.require(referral_id)
        assert referral.status is ReferralStatus.COMPLETED
        assert referral.history[-1] == StatusChange(TODAY, ReferralStatus.COMPLETED, "")
        assert len(referral.history) == 5
        need = vault.repo.needs.require(need_id)
        assert need.status is NeedStatus.NEEDED
        assert need.status_date == OPENED


# -- 3. stalled referrals on Today -------------------------------------------------------


def _stalled_referrals(vault: Vault, *ages: int) -> tuple[str, list[str]]:
    """A client whose check-in is not due this week, with a referral per age (days quiet)."""
    client = new_client(vault, "Ines Marlowe", intake_date=TODAY - timedelta(days=60))
    vault.repo.meetings.add(
        Meeting.create(client_id=client.id, on=TODAY - timedelta(days=5), summary="Check-in.")
    )
    ids = []
    for number, age in enumerate(ages):
        partner = new_partner(vault, f"Partner {number}", ServiceKind.HOUSING)
        referral = casework.new_referral(
            client_id=client.id,
            partner_id=partner.id,
            service=ServiceKind.HOUSING,
            on=TODAY - timedelta(days=age + 5),
        )
        referral = casework.change_status(
            referral, ReferralStatus.REFERRED, TODAY - timedelta(days=age)
        )
        ids.append(vault.repo.referrals.add(referral).id)
    return client.id, ids


def today_items(app: CaseApp) -> list[TodayItem]:
    return [row.data for row in app.screen.query_one("#today-list", RowList).rows]


async def test_a_stalled_referral_shows_on_today_and_opens_its_tab(
    vault_files: VaultFiles,
) -> None:
    client_id, (referral_id,) = seed(vault_files, lambda v: _stalled_referrals(v, 20))
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await wait_for(pilot, lambda: len(today_items(app)) > 0)
        (item,) = today_items(app)
        assert item.section is Section.REFERRAL
        assert item.record_id == referral_id
        assert row_cells(app, "#today-list") == [
            (
                "Referral follow-up",
                "Ines Marlowe",
                (TODAY - timedelta(days=20)).strftime("%a %d %b"),
                "stalled: no update for 20 days",
            )
        ]
        assert text_of(app, "#today-summary").startswith("1 referral")

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        assert screen.client_id == client_id
        await wait_for(pilot, lambda: active_tab(app) == "referrals")
        assert "1 stalled (no update for 14+ days)" in text_of(app, "#referrals-info")
        assert row_cells(app, "#referrals-list")[0][1] == "Referred"

        await pilot.press("escape")  # back to Today, not the caseload
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
    close_vault(app)


async def test_today_uses_the_stalled_after_days_setting(vault_files: VaultFiles) -> None:
    _client_id, (recent_id, old_id) = seed(vault_files, lambda v: _stalled_referrals(v, 20, 40))
    app = app_for(vault_files, Settings(stalled_after_days=30))
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await wait_for(pilot, lambda: len(today_items(app)) > 0)
        listed = [(i.section, i.record_id, i.detail) for i in today_items(app)]
        assert listed == [(Section.REFERRAL, old_id, "stalled: no update for 40 days")]
        assert recent_id not in {i.record_id for i in today_items(app)}

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await wait_for(pilot, lambda: active_tab(app) == "referrals")
        assert "1 stalled (no update for 30+ days)" in text_of(app, "#referrals-info")
        # The cursor lands on the referral chosen on Today, not on the newest one.
        await wait_for(pilot, lambda: app.screen.query_one("#referrals-list", RowList).has_focus)
        listing = app.screen.query_one("#referrals-list", RowList)
        assert [row.key for row in listing.rows] == [recent_id, old_id]  # newest first
        assert listing.current is not None and listing.current.key == old_id
    close_vault(app)


async def test_today_can_be_the_home_screen(vault_files: VaultFiles) -> None:
    seed(vault_files, lambda v: _stalled_referrals(v, 20))
    app = app_for(vault_files, Settings(home="today"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await wait_for(pilot, lambda: app.screen.ready)  # type: ignore[attr-defined]
        assert [i.section for i in today_items(app)] == [Section.REFERRAL]
        await pilot.press("escape")  # the caseload sits underneath
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
    close_vault(app)


# -- 4. closing and reopening a case ------------------------------------------------------

CLOSING_NOTE = "Moving to her sister's; knows she can call us."


async def test_closing_needs_the_checklist_then_reopening_brings_the_case_back(
    vault_files: VaultFiles,
) -> None:
    def build(vault: Vault) -> str:
        new_client(vault, "Tobias Fernhill")
        return new_client(vault, "Mireille Ashdown").id

    client_id = seed(vault_files, build)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        assert first_cells(app) == ["Mireille Ashdown", "Tobias Fernhill"]
        assert app.vault is not None
        repo = app.vault.repo
        await open_client_named(pilot, app, "Mireille Ashdown")
        assert active_tab(app) == "profile"
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "Open needs: 0. No safety plan on file." in form.intro
        await choose(pilot, "#field-reason", "chose")
        assert form.query_one("#field-reason", Select).value is ClosureReason.CLIENT_CHOSE
        await tick(pilot, "#field-knows_can_return")
        await type_into(pilot, "#field-note", CLOSING_NOTE)

        # The safety plan box is not ticked: the form refuses and says why.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert text_of(app, "#form-error") == (
            "Safety was talked through with the client (there is no written plan): is part of "
            "closing; review it first."
        )
        assert form.query_one("#field-safety_plan_reviewed").has_focus
        assert repo.clients.require(client_id).status is ClientStatus.ACTIVE
        assert repo.case_events.for_parent(client_id) == []
        assert not app.vault.dirty

        await tick(pilot, "#field-safety_plan_reviewed")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert repo.clients.require(client_id).status is ClientStatus.CLOSED
        assert "Status: Closed" in text_of(app, "#profile-text")
        history = text_of(app, "#profile-history")
        assert f"2026-11-16  Closed: The client chose to close — {CLOSING_NOTE}" in history
        await wait_saved(pilot, app)

        # Off the active caseload, on the closed one.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("escape")  # clear the filter
        await wait_for(pilot, lambda: first_cells(app) == ["Tobias Fernhill"])
        assert app.screen.scope == "mine"
        assert "1 of 25 clients" in text_of(app, "#capacity")
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.scope == "everyone")
        assert first_cells(app) == ["Tobias Fernhill"]
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.scope == "closed")
        assert first_cells(app) == ["Mireille Ashdown"]
        assert row_cells(app)[0][2] == "Closed"

        # Reopen: a reason is required.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await wait_for(pilot, lambda: app.screen.query_one("#profile-view").has_focus)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.form_title == "Reopen the case"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert text_of(app, "#form-error") == "Reason: is required: why the case is reopening."
        assert repo.clients.require(client_id).status is ClientStatus.CLOSED
        await type_into(pilot, "#field-note", "She is back in town and asked for support.")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert "Status: Active" in text_of(app, "#profile-text")
        assert "Reopened — She is back in town" in text_of(app, "#profile-history")

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: first_cells(app) == [])  # the closed list is empty now
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.scope == "mine")
        assert first_cells(app) == ["Mireille Ashdown", "Tobias Fernhill"]
        await finish(pilot, app)
    close_vault(app)

    with vault_files.open(writable=False) as vault:
        assert vault.repo.clients.require(client_id).status is ClientStatus.ACTIVE
        closed, reopened = sorted(
            vault.repo.case_events.for_parent(client_id), key=lambda e: e.kind != "closed"
        )
        assert closed.kind is CaseEventKind.CLOSED
        assert closed.on == TODAY
        assert closed.reason is ClosureReason.CLIENT_CHOSE
        assert closed.safety_plan_reviewed and closed.knows_can_return
        assert closed.note == CLOSING_NOTE
        assert reopened.kind is CaseEventKind.REOPENED
        assert reopened.on == TODAY
        assert reopened.reason is None
        assert reopened.note == "She is back in town and asked for support."


# -- 5. handing a client to another case manager -----------------------------------------

HANDOFF = "Prefers texts after 5pm; court date in January."


async def test_reassigning_hands_the_client_over_with_a_note(vault_files: VaultFiles) -> None:
    def build(vault: Vault) -> tuple[str, str, str]:
        sam = vault.repo.staff.add(Staff.create(name="Sam Okafor", capacity=20))
        client = new_client(vault, "Lior Brightwater")
        assert vault.owner_staff_id is not None
        return client.id, vault.owner_staff_id, sam.id

    client_id, owner_id, sam_id = seed(vault_files, build)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        assert app.vault is not None
        repo = app.vault.repo
        assert (
            caseload_view.capacity(repo, owner_id).count,
            caseload_view.capacity(repo, sam_id).count,
        ) == (1, 0)
        await open_client_named(pilot, app, "Lior Brightwater")
        assert "Case manager: Robin Testwell" in text_of(app, "#profile-text")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.form_title == "Reassign the client"
        await choose(pilot, "#field-to_staff_id", "sam")
        assert form.query_one("#field-to_staff_id", Select).value == sam_id
        await type_into(pilot, "#field-on", "2026-11-17")
        await pilot.press("ctrl+s")  # the handoff note is required
        await pilot.pause()
        assert app.screen is form
        assert "Handoff note: is required" in text_of(app, "#form-error")
        assert repo.clients.require(client_id).case_manager_id == owner_id
        await type_into(pilot, "#field-note", HANDOFF)
        await save_form(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))

        assert repo.clients.require(client_id).case_manager_id == sam_id
        assert "Case manager: Sam Okafor" in text_of(app, "#profile-text")
        assert f"2026-11-17  Handed to Sam Okafor by Robin Testwell — {HANDOFF}" in text_of(
            app, "#profile-history"
        )
        assert (
            caseload_view.capacity(repo, owner_id).count,
            caseload_view.capacity(repo, sam_id).count,
        ) == (0, 1)
        assert "Lior Brightwater is now with Sam Okafor." in app.messages

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("escape")  # clear the filter
        await wait_for(pilot, lambda: first_cells(app) == [])
        assert text_of(app, "#capacity") == "0 of 25 clients"
        await pilot.press("m")
        await wait_for(pilot, lambda: app.screen.scope == "everyone")
        (row,) = row_cells(app)
        assert row[0] == "Lior Brightwater"
        assert row[3] == "Sam Okafor"
        await finish(pilot, app)
    close_vault(app)

    with vault_files.open(writable=False) as vault:
        assert vault.repo.clients.require(client_id).case_manager_id == sam_id
        (handoff,) = vault.repo.assignments.for_parent(client_id)
        assert handoff.from_staff_id == owner_id
        assert handoff.to_staff_id == sam_id
        assert handoff.on == date(2026, 11, 17)
        assert handoff.note == HANDOFF
        assert caseload_view.capacity(vault.repo, owner_id).count == 0
        assert caseload_view.capacity(vault.repo, sam_id).count == 1


# -- 6. the safety plan stays covered -------------------------------------------------------

CONCERN = "He waits at the Alder Street bus stop"


def _client_with_plan(vault: Vault) -> str:
    client = new_client(vault, "Rosalind Pike")
    vault.repo.safety_plans.add(
        SafetyPlan.create(
            client_id=client.id,
            main_concern=CONCERN,
            people="Aunt Carmen",
            reviewed_on=date(2026, 11, 1),
            developed_with_client=True,
        )
    )
    return client.id


def safety_text(app: CaseApp) -> str:
    return text_of(app, "#safety-text")


async def test_the_safety_plan_is_hidden_until_asked_for_and_hides_again(
    vault_files: VaultFiles,
) -> None:
    seed(vault_files, _client_with_plan)
    app = app_for(vault_files)
    assert app.settings.confirm_safety_plan is True
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, "Rosalind Pike")
        await go_to_tab(pilot, app, "7", "safety")
        assert "The safety plan is hidden" in safety_text(app)
        assert CONCERN not in safety_text(app)

        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Show the safety plan?"
        await pilot.press("n")  # keep it hidden
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert CONCERN not in safety_text(app)

        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: CONCERN in safety_text(app))
        assert "Aunt Carmen" in safety_text(app)
        assert "Reviewed: 2026-11-01" in safety_text(app)

        # Leaving the tab covers it again.
        await go_to_tab(pilot, app, "1", "profile")
        await go_to_tab(pilot, app, "7", "safety")
        assert CONCERN not in safety_text(app)
        assert "The safety plan is hidden" in safety_text(app)

        # v again shows, and a second v hides without asking.
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: CONCERN in safety_text(app))
        await pilot.press("v")
        await wait_for(pilot, lambda: CONCERN not in safety_text(app))
        assert isinstance(app.screen, ClientScreen)
    close_vault(app)


async def test_the_safety_plan_shows_at_once_when_confirming_is_off(
    vault_files: VaultFiles,
) -> None:
    seed(vault_files, _client_with_plan)
    app = app_for(vault_files, Settings(confirm_safety_plan=False))
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, "Rosalind Pike")
        await go_to_tab(pilot, app, "7", "safety")
        assert CONCERN in safety_text(app)
        assert "hidden" not in safety_text(app)
        await pilot.press("v")  # nothing to confirm
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        assert CONCERN in safety_text(app)
        await go_to_tab(pilot, app, "1", "profile")
        await go_to_tab(pilot, app, "7", "safety")
        assert CONCERN in safety_text(app)
    close_vault(app)


# -- 7. the Legal tab follows the client's choice --------------------------------------------


async def test_the_legal_tab_is_only_there_for_clients_who_engage(
    vault_files: VaultFiles,
) -> None:
    def build(vault: Vault) -> None:
        new_client(vault, "Nadia Quill", legal_engagement=LegalEngagement.NOT_ENGAGED)
        oren = new_client(vault, "Oren Vale", legal_engagement=LegalEngagement.ENGAGED)
        vault.repo.legal_matters.add(
            LegalMatter.create(
                client_id=oren.id,
                kind=LegalKind.COURT_DATE,
                status=LegalStatus.SCHEDULED,
                on=date(2026, 11, 19),
                description="Hearing at the family court",
            )
        )

    seed(vault_files, build)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, "Nadia Quill")
        assert "Legal" not in shown_tabs(app)
        assert "Consents" in shown_tabs(app)
        await pilot.press("9")
        await wait_for(pilot, lambda: any("Legal tab appears" in m for m in app.messages))
        assert active_tab(app) == "profile"

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("escape")  # clear the filter
        await open_client_named(pilot, app, "Oren Vale")
        assert shown_tabs(app)[-4:] == ["Legal", "History", "Household", "Services"]
        await go_to_tab(pilot, app, "9", "legal")
        ((kind, _status, on, description),) = row_cells(app, "#legal-list")
        assert (kind, on, description) == (
            "Court date",
            "2026-11-19",
            "Hearing at the family court",
        )
    close_vault(app)


async def test_scheduled_referrals_and_court_dates_say_scheduled(vault_files: VaultFiles) -> None:
    def build(vault: Vault) -> None:
        client = new_client(vault, "Oren Vale", legal_engagement=LegalEngagement.ENGAGED)
        partner = new_partner(vault, "Cedar Clinic", ServiceKind.MEDICAL)
        referral = casework.new_referral(
            client_id=client.id, partner_id=partner.id, service=ServiceKind.MEDICAL, on=OPENED
        )
        vault.repo.referrals.add(casework.change_status(referral, ReferralStatus.SCHEDULED, OPENED))
        vault.repo.legal_matters.add(
            LegalMatter.create(
                client_id=client.id,
                kind=LegalKind.COURT_DATE,
                status=LegalStatus.SCHEDULED,
                on=date(2026, 11, 19),
            )
        )

    seed(vault_files, build)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await open_client_named(pilot, app, "Oren Vale")
        await go_to_tab(pilot, app, "5", "referrals")
        referral_status = row_cells(app, "#referrals-list")[0][1]
        await go_to_tab(pilot, app, "9", "legal")
        legal_status = row_cells(app, "#legal-list")[0][1]
    close_vault(app)
    assert (referral_status, legal_status) == ("Scheduled", "Scheduled")


# -- 8. the partner directory ------------------------------------------------------------------


async def test_partner_directory_add_search_and_refuse_to_remove_one_in_use(
    vault_files: VaultFiles,
) -> None:
    def build(vault: Vault) -> tuple[str, str]:
        client = new_client(vault, "Hugo Stanmore")
        harbour = new_partner(
            vault, "Harbour Legal Aid", ServiceKind.LEGAL_AID, languages="English, Spanish"
        )
        cedar = new_partner(vault, "Cedar Clinic", ServiceKind.MEDICAL, languages="English")
        vault.repo.referrals.add(
            casework.new_referral(
                client_id=client.id,
                partner_id=harbour.id,
                service=ServiceKind.LEGAL_AID,
                on=date(2026, 11, 10),
            )
        )
        return harbour.id, cedar.id

    harbour_id, cedar_id = seed(vault_files, build)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))
        await wait_for(pilot, lambda: app.screen.query_one(RowList).has_focus)
        assert first_cells(app) == ["Cedar Clinic", "Harbour Legal Aid"]

        # Add a partner.
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.form_title == "New partner"
        await type_into(pilot, "#field-name", "Willow House Shelter")
        await choose(pilot, "#field-kind", "shelter")
        await type_into(pilot, "#field-languages", "English, Tagalog")
        await tick(pilot, "#field-trauma_informed")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))
        await wait_for(pilot, lambda: len(first_cells(app)) == 3)
        assert row_cells(app) == [
            ("Cedar Clinic", "Medical", "English", ""),
            ("Harbour Legal Aid", "Legal aid", "English, Spanish", ""),
            ("Willow House Shelter", "Shelter", "English, Tagalog", "yes"),
        ]
        assert "Kind: Shelter" in text_of(app, "#partner-detail")  # the new one is current

        # Search narrows the list; Esc clears it.
        await pilot.press("slash", *"tagalog")
        await wait_for(pilot, lambda: first_cells(app) == ["Willow House Shelter"])
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(first_cells(app)) == 3)
        await pilot.press("slash", *"spanish")
        await wait_for(pilot, lambda: first_cells(app) == ["Harbour Legal Aid"])

        # A partner that a referral points at cannot be removed.
        await pilot.press("enter")  # from the search box to the list
        await wait_for(pilot, lambda: app.screen.query_one(RowList).has_focus)
        await pilot.press("delete")  # refused at once: no question asked first
        await wait_for(
            pilot,
            lambda: (
                "Other records still point at this partner; its referrals and consents are "
                "kept as history." in app.messages
            ),
        )
        assert app.vault is not None
        assert harbour_id in app.vault.repo.partners
        assert first_cells(app) == ["Harbour Legal Aid"]

        # One nobody points at can be.
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(first_cells(app)) == 3)
        assert first_cells(app)[0] == "Cedar Clinic"
        await pilot.press("home", "delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Remove Cedar Clinic from the directory?"
        await pilot.press("y")
        await wait_for(
            pilot, lambda: first_cells(app) == ["Harbour Legal Aid", "Willow House Shelter"]
        )
        await finish(pilot, app)
    close_vault(app)

    with vault_files.open(writable=False) as vault:
        names = sorted(p.name for p in vault.repo.partners.all())
        assert names == ["Harbour Legal Aid", "Willow House Shelter"]
        assert cedar_id not in vault.repo.partners
        (willow,) = [p for p in vault.repo.partners.all() if p.name == "Willow House Shelter"]
        assert willow.kind is ServiceKind.SHELTER
        assert willow.languages == "English, Tagalog"
        assert willow.trauma_informed is True
        assert vault.repo.partners.require(harbour_id).kind is ServiceKind.LEGAL_AID
