"""Private, crash-safe file operations.

Every file casetui writes goes through :func:`atomic_write`: a temp file in the
same folder (created 0600, never readable by others), ``fsync``, ``os.replace``
over the target, then ``fsync`` of the folder so the rename itself is durable. A
crash at any point leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import select
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from casetui.core.errors import SaveFailed

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".tmp"


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) as 0700 folders. Existing folders are left as they are."""
    if path.is_dir():
        return
    ensure_private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=DIR_MODE)
        os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(target: Path) -> Path:
    """A fresh, hidden temp path beside ``target``."""
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def _describe_os_error(exc: OSError, target: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk holding {target.parent} is full; free some space and save again"
    if exc.errno == errno.EDQUOT:
        return f"your disk quota is used up on {target.parent}; free some space and save again"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"casetui may not write to {target.parent}; check the folder's permissions"
    if exc.errno == errno.EROFS:
        return f"{target.parent} is on a read-only disk"
    return f"the system reported: {exc.strerror or exc.__class__.__name__}"


class Sink:
    """A binary writer over a file descriptor that hashes what it writes."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        view = memoryview(data)
        total = len(view)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._hash.update(data)
        self.size += total
        return total

    def flush(self) -> None:
        """Data goes straight to the descriptor; fsync happens once, at the end."""

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def atomic_write_stream(
    target: Path,
    fill: Callable[[Sink], int | None],
    *,
    overwrite: bool = True,
    before_rename: Callable[[], None] | None = None,
) -> Sink:
    """Replace ``target`` with what ``fill`` writes, atomically and durably, as a 0600 file.

    ``fill`` writes into a :class:`Sink` on a fresh temp file beside ``target``; if
    it returns an int, that is the size the file must have. Then the temp file is
    fsynced, renamed over ``target`` and the folder fsynced.
    With ``overwrite=False`` an existing target is never replaced (the final step
    is a hard link, which fails if the name is taken). On any failure the temp
    file is removed and ``target`` is untouched; OS errors become
    :class:`SaveFailed` with a sentence that says what went wrong. Returns the
    sink, which knows the size and SHA-256 of what was written.
    The temp file is never opened through a link, and the rename replaces the
    name itself, never what a link points to; ``before_rename`` runs just before
    it, to check the target once more (its exception leaves the target untouched).
    """
    tmp = temp_name(target)
    try:
        sink = _fill_new_file(tmp, fill)
        if before_rename is not None:
            before_rename()
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)
            os.unlink(tmp)
        fsync_dir(target.parent)
    except FileExistsError:
        _discard(tmp)
        raise SaveFailed(
            f"{target} already exists; choose another name or remove it first."
        ) from None
    except OSError as exc:
        _discard(tmp)
        raise SaveFailed(
            f"Could not write {target.name}: {_describe_os_error(exc, target)}."
        ) from None
    except BaseException:
        _discard(tmp)
        raise
    return sink


def _fill_new_file(path: Path, fill: Callable[[Sink], int | None]) -> Sink:
    """Create ``path`` (0600, never through a link, never over a file), fill and fsync it.

    ``fill`` may return the size the file must have. OS errors are raised as they
    are; the caller removes the file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        sink = Sink(fd)
        expected = fill(sink)
        os.fsync(fd)
        if isinstance(expected, int) and os.fstat(fd).st_size != expected:
            raise OSError(errno.EIO, "the file on disk came out incomplete")
    finally:
        os.close(fd)
    return sink


def atomic_write(target: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Replace ``target`` with ``data``; see :func:`atomic_write_stream`."""
    atomic_write_stream(target, lambda sink: sink.write(data), overwrite=overwrite)


def describe_os_error(exc: OSError, target: Path) -> str:
    """What went wrong writing ``target``, and what to do, as part of a sentence."""
    return _describe_os_error(exc, target)


def write_failed(exc: OSError, target: Path, shown: str | None = None) -> SaveFailed:
    """The SaveFailed for an OS error writing ``target`` (named ``shown`` in the sentence)."""
    return SaveFailed(f"Could not write {shown or target.name}: {_describe_os_error(exc, target)}.")


def write_new(target: Path, fill: Callable[[Sink], int | None], *, shown: str) -> Sink:
    """Write a new file at ``target``, which must not exist, and fsync it; no rename.

    For a file that is put in place later by a hard link (see ``Vault.create``).
    ``fill`` is as for :func:`atomic_write_stream`. On any failure the file is
    removed; an OS error becomes :class:`SaveFailed`, naming the file as ``shown``.
    """
    try:
        sink = _fill_new_file(target, fill)
    except FileExistsError as exc:
        raise write_failed(exc, target, shown) from None
    except OSError as exc:
        _discard(target)
        raise write_failed(exc, target, shown) from None
    except BaseException:
        _discard(target)
        raise
    return sink


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def remove_stale_temps(target: Path) -> int:
    """Delete temp files a crashed writer left beside ``target``. Call only under the lock."""
    removed = 0
    for leftover in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed += 1
    return removed


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class HashingReader:
    """A binary reader over an open file that hashes what passes through it."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def is_private(path: Path) -> bool:
    """True when no one but the owner can read or write ``path``."""
    return (path.stat().st_mode & 0o077) == 0


class NotAFile(OSError):
    """The path names a device, socket or similar, not a file to read."""

    #: What the path is instead, for a message: "a device", "a named pipe", ...
    kind = "a device"


class TooLarge(OSError):
    """The file holds more than the caller will read."""


#: How long :func:`read_limited` waits for something to write to a named pipe
#: that nothing had open for writing, before it refuses the pipe.
PIPE_WAIT = 3.0


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _not_a_file(path: Path, kind: str) -> NotAFile:
    error = NotAFile(errno.EINVAL, "not a file", str(path))
    error.kind = kind
    return error


def _open_without_blocking(path: Path) -> tuple[int, int]:
    """Open ``path`` to read without waiting on a named pipe: its descriptor and mode.

    A plain ``open`` of a named pipe waits until something opens it for writing,
    which may be never. A folder raises IsADirectoryError, as ``open`` does.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd, mode


def open_regular(path: Path) -> BinaryIO:
    """Open a plain file to read; anything else raises NotAFile, and nothing blocks."""
    fd, mode = _open_without_blocking(path)
    try:
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, _kind(mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _wait_for_writer(fd: int, path: Path) -> bytes:
    """The first byte written to a named pipe, or b"" once a writer is there or it ended.

    A pipe something has open for writing (the shell's ``<(...)``) is then read as
    any program reads a pipe. One that nothing has open is given :data:`PIPE_WAIT`
    seconds for a writer to come and write, then refused.
    """
    try:
        first = os.read(fd, 1)
    except BlockingIOError:
        return b""  # a writer has it open and has not written yet
    if first:
        return first
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    if not poller.poll(int(PIPE_WAIT * 1000)):
        raise _not_a_file(path, "a named pipe that nothing writes to")
    return b""


def read_limited(path: Path, limit: int, *, pipes: bool = True) -> bytes:
    """Read a file the user named, refusing devices and anything over ``limit`` bytes.

    A size check before reading is not enough: ``/dev/zero`` and pipes report no
    size, and reading them whole would never end. A named pipe (as made by the
    shell's ``<(...)``) is read, up to ``limit``, unless ``pipes`` is False; one
    that nothing writes to is refused after a moment rather than waited on for ever.
    """
    fd, mode = _open_without_blocking(path)
    want = limit  # the size, for a file; the limit, for a pipe
    try:
        first = b""
        if stat.S_ISREG(mode):
            size = os.fstat(fd).st_size
            if size > limit:
                raise TooLarge(errno.EFBIG, "too large", str(path))
            want = size  # (a file still growing is caught by the length check below)
        elif stat.S_ISFIFO(mode) and pipes:
            first = _wait_for_writer(fd, path)
        else:
            raise _not_a_file(path, _kind(mode))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        # A file is read at its size plus one byte (a file that grew meanwhile goes on
        # below); a pipe in pieces. Never a buffer the size of the limit.
        data = first + fh.read(want + 1) if want < limit else first
        if want == limit or len(data) > want:
            buffer = bytearray(data)
            while len(buffer) <= limit:
                more = fh.read(min(limit + 1 - len(buffer), 1 << 20))
                if not more:
                    break
                buffer += more
            data = bytes(buffer)
    if len(data) > limit:
        raise TooLarge(errno.EFBIG, "too large", str(path))
    return data
