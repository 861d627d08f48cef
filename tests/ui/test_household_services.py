"""The Household and Services tabs of a client: add, edit and remove from the keyboard.

Household members are counted for funders by relationship and age group, never by
name; services given outside a meeting are chosen from the funders' list.
"""

from __future__ import annotations

from functools import partial

from textual.pilot import Pilot
from textual.widgets import TabbedContent
from textual.widgets._tabs import Tab

from casetui.core.choices import LEGAL_TAB_ENGAGEMENTS, LegalEngagement, Relationship
from casetui.core.funder_records import HouseholdMember, ServiceRecord
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import HIDDEN
from casetui.ui.screens.client import TAB_KEYS, TABS, ClientScreen
from tests.conftest import VaultFiles
from tests.ui.test_ui_casework import (
    RecordingApp,
    active_tab,
    app_for,
    choose,
    new_client,
    row_cells,
    seed,
    start,
    text_of,
    tick,
)
from tests.ui.test_ui_flows import TODAY, type_into, wait_for, wait_saved

NAME = "Mira Holloway"


def _client(files: VaultFiles) -> str:
    return seed(files, lambda v: new_client(v, NAME, legal_engagement=LegalEngagement.ENGAGED).id)


async def _open(pilot: Pilot[int], app: RecordingApp, client_id: str, key: str, tab: str) -> None:
    await start(pilot, app)
    app.open_client(client_id)
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    await pilot.press(key)
    await wait_for(pilot, lambda: active_tab(app) == tab)


async def _save(pilot: Pilot[int], app: RecordingApp) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    await wait_saved(pilot, app)


def _household(app: RecordingApp, client_id: str) -> list[HouseholdMember]:
    assert app.vault is not None
    return list(app.vault.repo.household.for_parent(client_id))


def _services(app: RecordingApp, client_id: str) -> list[ServiceRecord]:
    assert app.vault is not None
    return list(app.vault.repo.services.for_parent(client_id))


async def test_a_household_member_is_added_edited_and_removed_after_asking(
    vault_files: VaultFiles,
) -> None:
    client_id = _client(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, app, client_id, "minus", "household")
        assert "secondary victims, never by name" in text_of(app, "#household-info")

        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await choose(pilot, "#field-relationship", "Sib")
        await choose(pilot, "#field-age_group", "13")
        await tick(pilot, "#field-harmed")
        await tick(pilot, "#field-served")
        await type_into(pilot, "#field-known_as", "Jo")
        await _save(pilot, app)
        [member] = _household(app, client_id)
        assert (member.relationship, member.age_group, member.harmed, member.served) == (
            Relationship.SIBLING,
            "age_13_17",
            True,
            True,
        )
        assert member.known_as == "Jo"
        assert row_cells(app, "#household-list") == [("Sibling", "13 to 17", "yes", "yes", "Jo")]

        # Edit: not served after all, and the age group is not known.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await tick(pilot, "#field-served")
        app.screen.query_one("#field-age_group").clear()  # type: ignore[attr-defined]
        await _save(pilot, app)
        [member] = _household(app, client_id)
        assert (member.served, member.age_group, member.harmed) == (False, "", True)

        # While the screen is shared, how they are known is hidden.
        await pilot.press("f9")
        await wait_for(pilot, lambda: row_cells(app, "#household-list")[0][4] == HIDDEN)
        await pilot.press("f9")
        await wait_for(pilot, lambda: row_cells(app, "#household-list")[0][4] == "Jo")

        # Remove asks first; keeping it keeps it.
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert len(_household(app, client_id)) == 1
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not _household(app, client_id))
        await wait_for(pilot, lambda: row_cells(app, "#household-list") == [])


async def test_a_service_given_without_a_meeting_is_recorded_edited_and_removed(
    vault_files: VaultFiles,
) -> None:
    client_id = _client(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, app, client_id, "equals_sign", "services")
        assert "already counted" in text_of(app, "#services-info")

        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        # No funding sources yet: nothing to tag, and nothing asked.
        assert not app.screen.query("#field-funding_source_ids")
        await choose(pilot, "#field-service", "A2")
        await type_into(pilot, "#field-times", "0")
        await pilot.press("ctrl+s")  # 0 times is refused beside the field
        assert isinstance(app.screen, FormScreen)
        assert "Times" in text_of(app, "#form-error")
        await type_into(pilot, "#field-times", "2")
        await type_into(pilot, "#field-note", "Explained the notification line.")
        await _save(pilot, app)
        [service] = _services(app, client_id)
        assert (service.on, service.service, service.times) == (TODAY, "A2", 2)
        assert service.funding_source_ids == ()
        assert service.note == "Explained the notification line."
        [(on, label, times)] = row_cells(app, "#services-list")
        assert (on, times) == (TODAY.isoformat(), "2")
        assert label.startswith("A2. Information about victim rights")

        # Edit: help with a compensation application, once.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await choose(pilot, "#field-service", "VC")
        await type_into(pilot, "#field-times", "1")
        await _save(pilot, app)
        [service] = _services(app, client_id)
        assert (service.service, service.times) == ("VC", 1)

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not _services(app, client_id))


async def test_every_tab_keeps_its_key_and_fits_at_80_columns(vault_files: VaultFiles) -> None:
    client_id = _client(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, app)
        assert app.vault is not None
        assert app.vault.repo.clients.require(client_id).legal_engagement in LEGAL_TAB_ENGAGEMENTS
        app.open_client(client_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        tabs = app.screen.query_one(TabbedContent)
        keys = {"-": "minus", "=": "equals_sign"}
        for (tab, _label), key in zip(TABS, TAB_KEYS, strict=True):
            await pilot.press(keys.get(key, key))
            await wait_for(pilot, partial(lambda tab: tabs.active == tab, tab))
            for shown in tabs.query(Tab):
                name = str(shown.id).removeprefix("--content-tab-")
                assert shown.label.plain.startswith(TAB_KEYS[[t for t, _ in TABS].index(name)])
                assert shown.region.x >= 0 and shown.region.right <= 80, name
