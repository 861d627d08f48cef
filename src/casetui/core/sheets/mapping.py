"""The mapping that turns a spreadsheet's columns into client records.

A mapping is a small TOML file. Every part is optional except the two columns
a client cannot do without (``preferred_name`` and ``intake_date``)::

    version = 1                       # this schema; 1 is the only version
    encoding = "auto"                 # "auto": UTF-8 (with or without a BOM), else
                                      # Windows-1252; or a codec such as "cp1252"
    delimiter = ","                   # ",", ";", "\\t" or "|"
    date_formats = ["%d/%m/%Y"]       # strptime formats, in order; YYYY-MM-DD always works

    [columns]                         # client field = "Column heading" (any case)
    preferred_name = "Name"
    intake_date = "Intake"
    case_manager = "Worker"           # a case manager's name
    victimization_types = "Harm"      # funders' lists: a code or the words on the form or
    age_group = "Age"                 # in the report ("Adult Sexual Assault"), several
    funding_sources = "Grant"         # separated by ";"; funding sources by their name

    [status]                          # more words for each status; the names
    active = ["open", "current"]      # active, on hold (on_hold) and closed always work
    on_hold = ["paused"]
    closed = ["done"]

    [legal_engagement]                # more words for not_engaged, considering, engaged
    engaged = ["yes"]

    [yes_no]                          # more words for yes and no; yes/no, y/n,
    yes = ["ok"]                      # true/false and 1/0 always work
    no = ["not ok"]

    [case_manager]
    default = "Priya Oakhaven"        # for rows without a case manager (else the vault's owner)
    create_missing = false            # true: a name no case manager has is added as one

Words and headings are matched ignoring case, repeated spaces, and ``_`` or
``-`` against a space. A key casetui does not know is an error that names the
key and its line, so a typing mistake never passes unnoticed.
"""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from casetui.core.choices import ClientStatus, LegalEngagement
from casetui.core.text import sanitise

MAPPING_VERSION = 1
#: Client fields a column can feed, and what kind of value each holds.
FIELD_KINDS: dict[str, str] = {
    "preferred_name": "text",
    "pronouns": "text",
    "intake_date": "date",
    "status": "status",
    "case_manager": "case manager",
    "language": "text",
    "interpreter_needed": "yes/no",
    "checkin_interval_days": "whole number",
    "calendar_code": "text",
    "may_call": "yes/no",
    "may_text": "yes/no",
    "may_leave_voicemail": "yes/no",
    "safe_contact_notes": "text",
    "culture_notes": "text",
    "faith_notes": "text",
    "legal_engagement": "legal engagement",
    "needs_reassessed_on": "date",
    # For funders' reports (see casetui.core.sheets.funder_cells): codes or words of
    # the lists in use; several separated by ";" where the field takes several.
    "victimization_types": "funders' choices",
    "age_group": "funders' choice",
    "gender_identity": "funders' choice",
    "race_ethnicity": "funders' choices",
    "special_classifications": "funders' choices",
    "funding_sources": "funding sources",
}
#: Columns that feed a client field of another name.
FIELD_TARGETS: dict[str, str] = {"funding_sources": "funding_source_ids"}
REQUIRED_FIELDS = ("preferred_name", "intake_date")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)
ISO_FORMAT = "%Y-%m-%d"
YES_WORDS = frozenset({"yes", "y", "true", "1"})
NO_WORDS = frozenset({"no", "n", "false", "0"})
MAX_WORD = 80
MAX_HEADING = 200
MAX_MAPPING_CHARS = 1 << 20

_TOP_KEYS = (
    "version",
    "encoding",
    "delimiter",
    "date_formats",
    "columns",
    "status",
    "legal_engagement",
    "yes_no",
    "case_manager",
)
_TABLES = ("columns", "status", "legal_engagement", "yes_no", "case_manager")


class MappingError(ValueError):
    """The mapping cannot be used. ``message`` is one sentence naming the place."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def fold(word: str) -> str:
    """How headings and words are compared: case, spacing, ``_`` and ``-`` do not matter."""
    cleaned = sanitise(word, multiline=False).casefold().replace("_", " ").replace("-", " ")
    return " ".join(cleaned.split())


def _builtin_words(enum_cls: type[ClientStatus] | type[LegalEngagement]) -> dict[str, Any]:
    words: dict[str, Any] = {}
    for member in enum_cls:
        words[fold(member.value)] = member
        words[fold(member.label)] = member
    return words


@dataclass(frozen=True, slots=True)
class SheetMapping:
    """A checked mapping. Words are stored folded (see :func:`fold`)."""

    columns: dict[str, str]
    encoding: str | None = None
    delimiter: str = ","
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    status_words: Mapping[str, ClientStatus] | None = None
    legal_words: Mapping[str, LegalEngagement] | None = None
    yes_words: frozenset[str] = YES_WORDS
    no_words: frozenset[str] = NO_WORDS
    default_case_manager: str | None = None
    create_case_managers: bool = False

    def statuses(self) -> Mapping[str, ClientStatus]:
        return self.status_words if self.status_words is not None else _builtin_words(ClientStatus)

    def legal(self) -> Mapping[str, LegalEngagement]:
        if self.legal_words is not None:
            return self.legal_words
        return _builtin_words(LegalEngagement)

    def all_date_formats(self) -> tuple[str, ...]:
        formats = self.date_formats
        return formats if ISO_FORMAT in formats else (*formats, ISO_FORMAT)


# -- reading a mapping -------------------------------------------------------------------

_TABLE_LINE = re.compile(r"^\s*\[\s*([^\[\]]*?)\s*\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')"
    r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*'))*)\s*="
)
_KEY_PART = re.compile(r"[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*'")


def _key_path(text: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _KEY_PART.findall(text))


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The first line (from 1) where each table and key path appears in TOML ``text``.

    A light scan, good enough to point at a key: tables, dotted keys and quoted
    keys are understood; keys inside inline tables are found through their parent.
    """
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _TABLE_LINE.match(line):
            table = _key_path(match.group(1))
            found.setdefault(table, number)
            continue
        if match := _KEY_LINE.match(line):
            path = table + _key_path(match.group(1))
            for end in range(len(table) + 1, len(path) + 1):
                found.setdefault(path[:end], number)
    return found


class _Reader:
    """Checks a parsed mapping, naming the file and line of anything wrong."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = key_lines(text)

    def where(self, path: Sequence[str]) -> str:
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return f"{self.name}, line {line}"
        return self.name

    def fail(self, path: Sequence[str], problem: str) -> MappingError:
        return MappingError(f"{self.where(path)}: {problem}")

    def unknown(self, path: Sequence[str], known: Iterable[str], what: str) -> MappingError:
        key = path[-1]
        shown = _shown(key)
        options = list(known)
        close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
        hint = f"the nearest is '{close[0]}'." if close else f"use one of: {', '.join(options)}."
        return self.fail(path, f"{shown} is not {what}; {hint}")

    def string(self, path: Sequence[str], value: object, limit: int = MAX_WORD) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"'{path[-1]}' should be text in quotes.")
        if not value.strip():
            raise self.fail(path, f"'{path[-1]}' is empty; fill it in or remove the line.")
        if len(value) > limit:
            raise self.fail(path, f"'{path[-1]}' is longer than {limit} characters.")
        return value

    def words(self, path: Sequence[str], value: object) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise self.fail(path, f"'{path[-1]}' should be a list of words in quotes.")
        out = []
        for item in items:
            if not isinstance(item, str) or len(item) > MAX_WORD:
                raise self.fail(
                    path, f"'{path[-1]}' should list words in quotes, each up to {MAX_WORD} long."
                )
            out.append(fold(item))
        return out

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail([key], f"'{key}' should be a table, written [{key}] on a line.")
        return value


def parse_mapping(text: str, name: str = "the mapping") -> SheetMapping:
    """Read and check a mapping. Raises :class:`MappingError` with one sentence."""
    if len(text) > MAX_MAPPING_CHARS:
        raise MappingError(f"{name} is larger than 1 MiB, which is far too big for a mapping.")
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{name} is not valid TOML ({exc}); fix that line.") from None
    read = _Reader(text.removeprefix("\ufeff"), name)
    for key in data:
        if key not in _TOP_KEYS:
            raise read.unknown([key], _TOP_KEYS, "a setting of a spreadsheet mapping")

    version = data.get("version", MAPPING_VERSION)
    if version != MAPPING_VERSION or isinstance(version, bool):
        raise read.fail(["version"], f"'version' should be {MAPPING_VERSION}.")

    encoding = _encoding(read, data.get("encoding", "auto"))
    delimiter = data.get("delimiter", ",")
    if delimiter not in DELIMITERS:
        raise read.fail(["delimiter"], 'the delimiter should be one of ",", ";", "\\t" or "|".')

    formats = data.get("date_formats", list(DEFAULT_DATE_FORMATS))
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list) or not formats:
        raise read.fail(["date_formats"], "'date_formats' should be a list such as [\"%d/%m/%Y\"].")
    date_formats = tuple(_date_format(read, item) for item in formats)

    columns: dict[str, str] = {}
    for field, heading in read.table(data, "columns").items():
        if field not in FIELD_KINDS:
            raise read.unknown(["columns", field], FIELD_KINDS, "a client field casetui can fill")
        columns[field] = read.string(["columns", field], heading, MAX_HEADING)
    for field in REQUIRED_FIELDS:
        if field not in columns:
            raise read.fail(
                ["columns"],
                f'[columns] needs {field} = "...", the heading of the column that holds it.',
            )

    statuses = _synonyms(read, data, "status", ClientStatus)
    legal = _synonyms(read, data, "legal_engagement", LegalEngagement)

    yes_words, no_words = set(YES_WORDS), set(NO_WORDS)
    for key, value in read.table(data, "yes_no").items():
        if key not in ("yes", "no"):
            raise read.unknown(["yes_no", key], ("yes", "no"), "a part of [yes_no]")
        (yes_words if key == "yes" else no_words).update(read.words(["yes_no", key], value))
    both = sorted(yes_words & no_words)
    if both:
        raise read.fail(["yes_no"], f"{_shown(both[0])} is listed as both yes and no.")

    default: str | None = None
    create = False
    for key, value in read.table(data, "case_manager").items():
        path = ["case_manager", key]
        if key == "default":
            default = sanitise(read.string(path, value, 120), multiline=False)
        elif key == "create_missing":
            if not isinstance(value, bool):
                raise read.fail(path, "'create_missing' should be true or false, without quotes.")
            create = value
        else:
            raise read.unknown(path, ("default", "create_missing"), "a part of [case_manager]")

    return SheetMapping(
        columns=columns,
        encoding=encoding,
        delimiter=delimiter,
        date_formats=date_formats,
        status_words=statuses,
        legal_words=legal,
        yes_words=frozenset(yes_words),
        no_words=frozenset(no_words),
        default_case_manager=default or None,
        create_case_managers=create,
    )


def _encoding(read: _Reader, value: object) -> str | None:
    name = read.string(["encoding"], value, 40)
    if name.strip().casefold() == "auto":
        return None
    try:
        info = codecs.lookup(name.strip())
        "a".encode(info.name)  # refuses codecs that are not text encodings, such as rot13
    except LookupError:
        raise read.fail(
            ["encoding"],
            f'{_shown(name)} is not a text encoding Python knows; try "utf-8" or "cp1252".',
        ) from None
    return info.name


def check_date_format(fmt: str) -> bool:
    """True when ``fmt`` writes and reads back a whole date (day, month and year)."""
    probe = date(2031, 11, 23)
    try:
        return datetime.strptime(probe.strftime(fmt), fmt).date() == probe
    except ValueError:
        return False


def _date_format(read: _Reader, value: object) -> str:
    fmt = read.string(["date_formats"], value, 40)
    if not check_date_format(fmt):
        raise read.fail(
            ["date_formats"],
            f"{_shown(fmt)} is not a date format that gives the day, month and year "
            '(such as "%d/%m/%Y").',
        )
    return fmt


def _synonyms(
    read: _Reader,
    data: Mapping[str, Any],
    section: str,
    enum_cls: type[ClientStatus] | type[LegalEngagement],
) -> dict[str, Any]:
    words = _builtin_words(enum_cls)
    builtin = dict(words)
    values = [m.value for m in enum_cls]
    for key, value in read.table(data, section).items():
        path = [section, key]
        if key not in values:
            raise read.unknown(path, values, f"a {section.replace('_', ' ')} casetui knows")
        member = enum_cls(key)
        for word in read.words(path, value):
            if words.get(word, member) is not member:
                owner = words[word].value
                if word in builtin:
                    raise read.fail(path, f"{_shown(word)} always means {owner}; remove it here.")
                raise read.fail(path, f"{_shown(word)} is listed under both {owner} and {key}.")
            words[word] = member
    return words


def _shown(value: str, limit: int = 40) -> str:
    """A value fit to quote in a message: single line, controls escaped, shortened."""
    cut = value[:limit]
    return repr(cut) + ("…" if len(value) > limit else "")
