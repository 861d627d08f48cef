"""The casetui Textual application: opening the vault, saving, and the screens.

All encryption and disk work runs in thread workers (``_open_vault``, ``_save``);
the UI thread only touches the in-memory records, which are guarded by the
vault's mutex. A failed save leaves every edit in memory, says why in the status
line and a notification, and ``ctrl+s`` retries.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from casetui.config import Settings
from casetui.ui.commands import ClientCommands
from casetui.vault.errors import VaultError, WrongKey
from casetui.vault.vault import Unlocker, Vault


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
    ]

    save_state: reactive[SaveState] = reactive(SaveState(True, ""), init=False)

    def __init__(
        self,
        vault_path: Path,
        *,
        settings: Settings | None = None,
        unlocker: Unlocker | None = None,
        vault: Vault | None = None,
        demo: bool = False,
        today: date | None = None,
        notices: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.vault_path = vault_path
        self.settings = settings or Settings()
        self.preset_unlocker = unlocker
        self.vault: Vault | None = vault
        self.demo = demo
        self._today = today
        self.startup_notices = list(notices or [])
        self.owner_id: str | None = None
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)

    # -- basics ---------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self._today or date.today()

    def require_vault(self) -> Vault:
        if self.vault is None:
            raise RuntimeError("no vault is open")
        return self.vault

    def on_mount(self) -> None:
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
        return notices

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_vault(self, unlocker: Unlocker) -> None:
        """Unlock and read the vault off the UI thread (scrypt takes a second or two)."""
        try:
            vault = Vault.open(self.vault_path, unlocker)
        except VaultError as error:
            self.call_from_thread(self._open_failed, error)
            return
        self.call_from_thread(self.vault_opened, vault)

    def _open_failed(self, error: VaultError) -> None:
        from casetui.ui.screens.unlock import OpeningScreen, UnlockScreen

        screen = self.screen
        if isinstance(screen, OpeningScreen) and isinstance(error, WrongKey) and not self.demo:
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

        self.vault = vault
        owner = vault.owner_staff_id
        self.owner_id = owner if owner in vault.repo.staff else None
        self.save_state = SaveState(True, "All changes saved")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(CaseloadScreen())
        if self.settings.home == "today":
            self.show_today()

    # -- saving ---------------------------------------------------------------------

    def changed(self) -> None:
        """Call after every write to the records: saves in a worker."""
        self.save_state = SaveState(True, "Saving…")
        self._save()

    @work(thread=True, group="save", exit_on_error=False)
    def _save(self) -> None:
        vault = self.require_vault()
        try:
            vault.save()
        except VaultError as error:
            self.call_from_thread(self._save_failed, str(error))
            return
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

    def action_save_now(self) -> None:
        if self.vault is not None and self.vault.writable:
            self.changed()

    # -- crashes --------------------------------------------------------------------

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
        the code locations.
        """
        error = self._exception
        frames = traceback.extract_tb(error.__traceback__) if error is not None else []
        where = "\n".join(f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames[-8:])
        kind = type(error).__name__ if error is not None else "unknown"
        self._exit_renderables.append(
            Text(
                f"casetui stopped because of an internal error ({kind}). Changes saved before "
                "it are safe on disk. Where it happened (no case details are shown):\n" + where,
                end="",
            )
        )
        self._close_messages_no_wait()

    # -- leaving --------------------------------------------------------------------

    async def action_quit(self) -> None:
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
        from casetui.ui.screens.confirm import ConfirmScreen

        def decided(leave: bool | None) -> None:
            if leave:
                self.exit(1)

        self.push_screen(
            ConfirmScreen(
                "Quit without saving?",
                "Your latest changes could not be written to disk, so they would be lost. "
                "Choose No to stay and press ctrl+s to try again.",
                yes="Quit and lose them",
                no="Stay",
            ),
            decided,
        )

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
        from casetui.ui.screens.client import ClientScreen
        from casetui.ui.screens.partners import PartnersScreen
        from casetui.ui.screens.today import TodayScreen

        if self.vault is None or client_id not in self.vault.repo.clients:
            return
        self._pop_to(lambda s: isinstance(s, TodayScreen | PartnersScreen))
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
            yield SystemCommand("Save now", "Write all changes to the vault", self.action_save_now)
        yield SystemCommand("Keys and help", "Show every key on this screen", self.action_help)

    def run_on_vault(self, change: Callable[[Vault], object]) -> bool:
        """Apply an in-memory change, report a refusal in one sentence, then save."""
        vault = self.require_vault()
        try:
            change(vault)
        except (VaultError, ValueError) as error:
            self.notify(str(error), title="Nothing was changed", severity="error", markup=False)
            return False
        self.changed()
        return True
