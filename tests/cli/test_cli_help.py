"""The command line's help when something typed is wrong.

A mistyped command gets a "did you mean"; a mistake in a command's arguments
points at that command's help; ``--client`` (and ``print CLIENT``) take an id,
a calendar code, a name in any case or the start of one; ``calendar`` on a vault
with no case manager of its own says whom ``--staff`` can name.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from casetui.core.errors import VaultError
from casetui.core.records import Client, Staff
from casetui.vault.vault import Vault
from tests.conftest import PASSPHRASE, VaultFiles, run_casetui

pytestmark = pytest.mark.usefixtures("home")


def ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


# -- a mistyped command -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            ["reprot"],
            "casetui: 'reprot' is not a command. Did you mean 'report'? See 'casetui --help'.",
        ),
        (
            ["report", "stat"],
            "casetui: 'report stat' is not a command. Did you mean 'report stats'? "
            "See 'casetui report --help'.",
        ),
        (
            ["recipients", "ad", "age1xyz"],
            "casetui: 'recipients ad' is not a command. Did you mean 'recipients add'? "
            "See 'casetui recipients --help'.",
        ),
    ],
)
def test_a_mistyped_command_says_which_was_meant(
    home: Path, typed: list[str], expected: str
) -> None:
    result = run_casetui(*typed, home=home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert last_line(result.stderr) == expected


def test_a_command_like_none_is_still_one_sentence(home: Path) -> None:
    result = run_casetui("zzzzzz", home=home)
    assert result.returncode == 2
    assert last_line(result.stderr) == "casetui: 'zzzzzz' is not a command. See 'casetui --help'."


# -- a mistake in a command's arguments points at that command's help ----------------


@pytest.mark.parametrize(
    ("typed", "help_of"),
    [
        (["report", "stats", "--month", "2026-13"], "casetui report stats"),
        (["report", "stats", "--frm", "2026-01-01"], "casetui report stats"),
        (["report", "stats", "--from", "2026-01-01"], "casetui report stats"),
        (["report"], "casetui report"),
        (["export"], "casetui export"),
        (["calendar", "--weeks", "99", "--out", "x.ics"], "casetui calendar"),
    ],
)
def test_an_argument_mistake_points_at_the_commands_help(
    home: Path, typed: list[str], help_of: str
) -> None:
    result = run_casetui(*typed, home=home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = last_line(result.stderr)
    assert line.startswith("casetui: "), line
    assert line.endswith(f"'{help_of} --help'."), line


# -- one lookup for --client and print CLIENT ---------------------------------------


@pytest.fixture
def caseload(vault_files: VaultFiles) -> dict[str, str]:
    """Dana (code K-17), Danielle and two Sam Dunes, all the owner's."""
    today = date.today()
    with vault_files.open() as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        people = {
            "dana": Client.create(
                preferred_name="Dana Whitlock",
                calendar_code="K-17",
                intake_date=today - timedelta(days=9),
                case_manager_id=owner,
            ),
            "danielle": Client.create(
                preferred_name="Danielle Okafor",
                calendar_code="M-04",
                intake_date=today - timedelta(days=5),
                case_manager_id=owner,
            ),
            "sam1": Client.create(
                preferred_name="Sam Dune", intake_date=today, case_manager_id=owner
            ),
            "sam2": Client.create(
                preferred_name="sam dune", intake_date=today, case_manager_id=owner
            ),
        }
        for client in people.values():
            vault.repo.clients.add(client)
        vault.save()
    return {key: client.id for key, client in people.items()}


@pytest.mark.parametrize("typed", ["dana", "DANA W", "k-17", " K-17 "])
def test_audit_finds_a_client_by_the_start_of_a_name_or_by_code(
    home: Path, vault_files: VaultFiles, caseload: dict[str, str], typed: str
) -> None:
    result = run_casetui("audit", *ident(vault_files), "--client", typed, home=home)
    assert result.returncode == 0, result.stderr
    assert f"client {caseload['dana']}" in result.stdout
    assert caseload["danielle"] not in result.stdout


def test_print_finds_a_client_by_the_start_of_the_name(
    home: Path, vault_files: VaultFiles, caseload: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "sheet.md"
    result = run_casetui("print", "danI", "--out", out, *ident(vault_files), home=home)
    assert result.returncode == 0, result.stderr
    assert "Danielle Okafor" in out.read_text()


@pytest.mark.parametrize("command", ["audit", "print"])
def test_several_matches_are_listed_and_nothing_changes(
    home: Path,
    vault_files: VaultFiles,
    caseload: dict[str, str],
    tmp_path: Path,
    command: str,
) -> None:
    out = tmp_path / "sheet.md"
    before = vault_files.snapshot()
    if command == "audit":
        result = run_casetui("audit", *ident(vault_files), "--client", "dan", home=home)
    else:
        result = run_casetui("print", "Dan", "--out", out, *ident(vault_files), home=home)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 3, result.stderr
    assert "Dana Whitlock" in lines[0] and "K-17" in lines[0]
    assert "Danielle Okafor" in lines[1] and "M-04" in lines[1]
    assert lines[2].startswith("casetui: 2 clients ")
    assert lines[2].endswith(".")
    assert "nothing was changed" in lines[2]
    assert not out.exists()
    assert vault_files.snapshot() == before


def test_no_match_says_how_to_see_the_clients(
    home: Path, vault_files: VaultFiles, caseload: dict[str, str]
) -> None:
    result = run_casetui("audit", *ident(vault_files), "--client", "Nobody Here", home=home)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("casetui: No client")
    assert "run 'casetui'" in lines[0]
    assert lines[0].endswith(".")


def test_the_lookup_prefers_an_exact_name_or_code_over_a_start() -> None:
    from casetui.vault.audit import find_client

    clients = {
        "cl_1": {"preferred_name": "Sam", "calendar_code": ""},
        "cl_2": {"preferred_name": "Samantha Reyes", "calendar_code": "SAMR"},
        "cl_3": {"preferred_name": "Ana", "calendar_code": "X-1"},
    }
    assert find_client(clients, "sam") == "cl_1"
    assert find_client(clients, "samr") == "cl_2"
    assert find_client(clients, "SAMA") == "cl_2"
    assert find_client(clients, "CL_3") == "cl_3"
    assert find_client(clients, "x-1") == "cl_3"


def test_many_matches_list_at_most_ten() -> None:
    from casetui.vault import audit

    clients = {
        f"cl_{n:02}": {"preferred_name": f"Jo Person {n:02}", "calendar_code": f"J-{n:02}"}
        for n in range(14)
    }
    with pytest.raises(VaultError, match="14 clients") as caught:
        audit.find_client(clients, "jo")
    candidates = getattr(caught.value, "candidates", ())
    assert len(candidates) == 11
    assert candidates[0] == "Jo Person 00, code J-00, id cl_00"
    assert candidates[-1] == "... and 4 more"


# -- calendar on a vault with no case manager of its own -----------------------------


@pytest.mark.usefixtures("cheap_scrypt")
def test_calendar_without_an_owner_names_the_staff(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "shared" / "vault.age"
    with Vault.create(path, PASSPHRASE) as vault:
        assert vault.owner_staff_id is None
        first, second = Staff.create(name="Robin Testwell"), Staff.create(name="Alex Marr")
        vault.repo.staff.add(first)
        vault.repo.staff.add(second)
        vault.save()
    out = tmp_path / "week.ics"
    result = run_casetui(
        "calendar",
        "--vault",
        path,
        "--out",
        out,
        home=home,
        env={"CASETUI_PASSPHRASE": PASSPHRASE},
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("casetui: This vault has no case manager of its own")
    assert "--staff" in line
    assert f"{first.id} (Robin Testwell)" in line
    assert f"{second.id} (Alex Marr)" in line
    assert line.index("Alex Marr") < line.index("Robin Testwell")
    assert line.endswith("See 'casetui calendar --help'.")
    assert not out.exists()
