"""Pilot tests of a vault folder shared by two laptops: 2 versions, loading, erasing."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from pathlib import Path

import pytest

from casetui.ui.forms.choice import ChoiceScreen
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.two_versions import VersionsScreen
from casetui.ui.widgets.row_list import RowList
from casetui.vault import keys
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles
from tests.ui.test_ui_flows import app_for, caseload_ready, wait_for


def copy_in(source: Path, target: Path) -> None:
    """What a sync tool does: every journal file one side has and the other lacks."""
    for file in source.rglob("*.age"):
        there = target / file.relative_to(source)
        if not there.exists():
            there.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, there)


def edit_client(
    files: VaultFiles, monkeypatch: pytest.MonkeyPatch, state: Path, name: str, **fields: object
) -> None:
    """One save on one laptop (its own state folder, so its own device name)."""
    monkeypatch.setenv("CASETUI_STATE_DIR", str(state))
    with files.open() as vault:
        client = next(c for c in vault.repo.clients if c.preferred_name == name)
        vault.repo.clients.put(dataclasses.replace(client, **fields))  # type: ignore[arg-type]
        vault.save()


def hold_meeting_log(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Keep the meeting log (``Vault.load_rest``) from loading until the event is set."""
    release = threading.Event()
    real = Vault.load_rest

    def held(self: Vault) -> set[tuple[str, str]]:
        release.wait(30)
        return real(self)

    monkeypatch.setattr(Vault, "load_rest", held)
    return release


@pytest.fixture
def clash(
    sample_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[VaultFiles, str]:
    """The sample vault after two laptops set one client's pronouns without seeing each other."""
    with sample_files.open(writable=False) as vault:
        name = sorted(c.preferred_name for c in vault.repo.clients)[0]
    other = VaultFiles(tmp_path / "laptop-b" / sample_files.vault.name, sample_files.identity_file)
    other.vault.parent.mkdir()
    shutil.copytree(sample_files.vault, other.vault)
    edit_client(sample_files, monkeypatch, tmp_path / "state-a", name, pronouns="ze/zir")
    edit_client(other, monkeypatch, tmp_path / "state-b", name, pronouns="xe/xem")
    copy_in(other.vault, sample_files.vault)
    monkeypatch.setenv("CASETUI_STATE_DIR", str(tmp_path / "state-a"))
    return sample_files, name


async def test_two_versions_are_shown_and_one_is_chosen(clash: tuple[VaultFiles, str]) -> None:
    files, name = clash
    app = app_for(files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        vault = app.require_vault()
        [conflict] = vault.conflicts()
        shown, other = (v.value for v in conflict.versions)
        assert {shown, other} == {"ze/zir", "xe/xem"}
        app.show("versions")
        await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen))
        [row] = app.screen.query_one(RowList).rows
        assert str(row.cells[1]) == "pronouns"
        assert (str(row.cells[2]), str(row.cells[3])) == (shown, other)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("2")  # the version not shown
        await wait_for(pilot, lambda: not list(vault.conflicts()) and not vault.dirty)
        await wait_for(pilot, lambda: not app.screen.query_one(RowList).rows)
        client = next(c for c in vault.repo.clients if c.preferred_name == name)
        assert client.pronouns == other
    with files.open(writable=False) as again:
        assert not list(again.conflicts())
        chosen = next(c for c in again.repo.clients if c.preferred_name == name)
        assert chosen.pronouns == other


async def test_the_caseload_waits_for_the_meeting_log_and_says_so(
    sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = hold_meeting_log(monkeypatch)
    app = app_for(sample_files)
    async with app.run_test(size=(120, 30)) as pilot:
        await caseload_ready(pilot, app)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        screen._set_scope("everyone")
        rows = screen.query_one(RowList).rows
        assert rows and all(row.cells[-4:-2] == ("…", "…") for row in rows)
        assert app.save_state.text == "Opening the meeting log…"
        release.set()
        await wait_for(pilot, lambda: app.require_vault().loading == frozenset())
        await wait_for(
            pilot, lambda: any(r.cells[-4] != "…" for r in screen.query_one(RowList).rows)
        )
        assert app.save_state.text != "Opening the meeting log…"
        assert all("…" not in r.cells[-4:-2] for r in screen.query_one(RowList).rows)


async def test_erasing_a_client_from_the_profile_leaves_no_trace_in_the_folder(
    sample_files: VaultFiles,
) -> None:
    canary = "Canary-Pilot-Quince"
    with sample_files.open() as vault:
        client = sorted(vault.repo.clients, key=lambda c: c.preferred_name)[0]
        vault.repo.clients.put(dataclasses.replace(client, safe_contact_notes=canary))
        vault.save()
        others = len(vault.repo.clients) - 1
    with sample_files.open() as vault:  # a later session: its backup holds the canary
        vault.repo.clients.put(
            dataclasses.replace(vault.repo.clients.require(client.id), language="Twi")
        )
        vault.save()
    keyring = keys.load_identity_file(sample_files.identity_file)
    backups = [b.path for b in vault.backups.newest_first()]
    assert any(canary.encode() in keys.decrypt(b.read_bytes(), keyring, b) for b in backups)
    app = app_for(sample_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        app.open_client(client.id)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        vault = app.require_vault()
        await wait_for(pilot, lambda: client.id not in vault.repo.clients and not vault.dirty)
        await wait_for(
            pilot, lambda: any(n.title == "Erasure" for n in app._notifications), timeout=30
        )
        assert len(vault.repo.clients) == others
    files = [f for f in sample_files.vault.parent.rglob("*.age") if f.is_file()]
    assert len(files) > 4  # the folder's files and the backups
    for file in files:
        if file.name == sample_files.paths.identity.name:
            continue
        plain = keys.decrypt(file.read_bytes(), keyring, file)
        assert canary.encode() not in plain, file


async def test_today_as_home_waits_for_the_meeting_log_rather_than_call_everyone_overdue(
    sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casetui.config import Settings
    from casetui.core.today import Section
    from casetui.ui.app import CaseApp
    from casetui.ui.screens.today_list import TodayScreen
    from casetui.vault.unlocking import identity_unlocker
    from tests.ui.test_ui_flows import TODAY

    with sample_files.open() as vault:  # the owner: the case manager with most clients
        counts: dict[str, int] = {}
        for c in vault.repo.clients:
            counts[c.case_manager_id] = counts.get(c.case_manager_id, 0) + 1
        vault.set_owner(max(counts, key=lambda sid: counts[sid]))
        vault.save()
    release = hold_meeting_log(monkeypatch)
    app = CaseApp(
        sample_files.vault,
        unlocker=identity_unlocker(sample_files.identity_file),
        today=TODAY,
        settings=Settings(home="today"),
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        screen = app.screen
        await pilot.pause(0.5)
        assert not screen.query_one(RowList).rows
        summary = str(screen.query_one("#today-summary").render())
        assert "Reading the meeting log" in summary
        release.set()
        await wait_for(pilot, lambda: app.require_vault().loading == frozenset() and screen.ready)
        overdue = [r for r in screen.query_one(RowList).rows if r.data.section is Section.OVERDUE]
        with sample_files.open(writable=False) as vault:
            from casetui.services import today_view

            expected = today_view.today(vault.repo, TODAY, staff_id=app.owner_id)
        assert len(overdue) == sum(1 for i in expected if i.section is Section.OVERDUE)
        assert len(overdue) < len({r.data.client_id for r in screen.query_one(RowList).rows})


async def test_the_week_and_the_team_wait_for_the_meeting_log_too(
    sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before this, the team screen opened while the log loaded counted every client of
    every case manager as overdue, and the week showed no meetings and no clashes."""
    from casetui.services import week_view
    from casetui.ui.screens.team import TeamScreen
    from casetui.ui.screens.week import WeekScreen

    release = hold_meeting_log(monkeypatch)
    app = app_for(sample_files)
    async with app.run_test(size=(120, 30)) as pilot:
        await caseload_ready(pilot, app)
        app.open_week(app.owner_id or next(iter(app.require_vault().repo.staff)).id)
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
        week = app.screen
        assert "Reading the meeting log" in str(week.query_one("#week-summary").render())
        app.open_team()
        await wait_for(pilot, lambda: isinstance(app.screen, TeamScreen))
        team = app.screen
        rows = team.query_one(RowList).rows
        assert rows and all(row.cells[2] == "…" for row in rows)
        assert all(2 not in row.marks for row in rows)
        assert "reading the meeting log" in str(team.query_one("#team-title").render())
        release.set()
        await wait_for(pilot, lambda: app.require_vault().loading == frozenset())
        await wait_for(pilot, lambda: all(r.cells[2] != "…" for r in team.query_one(RowList).rows))
        with sample_files.open(writable=False) as vault:
            expected = {
                r.staff.id: r.overdue for r in week_view.supervisor_rows(vault.repo, app.today)
            }
        shown = {r.key: int(r.cells[2]) for r in team.query_one(RowList).rows}
        assert shown == expected
        assert sum(expected.values()) < sum(r.data.capacity.count for r in rows)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
        await wait_for(
            pilot,
            lambda: "Reading the meeting log" not in str(week.query_one("#week-summary").render()),
        )
