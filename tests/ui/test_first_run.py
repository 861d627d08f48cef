"""A first run that makes sense.

- A vault with no case manager of its own (``casetui init`` then ``casetui import``)
  asks "Which case manager are you?" instead of opening on an empty "My caseload";
  "None of these" (or a read-only session) shows everyone, with a line saying why.
- Importing the sample into a vault made under the same name files the records
  under that case manager, never a second one of the same name; a similar name is
  asked about first.
- A vault created in the app opens at once, without asking for the passphrase a
  third time, and says once what keeps the work safe (``casetui recovery-key`` and
  copies of the two files); so does ``casetui init``.
- The first-run card fits 80x24 with its button in view.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Button, Input, OptionList, Static

from casetui.core.records import Staff
from casetui.resources import sample_caseload
from casetui.services.interchange import (
    apply_import,
    plan_import,
    read_interchange_file,
    similar_names,
)
from casetui.ui.app import CaseApp
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.unlock import KeepSafeScreen, SetupScreen, UnlockScreen
from casetui.ui.screens.who_are_you import NO_OWNER_LINE, READ_ONLY_LINE, WhoAreYouScreen
from casetui.ui.widgets.row_list import RowList
from casetui.vault.keys import Keyring
from casetui.vault.unlocking import keyring_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import PASSPHRASE, clean_env, run_casetui, tree_bytes
from tests.ui.test_ui_flows import TODAY, wait_for

SAMPLE_OWNER = "st_sample01"
SAMPLE_OWNER_NAME = "Priya Oakhaven"


def sample_document() -> dict[str, object]:
    return json.loads(sample_caseload().read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def open_clients_of(staff_id: str) -> list[str]:
    return [
        c["preferred_name"]
        for c in sample_document()["clients"]  # type: ignore[attr-defined]
        if c["case_manager_id"] == staff_id and c["status"] != "closed"
    ]


def import_sample(vault: Vault) -> list[str]:
    data = read_interchange_file(sample_caseload(), vault.keyring)
    plan = plan_import(vault, data, "caseload.json")
    apply_import(vault, plan)
    return plan.describe()


def new_vault(path: Path, owner_name: str | None = None, *, sample: bool = True) -> Keyring:
    """A vault as ``casetui init`` (optionally ``--name``) then ``import --sample`` leave it."""
    with Vault.create(path, PASSPHRASE, owner_name=owner_name) as vault:
        if sample:
            import_sample(vault)
        vault.save()
        return vault.keyring


def staff_named(vault: Vault, name: str) -> list[Staff]:
    return [s for s in vault.repo.staff.all() if s.name.casefold() == name.casefold()]


# -- import: case managers matched by name --------------------------------------------


@pytest.mark.usefixtures("cheap_scrypt")
@pytest.mark.parametrize("name", [SAMPLE_OWNER_NAME, "  priya OAKHAVEN "])
def test_the_sample_into_a_vault_made_under_the_same_name_adds_no_second_case_manager(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "vault.age"
    with Vault.create(path, PASSPHRASE, owner_name=name) as vault:
        owner = vault.owner_staff_id
        assert owner is not None and owner != SAMPLE_OWNER
        lines = import_sample(vault)
        assert any("already a case manager in this vault" in line for line in lines), lines
        [priya] = staff_named(vault, SAMPLE_OWNER_NAME.strip()) or staff_named(vault, name.strip())
        assert priya.id == owner
        assert SAMPLE_OWNER not in vault.repo.staff
        assert len(vault.repo.staff.all()) == 3  # Priya (the owner), Daniel and Grace
        mine = {
            c.preferred_name
            for c in vault.repo.clients.all()
            if c.case_manager_id == owner and c.status.value != "closed"
        }
        assert mine == set(open_clients_of(SAMPLE_OWNER))
        # Nothing still points at the sample's own id for Priya.
        for table in vault.records().tables.values():
            for record in table:
                for field, target in record.REFS.items():
                    if target == Staff.TABLE:
                        assert getattr(record, field) != SAMPLE_OWNER, record
        vault.save()
        # Again: nothing new, and still one Priya.
        again = import_sample(vault)
        assert again[0] == "Nothing new to add.", again
        assert len(vault.repo.staff.all()) == 3


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("Priya Oakhaven", "Priya Oakhavn", True),  # a typing slip
        ("Priya Oakhaven", "Priya", True),  # one name within the other
        ("Mary-Ann Lee", "Maryann Lee", True),  # the same letters
        ("Priya Oakhaven", "priya oakhaven", False),  # the same name: matched, not asked
        ("Priya Oakhaven", "Daniel Riverstone", False),
        ("Robin Testwell", "Grace Fernwood", False),
    ],
)
def test_similar_names(a: str, b: str, similar: bool) -> None:
    assert similar_names(a, b) is similar


@pytest.mark.usefixtures("cheap_scrypt")
def test_a_similar_name_is_refused_without_a_terminal_and_added_with_new_staff(
    tmp_path: Path, home: Path
) -> None:
    path = tmp_path / "vault.age"
    new_vault(path, "Priya Oakhavn", sample=False)
    before = tree_bytes(path)
    env = {"CASETUI_PASSPHRASE": PASSPHRASE}
    refused = run_casetui("import", "--sample", "--vault", path, home=home, env=env)
    assert refused.returncode not in (0, 70), refused.stderr
    assert "Traceback" not in refused.stderr
    lines = [ln for ln in refused.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, refused.stderr  # one sentence
    assert "--new-staff" in lines[0] and "Priya Oakhaven" in lines[0], lines[0]
    assert tree_bytes(path) == before  # nothing imported

    added = run_casetui("import", "--sample", "--new-staff", "--vault", path, home=home, env=env)
    assert added.returncode == 0, added.stderr
    with Vault.open(path, keyring_unlocker(_keyring(path)), writable=False) as vault:
        names = sorted(s.name for s in vault.repo.staff.all())
    assert names == ["Daniel Riverstone", "Grace Fernwood", "Priya Oakhaven", "Priya Oakhavn"]


def _keyring(path: Path) -> Keyring:
    from casetui.vault import keys

    return keys.load_vault_identity(VaultPaths(path).identity, PASSPHRASE)


def run_on_a_terminal(args: list[str], answer: str, home: Path) -> tuple[int, str]:
    """``python -m casetui ARGS`` with a terminal as stdin, answering ``answer``."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "casetui", *args],
        stdin=child,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=clean_env(home, CASETUI_PASSPHRASE=PASSPHRASE),
    )
    os.close(child)
    os.write(main, answer.encode())
    out, _ = process.communicate(timeout=120)
    os.close(main)
    return process.returncode, out.decode()


@pytest.mark.usefixtures("cheap_scrypt")
@pytest.mark.parametrize("answer", ["n\n", "y\n"])
def test_a_similar_name_is_asked_about_on_a_terminal(
    tmp_path: Path, home: Path, answer: str
) -> None:
    path = tmp_path / "vault.age"
    new_vault(path, "Priya Oakhavn", sample=False)
    code, out = run_on_a_terminal(["import", "--sample", "--vault", str(path)], answer, home)
    assert "this vault already has Priya Oakhavn" in out, out
    assert "[y/N]" in out, out
    with Vault.open(path, keyring_unlocker(_keyring(path)), writable=False) as vault:
        count = len(vault.repo.staff.all())
    if answer.startswith("y"):
        assert code == 0, out
        assert count == 4
    else:
        assert code != 0, out
        assert "Nothing was imported" in out, out
        assert count == 1


# -- init says what keeps the work safe ------------------------------------------------


@pytest.mark.usefixtures("cheap_scrypt")
def test_init_ends_with_the_recovery_key_command_and_the_two_files(
    tmp_path: Path, home: Path
) -> None:
    path = tmp_path / "v" / "vault.age"
    result = run_casetui("init", "--vault", path, home=home, env={"CASETUI_PASSPHRASE": PASSPHRASE})
    assert result.returncode == 0, result.stderr
    assert f"casetui recovery-key --vault {path}" in result.stdout, result.stdout
    assert "the vault folder vault.age and its key file" in result.stdout, result.stdout
    assert "vault.identity.age, somewhere safe" in result.stdout, result.stdout
    assert result.stdout.count("recovery-key") == 1  # said once


# -- the app: "Which case manager are you?" ------------------------------------------


def caseload_of(app: CaseApp) -> CaseloadScreen:
    [screen] = [s for s in app.screen_stack if isinstance(s, CaseloadScreen)]
    return screen


def shown_clients(app: CaseApp) -> list[str]:
    return [row.cells[0] for row in caseload_of(app).query_one(RowList).rows]


def why_line(app: CaseApp) -> str:
    line = caseload_of(app).query_one("#why", Static)
    return str(line.render()) if line.display and line.has_class("shown") else ""


@pytest.mark.usefixtures("cheap_scrypt")
async def test_no_owner_asks_which_case_manager_and_choosing_saves_it(tmp_path: Path) -> None:
    path = tmp_path / "vault.age"
    keyring = new_vault(path)
    app = CaseApp(path, unlocker=keyring_unlocker(keyring), today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WhoAreYouScreen))
        screen = app.screen
        options = screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[:3] == ["Daniel Riverstone", "Grace Fernwood", SAMPLE_OWNER_NAME]
        assert "show everyone" in prompts[3]
        options.highlighted = 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        # The choice is saved in a worker: wait for it to be made, then saved.
        await wait_for(
            pilot,
            lambda: (
                app.vault is not None
                and app.vault.owner_staff_id is not None
                and not app.vault.dirty
            ),
        )
        assert app.owner_id is not None
        assert caseload_of(app).scope == "mine"
        assert sorted(shown_clients(app)) == sorted(open_clients_of(app.owner_id))
        assert shown_clients(app)
        owner = app.owner_id
    with Vault.open(path, keyring_unlocker(keyring), writable=False) as vault:
        assert vault.owner_staff_id == owner
        assert vault.repo.staff.require(owner).name == SAMPLE_OWNER_NAME


@pytest.mark.usefixtures("cheap_scrypt")
async def test_none_of_these_shows_everyone_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "vault.age"
    keyring = new_vault(path)
    app = CaseApp(path, unlocker=keyring_unlocker(keyring), today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WhoAreYouScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        assert caseload_of(app).scope == "everyone"
        assert len(shown_clients(app)) > 5
        assert why_line(app) == NO_OWNER_LINE
    with Vault.open(path, keyring_unlocker(keyring), writable=False) as vault:
        assert vault.owner_staff_id is None


@pytest.mark.usefixtures("cheap_scrypt")
async def test_read_only_shows_everyone_without_asking(tmp_path: Path) -> None:
    path = tmp_path / "vault.age"
    keyring = new_vault(path)
    app = CaseApp(path, unlocker=keyring_unlocker(keyring), today=TODAY, read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: bool(shown_clients(app)))
        await pilot.pause(0.2)
        assert isinstance(app.screen, CaseloadScreen)  # no question
        assert caseload_of(app).scope == "everyone"
        assert why_line(app) == READ_ONLY_LINE


@pytest.mark.usefixtures("cheap_scrypt")
async def test_a_vault_with_an_owner_is_not_asked(tmp_path: Path) -> None:
    path = tmp_path / "vault.age"
    keyring = new_vault(path, SAMPLE_OWNER_NAME)
    app = CaseApp(path, unlocker=keyring_unlocker(keyring), today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: bool(shown_clients(app)))
        await pilot.pause(0.2)
        assert isinstance(app.screen, CaseloadScreen)
        assert caseload_of(app).scope == "mine"
        assert why_line(app) == ""
        # The sample's Priya is this vault's own case manager (matched by name on import).
        assert sorted(shown_clients(app)) == sorted(open_clients_of(SAMPLE_OWNER))


# -- the app: creating a vault ---------------------------------------------------------


async def fill_card(pilot, app: CaseApp) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
    app.screen.query_one("#name", Input).value = "Sam Rivera"
    app.screen.query_one("#passphrase", Input).value = PASSPHRASE
    app.screen.query_one("#again", Input).value = PASSPHRASE


@pytest.mark.usefixtures("cheap_scrypt")
async def test_a_vault_created_in_the_app_opens_without_asking_again(tmp_path: Path) -> None:
    path = tmp_path / "new" / "vault.age"
    app = CaseApp(path, today=TODAY)
    seen: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await fill_card(pilot, app)
        await pilot.press("ctrl+s")

        def arrived() -> bool:
            seen.append(type(app.screen).__name__)
            return isinstance(app.screen, KeepSafeScreen)

        await wait_for(pilot, arrived)
        assert "UnlockScreen" not in seen
        assert not any(isinstance(s, UnlockScreen | SetupScreen) for s in app.screen_stack)
        assert app.vault is not None and app.vault.writable
        assert app.owner_id is not None
        text = str(app.screen.query_one("#keep-safe-text", Static).render())
        assert f"casetui recovery-key --vault {path}" in text, text
        assert "the vault folder vault.age and its key file vault.identity.age" in text, text
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        assert caseload_of(app).scope == "mine"
    assert path.exists() and VaultPaths(path).identity.exists()


async def test_the_first_run_card_fits_80x24_with_its_button_in_view(tmp_path: Path) -> None:
    app = CaseApp(tmp_path / "new" / "vault.age", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        screen = app.screen
        # The longest the card gets: a two-line strength hint and a problem line.
        screen.query_one("#passphrase", Input).value = "abc"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert str(screen.query_one("#problem", Static).render())
        button = screen.query_one("#create", Button)
        footer_top = app.size.height - 1
        region = button.region
        assert region.height >= 1 and region.width > 0, region
        assert region.y >= 0 and region.bottom <= footer_top, (region, footer_top)
        # Nothing to scroll: everything on the card is in view.
        for widget in screen.query("Static, Input, Button, Label"):
            if widget.display and widget.region.height:
                assert widget.region.bottom <= footer_top, widget
