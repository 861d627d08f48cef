"""Leaving the app: ctrl+q, asking first when something would be lost, and a crash."""

from __future__ import annotations

import asyncio
import traceback
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.screen import Screen
from textual.worker import WorkerFailed

from casetui.core.errors import VaultError
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.lock_flow import unsaved_form
from casetui.ui.save_worker import SaveState


class Leaving:
    """How the app quits. ``app`` is the running ``CaseApp`` (it imports this module)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        #: The question ctrl+q is asking now, if any, so that it is never asked twice.
        self._quit_question: Screen[Any] | None = None

    async def ask_to_quit(self) -> None:
        """Quit, asking first while a form holds typed changes (as Esc does)."""
        app = self.app
        if any(screen is self._quit_question for screen in app.screen_stack):
            return  # the question is already asked: it is answered, not asked twice
        if unsaved_form(app):
            self._ask_to_leave_forms()
            return
        await self.quit()

    def _ask_to_leave_forms(self) -> None:
        async def decided(leave: bool | None) -> None:
            self._quit_question = None
            if leave:
                await self.quit()

        self._quit_question = ConfirmScreen(
            "Leave without saving?",
            "The changes in this form have not been saved.",
            yes="Discard changes",
            no="Keep editing",
        )
        self.app.push_screen(self._quit_question, decided)

    async def quit(self) -> None:
        """Quit as ctrl+q always has: save what the vault holds, then leave."""
        app = self.app
        await app.lock_flow.wait_for_lock()  # a lock still saving finishes first
        held = None if app.demo else app.lock_flow.held
        if app.vault is None and held is not None:
            try:
                await asyncio.to_thread(held.save)
            except VaultError:
                self._ask_to_quit_unsaved()
                return
            held.close()
            app.exit(0)
            return
        vault = app.vault
        if vault is None or not vault.writable or not vault.dirty:
            app.exit(0)
            return
        app.save_state = SaveState(True, "Saving before closing…")
        worker = app.saver.save()
        await worker.wait()
        if not vault.dirty:
            app.exit(0)
            return
        self._ask_to_quit_unsaved()

    def _ask_to_quit_unsaved(self) -> None:
        def decided(leave: bool | None) -> None:
            self._quit_question = None
            if leave:
                self.app.exit(1)

        self._quit_question = ConfirmScreen(
            "Quit without saving?",
            "Your latest changes could not be written to disk, so they would be lost. "
            "Choose No to stay and press ctrl+s to try again.",
            yes="Quit and lose them",
            no="Stay",
        )
        self.app.push_screen(self._quit_question, decided)


def crash_notice(error: BaseException, report: Path | None) -> Text:
    """What is printed when casetui stops on an internal error: no case details.

    Locals and exception messages can hold a client's details or a passphrase,
    and stderr is often captured to a log. This names only the error type and
    the code locations (see :mod:`casetui.crash` for the report).
    """
    if isinstance(error, WorkerFailed) and isinstance(error.error, Exception):
        error = error.error  # the worker's own error, with its traceback
    frames = traceback.extract_tb(error.__traceback__)
    where = "\n".join(f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames[-8:])
    sent = (
        f"A crash report without any case details is at\n  {report}\n"
        "Please send it with your report. "
        if report is not None
        else "Please report it; no case details are shown here. "
    )
    return Text(
        f"casetui stopped because of an internal error ({type(error).__name__}).\n"
        f"Changes saved before it are safe on disk.\n{sent}Where it happened:\n{where}",
        end="",
    )
