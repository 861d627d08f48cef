"""Exporting the calendar from inside the app: the form, the name warning, the file."""

from __future__ import annotations

import stat
from datetime import time
from pathlib import Path

import icalendar
from textual.widgets import Checkbox, Input

from casetui.core.choices import BlockKind
from casetui.core.records import AdminBlock, Meeting
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from tests.conftest import VaultFiles
from tests.ui.test_ui_casework import TODAY, app_for, new_client, seed
from tests.ui.test_ui_flows import caseload_ready, wait_for

NAME = "Zephyrine Quorra"


def _plant(files: VaultFiles) -> None:
    def build(vault) -> None:  # type: ignore[no-untyped-def]
        client = new_client(vault, NAME)
        vault.repo.meetings.add(
            Meeting.create(client_id=client.id, on=TODAY, at=time(14, 0), duration_minutes=45)
        )
        vault.repo.admin_blocks.add(
            AdminBlock.create(
                staff_id=vault.owner_staff_id,
                kind=BlockKind.SELF_CARE,
                on=TODAY,
                start=time(12, 0),
                end=time(13, 0),
                weekly=True,
            )
        )

    seed(files, build)


async def _export(files: VaultFiles, out: Path, *, with_names: bool) -> list[str]:
    app = app_for(files)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.vault is not None and app.owner_id is not None)
        await caseload_ready(pilot, app)
        await pilot.press("w")  # your week
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WeekScreen")
        await pilot.press("c")  # export calendar
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await wait_for(pilot, lambda: bool(app.screen.query("#field-out")))
        app.screen.query_one("#field-out", Input).value = str(out)
        if with_names:
            app.screen.query_one("#field-with_names", Checkbox).value = True
        await pilot.press("ctrl+s")
        if with_names:
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
        await wait_for(pilot, lambda: any("Calendar" in m or "Wrote" in m for m in app.messages))
        await wait_for(pilot, lambda: any(m.startswith("Wrote ") for m in app.messages))
        messages = list(app.messages)
        await pilot.press("ctrl+q")
    return messages


async def test_the_app_exports_a_private_calendar_without_names(
    vault_files: VaultFiles, tmp_path: Path
) -> None:
    _plant(vault_files)
    out = tmp_path / "week.ics"
    messages = await _export(vault_files, out, with_names=False)
    assert any("without names" in m for m in messages)
    data = out.read_bytes()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    for part in (NAME, "Zephyrine", "Quorra"):
        assert part.lower().encode() not in data.lower()
    calendar = icalendar.Calendar.from_ical(data)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    # The client is shown by the neutral code given (and kept) for them, not initials.
    with vault_files.open(writable=False) as vault:
        (client,) = [c for c in vault.repo.clients if c.preferred_name == NAME]
    assert client.calendar_code and client.calendar_code != "Z.Q."
    assert any(client.calendar_code in s for s in summaries), summaries
    assert not any("Z.Q." in s for s in summaries), summaries
    assert any(e.get("RRULE") for e in calendar.walk("VEVENT"))


async def test_names_go_in_only_after_a_warning(vault_files: VaultFiles, tmp_path: Path) -> None:
    _plant(vault_files)
    out = tmp_path / "named.ics"
    messages = await _export(vault_files, out, with_names=True)
    assert any("with names" in m for m in messages)
    assert NAME.encode() in out.read_bytes()
