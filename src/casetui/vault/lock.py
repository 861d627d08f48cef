"""The writer lock: one process at a time may hold a vault open for writing.

The lock is a separate file beside the vault, locked with ``flock``. It is never
replaced or deleted, because replacing a locked file would let a second process
lock the new inode while the first still holds the old one. The kernel drops the
lock when the holder exits, even after SIGKILL, so a crash never leaves a vault
stuck. The file holds a note of who holds it, to make the "open elsewhere"
message useful: the account and computer at once, and the case manager's name
once the vault is unlocked (:meth:`VaultLock.name_holder`).

The note is plain text on disk, beside the encrypted vault, readable by anyone
who can read that folder. A case manager's name is staff data, and naming them
is the point of the note; client data never goes in it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import getpass
import json
import os
import socket
import stat
import time
from pathlib import Path

from casetui.core.errors import VaultBusy, VaultError
from casetui.core.text import sanitise
from casetui.files import FILE_MODE


class VaultLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._note: dict[str, object] = {}

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        fd = _open_lock_file(self.path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe_holder(fd)
            os.close(fd)
            raise VaultBusy(
                f"The vault is open elsewhere{holder}; close it there first, then try again."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        self._note = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "user": _user(),
            "since": time.strftime("%Y-%m-%d %H:%M", time.localtime()),
        }
        _write_note(fd, self._note)
        self._fd = fd

    def name_holder(self, name: str) -> None:
        """Add the case manager's name to the note, once the vault is unlocked.

        The note is plain text on disk: this must only ever be a staff member's name
        (``Vault.who()``), never anything about a client.
        """
        if self._fd is None or not name.strip():
            return
        self._note["name"] = sanitise(name, multiline=False)[:_NAME_LENGTH]
        _write_note(self._fd, self._note)

    def still_ours(self) -> bool:
        """True while the lock file on disk is the very file this process locked."""
        if self._fd is None:
            return False
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        held = os.fstat(self._fd)
        return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def holder(path: Path) -> str | None:
    """Who holds the writer lock at ``path`` (" by ana on desk-3 … since …"), or None if free.

    Tries the lock without waiting and lets go at once, so it never holds up the
    holder. The answer can be out of date a moment later; opening still decides.
    """
    try:
        fd = _open_lock_file(path, os.O_RDONLY)
    except (OSError, VaultError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _describe_holder(fd) or " by another casetui"
    except OSError:
        return None
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _open_lock_file(path: Path, flags: int) -> int:
    """Open the lock file without following a link, and only if it is a regular file.

    The lock note is truncated and rewritten, so a lock file that is a link would
    let anyone who can write in the vault's folder empty any file the owner can
    write. ``O_NONBLOCK`` keeps a named pipe from hanging the open.
    """
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise VaultError(_NOT_A_FILE.format(path=path)) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise VaultError(_NOT_A_FILE.format(path=path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


_NOT_A_FILE = (
    "The lock file {path} is a link or not a plain file, which casetui will not use; "
    "remove it (casetui makes a new one), then try again."
)


_NAME_LENGTH = 80


def _write_note(fd: int, note: dict[str, object]) -> None:
    """Write the note that names the holder (plain text: staff data only, never a client's).

    The flock is the lock; the note only names the holder for "open elsewhere".
    On a full disk (or used-up quota) the note cannot be written, and the vault
    must still open: its lock is held, and the note is just missing or cut short,
    which _describe_holder reads as "elsewhere", naming no one.
    """
    with contextlib.suppress(OSError):
        data = json.dumps(note).encode()
        # Written over the old note, then cut to length, so a reader never meets an
        # empty file while a note is being rewritten.
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _describe_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        name = str(info.get("name") or "")[:_NAME_LENGTH]
        user, host, pid = info.get("user"), info.get("host"), info.get("pid")
        account = " ".join(
            ([str(user)[:80]] if user else []) + ([f"on {str(host)[:80]}"] if host else [])
        )
        process = f"process {int(pid)}" if pid else ""
        parts = []
        if name:
            # The person first, then the account: "by Ana Ruiz, as ana on desk-3".
            parts.append(f"by {name}, as {account}" if account else f"by {name}")
        elif account:
            # Only the account is known: "by ana on desk-3".
            parts.append(f"by {account}" if user else account)
        if process:
            parts.append(f"({process})")
        if info.get("since"):
            parts.append(f"since {str(info['since'])[:80]}")
        return " " + sanitise(" ".join(parts), multiline=False) if parts else ""
    except (OSError, ValueError, TypeError, AttributeError):
        return ""
