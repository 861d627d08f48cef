"""casetui's colour themes: the packaged ones and the user's own.

A theme is a TOML file holding the keyword arguments of
:class:`textual.theme.Theme` (``name``, ``primary``, ``background``, ...,
``dark``, and a ``[variables]`` table). Every colour is checked when the file is
loaded, so a broken theme is reported once, in a sentence, and never fails
later while the screen is being drawn.

The packaged themes live in ``resource_dir("themes")``; the user may add more
in :func:`casetui.config.locations.user_themes_dir`. A user theme can neither replace a
packaged theme nor one of Textual's own: if the names clash, the built-in one
is kept and a notice says so.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import BUILTIN_THEMES, Theme

from casetui.config.locations import user_themes_dir
from casetui.config.settings import DEFAULT_THEME_NAME
from casetui.resources import resource_dir

DEFAULT_THEME = DEFAULT_THEME_NAME
LAST_RESORT_THEME = "textual-dark"
"""Used only if casetui's own default theme is missing from the installation."""

COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
_KNOWN_KEYS = ("name", *COLOUR_FIELDS, "dark", "luminosity_spread", "text_alpha", "variables")
_MAX_NAME_LENGTH = 64
_MAX_FILE_BYTES = 256 * 1024
_VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_PERCENT = re.compile(r"^(?:100|\d{1,2})(?:\.\d+)?%$")
_CSS_COLOUR_KEYWORDS = {"transparent", "initial", "auto"}


class ThemeError(Exception):
    """A theme file that cannot be used; ``message`` is one sentence naming the file."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        self.message = f"The theme file {path.name} {problem}."
        super().__init__(self.message)


# -- one file -----------------------------------------------------------------------


def load_theme_file(path: Path) -> Theme:
    """Read and check one theme file; raises :class:`ThemeError` if it is unusable."""
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise ThemeError(path, "is too large to be a theme")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ThemeError(path, "is not a text file (it is not UTF-8)") from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise ThemeError(path, f"could not be read ({reason})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(path, f"is not valid TOML: {_toml_detail(exc)}") from None
    return _theme_from(path, data)


def _toml_detail(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    return message[:1].lower() + message[1:]


def _theme_from(path: Path, data: dict[str, Any]) -> Theme:
    for key in data:
        if key not in _KNOWN_KEYS:
            close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ThemeError(path, f"has a setting casetui does not know, {key!r}{hint}")

    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(path, 'has no name; add a line like name = "my-theme"')
    name = name.strip()
    if len(name) > _MAX_NAME_LENGTH or any(not ch.isprintable() for ch in name):
        raise ThemeError(path, f"has a name that is too long or holds odd characters: {name!r}")

    if "primary" not in data:
        raise ThemeError(path, 'has no primary colour; add a line like primary = "#7ab8b0"')
    colours: dict[str, str] = {}
    for key in COLOUR_FIELDS:
        if key in data:
            colours[key] = _check_colour(path, key, data[key])

    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(path, "says dark = something other than true or false")
    spread = _check_fraction(path, "luminosity_spread", data.get("luminosity_spread", 0.15))
    alpha = _check_fraction(path, "text_alpha", data.get("text_alpha", 0.95))
    variables = _check_variables(path, data.get("variables", {}))

    theme = Theme(
        name=name,
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        accent=colours.get("accent"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
        dark=dark,
        luminosity_spread=spread,
        text_alpha=alpha,
        variables=variables,
    )
    try:
        # Textual derives its shades here; any surprise shows now, not mid-draw.
        theme.to_color_system().generate()
    except (ColorParseError, ValueError, TypeError) as exc:
        raise ThemeError(path, f"has colours Textual cannot use ({exc})") from None
    return theme


def _check_colour(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeError(path, f'has {key} set to {value!r}; colours go in quotes, like "#7ab8b0"')
    try:
        Color.parse(value.strip())
    except ColorParseError:
        raise ThemeError(
            path,
            f'has a {key} colour casetui cannot read, {value!r}; use a form like "#7ab8b0"',
        ) from None
    return value.strip()


def _check_fraction(path: Path, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ThemeError(path, f"has {key} = {value!r}; it must be a number from 0 to 1")
    return float(value)


def _check_variables(path: Path, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ThemeError(path, "has variables that are not a [variables] section")
    checked: dict[str, str] = {}
    for key, raw in value.items():
        if not _VARIABLE_NAME.match(key):
            raise ThemeError(path, f"has a variable with an odd name, {key!r}")
        if not isinstance(raw, str) or not raw.strip():
            raise ThemeError(path, f"has the variable {key!r} set to {raw!r}, which is not text")
        text = raw.strip()
        is_style = "style" in key.split("-")  # link-style-hover, block-cursor-text-style
        if not (_is_text_style(text) if is_style else _is_css_colour(text)):
            kind = "text style" if is_style else "colour"
            raise ThemeError(path, f"has the variable {key!r} set to {raw!r}, not a {kind}")
        checked[key] = text
    return checked


def _is_text_style(text: str) -> bool:
    """``"bold"``, ``"b reverse"``, ``"bold not underline"``, ``"none"`` ..."""
    return all(word in VALID_STYLE_FLAGS for word in text.lower().split())


def _is_css_colour(text: str) -> bool:
    """``"#7ab8b0"``, ``"#7ab8b0 35%"``, ``"auto 87%"``, ``"transparent"`` ..."""
    words = text.split()
    if len(words) == 2 and _PERCENT.match(words[1]):
        words = words[:1]
    if len(words) != 1:
        return False
    if words[0] in _CSS_COLOUR_KEYWORDS:
        return True
    try:
        Color.parse(words[0])
    except ColorParseError:
        return False
    return True


# -- all themes ---------------------------------------------------------------------


def _theme_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if not p.name.startswith(".") and not p.is_dir())


def load_themes(
    packaged_dir: Path | None = None, user_dir: Path | None = None
) -> tuple[list[Theme], list[str]]:
    """The packaged themes, then the user's, and a notice for each problem.

    Never raises for a bad file: a broken theme is skipped with a notice that
    names the file and the problem, and a user theme whose name is already
    taken is skipped with a notice (the built-in theme is kept). The default
    theme comes first.
    """
    notices: list[str] = []
    themes: dict[str, Theme] = {}

    if packaged_dir is None:
        try:
            packaged_dir = resource_dir("themes")
        except FileNotFoundError as exc:
            notices.append(f"{exc}; casetui is using Textual's plain themes. Reinstall casetui.")
    if packaged_dir is not None:
        for path in _theme_files(packaged_dir):
            try:
                theme = load_theme_file(path)
            except ThemeError as exc:
                notices.append(f"{exc.message} It was skipped; reinstalling casetui may help.")
                continue
            themes.setdefault(theme.name, theme)

    built_in = set(themes) | set(BUILTIN_THEMES)
    user_dir = user_themes_dir() if user_dir is None else user_dir
    if user_dir.is_dir():
        seen: dict[str, Path] = {}
        for path in _theme_files(user_dir):
            try:
                theme = load_theme_file(path)
            except ThemeError as exc:
                notices.append(
                    f"Your theme {path} was skipped: it {exc.problem}. Fix the file or remove it."
                )
                continue
            if theme.name in built_in:
                notices.append(
                    f"Your theme {path} is named {theme.name!r}, like a theme that comes with "
                    "casetui, so the built-in one was kept; give yours another name to use it."
                )
                continue
            if theme.name in seen:
                notices.append(
                    f"Your themes {seen[theme.name].name} and {path.name} are both named "
                    f"{theme.name!r}, so only the first was loaded; rename one of them."
                )
                continue
            seen[theme.name] = path
            themes[theme.name] = theme

    ordered = sorted(themes.values(), key=lambda t: t.name != DEFAULT_THEME)
    return ordered, notices


def choose_theme(requested: str, available: Iterable[str]) -> tuple[str, str | None]:
    """``requested`` if it is available, else the default and a notice saying so."""
    names = set(available)
    if requested in names:
        return requested, None
    fallback = DEFAULT_THEME if DEFAULT_THEME in names else LAST_RESORT_THEME
    return fallback, f"The theme {requested!r} was not found, so casetui is using {fallback}."
