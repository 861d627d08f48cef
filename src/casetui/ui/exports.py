"""Exporting a file for the user: make it in a worker, save it, note it in the audit trail, say so.

The calendar export and the goal sheet both go this way; only what they make and
what they say differs. Where a file may go, and sending it to a browser, is
:mod:`casetui.ui.user_files`'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from casetui.core.choices import AuditAction
from casetui.ui.session import Session
from casetui.ui.user_files import Saved, UserFile, save_user_file

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export tells once its file is saved."""

    #: The audit trail entry's detail.
    detail: str
    #: The notification: its title and sentence, and how long it shows (None: as usual).
    title: str
    message: str
    timeout: float | None = None


def export_file(
    app: Session,
    file: UserFile,
    make: Callable[[], tuple[bytes, T]],
    told: Callable[[Saved, T], Exported],
    *,
    action: AuditAction,
    client_id: str | None = None,
    doing: str,
    failed: str,
    group: str,
    ready: Callable[[], bool] = lambda: True,
) -> None:
    """Make ``file`` in a worker and save it; then record ``action`` and notify.

    ``make`` (run in a worker thread) returns the bytes and anything ``told``
    needs to say what was done; the rest is as for :func:`save_user_file`.
    """

    def done(saved: Saved, result: T) -> None:
        said = told(saved, result)
        app.record_event(action, said.detail, client_id=client_id)
        app.notify(said.message, title=said.title, markup=False, timeout=said.timeout)

    save_user_file(app, file, make, done, doing=doing, failed=failed, group=group, ready=ready)
