"""Settings changed in the app are written back to config.toml, and kept after a restart."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from textual.app import SystemCommand
from textual.widgets import Input, Static

from casetui.config import DEFAULT_CONFIG_TEXT, Settings, load_settings
from casetui.ui.app import CaseApp
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.caseload import CaseloadScreen
from tests.conftest import VaultFiles
from tests.ui.test_ui_casework import app_for
from tests.ui.test_ui_flows import wait_for

USER_FILE = """\
# My own notes about my settings.
theme = "casetui-dark"  # dark for the evening
checkin_interval_days = 21
home = "today"
idle_lock_minutes = 10
agency_name = "Harbour House"

[keymap]
"caseload.filter" = "slash,ctrl+f"
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings" / "config.toml"
    monkeypatch.setenv("CASETUI_CONFIG", str(path))
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def no_vault_app(tmp_path: Path, settings: Settings, notices: list[str] | None = None) -> CaseApp:
    """The app as started for a vault that does not exist yet (its setup screen)."""
    return CaseApp(tmp_path / "no-vault" / "vault.age", settings=settings, notices=notices)


def settings_workers_done(app: CaseApp) -> bool:
    return not any(w.group == "settings" and not w.is_finished for w in app.workers)


def toasts(app: CaseApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def command(app: CaseApp, title: str) -> SystemCommand:
    found: list[SystemCommand] = [
        c for c in app.get_system_commands(app.screen) if c.title == title
    ]
    assert found, f"no palette command {title!r}"
    return found[0]


# -- the theme ------------------------------------------------------------------------


async def test_a_theme_picked_in_the_app_is_in_config_toml_after_a_restart(
    tmp_path: Path, config: Path
) -> None:
    write(config, USER_FILE)
    settings, notices = load_settings()
    assert notices == []
    app = no_vault_app(tmp_path, settings)
    async with app.run_test() as pilot:
        assert app.theme == "casetui-dark"
        await pilot.pause()
        assert config.read_text() == USER_FILE  # applying the configured theme saves nothing
        app.theme = "casetui-light"  # what the "Change theme" palette command does
        await wait_for(pilot, lambda: 'theme = "casetui-light"' in config.read_text())
        await wait_for(pilot, lambda: settings_workers_done(app))
        assert any("Saved to config.toml" in t for t in toasts(app))

    # A restart: the settings are read again and a new app starts with them.
    settings, notices = load_settings()
    assert notices == []
    assert settings.theme == "casetui-light"
    again = no_vault_app(tmp_path, settings)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "casetui-light"

    # Everything else is as it was: the other settings, the keymap, and the notes.
    assert settings == Settings(
        theme="casetui-light",
        checkin_interval_days=21,
        home="today",
        idle_lock_minutes=10,
        agency_name="Harbour House",
        keymap={"caseload.filter": "slash,ctrl+f"},
    )
    assert config.read_text() == USER_FILE.replace(
        'theme = "casetui-dark"  #', 'theme = "casetui-light"  #'
    )
    assert mode(config) == 0o600


async def test_the_theme_palette_command_saves_the_theme(tmp_path: Path, config: Path) -> None:
    app = no_vault_app(tmp_path, Settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.action_change_theme()
        await wait_for(pilot, lambda: app.screen.query_one(Input) is not None)
        await pilot.press(*"high-contrast")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "casetui-high-contrast")
        await wait_for(pilot, config.is_file)
        await wait_for(pilot, lambda: settings_workers_done(app))
    assert load_settings() == (Settings(theme="casetui-high-contrast"), [])
    # A new file starts from the notes that "casetui config" writes.
    assert config.read_text() == DEFAULT_CONFIG_TEXT.replace(
        'theme = "casetui-dark"', 'theme = "casetui-high-contrast"'
    )
    assert mode(config) == 0o600


@pytest.mark.parametrize(
    "broken",
    [
        'theme = "casetui-dark"\ncheckin_interval_days = \n',  # not TOML
        'theme = "casetui-dark"\nidle_lock_minutes = 999\n',  # a value out of range
        'theme = "casetui-dark"\ncolour = "red"\n',  # a setting casetui does not have
    ],
)
async def test_a_broken_config_is_never_overwritten(
    tmp_path: Path, config: Path, broken: str
) -> None:
    write(config, broken)
    before = config.read_bytes()
    settings, notices = load_settings()
    assert notices
    app = no_vault_app(tmp_path, settings, notices)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.theme = "casetui-light"
        await wait_for(pilot, lambda: any(str(config) in t for t in toasts(app)))
        await wait_for(pilot, lambda: settings_workers_done(app))
        told = [t for t in toasts(app) if str(config) in t]
        assert len(told) == 1
        assert "this session only" in told[0]
        assert told[0].count(". ") == 0 and told[0].endswith(".")  # one sentence
        assert app.theme == "casetui-light"  # it still applies now
        # Another change is not told again at length.
        app.theme = "casetui-high-contrast"
        await pilot.pause(0.3)
        await wait_for(pilot, lambda: settings_workers_done(app))
        assert len([t for t in toasts(app) if str(config) in t]) == 1
    assert config.read_bytes() == before
    assert [p.name for p in config.parent.iterdir()] == ["config.toml"]  # no temp file left


# -- the palette commands -------------------------------------------------------------------


async def test_start_on_today_from_the_palette(vault_files: VaultFiles, config: Path) -> None:
    write(config, USER_FILE.replace('home = "today"', 'home = "caseload"'))
    settings, _ = load_settings()
    app = app_for(vault_files, settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        command(app, "Start on Today").callback()
        assert app.settings.home == "today"  # applies now
        await wait_for(pilot, lambda: 'home = "today"' in config.read_text())
        await wait_for(pilot, lambda: settings_workers_done(app))
        assert "Saved to config.toml: casetui starts on Today." in toasts(app)
        # The palette now offers the way back.
        command(app, "Start on the caseload").callback()
        await wait_for(pilot, lambda: 'home = "caseload"' in config.read_text())
        command(app, "When casetui starts: names hidden").callback()
        await wait_for(pilot, lambda: "mask_clients = true" in config.read_text())
        await wait_for(pilot, lambda: settings_workers_done(app))
        assert app.masked is False  # for the next start, not this session
    settings, notices = load_settings()
    assert notices == []
    assert (settings.home, settings.mask_clients, settings.keymap) == (
        "caseload",
        True,
        {"caseload.filter": "slash,ctrl+f"},
    )
    assert settings.idle_lock_minutes == 10 and settings.agency_name == "Harbour House"


async def _fill_and_save(pilot: Any, app: CaseApp, text: str) -> None:
    box = app.screen.query_one(Input)
    box.value = text
    await pilot.press("ctrl+s")
    await pilot.pause()


@pytest.mark.parametrize(
    ("title", "key", "bad", "good"),
    [
        ("Idle lock after… minutes", "idle_lock_minutes", "241", 0),
        ("Check-in every… days default", "checkin_interval_days", "0", 30),
    ],
)
async def test_a_number_setting_refuses_bad_input_and_saves_a_good_one(
    vault_files: VaultFiles, config: Path, title: str, key: str, bad: str, good: int
) -> None:
    write(config, USER_FILE)
    settings, _ = load_settings()
    app = app_for(vault_files, settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: app.vault is not None and app.screen.is_mounted)
        await pilot.pause()
        command(app, title).callback()
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        for typed in (bad, "soon", "-5"):
            await _fill_and_save(pilot, app, typed)
            assert isinstance(app.screen, FormScreen)  # refused, the form stays open
            problem = str(app.screen.query_one("#form-error", Static).render())
            assert problem.endswith(".") and problem.count(". ") == 0, problem
        assert config.read_text() == USER_FILE
        await _fill_and_save(pilot, app, str(good))
        await wait_for(pilot, lambda: not isinstance(app.screen, FormScreen))
        assert getattr(app.settings, key) == good  # applies now
        await wait_for(pilot, lambda: f"{key} = {good}\n" in config.read_text())
        await wait_for(pilot, lambda: settings_workers_done(app))
        assert any(t.startswith("Saved to config.toml: ") for t in toasts(app))
    settings, notices = load_settings()
    assert notices == []
    assert getattr(settings, key) == good
    assert settings.home == "today" and settings.keymap == {"caseload.filter": "slash,ctrl+f"}
    assert "# My own notes about my settings." in config.read_text()
    assert mode(config) == 0o600


async def test_settings_commands_are_offered_only_while_unlocked(tmp_path: Path) -> None:
    """Nobody at a locked screen may turn the idle lock off."""
    app = no_vault_app(tmp_path, Settings())
    async with app.run_test() as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
    assert "Keys and help" in titles
    assert not titles & {"Start on Today", "Idle lock after… minutes"}


# -- save_changes on its own ------------------------------------------------------------------
# (imported in each test, so that the tests above run, and fail, on code without it)


def test_save_changes_keeps_notes_keymap_and_other_settings(config: Path) -> None:
    from casetui.config import save_changes

    write(config, USER_FILE).chmod(0o644)
    saved = save_changes({"idle_lock_minutes": 0, "mask_clients": True})
    assert load_settings() == (saved, [])
    text = config.read_text()
    assert text.startswith("# My own notes about my settings.\n")
    assert "idle_lock_minutes = 0\n" in text
    # A setting not in the file yet goes above [keymap], where it is top-level.
    assert text.index("mask_clients = true") < text.index("[keymap]")
    assert saved.keymap == {"caseload.filter": "slash,ctrl+f"}
    assert mode(config) == 0o600


def test_save_changes_refuses_a_broken_file_and_names_it(config: Path) -> None:
    from casetui.config import SettingsNotSaved, save_changes

    write(config, "theme = 5\n")
    before = config.read_bytes()
    with pytest.raises(SettingsNotSaved) as caught:
        save_changes({"theme": "casetui-light"})
    assert str(config) in str(caught.value)
    assert "config.toml line 1" in str(caught.value)
    assert config.read_bytes() == before


def test_save_changes_refuses_values_out_of_bounds(config: Path) -> None:
    from casetui.config import save_changes

    write(config, USER_FILE)
    with pytest.raises(ValueError, match="from 0 to 240"):
        save_changes({"idle_lock_minutes": 241})
    with pytest.raises(ValueError):
        save_changes({"keymap": {}})
    assert config.read_text() == USER_FILE


def test_save_changes_writes_through_a_link(tmp_path: Path, config: Path) -> None:
    from casetui.config import save_changes

    real = write(tmp_path / "dotfiles" / "casetui.toml", USER_FILE)
    config.parent.mkdir(parents=True, exist_ok=True)
    config.symlink_to(real)
    save_changes({"theme": "casetui-light"})
    assert config.is_symlink()
    assert 'theme = "casetui-light"' in real.read_text()
