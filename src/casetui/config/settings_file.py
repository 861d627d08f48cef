"""Writing ``config.toml``: the defaults, all the settings, or only the changed lines.

Every write is atomic, as a 0600 file in a 0700 folder; tomli_w and the file
helpers are imported on use, so loading the settings stays quick.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from casetui.config.loading import SECTION_HEADER, read_settings_file, settings_from
from casetui.config.locations import config_path
from casetui.config.setting_kinds import FIX, FIX_READ
from casetui.config.settings import CHANGEABLE_IN_APP, DEFAULT_CONFIG_TEXT, Settings, declared

_SAVED_HEADER = """\
# casetui settings, saved by casetui. You may edit this file; lines that start
# with # are notes. Delete it and run "casetui config" to get the defaults back.

"""


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
    document: dict[str, Any] = {name: getattr(settings, name) for name in declared()}
    document["keymap"] = dict(sorted(settings.keymap.items()))
    if settings.funder_services:
        document["funder_services"] = dict(sorted(settings.funder_services.items()))
    return document


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
        settings, notices, text = read_settings_file(path)
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
    for advice in (f" — {FIX}", f" — {FIX_READ}"):
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
    settings, notices = settings_from(data, text, name)
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
            if SECTION_HEADER.match(line) or line.lstrip().startswith("[["):
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
