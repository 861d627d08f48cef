"""The casetui Textual application: opening the vault, and what the screens may ask of it.

All encryption and disk work runs in thread workers (``open_vault``, and the saves
in ``ui/saving.py``); the UI thread only touches the in-memory records, which are
guarded by the vault's mutex. The app keeps the composition and the life cycle;
each other job lives in a module of its own that the app hands it to: locking in
``lock_flow``, saving in ``saving``, quitting in ``leaving``, opening screens in
``navigation``, and the command palette's entries in ``palette``.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Concatenate, ParamSpec

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.driver import Driver
from textual.reactive import reactive
from textual.screen import Screen

from casetui.config.settings import Settings
from casetui.core.choices import AuditAction
from casetui.core.errors import OlderCopy, VaultBusy, VaultError, WrongKey
from casetui.crash import write_crash_report
from casetui.services.checkup import unlisted_keys
from casetui.ui.calendar_export import start_export
from casetui.ui.commands import ClientCommands
from casetui.ui.folder_sync import FolderSync
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.key_order import KeyOrder, is_ordered
from casetui.ui.leaving import Leaving, crash_notice
from casetui.ui.lock_flow import LockFlow, key_file_protected
from casetui.ui.navigation import Navigator
from casetui.ui.palette import palette_commands
from casetui.ui.reopening import OPENING, note_asked
from casetui.ui.resume import opening
from casetui.ui.save_worker import Saver, SaveState
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.help import HelpScreen
from casetui.ui.screens.unlock import OpeningScreen, SetupScreen, UnlockScreen
from casetui.ui.screens.who_are_you import ask_who_you_are
from casetui.ui.session import Section
from casetui.ui.settings_commands import change_settings
from casetui.ui.terminal import TerminalGone, lenient
from casetui.ui.themes import choose_theme, load_themes
from casetui.ui.worker_errors import tell, unexpected
from casetui.ui.writes import Writes
from casetui.vault.lock import holder
from casetui.vault.repository import Repository
from casetui.vault.unlocking import Unlocker
from casetui.vault.vault import Vault

P = ParamSpec("P")

#: What counts as someone using the app, for the idle lock.
INPUT_EVENTS = (
    events.Key,
    events.MouseDown,
    events.MouseMove,
    events.MouseScrollDown,
    events.MouseScrollUp,
)


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
        #: Locking, the idle lock, hang-ups and drafts.
        self.lock_flow = LockFlow(self)
        #: The save worker and the status line's state.
        self.saver = Saver(self)
        self.folder_sync = FolderSync(self)
        #: ctrl+q, and the questions it asks first.
        self.leaving = Leaving(self)
        #: Opens screens for ``show``, ``open_client``, ``go_back``…
        self.navigator = Navigator(self)
        #: Applies changes, saves them and tells the screens.
        self.writes = Writes(self)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.set_reactive(CaseApp.masked, self.settings.mask_clients if masked is None else masked)

    # -- basics ---------------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, but one byte from the terminal that is not UTF-8 cannot stop us."""
        return lenient(super().get_driver_class())

    @property
    def today(self) -> date:
        return self._today or date.today()

    def require_vault(self) -> Vault:
        if self.vault is None:
            raise RuntimeError("no vault is open")
        return self.vault

    def on_mount(self) -> None:
        self.lock_flow.watch_idle()
        self.lock_flow.listen_for_hang_up()
        for notice in self._apply_theme():
            self.notify(notice, severity="warning", timeout=10, markup=False)
        for notice in self.startup_notices:
            self.notify(notice, severity="warning", timeout=10, markup=False)
        if self.vault is not None:
            self.vault_opened(self.vault)
            return
        if self.preset_unlocker is not None:
            self.push_screen(OpeningScreen())
            self.open_vault(self.preset_unlocker)
        elif not self.vault_path.exists():
            self.push_screen(SetupScreen(self.vault_path))
        else:
            self.push_screen(UnlockScreen(self.vault_path))

    def _apply_theme(self) -> list[str]:
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
            change_settings(self, theme=theme)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_vault(self, unlocker: Unlocker) -> None:
        """Unlock and read the vault off the UI thread (scrypt takes a second or two)."""
        self.lock_flow.let_go_done.wait(timeout=60)
        try:
            vault = Vault.open(
                self.vault_path,
                unlocker,
                writable=not self.read_only,
                accept_older=self.accept_older,
                later=True,
            )
        except (VaultBusy, OlderCopy) as error:
            # Another casetui got there first, or this is an older copy than one seen
            # before: offer to look without changing anything.
            self.read_only = True
            self.call_from_thread(self.open_failed, error)
            return
        except VaultError as error:
            self.call_from_thread(self.open_failed, error)
            return
        except Exception as error:
            sentence = unexpected("opening the vault", error)
            self.call_from_thread(self.open_failed, VaultError(sentence))
            return
        try:
            vault.repo.build_indexes()  # here, off the UI thread, not in the first caseload
        except Exception as error:
            # Only a head start: the first query builds what is missing (and says so if it fails).
            tell(self, unexpected("preparing the caseload", error))
        if self.identity is not None:
            self.identity_protected = key_file_protected(self.identity)
        self.call_from_thread(self.vault_opened, vault)

    def open_failed(self, error: VaultError) -> None:
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
        self.locked = False
        self.last_input = self.clock()
        self.vault = vault
        self.writes.listen(vault)
        # A key read before the app started (--identity) goes with the vault on a lock.
        self.preset_unlocker = None
        if not vault.writable:
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
        self.folder_sync.start(vault)
        place, self.lock_flow.place = self.lock_flow.place, None
        if place is None and self.settings.home == "today":
            self.show("today")
        if self.owner_id is None:
            # No case manager of its own (made by init and import): ask who this is.
            ask_who_you_are(self, vault, caseload)
        self.lock_flow.find_draft(vault, place)

    async def run_action(
        self,
        action: Any,
        default_namespace: Any = None,
        namespaces: Any = None,
    ) -> bool:
        """Run an action, noting it so that a form it opens can be opened again after a lock."""
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

    def idle_seconds_left(self) -> float | None:
        return self.lock_flow.idle_seconds_left()

    def idle_warning_lead(self) -> float:
        return self.lock_flow.idle_warning_lead()

    def check_idle_lock(self) -> None:
        self.lock_flow.check_idle_lock()

    def on_unmount(self) -> None:
        self.lock_flow.stop()

    def on_terminal_gone(self, _message: TerminalGone) -> None:
        self.lock_flow.hang_up_soon()

    async def hang_up(self, signum: int = signal.SIGHUP) -> None:
        """The terminal went away: save what is in flight and exit, asking nothing."""
        await self.lock_flow.hang_up(signum)

    async def action_hide(self) -> None:
        if self.settings.hide_key_quits:
            await self.leaving.quit()  # at once: a question would leave the screen showing
            return
        self.lock("")

    def lock(self, message: str) -> None:
        self.lock_flow.lock(message)

    def unlock_after_lock(self, passphrase: str) -> None:
        self.lock_flow.unlock_after_lock(passphrase)

    # -- screen sharing -------------------------------------------------------------

    def action_toggle_mask(self) -> None:
        self.masked = not self.masked

    def watch_masked(self, masked: bool) -> None:
        """Say so, and close what cannot redraw itself; screens redraw themselves."""
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
        self.saver.changed()

    def record_event(
        self, action: AuditAction, detail: str = "", *, client_id: str | None = None
    ) -> None:
        """Add a session event to the audit trail and save it (not in a read-only session)."""
        self.saver.record_event(action, detail, client_id=client_id)

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
        error = self._exception
        if error is None or self._crash_reported:
            self._close_messages_no_wait()
            return
        self._crash_reported = True
        self._exit_renderables.append(crash_notice(error, write_crash_report(error)))
        self.error_console.soft_wrap = True  # the report's path stays whole, ready to copy
        self._close_messages_no_wait()

    # -- leaving --------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit, asking first while a form holds typed changes (as Esc does)."""
        await self.leaving.ask_to_quit()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # -- navigation: all of it, through one table (see ``ui/navigation.py``) -----------

    def show(self, section: Section) -> None:
        """Open one of the app's sections over the caseload."""
        self.navigator.show(section)

    def open_client(
        self, client_id: str, tab: str | None = None, record_id: str | None = None
    ) -> None:
        self.navigator.open_client(client_id, tab, record_id)

    def open_week(self, staff_id: str) -> None:
        self.navigator.open_week(staff_id)

    def open_team(self) -> None:
        self.navigator.open_team()

    def go_back(self) -> None:
        """Esc from a workspace: back to Today or the directory, else the caseload."""
        self.navigator.go_back()

    def export_calendar(self) -> None:
        """Write the owner's time blocks, meetings and check-ins to an .ics file."""
        start_export(self)

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        yield from super().get_system_commands(screen)
        yield from palette_commands(self)

    def write(
        self,
        operation: Callable[Concatenate[Repository, P], object],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> bool:
        """Run a service on the repository, then save (see :class:`Session`)."""
        return self.run_on_vault(lambda vault: operation(vault.repo, *args, **kwargs))

    def run_on_vault(self, change: Callable[[Vault], object]) -> bool:
        """Apply an in-memory change, report a refusal in one sentence, then save.

        Every screen showing records then hears ``RecordsChanged`` (see ``ui/writes.py``).
        """
        return self.writes.run(change)
