"""Field specifications: how each record field is checked, cleaned and stored.

A record declares its fields with the helpers at the bottom of this module
(``text(...)``, ``day(...)``, ``choice(...)`` ...). Each helper attaches a
:class:`Spec` to the dataclass field. On construction the record runs every
spec's ``clean``, which accepts either the Python value or its JSON form (an
ISO date string, an enum's value), so one code path serves forms, imports and
the vault alike.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Generic, TypeVar

from casetui.core.errors import ValidationError
from casetui.core.text import has_surrogate, sanitise

JSON = None | bool | int | float | str | list["JSON"] | dict[str, "JSON"]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def _type_name(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text"}
    names.update({list: "a list", dict: "an object", type(None): "empty"})
    return names.get(type(value), type(value).__name__)


class Spec(Generic[T]):
    """How one field is validated (``clean``) and serialised (``dump``)."""

    def clean(self, name: str, value: object) -> T:
        raise NotImplementedError

    def dump(self, value: T) -> JSON:
        raise NotImplementedError


class TextSpec(Spec[str]):
    def __init__(self, max_len: int, *, required: bool, multiline: bool) -> None:
        self.max_len = max_len
        self.required = required
        self.multiline = multiline

    def clean(self, name: str, value: object) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValidationError(name, f"should be text, not {_type_name(value)}.")
        if has_surrogate(value):
            # Refused, not replaced, so an import names the record and field (a vault being
            # opened has them replaced first: see casetui.core.text.sanitise_document).
            raise ValidationError(
                name,
                "holds a code that is not a character (a lone UTF-16 surrogate, such as "
                "\\ud800); remove or correct it.",
            )
        cleaned = sanitise(value, multiline=self.multiline)
        if self.required and not cleaned:
            raise ValidationError(name, "is required; please fill it in.")
        if len(cleaned) > self.max_len:
            raise ValidationError(
                name,
                f"is {len(cleaned):,} characters long; the limit is {self.max_len:,}. "
                "Please shorten it.",
            )
        return cleaned

    def dump(self, value: str) -> JSON:
        return value


def parse_date(name: str, value: object) -> date:
    """Read a date from a ``date`` or a strict ``YYYY-MM-DD`` string."""
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                name, f"{value.strip()!r} is not a real calendar date (use YYYY-MM-DD)."
            ) from None
    elif isinstance(value, str):
        shown = value.strip()[:20]
        raise ValidationError(name, f"{shown!r} is not a date; use the form YYYY-MM-DD.")
    else:
        raise ValidationError(name, f"should be a date (YYYY-MM-DD), not {_type_name(value)}.")
    if not EARLIEST <= parsed <= LATEST:
        raise ValidationError(name, f"{parsed.isoformat()} is outside the years 1900-2199.")
    return parsed


class DateSpec(Spec["date | None"]):
    def __init__(self, *, required: bool) -> None:
        self.required = required

    def clean(self, name: str, value: object) -> date | None:
        if value is None or value == "":
            if self.required:
                raise ValidationError(name, "is required; enter a date as YYYY-MM-DD.")
            return None
        return parse_date(name, value)

    def dump(self, value: date | None) -> JSON:
        return None if value is None else value.isoformat()


class MomentSpec(Spec[datetime]):
    """A moment in UTC, stored as ``YYYY-MM-DDTHH:MM:SSZ``."""

    def clean(self, name: str, value: object) -> datetime:
        moment: datetime | None = value if isinstance(value, datetime) else None
        if isinstance(value, str) and len(value) <= 40:
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                moment = None
        if moment is None or moment.tzinfo is None:
            raise ValidationError(name, "is not a moment in time (YYYY-MM-DDTHH:MM:SSZ).")
        return moment.astimezone(UTC).replace(microsecond=0)

    def dump(self, value: datetime) -> JSON:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")


class OptionalMomentSpec(Spec["datetime | None"]):
    """A moment in UTC, or nothing."""

    def __init__(self) -> None:
        self.inner = MomentSpec()

    def clean(self, name: str, value: object) -> datetime | None:
        if value is None or value == "":
            return None
        return self.inner.clean(name, value)

    def dump(self, value: datetime | None) -> JSON:
        return None if value is None else self.inner.dump(value)


class TimeSpec(Spec[time]):
    def clean(self, name: str, value: object) -> time:
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0, tzinfo=None)
        if isinstance(value, str) and (match := _HH_MM.match(value.strip())):
            return time(int(match.group(1)), int(match.group(2)))
        shown = repr(value.strip()[:10]) if isinstance(value, str) else _type_name(value)
        raise ValidationError(name, f"{shown} is not a time of day; use 24-hour HH:MM.")

    def dump(self, value: time) -> JSON:
        return value.strftime("%H:%M")


class ChoiceSpec(Spec[E]):
    def __init__(self, enum_cls: type[E]) -> None:
        self.enum_cls = enum_cls

    def clean(self, name: str, value: object) -> E:
        if isinstance(value, self.enum_cls):
            return value
        for member in self.enum_cls:
            if member.value == value:
                return member
        allowed = ", ".join(str(m.value) for m in self.enum_cls)
        shown = repr(value[:40]) if isinstance(value, str) else _type_name(value)
        raise ValidationError(name, f"{shown} is not one of: {allowed}.")

    def dump(self, value: E) -> JSON:
        result: JSON = value.value
        return result


class OptionalChoiceSpec(Spec["E | None"]):
    def __init__(self, enum_cls: type[E]) -> None:
        self.inner = ChoiceSpec(enum_cls)

    def clean(self, name: str, value: object) -> E | None:
        if value is None or value == "":
            return None
        return self.inner.clean(name, value)

    def dump(self, value: E | None) -> JSON:
        return None if value is None else self.inner.dump(value)


class IntSpec(Spec[int]):
    def __init__(self, low: int, high: int) -> None:
        self.low = low
        self.high = high

    def clean(self, name: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ValidationError(name, f"should be a whole number, not {_type_name(value)}.")
        if not self.low <= value <= self.high:
            raise ValidationError(
                name, f"{value} is out of range; use a number from {self.low} to {self.high}."
            )
        return value

    def dump(self, value: int) -> JSON:
        return value


class NumberSpec(Spec[float]):
    def __init__(self, low: float, high: float) -> None:
        self.low = low
        self.high = high

    def clean(self, name: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(name, f"should be a number, not {_type_name(value)}.")
        number = float(value)
        if not self.low <= number <= self.high:
            raise ValidationError(
                name,
                f"{number:g} is out of range; use a number from {self.low:g} to {self.high:g}.",
            )
        return number

    def dump(self, value: float) -> JSON:
        return value


class FlagSpec(Spec[bool]):
    def clean(self, name: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(name, f"should be true or false, not {_type_name(value)}.")
        return value

    def dump(self, value: bool) -> JSON:
        return value


def check_id(name: str, value: object) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValidationError(
            name,
            "is not a valid record id (1-64 letters, digits, '_', '-' or '.').",
        )
    return value


class IdSpec(Spec["str | None"]):
    def __init__(self, *, required: bool) -> None:
        self.required = required

    def clean(self, name: str, value: object) -> str | None:
        if value is None or value == "":
            if self.required:
                raise ValidationError(name, "is required.")
            return None
        return check_id(name, value)

    def dump(self, value: str | None) -> JSON:
        return value


class IdListSpec(Spec[tuple[str, ...]]):
    def __init__(self, max_items: int) -> None:
        self.max_items = max_items

    def clean(self, name: str, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValidationError(name, f"should be a list of ids, not {_type_name(value)}.")
        if len(value) > self.max_items:
            raise ValidationError(name, f"has {len(value)} entries; the limit is {self.max_items}.")
        ids = tuple(check_id(f"{name}[{i}]", item) for i, item in enumerate(value))
        return tuple(dict.fromkeys(ids))  # keep order, drop repeats

    def dump(self, value: tuple[str, ...]) -> JSON:
        return list(value)


class DateListSpec(Spec[tuple[date, ...]]):
    """A set of calendar dates, stored sorted and without repeats."""

    def __init__(self, max_items: int) -> None:
        self.max_items = max_items

    def clean(self, name: str, value: object) -> tuple[date, ...]:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValidationError(name, f"should be a list of dates, not {_type_name(value)}.")
        if len(value) > self.max_items:
            raise ValidationError(name, f"has {len(value)} dates; the limit is {self.max_items}.")
        return tuple(sorted({parse_date(f"{name}[{i}]", item) for i, item in enumerate(value)}))

    def dump(self, value: tuple[date, ...]) -> JSON:
        return [d.isoformat() for d in value]


class OptionalTimeSpec(Spec["time | None"]):
    def __init__(self) -> None:
        self.inner = TimeSpec()

    def clean(self, name: str, value: object) -> time | None:
        if value is None or value == "":
            return None
        return self.inner.clean(name, value)

    def dump(self, value: time | None) -> JSON:
        return None if value is None else self.inner.dump(value)


@dataclasses.dataclass(frozen=True, slots=True)
class DatedNote:
    """A short dated note, such as a progress note on a goal."""

    on: date
    text: str


class NoteListSpec(Spec[tuple[DatedNote, ...]]):
    def __init__(self, max_items: int, max_len: int) -> None:
        self.max_items = max_items
        self.text = TextSpec(max_len, required=True, multiline=True)

    def clean(self, name: str, value: object) -> tuple[DatedNote, ...]:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValidationError(name, f"should be a list of notes, not {_type_name(value)}.")
        if len(value) > self.max_items:
            raise ValidationError(name, f"has {len(value)} notes; the limit is {self.max_items}.")
        notes = []
        for i, item in enumerate(value):
            where = f"{name}[{i}]"
            on: object
            body: object
            if isinstance(item, DatedNote):
                on, body = item.on, item.text
            elif isinstance(item, Mapping) and set(item) <= {"on", "text"}:
                on, body = item.get("on"), item.get("text")
            else:
                raise ValidationError(where, "should have just a date ('on') and 'text'.")
            notes.append(
                DatedNote(parse_date(f"{where}.on", on), self.text.clean(f"{where}.text", body))
            )
        return tuple(notes)

    def dump(self, value: tuple[DatedNote, ...]) -> JSON:
        return [{"on": n.on.isoformat(), "text": n.text} for n in value]


@dataclasses.dataclass(frozen=True, slots=True)
class StatusChange:
    """One step in a record's status history: when, the status, and a short note."""

    on: date
    status: Any
    note: str = ""


class StatusHistorySpec(Spec[tuple[StatusChange, ...]]):
    """A dated list of status changes, oldest first, each status one of ``enum_cls``."""

    def __init__(self, enum_cls: type[enum.Enum], max_items: int, max_len: int) -> None:
        self.status = ChoiceSpec(enum_cls)
        self.max_items = max_items
        self.text = TextSpec(max_len, required=False, multiline=True)

    def clean(self, name: str, value: object) -> tuple[StatusChange, ...]:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValidationError(name, f"should be a list of changes, not {_type_name(value)}.")
        if len(value) > self.max_items:
            raise ValidationError(name, f"has {len(value)} changes; the limit is {self.max_items}.")
        changes: list[StatusChange] = []
        for i, item in enumerate(value):
            where = f"{name}[{i}]"
            if isinstance(item, StatusChange):
                on, status, body = item.on, item.status, item.note
            elif isinstance(item, Mapping) and {"on", "status"} <= set(item) <= {
                "on",
                "status",
                "note",
            }:
                on, status, body = item["on"], item["status"], item.get("note", "")
            else:
                raise ValidationError(where, "should have a date ('on'), a 'status' and a 'note'.")
            change = StatusChange(
                parse_date(f"{where}.on", on),
                self.status.clean(f"{where}.status", status),
                self.text.clean(f"{where}.note", body),
            )
            if changes and change.on < changes[-1].on:
                raise ValidationError(f"{where}.on", "is earlier than the change before it.")
            changes.append(change)
        return tuple(changes)

    def dump(self, value: tuple[StatusChange, ...]) -> JSON:
        return [{"on": c.on.isoformat(), "status": c.status.value, "note": c.note} for c in value]


# ---------------------------------------------------------------------------
# Declaring fields. Each helper returns a dataclasses.field carrying its Spec.


def _field(spec: Spec[Any], default: Any = dataclasses.MISSING, **kw: Any) -> Any:
    return dataclasses.field(default=default, metadata={"spec": spec}, **kw)


def text(max_len: int, *, required: bool = False, multiline: bool = False) -> Any:
    return _field(TextSpec(max_len, required=required, multiline=multiline), "")


def day(*, required: bool = False) -> Any:
    """A calendar date. Required dates have no default."""
    if required:
        return _field(DateSpec(required=True))
    return _field(DateSpec(required=False), None)


def moment() -> Any:
    return _field(MomentSpec())


def optional_moment() -> Any:
    return _field(OptionalMomentSpec(), None)


def clock() -> Any:
    return _field(TimeSpec())


def optional_clock() -> Any:
    return _field(OptionalTimeSpec(), None)


def days(max_items: int = 500) -> Any:
    return _field(DateListSpec(max_items), ())


def choice(enum_cls: type[E], default: E | None = None) -> Any:
    return _field(ChoiceSpec(enum_cls), dataclasses.MISSING if default is None else default)


def optional_choice(enum_cls: type[E]) -> Any:
    return _field(OptionalChoiceSpec(enum_cls), None)


def whole(low: int, high: int, default: int | None = None) -> Any:
    return _field(IntSpec(low, high), dataclasses.MISSING if default is None else default)


def number(low: float, high: float, default: float) -> Any:
    return _field(NumberSpec(low, high), default)


def flag(default: bool = False) -> Any:
    return _field(FlagSpec(), default)


def ref(*, required: bool = True) -> Any:
    if required:
        return _field(IdSpec(required=True))
    return _field(IdSpec(required=False), None)


def refs(max_items: int = 50) -> Any:
    return _field(IdListSpec(max_items), ())


def notes(max_items: int = 500, max_len: int = 4000) -> Any:
    return _field(NoteListSpec(max_items, max_len), ())


def history(enum_cls: type[enum.Enum], max_items: int = 500, max_len: int = 1000) -> Any:
    return _field(StatusHistorySpec(enum_cls, max_items, max_len), ())
