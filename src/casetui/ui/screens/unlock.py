"""First run (create a vault), unlock, and the "unlocking…" screen.

Creating a vault and unlocking one both run scrypt, which takes a second or two,
so both happen in thread workers while a spinner shows; the UI never freezes.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, LoadingIndicator, Static

from casetui.config.locations import default_vault_path
from casetui.core.errors import OlderCopy, ValidationError, VaultBusy, VaultError, WrongKey
from casetui.core.passphrase import MIN_LENGTH, Assessment, assess
from casetui.core.records import Staff
from casetui.ui.safe_text import one_line, plain
from casetui.ui.session import session_of
from casetui.ui.widgets.chrome import DemoBanner
from casetui.ui.worker_errors import tell, unexpected
from casetui.vault.lock import holder
from casetui.vault.unlocking import passphrase_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths

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
        app = session_of(self.app)
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
        app = session_of(self.app)
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
        app = session_of(self.app)
        app.identity = None  # this session unlocks with the passphrase, and so will its lock
        app.open_vault(passphrase_unlocker(event.value))

    def failed(self, error: VaultError) -> None:
        self.query_one("#busy").remove_class("shown")
        box = self.query_one("#passphrase", Input)
        box.disabled = False
        box.value = ""
        box.focus()
        if isinstance(error, WrongKey):
            text = "That passphrase did not unlock this vault. Check Caps Lock and try again."
        elif isinstance(error, OlderCopy):
            text = (
                f"{error.message.split(':')[0]}. Type the passphrase again to open it "
                "read-only: nothing can be changed or saved here."
            )
        elif isinstance(error, VaultBusy):
            text = (
                f"{error.message.split(';')[0]}. Type the passphrase again to open it "
                "read-only: nothing can be changed or saved here."
            )
        else:
            text = str(error)
        self.query_one("#problem", Static).update(one_line(text))


class LockScreen(UnlockScreen):
    """The quick-hide and idle lock: plain and unremarkable, with no client names or paths.

    It unlocks the way the session was opened: with the vault's passphrase, or with
    the key file given as ``--identity`` (named here, so the person knows which),
    asking for that file's own passphrase when it has one. A key file without a
    passphrase unlocks with a press of the "Unlock with the key file" button: still
    a deliberate act, but anyone at the keyboard can do it, so the screen says so.
    """

    def _check_busy(self) -> None:
        """This app still holds the writer lock while it saves and lets go; not a second user."""

    def __init__(
        self,
        vault_path: Path,
        *,
        message: str = "",
        needs_passphrase: bool = True,
        key_file: Path | None = None,
        key_file_protected: bool = True,
    ):
        super().__init__(vault_path, message=message)
        self.needs_passphrase = needs_passphrase
        self.key_file = key_file
        self.key_file_protected = key_file_protected

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="card"):
            yield Static("Locked", classes="card-title")
            if self.message:
                yield Static(plain(self.message), classes="hint")
            if self.key_file is not None and self.needs_passphrase:
                yield from self._key_file_prompt(self.key_file.name)
            elif self.needs_passphrase:
                yield Label("Passphrase")
                yield Input(password=True, id="passphrase", placeholder="Type it, then press Enter")
            else:
                yield Input(password=True, id="passphrase", placeholder="Press Enter to go on")
            yield Static("", id="problem", classes="problem")
            with Vertical(id="busy", classes="busy"):
                yield LoadingIndicator()
        yield Footer(show_command_palette=False)

    def _key_file_prompt(self, name: str) -> ComposeResult:
        if self.key_file_protected:
            yield Label(one_line(f"Passphrase for the key file {name}"))
            yield Input(password=True, id="passphrase", placeholder="Type it, then press Enter")
            return
        yield Button(one_line(f"Unlock with the key file {name}"), id="unlock-key")
        yield Static(
            "This key file has no passphrase, so anyone at this computer can unlock "
            "casetui. When you step away, quit it with ctrl+q.",
            classes="hint",
        )

    def on_mount(self) -> None:
        for button in self.query("#unlock-key").results(Button):
            button.focus()

    @on(Button.Pressed, "#unlock-key")
    def _unlock_with_key(self, event: Button.Pressed) -> None:
        event.stop()
        event.button.disabled = True
        self.query_one("#problem", Static).update("")
        self.query_one("#busy").add_class("shown")
        app = session_of(self.app)
        app.unlock_after_lock("")

    def failed(self, error: VaultError) -> None:
        if self.key_file is None:
            super().failed(error)
            return
        # The key's own sentence: a wrong passphrase, a missing file, or a key
        # that no longer opens this vault.
        self.query_one("#busy").remove_class("shown")
        for widget in self.query("#passphrase, #unlock-key"):
            widget.disabled = False
            widget.focus()
        for box in self.query("#passphrase").results(Input):
            box.value = ""
        self.query_one("#problem", Static).update(one_line(str(error)))

    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        # Textual runs the handlers of every class in the MRO: without this,
        # UnlockScreen's would open the vault a second time, with the passphrase.
        event.prevent_default()
        if self.needs_passphrase and not event.value:
            self.query_one("#problem", Static).update("Type your passphrase first.")
            return
        box = self.query_one("#passphrase", Input)
        box.disabled = True
        self.query_one("#busy").add_class("shown")
        app = session_of(self.app)
        app.unlock_after_lock(event.value)


class SetupScreen(Screen[None]):
    """First run: who are you, and a passphrase typed twice.

    The card fits an 80x24 terminal with its button in view: no blank lines inside
    the card, and a one-line button.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", priority=True, id="setup.quit"),
        Binding("ctrl+s", "create", "Create vault", priority=True, id="setup.create"),
    ]
    DEFAULT_CSS = (
        CARD_CSS
        + """
    SetupScreen .card { padding: 0 2; }
    SetupScreen .card-title { padding-bottom: 0; }
    SetupScreen #create { width: 100%; }
    """
    )

    def __init__(self, vault_path: Path) -> None:
        super().__init__()
        self.vault_path = vault_path

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="card"):
            yield Static("Welcome to casetui", classes="card-title")
            yield Static(
                "Your notes stay encrypted on this computer. Pick a passphrase only you "
                "know: no one, not even casetui, can recover it.",
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
            yield Button("Create my vault (ctrl+s)", id="create", variant="primary", compact=True)
            yield Static(one_line(f"It will be saved at {self.vault_path}"), classes="hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def _guessable_words(self) -> list[str]:
        """Names a guesser would try: the person's, and the vault file's."""
        return [self.query_one("#name", Input).value, self.vault_path.stem]

    @on(Input.Changed, "#passphrase")
    @on(Input.Changed, "#name")
    def _strength(self) -> None:
        passphrase = self.query_one("#passphrase", Input).value
        if len(passphrase) < MIN_LENGTH:  # judged at once, without the estimator
            self._show_strength(passphrase, assess(passphrase) if passphrase else None)
            return
        self._estimate(passphrase, self._guessable_words())

    @work(thread=True, exclusive=True, group="strength", exit_on_error=False)
    def _estimate(self, passphrase: str, context: list[str]) -> None:
        """The estimator can take a fifth of a second on a long phrase: never while typing."""
        verdict = assess(passphrase, context)
        self.app.call_from_thread(self._show_strength, passphrase, verdict)

    def _show_strength(self, passphrase: str, verdict: Assessment | None) -> None:
        boxes = list(self.query("#passphrase").results(Input))  # gone once the vault is made
        if not boxes or boxes[0].value != passphrase:
            return  # typed on since; a newer judgement is on its way
        if verdict is None:
            self.query_one("#strength", Static).update("")
            return
        hint = verdict.hint  # may start with the strength itself: "Strong. Keep it…"
        if hint.casefold().startswith(f"{verdict.strength}. "):
            hint = hint[len(verdict.strength) + 2 :]
        self.query_one("#strength", Static).update(
            one_line(f"Strength: {verdict.strength}. {hint}")
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
        verdict = assess(passphrase, self._guessable_words())
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
        """Create the vault and keep it open: just created means unlocked, no third asking."""
        try:
            vault = Vault.create(self.vault_path, passphrase, owner_name=name)
        except (VaultError, OSError) as error:
            self.app.call_from_thread(self._create_failed, str(error))
            return
        except Exception as error:
            sentence = unexpected("creating the vault", error)
            self.app.call_from_thread(self._create_failed, sentence)
            return
        try:
            vault.repo.build_indexes()  # as opening does, off the UI thread
        except Exception as error:
            tell(self.app, unexpected("preparing the caseload", error))
        try:
            self.app.call_from_thread(self._created, vault)
        except Exception:
            vault.close()  # the app stopped meanwhile: let go of the writer lock
            raise

    def _create_failed(self, reason: str) -> None:
        self.query_one("#busy").remove_class("shown")
        for widget in self.query(Input):
            widget.disabled = False
        self.query_one("#create", Button).disabled = False
        self._problem(reason, "name")

    def _created(self, vault: Vault) -> None:
        app = session_of(self.app)
        app.identity = None  # this session unlocks with the passphrase, and so will its lock
        app.vault_opened(vault)
        app.push_screen(KeepSafeScreen(vault.paths))


def recovery_key_command(vault_path: Path) -> str:
    """``casetui recovery-key``, with ``--vault`` when the vault is not the default one."""
    if vault_path.expanduser() == default_vault_path():
        return "casetui recovery-key"
    return f"casetui recovery-key --vault {shlex.quote(str(vault_path))}"


def keep_safe_text(paths: VaultPaths, command: str) -> str:
    """What protects the person's work, said once, plainly, with the command to run."""
    return (
        "Two things keep your work safe if you forget the passphrase or lose this "
        f"computer:\n\n"
        f"1. A recovery key, kept offline. After you quit casetui, run:\n"
        f"   {command}\n\n"
        f"2. Copies of the vault folder {paths.vault.name} and its key file "
        f"{paths.identity.name} (in {paths.vault.parent}), kept somewhere safe away from "
        "this computer: a USB stick in a locked drawer, say."
    )


class KeepSafeScreen(ModalScreen[None]):
    """Shown once, right after the vault is created in the app."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Go to my caseload", id="keep_safe.close"),
    ]
    DEFAULT_CSS = """
    KeepSafeScreen { align: center middle; }
    KeepSafeScreen > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 2;
    }
    KeepSafeScreen #keep-safe-title { text-style: bold; color: $primary; padding-bottom: 1; }
    KeepSafeScreen #keep-safe-text { padding-bottom: 1; }
    KeepSafeScreen Button { width: 100%; }
    """

    def __init__(self, paths: VaultPaths) -> None:
        super().__init__()
        self.paths = paths

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Your vault is ready", id="keep-safe-title")
            text = keep_safe_text(
                self.paths, recovery_key_command(self.paths.link or self.paths.vault)
            )
            yield Static(plain(text), id="keep-safe-text")
            yield Button("Go to my caseload", id="keep-safe-close", variant="primary", compact=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#keep-safe-close", Button).focus()

    @on(Button.Pressed, "#keep-safe-close")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
