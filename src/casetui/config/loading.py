"""Reading ``config.toml`` forgivingly.

A missing file means the defaults, and a broken one never stops casetui from
starting. Each problem becomes one plain sentence (a *notice*) saying what is
wrong and what to do, and only the broken parts fall back to their defaults.
Nothing here loads Textual, so ``casetui --help`` and ``casetui config`` stay
quick.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casetui.config.locations import config_path
from casetui.config.setting_kinds import FIX, FIX_READ, REJECTED, show
from casetui.config.settings import Settings, declared


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The settings in ``path`` (default: :func:`config_path`) and any notices.

    Never raises for a bad file: each problem gives one notice sentence and the
    default for the setting concerned. A missing file gives the defaults and no
    notices.
    """
    settings, notices, _text = read_settings_file(path)
    return settings, notices


def read_settings_file(path: Path | None = None) -> tuple[Settings, list[str], str | None]:
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
            f"settings — {FIX_READ}."
        )
        return Settings(), [notice], None
    name = path.name
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        notice = (
            f"{name} is not a text file (it is not UTF-8), so casetui is using the default "
            f"settings — {FIX}."
        )
        return Settings(), [notice], None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail, line = _describe_toml_error(exc, text)
        notice = (
            f"{name} line {line}: this is not valid TOML ({detail}), so casetui is using "
            f"the default settings — {FIX}."
        )
        return Settings(), [notice], text
    settings, notices = settings_from(data, text, name)
    return settings, notices, text


def settings_from(data: dict[str, Any], text: str, name: str) -> tuple[Settings, list[str]]:
    """The settings in a parsed file (``text``, called ``name``), and its notices."""
    notices: list[str] = []

    def where(key: str, section: str | None = None) -> str:
        line = _find_line(text, key, section)
        return f"{name} line {line}" if line else name

    values: dict[str, Any] = {}
    defaults = Settings()
    for key, declaration in declared().items():
        if key not in data:
            continue
        value = declaration.kind.read(data[key])
        if value is REJECTED:
            notices.append(
                f"{where(key)}: {declaration.notice(key, data[key], getattr(defaults, key))}"
            )
        else:
            values[key] = value

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
                        f"not {show(keys)}, so that command keeps its usual keys — {FIX}."
                    )
        else:
            notices.append(
                f"{where('keymap')}: keymap should be a section that starts with the line "
                "[keymap] and has one command per line, so casetui is using its usual keys "
                f"— {FIX}."
            )

    funder_services: dict[str, str] = {}
    if "funder_services" in data:
        funder_services = _funder_services(data["funder_services"], where, notices)

    known = (*declared(), "keymap", "funder_services")
    for key in data:
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        notices.append(
            f"{where(key)}: casetui has no setting called {key!r}{hint}, so it is ignored — {FIX}."
        )

    return Settings(**values, keymap=keymap, funder_services=funder_services), notices


def _funder_services(
    value: object, where: Callable[..., str], notices: list[str]
) -> dict[str, str]:
    """The ``[funder_services]`` entries that can be used; a notice for each other."""
    from casetui.core.stats.service_events import ServiceMapError, service_map

    if not isinstance(value, dict):
        notices.append(
            f"{where('funder_services')}: funder_services should be a section that starts "
            "with the line [funder_services], with one kind of work per line, so the usual "
            f"counting is used — {FIX}."
        )
        return {}
    kept: dict[str, str] = {}
    for key, code in value.items():
        try:
            if not isinstance(code, str):
                raise ServiceMapError(
                    f'[funder_services] {key} should be a service code in quotes, such as "B4"'
                )
            service_map({key: code.strip()})
        except ServiceMapError as error:
            notices.append(
                f"{where(key, 'funder_services')}: {str(error).rstrip('.;')}, so it counts as "
                f"usual — {FIX}."
            )
            continue
        kept[key] = code.strip()
    return kept


def _clean_keys(keys: object) -> str | None:
    """``"slash, ctrl+f"`` as ``"slash,ctrl+f"``; None if it is not a list of key names."""
    if not isinstance(keys, str):
        return None
    parts = [part.strip() for part in keys.split(",")]
    if not parts or any(not part or any(ch.isspace() for ch in part) for part in parts):
        return None
    return ",".join(parts)


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


SECTION_HEADER = re.compile(r"^\s*\[\s*(?P<name>[^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _find_line(text: str, key: str, section: str | None = None) -> int | None:
    """The 1-based line where ``key`` is set (or its ``[key]`` section starts)."""
    assignment = re.compile(
        rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*="""
    )
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = SECTION_HEADER.match(line)
        if header:
            current = header.group("name").strip().strip("\"'")
            if section is None and current == key:
                return number
            continue
        if current == section and assignment.match(line):
            return number
    return None
