"""First run (create a vault), unlock, and the "unlocking…" screen.

Creating a vault and unlocking one both run scrypt, which takes a second or two,
so both happen in thread workers while a spinner shows; the UI never freezes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, LoadingIndicator, Static

from casetui.core.errors import ValidationError
from casetui.core.passphrase import assess
from casetui.core.records import Staff
from casetui.ui.safe_text import one_line, plain
from casetui.ui.widgets.chrome import DemoBanner
from casetui.ui.worker_errors import unexpected
from casetui.vault.errors import VaultBusy, VaultError, WrongKey
from casetui.vault.vault import Vault, passphrase_unlocker

if TYPE_CHECKING:
    from casetui.ui.app import CaseApp

CARD_CSS = """
    Center { height: 1fr; align: center middle; }
    .card {
        width: 72; max-width: 100%; height: auto;
        border: round $primary; background: $surface; padding: 1 2;
    }
    .card-title { text-style: bold; color: $primary; padding-bottom: 1; }
    .hint { color: $text-muted; }
    .problem { color: $error; text-style: bold; }
    .busy { height: 1; display: none; }
    .busy.shown { display: block; }
    LoadingIndicator { height: 1; }
"""


class OpeningScreen(Screen[None]):
    """Shown while a vault opens without a prompt (CASETUI_PASSPHRASE, --identity, demo)."""

    DEFAULT_CSS = CARD_CSS

    def compose(self) -> ComposeResult:
        app: CaseApp = self.app  # type: ignore[assignment]
        if app.demo:
            yield DemoBanner()
        with Center(), Vertical(classes="card"):
            yield Static("Unlocking your vault…", id="opening", classes="card-title")
            yield LoadingIndicator(id="spinner")
            yield Static("", id="problem", classes="problem")
        yield Footer(show_command_palette=False)

    def failed(self, error: VaultError) -> None:
        self.query_one("#spinner").display = False
        self.query_one("#opening", Static).update("The vault could not be opened.")
        self.query_one("#problem", Static).update(
            one_line(f"{error} Press ctrl+q to close casetui.")
        )


class UnlockScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", priority=True, id="unlock.quit"),
    ]
    DEFAULT_CSS = CARD_CSS

    def __init__(self, vault_path: Path, *, message: str = "") -> None:
        super().__init__()
        self.vault_path = vault_path
        self.message = message

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="card"):
            yield Static("Unlock your vault", classes="card-title")
            if self.message:
                yield Static(plain(self.message), classes="hint")
            yield Label("Passphrase")
            yield Input(password=True, id="passphrase", placeholder="Type it, then press Enter")
            yield Static("", id="problem", classes="problem")
            with Vertical(id="busy", classes="busy"):
                yield LoadingIndicator()
            yield Static(one_line(f"Vault: {self.vault_path}"), classes="hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        # The box may already be gone if the screen was dismissed as it appeared.
        for box in self.query("#passphrase").results(Input):
            box.focus()
        self._check_busy()

    def _check_busy(self) -> None:
        """Say up front if another casetui has the vault open; this one will only look."""
        from casetui.vault.lock import holder
        from casetui.vault.vault import VaultPaths

        app: CaseApp = self.app  # type: ignore[assignment]
        if app.demo:
            return
        busy = holder(VaultPaths(self.vault_path).lock)
        if busy is not None:
            app.read_only = True
            self.query_one("#problem", Static).update(
                one_line(
                    f"This vault is open elsewhere{busy}. Unlock to look at it read-only: "
                    "nothing can be changed or saved here."
                )
            )

    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self.query_one("#problem", Static).update("Type your passphrase first.")
            return
        box = self.query_one("#passphrase", Input)
        box.disabled = True
        self.query_one("#problem", Static).update("Unlocking…")
        self.query_one("#busy").add_class("shown")
        app: CaseApp = self.app  # type: ignore[assignment]
        app.open_vault(passphrase_unlocker(event.value))

    def failed(self, error: VaultError) -> None:
        self.query_one("#busy").remove_class("shown")
        box = self.query_one("#passphrase", Input)
        box.disabled = False
        box.value = ""
        box.focus()
        if isinstance(error, WrongKey):
            text = "That passphrase did not unlock this vault. Check Caps Lock and try again."
        elif isinstance(error, VaultBusy):
            text = (
                f"{error.message.split(';')[0]}. Type the passphrase again to open it "
                "read-only: nothing can be changed or saved here."
            )
        else:
            text = str(error)
        self.query_one("#problem", Static).update(one_line(text))


class LockScreen(UnlockScreen):
    """The quick-hide and idle lock: plain and unremarkable, with no names or paths."""

    def _check_busy(self) -> None:
        """This app still holds the writer lock while it saves and lets go; not a second user."""

    def __init__(self, vault_path: Path, *, message: str = "", needs_passphrase: bool = True):
        super().__init__(vault_path, message=message)
        self.needs_passphrase = needs_passphrase

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="card"):
            yield Static("Locked", classes="card-title")
            if self.message:
                yield Static(plain(self.message), classes="hint")
            if self.needs_passphrase:
                yield Label("Passphrase")
                yield Input(password=True, id="passphrase", placeholder="Type it, then press Enter")
            else:
                yield Input(password=True, id="passphrase", placeholder="Press Enter to go on")
            yield Static("", id="problem", classes="problem")
            with Vertical(id="busy", classes="busy"):
                yield LoadingIndicator()
        yield Footer(show_command_palette=False)

    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.needs_passphrase and not event.value:
            self.query_one("#problem", Static).update("Type your passphrase first.")
            return
        box = self.query_one("#passphrase", Input)
        box.disabled = True
        self.query_one("#busy").add_class("shown")
        app: CaseApp = self.app  # type: ignore[assignment]
        app.unlock_after_lock(event.value)


class SetupScreen(Screen[None]):
    """First run: who are you, and a passphrase typed twice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", priority=True, id="setup.quit"),
        Binding("ctrl+s", "create", "Create vault", priority=True, id="setup.create"),
    ]
    DEFAULT_CSS = CARD_CSS

    def __init__(self, vault_path: Path) -> None:
        super().__init__()
        self.vault_path = vault_path

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="card"):
            yield Static("Welcome to casetui", classes="card-title")
            yield Static(
                "Your case notes are kept in one encrypted file on this computer. "
                "Choose a passphrase only you know: nobody, including casetui, can "
                "recover it for you.",
                classes="hint",
            )
            yield Label("Your name (as your clients know you)")
            yield Input(id="name", placeholder="e.g. Sam Rivera")
            yield Label("Passphrase")
            yield Input(password=True, id="passphrase", placeholder="Several words are easiest")
            yield Static("", id="strength", classes="hint")
            yield Label("Passphrase again")
            yield Input(password=True, id="again")
            yield Static("", id="problem", classes="problem")
            with Vertical(id="busy", classes="busy"):
                yield LoadingIndicator()
            yield Button("Create my vault", id="create", variant="primary")
            yield Static(one_line(f"It will be saved at {self.vault_path}"), classes="hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Changed, "#passphrase")
    def _strength(self, event: Input.Changed) -> None:
        if not event.value:
            self.query_one("#strength", Static).update("")
            return
        verdict = assess(event.value)
        self.query_one("#strength", Static).update(
            one_line(f"Strength: {verdict.strength}. {verdict.hint}")
        )

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "again":
            self.action_create()
        else:
            self.focus_next()

    @on(Button.Pressed, "#create")
    def _pressed(self) -> None:
        self.action_create()

    def _problem(self, text: str, focus: str) -> None:
        self.query_one("#problem", Static).update(one_line(text))
        self.query_one(f"#{focus}", Input).focus()

    def action_create(self) -> None:
        name = self.query_one("#name", Input).value
        passphrase = self.query_one("#passphrase", Input).value
        again = self.query_one("#again", Input).value
        try:
            Staff.create(name=name)
        except ValidationError as error:
            self._problem(f"Your name {error.problem}", "name")
            return
        verdict = assess(passphrase)
        if not verdict.acceptable:
            self._problem(verdict.hint, "passphrase")
            return
        if passphrase != again:
            self.query_one("#again", Input).value = ""
            self._problem("The two passphrases are different; type it again.", "again")
            return
        for widget in self.query(Input):
            widget.disabled = True
        self.query_one("#create", Button).disabled = True
        self.query_one("#problem", Static).update("Creating your vault…")
        self.query_one("#busy").add_class("shown")
        self._create(name, passphrase)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _create(self, name: str, passphrase: str) -> None:
        try:
            Vault.create(self.vault_path, passphrase, owner_name=name).close()
        except (VaultError, OSError) as error:
            self.app.call_from_thread(self._create_failed, str(error))
            return
        except Exception as error:
            sentence = unexpected("creating the vault", error)
            self.app.call_from_thread(self._create_failed, sentence)
            return
        self.app.call_from_thread(self._created)

    def _create_failed(self, reason: str) -> None:
        self.query_one("#busy").remove_class("shown")
        for widget in self.query(Input):
            widget.disabled = False
        self.query_one("#create", Button).disabled = False
        self._problem(reason, "name")

    def _created(self) -> None:
        self.app.switch_screen(
            UnlockScreen(
                self.vault_path,
                message="Your vault is ready. Unlock it with the passphrase you just chose.",
            )
        )
