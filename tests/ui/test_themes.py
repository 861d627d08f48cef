"""Themes: the packaged TOML files, user themes, checking, and choosing one."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.app import App
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

from casetui.resources import resource_dir
from casetui.ui.themes import (
    COLOUR_FIELDS,
    DEFAULT_THEME,
    ThemeError,
    choose_theme,
    load_theme_file,
    load_themes,
)

PACKAGED = ("casetui-dark", "casetui-high-contrast", "casetui-light")
GOOD_USER_THEME = """\
name = "ocean"
primary = "#3a7ca5"
background = "#0b1d2a"
foreground = "#e6f0f5"
dark = true

[variables]
"input-selection-background" = "#3a7ca5 35%"
"text-muted" = "auto 70%"
"footer-key-background" = "transparent"
"link-style-hover" = "bold not underline"
"""


@pytest.fixture(autouse=True)
def private_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the real user's themes."""
    folder = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("CASETUI_CONFIG", raising=False)
    return folder


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "user-themes"
    folder.mkdir()
    return folder


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two opaque colours."""

    def luminance(colour: str) -> float:
        parsed = Color.parse(colour)

        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(v) for v in parsed.rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def nearly(first: str, second: str) -> bool:
    a, b = Color.parse(first), Color.parse(second)
    return all(abs(x - y) <= 2 for x, y in zip(a.rgb, b.rgb, strict=True))


# -- the packaged themes ------------------------------------------------------------


def packaged_themes() -> dict[str, Theme]:
    themes, notices = load_themes(user_dir=Path("/nonexistent/casetui-themes"))
    assert notices == []
    return {theme.name: theme for theme in themes}


def test_the_three_packaged_themes_load_default_first() -> None:
    themes, notices = load_themes()
    assert notices == []
    assert sorted(t.name for t in themes) == list(PACKAGED)
    assert themes[0].name == DEFAULT_THEME == "casetui-dark"


@pytest.mark.parametrize("name", PACKAGED)
def test_each_packaged_file_is_named_after_its_theme(name: str) -> None:
    path = resource_dir("themes") / f"{name}.toml"
    theme = load_theme_file(path)
    assert theme.name == name
    data = tomllib.loads(path.read_text())
    for key in COLOUR_FIELDS:
        if key in data:
            assert getattr(theme, key) == data[key]


@pytest.mark.parametrize("name", PACKAGED)
def test_packaged_themes_have_readable_contrast(name: str) -> None:
    theme = packaged_themes()[name]
    assert theme.foreground and theme.background and theme.surface and theme.panel
    strong = 15.0 if name == "casetui-high-contrast" else 7.0
    coloured = 7.0 if name == "casetui-high-contrast" else 4.5
    for ground in (theme.background, theme.surface, theme.panel):
        assert contrast(theme.foreground, ground) >= strong, (name, ground)
        for key in ("primary", "secondary", "accent", "warning", "error", "success"):
            colour = getattr(theme, key)
            assert colour is not None, (name, key)
            assert contrast(colour, ground) >= coloured, (name, key, ground)
    cursor_bg = theme.variables["block-cursor-background"]
    cursor_fg = theme.variables["block-cursor-foreground"]
    assert contrast(cursor_bg, cursor_fg) >= 4.5


def test_the_high_contrast_theme_is_black_white_and_yellow() -> None:
    theme = packaged_themes()["casetui-high-contrast"]
    assert theme.dark is True
    assert Color.parse(theme.background or "") == Color(0, 0, 0)
    assert Color.parse(theme.foreground or "") == Color(255, 255, 255)
    assert Color.parse(theme.primary) == Color(255, 255, 0)
    assert theme.text_alpha == 1.0


def test_light_is_light_and_dark_is_dark() -> None:
    themes = packaged_themes()
    assert themes["casetui-light"].dark is False
    assert themes["casetui-dark"].dark is True


async def test_packaged_themes_register_and_apply_in_an_app() -> None:
    themes = packaged_themes()
    app: App[None] = App()
    for theme in themes.values():
        app.register_theme(theme)
    assert set(themes) <= set(app.available_themes)
    async with app.run_test() as pilot:
        for name, theme in themes.items():
            app.theme = name
            await pilot.pause()
            assert app.current_theme.name == name
            variables = app.get_css_variables()
            # Textual passes colours through Lab space, so allow a step of rounding.
            assert nearly(variables["background"], theme.background or "")
            assert nearly(variables["primary"], theme.primary)
            assert not nearly(variables["primary"], variables["background"])


# -- checking one file --------------------------------------------------------------


def test_a_good_user_theme_loads(tmp_path: Path) -> None:
    theme = load_theme_file(write(tmp_path / "ocean.toml", GOOD_USER_THEME))
    assert theme.name == "ocean"
    assert theme.primary == "#3a7ca5"
    assert theme.secondary is None
    assert theme.variables["text-muted"] == "auto 70%"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param('name = "x"\nprimary = \n', "is not valid TOML", id="bad-toml"),
        pytest.param('primary = "#123456"\n', "has no name", id="no-name"),
        pytest.param('name = " "\nprimary = "#123456"\n', "has no name", id="blank-name"),
        pytest.param('name = "x"\n', "has no primary colour", id="no-primary"),
        pytest.param(
            'name = "x"\nprimary = "#123456"\nbackground = "blu"\n',
            "background colour casetui cannot read, 'blu'",
            id="bad-colour-name",
        ),
        pytest.param(
            'name = "x"\nprimary = "#12345g"\n', "primary colour casetui cannot read", id="bad-hex"
        ),
        pytest.param(
            'name = "x"\nprimary = 123456\n', "colours go in quotes", id="colour-not-text"
        ),
        pytest.param(
            'name = "x"\nprimary = "#123456"\nbackgroud = "#000000"\n',
            "did you mean 'background'?",
            id="unknown-key",
        ),
        pytest.param(
            'name = "x"\nprimary = "#123456"\ndark = "yes"\n', "true or false", id="dark-not-bool"
        ),
        pytest.param(
            'name = "x"\nprimary = "#123456"\ntext_alpha = 2\n',
            "from 0 to 1",
            id="alpha-out-of-range",
        ),
        pytest.param(
            'name = "x"\nprimary = "#123456"\nvariables = "border"\n',
            "not a [variables] section",
            id="variables-not-table",
        ),
        pytest.param(
            'name = "x"\nprimary = "#123456"\n[variables]\nborder = "bleu 20%"\n',
            "'border' set to 'bleu 20%', not a colour",
            id="variable-bad-colour",
        ),
        pytest.param(
            'name = "x"\nprimary = "#123456"\n[variables]\n"block-cursor-text-style" = "loud"\n',
            "not a text style",
            id="variable-bad-style",
        ),
        pytest.param(
            'name = "x"\nprimary = "#123456"\n[variables]\nborder = 3\n',
            "which is not text",
            id="variable-not-text",
        ),
    ],
)
def test_broken_theme_files_fail_at_load_with_a_sentence(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = write(tmp_path / "broken.toml", text)
    with pytest.raises(ThemeError) as caught:
        load_theme_file(path)
    message = caught.value.message
    assert message.startswith("The theme file broken.toml "), message
    assert fragment in message, message
    assert message.endswith(".")
    assert caught.value.path == path


def test_a_theme_file_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\x00\xff\xfe")
    with pytest.raises(ThemeError, match="not UTF-8"):
        load_theme_file(path)


# -- user themes --------------------------------------------------------------------


def test_user_themes_come_after_the_packaged_ones(user_dir: Path) -> None:
    write(user_dir / "ocean.toml", GOOD_USER_THEME)
    write(user_dir / ".hidden.toml", "this is not toml")  # editors' temp files are ignored
    write(user_dir / "notes.txt", "not a theme")
    themes, notices = load_themes(user_dir=user_dir)
    assert notices == []
    assert [t.name for t in themes][-1] == "ocean"
    assert len(themes) == 4


def test_user_themes_are_found_in_the_config_folder(private_config_home: Path) -> None:
    folder = private_config_home / "casetui" / "themes"
    folder.mkdir(parents=True)
    write(folder / "ocean.toml", GOOD_USER_THEME)
    themes, notices = load_themes()
    assert notices == []
    assert "ocean" in {t.name for t in themes}


def test_a_broken_user_theme_is_skipped_with_a_notice(user_dir: Path) -> None:
    broken = write(user_dir / "sunset.toml", 'name = "sunset"\nprimary = "orangey"\n')
    write(user_dir / "ocean.toml", GOOD_USER_THEME)
    themes, notices = load_themes(user_dir=user_dir)
    names = {t.name for t in themes}
    assert "sunset" not in names
    assert {"ocean", *PACKAGED} == names
    assert len(notices) == 1
    assert str(broken) in notices[0]
    assert "'orangey'" in notices[0]
    assert "skipped" in notices[0]
    # And the app falls back from the broken theme to the default.
    chosen, notice = choose_theme("sunset", names)
    assert chosen == DEFAULT_THEME
    assert notice is not None


@pytest.mark.parametrize("taken", ["casetui-dark", "nord"])
def test_a_user_theme_cannot_replace_a_built_in_one(user_dir: Path, taken: str) -> None:
    assert taken in PACKAGED or taken in BUILTIN_THEMES
    impostor = write(user_dir / "mine.toml", f'name = "{taken}"\nprimary = "#ff00ff"\n')
    themes, notices = load_themes(user_dir=user_dir)
    assert len(notices) == 1
    assert str(impostor) in notices[0]
    assert "built-in one was kept" in notices[0]
    assert all(t.primary != "#ff00ff" for t in themes)
    if taken == "casetui-dark":
        assert [t.name for t in themes].count("casetui-dark") == 1


def test_two_user_themes_with_one_name_keep_the_first(user_dir: Path) -> None:
    write(user_dir / "a.toml", GOOD_USER_THEME)
    write(user_dir / "b.toml", GOOD_USER_THEME.replace("#3a7ca5", "#aa0000"))
    themes, notices = load_themes(user_dir=user_dir)
    oceans = [t for t in themes if t.name == "ocean"]
    assert len(oceans) == 1
    assert oceans[0].primary == "#3a7ca5"
    assert len(notices) == 1
    assert "a.toml and b.toml" in notices[0]


def test_a_broken_packaged_theme_gives_a_notice_not_a_crash(tmp_path: Path) -> None:
    packaged = tmp_path / "packaged"
    packaged.mkdir()
    write(packaged / "casetui-dark.toml", 'name = "casetui-dark"\nprimary = "nope"\n')
    themes, notices = load_themes(packaged_dir=packaged, user_dir=tmp_path / "none")
    assert themes == []
    assert len(notices) == 1
    assert "casetui-dark.toml" in notices[0]


# -- choosing -----------------------------------------------------------------------


def test_choose_an_available_theme() -> None:
    assert choose_theme("casetui-light", set(PACKAGED)) == ("casetui-light", None)


def test_an_unknown_theme_falls_back_to_the_default() -> None:
    assert choose_theme("x", set(PACKAGED)) == (
        "casetui-dark",
        "The theme 'x' was not found, so casetui is using casetui-dark.",
    )


def test_without_casetui_themes_textuals_own_default_is_used() -> None:
    chosen, notice = choose_theme("casetui-dark", set(BUILTIN_THEMES))
    assert chosen == "textual-dark"
    assert chosen in BUILTIN_THEMES
    assert notice is not None
    assert "textual-dark" in notice


def test_the_configured_theme_is_chosen_end_to_end(
    private_config_home: Path, user_dir: Path
) -> None:
    from casetui.config import config_path, load_settings

    config_path().parent.mkdir(parents=True)
    config_path().write_text('theme = "ocean"\n')
    write(user_dir / "ocean.toml", GOOD_USER_THEME)
    settings, notices = load_settings()
    themes, theme_notices = load_themes(user_dir=user_dir)
    assert notices == theme_notices == []
    assert choose_theme(settings.theme, {t.name for t in themes}) == ("ocean", None)
