"""What a setting is: its kind of value, the note about it, the sentence a bad value gets.

Each setting in :class:`casetui.config.settings.Settings` is declared once, as a
dataclass field made by :func:`setting`. From that one declaration come the
default, the check :class:`~casetui.config.settings.Settings` makes, the notice
a bad value in ``config.toml`` gets, the note in the default file and whether
the app may change it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

FIX = "fix it or delete the file to get the defaults"
FIX_READ = "check the file's permissions, or delete it to get the defaults"
_SHOWN_VALUE_LENGTH = 40

REJECTED: Any = object()
"""What :meth:`Kind.read` gives for a value that is not allowed."""

Fault = Literal["type", "range"] | None
"""What is wrong with a value: not the right type, out of range, or nothing."""


def show(value: object) -> str:
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


def show_quoted(value: object) -> str:
    """Like :func:`show`, but text in double quotes, as it is written in TOML."""
    if not isinstance(value, str):
        return show(value)
    shown = value if len(value) <= _SHOWN_VALUE_LENGTH else value[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return f'"{shown}"'


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Kind:
    """A kind of value: how it is checked, read from a file and described."""

    def fault(self, value: object) -> Fault:
        """What is wrong with ``value`` as a setting's value, if anything."""
        raise NotImplementedError

    def sentence(self, name: str) -> str:
        """The sentence :class:`Settings` raises for a bad value, unless the setting has its own."""
        raise NotImplementedError

    def read(self, value: object) -> Any:
        """``value`` from the file, tidied, or :data:`REJECTED`."""
        return REJECTED if self.fault(value) else value

    def wanted(self, name: str, default: Any) -> str:
        """What the file should hold, for a notice: "true or false, written without quotes"."""
        raise NotImplementedError

    def shown(self, value: object) -> str:
        """A bad value as a notice shows it."""
        return show(value)

    def fallback(self, default: Any) -> str:
        """What casetui does instead of a bad value, for a notice."""
        return f"casetui is using {show(default)}"


@dataclass(frozen=True)
class Name(Kind):
    """A name in quotes, such as a theme's; surrounding spaces are dropped."""

    what: str
    """What is named, for a notice: "a theme's name"."""

    def fault(self, value: object) -> Fault:
        return None if isinstance(value, str) and value.strip() else "type"

    def sentence(self, name: str) -> str:
        return f"{name} must be {self.what}."

    def read(self, value: object) -> Any:
        return value.strip() if isinstance(value, str) and value.strip() else REJECTED

    def wanted(self, name: str, default: Any) -> str:
        return f'{self.what} in quotes, like {name} = "{default}"'

    def fallback(self, default: Any) -> str:
        return f"casetui is using {default}"


@dataclass(frozen=True)
class WholeNumber(Kind):
    """A whole number of ``unit`` from ``low`` to ``high``."""

    low: int
    high: int
    unit: str
    extra: str = ""
    """Added to the range in a notice: " (0 for never)"."""

    def fault(self, value: object) -> Fault:
        if not _is_whole(value):
            return "type"
        return None if self.low <= value <= self.high else "range"  # type: ignore[operator]

    def sentence(self, name: str) -> str:
        return f"{name} must be a whole number from {self.low} to {self.high}."

    def wanted(self, name: str, default: Any) -> str:
        return f"a whole number of {self.unit} from {self.low} to {self.high}{self.extra}"


@dataclass(frozen=True)
class OneOf(Kind):
    """One of a few words in quotes; the file may write them in capitals."""

    choices: tuple[str, ...]

    def fault(self, value: object) -> Fault:
        return None if value in self.choices else "range"

    def sentence(self, name: str) -> str:
        return f"{name} must be one of {', '.join(self.choices)}."

    def read(self, value: object) -> Any:
        chosen = value.strip().lower() if isinstance(value, str) else None
        return chosen if chosen in self.choices else REJECTED

    def wanted(self, name: str, default: Any) -> str:
        return " or ".join(f'"{choice}"' for choice in self.choices)

    def shown(self, value: object) -> str:
        return show_quoted(value)

    def fallback(self, default: Any) -> str:
        return f'casetui is using "{default}"'


@dataclass(frozen=True)
class Flag(Kind):
    """true or false."""

    def fault(self, value: object) -> Fault:
        return None if isinstance(value, bool) else "type"

    def sentence(self, name: str) -> str:
        return f"{name} must be true or false."

    def wanted(self, name: str, default: Any) -> str:
        return "true or false, written without quotes"


@dataclass(frozen=True)
class OneLine(Kind):
    """One line of text of at most ``longest`` characters; empty by default."""

    longest: int

    def fault(self, value: object) -> Fault:
        if not isinstance(value, str):
            return "type"
        return None if len(value) <= self.longest and "\n" not in value else "range"

    def sentence(self, name: str) -> str:
        return f"{name} must be one line of at most {self.longest} characters."

    def read(self, value: object) -> Any:
        if self.fault(value) or not isinstance(value, str):
            return REJECTED
        from casetui.core.text import sanitise  # only when the file has such a line

        return sanitise(value, multiline=False).strip()

    def wanted(self, name: str, default: Any) -> str:
        return f"one line of text in quotes, at most {self.longest} characters"

    def fallback(self, default: Any) -> str:
        return "it is left empty"


@dataclass(frozen=True)
class Setting:
    """One setting, as declared on its field of :class:`Settings`."""

    kind: Kind
    note: str
    """The note above it in the default ``config.toml``, without the ``# ``; "" to
    share the note of the setting before it."""
    wrong: str = ""
    """The sentence for a value that is not allowed; "" for the kind's own."""
    wrong_type: str = ""
    """The sentence for a value of the wrong type, if not :attr:`wrong`."""
    in_app: bool = False
    """Whether a person may change it from inside the app (``ui/settings_commands.py``)."""

    def check(self, name: str, value: object) -> None:
        """Raise ValueError (one sentence) unless ``value`` is allowed."""
        fault = self.kind.fault(value)
        if fault is None:
            return
        if fault == "type" and self.wrong_type:
            raise ValueError(self.wrong_type)
        raise ValueError(self.wrong or self.kind.sentence(name))

    def notice(self, name: str, value: object, default: Any) -> str:
        """The problem with ``value`` in the file, from "``name`` should be" to the end."""
        kind = self.kind
        return (
            f"{name} should be {kind.wanted(name, default)}, not {kind.shown(value)}, "
            f"so {kind.fallback(default)} — {FIX}."
        )


T = TypeVar("T")


def setting(
    default: T,
    kind: Kind,
    note: str,
    *,
    wrong: str = "",
    wrong_type: str = "",
    in_app: bool = False,
) -> T:
    """A :class:`Settings` field: its default, and the rest of its declaration."""
    declaration = Setting(kind, note, wrong, wrong_type, in_app)
    return dataclasses.field(default=default, metadata={"setting": declaration})


def toml_value(value: object) -> str:
    """A default as the default file writes it (defaults need no escaping)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
