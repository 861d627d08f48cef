"""Settings a person changes in the app, applied at once and saved to ``config.toml``.

The theme (Textual's "Change theme" command), the home screen, screen sharing
at start, the idle-lock minutes and the check-in default. Each change applies to
this session straight away; writing it to the settings file happens in a thread
worker (see :func:`casetui.config.settings_file.save_changes`, which keeps every other line of
the file). A settings file with a problem is never written: the person is told
once where it is and what is wrong, and the change lasts for this session only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand

from casetui.config.locations import CONFIG_FILE_NAME
from casetui.config.setting_kinds import WholeNumber
from casetui.config.settings import (
    MAX_CHECKIN_DAYS,
    MAX_IDLE_LOCK_MINUTES,
    MIN_CHECKIN_DAYS,
    MIN_IDLE_LOCK_MINUTES,
    declared,
)
from casetui.config.settings_file import SettingsNotSaved, save_changes
from casetui.core.errors import SaveFailed, ValidationError
from casetui.ui.forms.form import FormField, FormScreen
from casetui.ui.user_files import is_served
from casetui.ui.worker_errors import unexpected

if TYPE_CHECKING:
    from casetui.ui.session import Session

_HOME_NAMES = {"today": "Today", "caseload": "the caseload"}


def describe(key: str, value: Any) -> str:
    """A change, for a confirmation: "casetui starts on Today"."""
    if key == "theme":
        return f"the theme is {value}"
    if key == "home":
        return f"casetui starts on {_HOME_NAMES.get(value, value)}"
    if key == "mask_clients":
        return f"casetui starts with screen sharing {'on' if value else 'off'}"
    if key == "idle_lock_minutes":
        if value == 0:
            return "casetui never locks by itself"
        return f"casetui locks after {value} minute{'s' if value != 1 else ''} without use"
    if key == "checkin_interval_days":
        return f"new clients are checked in with every {value} days"
    return f"{key} is {value}"


class SettingsSaver:
    """Writes the app's setting changes to the settings file, newest last, off the UI thread."""

    def __init__(self, app: Session) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        #: Problems with the settings file already told in this session.
        self._told: set[str] = set()

    def change(self, **changes: Any) -> None:
        """Apply ``changes`` to ``app.settings`` now and save them in a worker.

        Raises ValueError (one sentence) for a value that is not allowed.
        """
        app = self.app
        app.settings = dataclasses.replace(app.settings, **changes)
        if _served(app):
            _toast(app, f"For this session only: {_describe_all(changes)}.")
            return
        with self._lock:
            self._pending.update(changes)
        app.run_worker(self._write, thread=True, group="settings", exit_on_error=False)

    def _write(self) -> None:
        """In a thread: write what is waiting, one write at a time, so the newest wins."""
        with self._lock:
            changes, self._pending = self._pending, {}
            if not changes:
                return  # an earlier worker wrote them
            try:
                save_changes(changes)
            except SettingsNotSaved as error:
                self._tell(self._refused, str(error), changes)
            except SaveFailed as error:
                self._tell(self._failed, str(error), changes)
            except Exception as error:
                self._tell(self._failed, unexpected("saving the settings", error), changes)
            else:
                self._tell(_saved, "", changes)

    def _tell(self, how: Any, sentence: str, changes: dict[str, Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the app has closed
            self.app.call_from_thread(how, self.app, sentence, changes)

    def _refused(self, app: Session, sentence: str, changes: dict[str, Any]) -> None:
        if sentence in self._told:
            _toast(app, f"For this session only: {_describe_all(changes)}.")
            return
        self._told.add(sentence)
        app.notify(
            sentence, title="Settings not saved", severity="warning", timeout=15, markup=False
        )

    def _failed(self, app: Session, sentence: str, changes: dict[str, Any]) -> None:
        app.notify(
            f"{sentence} The change applies to this session only.",
            title="Settings not saved",
            severity="error",
            timeout=15,
            markup=False,
        )


def _saved(app: Session, _sentence: str, changes: dict[str, Any]) -> None:
    _toast(app, f"Saved to {CONFIG_FILE_NAME}: {_describe_all(changes)}.")


def _describe_all(changes: dict[str, Any]) -> str:
    return "; ".join(describe(key, value) for key, value in changes.items())


def _toast(app: Session, text: str) -> None:
    app.notify(text, timeout=4, markup=False)


def _served(app: Session) -> bool:
    """A browser visitor's changes are never written to this computer's settings."""
    return is_served(app)


def saver(app: Session) -> SettingsSaver:
    """The app's one :class:`SettingsSaver`."""
    existing: SettingsSaver | None = getattr(app, "_settings_saver", None)
    if existing is None:
        existing = SettingsSaver(app)
        app._settings_saver = existing  # type: ignore[attr-defined]
    return existing


def change_settings(app: Session, **changes: Any) -> None:
    """Apply and save ``changes``; a value that is not allowed is told in one sentence."""
    try:
        saver(app).change(**changes)
    except ValueError as error:
        app.notify(str(error), title="Not changed", severity="error", markup=False)


# -- the command palette ------------------------------------------------------------------


def settings_commands(app: Session) -> Iterator[SystemCommand]:
    """Palette entries for the settings a person changes while working."""
    settings = app.settings
    if settings.home == "today":
        yield SystemCommand(
            "Start on the caseload",
            "Open the caseload after unlocking (saved to config.toml)",
            lambda: change_settings(app, home="caseload"),
        )
    else:
        yield SystemCommand(
            "Start on Today",
            "Open Today after unlocking (saved to config.toml)",
            lambda: change_settings(app, home="today"),
        )
    if settings.mask_clients:
        yield SystemCommand(
            "When casetui starts: names shown",
            "Start with screen sharing off (saved to config.toml)",
            lambda: change_settings(app, mask_clients=False),
        )
    else:
        yield SystemCommand(
            "When casetui starts: names hidden",
            "Start with screen sharing on: clients by code only (saved to config.toml)",
            lambda: change_settings(app, mask_clients=True),
        )
    yield SystemCommand(
        "Idle lock after… minutes",
        f"Lock after this many minutes without use; now {settings.idle_lock_minutes}",
        lambda: ask_idle_minutes(app),
    )
    yield SystemCommand(
        "Check-in every… days default",
        f"How often new clients are checked in with; now {settings.checkin_interval_days}",
        lambda: ask_checkin_days(app),
    )


def whole_in(values: dict[str, Any], name: str, setting: str) -> int:
    """A whole number from a form, in the range ``setting`` allows; else one sentence why not."""
    kind = declared()[setting].kind
    if not isinstance(kind, WholeNumber):
        raise TypeError(f"{setting} is not a whole number")
    value = values[name]
    if not kind.low <= value <= kind.high:
        raise ValidationError(
            name, f"should be a whole number of {kind.unit} from {kind.low} to {kind.high}."
        )
    return int(value)


def ask_idle_minutes(app: Session) -> None:
    def chosen(minutes: int | None) -> None:
        if minutes is not None:
            change_settings(app, idle_lock_minutes=minutes)

    app.push_screen(
        FormScreen(
            "Idle lock",
            [
                FormField(
                    "minutes",
                    "Lock after (minutes)",
                    "int",
                    hint=f"{MIN_IDLE_LOCK_MINUTES} to {MAX_IDLE_LOCK_MINUTES}; "
                    "0 means casetui never locks by itself.",
                )
            ],
            {"minutes": app.settings.idle_lock_minutes},
            lambda values: whole_in(values, "minutes", "idle_lock_minutes"),
            shareable=True,
        ),
        chosen,
    )


def ask_checkin_days(app: Session) -> None:
    def chosen(days: int | None) -> None:
        if days is not None:
            change_settings(app, checkin_interval_days=days)

    app.push_screen(
        FormScreen(
            "Check-in default",
            [
                FormField(
                    "days",
                    "Check in every (days)",
                    "int",
                    hint=f"{MIN_CHECKIN_DAYS} to {MAX_CHECKIN_DAYS}; for clients added from "
                    "now on. Each client's own interval is kept.",
                )
            ],
            {"days": app.settings.checkin_interval_days},
            lambda values: whole_in(values, "days", "checkin_interval_days"),
            shareable=True,
        ),
        chosen,
    )
