"""Crash reports that hold no case details.

When casetui meets an error it did not expect, it writes a short report that a
person can send with a bug report. Error messages and variable values can hold
a client's words or a passphrase, so the report never includes them: it names
the kinds of error, and the places in the code where they happened (file name,
line number, function), with the versions of casetui, Python and the platform.
No source lines are copied either.

Reports go to a ``crashes`` folder in casetui's state folder (from platformdirs:
``$XDG_STATE_HOME/casetui`` on Linux), or in ``$CASETUI_STATE_DIR`` when that is
set. The folder is 0700, each report 0600 and written atomically, and only the
newest :data:`KEEP` are kept.

Only the standard library and platformdirs are used, so this can run however
broken the rest of casetui is, and it never raises.
"""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

APP_NAME = "casetui"
STATE_DIR_ENV = "CASETUI_STATE_DIR"
CRASH_FOLDER = "crashes"
KEEP = 20
PREFIX = "crash-"
SUFFIX = ".txt"
#: At most this many errors of a chain (cause, context) are described ...
MAX_CHAIN = 8
#: ... each with at most this many frames, the ones nearest the error.
MAX_FRAMES = 60
PACKAGES = ("textual", "rich", "pyrage", "tinydb", "platformdirs")


def crash_dir() -> Path:
    """Where crash reports go: ``$CASETUI_STATE_DIR/crashes``, or the state folder's."""
    override = os.environ.get(STATE_DIR_ENV)
    if override:
        return Path(override).expanduser() / CRASH_FOLDER
    import platformdirs

    return platformdirs.user_state_path(APP_NAME, appauthor=False) / CRASH_FOLDER


def write_crash_report(error: BaseException) -> Path | None:
    """Write a report on ``error`` and return its path; None if it could not be written.

    Never raises (short of an interrupt): a crash report must not cause a crash.
    """
    try:
        folder = crash_dir()
        _private_dir(folder)
        now = datetime.now(UTC)
        name = f"{PREFIX}{now:%Y%m%d-%H%M%S-%f}-{os.getpid()}{SUFFIX}"
        path = folder / name
        _atomic_write(path, report_text(error, now).encode("utf-8"))
        _prune(folder, keep=KEEP)
    except Exception:
        return None
    return path


def report_text(error: BaseException, now: datetime | None = None) -> str:
    """The report: versions, the kinds of error and where they happened. No messages."""
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    lines = [
        "casetui crash report",
        "",
        "It holds no case details: no error messages, no variable values and no",
        "source lines, only the kinds of error and where in casetui's code they happened.",
        "",
        f"casetui:  {_casetui_version()}",
        f"Python:   {platform.python_version()} ({platform.python_implementation()})",
        f"Platform: {_platform()}",
        f"Packages: {_package_versions()}",
        f"Written:  {when}",
    ]
    for relation, exc in _chain(error):
        lines.append("")
        lines.append(f"{relation}: {_type_name(exc)}")
        frames = list(_frames(exc.__traceback__))
        if not frames:
            lines.append("  (no traceback)")
        if len(frames) > MAX_FRAMES:
            lines.append(f"  ... {len(frames) - MAX_FRAMES} earlier frames left out")
            frames = frames[-MAX_FRAMES:]
        lines.extend(f"  {file}:{line} in {function}" for file, line, function in frames)
    return "\n".join(lines) + "\n"


def _chain(error: BaseException) -> Iterator[tuple[str, BaseException]]:
    """The error, then what it wraps, was caused by, or happened while handling."""
    seen: set[int] = set()
    relation = "Error"
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < MAX_CHAIN:
        seen.add(id(current))
        yield relation, current
        # A wrapper that carries the original as ``.error`` (a failed worker does).
        wrapped = getattr(current, "error", None)
        if isinstance(wrapped, BaseException) and wrapped.__traceback__ is not None:
            relation, current = "Wrapping", wrapped
        elif current.__cause__ is not None:
            relation, current = "Caused by", current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            relation, current = "Raised while handling", current.__context__
        else:
            current = None


def _type_name(exc: BaseException) -> str:
    kind = type(exc)
    module = getattr(kind, "__module__", "")
    name = getattr(kind, "__qualname__", kind.__name__)
    return name if module in ("builtins", "", None) else f"{module}.{name}"


def _frames(tb: TracebackType | None) -> Iterator[tuple[str, int, str]]:
    """(file name, line, function) for each frame: read from the code objects only,
    never the frames' variables or the source files."""
    while tb is not None:
        code = tb.tb_frame.f_code
        function = getattr(code, "co_qualname", code.co_name)
        yield Path(code.co_filename).name, tb.tb_lineno, function
        tb = tb.tb_next


def _casetui_version() -> str:
    try:
        from casetui import __version__
    except Exception:
        return "unknown"
    return __version__


def _platform() -> str:
    try:
        return platform.platform(terse=True)
    except Exception:
        return sys.platform


def _package_versions() -> str:
    from importlib import metadata

    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except Exception:
            found.append(f"{name} (not found)")
    return ", ".join(found)


def _private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700; make ``path`` itself 0700."""
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    if path.is_symlink() or not path.is_dir():
        raise NotADirectoryError(path)
    if path.stat().st_mode & 0o777 != 0o700:
        path.chmod(0o700)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a fresh 0600 temp file beside ``path``, then rename it into place."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temp, flags, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _prune(folder: Path, *, keep: int) -> None:
    """Delete all but the newest ``keep`` reports (names sort by time)."""
    reports = sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    for old in reports[: max(0, len(reports) - keep)]:
        with contextlib.suppress(OSError):
            old.unlink()
