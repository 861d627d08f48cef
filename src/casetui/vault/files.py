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
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from casetui.vault.errors import SaveFailed

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
    target: Path, fill: Callable[[Sink], int | None], *, overwrite: bool = True
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
    """
    tmp = temp_name(target)
    sink: Sink | None = None
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            sink = Sink(fd)
            expected = fill(sink)
            os.fsync(fd)
            if isinstance(expected, int) and os.fstat(fd).st_size != expected:
                raise OSError(errno.EIO, "the file on disk came out incomplete")
        finally:
            os.close(fd)
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


def atomic_write(target: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Replace ``target`` with ``data``; see :func:`atomic_write_stream`."""
    atomic_write_stream(target, lambda sink: sink.write(data), overwrite=overwrite)


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


class TooLarge(OSError):
    """The file holds more than the caller will read."""


def read_limited(path: Path, limit: int) -> bytes:
    """Read a file the user named, refusing devices and anything over ``limit`` bytes.

    A size check before reading is not enough: ``/dev/zero`` and pipes report no
    size, and reading them whole would never end. A named pipe (as made by the
    shell's ``<(...)``) is read, up to ``limit``.
    """
    with path.open("rb") as fh:
        mode = os.fstat(fh.fileno()).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise NotAFile(errno.EINVAL, "not a file", str(path))
        if stat.S_ISREG(mode) and os.fstat(fh.fileno()).st_size > limit:
            raise TooLarge(errno.EFBIG, "too large", str(path))
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(errno.EFBIG, "too large", str(path))
    return data
