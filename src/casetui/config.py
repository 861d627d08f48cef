"""Where casetui keeps things, and the settings in ``config.toml``.

Paths come from platformdirs (which honours ``XDG_CONFIG_HOME`` and friends),
with environment overrides: ``CASETUI_VAULT`` for the vault and
``CASETUI_CONFIG`` for the settings file.

Settings are read forgivingly: a missing file means the defaults, and a broken
one never stops casetui from starting. Each problem becomes one plain sentence
(a *notice*) saying what is wrong and what to do, and only the broken parts fall
back to their defaults. Nothing here loads Textual, so ``casetui --help`` and
``casetui config`` stay quick; platformdirs, tomli_w and the file helpers are
imported on use.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casetui.core import policy

APP_NAME = "casetui"
VAULT_ENV = "CASETUI_VAULT"
CONFIG_ENV = "CASETUI_CONFIG"
DEFAULT_VAULT_NAME = "vault.age"
CONFIG_FILE_NAME = "config.toml"
THEMES_DIR_NAME = "themes"

DEFAULT_THEME_NAME = "casetui-dark"
DEFAULT_CHECKIN_DAYS = policy.CHECKIN_DAYS
MIN_CHECKIN_DAYS = policy.MIN_CHECKIN_DAYS
MAX_CHECKIN_DAYS = policy.MAX_CHECKIN_DAYS

HOME_SCREENS = ("caseload", "today")
"""The screens that may open after unlocking; the first is the default."""
DEFAULT_HOME = HOME_SCREENS[0]

DEFAULT_STALLED_DAYS = policy.STALLED_DAYS
MIN_STALLED_DAYS = policy.MIN_STALLED_DAYS
MAX_STALLED_DAYS = policy.MAX_STALLED_DAYS

DEFAULT_CONFIRM_SAFETY_PLAN = True

DEFAULT_IDLE_LOCK_MINUTES = 5
MIN_IDLE_LOCK_MINUTES = 0
"""0 means casetui never locks by itself."""
MAX_IDLE_LOCK_MINUTES = 240

DEFAULT_HIDE_KEY_QUITS = False

DEFAULT_MASK_CLIENTS = False

DEFAULT_REASSESS_DAYS = 90
"""How often a client's needs are reassessed, for accreditation readiness."""
MIN_REASSESS_DAYS = 7
MAX_REASSESS_DAYS = 730

DEFAULT_SMALL_CELL = policy.SMALL_CELL
MIN_SMALL_CELL = policy.MIN_SMALL_CELL
MAX_SMALL_CELL = policy.MAX_SMALL_CELL

DEFAULT_FISCAL_YEAR_START = 10
"""The month a fiscal year starts in, for funder statistics: October, the US federal one."""
MIN_MONTH = 1
MAX_MONTH = 12

MAX_AGENCY_TEXT = 200
"""The agency's name and how to reach it, printed on the client's goal sheet."""

_FIX = "fix it or delete the file to get the defaults"
_FIX_READ = "check the file's permissions, or delete it to get the defaults"
_SHOWN_VALUE_LENGTH = 40


# -- paths --------------------------------------------------------------------------


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_vault_path() -> Path:
    """``$CASETUI_VAULT`` if set, else ``vault.age`` in the user data folder."""
    override = os.environ.get(VAULT_ENV)
    if override:
        return Path(override).expanduser()
    return data_dir() / DEFAULT_VAULT_NAME


def config_dir() -> Path:
    """The user's casetui settings folder (``$XDG_CONFIG_HOME/casetui`` on Linux)."""
    import platformdirs

    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    """``$CASETUI_CONFIG`` if set, else ``config.toml`` in the settings folder."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return config_dir() / CONFIG_FILE_NAME


def user_themes_dir() -> Path:
    """Where the user may put their own theme files (``*.toml``)."""
    return config_dir() / THEMES_DIR_NAME


# -- settings -----------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The user's settings. Construct with valid values; ``load_settings`` checks files."""

    theme: str = DEFAULT_THEME_NAME
    checkin_interval_days: int = DEFAULT_CHECKIN_DAYS
    home: str = DEFAULT_HOME
    """The screen that opens after unlocking: one of :data:`HOME_SCREENS`."""
    stalled_after_days: int = DEFAULT_STALLED_DAYS
    """Days without a status change after which a referral shows as stalled on Today."""
    confirm_safety_plan: bool = DEFAULT_CONFIRM_SAFETY_PLAN
    """Ask before showing a safety plan, in case others can see the screen."""
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    """Lock after this many minutes with no key press or mouse use; 0 means never."""
    hide_key_quits: bool = DEFAULT_HIDE_KEY_QUITS
    """Whether the quick-hide key closes casetui (True) or locks it and clears the screen."""
    mask_clients: bool = DEFAULT_MASK_CLIENTS
    """Start with screen sharing on: clients shown by neutral calendar code, notes hidden."""
    reassess_after_days: int = DEFAULT_REASSESS_DAYS
    """Needs should be reassessed within this many days (accreditation readiness)."""
    small_cell_threshold: int = DEFAULT_SMALL_CELL
    """Funder statistics suppress counts from 1 to this minus 1."""
    fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START
    """The month (1 to 12) a fiscal year starts in; FY2026 is the one that ends in 2026."""
    agency_name: str = ""
    """The agency's name, for the client's printed goal sheet."""
    agency_contact: str = ""
    """How a client reaches the agency (phone, hours), for the printed goal sheet."""
    keymap: dict[str, str] = field(default_factory=dict, hash=False)
    """Binding id (e.g. ``"caseload.filter"``) to comma-separated keys (``"slash,ctrl+f"``)."""

    def __post_init__(self) -> None:
        if not isinstance(self.theme, str) or not self.theme.strip():
            raise ValueError("The theme must be a theme's name.")
        days = self.checkin_interval_days
        if isinstance(days, bool) or not isinstance(days, int):
            raise ValueError("The check-in interval must be a whole number of days.")
        if not MIN_CHECKIN_DAYS <= days <= MAX_CHECKIN_DAYS:
            raise ValueError(
                f"The check-in interval must be from {MIN_CHECKIN_DAYS} to {MAX_CHECKIN_DAYS} days."
            )
        if self.home not in HOME_SCREENS:
            raise ValueError(f"The home screen must be one of {', '.join(HOME_SCREENS)}.")
        stalled = self.stalled_after_days
        if isinstance(stalled, bool) or not isinstance(stalled, int):
            raise ValueError("The days before a referral is stalled must be a whole number.")
        if not MIN_STALLED_DAYS <= stalled <= MAX_STALLED_DAYS:
            raise ValueError(
                "The days before a referral is stalled must be from "
                f"{MIN_STALLED_DAYS} to {MAX_STALLED_DAYS}."
            )
        if not isinstance(self.confirm_safety_plan, bool):
            raise ValueError("confirm_safety_plan must be true or false.")
        idle = self.idle_lock_minutes
        if isinstance(idle, bool) or not isinstance(idle, int):
            raise ValueError("The minutes before casetui locks must be a whole number.")
        if not MIN_IDLE_LOCK_MINUTES <= idle <= MAX_IDLE_LOCK_MINUTES:
            raise ValueError(
                "The minutes before casetui locks must be from "
                f"{MIN_IDLE_LOCK_MINUTES} to {MAX_IDLE_LOCK_MINUTES}."
            )
        if not isinstance(self.hide_key_quits, bool):
            raise ValueError("hide_key_quits must be true or false.")
        if not isinstance(self.mask_clients, bool):
            raise ValueError("mask_clients must be true or false.")
        for name, low, high in (
            ("reassess_after_days", MIN_REASSESS_DAYS, MAX_REASSESS_DAYS),
            ("small_cell_threshold", MIN_SMALL_CELL, MAX_SMALL_CELL),
            ("fiscal_year_start", MIN_MONTH, MAX_MONTH),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}.")
        for name in ("agency_name", "agency_contact"):
            value = getattr(self, name)
            if not isinstance(value, str) or len(value) > MAX_AGENCY_TEXT or "\n" in value:
                raise ValueError(
                    f"{name} must be one line of at most {MAX_AGENCY_TEXT} characters."
                )
        # A private copy, so the caller's dict cannot change a frozen Settings.
        object.__setattr__(self, "keymap", dict(self.keymap))


DEFAULT_CONFIG_TEXT = f"""\
# casetui settings
#
# Lines that start with # are notes and are ignored. Change a value, save this
# file, and start casetui again. To go back to the defaults, delete this file
# and run "casetui config".

# The colour theme: "casetui-dark", "casetui-light" or "casetui-high-contrast",
# or the name of a theme you put in the "themes" folder beside this file.
theme = "{DEFAULT_THEME_NAME}"

# How many days may pass without contact before a case shows as due for a
# check-in: a whole number from {MIN_CHECKIN_DAYS} to {MAX_CHECKIN_DAYS}.
checkin_interval_days = {DEFAULT_CHECKIN_DAYS}

# The screen that opens after you unlock: "caseload" (your list of clients) or
# "today" (what needs doing today).
home = "{DEFAULT_HOME}"

# How many days a referral's status may stay the same before it counts as
# stalled and shows on Today: a whole number from {MIN_STALLED_DAYS} to {MAX_STALLED_DAYS}.
stalled_after_days = {DEFAULT_STALLED_DAYS}

# true: ask before showing a client's safety plan, in case others can see your
# screen (a shared office, a projector). false: show it straight away.
# Write true or false without quotes.
confirm_safety_plan = {"true" if DEFAULT_CONFIRM_SAFETY_PLAN else "false"}

# How many minutes casetui may sit with no key press or mouse use before it
# locks itself: a whole number from {MIN_IDLE_LOCK_MINUTES} to {MAX_IDLE_LOCK_MINUTES}. 0 means it
# never locks by itself.
idle_lock_minutes = {DEFAULT_IDLE_LOCK_MINUTES}

# What the quick-hide key (F12, unless you change "app.hide" under [keymap])
# does. false: lock casetui and clear the screen. true: close casetui instead.
# Write true or false without quotes.
hide_key_quits = {"true" if DEFAULT_HIDE_KEY_QUITS else "false"}

# true: start with screen sharing on, for training or supervision on a shared
# screen: every client appears only as their neutral calendar code and
# notes are hidden. F9 (or your own "app.mask" keys under [keymap]) turns it on
# and off at any time. Write true or false without quotes.
mask_clients = {"true" if DEFAULT_MASK_CLIENTS else "false"}

# How many days may pass before a client's needs should be reassessed, for the
# accreditation readiness report: a whole number from {MIN_REASSESS_DAYS} to {MAX_REASSESS_DAYS}.
reassess_after_days = {DEFAULT_REASSESS_DAYS}

# Funder statistics show any count from 1 up to this number minus 1 as
# "<{DEFAULT_SMALL_CELL}", so that nobody can be picked out of a small group: a whole
# number from {MIN_SMALL_CELL} to {MAX_SMALL_CELL}.
small_cell_threshold = {DEFAULT_SMALL_CELL}

# The month your fiscal year starts in, for funder statistics: a whole number
# from {MIN_MONTH} (January) to {MAX_MONTH} (December). A fiscal year is named by the
# calendar year it ends in: with {DEFAULT_FISCAL_YEAR_START} (October, the US federal
# year), FY2026 runs from 1 October 2025 to 30 September 2026.
fiscal_year_start = {DEFAULT_FISCAL_YEAR_START}

# Your agency's name, and how a client can reach it (phone, hours), printed on
# the goal sheet a client takes home. One line each, in quotes.
agency_name = ""
agency_contact = ""

# Your own keys for the app's commands: the command's name, then one or more
# keys separated by commas. Remove the # at the start of a line to use it.
[keymap]
# "caseload.filter" = "slash,ctrl+f"
"""

_SAVED_HEADER = """\
# casetui settings, saved by casetui. You may edit this file; lines that start
# with # are notes. Delete it and run "casetui config" to get the defaults back.

"""


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The settings in ``path`` (default: :func:`config_path`) and any notices.

    Never raises for a bad file: each problem gives one notice sentence and the
    default for the setting concerned. A missing file gives the defaults and no
    notices.
    """
    settings, notices, _text = _read_settings(path)
    return settings, notices


def _read_settings(path: Path | None = None) -> tuple[Settings, list[str], str | None]:
    """:func:`load_settings`, and the file's text (None when there is no file)."""
    path = config_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(), [], None
    except OSError as exc:
        reason = "it is a folder" if path.is_dir() else (exc.strerror or type(exc).__name__)
        notice = (
            f"casetui could not read {path} ({reason.lower()}), so it is using the default "
            f"settings — {_FIX_READ}."
        )
        return Settings(), [notice], None
    name = path.name
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        notice = (
            f"{name} is not a text file (it is not UTF-8), so casetui is using the default "
            f"settings — {_FIX}."
        )
        return Settings(), [notice], None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail, line = _describe_toml_error(exc, text)
        notice = (
            f"{name} line {line}: this is not valid TOML ({detail}), so casetui is using "
            f"the default settings — {_FIX}."
        )
        return Settings(), [notice], text
    settings, notices = _settings_from(data, text, name)
    return settings, notices, text


def _settings_from(data: dict[str, Any], text: str, name: str) -> tuple[Settings, list[str]]:
    notices: list[str] = []

    def where(key: str, section: str | None = None) -> str:
        line = _find_line(text, key, section)
        return f"{name} line {line}" if line else name

    theme = DEFAULT_THEME_NAME
    if "theme" in data:
        value = data["theme"]
        if isinstance(value, str) and value.strip():
            theme = value.strip()
        else:
            notices.append(
                f"{where('theme')}: theme should be a theme's name in quotes, like "
                f'theme = "{DEFAULT_THEME_NAME}", not {_show(value)}, so casetui is using '
                f"{DEFAULT_THEME_NAME} — {_FIX}."
            )

    def whole(key: str, default: int, low: int, high: int, unit: str, *, extra: str = "") -> int:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        notices.append(
            f"{where(key)}: {key} should be a whole number of {unit} from {low} to {high}"
            f"{extra}, not {_show(value)}, so casetui is using {default} — {_FIX}."
        )
        return default

    def flag(key: str, default: bool) -> bool:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, bool):
            return value
        notices.append(
            f"{where(key)}: {key} should be true or false, written without quotes, not "
            f"{_show(value)}, so casetui is using {_show(default)} — {_FIX}."
        )
        return default

    days = whole(
        "checkin_interval_days", DEFAULT_CHECKIN_DAYS, MIN_CHECKIN_DAYS, MAX_CHECKIN_DAYS, "days"
    )

    home = DEFAULT_HOME
    if "home" in data:
        value = data["home"]
        chosen = value.strip().lower() if isinstance(value, str) else None
        if chosen in HOME_SCREENS:
            home = chosen
        else:
            allowed = " or ".join(f'"{screen}"' for screen in HOME_SCREENS)
            notices.append(
                f"{where('home')}: home should be {allowed}, not {_show_quoted(value)}, "
                f'so casetui is using "{DEFAULT_HOME}" — {_FIX}.'
            )

    stalled = whole(
        "stalled_after_days", DEFAULT_STALLED_DAYS, MIN_STALLED_DAYS, MAX_STALLED_DAYS, "days"
    )
    confirm = flag("confirm_safety_plan", DEFAULT_CONFIRM_SAFETY_PLAN)
    idle = whole(
        "idle_lock_minutes",
        DEFAULT_IDLE_LOCK_MINUTES,
        MIN_IDLE_LOCK_MINUTES,
        MAX_IDLE_LOCK_MINUTES,
        "minutes",
        extra=" (0 for never)",
    )
    hide_quits = flag("hide_key_quits", DEFAULT_HIDE_KEY_QUITS)
    mask = flag("mask_clients", DEFAULT_MASK_CLIENTS)
    reassess = whole(
        "reassess_after_days", DEFAULT_REASSESS_DAYS, MIN_REASSESS_DAYS, MAX_REASSESS_DAYS, "days"
    )
    small_cell = whole(
        "small_cell_threshold", DEFAULT_SMALL_CELL, MIN_SMALL_CELL, MAX_SMALL_CELL, "people"
    )
    fiscal_start = whole(
        "fiscal_year_start",
        DEFAULT_FISCAL_YEAR_START,
        MIN_MONTH,
        MAX_MONTH,
        "months",
        extra=" (the number of the month it starts in: 10 is October)",
    )

    def line(key: str) -> str:
        if key not in data:
            return ""
        value = data[key]
        if isinstance(value, str) and len(value) <= MAX_AGENCY_TEXT and "\n" not in value:
            from casetui.core.text import sanitise

            return sanitise(value, multiline=False).strip()
        notices.append(
            f"{where(key)}: {key} should be one line of text in quotes, at most "
            f"{MAX_AGENCY_TEXT} characters, not {_show(value)}, so it is left empty — {_FIX}."
        )
        return ""

    agency_name = line("agency_name")
    agency_contact = line("agency_contact")

    keymap: dict[str, str] = {}
    if "keymap" in data:
        value = data["keymap"]
        if isinstance(value, dict):
            for binding, keys in value.items():
                cleaned = _clean_keys(keys)
                if binding.strip() and cleaned is not None:
                    keymap[binding.strip()] = cleaned
                else:
                    notices.append(
                        f"{where(binding, 'keymap')}: the keys for {binding!r} should be "
                        f'key names in quotes, separated by commas, like "slash,ctrl+f", '
                        f"not {_show(keys)}, so that command keeps its usual keys — {_FIX}."
                    )
        else:
            notices.append(
                f"{where('keymap')}: keymap should be a section that starts with the line "
                "[keymap] and has one command per line, so casetui is using its usual keys "
                f"— {_FIX}."
            )

    known = (
        "theme",
        "checkin_interval_days",
        "home",
        "stalled_after_days",
        "confirm_safety_plan",
        "idle_lock_minutes",
        "hide_key_quits",
        "mask_clients",
        "reassess_after_days",
        "small_cell_threshold",
        "fiscal_year_start",
        "agency_name",
        "agency_contact",
        "keymap",
    )
    for key in data:
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        notices.append(
            f"{where(key)}: casetui has no setting called {key!r}{hint}, so it is ignored — {_FIX}."
        )

    settings = Settings(
        theme=theme,
        checkin_interval_days=days,
        home=home,
        stalled_after_days=stalled,
        confirm_safety_plan=confirm,
        idle_lock_minutes=idle,
        hide_key_quits=hide_quits,
        mask_clients=mask,
        reassess_after_days=reassess,
        small_cell_threshold=small_cell,
        fiscal_year_start=fiscal_start,
        agency_name=agency_name,
        agency_contact=agency_contact,
        keymap=keymap,
    )
    return settings, notices


def _clean_keys(keys: object) -> str | None:
    """``"slash, ctrl+f"`` as ``"slash,ctrl+f"``; None if it is not a list of key names."""
    if not isinstance(keys, str):
        return None
    parts = [part.strip() for part in keys.split(",")]
    if not parts or any(not part or any(ch.isspace() for ch in part) for part in parts):
        return None
    return ",".join(parts)


def _show(value: object) -> str:
    """A short rendering of a config value for a notice (config holds no case data)."""
    if isinstance(value, dict):
        return "a section"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    shown = repr(value) if isinstance(value, str) else str(value)
    if len(shown) > _SHOWN_VALUE_LENGTH:
        shown = shown[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return shown


def _show_quoted(value: object) -> str:
    """Like :func:`_show`, but text in double quotes, as it is written in TOML."""
    if not isinstance(value, str):
        return _show(value)
    shown = value if len(value) <= _SHOWN_VALUE_LENGTH else value[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return f'"{shown}"'


_TOML_POSITION = re.compile(r"^(?P<detail>.*?)\s*\(at (?:line (?P<line>\d+)|end of document)")


def _describe_toml_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, int]:
    """tomllib's message without its position, and the line it points at."""
    message = str(exc)
    match = _TOML_POSITION.match(message)
    detail = match.group("detail") if match else message
    if match and match.group("line"):
        line = int(match.group("line"))
    else:
        line = max(1, len(text.splitlines()))
    detail = detail[:1].lower() + detail[1:] if detail else "unreadable"
    return detail, line


_HEADER = re.compile(r"^\s*\[\s*(?P<name>[^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _find_line(text: str, key: str, section: str | None = None) -> int | None:
    """The 1-based line where ``key`` is set (or its ``[key]`` section starts)."""
    assignment = re.compile(
        rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*="""
    )
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = header.group("name").strip().strip("\"'")
            if section is None and current == key:
                return number
            continue
        if current == section and assignment.match(line):
            return number
    return None


# -- writing ------------------------------------------------------------------------


def write_defaults(path: Path | None = None) -> bool:
    """Write :data:`DEFAULT_CONFIG_TEXT` to ``path`` if nothing is there yet.

    The file is written atomically as 0600 in a 0700 folder. Returns whether it
    was written; an existing file is never touched.
    """
    from casetui.core.errors import SaveFailed
    from casetui.files import atomic_write, ensure_private_dir

    path = config_path() if path is None else path
    if path.exists() or path.is_symlink():
        return False
    ensure_private_dir(path.parent)
    try:
        atomic_write(path, DEFAULT_CONFIG_TEXT.encode("utf-8"), overwrite=False)
    except SaveFailed:
        if path.exists():  # someone else wrote it first
            return False
        raise
    return True


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Replace the settings file with ``settings``, atomically, as a 0600 file.

    Notes (comments) in the old file are not kept. Raises
    :class:`casetui.core.errors.SaveFailed` with a sentence if it cannot write.
    """
    import tomli_w

    from casetui.files import atomic_write, ensure_private_dir

    path = config_path() if path is None else path
    text = _SAVED_HEADER + tomli_w.dumps(_document(settings))
    ensure_private_dir(path.parent)
    atomic_write(path, text.encode("utf-8"))


def _document(settings: Settings) -> dict[str, Any]:
    """``settings`` as the TOML document :func:`save_settings` writes."""
    return {
        "theme": settings.theme,
        "checkin_interval_days": settings.checkin_interval_days,
        "home": settings.home,
        "stalled_after_days": settings.stalled_after_days,
        "confirm_safety_plan": settings.confirm_safety_plan,
        "idle_lock_minutes": settings.idle_lock_minutes,
        "hide_key_quits": settings.hide_key_quits,
        "mask_clients": settings.mask_clients,
        "reassess_after_days": settings.reassess_after_days,
        "small_cell_threshold": settings.small_cell_threshold,
        "fiscal_year_start": settings.fiscal_year_start,
        "agency_name": settings.agency_name,
        "agency_contact": settings.agency_contact,
        "keymap": dict(sorted(settings.keymap.items())),
    }


#: The settings a person can change from inside the app (see ``ui/settings_commands.py``).
CHANGEABLE_IN_APP = (
    "theme",
    "home",
    "mask_clients",
    "idle_lock_minutes",
    "checkin_interval_days",
)

_SAVE_ATTEMPTS = 3


class SettingsNotSaved(Exception):
    """The settings file has a problem, so a change made in the app was not written.

    ``str()`` is one sentence naming the file and the problem.
    """

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(
            f"{path} was left as it is because it has a problem ({problem}), so this "
            "change applies to this session only."
        )


class _ChangedMeanwhile(Exception):
    """The file changed between reading it and putting the new one in its place."""


def save_changes(changes: dict[str, Any], path: Path | None = None) -> Settings:
    """Write ``changes`` (setting name to value) into the settings file; the new settings.

    Only the lines for the changed settings are rewritten, so every other setting,
    the ``[keymap]`` and the notes in the file are kept; a missing file starts
    from :data:`DEFAULT_CONFIG_TEXT`. The file is replaced atomically as 0600. A
    file with any problem (one that :func:`load_settings` has a notice for) is
    never written: :class:`SettingsNotSaved` says where it is and what is wrong.
    Raises ValueError for a value that is not allowed, and
    :class:`casetui.core.errors.SaveFailed` when the disk refuses.
    """
    import dataclasses

    unknown = sorted(set(changes) - set(CHANGEABLE_IN_APP))
    if unknown:
        raise ValueError(f"{unknown[0]} cannot be changed from inside casetui.")
    path = config_path() if path is None else path
    # Write through a link (a dotfiles folder, say) rather than replacing the link.
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    for attempt in range(_SAVE_ATTEMPTS):
        settings, notices, text = _read_settings(path)
        if notices:
            raise SettingsNotSaved(path, _problem(notices))
        updated = dataclasses.replace(settings, **changes)  # checks the values
        base = DEFAULT_CONFIG_TEXT if text is None else text
        new_text = _with_values(base, changes)
        if _parsed(new_text, path.name) != updated:
            # Not a file whose lines can be changed one by one: write it out whole.
            new_text = _SAVED_HEADER + _dumps(_document(updated))
        try:
            _replace_if_unchanged(target, text, new_text)
        except _ChangedMeanwhile:
            if attempt + 1 < _SAVE_ATTEMPTS:
                continue
            raise SettingsNotSaved(
                path, "another program kept changing it while casetui was saving"
            ) from None
        return updated
    raise AssertionError("unreachable")  # pragma: no cover


def _problem(notices: list[str]) -> str:
    """The first notice as a clause, without its advice; how many more there are."""
    first = notices[0].rstrip(".")
    for advice in (f" — {_FIX}", f" — {_FIX_READ}"):
        first = first.removesuffix(advice)
    # What casetui does about it now ("so casetui is using 5") is not news here.
    first = first.rsplit(", so ", 1)[0]
    more = len(notices) - 1
    if more:
        first += f"; and {more} more problem{'s' if more != 1 else ''}"
    return first


def _dumps(document: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(document)


def _parsed(text: str, name: str) -> Settings | None:
    """The settings ``text`` holds, or None if it is not a clean settings file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    settings, notices = _settings_from(data, text, name)
    return None if notices else settings


_ASSIGNMENT = r"""^\s*(?:{key}|"{key}"|'{key}')\s*="""


def _with_values(text: str, changes: dict[str, Any]) -> str:
    """``text`` with each top-level ``key = value`` line set to the new value.

    A setting that is not in the file yet goes in before the first section (such
    as ``[keymap]``), where a top-level setting must be. The caller checks the
    result by reading it back.
    """
    lines = text.splitlines(keepends=True)
    for key, value in changes.items():
        line_text = _dumps({key: value}).strip()
        assignment = re.compile(_ASSIGNMENT.format(key=re.escape(key)))
        for number, line in enumerate(lines):
            if _HEADER.match(line) or line.lstrip().startswith("[["):
                lines.insert(number, line_text + "\n\n")
                break
            if assignment.match(line):
                body = line.rstrip("\r\n")
                lines[number] = line_text + _trailing_note(body) + (line[len(body) :] or "\n")
                break
        else:
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += "\n"
            lines.append(line_text + "\n")
    return "".join(lines)


def _trailing_note(line: str) -> str:
    """The ``# note`` after a ``key = value`` line's value (with its spacing), or ""."""
    for match in re.finditer("#", line):
        try:
            tomllib.loads(line[: match.start()])
        except tomllib.TOMLDecodeError:
            continue  # a "#" inside the value's quotes
        return line[len(line[: match.start()].rstrip()) :]
    return ""


def _replace_if_unchanged(path: Path, before: str | None, text: str) -> None:
    """Put ``text`` in ``path`` atomically (0600), unless the file changed since it was read."""
    from casetui.files import atomic_write_stream, ensure_private_dir

    def still_the_same() -> None:
        try:
            now: str | None = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            now = None
        except (OSError, UnicodeDecodeError):
            raise _ChangedMeanwhile() from None
        if now != before:
            raise _ChangedMeanwhile()

    ensure_private_dir(path.parent)
    data = text.encode("utf-8")
    atomic_write_stream(
        path,
        lambda sink: sink.write(data),
        overwrite=before is not None,
        before_rename=still_the_same,
    )
