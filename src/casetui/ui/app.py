"""The casetui Textual application: opening the vault, saving, and the screens.

All encryption and disk work runs in thread workers (``_open_vault``, ``_save``);
the UI thread only touches the in-memory records, which are guarded by the
vault's mutex. A failed save leaves every edit in memory, says why in the status
line and a notification, and ``ctrl+s`` retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Concatenate, ParamSpec

from rich.text import Text
from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from casetui.config import Settings
from casetui.core.choices import AuditAction
from casetui.core.errors import OlderCopy, VaultBusy, VaultError, WrongKey
from casetui.services.checkup import unlisted_keys
from casetui.ui.commands import ClientCommands
from casetui.ui.key_order import KeyOrder, is_ordered
from casetui.ui.resume import OPENING, Place, capture, note_asked, opening
from casetui.ui.safe_text import one_line
from casetui.ui.session import Section
from casetui.ui.terminal import LenientLinuxDriver, TerminalGone
from casetui.ui.worker_errors import tell, unexpected
from casetui.vault.repository import Repository
from casetui.vault.unlocking import Unlocker
from casetui.vault.vault import Vault

P = ParamSpec("P")

#: The countdown before the idle lock shows for this long (while a form holds changes).
IDLE_WARNING_SECONDS = 60.0

#: What counts as someone using the app, for the idle lock.
INPUT_EVENTS = (
    events.Key,
    events.MouseDown,
    events.MouseMove,
    events.MouseScrollDown,
    events.MouseScrollUp,
)


def _key_file_protected(path: Path) -> bool:
    """Whether a key file asks for its passphrase; if it cannot be read now, assume so."""
    from casetui.vault.keys import identity_file_is_protected

    try:
        return identity_file_is_protected(path)
    except VaultError:
        return True


@dataclass(frozen=True, slots=True)
class SaveState:
    ok: bool
    text: str


class CaseApp(App[int]):
    """casetui. Construct it with how to reach the vault; it opens it in a worker."""

    TITLE = "casetui"
    CSS_PATH = "casetui.tcss"
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {ClientCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit_ctrl_c"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+s", "save_now", "Save", show=False, id="app.save"),
        Binding("f12", "hide", "Hide the screen", show=False, priority=True, id="app.hide"),
        Binding(
            "f9",
            "toggle_mask",
            "Screen sharing: hide or show names",
            show=False,
            priority=True,
            id="app.mask",
        ),
    ]

    save_state: reactive[SaveState] = reactive(SaveState(True, ""), init=False)
    #: Screen sharing: clients appear only as their neutral calendar code, and
    #: notes are hidden. Every screen showing client text watches it.
    masked: reactive[bool] = reactive(False, init=False)

    def __init__(
        self,
        vault_path: Path,
        *,
        settings: Settings | None = None,
        unlocker: Unlocker | None = None,
        vault: Vault | None = None,
        demo: bool = False,
        read_only: bool = False,
        today: date | None = None,
        notices: list[str] | None = None,
        masked: bool | None = None,
        accept_older: bool = False,
        identity: Path | None = None,
    ) -> None:
        """``identity``: the key file (``--identity``) that ``unlocker`` read, if any.

        It is how this session unlocks again after a lock; the vault's passphrase
        may not be known to whoever holds that key.
        """
        super().__init__()
        self.vault_path = vault_path
        #: ``--accept-older-copy``: an older copy was put back on purpose.
        self.accept_older = accept_older
        self.settings = settings or Settings()
        self.preset_unlocker = unlocker
        #: How this session was unlocked, and so how its lock screen unlocks: the key
        #: file given with --identity, else (None) the vault's passphrase. A path,
        #: never a secret: the keys are let go with the vault on every lock.
        self.identity = identity
        #: Whether that key file needs its own passphrase; checked on each opening.
        self.identity_protected = True
        self.vault: Vault | None = vault
        self.demo = demo
        #: Open without the writer lock: nothing can be changed or saved. Set when
        #: asked for, or when another casetui already has the vault open.
        self.read_only = read_only
        #: Who had the vault open when this session fell back to read-only.
        self.read_only_because = ""
        self._today = today
        self.startup_notices = list(notices or [])
        self.owner_id: str | None = None
        #: Wall-clock time, so a laptop that slept past the idle limit locks on waking.
        self.clock: Callable[[], float] = time.time
        self.last_input = self.clock()
        self.locked = False
        self._idle_stop = threading.Event()
        #: Clear while a lock is still saving and letting go of the vault; opening
        #: waits for it, so this app never finds its own writer lock in the way.
        self._let_go_done = threading.Event()
        self._let_go_done.set()
        #: A vault kept in memory while locked, only when its last save failed (or in
        #: the demo, which has no passphrase): unlocking brings it back unchanged.
        self._held: Vault | None = None
        self._signals_before: dict[signal.Signals, Any] = {}
        self._hang_up_task: asyncio.Task[None] | None = None
        #: The question ctrl+q is asking now, if any, so that it is never asked twice.
        self._quit_question: Screen[Any] | None = None
        #: Where the person was when the app locked, to go back there on unlocking.
        #: Record ids only; a form's typed draft is sealed on disk (see ``lock``).
        self._place: Place | None = None
        #: The countdown shown before the idle lock, while a form holds typed changes.
        self._idle_warning: Screen[Any] | None = None
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.set_reactive(CaseApp.masked, self.settings.mask_clients if masked is None else masked)

    # -- basics ---------------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, but one byte from the terminal that is not UTF-8 cannot stop us."""
        from casetui.ui.terminal import lenient

        return lenient(super().get_driver_class())

    @property
    def today(self) -> date:
        return self._today or date.today()

    def require_vault(self) -> Vault:
        if self.vault is None:
            raise RuntimeError("no vault is open")
        return self.vault

    def on_mount(self) -> None:
        self._watch_idle()
        self._listen_for_hang_up()
        for notice in self._apply_theme():
            self.notify(notice, severity="warning", timeout=10, markup=False)
        for notice in self.startup_notices:
            self.notify(notice, severity="warning", timeout=10, markup=False)
        if self.vault is not None:
            self.vault_opened(self.vault)
            return
        from casetui.ui.screens.unlock import OpeningScreen, SetupScreen, UnlockScreen

        if self.preset_unlocker is not None:
            self.push_screen(OpeningScreen())
            self.open_vault(self.preset_unlocker)
        elif not self.vault_path.exists():
            self.push_screen(SetupScreen(self.vault_path))
        else:
            self.push_screen(UnlockScreen(self.vault_path))

    def _apply_theme(self) -> list[str]:
        from casetui.ui.themes import choose_theme, load_themes

        themes, notices = load_themes()
        for theme in themes:
            self.register_theme(theme)
        name, notice = choose_theme(self.settings.theme, set(self.available_themes))
        if notice:
            notices.append(notice)
        self.theme = name
        #: From here on, a theme picked in the app is saved (see ``watch_theme``).
        self._theme_applied = True
        return notices

    def watch_theme(self, theme: str) -> None:
        """Save a theme picked in the app ("Change theme") to the settings file."""
        if getattr(self, "_theme_applied", False) and theme != self.settings.theme:
            from casetui.ui.settings_commands import change_settings

            change_settings(self, theme=theme)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_vault(self, unlocker: Unlocker) -> None:
        """Unlock and read the vault off the UI thread (scrypt takes a second or two)."""
        self._let_go_done.wait(timeout=60)
        try:
            vault = Vault.open(
                self.vault_path,
                unlocker,
                writable=not self.read_only,
                accept_older=self.accept_older,
            )
        except (VaultBusy, OlderCopy) as error:
            # Another casetui got there first, or this is an older copy than one seen
            # before: offer to look without changing anything.
            self.read_only = True
            self.call_from_thread(self._open_failed, error)
            return
        except VaultError as error:
            self.call_from_thread(self._open_failed, error)
            return
        except Exception as error:
            sentence = unexpected("opening the vault", error)
            self.call_from_thread(self._open_failed, VaultError(sentence))
            return
        try:
            vault.repo.build_indexes()  # here, off the UI thread, not in the first caseload
        except Exception as error:
            # Only a head start: the first query builds what is missing (and says so if it fails).
            tell(self, unexpected("preparing the caseload", error))
        if self.identity is not None:
            self.identity_protected = _key_file_protected(self.identity)
        self.call_from_thread(self.vault_opened, vault)

    def _open_failed(self, error: VaultError) -> None:
        from casetui.ui.screens.unlock import OpeningScreen, UnlockScreen

        screen = self.screen
        if (
            isinstance(screen, OpeningScreen)
            and isinstance(error, VaultBusy | OlderCopy)
            and self.preset_unlocker is not None
        ):
            # Unlocked without a prompt: open read-only at once; the banner says so.
            self.open_vault(self.preset_unlocker)
        elif (
            isinstance(screen, OpeningScreen)
            and isinstance(error, WrongKey)
            and not self.demo
            and self.identity is None
        ):
            # A stale CASETUI_PASSPHRASE: ask instead of giving up.
            self.switch_screen(
                UnlockScreen(
                    self.vault_path,
                    message="The passphrase given to casetui did not unlock this vault. "
                    "Type it here instead.",
                )
            )
        elif isinstance(screen, UnlockScreen | OpeningScreen):
            screen.failed(error)

    def vault_opened(self, vault: Vault) -> None:
        from casetui.ui.screens.caseload import CaseloadScreen

        self.locked = False
        self.last_input = self.clock()
        self.vault = vault
        # A key read before the app started (--identity) goes with the vault on a lock.
        self.preset_unlocker = None
        if not vault.writable:
            from casetui.vault.lock import holder

            self.read_only_because = holder(vault.paths.lock) or ""
        hidden = unlisted_keys(vault)
        if hidden is not None:
            self.notify(
                hidden, title="A key not on the list", severity="warning", timeout=30, markup=False
            )
        self.record_event(AuditAction.UNLOCKED)
        owner = vault.owner_staff_id
        self.owner_id = owner if owner in vault.repo.staff else None
        self.save_state = SaveState(
            True, "All changes saved" if vault.writable else "Read-only: nothing is saved"
        )
        while len(self.screen_stack) > 1:
            self.pop_screen()
        caseload = CaseloadScreen()
        self.push_screen(caseload)
        place, self._place = self._place, None
        if place is None and self.settings.home == "today":
            self.show_today()
        if self.owner_id is None:
            # No case manager of its own (made by init and import): ask who this is.
            from casetui.ui.screens.who_are_you import ask_who_you_are

            ask_who_you_are(self, vault, caseload)
        self._find_draft(vault, place)

    # -- coming back where the person was -------------------------------------------

    @work(thread=True, group="resume", exit_on_error=False)
    def _find_draft(self, vault: Vault, place: Place | None) -> None:
        """Look for a form's sealed draft (off the UI thread), then go back to the place.

        A draft on disk wins over the place kept in memory: it holds the place too,
        and it may come from a session that lost its terminal.
        """
        from casetui.vault.drafts import read_draft

        found = None
        with contextlib.suppress(Exception):  # a draft is a courtesy: never stop opening
            found = read_draft(vault.vault_id, vault.keyring)
        if found is not None:
            place = Place.from_json(found)
        if place is not None:
            self.call_from_thread(self._go_back_to, vault, place, found is not None)

    @work(group="resume", exit_on_error=False)
    async def _go_back_to(self, vault: Vault, place: Place, from_disk: bool) -> None:
        from casetui.ui.resume import restore

        if self.vault is not vault:
            return  # locked again already; the draft stays for next time
        await restore(self, place)
        if from_disk:
            self._discard_draft(vault.vault_id)

    @work(thread=True, group="resume", exit_on_error=False)
    def _discard_draft(self, vault_id: str) -> None:
        from casetui.vault.drafts import discard_draft

        discard_draft(vault_id)

    def _seal_draft(self, vault: Vault, place: Place) -> str | None:
        """Seal ``place`` and its form to the vault's keys, off the UI thread.

        Returns a sentence saying what went wrong, or None when it is kept.
        """
        from casetui.vault.drafts import keep_draft

        try:
            keep_draft(vault.vault_id, vault.recipients, place.to_json())
        except VaultError as error:
            return f"The form you were filling in could not be kept: {error}"
        except Exception as error:
            return unexpected("keeping the form you were filling in", error)
        return None

    async def run_action(
        self,
        action: Any,
        default_namespace: Any = None,
        namespaces: Any = None,
    ) -> bool:
        """Run an action, noting it so that a form it opens can be opened again after a lock."""
        from casetui.ui.screens.confirm import ConfirmScreen

        how = opening(action, default_namespace)
        answering = isinstance(default_namespace, ConfirmScreen)
        if not answering:
            note_asked(None)  # a new action: an earlier unanswered question is not its own
        token = OPENING.set(how)
        try:
            return await super().run_action(action, default_namespace, namespaces)
        finally:
            OPENING.reset(token)
            if how is not None and isinstance(self.screen, ConfirmScreen):
                note_asked(how)  # it asked first; the form after the answer is its own

    # -- hiding and locking ---------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, INPUT_EVENTS):
            self.last_input = self.clock()
        if is_ordered(event):
            # One key at a time, each to what has the focus once the key before it has
            # been handled: keys typed after a Tab go to the next field (see key_order).
            order: KeyOrder | None = getattr(self, "_key_order", None)
            if order is None:
                order = self._key_order = KeyOrder(self, super().on_event)
            await order.take(event)
            return
        await super().on_event(event)

    def _watch_idle(self) -> None:
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
                        self.call_from_thread(self.check_idle_lock)
                    except RuntimeError:  # the app has closed
                        return

        threading.Thread(target=watch, name="casetui-idle-lock", daemon=True).start()

    def _idle_due(self) -> bool:
        return self.idle_seconds_left() == 0.0

    def idle_seconds_left(self) -> float | None:
        """Seconds until the idle lock, 0 when it is due, None when it does not apply."""
        minutes = self.settings.idle_lock_minutes
        if minutes <= 0 or self.vault is None or self.locked:
            return None
        return max(0.0, minutes * 60 - (self.clock() - self.last_input))

    def idle_warning_lead(self) -> float:
        """How long before the idle lock the countdown shows: a minute, or half the limit."""
        return min(IDLE_WARNING_SECONDS, self.settings.idle_lock_minutes * 30)

    def _in_warning_time(self) -> bool:
        """The last minute before the idle lock, with no countdown shown yet (any thread)."""
        left = self.idle_seconds_left()
        return (
            left is not None and 0 < left <= self.idle_warning_lead() and self._idle_warning is None
        )

    def _idle_warning_due(self) -> bool:
        """On the UI thread: the countdown is due, and a form holds typed changes."""
        return self._in_warning_time() and self._unsaved_form()

    def on_unmount(self) -> None:
        self._idle_stop.set()
        self._stop_hang_up_signals()

    # -- a terminal that goes away ---------------------------------------------------

    #: SIGHUP is a dropped SSH session or a closed terminal window; SIGTERM a shutdown.
    HANG_UP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)

    def _listen_for_hang_up(self) -> None:
        """While the app runs, a hang-up saves what is in flight and leaves quietly.

        Raising SystemExit from a plain signal handler (as before) stopped Textual
        anywhere, and a SIGCONT after it crashed Textual's resume. The loop's own
        handler runs between messages instead. Not in tests (headless), where the
        test runner's signals are its own.
        """
        if self.is_headless:
            return
        loop = asyncio.get_running_loop()
        for sig in self.HANG_UP_SIGNALS:
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

    def on_terminal_gone(self, _message: TerminalGone) -> None:
        self.hang_up_soon()

    def hang_up_soon(self, signum: int = signal.SIGHUP) -> None:
        """Called on the app's loop: start :meth:`hang_up`, once."""
        if self._hang_up_task is None:
            self._hang_up_task = asyncio.get_running_loop().create_task(self.hang_up(signum))

    async def hang_up(self, signum: int = signal.SIGHUP) -> None:
        """The terminal went away: save what is in flight and exit, asking nothing.

        The exit code is the shell's for the signal: 129 for SIGHUP (also when the
        input simply ended), 143 for SIGTERM.

        No one is there to answer a question or read a notification; the lock is
        released as the app closes (see ``launch.run_app``).
        """
        driver = self._driver
        if isinstance(driver, LenientLinuxDriver):
            driver.terminal_gone = True
        place = capture(self) if self.vault is not None and not self.demo else None
        for worker in list(self.workers):  # a lock still saving finishes first
            if worker.group == "lock" and not worker.is_finished:
                await worker.wait()
        if place is not None and place.form is not None and self.vault is not None:
            # A half-typed form comes back at the next unlock, sealed meanwhile.
            await asyncio.to_thread(self._seal_draft, self.vault, place)
        vault = self.vault if self.vault is not None else self._held
        if vault is not None and vault.writable and vault.dirty and not self.demo:
            # Nobody is there to tell: if this save fails, the change is lost, as it
            # would be anyway once the process is gone.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(vault.save)
        self.exit(128 + signum)

    def check_idle_lock(self) -> None:
        """Lock after ``idle_lock_minutes`` without input (0 never locks).

        While a form holds typed changes, a countdown shows for the last minute
        first; any key or mouse movement keeps working.
        """
        minutes = self.settings.idle_lock_minutes
        if self._idle_warning_due():
            from casetui.ui.screens.idle_warning import IdleWarningScreen

            def closed(_result: object) -> None:
                self._idle_warning = None

            self._idle_warning = IdleWarningScreen()
            self.push_screen(self._idle_warning, closed)
            return
        if self._idle_due():
            self.lock(
                "casetui locked itself after "
                f"{minutes} minute{'s' if minutes != 1 else ''} without use."
            )

    async def action_hide(self) -> None:
        if self.settings.hide_key_quits:
            await self._quit()  # at once: a question would leave the screen showing
            return
        self.lock("")

    def lock(self, message: str) -> None:
        """Clear the screen at once, then save and let go of the vault in a worker.

        Every screen (and so every widget holding client text) is removed, and so
        are notifications. The records, the caches and the key go with the vault.
        Only if the last save fails is the vault kept, unshown, so nothing is lost.
        """
        from casetui.ui.screens.unlock import LockScreen

        if self.vault is None or self.locked:
            return
        if self.vault.writable:
            why = "after a time without use" if message else "quick hide"
            self.vault.repo.record_event(AuditAction.LOCKED, detail=why)
        place = capture(self)
        self.locked = True
        self._idle_warning = None
        self.clear_notifications()
        # The screens uncovered on the way down are going too: they must not wake up
        # and reload from a vault that is no longer there.
        with self.prevent(events.ScreenResume):
            while len(self.screen_stack) > 1:
                self.pop_screen()
        self.title = self.TITLE
        self.sub_title = ""
        vault, self.vault, self.owner_id = self.vault, None, None
        self.push_screen(
            LockScreen(
                self.vault_path,
                message=message,
                needs_passphrase=not self.demo,
                key_file=self.identity,
                key_file_protected=self.identity_protected,
            )
        )
        # Where the person was comes back on unlocking. A form's typed words are
        # sealed to the vault's keys and written by the worker, never kept in the
        # clear; the demo's are fictional and stay in memory with its vault.
        self._place = place if self.demo or place.form is None else None
        self._let_go_done.clear()
        self._let_go(vault, None if self.demo or place.form is None else place)

    @work(thread=True, group="lock", exit_on_error=False)
    def _let_go(self, vault: Vault, draft: Place | None = None) -> None:
        try:
            if draft is not None:
                problem = self._seal_draft(vault, draft)
                if problem is not None:
                    self.call_from_thread(self._lock_message, problem)
            if self.demo:
                self._held = vault  # fictional data, and no passphrase to ask for
                return
            try:
                if vault.writable and vault.dirty:
                    vault.save()  # waits for a save already running
            except VaultError:
                self._held = vault
                self.call_from_thread(
                    self._lock_message,
                    "Your latest changes could not be saved yet. They are kept; unlock to "
                    "try again.",
                )
                return
            vault.close()
        except Exception as error:
            self._held = vault
            sentence = unexpected("locking", error)
            self.call_from_thread(self._lock_message, f"{sentence} Your changes are kept.")
        finally:
            self._let_go_done.set()

    def _lock_message(self, text: str) -> None:
        from casetui.ui.screens.unlock import LockScreen

        if isinstance(self.screen, LockScreen):
            self.screen.query_one("#problem", Static).update(one_line(text))

    def relock_unlocker(self, passphrase: str) -> Unlocker:
        """Unlock again the way this session was opened: its key file, or the passphrase.

        ``passphrase`` is the key file's own when it has one, and is unused when not.
        """
        from casetui.vault.unlocking import identity_unlocker, passphrase_unlocker

        if self.identity is not None:
            return identity_unlocker(self.identity, lambda: passphrase)
        return passphrase_unlocker(passphrase)

    def unlock_after_lock(self, passphrase: str) -> None:
        if self.demo and self._held is not None:
            held, self._held = self._held, None
            self.locked = False
            self.vault_opened(held)
            return
        if self._held is None:
            self.locked = False
            self.open_vault(self.relock_unlocker(passphrase))
            return
        self._check_passphrase(passphrase)

    @work(thread=True, group="lock", exit_on_error=False)
    def _check_passphrase(self, passphrase: str) -> None:
        """A held vault comes back only for a key that opens it, got the session's way."""
        from casetui.vault.keys import opens

        held = self._held
        if held is None:
            return
        try:
            keyring = self.relock_unlocker(passphrase)(held.paths)
            if not any(opens(entry, keyring) for entry in held.recipients):
                raise WrongKey(f"The {keyring.source} does not open this vault.")
        except VaultError as error:
            self.call_from_thread(self._open_failed, error)
            return
        except Exception as error:
            sentence = unexpected("checking the passphrase", error)
            self.call_from_thread(self._open_failed, VaultError(sentence))
            return
        self.call_from_thread(self._restore_held)

    def _restore_held(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        self.locked = False
        self.vault_opened(held)
        self.changed()

    # -- screen sharing -------------------------------------------------------------

    def action_toggle_mask(self) -> None:
        self.masked = not self.masked

    def watch_masked(self, masked: bool) -> None:
        """Say so, and close what cannot redraw itself; screens redraw themselves."""
        from textual.command import CommandPalette

        if masked:
            self.clear_notifications()  # a toast may name a client
            if isinstance(self.screen, CommandPalette):  # its list was made with names
                self.call_next(self.screen.run_action, "escape")
            self.notify(
                "Clients show as their neutral calendar code, and notes are hidden.",
                title="Screen sharing on",
                timeout=4,
                markup=False,
            )
        else:
            self.notify(
                "Names and notes are shown again.",
                title="Screen sharing off",
                timeout=4,
                markup=False,
            )

    # -- saving ---------------------------------------------------------------------

    def changed(self) -> None:
        """Call after every write to the records: saves in a worker."""
        self.save_state = SaveState(True, "Saving…")
        self._save()

    @work(thread=True, group="save", exit_on_error=False)
    def _save(self, quiet: bool = False) -> None:
        vault = self.require_vault()
        try:
            vault.save()
        except VaultError as error:
            self.call_from_thread(self._save_failed, str(error))
            return
        except Exception as error:
            self.call_from_thread(self._save_failed, unexpected("saving", error))
            return
        if not quiet:
            stamp = datetime.now().strftime("%H:%M")
            self.call_from_thread(self._saved, stamp)

    def _saved(self, stamp: str) -> None:
        vault = self.vault
        if vault is not None and not vault.dirty:
            self.save_state = SaveState(True, f"Saved {stamp}")

    def _save_failed(self, reason: str) -> None:
        self.save_state = SaveState(
            False, "Not saved: your changes are kept in memory. Press ctrl+s to try again."
        )
        self.notify(reason, title="Could not save", severity="error", timeout=15, markup=False)

    def record_event(
        self, action: AuditAction, detail: str = "", *, client_id: str | None = None
    ) -> None:
        """Add a session event to the audit trail and save it (not in a read-only session).

        The save is quiet: the status line keeps speaking of the user's own changes.
        """
        vault = self.vault
        if (
            vault is not None
            and vault.writable
            and vault.repo.record_event(action, detail=detail, client_id=client_id)
        ):
            self._save(quiet=True)

    def action_save_now(self) -> None:
        if self.vault is not None and self.vault.writable:
            self.changed()

    # -- crashes --------------------------------------------------------------------

    _crash_reported = False

    def _handle_exception(self, error: Exception) -> None:
        """Every unexpected error takes the safe path below, never a rich traceback."""
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._fatal_error()

    def _fatal_error(self) -> None:
        """Report a crash without Textual's traceback, which prints local variables.

        Locals and exception messages can hold a client's details or a passphrase,
        and stderr is often captured to a log. This names only the error type and
        the code locations, and writes a crash report that holds no more than that
        (see :mod:`casetui.crash`). Only the first error is reported.
        """
        from textual.worker import WorkerFailed

        from casetui.crash import write_crash_report

        error = self._exception
        if error is None or self._crash_reported:
            self._close_messages_no_wait()
            return
        self._crash_reported = True
        report = write_crash_report(error)
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
        self._exit_renderables.append(
            Text(
                f"casetui stopped because of an internal error ({type(error).__name__}).\n"
                f"Changes saved before it are safe on disk.\n{sent}Where it happened:\n{where}",
                end="",
            )
        )
        self.error_console.soft_wrap = True  # the report's path stays whole, ready to copy
        self._close_messages_no_wait()

    # -- leaving --------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit, asking first while a form holds typed changes (as Esc does)."""
        if any(screen is self._quit_question for screen in self.screen_stack):
            return  # the question is already asked: it is answered, not asked twice
        if self._unsaved_form():
            self._ask_to_leave_forms()
            return
        await self._quit()

    def _unsaved_form(self) -> bool:
        """Whether any form in the stack holds changes that were typed but not saved."""
        from casetui.ui.screens.form import FormScreen

        return any(
            isinstance(screen, FormScreen) and screen.is_mounted and screen.changed
            for screen in self.screen_stack
        )

    def _ask_to_leave_forms(self) -> None:
        from casetui.ui.screens.confirm import ConfirmScreen

        async def decided(leave: bool | None) -> None:
            self._quit_question = None
            if leave:
                await self._quit()

        self._quit_question = ConfirmScreen(
            "Leave without saving?",
            "The changes in this form have not been saved.",
            yes="Discard changes",
            no="Keep editing",
        )
        self.push_screen(self._quit_question, decided)

    async def _quit(self) -> None:
        """Quit as ctrl+q always has: save what the vault holds, then leave."""
        for worker in list(self.workers):  # a lock still saving finishes first
            if worker.group == "lock" and not worker.is_finished:
                await worker.wait()
        held = None if self.demo else self._held
        if self.vault is None and held is not None:
            try:
                await asyncio.to_thread(held.save)
            except VaultError:
                self._ask_to_quit_unsaved()
                return
            held.close()
            self.exit(0)
            return
        vault = self.vault
        if vault is None or not vault.writable or not vault.dirty:
            self.exit(0)
            return
        self.save_state = SaveState(True, "Saving before closing…")
        worker = self._save()
        await worker.wait()
        if not vault.dirty:
            self.exit(0)
            return
        self._ask_to_quit_unsaved()

    def _ask_to_quit_unsaved(self) -> None:
        from casetui.ui.screens.confirm import ConfirmScreen

        def decided(leave: bool | None) -> None:
            self._quit_question = None
            if leave:
                self.exit(1)

        self._quit_question = ConfirmScreen(
            "Quit without saving?",
            "Your latest changes could not be written to disk, so they would be lost. "
            "Choose No to stay and press ctrl+s to try again.",
            yes="Quit and lose them",
            no="Stay",
        )
        self.push_screen(self._quit_question, decided)

    def action_help(self) -> None:
        from casetui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # -- navigation -----------------------------------------------------------------

    # The stack is: the caseload at the bottom, then at most one of Today or the
    # partner directory, then at most one client workspace. Esc goes one step back.

    def _pop_to(self, keep: Callable[[Screen[Any]], bool]) -> None:
        while len(self.screen_stack) > 2 and not keep(self.screen):
            self.pop_screen()

    def open_client(
        self, client_id: str, tab: str | None = None, record_id: str | None = None
    ) -> None:
        from casetui.ui.screens.accreditation import AccreditationScreen
        from casetui.ui.screens.audit import AuditScreen
        from casetui.ui.screens.client import ClientScreen
        from casetui.ui.screens.partners import PartnersScreen
        from casetui.ui.screens.today import TodayScreen

        if self.vault is None or client_id not in self.vault.repo.clients:
            return
        keep = TodayScreen | PartnersScreen | AuditScreen | AccreditationScreen
        self._pop_to(lambda s: isinstance(s, keep))
        self.push_screen(ClientScreen(client_id, tab, record_id))

    def show_caseload(self) -> None:
        self._pop_to(lambda s: False)

    def show_today(self) -> None:
        from casetui.ui.screens.today import TodayScreen

        if self.vault is None:
            return
        self._pop_to(lambda s: False)
        self.push_screen(TodayScreen())

    def show_partners(self) -> None:
        from casetui.ui.screens.partners import PartnersScreen

        if self.vault is None:
            return
        self._pop_to(lambda s: False)
        self.push_screen(PartnersScreen())

    def show_week(self) -> None:
        """The vault owner's week of admin and self-care time."""
        from casetui.ui.screens.week import WeekScreen

        if self.vault is None:
            return
        if self.owner_id is None:
            self.notify(
                "This vault has no case manager of its own, so there is no week to show.",
                severity="warning",
                markup=False,
            )
            return
        self._pop_to(lambda s: False)
        self.push_screen(WeekScreen(self.owner_id))

    def show_team(self) -> None:
        from casetui.ui.screens.team import TeamScreen

        if self.vault is None:
            return
        self._pop_to(lambda s: False)
        self.push_screen(TeamScreen())

    def show_accreditation(self) -> None:
        """Every active client against the essential requirements."""
        from casetui.ui.screens.accreditation import AccreditationScreen

        if self.vault is None:
            return
        self._pop_to(lambda s: False)
        self.push_screen(AccreditationScreen())

    def show_stats(self) -> None:
        """De-identified counts for funders, with small counts suppressed."""
        from casetui.ui.screens.stats import StatsScreen

        if self.vault is None:
            return
        self._pop_to(lambda s: False)
        self.push_screen(StatsScreen())

    def show_audit(self) -> None:
        """The whole vault's audit trail."""
        from casetui.ui.screens.audit import AuditScreen

        if self.vault is None:
            return
        self._pop_to(lambda s: False)
        self.push_screen(AuditScreen())

    def export_calendar(self) -> None:
        """Write the owner's time blocks, meetings and check-ins to an .ics file."""
        from casetui.ui.calendar_export import start_export

        start_export(self)

    def go_back(self) -> None:
        """Esc from a workspace: back to Today or the directory, else the caseload."""
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def records_changed(self) -> None:
        """Tell every open list that its figures are out of date."""
        for screen in self.screen_stack:
            mark = getattr(screen, "mark_stale", None)
            if callable(mark):
                mark()

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        yield from super().get_system_commands(screen)
        if self.vault is not None:
            yield SystemCommand("Caseload", "Go to the caseload list", self.show_caseload)
            yield SystemCommand(
                "Today", "What needs doing today: check-ins, referrals, consents", self.show_today
            )
            yield SystemCommand(
                "My week", "Your admin, self-care and supervision time", self.show_week
            )
            yield SystemCommand(
                "Export calendar",
                "Your time blocks, planned meetings and check-ins as an .ics file",
                self.export_calendar,
            )
            yield SystemCommand(
                "Team (supervisor view)",
                "Every case manager's caseload, overdue check-ins and hours",
                self.show_team,
            )
            yield SystemCommand(
                "Partner directory",
                "Agencies and providers clients are referred to",
                self.show_partners,
            )
            yield SystemCommand(
                "Accreditation readiness",
                "Every active client against the standard's essential requirements",
                self.show_accreditation,
            )
            yield SystemCommand(
                "Funder statistics",
                "De-identified counts for a period, small counts suppressed",
                self.show_stats,
            )
            yield SystemCommand(
                "Audit trail",
                "Who changed what, and when, across the whole vault",
                self.show_audit,
            )
            yield SystemCommand("Save now", "Write all changes to the vault", self.action_save_now)
            from casetui.ui.settings_commands import settings_commands

            yield from settings_commands(self)
        if self.masked:
            yield SystemCommand(
                "Screen sharing: show names",
                "Show clients' names and notes again",
                self.action_toggle_mask,
            )
        else:
            yield SystemCommand(
                "Screen sharing: hide names",
                "Show clients only by their neutral calendar code, and hide notes",
                self.action_toggle_mask,
            )
        yield SystemCommand("Keys and help", "Show every key on this screen", self.action_help)

    def write(
        self,
        operation: Callable[Concatenate[Repository, P], object],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> bool:
        """Run a service on the repository, then save (see :class:`Session`)."""
        return self.run_on_vault(lambda vault: operation(vault.repo, *args, **kwargs))

    def show(self, section: Section) -> None:
        """Open one of the app's sections over the caseload."""
        {
            "caseload": self.show_caseload,
            "today": self.show_today,
            "partners": self.show_partners,
            "week": self.show_week,
            "team": self.show_team,
            "accreditation": self.show_accreditation,
            "stats": self.show_stats,
            "audit": self.show_audit,
        }[section]()

    def run_on_vault(self, change: Callable[[Vault], object]) -> bool:
        """Apply an in-memory change, report a refusal in one sentence, then save."""
        vault = self.require_vault()
        if not vault.writable:
            self.notify(
                "This session is read-only because this is an older copy of the vault, so "
                "nothing can be changed here; see 'casetui check' for what to do."
                if vault.older_copy() is not None
                else "This session is read-only because the vault is open elsewhere, so "
                "nothing can be changed here; close casetui there, then open it here again.",
                title="Nothing was changed",
                severity="warning",
                markup=False,
            )
            return False
        try:
            change(vault)
        except (VaultError, ValueError) as error:
            self.notify(str(error), title="Nothing was changed", severity="error", markup=False)
            return False
        self.changed()
        return True
