"""Settings in config.toml: paths, defaults, forgiving loading, private writes, the CLI."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from casetui.config import (
    DEFAULT_CONFIG_TEXT,
    DEFAULT_HIDE_KEY_QUITS,
    DEFAULT_IDLE_LOCK_MINUTES,
    DEFAULT_STALLED_DAYS,
    HOME_SCREENS,
    MAX_IDLE_LOCK_MINUTES,
    MIN_IDLE_LOCK_MINUTES,
    Settings,
    config_dir,
    config_path,
    load_settings,
    save_settings,
    user_themes_dir,
    write_defaults,
)
from tests.conftest import run_casetui

FIX = "fix it or delete the file to get the defaults."
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="XDG folders are a Linux convention"
)


@pytest.fixture(autouse=True)
def private_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the real user's settings."""
    folder = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("CASETUI_CONFIG", raising=False)
    return folder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- paths --------------------------------------------------------------------------


@linux_only
def test_paths_follow_xdg_config_home(private_config_home: Path) -> None:
    assert config_dir() == private_config_home / "casetui"
    assert config_path() == private_config_home / "casetui" / "config.toml"
    assert user_themes_dir() == private_config_home / "casetui" / "themes"


def test_casetui_config_env_overrides_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASETUI_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert config_path() == tmp_path / "elsewhere.toml"
    monkeypatch.setenv("CASETUI_CONFIG", "")
    assert config_path() == config_dir() / "config.toml"


# -- defaults -----------------------------------------------------------------------


def test_defaults() -> None:
    settings = Settings()
    assert settings.theme == "casetui-dark"
    assert settings.checkin_interval_days == 14
    assert settings.home == "caseload"
    assert settings.stalled_after_days == 14
    assert settings.confirm_safety_plan is True
    assert settings.idle_lock_minutes == 5
    assert settings.hide_key_quits is False
    assert settings.keymap == {}
    assert Settings().keymap is not settings.keymap  # no shared mutable default


def test_a_missing_file_gives_defaults_and_no_notices(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nope.toml") == (Settings(), [])
    assert load_settings() == (Settings(), [])  # the default path, which does not exist


def test_the_default_text_loads_as_the_defaults_without_notices(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", DEFAULT_CONFIG_TEXT)
    assert load_settings(path) == (Settings(), [])
    for line in (
        'home = "caseload"',
        "stalled_after_days = 14",
        "confirm_safety_plan = true",
        "idle_lock_minutes = 5",
        "hide_key_quits = false",
    ):
        assert f"\n{line}\n" in DEFAULT_CONFIG_TEXT
    assert '# "caseload.filter" = "slash,ctrl+f"' in DEFAULT_CONFIG_TEXT
    assert "\n[keymap]\n" in DEFAULT_CONFIG_TEXT


def test_the_commented_keymap_example_is_valid_once_uncommented(tmp_path: Path) -> None:
    text = DEFAULT_CONFIG_TEXT.replace('# "caseload.filter"', '"caseload.filter"')
    settings, notices = load_settings(write(tmp_path / "config.toml", text))
    assert notices == []
    assert settings.keymap == {"caseload.filter": "slash,ctrl+f"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"checkin_interval_days": 0},
        {"checkin_interval_days": 366},
        {"checkin_interval_days": True},
        {"theme": "  "},
        {"home": "todya"},
        {"home": "Today"},
        {"stalled_after_days": 0},
        {"stalled_after_days": 366},
        {"stalled_after_days": 14.0},
        {"stalled_after_days": False},
        {"confirm_safety_plan": "true"},
        {"confirm_safety_plan": 1},
        {"confirm_safety_plan": None},
        {"idle_lock_minutes": -1},
        {"idle_lock_minutes": 241},
        {"idle_lock_minutes": 5.0},
        {"idle_lock_minutes": True},
        {"idle_lock_minutes": "5"},
        {"hide_key_quits": "false"},
        {"hide_key_quits": 0},
        {"hide_key_quits": None},
    ],
)
def test_settings_refuse_invalid_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Settings(**kwargs)  # type: ignore[arg-type]


def test_settings_keep_their_own_copy_of_the_keymap() -> None:
    keymap = {"caseload.filter": "slash"}
    settings = Settings(keymap=keymap)
    keymap["caseload.filter"] = "x"
    assert settings.keymap == {"caseload.filter": "slash"}
    assert hash(settings) == hash(Settings(keymap={"other": "y"}))  # hashable despite the dict


# -- loading good files -------------------------------------------------------------


def test_a_good_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        'theme = "casetui-light"\ncheckin_interval_days = 30\n\n'
        '[keymap]\n"caseload.filter" = " slash , ctrl+f "\n"app.quit" = "ctrl+q"\n',
    )
    settings, notices = load_settings(path)
    assert notices == []
    assert settings == Settings(
        theme="casetui-light",
        checkin_interval_days=30,
        keymap={"caseload.filter": "slash,ctrl+f", "app.quit": "ctrl+q"},
    )


@pytest.mark.parametrize("days", [1, 365])
def test_the_interval_limits_are_allowed(tmp_path: Path, days: int) -> None:
    path = write(tmp_path / "config.toml", f"checkin_interval_days = {days}\n")
    assert load_settings(path) == (Settings(checkin_interval_days=days), [])


def test_home_screens_are_caseload_then_today() -> None:
    assert HOME_SCREENS == ("caseload", "today")
    assert Settings().home == HOME_SCREENS[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("caseload", "caseload"), ("today", "today"), (" Today ", "today"), ("CASELOAD", "caseload")],
)
def test_home_is_read(tmp_path: Path, value: str, expected: str) -> None:
    path = write(tmp_path / "config.toml", f'home = "{value}"\n')
    assert load_settings(path) == (Settings(home=expected), [])


@pytest.mark.parametrize("days", [1, 7, 365])
def test_the_stalled_limits_are_allowed(tmp_path: Path, days: int) -> None:
    path = write(tmp_path / "config.toml", f"stalled_after_days = {days}\n")
    assert load_settings(path) == (Settings(stalled_after_days=days), [])


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("false", False)])
def test_confirm_safety_plan_takes_toml_booleans(tmp_path: Path, text: str, expected: bool) -> None:
    path = write(tmp_path / "config.toml", f"confirm_safety_plan = {text}\n")
    settings, notices = load_settings(path)
    assert notices == []
    assert settings.confirm_safety_plan is expected
    assert settings == Settings(confirm_safety_plan=expected)


def test_the_idle_lock_limits_and_defaults() -> None:
    assert (MIN_IDLE_LOCK_MINUTES, DEFAULT_IDLE_LOCK_MINUTES, MAX_IDLE_LOCK_MINUTES) == (0, 5, 240)
    assert DEFAULT_HIDE_KEY_QUITS is False


@pytest.mark.parametrize("minutes", [0, 1, 5, 240])
def test_the_idle_lock_limits_are_allowed(tmp_path: Path, minutes: int) -> None:
    path = write(tmp_path / "config.toml", f"idle_lock_minutes = {minutes}\n")
    assert load_settings(path) == (Settings(idle_lock_minutes=minutes), [])


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("false", False)])
def test_hide_key_quits_takes_toml_booleans(tmp_path: Path, text: str, expected: bool) -> None:
    path = write(tmp_path / "config.toml", f"hide_key_quits = {text}\n")
    settings, notices = load_settings(path)
    assert notices == []
    assert settings.hide_key_quits is expected
    assert settings == Settings(hide_key_quits=expected)


def test_the_stalled_default_agrees_with_today() -> None:
    from casetui.core.today import DEFAULT_STALLED_AFTER_DAYS

    assert DEFAULT_STALLED_DAYS == DEFAULT_STALLED_AFTER_DAYS
    assert Settings().stalled_after_days == DEFAULT_STALLED_AFTER_DAYS


def test_loading_settings_does_not_import_the_core() -> None:
    """Only the default numbers (a module of constants) come from the core."""
    code = (
        "import sys\n"
        "from casetui.config import load_settings\n"
        "load_settings()\n"
        "light = {'casetui.core', 'casetui.core.policy'}\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('casetui.core', 'textual')))\n"
        "assert set(loaded) <= light, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# -- loading broken files -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragments", "expected"),
    [
        pytest.param(
            'theme = "casetui-light"\ncheckin_interval_days = \n',
            ["config.toml line 2:", "not valid TOML", "invalid value"],
            Settings(),
            id="bad-toml-means-all-defaults",
        ),
        pytest.param(
            'theme = "casetui-light"\ntheme = "casetui-dark"\n',
            ["config.toml line 2:", "not valid TOML"],
            Settings(),
            id="duplicate-key",
        ),
        pytest.param(
            "checkin_interval_days = 30\ntheme = 5\n",
            ["config.toml line 2:", "theme should be a theme's name", "not 5"],
            Settings(checkin_interval_days=30),
            id="theme-not-text",
        ),
        pytest.param(
            'theme = ""\n',
            ["config.toml line 1:", "theme should be"],
            Settings(),
            id="theme-empty",
        ),
        pytest.param(
            'theme = "casetui-light"\n\ncheckin_interval_days = 0\n',
            ["config.toml line 3:", "from 1 to 365", "not 0", "using 14"],
            Settings(theme="casetui-light"),
            id="days-too-few",
        ),
        pytest.param(
            "checkin_interval_days = 400\n",
            ["line 1:", "from 1 to 365", "not 400"],
            Settings(),
            id="days-too-many",
        ),
        pytest.param(
            'checkin_interval_days = "14"\n',
            ["line 1:", "whole number", "not '14'"],
            Settings(),
            id="days-as-text",
        ),
        pytest.param(
            "checkin_interval_days = 14.5\n",
            ["line 1:", "whole number", "not 14.5"],
            Settings(),
            id="days-fraction",
        ),
        pytest.param(
            "checkin_interval_days = true\n",
            ["line 1:", "whole number", "not true"],
            Settings(),
            id="days-boolean",
        ),
        pytest.param(
            'keymap = "slash"\n',
            ["line 1:", "keymap should be a section", "[keymap]"],
            Settings(),
            id="keymap-not-a-table",
        ),
        pytest.param(
            '[keymap]\n"app.quit" = "ctrl+q"\n"caseload.filter" = 5\n',
            ["config.toml line 3:", "'caseload.filter'", "not 5", "usual keys"],
            Settings(keymap={"app.quit": "ctrl+q"}),
            id="keymap-entry-not-text",
        ),
        pytest.param(
            '[keymap]\n"caseload.filter" = "slash,,ctrl+f"\n',
            ["line 2:", "'caseload.filter'", "separated by commas"],
            Settings(),
            id="keymap-entry-empty-key",
        ),
        pytest.param(
            '[keymap]\n"caseload.filter" = "ctrl f"\n',
            ["line 2:", "'caseload.filter'"],
            Settings(),
            id="keymap-entry-space-in-key",
        ),
        pytest.param(
            'theme = "casetui-light"\ncheckin_interval_days = 30\n\nhome = "todya"\n',
            [
                'config.toml line 4: home should be "caseload" or "today", not "todya", '
                'so casetui is using "caseload" — '
            ],
            Settings(theme="casetui-light", checkin_interval_days=30),
            id="home-misspelt",
        ),
        pytest.param(
            'home = ""\n',
            ["line 1:", 'home should be "caseload" or "today"', 'not ""'],
            Settings(),
            id="home-empty",
        ),
        pytest.param(
            "home = 2\n",
            ["line 1:", 'home should be "caseload" or "today"', "not 2", 'using "caseload"'],
            Settings(),
            id="home-number",
        ),
        pytest.param(
            'home = ["today"]\n',
            ["line 1:", "home should be", "not a list"],
            Settings(),
            id="home-list",
        ),
        pytest.param(
            "home = true\n",
            ["line 1:", "home should be", "not true"],
            Settings(),
            id="home-boolean",
        ),
        pytest.param(
            'home = "today"\nstalled_after_days = 0\n',
            ["config.toml line 2:", "stalled_after_days", "from 1 to 365", "not 0", "using 14"],
            Settings(home="today"),
            id="stalled-too-few",
        ),
        pytest.param(
            "stalled_after_days = 366\n",
            ["line 1:", "from 1 to 365", "not 366"],
            Settings(),
            id="stalled-too-many",
        ),
        pytest.param(
            "stalled_after_days = -5\n",
            ["line 1:", "from 1 to 365", "not -5"],
            Settings(),
            id="stalled-negative",
        ),
        pytest.param(
            'stalled_after_days = "14"\n',
            ["line 1:", "whole number", "not '14'"],
            Settings(),
            id="stalled-as-text",
        ),
        pytest.param(
            "stalled_after_days = 7.5\n",
            ["line 1:", "whole number", "not 7.5"],
            Settings(),
            id="stalled-fraction",
        ),
        pytest.param(
            "stalled_after_days = true\n",
            ["line 1:", "whole number", "not true"],
            Settings(),
            id="stalled-boolean",
        ),
        pytest.param(
            'confirm_safety_plan = "true"\n',
            [
                "line 1:",
                "confirm_safety_plan should be true or false",
                "without quotes",
                "not 'true'",
                "using true",
            ],
            Settings(),
            id="confirm-string-true",
        ),
        pytest.param(
            "stalled_after_days = 30\nconfirm_safety_plan = 'false'\n",
            ["config.toml line 2:", "not 'false'", "using true"],
            Settings(stalled_after_days=30),
            id="confirm-string-false",
        ),
        pytest.param(
            "confirm_safety_plan = 0\n",
            ["line 1:", "true or false", "not 0"],
            Settings(),
            id="confirm-number",
        ),
        pytest.param(
            'confirm_safety_plan = "no"\n',
            ["line 1:", "true or false", "not 'no'"],
            Settings(),
            id="confirm-word",
        ),
        pytest.param(
            'home = "today"\nidle_lock_minutes = -1\n',
            [
                "config.toml line 2:",
                "idle_lock_minutes should be a whole number of minutes from 0 to 240",
                "not -1",
                "using 5",
            ],
            Settings(home="today"),
            id="idle-negative",
        ),
        pytest.param(
            "idle_lock_minutes = 241\n",
            ["line 1:", "from 0 to 240", "not 241", "using 5"],
            Settings(),
            id="idle-too-many",
        ),
        pytest.param(
            'idle_lock_minutes = "5"\n',
            ["line 1:", "whole number", "not '5'"],
            Settings(),
            id="idle-as-text",
        ),
        pytest.param(
            "idle_lock_minutes = 2.5\n",
            ["line 1:", "whole number", "not 2.5"],
            Settings(),
            id="idle-fraction",
        ),
        pytest.param(
            "idle_lock_minutes = false\n",
            ["line 1:", "whole number", "not false"],
            Settings(),
            id="idle-boolean",
        ),
        pytest.param(
            "idle_lock_minutes = [5]\n",
            ["line 1:", "whole number", "not a list"],
            Settings(),
            id="idle-list",
        ),
        pytest.param(
            'hide_key_quits = "true"\n',
            [
                "line 1:",
                "hide_key_quits should be true or false",
                "without quotes",
                "not 'true'",
                "using false",
            ],
            Settings(),
            id="hide-string-true",
        ),
        pytest.param(
            "idle_lock_minutes = 0\nhide_key_quits = 'false'\n",
            ["config.toml line 2:", "not 'false'", "using false"],
            Settings(idle_lock_minutes=0),
            id="hide-string-false",
        ),
        pytest.param(
            "hide_key_quits = 1\n",
            ["line 1:", "true or false", "not 1"],
            Settings(),
            id="hide-number",
        ),
        pytest.param(
            'hide_key_quits = "yes"\n',
            ["line 1:", "true or false", "not 'yes'"],
            Settings(),
            id="hide-word",
        ),
        pytest.param(
            "idle_lock_minute = 10\n",
            [
                "line 1:",
                "no setting called 'idle_lock_minute'",
                "did you mean 'idle_lock_minutes'?",
            ],
            Settings(),
            id="unknown-key-suggests-idle",
        ),
        pytest.param(
            "hide_key_quit = true\n",
            ["line 1:", "did you mean 'hide_key_quits'?"],
            Settings(),
            id="unknown-key-suggests-hide",
        ),
        pytest.param(
            "stalled_days = 10\n",
            ["line 1:", "no setting called 'stalled_days'", "did you mean 'stalled_after_days'?"],
            Settings(),
            id="unknown-key-suggests-stalled",
        ),
        pytest.param(
            "confirm_safetyplan = false\n",
            ["line 1:", "did you mean 'confirm_safety_plan'?"],
            Settings(),
            id="unknown-key-suggests-confirm",
        ),
        pytest.param(
            'hom = "today"\n',
            ["line 1:", "did you mean 'home'?"],
            Settings(),
            id="unknown-key-suggests-home",
        ),
        pytest.param(
            'them = "casetui-light"\n',
            ["line 1:", "no setting called 'them'", "did you mean 'theme'?", "ignored"],
            Settings(),
            id="unknown-key-with-suggestion",
        ),
        pytest.param(
            'theme = "casetui-light"\n\n[colours]\nx = 1\n',
            ["line 3:", "no setting called 'colours'"],
            Settings(theme="casetui-light"),
            id="unknown-section",
        ),
    ],
)
def test_each_problem_gives_one_notice_and_defaults_for_the_bad_part(
    tmp_path: Path, text: str, fragments: list[str], expected: Settings
) -> None:
    settings, notices = load_settings(write(tmp_path / "config.toml", text))
    assert settings == expected
    assert len(notices) == 1, notices
    notice = notices[0]
    for fragment in fragments:
        assert fragment in notice, notice
    assert notice.endswith(FIX), notice
    assert "\n" not in notice


def test_several_problems_give_several_notices(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        'theme = 1\ncheckin_interval_days = -3\ncolour = "red"\n[keymap]\n"a.b" = 2\n',
    )
    settings, notices = load_settings(path)
    assert settings == Settings()
    assert len(notices) == 4
    assert [n.split(":")[0] for n in notices] == [
        "config.toml line 1",
        "config.toml line 2",
        "config.toml line 5",
        "config.toml line 3",
    ]


def test_bad_new_settings_each_give_a_notice_and_keep_the_good_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        'theme = "casetui-light"\nhome = "inbox"\nstalled_after_days = 0\n'
        'confirm_safety_plan = "yes"\ncheckin_interval_days = 30\n',
    )
    settings, notices = load_settings(path)
    assert settings == Settings(theme="casetui-light", checkin_interval_days=30)
    assert [n.split(":")[0] for n in notices] == [
        "config.toml line 2",
        "config.toml line 3",
        "config.toml line 4",
    ]


def test_bad_lock_settings_each_give_a_notice_and_keep_the_good_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        'theme = "casetui-light"\nidle_lock_minutes = 999\nhide_key_quits = "no"\n'
        "stalled_after_days = 30\n",
    )
    settings, notices = load_settings(path)
    assert settings == Settings(theme="casetui-light", stalled_after_days=30)
    assert [n.split(":")[0] for n in notices] == ["config.toml line 2", "config.toml line 3"]


def test_a_long_home_value_is_shortened_in_the_notice(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", f'home = "{"x" * 200}"\n')
    settings, notices = load_settings(path)
    assert settings == Settings()
    assert len(notices) == 1
    assert "x" * 200 not in notices[0]
    assert "…" in notices[0]


def test_a_long_value_is_shortened_in_the_notice(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", f"checkin_interval_days = {'9' * 200}\n")
    _settings, notices = load_settings(path)
    assert len(notices) == 1
    assert "9" * 200 not in notices[0]
    assert "…" in notices[0]


def test_a_file_that_is_not_text_gives_defaults_and_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff\xfe"\n')
    settings, notices = load_settings(path)
    assert settings == Settings()
    assert len(notices) == 1
    assert "not UTF-8" in notices[0]


def test_a_folder_in_place_of_the_file_gives_defaults_and_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()
    settings, notices = load_settings(path)
    assert settings == Settings()
    assert len(notices) == 1
    assert str(path) in notices[0]
    assert "it is a folder" in notices[0]


# -- writing ------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "config.toml"
    settings = Settings(
        theme="my-own theme",
        checkin_interval_days=365,
        home="today",
        stalled_after_days=1,
        confirm_safety_plan=False,
        idle_lock_minutes=240,
        hide_key_quits=True,
        keymap={"caseload.filter": "slash,ctrl+f", 'odd "id"': "f2"},
    )
    save_settings(settings, path)
    assert load_settings(path) == (settings, [])
    text = path.read_text()
    assert 'home = "today"' in text
    assert "stalled_after_days = 1\n" in text
    assert "confirm_safety_plan = false\n" in text  # a TOML boolean, not a string
    assert "idle_lock_minutes = 240\n" in text
    assert "hide_key_quits = true\n" in text  # a TOML boolean, not a string
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert path.read_text().startswith("# casetui settings")


def test_save_replaces_the_file_and_keeps_it_private(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "theme = 'old'\n")
    path.chmod(0o644)
    save_settings(Settings(theme="casetui-high-contrast"), path)
    assert load_settings(path) == (Settings(theme="casetui-high-contrast"), [])
    assert mode(path) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name != "config.toml"]  # no temp left


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        Settings(home="caseload", stalled_after_days=365, confirm_safety_plan=True),
        Settings(home="today", stalled_after_days=7, confirm_safety_plan=False),
        Settings(idle_lock_minutes=0, hide_key_quits=True),
        Settings(idle_lock_minutes=240, hide_key_quits=False),
        Settings(idle_lock_minutes=1, hide_key_quits=True, confirm_safety_plan=False),
    ],
)
def test_the_new_settings_round_trip(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "config.toml"
    save_settings(settings, path)
    assert load_settings(path) == (settings, [])


def test_save_defaults_to_the_config_path() -> None:
    save_settings(Settings(checkin_interval_days=7))
    assert load_settings() == (Settings(checkin_interval_days=7), [])
    assert config_path().is_file()


def test_write_defaults_writes_once_privately(tmp_path: Path) -> None:
    path = tmp_path / "new" / "casetui" / "config.toml"
    assert write_defaults(path) is True
    assert path.read_text() == DEFAULT_CONFIG_TEXT
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    path.write_text('theme = "casetui-light"\n')
    assert write_defaults(path) is False
    assert path.read_text() == 'theme = "casetui-light"\n'


def test_write_defaults_uses_the_config_path() -> None:
    assert write_defaults() is True
    assert config_path().read_text() == DEFAULT_CONFIG_TEXT


# -- casetui config -----------------------------------------------------------------


def test_casetui_config_writes_the_defaults_under_xdg_config_home(home: Path) -> None:
    expected = home / "config" / "casetui" / "config.toml"
    first = run_casetui("config", home=home)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"Wrote the default settings to {expected}."
    assert first.stderr == ""
    assert expected.read_text() == DEFAULT_CONFIG_TEXT
    assert mode(expected) == 0o600
    assert mode(expected.parent) == 0o700

    expected.write_text(DEFAULT_CONFIG_TEXT.replace("= 14", "= 21"))
    second = run_casetui("config", home=home)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"Your settings are in {expected}."
    assert "= 21" in expected.read_text()  # left alone


def test_casetui_config_lists_problems_in_the_file(home: Path) -> None:
    path = home / "config" / "casetui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("checkin_interval_days = 0\nthme = 'x'\n")
    result = run_casetui("config", home=home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"Your settings are in {path}."
    assert len(lines) == 3
    assert lines[1].startswith("  Note: config.toml line 1:")
    assert "did you mean 'theme'?" in lines[2]


def test_casetui_config_honours_casetui_config(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "custom" / "settings.toml"
    result = run_casetui("config", home=home, env={"CASETUI_CONFIG": str(target)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote the default settings to {target}."
    assert target.read_text() == DEFAULT_CONFIG_TEXT
    assert not (home / "config" / "casetui" / "config.toml").exists()


def test_casetui_config_help(home: Path) -> None:
    result = run_casetui("config", "--help", home=home)
    assert result.returncode == 0
    assert "usage: casetui config" in result.stdout
    assert "CASETUI_CONFIG" in result.stdout
    listing = run_casetui("--help", home=home)
    assert "config" in listing.stdout
    assert "show where your settings are kept" in listing.stdout


def test_report_and_goal_sheet_settings_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        "reassess_after_days = 60\nsmall_cell_threshold = 11\n"
        'agency_name = "Harbourlight Advocacy \\u001b]0;x\\u0007Centre"\n'
        'agency_contact = "555-0142, weekdays 9 to 5"\n',
    )
    settings, notices = load_settings(path)
    assert notices == []
    assert (settings.reassess_after_days, settings.small_cell_threshold) == (60, 11)
    assert settings.agency_name == "Harbourlight Advocacy Centre"  # the escape is stripped
    assert settings.agency_contact == "555-0142, weekdays 9 to 5"


def test_bad_report_settings_each_give_a_notice_and_fall_back(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        "reassess_after_days = 1\nsmall_cell_threshold = 1\nagency_name = 5\n"
        f'agency_contact = "{"x" * 300}"\n',
    )
    settings, notices = load_settings(path)
    assert (settings.reassess_after_days, settings.small_cell_threshold) == (90, 5)
    assert (settings.agency_name, settings.agency_contact) == ("", "")
    assert [n.split(":")[0] for n in notices] == [f"config.toml line {n}" for n in (1, 2, 3, 4)]
    with pytest.raises(ValueError, match="small_cell_threshold"):
        Settings(small_cell_threshold=100)
