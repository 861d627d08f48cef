"""Locking and coming back: the idle lock, F12, a terminal that goes away, and drafts.

A lock clears the screen at once, then saves and lets go of the vault in a worker;
unlocking opens it again, or brings back the one held in memory when its last save
failed. Where the person was comes back too (see :mod:`casetui.ui.resume`), and a
form's typed words are sealed to the vault's keys meanwhile, never kept in the clear.

The app owns one :class:`LockFlow` and hands these jobs to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from casetui.core.choices import AuditAction
from casetui.core.errors import VaultError, WrongKey
from casetui.ui.forms.form import FormScreen
from casetui.ui.resume import Place, capture, restore
from casetui.ui.safe_text import one_line
from casetui.ui.screens.idle_warning import IdleWarningScreen
from casetui.ui.screens.unlock import LockScreen
from casetui.ui.terminal import LenientLinuxDriver
from casetui.ui.worker_errors import unexpected
from casetui.vault.drafts import discard_draft, keep_draft, read_draft
from casetui.vault.keys import identity_file_is_protected, opens
from casetui.vault.unlocking import Unlocker, identity_unlocker, passphrase_unlocker
from casetui.vault.vault import Vault

#: The countdown before the idle lock shows for this long (while a form holds changes).
IDLE_WARNING_SECONDS = 60.0

#: SIGHUP is a dropped SSH session or a closed terminal window; SIGTERM a shutdown.
HANG_UP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


def unsaved_form(app: App[Any]) -> bool:
    """Whether any form in the stack holds changes that were typed but not saved."""
    return any(
        isinstance(screen, FormScreen) and screen.is_mounted and screen.changed
        for screen in app.screen_stack
    )


class LockFlow:
    """Everything about locking for one app: its state, its workers and its signals.

    ``app`` is the running ``CaseApp`` (not imported here: it imports this module).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._idle_stop = threading.Event()
        #: Clear while a lock is still saving and letting go of the vault; opening
        #: waits for it, so this app never finds its own writer lock in the way.
        self.let_go_done = threading.Event()
        self.let_go_done.set()
        #: A vault kept in memory while locked, only when its last save failed (or in
        #: the demo, which has no passphrase): unlocking brings it back unchanged.
        self.held: Vault | None = None
        self._signals_before: dict[signal.Signals, Any] = {}
        self._hang_up_task: asyncio.Task[None] | None = None
        #: Where the person was when the app locked, to go back there on unlocking.
        #: Record ids only; a form's typed draft is sealed on disk (see ``lock``).
        self.place: Place | None = None
        #: The countdown shown before the idle lock, while a form holds typed changes.
        self._idle_warning: Screen[Any] | None = None

    # -- coming back where the person was -------------------------------------------

    def find_draft(self, vault: Vault, place: Place | None) -> None:
        """Look for a form's sealed draft (off the UI thread), then go back to the place."""
        self.app.run_worker(
            lambda: self._find_draft(vault, place),
            name="_find_draft",
            group="resume",
            thread=True,
            exit_on_error=False,
        )

    def _find_draft(self, vault: Vault, place: Place | None) -> None:
        """In a thread. A draft on disk wins over the place kept in memory: it holds
        the place too, and it may come from a session that lost its terminal.
        """
        found = None
        with contextlib.suppress(Exception):  # a draft is a courtesy: never stop opening
            found = read_draft(vault.vault_id, vault.keyring)
        if found is not None:
            place = Place.from_json(found)
        if place is not None:
            self.app.call_from_thread(self._go_back_to, vault, place, found is not None)

    def _go_back_to(self, vault: Vault, place: Place, from_disk: bool) -> None:
        self.app.run_worker(
            self._going_back(vault, place, from_disk),
            name="_go_back_to",
            group="resume",
            exit_on_error=False,
        )

    async def _going_back(self, vault: Vault, place: Place, from_disk: bool) -> None:
        if self.app.vault is not vault:
            return  # locked again already; the draft stays for next time
        await restore(self.app, place)
        if from_disk:
            self.app.run_worker(
                lambda: discard_draft(vault.vault_id),
                name="_discard_draft",
                group="resume",
                thread=True,
                exit_on_error=False,
            )

    def seal_draft(self, vault: Vault, place: Place) -> str | None:
        """Seal ``place`` and its form to the vault's keys, off the UI thread.

        Returns a sentence saying what went wrong, or None when it is kept.
        """
        try:
            keep_draft(vault.vault_id, vault.recipients, place.to_json())
        except VaultError as error:
            return f"The form you were filling in could not be kept: {error}"
        except Exception as error:
            return unexpected("keeping the form you were filling in", error)
        return None

    # -- the idle lock -----------------------------------------------------------------

    def watch_idle(self) -> None:
        """Check the idle limit every second from a quiet thread.

        A thread rather than an app timer: it reads the wall clock without waking
        the app every second, and it only calls in when the limit has passed, or
        when the warning before it is due.
        """
        stop = self._idle_stop

        def watch() -> None:
            while not stop.wait(1.0):
                if self._idle_due() or self._in_warning_time():
                    try:
                        self.app.call_from_thread(self.app.check_idle_lock)
                    except RuntimeError:  # the app has closed
                        return

        threading.Thread(target=watch, name="casetui-idle-lock", daemon=True).start()

    def stop(self) -> None:
        """The app is closing: stop the idle watcher, and give the signals back."""
        self._idle_stop.set()
        self._stop_hang_up_signals()

    def _idle_due(self) -> bool:
        return self.idle_seconds_left() == 0.0

    def idle_seconds_left(self) -> float | None:
        """Seconds until the idle lock, 0 when it is due, None when it does not apply."""
        app = self.app
        minutes = app.settings.idle_lock_minutes
        if minutes <= 0 or app.vault is None or app.locked:
            return None
        return max(0.0, minutes * 60 - (app.clock() - app.last_input))

    def idle_warning_lead(self) -> float:
        """How long before the idle lock the countdown shows: a minute, or half the limit."""
        return min(IDLE_WARNING_SECONDS, self.app.settings.idle_lock_minutes * 30)

    def _in_warning_time(self) -> bool:
        """The last minute before the idle lock, with no countdown shown yet (any thread)."""
        left = self.idle_seconds_left()
        return (
            left is not None and 0 < left <= self.idle_warning_lead() and self._idle_warning is None
        )

    def _idle_warning_due(self) -> bool:
        """On the UI thread: the countdown is due, and a form holds typed changes."""
        return self._in_warning_time() and unsaved_form(self.app)

    def check_idle_lock(self) -> None:
        """Lock after ``idle_lock_minutes`` without input (0 never locks).

        While a form holds typed changes, a countdown shows for the last minute
        first; any key or mouse movement keeps working.
        """
        minutes = self.app.settings.idle_lock_minutes
        if self._idle_warning_due():

            def closed(_result: object) -> None:
                self._idle_warning = None

            self._idle_warning = IdleWarningScreen()
            self.app.push_screen(self._idle_warning, closed)
            return
        if self._idle_due():
            self.lock(
                "casetui locked itself after "
                f"{minutes} minute{'s' if minutes != 1 else ''} without use."
            )

    # -- a terminal that goes away ---------------------------------------------------

    def listen_for_hang_up(self) -> None:
        """While the app runs, a hang-up saves what is in flight and leaves quietly.

        Raising SystemExit from a plain signal handler (as before) stopped Textual
        anywhere, and a SIGCONT after it crashed Textual's resume. The loop's own
        handler runs between messages instead. Not in tests (headless), where the
        test runner's signals are its own.
        """
        if self.app.is_headless:
            return
        loop = asyncio.get_running_loop()
        for sig in HANG_UP_SIGNALS:
            self._signals_before[sig] = signal.getsignal(sig)
            loop.add_signal_handler(sig, self.hang_up_soon, sig)

    def _stop_hang_up_signals(self) -> None:
        if not self._signals_before:
            return
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            for sig, before in self._signals_before.items():
                loop.remove_signal_handler(sig)
                if before is not None:  # None: set outside Python, nothing to put back
                    signal.signal(sig, before)  # asyncio leaves the default, which kills
        self._signals_before.clear()

    def hang_up_soon(self, signum: int = signal.SIGHUP) -> None:
        """Called on the app's loop: start the app's ``hang_up``, once."""
        if self._hang_up_task is None:
            self._hang_up_task = asyncio.get_running_loop().create_task(self.app.hang_up(signum))

    async def hang_up(self, signum: int = signal.SIGHUP) -> None:
        """The terminal went away: save what is in flight and exit, asking nothing.

        The exit code is the shell's for the signal: 129 for SIGHUP (also when the
        input simply ended), 143 for SIGTERM.

        No one is there to answer a question or read a notification; the lock is
        released as the app closes (see ``launch.run_app``).
        """
        app = self.app
        driver = app._driver
        if isinstance(driver, LenientLinuxDriver):
            driver.terminal_gone = True
        place = capture(app) if app.vault is not None and not app.demo else None
        await self.wait_for_lock()
        if place is not None and place.form is not None and app.vault is not None:
            # A half-typed form comes back at the next unlock, sealed meanwhile.
            await asyncio.to_thread(self.seal_draft, app.vault, place)
        vault = app.vault if app.vault is not None else self.held
        if vault is not None and vault.writable and vault.dirty and not app.demo:
            # Nobody is there to tell: if this save fails, the change is lost, as it
            # would be anyway once the process is gone.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(vault.save)
        app.exit(128 + signum)

    async def wait_for_lock(self) -> None:
        """Let a lock still saving finish first."""
        for worker in list(self.app.workers):
            if worker.group == "lock" and not worker.is_finished:
                await worker.wait()

    # -- locking -----------------------------------------------------------------------

    def lock(self, message: str) -> None:
        """Clear the screen at once, then save and let go of the vault in a worker.

        Every screen (and so every widget holding client text) is removed, and so
        are notifications. The records, the caches and the key go with the vault.
        Only if the last save fails is the vault kept, unshown, so nothing is lost.
        """
        app = self.app
        if app.vault is None or app.locked:
            return
        if app.vault.writable:
            why = "after a time without use" if message else "quick hide"
            app.vault.repo.record_event(AuditAction.LOCKED, detail=why)
        place = capture(app)
        app.locked = True
        self._idle_warning = None
        app.clear_notifications()
        # The screens uncovered on the way down are going too: they must not wake up
        # and reload from a vault that is no longer there.
        with app.prevent(events.ScreenResume):
            while len(app.screen_stack) > 1:
                app.pop_screen()
        app.title = app.TITLE
        app.sub_title = ""
        vault, app.vault, app.owner_id = app.vault, None, None
        app.push_screen(
            LockScreen(
                app.vault_path,
                message=message,
                needs_passphrase=not app.demo,
                key_file=app.identity,
                key_file_protected=app.identity_protected,
            )
        )
        # Where the person was comes back on unlocking. A form's typed words are
        # sealed to the vault's keys and written by the worker, never kept in the
        # clear; the demo's are fictional and stay in memory with its vault.
        self.place = place if app.demo or place.form is None else None
        self.let_go_done.clear()
        draft = None if app.demo or place.form is None else place
        app.run_worker(
            lambda: self._let_go(vault, draft),
            name="_let_go",
            group="lock",
            thread=True,
            exit_on_error=False,
        )

    def _let_go(self, vault: Vault, draft: Place | None = None) -> None:
        app = self.app
        try:
            if draft is not None:
                problem = self.seal_draft(vault, draft)
                if problem is not None:
                    app.call_from_thread(self._lock_message, problem)
            if app.demo:
                self.held = vault  # fictional data, and no passphrase to ask for
                return
            try:
                if vault.writable and vault.dirty:
                    vault.save()  # waits for a save already running
            except VaultError:
                self.held = vault
                app.call_from_thread(
                    self._lock_message,
                    "Your latest changes could not be saved yet. They are kept; unlock to "
                    "try again.",
                )
                return
            vault.close()
        except Exception as error:
            self.held = vault
            sentence = unexpected("locking", error)
            app.call_from_thread(self._lock_message, f"{sentence} Your changes are kept.")
        finally:
            self.let_go_done.set()

    def _lock_message(self, text: str) -> None:
        screen = self.app.screen
        if isinstance(screen, LockScreen):
            screen.query_one("#problem", Static).update(one_line(text))

    # -- unlocking again ---------------------------------------------------------------

    def relock_unlocker(self, passphrase: str) -> Unlocker:
        """Unlock again the way this session was opened: its key file, or the passphrase.

        ``passphrase`` is the key file's own when it has one, and is unused when not.
        """
        identity = self.app.identity
        if identity is not None:
            return identity_unlocker(identity, lambda: passphrase)
        return passphrase_unlocker(passphrase)

    def unlock_after_lock(self, passphrase: str) -> None:
        app = self.app
        if app.demo and self.held is not None:
            held, self.held = self.held, None
            app.locked = False
            app.vault_opened(held)
            return
        if self.held is None:
            app.locked = False
            app.open_vault(self.relock_unlocker(passphrase))
            return
        app.run_worker(
            lambda: self._check_passphrase(passphrase),
            name="_check_passphrase",
            group="lock",
            thread=True,
            exit_on_error=False,
        )

    def _check_passphrase(self, passphrase: str) -> None:
        """A held vault comes back only for a key that opens it, got the session's way."""
        app = self.app
        held = self.held
        if held is None:
            return
        try:
            keyring = self.relock_unlocker(passphrase)(held.paths)
            if not any(opens(entry, keyring) for entry in held.recipients):
                raise WrongKey(f"The {keyring.source} does not open this vault.")
        except VaultError as error:
            app.call_from_thread(app.open_failed, error)
            return
        except Exception as error:
            sentence = unexpected("checking the passphrase", error)
            app.call_from_thread(app.open_failed, VaultError(sentence))
            return
        app.call_from_thread(self._restore_held)

    def _restore_held(self) -> None:
        held, self.held = self.held, None
        if held is None:
            return
        app = self.app
        app.locked = False
        app.vault_opened(held)
        app.changed()


def key_file_protected(path: Path) -> bool:
    """Whether a key file asks for its passphrase; if it cannot be read now, assume so."""
    try:
        return identity_file_is_protected(path)
    except VaultError:
        return True
