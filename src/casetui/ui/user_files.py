"""Files a person asks the app for: saved on this computer, or sent to their browser.

Every file the app makes at someone's request (a goal sheet, a calendar…) goes
through :func:`save_user_file`, so these rules hold for anything added later:

* Served to a browser (``casetui demo --web``), the person is not at this
  computer, so nothing they ask for is written to its disk: the file goes to
  their browser as a download, or is refused. Whether the app is served is
  decided by how it was started (Textual's web driver, and the environment the
  demo's server gives it), never by anything a visitor sends.
* On this computer, the path typed is untrusted: the vault's own files, links
  and anything but an ordinary file are refused, the name keeps the ending its
  format needs, and a file is replaced only after a confirmation that names it
  (see :mod:`casetui.vault.destinations`).
"""

from __future__ import annotations

import io
import ipaddress
import os
import re
import shlex
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from casetui.core.errors import ValidationError, VaultError
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.worker_errors import guarded
from casetui.vault.destinations import check_destination, write_user_file

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from casetui.ui.session import Session

T = TypeVar("T")

#: Set by ``casetui demo --web`` for the demos it starts: they are served.
SERVED_ENV = "CASETUI_SERVED"

SERVED_REFUSAL = (
    "This demo is served to a browser, and files cannot be sent to it from here; "
    "try this in casetui on your own computer."
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def is_served(app: Session) -> bool:
    """True when the app runs for a browser, not in a terminal on this computer."""
    return app.is_web or bool(os.environ.get(SERVED_ENV))


@dataclass(frozen=True, slots=True)
class UserFile:
    """A file someone asked for: where they want it, and what it must look like."""

    out: Path
    #: Names it in sentences: "the goal sheet".
    what: str
    #: The endings its format allows; the first is the usual one.
    suffixes: tuple[str, ...]
    mime_type: str


@dataclass(frozen=True, slots=True)
class Saved:
    """Where the file went: ``path`` on this computer, or None when sent to the browser."""

    path: Path | None
    name: str

    @property
    def where(self) -> str:
        """``to /home/robin/sheet.html`` or ``to your browser, as sheet.html``."""
        return f"to {self.path}" if self.path is not None else f"to your browser, as {self.name}"

    def fetch_hint(self, env: Mapping[str, str] | None = None) -> str:
        """Over SSH, how to copy the file to one's own computer; "" otherwise.

        The file was written on the server, not in front of the person: they need
        ``scp HOST:PATH .`` on their own computer to print it.
        """
        if self.path is None:
            return ""
        command = scp_command(self.path, os.environ if env is None else env)
        if command is None:
            return ""
        return (
            "You are connected over SSH, so it is on that computer, not yours; to copy it "
            f"to yours, run this in a terminal on your own computer: {command}"
        )


def ssh_host(env: Mapping[str, str]) -> str | None:
    """This computer's address as an SSH session sees it, or None when not over SSH.

    ``SSH_CONNECTION`` is "client-address client-port server-address server-port"; the
    server address is the one the person reached. Without it (only ``SSH_CLIENT``),
    this computer's name.
    """
    connection = env.get("SSH_CONNECTION", "").split()
    if len(connection) == 4:
        try:
            address = ipaddress.ip_address(connection[2].split("%", 1)[0])
        except ValueError:
            pass
        else:
            return f"[{address}]" if address.version == 6 else str(address)
    if connection or env.get("SSH_CLIENT", "").strip():
        return socket.gethostname() or None
    return None


def scp_command(path: Path, env: Mapping[str, str]) -> str | None:
    """``scp USER@HOST:PATH .`` for a file on this computer, when over SSH; else None.

    The account is named too: the one on this computer is often not the one on theirs.
    """
    host = ssh_host(env)
    if host is None:
        return None
    user = env.get("USER") or env.get("LOGNAME") or ""
    account = f"{user}@" if user and _PLAIN_ACCOUNT.match(user) else ""
    return f"scp {shlex.quote(f'{account}{host}:{path}')} ."


_PLAIN_ACCOUNT = re.compile(r"^[A-Za-z0-9._][A-Za-z0-9._-]*$")


def typed_path(text: str, field: str = "out") -> Path:
    """The absolute path someone typed (``~`` expanded); a ValidationError if it cannot be."""
    try:
        return Path(text).expanduser().absolute()
    except RuntimeError:  # ~name, for a name with no home folder here
        raise ValidationError(
            field, "starts with ~ and a name this computer does not know; give the whole path."
        ) from None


def check_typed_file(out: Path, field: str = "out") -> None:
    """A form error, at once, for a typed path that can never be written.

    The full check (the vault's own files, and again just before writing) is
    :func:`casetui.vault.destinations.check_destination`; this one keeps the form
    open with the field marked.
    """
    if out.is_dir():
        raise ValidationError(field, "is a folder; give the name of the file to write.")
    if out.is_symlink():
        raise ValidationError(
            field,
            "is a link to another file; casetui does not write through links, so choose "
            "another name.",
        )
    if not out.parent.is_dir():
        raise ValidationError(field, "is in a folder that does not exist.")


def safe_name(text: str) -> str:
    """The last part of a typed path, in plain ASCII letters, digits, dots and dashes.

    Folders are dropped (a browser decides where its downloads go), and so are
    characters a download header or a file system could misread; "" if none is left.
    """
    name = _UNSAFE.sub("-", Path(text.replace("\\", "/")).name)
    name = re.sub(r"-+\.", ".", re.sub(r"-{2,}", "-", name))
    return name.strip(".-")


def browser_name(text: str, suffixes: Sequence[str]) -> str:
    """A safe download name for a file of ``suffixes`` (the first is the usual one)."""
    name = safe_name(text)
    if not name.lower().endswith(tuple(s.lower() for s in suffixes)):
        name = (name or "casetui") + suffixes[0]
    return name


def save_user_file(
    app: Session,
    file: UserFile,
    make: Callable[[], tuple[bytes, T]],
    done: Callable[[Saved, T], None],
    *,
    doing: str,
    failed: str,
    group: str,
    ready: Callable[[], bool] = lambda: True,
) -> None:
    """Make ``file`` in a worker and save it where it may go; then call ``done``.

    ``make`` (run in a worker thread) returns the bytes and anything ``done``
    needs; ``ready`` is asked on the UI thread just before the worker starts and
    says why not itself. ``doing`` names the job for a crash report ("printing the
    goal sheet"); ``failed`` is the title of a notification that it went wrong.
    """
    job = _Job(app, file, make, done, doing, failed, group, ready)
    if is_served(app):
        if not app.is_web:  # served, but with no browser to send a file to
            app.notify(SERVED_REFUSAL, title=failed, severity="warning", markup=False)
            return
        job.start(None)
        return
    try:
        check_destination(
            app.require_vault(), file.out, overwrite=True, what=file.what, suffixes=file.suffixes
        )
    except VaultError as error:
        app.notify(error.message, title=failed, severity="error", markup=False)
        return
    if not os.path.lexists(file.out):
        job.start(False)
        return

    def decided(replace: bool | None) -> None:
        if replace:
            job.start(True)

    app.push_screen(
        ConfirmScreen(
            "Replace the existing file?",
            f"{file.out} already exists. Replacing it cannot be undone.",
            yes="Replace it",
            no="Keep it",
        ),
        decided,
    )


@dataclass(frozen=True, slots=True)
class _Job(Generic[T]):
    app: Session
    file: UserFile
    make: Callable[[], tuple[bytes, T]]
    done: Callable[[Saved, T], None]
    doing: str
    failed: str
    group: str
    ready: Callable[[], bool]

    def start(self, overwrite: bool | None) -> None:
        """Run the worker: to the browser when ``overwrite`` is None, else to the disk."""
        if not self.ready():
            return
        vault = self.app.require_vault()

        def job() -> None:
            try:
                data, result = self.make()
                if overwrite is not None:
                    file = self.file
                    write_user_file(
                        file.out,
                        data,
                        overwrite=overwrite,
                        what=file.what,
                        suffixes=file.suffixes,
                        vault=vault,
                    )
            except (VaultError, OSError, ValueError) as error:
                self.tell(str(error), "error")
                return
            if overwrite is not None:
                saved = Saved(self.file.out, self.file.out.name)
            else:
                saved = Saved(None, browser_name(self.file.out.name, self.file.suffixes))
                if not self.app.call_from_thread(self.deliver, saved.name, data):
                    self.tell(SERVED_REFUSAL, "warning")
                    return
            self.app.call_from_thread(self.done, saved, result)

        self.app.run_worker(
            guarded(self.app, self.doing, job),
            thread=True,
            group=self.group,
            exit_on_error=False,
        )

    def tell(self, sentence: str, severity: SeverityLevel) -> None:
        """Say from the worker that it did not work."""
        self.app.call_from_thread(
            self.app.notify, sentence, title=self.failed, severity=severity, markup=False
        )

    def deliver(self, name: str, data: bytes) -> bool:
        """Hand ``data`` to the browser as a download; False if there is no browser."""
        if not self.app.is_web:
            return False
        key = self.app.deliver_binary(
            io.BytesIO(data), save_filename=name, mime_type=self.file.mime_type
        )
        return key is not None
