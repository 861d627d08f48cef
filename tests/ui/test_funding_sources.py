"""The funding sources screen: reached from the command palette, grants added and
edited there, and one kept while a client or a service is counted under it."""

from __future__ import annotations

from datetime import date

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import SelectionList

from casetui.core.choices import FundingProgram
from casetui.core.funder_records import FundingSource
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.funding_sources import FundingSourcesScreen
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
)
from tests.ui.test_ui_flows import type_into, wait_for, wait_saved


def _sources(app: RecordingApp) -> list[FundingSource]:
    assert app.vault is not None
    return list(app.vault.repo.funding_sources)


async def _to_funding(pilot: Pilot[int], app: RecordingApp) -> None:
    """Ctrl+P, the command's name, Enter."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*"Funding sources")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, FundingSourcesScreen))


async def _save_form(pilot: Pilot[int], app: RecordingApp, back_to: type) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, back_to))
    await wait_saved(pilot, app)


async def test_a_grant_is_added_from_the_palette_and_edited(vault_files: VaultFiles) -> None:
    seed(vault_files, lambda v: v.repo.funding_sources.add(FundingSource.create(name="City grant")))
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        await _to_funding(pilot, app)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-name", "city GRANT")
        await pilot.press("ctrl+s")  # the same name as another: refused beside the field
        assert isinstance(app.screen, FormScreen)
        assert "another funding source has this name" in str(
            app.screen.query_one("#error-name").render()
        )
        await type_into(pilot, "#field-name", "VOCA 2026")
        await choose(pilot, "#field-program", "VOCA")
        await type_into(pilot, "#field-award_number", "15POVC-25-GG-00123")
        await type_into(pilot, "#field-starts_on", "2025-10-01")
        await type_into(pilot, "#field-ends_on", "2026-09-30")
        await _save_form(pilot, app, FundingSourcesScreen)
        voca = next(s for s in _sources(app) if s.name == "VOCA 2026")
        assert (voca.program, voca.award_number, voca.starts_on, voca.ends_on) == (
            FundingProgram.VOCA,
            "15POVC-25-GG-00123",
            date(2025, 10, 1),
            date(2026, 9, 30),
        )
        assert row_cells(app)[1:] == [
            (
                "VOCA 2026",
                "VOCA (Victims of Crime Act)",
                "15POVC-25-GG-00123",
                "2025-10-01 to 2026-09-30",
            )
        ]
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-award_number", "15POVC-25-GG-00999")
        await _save_form(pilot, app, FundingSourcesScreen)
        assert {s.name: s.award_number for s in _sources(app)} == {
            "City grant": "",
            "VOCA 2026": "15POVC-25-GG-00999",
        }


async def test_a_grant_in_use_is_kept_and_removed_once_free(vault_files: VaultFiles) -> None:
    client_id = seed(vault_files, lambda v: new_client(v, "Tove Aldridge").id)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        await _to_funding(pilot, app)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-name", "VOCA 2026")
        await _save_form(pilot, app, FundingSourcesScreen)
        [voca] = _sources(app)

        # Tag a service with it, through the service form.
        app.open_client(client_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: active_tab(app) == "services")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await choose(pilot, "#field-service", "B1")
        ticks = app.screen.query_one("#field-funding_source_ids", SelectionList)
        ticks.focus()
        await pilot.pause()
        await pilot.press("home", "space")
        await _save_form(pilot, app, ClientScreen)
        assert app.vault is not None
        [service] = app.vault.repo.services.for_parent(client_id)
        assert service.funding_source_ids == (voca.id,)

        # In use: removing is refused in one sentence, without asking.
        await _to_funding(pilot, app)
        await pilot.press("delete")
        await wait_for(pilot, lambda: any("still counted under" in m for m in app.messages))
        assert app.messages[-1].startswith("VOCA 2026 stays, because 1 service is still counted")
        assert isinstance(app.screen, FundingSourcesScreen)
        assert [s.id for s in _sources(app)] == [voca.id]

        # Free again once the service is removed: asked, then removed.
        app.open_client(client_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: active_tab(app) == "services")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not list(app.vault.repo.services))  # type: ignore[union-attr]
        await _to_funding(pilot, app)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert _sources(app)  # nothing goes before the answer
        await pilot.press("y")
        await wait_for(pilot, lambda: not _sources(app))
        await wait_for(pilot, lambda: row_cells(app) == [])
