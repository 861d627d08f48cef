"""The settings in ``config.toml``, each declared once on :class:`Settings`.

Each field of :class:`Settings` says, through :func:`setting`, its default, its
kind of value (and so its check, and the notice a bad value in the file gets)
and the note written above it in the default file. The default file's text,
the loader (:mod:`casetui.config.loading`) and the saver
(:mod:`casetui.config.settings_file`) all come from these declarations.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from casetui.config.setting_kinds import (
    Flag,
    Name,
    OneLine,
    OneOf,
    Setting,
    WholeNumber,
    setting,
    toml_value,
)
from casetui.core import policy

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


@dataclass(frozen=True)
class Settings:
    """The user's settings. Construct with valid values; ``load_settings`` checks files.

    The fields made by :func:`setting` are the settings of the file's top level,
    in the order the default file lists them.
    """

    theme: str = setting(
        DEFAULT_THEME_NAME,
        Name("a theme's name"),
        """\
The colour theme: "casetui-dark", "casetui-light" or "casetui-high-contrast",
or the name of a theme you put in the "themes" folder beside this file.""",
        wrong="The theme must be a theme's name.",
        in_app=True,
    )
    checkin_interval_days: int = setting(
        DEFAULT_CHECKIN_DAYS,
        WholeNumber(MIN_CHECKIN_DAYS, MAX_CHECKIN_DAYS, "days"),
        f"""\
How many days may pass without contact before a case shows as due for a
check-in: a whole number from {MIN_CHECKIN_DAYS} to {MAX_CHECKIN_DAYS}.""",
        wrong=f"The check-in interval must be from {MIN_CHECKIN_DAYS} to {MAX_CHECKIN_DAYS} days.",
        wrong_type="The check-in interval must be a whole number of days.",
        in_app=True,
    )
    home: str = setting(
        DEFAULT_HOME,
        OneOf(HOME_SCREENS),
        """\
The screen that opens after you unlock: "caseload" (your list of clients) or
"today" (what needs doing today).""",
        wrong=f"The home screen must be one of {', '.join(HOME_SCREENS)}.",
        in_app=True,
    )
    """The screen that opens after unlocking: one of :data:`HOME_SCREENS`."""
    stalled_after_days: int = setting(
        DEFAULT_STALLED_DAYS,
        WholeNumber(MIN_STALLED_DAYS, MAX_STALLED_DAYS, "days"),
        f"""\
How many days a referral's status may stay the same before it counts as
stalled and shows on Today: a whole number from {MIN_STALLED_DAYS} to {MAX_STALLED_DAYS}.""",
        wrong="The days before a referral is stalled must be from "
        f"{MIN_STALLED_DAYS} to {MAX_STALLED_DAYS}.",
        wrong_type="The days before a referral is stalled must be a whole number.",
    )
    """Days without a status change after which a referral shows as stalled on Today."""
    confirm_safety_plan: bool = setting(
        DEFAULT_CONFIRM_SAFETY_PLAN,
        Flag(),
        """\
true: ask before showing a client's safety plan, in case others can see your
screen (a shared office, a projector). false: show it straight away.
Write true or false without quotes.""",
    )
    """Ask before showing a safety plan, in case others can see the screen."""
    idle_lock_minutes: int = setting(
        DEFAULT_IDLE_LOCK_MINUTES,
        WholeNumber(MIN_IDLE_LOCK_MINUTES, MAX_IDLE_LOCK_MINUTES, "minutes", " (0 for never)"),
        f"""\
How many minutes casetui may sit with no key press or mouse use before it
locks itself: a whole number from {MIN_IDLE_LOCK_MINUTES} to {MAX_IDLE_LOCK_MINUTES}. 0 means it
never locks by itself.""",
        wrong="The minutes before casetui locks must be from "
        f"{MIN_IDLE_LOCK_MINUTES} to {MAX_IDLE_LOCK_MINUTES}.",
        wrong_type="The minutes before casetui locks must be a whole number.",
        in_app=True,
    )
    """Lock after this many minutes with no key press or mouse use; 0 means never."""
    hide_key_quits: bool = setting(
        DEFAULT_HIDE_KEY_QUITS,
        Flag(),
        """\
What the quick-hide key (F12, unless you change "app.hide" under [keymap])
does. false: lock casetui and clear the screen. true: close casetui instead.
Write true or false without quotes.""",
    )
    """Whether the quick-hide key closes casetui (True) or locks it and clears the screen."""
    mask_clients: bool = setting(
        DEFAULT_MASK_CLIENTS,
        Flag(),
        """\
true: start with screen sharing on, for training or supervision on a shared
screen: every client appears only as their neutral calendar code and
notes are hidden. F9 (or your own "app.mask" keys under [keymap]) turns it on
and off at any time. Write true or false without quotes.""",
        in_app=True,
    )
    """Start with screen sharing on: clients shown by neutral calendar code, notes hidden."""
    reassess_after_days: int = setting(
        DEFAULT_REASSESS_DAYS,
        WholeNumber(MIN_REASSESS_DAYS, MAX_REASSESS_DAYS, "days"),
        f"""\
How many days may pass before a client's needs should be reassessed, for the
accreditation readiness report: a whole number from {MIN_REASSESS_DAYS} to {MAX_REASSESS_DAYS}.""",
    )
    """Needs should be reassessed within this many days (accreditation readiness)."""
    small_cell_threshold: int = setting(
        DEFAULT_SMALL_CELL,
        WholeNumber(MIN_SMALL_CELL, MAX_SMALL_CELL, "people"),
        f"""\
Funder statistics show any count from 1 up to this number minus 1 as
"<{DEFAULT_SMALL_CELL}", so that nobody can be picked out of a small group: a whole
number from {MIN_SMALL_CELL} to {MAX_SMALL_CELL}.""",
    )
    """Funder statistics suppress counts from 1 to this minus 1."""
    fiscal_year_start: int = setting(
        DEFAULT_FISCAL_YEAR_START,
        WholeNumber(
            MIN_MONTH,
            MAX_MONTH,
            "months",
            " (the number of the month it starts in: 10 is October)",
        ),
        f"""\
The month your fiscal year starts in, for funder statistics: a whole number
from {MIN_MONTH} (January) to {MAX_MONTH} (December). A fiscal year is named by the
calendar year it ends in: with {DEFAULT_FISCAL_YEAR_START} (October, the US federal
year), FY2026 runs from 1 October 2025 to 30 September 2026.""",
    )
    """The month (1 to 12) a fiscal year starts in; FY2026 is the one that ends in 2026."""
    agency_name: str = setting(
        "",
        OneLine(MAX_AGENCY_TEXT),
        """\
Your agency's name, and how a client can reach it (phone, hours), printed on
the goal sheet a client takes home. One line each, in quotes.""",
    )
    """The agency's name, for the client's printed goal sheet."""
    agency_contact: str = setting("", OneLine(MAX_AGENCY_TEXT), "")
    """How a client reaches the agency (phone, hours), for the printed goal sheet."""
    keymap: dict[str, str] = field(default_factory=dict, hash=False)
    """Binding id (e.g. ``"caseload.filter"``) to comma-separated keys (``"slash,ctrl+f"``)."""
    funder_services: dict[str, str] = field(default_factory=dict, hash=False)
    """Kind of work (``"meeting.crisis"``) to the funders' service code it counts as
    (``"C1"``; ``""``: not counted), over the defaults of ``core/stats/service_events.py``."""

    def __post_init__(self) -> None:
        for name, declaration in declared().items():
            declaration.check(name, getattr(self, name))
        # Private copies, so the caller's dicts cannot change a frozen Settings.
        object.__setattr__(self, "keymap", dict(self.keymap))
        object.__setattr__(self, "funder_services", dict(self.funder_services))


def declared() -> dict[str, Setting]:
    """Each setting's name and declaration, in the order of :class:`Settings`."""
    return _DECLARED


_DECLARED = {
    each.name: each.metadata["setting"]
    for each in dataclasses.fields(Settings)
    if "setting" in each.metadata
}

#: The settings a person can change from inside the app (see ``ui/settings_commands.py``).
CHANGEABLE_IN_APP = tuple(name for name, declaration in _DECLARED.items() if declaration.in_app)

_DEFAULT_TEXT_HEADER = """\
# casetui settings
#
# Lines that start with # are notes and are ignored. Change a value, save this
# file, and start casetui again. To go back to the defaults, delete this file
# and run "casetui config".
"""

_DEFAULT_TEXT_KEYMAP = """
# Your own keys for the app's commands: the command's name, then one or more
# keys separated by commas. Remove the # at the start of a line to use it.
[keymap]
# "caseload.filter" = "slash,ctrl+f"

# What each kind of work counts as in the funders' (PMT) report: the kind, then
# a service code such as A2, B4 or E10 ("" to not count it). 'casetui report pmt
# --help' lists the kinds and their usual codes.
[funder_services]
# "meeting.check_in" = "C1"
"""


def _default_config_text() -> str:
    """Each setting's note and default, in order, then the ``[keymap]`` section."""
    parts = [_DEFAULT_TEXT_HEADER]
    defaults = Settings()
    for name, declaration in _DECLARED.items():
        if declaration.note:
            parts.append("\n" + "".join(f"# {line}\n" for line in declaration.note.splitlines()))
        parts.append(f"{name} = {toml_value(getattr(defaults, name))}\n")
    parts.append(_DEFAULT_TEXT_KEYMAP)
    return "".join(parts)


DEFAULT_CONFIG_TEXT = _default_config_text()
