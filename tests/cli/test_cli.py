"""The command line, run as a real subprocess."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from casetui.core.choices import AuditAction, ClosureReason
from casetui.core.records import Client, Meeting
from casetui.resources import sample_caseload
from casetui.services import casework
from casetui.vault import keys
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import PASSPHRASE, VaultFiles, run_casetui

pytestmark = pytest.mark.usefixtures("home")


def ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def assert_one_sentence_error(result: object, *fragments: str) -> None:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.returncode not in (0, 70), stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    line = last_line(stderr)
    assert line.startswith("casetui: "), stderr
    assert line.endswith("."), line
    for fragment in fragments:
        assert fragment in line, line


def test_help_lists_every_command(home: Path) -> None:
    result = run_casetui("--help", home=home)
    assert result.returncode == 0
    for command in ("init", "import", "export", "check", "passwd"):
        assert command in result.stdout


def test_the_console_script_is_installed(home: Path) -> None:
    script = Path(sys.executable).parent / "casetui"
    assert script.exists() or shutil.which("casetui")


def test_a_usage_mistake_exits_2_with_a_hint(home: Path) -> None:
    result = run_casetui("export", home=home)
    assert result.returncode == 2
    assert "--out" in result.stderr
    assert "casetui export --help" in result.stderr  # the command's own help


def test_init_creates_a_vault_from_the_environment_passphrase(home: Path, tmp_path: Path) -> None:
    vault = tmp_path / "v" / "vault.age"
    env = {"CASETUI_PASSPHRASE": PASSPHRASE}
    result = run_casetui("init", "--vault", vault, "--name", "Grace Fernwood", home=home, env=env)
    assert result.returncode == 0, result.stderr
    assert "Created a new vault" in result.stdout
    # A vault is a folder (0700) of small files (0600), in folders of its own (0700).
    assert vault.is_dir()
    inside = [vault, *vault.rglob("*")]
    assert any(p.is_file() for p in inside)
    for entry in inside:
        assert entry.stat().st_mode & 0o777 == (0o700 if entry.is_dir() else 0o600), entry
    assert VaultPaths(vault).identity.stat().st_mode & 0o777 == 0o600
    again = run_casetui("init", "--vault", vault, home=home, env=env)
    assert_one_sentence_error(again, "already exists")


def test_init_uses_the_platform_data_folder_by_default(home: Path) -> None:
    result = run_casetui("init", home=home, env={"CASETUI_PASSPHRASE": PASSPHRASE})
    assert result.returncode == 0, result.stderr
    assert (home / "data" / "casetui" / "vault.age").exists()
    assert (home / "data" / "casetui").stat().st_mode & 0o777 == 0o700


def test_init_refuses_a_weak_passphrase(home: Path, tmp_path: Path) -> None:
    result = run_casetui(
        "init", "--vault", tmp_path / "v.age", home=home, env={"CASETUI_PASSPHRASE": "short"}
    )
    assert_one_sentence_error(result, "too weak")
    assert not (tmp_path / "v.age").exists()


def test_without_a_terminal_or_passphrase_the_error_says_what_to_do(
    home: Path, vault_files: VaultFiles
) -> None:
    result = run_casetui("check", "--vault", vault_files.vault, home=home)
    assert_one_sentence_error(result, "CASETUI_PASSPHRASE")


def test_the_vault_can_come_from_the_environment(home: Path, vault_files: VaultFiles) -> None:
    result = run_casetui(
        "check",
        "--identity",
        vault_files.identity_file,
        home=home,
        env={"CASETUI_VAULT": str(vault_files.vault)},
    )
    assert result.returncode == 0, result.stderr


def test_import_sample_then_again_adds_nothing(home: Path, vault_files: VaultFiles) -> None:
    first = run_casetui("import", "--sample", *ident(vault_files), home=home)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Added ")
    assert "clients" in first.stdout
    second = run_casetui("import", "--sample", *ident(vault_files), home=home)
    assert second.returncode == 0, second.stderr
    assert "Nothing new to add." in second.stdout
    assert "Already in the vault, unchanged:" in second.stdout


def test_an_invalid_import_names_file_record_and_field_and_changes_nothing(
    home: Path, vault_files: VaultFiles, tmp_path: Path
) -> None:
    document = json.loads(sample_caseload().read_text())
    document["clients"][3]["intake_date"] = "31/02/2026"
    bad_id = document["clients"][3]["id"]
    document["meetings"][0]["kind"] = "gossip"
    bad = tmp_path / "broken-export.json"
    bad.write_text(json.dumps(document))
    before = vault_files.snapshot()
    result = run_casetui("import", bad, *ident(vault_files), home=home)
    assert_one_sentence_error(result, "broken-export.json", "nothing was imported")
    assert f"broken-export.json: clients[3] (id {bad_id}): intake_date:" in result.stderr
    assert "meetings[0]" in result.stderr
    assert "kind: 'gossip' is not one of" in result.stderr
    assert vault_files.snapshot() == before


def test_an_import_with_a_dangling_reference_changes_nothing(
    home: Path, vault_files: VaultFiles, tmp_path: Path
) -> None:
    document = json.loads(sample_caseload().read_text())
    document["goals"][0]["client_id"] = "cl_does_not_exist"
    bad = tmp_path / "dangling.json"
    bad.write_text(json.dumps(document))
    before = vault_files.snapshot()
    result = run_casetui("import", bad, *ident(vault_files), home=home)
    assert_one_sentence_error(result, "refer to missing or repeated records")
    assert "no client has the id 'cl_does_not_exist'" in result.stderr
    assert vault_files.snapshot() == before


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "is not valid JSON"),
        (b"{not json", "is not valid JSON (line 1, column 2"),
        (b"\xff\xfe\x00garbage", "is not UTF-8"),
        (b"[1, 2, 3]", "nothing was imported"),
        (b'{"format": "casetui", "version": 99}', "nothing was imported"),
    ],
)
def test_unreadable_import_files_are_refused(
    home: Path, vault_files: VaultFiles, tmp_path: Path, content: bytes, fragment: str
) -> None:
    bad = tmp_path / "input.json"
    bad.write_bytes(content)
    before = vault_files.snapshot()
    result = run_casetui("import", bad, *ident(vault_files), home=home)
    assert result.returncode == 1
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert vault_files.snapshot() == before


def test_encrypted_export_restores_everything_into_a_new_vault(
    home: Path, sample_files: VaultFiles, vault_files: VaultFiles, tmp_path: Path
) -> None:
    out = tmp_path / "export.age"
    result = run_casetui("export", "--out", out, *ident(sample_files), home=home)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert b"preferred_name" not in out.read_bytes()

    # Re-importing into the same vault duplicates nothing.
    same = run_casetui("import", out, *ident(sample_files), home=home)
    assert same.returncode == 0, same.stderr
    assert "Nothing new to add." in same.stdout

    # vault_files shares the same key (a copy of the template), so it can read the
    # export: the restore brings every record across.
    restored = run_casetui("import", out, *ident(vault_files), home=home)
    assert restored.returncode == 0, restored.stderr
    assert sample_files.vault != vault_files.vault
    with sample_files.open(writable=False) as a, vault_files.open(writable=False) as b:
        assert len(a.repo.clients) > 30
        for table_a, table_b in zip(a.repo.tables(), b.repo.tables(), strict=True):
            if table_a.name == "audit":
                continue
            assert {r.id: r for r in table_a} == {r.id: r for r in table_b}
        # The trail came across too, but for the export's own entry, written after it.
        exported = {e.id for e in a.repo.audit.all() if e.action.value == "exported"}
        assert len(exported) == 1
        assert {e.id for e in a.repo.audit.all()} - exported <= {e.id for e in b.repo.audit.all()}


def test_plaintext_export_warns_and_stays_private(
    home: Path, sample_files: VaultFiles, tmp_path: Path
) -> None:
    out = tmp_path / "export.json"
    result = run_casetui("export", "--out", out, "--plaintext", *ident(sample_files), home=home)
    assert result.returncode == 0, result.stderr
    assert "Warning:" in result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    document = json.loads(out.read_text())
    assert document["format"] == "casetui"
    assert len(document["clients"]) >= 30
    again = run_casetui("export", "--out", out, "--plaintext", *ident(sample_files), home=home)
    assert_one_sentence_error(again, "already exists", "--force")
    forced = run_casetui(
        "export", "--out", out, "--plaintext", "--force", *ident(sample_files), home=home
    )
    assert forced.returncode == 0, forced.stderr


def test_export_refuses_to_overwrite_the_vault_itself(home: Path, sample_files: VaultFiles) -> None:
    before = sample_files.snapshot()
    result = run_casetui(
        "export", "--out", sample_files.vault, "--force", *ident(sample_files), home=home
    )
    assert_one_sentence_error(result, "one of the vault's own files")
    assert sample_files.snapshot() == before


def test_check_reports_and_writes_nothing(home: Path, sample_files: VaultFiles) -> None:
    with sample_files.open() as vault:  # make one backup exist
        vault.save(force=True)
    before = sample_files.snapshot()
    stamps = {p: p.stat().st_mtime_ns for p in sample_files.vault.parent.rglob("*")}
    result = run_casetui("check", *ident(sample_files), home=home)
    assert result.returncode == 0, result.stderr
    assert "All is well" in result.stdout
    assert "Backups: 1 kept, 1 open with this key" in result.stdout
    assert "clients" in result.stdout
    assert sample_files.snapshot() == before
    assert {p: p.stat().st_mtime_ns for p in sample_files.vault.parent.rglob("*")} == stamps


def test_check_flags_a_vault_readable_by_others(home: Path, vault_files: VaultFiles) -> None:
    vault_files.vault.chmod(0o755)  # the vault folder: its files can be read through it
    result = run_casetui("check", *ident(vault_files), home=home)
    assert_one_sentence_error(result, "1 problem")
    assert f"{vault_files.vault} can be read by other users" in result.stderr
    assert f"chmod 700 '{vault_files.vault}'" in result.stderr


def test_passwd_changes_the_passphrase(home: Path, vault_files: VaultFiles) -> None:
    new = "marmalade violin harbour nine"
    with vault_files.open(writable=False) as vault:
        staff_before = vault.repo.staff.all()
    result = run_casetui(
        "passwd",
        "--vault",
        vault_files.vault,
        home=home,
        env={"CASETUI_PASSPHRASE": PASSPHRASE, "CASETUI_NEW_PASSPHRASE": new},
    )
    assert result.returncode == 0, result.stderr
    # Only the key file is re-wrapped; the vault itself just gains the audit entry.
    with vault_files.open(writable=False) as vault:
        assert vault.repo.staff.all() == staff_before
        assert [(e.action.value, e.detail) for e in vault.repo.audit.all()] == [
            ("keys_changed", "changed the passphrase")
        ]
    old = run_casetui(
        "check", "--vault", vault_files.vault, home=home, env={"CASETUI_PASSPHRASE": PASSPHRASE}
    )
    assert_one_sentence_error(old, "passphrase does not open")
    fresh = run_casetui(
        "check", "--vault", vault_files.vault, home=home, env={"CASETUI_PASSPHRASE": new}
    )
    assert fresh.returncode == 0, fresh.stderr


# -- remove and erase ------------------------------------------------------------------

#: Found nowhere but in one made-up client's name and in a note of a meeting with them.
CANARY = "Quillon7f3a"
CANARY_NAME = f"Tamsin {CANARY}"


@dataclass(frozen=True)
class Caseload:
    canary: str
    canary_meeting: str
    twins: tuple[str, str]
    closed_early: str
    closed_late: str
    reopened: str


def _add_client(vault: Vault, name: str) -> Client:
    staff_id = vault.owner_staff_id
    assert staff_id is not None
    return vault.repo.clients.add(
        Client.create(preferred_name=name, intake_date=date(2026, 1, 5), case_manager_id=staff_id)
    )


def _close(vault: Vault, client: Client, on: date) -> None:
    casework.close_case(
        vault.repo,
        client.id,
        on=on,
        reason=ClosureReason.NEEDS_MET,
        safety_plan_reviewed=True,
        knows_can_return=True,
        note="Settled.",
    )


@pytest.fixture
def caseload(vault_files: VaultFiles) -> Caseload:
    """Made-up clients, saved over two sessions: in change files, a snapshot and a backup."""
    with vault_files.open() as vault:
        canary = _add_client(vault, CANARY_NAME)
        meeting = vault.repo.meetings.add(
            Meeting.create(
                client_id=canary.id,
                on=date(2026, 2, 3),
                summary=f"Went over the housing form; {CANARY} asked about the bus pass.",
            )
        )
        twins = (_add_client(vault, "Sam Placeholder"), _add_client(vault, "Sam Placeholder"))
        early, late = _add_client(vault, "Early Closedcase"), _add_client(vault, "Late Closedcase")
        reopened = _add_client(vault, "Reopened Closedcase")
        _close(vault, early, date(2026, 2, 1))
        _close(vault, late, date(2026, 6, 1))
        _close(vault, reopened, date(2026, 1, 15))
        casework.reopen_case(vault.repo, reopened.id, on=date(2026, 3, 1), reason="Back again.")
        assert vault.save() is not None
    with vault_files.open() as vault:  # the session's backup now holds them all
        vault.repo.clients.put(dataclasses.replace(canary, pronouns="she/her"))
        assert vault.save() is not None
        vault.compact()  # a snapshot holds them too
    return Caseload(
        canary.id, meeting.id, (twins[0].id, twins[1].id), early.id, late.id, reopened.id
    )


def holding_canary(files: VaultFiles) -> list[Path]:
    """Every file beside the vault (its folder, backups, hidden files) whose plaintext has it."""
    keyring = keys.load_identity_file(files.identity_file)
    found = []
    for path in sorted(files.vault.parent.rglob("*")):
        if not path.is_file() or path in (files.paths.identity, files.paths.lock):
            continue
        data = path.read_bytes()
        if keys.is_age_file(data):
            data = keys.decrypt(data, keyring, path)  # every file must open with the key
        if CANARY.encode() in data:
            found.append(path)
    return found


def records_of(files: VaultFiles) -> dict[str, set[str]]:
    with files.open(writable=False) as vault:
        return {t.name: set(t.raw()) for t in vault.repo.tables() if t.name != "audit"}


def test_remove_takes_a_client_by_a_name_only_they_have(
    home: Path, vault_files: VaultFiles, caseload: Caseload
) -> None:
    before = records_of(vault_files)
    result = run_casetui("remove", "early closedcase", "--yes", *ident(vault_files), home=home)
    assert result.returncode == 0, result.stderr
    assert "Removed Early Closedcase" in result.stdout
    after = records_of(vault_files)
    assert after["clients"] == before["clients"] - {caseload.closed_early}
    with vault_files.open(writable=False) as vault:
        assert vault.repo.case_events.for_parent(caseload.closed_early) == []
        assert len(vault.repo.case_events) == 3  # the other clients' closings and reopening
        [entry] = [e for e in vault.repo.audit.all() if "entered by mistake" in e.detail]
        assert entry.action is AuditAction.REMOVED
        assert "Closedcase" not in entry.detail
    assert {t: ids for t, ids in after.items() if t not in ("clients", "case_events")} == {
        t: ids for t, ids in before.items() if t not in ("clients", "case_events")
    }


def test_remove_by_a_name_two_clients_have_changes_nothing(
    home: Path, vault_files: VaultFiles, caseload: Caseload
) -> None:
    before = vault_files.snapshot()
    result = run_casetui("remove", "Sam Placeholder", "--yes", *ident(vault_files), home=home)
    assert_one_sentence_error(result, "2 clients are called 'Sam Placeholder'", "id")
    assert len([ln for ln in result.stderr.splitlines() if ln.strip()]) == 1
    assert vault_files.snapshot() == before


def test_erase_dry_run_lists_what_would_go_and_changes_nothing(
    home: Path, vault_files: VaultFiles, caseload: Caseload
) -> None:
    before = vault_files.snapshot()
    result = run_casetui("erase", CANARY_NAME, "--dry-run", *ident(vault_files), home=home)
    assert result.returncode == 0, result.stderr
    assert f"Would erase {CANARY_NAME} and 1 meeting." in result.stdout
    assert "Nothing was changed (1 client)." in result.stdout
    assert vault_files.snapshot() == before


def test_erase_closed_before_a_date_dry_run_lists_only_cases_closed_before_it(
    home: Path, vault_files: VaultFiles, caseload: Caseload
) -> None:
    before = vault_files.snapshot()
    result = run_casetui(
        "erase", "--closed-before", "2026-03-01", "--dry-run", *ident(vault_files), home=home
    )
    assert result.returncode == 0, result.stderr
    listed = [ln.strip() for ln in result.stdout.splitlines() if "(case closed" in ln]
    # Not the case closed later, nor the one closed before and reopened, nor open ones.
    assert listed == ["Early Closedcase (case closed 2026-02-01)"]
    assert [ln for ln in result.stdout.splitlines() if ln.startswith("Would erase")] == [
        "Would erase Early Closedcase and 1 case event."
    ]
    assert "Nothing was changed (1 client)." in result.stdout
    assert vault_files.snapshot() == before


def test_erase_leaves_no_trace_of_the_client_in_any_file_or_backup(
    home: Path, vault_files: VaultFiles, caseload: Caseload
) -> None:
    held = holding_canary(vault_files)
    # Before: in a change file, a snapshot and a backup (so each must be cleaned).
    assert {p.parent.name for p in held} >= {"changes", "snapshots", "vault.age.backups"}, held
    backups = sorted(p.name for p in vault_files.vault.parent.glob("vault.age.backups/*"))
    before = records_of(vault_files)

    result = run_casetui("erase", CANARY_NAME, "--yes", *ident(vault_files), home=home)
    assert result.returncode == 0, result.stderr
    assert f"Erased {CANARY_NAME}." in result.stdout
    assert holding_canary(vault_files) == []
    # The backups were rewritten without the records (each still opens: see holding_canary).
    assert sorted(p.name for p in vault_files.vault.parent.glob("vault.age.backups/*")) == (backups)
    after = records_of(vault_files)
    assert after["clients"] == before["clients"] - {caseload.canary}
    assert after["meetings"] == before["meetings"] - {caseload.canary_meeting}
    with vault_files.open(writable=False) as vault:
        erased = [e for e in vault.repo.audit.all() if "erased" in e.detail]
        assert len(erased) == 1, erased
        [entry] = erased
        assert entry.action is AuditAction.REMOVED
        assert "a client's records" in entry.detail
        assert (entry.client_id, entry.record_id) == (None, None)
        assert "Tamsin" not in json.dumps(vault.repo.audit.raw())  # nor in any other entry
        assert vault.problems() == []


@pytest.mark.parametrize(
    "argv", [["erase", CANARY_NAME], ["remove", CANARY_NAME]], ids=["erase", "remove"]
)
def test_erase_and_remove_without_yes_or_a_terminal_refuse_in_one_sentence(
    argv: list[str], home: Path, vault_files: VaultFiles, caseload: Caseload
) -> None:
    before = vault_files.snapshot()
    result = run_casetui(*argv, *ident(vault_files), home=home, input_text="")
    assert_one_sentence_error(result, "--yes")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert vault_files.snapshot() == before
