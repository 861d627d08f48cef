"""The goal sheet a client takes home, asked for on the command line and with the key."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, SelectionList

from casetui.core.choices import AuditAction, Domain, GoalStatus, Horizon, NeedStatus
from casetui.core.printout import SECTIONS
from casetui.core.records import Client, Goal, NeedItem
from casetui.ui.forms.form import FormScreen
from casetui.ui.goal_sheet import MASKED_REFUSAL, READ_ONLY_REFUSAL
from casetui.ui.screens.client import ClientScreen
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles, run_casetui
from tests.services.test_printout import HEADINGS, headings_of
from tests.ui.test_ui_casework import TODAY, RecordingApp, app_for, seed
from tests.ui.test_ui_flows import caseload_ready, wait_for

# -- the command line --------------------------------------------------------------------


def ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def write_settings(home: Path, text: str) -> None:
    folder = home / "config" / "casetui"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


def seed_marisol(files: VaultFiles) -> str:
    def build(vault: Vault) -> str:
        owner = vault.owner_staff_id
        assert owner is not None
        client = vault.repo.clients.add(
            Client.create(preferred_name="Marisol Quenby", intake_date=TODAY, case_manager_id=owner)
        )
        vault.repo.goals.add(
            Goal.create(
                client_id=client.id,
                text="I want a home where my son has his own room",
                status=GoalStatus.IN_PROGRESS,
            )
        )
        vault.repo.needs.add(
            NeedItem.create(
                client_id=client.id, catalog_key="food", label="Food",
                horizon=Horizon.SHORT_TERM, domain=Domain.PHYSICAL, status=NeedStatus.NEEDED,
            )
        )  # fmt: skip
        return client.id

    return seed(files, build)


def print_entries(files: VaultFiles) -> list[Any]:
    with files.open(writable=False) as vault:
        return [e for e in vault.repo.audit.all() if e.action is AuditAction.REPORT_RUN]


def test_cli_prints_a_private_goal_sheet_and_records_it(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    client_id = seed_marisol(vault_files)
    write_settings(home, 'agency_name = "Harbourlight Advocacy"\n')
    out = tmp_path / "sheet.html"
    result = run_casetui("print", "marisol quenby", "--out", out, *ident(vault_files), home=home)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "I want a home where my son has his own room" in page
    assert "Harbourlight Advocacy" in page
    assert '<span class="blank"></span>' in page  # agency_contact unset: a line to fill in
    assert client_id not in page
    assert str(out) in result.stdout
    assert "keep it private" in result.stdout and "hand it to them" in result.stdout

    (entry,) = print_entries(vault_files)
    assert entry.client_id == client_id
    assert entry.detail == "printed a goal sheet as HTML: goals, needs, checkin, contact"
    audit = run_casetui("audit", "--client", client_id, *ident(vault_files), home=home)
    assert "report run (printed a goal sheet as HTML" in audit.stdout

    # Markdown, two sections only, from the suffix.
    notes = tmp_path / "sheet.md"
    result = run_casetui(
        "print", client_id, "--out", notes, "--sections", "needs,goals", *ident(vault_files),
        home=home,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = notes.read_text(encoding="utf-8")
    assert headings_of(text) == [HEADINGS["goals"], HEADINGS["needs"]]
    assert stat.S_IMODE(notes.stat().st_mode) == 0o600
    assert [e.detail for e in print_entries(vault_files)][-1] == (
        "printed a goal sheet as Markdown: goals, needs"
    )


def test_cli_refuses_to_overwrite_without_force(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    client_id = seed_marisol(vault_files)
    out = tmp_path / "sheet.html"
    out.write_text("keep me", encoding="utf-8")
    result = run_casetui("print", client_id, "--out", out, *ident(vault_files), home=home)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"casetui: {out} already exists; choose another name, or add --force to replace it."
    ]
    assert out.read_text(encoding="utf-8") == "keep me"
    assert print_entries(vault_files) == []
    forced = run_casetui(
        "print", client_id, "--out", out, "--force", *ident(vault_files), home=home
    )
    assert forced.returncode == 0, forced.stderr
    assert "Marisol Quenby" in out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_cli_refuses_the_vaults_own_files(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    client_id = seed_marisol(vault_files)
    before = vault_files.snapshot()
    for own in (vault_files.paths.vault, vault_files.paths.identity):
        result = run_casetui(
            "print", client_id, "--out", own, "--force", *ident(vault_files), home=home
        )
        assert result.returncode == 1
        assert "one of the vault's own files" in result.stderr
    assert vault_files.snapshot() == before


def test_cli_says_in_one_sentence_when_the_client_is_unknown(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    seed_marisol(vault_files)
    out = tmp_path / "sheet.html"
    result = run_casetui("print", "Nobody Atall", "--out", out, *ident(vault_files), home=home)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "casetui: No client's id, calendar code or preferred name matches that; run "
        "'casetui' to see your clients (add --masked to see them by their codes)."
    ]
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert print_entries(vault_files) == []


# -- the key in the workspace -------------------------------------------------------------


async def test_the_workspace_key_prints_the_chosen_sections(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = seed_marisol(vault_files)
    monkeypatch.setenv("HOME", str(tmp_path))  # the suggested file goes in the home folder
    app = app_for(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await caseload_ready(pilot, app)
        app.open_client(client_id, "needs")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.pause()
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await wait_for(pilot, lambda: bool(app.screen.query("#field-out")))
        suggested = app.screen.query_one("#field-out", Input).value
        assert suggested == str(tmp_path / "goal-sheet-MQ.html")  # initials, never the name
        choices = app.screen.query_one("#field-sections", SelectionList)
        assert list(choices.selected) == list(SECTIONS)  # every section, unless unticked
        choices.focus()
        await pilot.press("down", "space", "down", "down", "space")  # needs, contact
        assert list(choices.selected) == ["goals", "checkin"]
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: any(m.startswith("Wrote the goal sheet") for m in app.messages)
        )
        await wait_for(pilot, lambda: app.vault is not None and not app.vault.dirty)
        await pilot.press("ctrl+q")
    out = tmp_path / "goal-sheet-MQ.html"
    (message,) = [m for m in app.messages if m.startswith("Wrote the goal sheet")]
    assert str(out) in message and "keep it private" in message
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    page = out.read_text(encoding="utf-8")
    assert "<h2>Your goals</h2>" in page and "<h2>Your next check-in</h2>" in page
    assert "What we are working on together" not in page and "How to reach us" not in page
    assert "I want a home where my son has his own room" in page
    (entry,) = print_entries(vault_files)
    assert entry.client_id == client_id
    assert entry.detail == "printed a goal sheet as HTML: goals, checkin"


async def test_the_workspace_key_refuses_while_screen_sharing(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = seed_marisol(vault_files)
    monkeypatch.setenv("HOME", str(tmp_path))
    app = RecordingApp(
        vault_files.vault,
        unlocker=identity_unlocker(vault_files.identity_file),
        today=TODAY,
        masked=True,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await caseload_ready(pilot, app)
        app.open_client(client_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.pause()
        await pilot.press("g")
        await wait_for(pilot, lambda: MASKED_REFUSAL in app.messages)
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("ctrl+q")
    assert list(tmp_path.glob("goal-sheet*")) == []
    assert print_entries(vault_files) == []


async def test_the_workspace_key_refuses_in_a_read_only_session(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = seed_marisol(vault_files)
    monkeypatch.setenv("HOME", str(tmp_path))
    app = RecordingApp(
        vault_files.vault,
        unlocker=identity_unlocker(vault_files.identity_file),
        today=TODAY,
        read_only=True,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await caseload_ready(pilot, app)
        app.open_client(client_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.pause()
        await pilot.press("g")
        await wait_for(pilot, lambda: READ_ONLY_REFUSAL in app.messages)
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("ctrl+q")
    assert list(tmp_path.glob("goal-sheet*")) == []


def test_the_form_checks_sections_format_and_file_name(tmp_path: Path) -> None:
    from casetui.core.errors import ValidationError
    from casetui.ui.goal_sheet import build_request

    default = tmp_path / "goal-sheet-MQ.html"
    chosen = {"sections": ("needs", "goals"), "format": "md", "out": str(default)}
    request = build_request(chosen, default)
    assert request.out == tmp_path / "goal-sheet-MQ.md"  # the suggestion follows the format
    assert (request.fmt, request.sections) == ("md", ("goals", "needs"))
    assert build_request(chosen | {"out": str(tmp_path / "notes")}, default).out.name == (
        "notes.md"
    )
    for values, field in (
        (chosen | {"sections": ()}, "sections"),
        (chosen | {"out": str(tmp_path / "sheet.html")}, "out"),
        (chosen | {"out": str(tmp_path / "missing" / "sheet.md")}, "out"),
        (chosen | {"out": str(tmp_path)}, "out"),
        (chosen | {"out": "  "}, "out"),
    ):
        with pytest.raises(ValidationError) as caught:
            build_request(values, default)
        assert caught.value.field == field


def test_a_name_without_letters_gets_a_plain_file_name() -> None:
    from casetui.ui.goal_sheet import default_path

    assert default_path("!!!").name == "goal-sheet.html"
    assert default_path("Ömer Çelik").name == "goal-sheet-ÖÇ.html"
