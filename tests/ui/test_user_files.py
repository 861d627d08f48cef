"""Files a person asks for: never through a link, never over the vault, never as ``x.sh``.

The goal-sheet (``g`` on a client) and calendar-export dialogs are driven with
Pilot to write where they must not: through a link, over the vault's key file,
as a ``.sh`` file, and, in an app served to a browser, anywhere at all. Each
test snapshots the whole test folder first and checks afterwards that nothing
outside the test's own download folder (and the vault's own saving) changed.
"""

from __future__ import annotations

import ast
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from casetui.core.errors import VaultError
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.client import ClientScreen
from casetui.vault.destinations import check_destination
from tests.conftest import VaultFiles
from tests.services.test_csv_import import cli
from tests.services.test_printout_commands import ident, seed_marisol
from tests.ui.test_calendar_app import _plant
from tests.ui.test_ui_casework import TODAY, RecordingApp
from tests.ui.test_ui_flows import caseload_ready, wait_for

VICTIM = b"<p>someone else's page</p>\n"
#: What ``casetui demo --web`` sets for its demos (casetui.ui.user_files.SERVED_ENV).
SERVED_ENV = "CASETUI_SERVED"
SRC = Path(__file__).resolve().parents[2] / "src" / "casetui"


# -- helpers ------------------------------------------------------------------------------


def tree(root: Path, *, skip: tuple[Path, ...] = ()) -> dict[str, tuple[str, bytes]]:
    """Every entry under ``root`` (links not followed): a link's target, a file's bytes."""
    found: dict[str, tuple[str, bytes]] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs if here / d not in skip]
        for name in [*dirs, *files]:
            path = here / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = ("link", str(path.readlink()).encode())
            elif path.is_file():
                found[key] = ("file", path.read_bytes())
            elif path.is_dir():
                found[key] = ("folder", b"")
            else:
                found[key] = ("other", b"")
    return found


class Places:
    """The test's folders: its own downloads, somewhere else, and the vault's."""

    def __init__(self, tmp_path: Path, files: VaultFiles) -> None:
        self.root = tmp_path
        self.files = files
        self.downloads = tmp_path / "downloads"
        self.outside = tmp_path / "outside"
        self.home = tmp_path / "home"
        for folder in (self.downloads, self.outside, self.home):
            folder.mkdir(exist_ok=True)
        self.victim = self.outside / "victim.html"
        self.victim.write_bytes(VICTIM)
        self.key = files.paths.identity
        self.key_bytes = self.key.read_bytes()
        self.vault_names = self.vault_folder()
        self.before = self.snapshot()

    def vault_folder(self) -> set[str]:
        return {p.name for p in self.files.vault.parent.iterdir()}

    def snapshot(self) -> dict[str, tuple[str, bytes]]:
        # The vault's folder changes as the app saves; its key file is checked on its own.
        return tree(self.root, skip=(self.downloads, self.files.vault.parent))

    def assert_untouched(self) -> None:
        assert self.snapshot() == self.before, "a file outside the download folder changed"
        assert self.key.read_bytes() == self.key_bytes, "the vault's key file changed"
        # Beside the vault, only its own files (its lock, its backups) may appear.
        new = self.vault_folder() - self.vault_names
        assert all(name.startswith(self.files.vault.name) for name in new), new


class ServedApp(RecordingApp):
    """The app as textual-serve runs it (a web driver), keeping what it delivers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delivered: list[tuple[str | None, bytes, str | None]] = []

    @property
    def is_web(self) -> bool:
        return True

    def deliver_binary(  # type: ignore[override]
        self, path_or_file: Any, *, save_filename: str | None = None, **kwargs: Any
    ) -> str | None:
        assert isinstance(path_or_file, io.BytesIO), "a served app delivers bytes, not a path"
        self.delivered.append((save_filename, path_or_file.read(), kwargs.get("mime_type")))
        return f"key-{len(self.delivered)}"

    def deliver_text(self, *args: Any, **kwargs: Any) -> str | None:  # type: ignore[override]
        raise AssertionError("the app delivers files as bytes")


def make_app(files: VaultFiles, *, served: bool = False) -> RecordingApp:
    from casetui.vault.unlocking import identity_unlocker

    kind = ServedApp if served else RecordingApp
    return kind(files.vault, unlocker=identity_unlocker(files.identity_file), today=TODAY)


async def submit(pilot: Pilot[int], app: RecordingApp, typed: str) -> None:
    """Type ``typed`` as the file name, save, and say yes to replacing if asked."""
    app.screen.query_one("#field-out", Input).value = typed
    seen = len(app.messages)
    await pilot.press("ctrl+s")

    def settled() -> bool:
        screen = app.screen
        if isinstance(screen, FormScreen):
            return bool(screen.query(".field-error.shown"))
        return len(app.messages) > seen or bool(getattr(app, "delivered", None))

    for _ in range(2):  # one confirmation, at most, comes first
        await wait_for(pilot, lambda: settled() or isinstance(app.screen, ConfirmScreen))
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("y")  # a person who does say "replace it"
    await wait_for(pilot, settled)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def print_sheet(pilot: Pilot[int], app: RecordingApp, client_id: str, typed: str) -> None:
    await caseload_ready(pilot, app)
    app.open_client(client_id)
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    await pilot.pause()
    await pilot.press("g")
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
    await wait_for(pilot, lambda: bool(app.screen.query("#field-out")))
    await submit(pilot, app, typed)


async def export_calendar(pilot: Pilot[int], app: RecordingApp, typed: str) -> None:
    await wait_for(pilot, lambda: app.vault is not None and app.owner_id is not None)
    await caseload_ready(pilot, app)
    await pilot.press("w")  # your week
    await wait_for(pilot, lambda: type(app.screen).__name__ == "WeekScreen")
    await pilot.press("c")  # export calendar
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
    await wait_for(pilot, lambda: bool(app.screen.query("#field-out")))
    await submit(pilot, app, typed)


def refusal(app: RecordingApp) -> str:
    """The sentence that refused: the form's, or a notification's."""
    screen = app.screen
    if isinstance(screen, FormScreen) and screen.query(".field-error.shown"):
        return str(screen.query_one("#form-error", Static).content)
    return app.messages[-1] if app.messages else ""


# -- where the dialogs may not write ------------------------------------------------------

# Each names the path to type, from the test's folders.
TARGETS: dict[str, Callable[[Places], Path]] = {
    "link": lambda p: p.downloads / "link",
    "key file": lambda p: p.key,
    "link to the key file": lambda p: p.downloads / "key-link",
    "backups folder": lambda p: p.files.vault.parent / (p.files.vault.name + ".backups") / "x",
    "shell script": lambda p: p.downloads / "x.sh",
}


def plant(places: Places, target: str, suffix: str) -> str:
    """Set the trap ``target`` names; the path to type."""
    backups = places.files.vault.parent / (places.files.vault.name + ".backups")
    backups.mkdir(exist_ok=True)
    path = TARGETS[target](places)
    if target == "link":
        path = path.with_name("sheet" + suffix)
        path.symlink_to(places.victim)
    elif target == "link to the key file":
        path = path.with_name("key" + suffix)
        path.symlink_to(places.key)
    elif target == "backups folder":
        path = path.with_name("sheet" + suffix)
    places.before = places.snapshot()
    return str(path)


@pytest.mark.parametrize("target", list(TARGETS))
async def test_the_goal_sheet_dialog_refuses_a_dangerous_name(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    client_id = seed_marisol(vault_files)
    places = Places(tmp_path, vault_files)
    monkeypatch.setenv("HOME", str(places.home))
    typed = plant(places, target, ".html")
    app = make_app(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await print_sheet(pilot, app, client_id, typed)
        said = refusal(app)
        await pilot.press("ctrl+q")
    assert not any(m.startswith("Wrote the goal sheet") for m in app.messages), app.messages
    assert said.endswith("."), said
    places.assert_untouched()


@pytest.mark.parametrize("target", list(TARGETS))
async def test_the_calendar_dialog_refuses_a_dangerous_name(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    _plant(vault_files)
    places = Places(tmp_path, vault_files)
    monkeypatch.setenv("HOME", str(places.home))
    typed = plant(places, target, ".ics")
    app = make_app(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await export_calendar(pilot, app, typed)
        said = refusal(app)
        await pilot.press("ctrl+q")
    assert not any(m.startswith("Wrote ") for m in app.messages), app.messages
    assert said.endswith("."), said
    places.assert_untouched()


async def test_a_link_is_refused_in_one_sentence_that_says_why(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = seed_marisol(vault_files)
    places = Places(tmp_path, vault_files)
    monkeypatch.setenv("HOME", str(places.home))
    typed = plant(places, "link", ".html")
    app = make_app(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await print_sheet(pilot, app, client_id, typed)
        said = refusal(app)
        await pilot.press("ctrl+q")
    assert "link" in said and "does not write through links" in said, said
    assert Path(typed).is_symlink() and Path(typed).resolve() == places.victim
    places.assert_untouched()


async def test_an_ordinary_file_is_replaced_only_after_a_yes_that_names_it(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = seed_marisol(vault_files)
    places = Places(tmp_path, vault_files)
    monkeypatch.setenv("HOME", str(places.home))
    mine = places.downloads / "mine.html"
    mine.write_bytes(b"old")
    app = make_app(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await print_sheet(pilot, app, client_id, str(mine))
        await pilot.press("ctrl+q")
    assert b"I want a home where my son has his own room" in mine.read_bytes()
    assert mine.stat().st_mode & 0o777 == 0o600
    places.assert_untouched()


# -- a served app writes nothing to this computer -----------------------------------------


async def test_a_served_goal_sheet_goes_to_the_browser_never_to_the_disk(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = seed_marisol(vault_files)
    places = Places(tmp_path, vault_files)
    monkeypatch.setenv("HOME", str(places.home))
    app = make_app(vault_files, served=True)
    assert isinstance(app, ServedApp)
    async with app.run_test(size=(120, 40)) as pilot:
        await print_sheet(pilot, app, client_id, str(places.victim))  # a file that exists
        shown = app.messages[-1]
        await pilot.press("ctrl+q")
    ((name, data, mime),) = app.delivered
    assert (name, mime) == ("victim.html", "text/html")
    assert b"I want a home where my son has his own room" in data
    assert shown.startswith("Sent the goal sheet to your browser, as victim.html."), shown
    places.assert_untouched()


@pytest.mark.parametrize(
    "typed",
    ["{outside}/cal.ics", "../outside/x.ics", "{key}", "{outside}/x.sh"],
)
async def test_a_served_calendar_goes_to_the_browser_never_to_the_disk(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    _plant(vault_files)
    places = Places(tmp_path, vault_files)
    monkeypatch.setenv("HOME", str(places.home))
    monkeypatch.chdir(places.downloads)
    app = make_app(vault_files, served=True)
    assert isinstance(app, ServedApp)
    typed = typed.format(outside=places.outside, key=places.key)
    async with app.run_test(size=(120, 40)) as pilot:
        await export_calendar(pilot, app, typed)
        said = refusal(app)
        await pilot.press("ctrl+q")
    if typed.endswith(".ics"):
        ((name, data, mime),) = app.delivered
        assert name == Path(typed).name and mime == "text/calendar"
        assert data.startswith(b"BEGIN:VCALENDAR")
    else:  # the key file's name, or a script's: not a calendar
        assert app.delivered == []
        assert ".ics" in said, said
    places.assert_untouched()


async def test_served_without_a_browser_refuses_in_one_sentence(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's server marks its demos as served; with no web driver there is nowhere to send."""
    client_id = seed_marisol(vault_files)
    places = Places(tmp_path, vault_files)
    monkeypatch.setenv("HOME", str(places.home))
    monkeypatch.setenv(SERVED_ENV, "1")
    app = make_app(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await print_sheet(pilot, app, client_id, str(places.outside / "new.html"))
        await pilot.press("ctrl+q")
    from casetui.ui.user_files import SERVED_REFUSAL

    assert app.messages[-1] == SERVED_REFUSAL
    places.assert_untouched()


def test_download_names_are_plain_and_keep_their_ending() -> None:
    from casetui.ui.user_files import SERVED_ENV as served_env
    from casetui.ui.user_files import browser_name, safe_name

    assert served_env == SERVED_ENV
    assert browser_name("/etc/cron.d/evil", (".ics",)) == "evil.ics"
    assert browser_name("x.sh", (".html", ".htm")) == "x.sh.html"
    assert browser_name("../..", (".md",)) == "casetui.md"
    assert browser_name('a"b;\r\nSet-Cookie: x.ics', (".ics",)) == "a-b-Set-Cookie-x.ics"
    assert safe_name(".hidden.html") == "hidden.html"
    assert safe_name("goal-sheet-ÖÇ.html") == "goal-sheet.html"


def test_the_ui_writes_files_only_through_the_one_shared_path() -> None:
    """Anything added later that writes a file must go through casetui.ui.user_files."""
    writers = {
        "atomic_write",
        "atomic_write_stream",
        "write_user_file",
        "write_printout",
        "write_calendar",
        "write_export",
        "write_caseload_csv",
        "write_private",
        "write_text",
        "write_bytes",
        "deliver_binary",
        "deliver_text",
        "save_screenshot",
        "touch",
        "symlink_to",
        "hardlink_to",
        "copyfile",
        "copy2",
        "copytree",
    }
    found = []
    for path in sorted((SRC / "ui").rglob("*.py")):
        if path.name == "user_files.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in writers or (isinstance(func, ast.Name) and name == "open"):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {name}")
    assert found == []


# -- the vault's side: the same rules for the command line --------------------------------


def test_a_link_is_never_written_through_even_with_force(
    vault_files: VaultFiles, tmp_path: Path
) -> None:
    from casetui.vault.destinations import write_user_file

    victim = tmp_path / "victim.ics"
    victim.write_bytes(VICTIM)
    link = tmp_path / "cal.ics"
    link.symlink_to(victim)
    with vault_files.open(writable=False) as vault:
        for overwrite in (False, True):
            with pytest.raises(VaultError, match="does not write through links"):
                write_user_file(link, b"x", overwrite=overwrite, what="the calendar", vault=vault)
    assert link.is_symlink() and victim.read_bytes() == VICTIM


def test_a_link_put_there_while_writing_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.csv"
    victim.write_bytes(VICTIM)
    out = tmp_path / "out.csv"
    from casetui.vault import destinations
    from casetui.vault.destinations import write_user_file

    real = destinations.atomic_write_stream

    def planting(target: Path, fill: Any, **kwargs: Any) -> Any:
        def fill_then_plant(sink: Any) -> Any:
            result = fill(sink)
            out.symlink_to(victim)
            return result

        return real(target, fill_then_plant, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(destinations, "atomic_write_stream", planting)
        with pytest.raises(VaultError, match="link"):
            write_user_file(out, b"a,b\n", overwrite=True, what="the export", suffixes=(".csv",))
    assert out.is_symlink() and victim.read_bytes() == VICTIM
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "victim.csv"]


def test_only_an_ordinary_file_is_replaced(vault_files: VaultFiles, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.ics"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.ics"
    folder.mkdir()
    with vault_files.open(writable=False) as vault:
        with pytest.raises(VaultError, match="not an ordinary file"):
            check_destination(vault, fifo, overwrite=True, what="the calendar")
        with pytest.raises(VaultError, match="is a folder"):
            check_destination(vault, folder, overwrite=True, what="the calendar")


def test_a_relative_path_or_a_link_to_the_vault_folder_cannot_dodge_the_check(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = vault_files.vault.parent
    backups = folder / (vault_files.vault.name + ".backups")
    backups.mkdir(exist_ok=True)
    around = tmp_path / "around"
    around.symlink_to(folder)
    monkeypatch.chdir(backups)
    with vault_files.open(writable=False) as vault:
        for out in (
            Path("x.csv"),
            Path("..") / vault_files.vault.name,
            around / vault_files.paths.identity.name,
            around / backups.name / "y.csv",
        ):
            with pytest.raises(VaultError, match="one of the vault's own files"):
                check_destination(vault, out, overwrite=True, what="the export")


def test_the_cli_refuses_a_name_without_its_formats_ending(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path
) -> None:
    client_id = seed_marisol(vault_files)
    script = tmp_path / "x.sh"
    for argv in (
        ("print", client_id, "--out", script),
        ("calendar", "--out", script),
        ("export", "--format", "csv", "--plaintext", "--out", script),
        ("export", "--format", "csv", "--out", script),
    ):
        code, _out, err = cli(capsys, *argv, *ident(vault_files))
        assert code == 1, (argv, err)
        (line,) = err.strip().splitlines()
        assert "x.sh does not end in ." in line and line.endswith("a name that does."), line
    assert not script.exists()


def test_the_cli_refuses_a_link_even_with_force(
    capsys: pytest.CaptureFixture[str], vault_files: VaultFiles, tmp_path: Path
) -> None:
    client_id = seed_marisol(vault_files)
    victim = tmp_path / "victim.html"
    victim.write_bytes(VICTIM)
    for name, argv in (
        ("sheet.html", ("print", client_id)),
        ("cal.ics", ("calendar",)),
        ("list.csv", ("export", "--format", "csv", "--plaintext")),
        ("all.json", ("export", "--plaintext")),
    ):
        link = tmp_path / name
        link.symlink_to(victim)
        code, _out, err = cli(capsys, *argv, "--out", link, "--force", *ident(vault_files))
        assert code == 1, (argv, err)
        assert "does not write through links" in err, err
        assert link.is_symlink()
    assert victim.read_bytes() == VICTIM


def test_keygen_refuses_a_link_even_with_force(
    capsys: pytest.CaptureFixture[str],
    vault_files: VaultFiles,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.vault.test_recipients import COLLEAGUE_PASSPHRASE

    victim = tmp_path / "victim.age"
    victim.write_bytes(VICTIM)
    link = tmp_path / "mine.age"
    link.symlink_to(victim)
    monkeypatch.setenv("CASETUI_NEW_PASSPHRASE", COLLEAGUE_PASSPHRASE)
    argv = ("keygen", "--out", link, "--force", "--vault", vault_files.vault)
    code, _out, err = cli(capsys, *argv)
    assert code == 1, err
    assert "does not write through links" in err, err
    assert link.is_symlink() and victim.read_bytes() == VICTIM


def test_a_home_folder_that_does_not_exist_is_a_form_error_not_a_crash() -> None:
    from casetui.core.errors import ValidationError
    from casetui.ui import calendar_export, goal_sheet

    typed = "~no-such-person-here/sheet.html"
    with pytest.raises(ValidationError, match="give the whole path"):
        goal_sheet.build_request(
            {"sections": ("goals",), "format": "html", "out": typed}, Path("/x.html")
        )
    with pytest.raises(ValidationError, match="give the whole path"):
        calendar_export.build_request({"out": typed[:-5] + ".ics", "weeks": 4, "with_names": False})
