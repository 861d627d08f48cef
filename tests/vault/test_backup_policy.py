"""Backups kept by age, pinned backups, audit-only saves, and ``casetui restore``.

The age policy keeps the newest 10 copies, the first of each of the last 14
days and the first of each of the last 8 weeks; a copy pinned before a big
change is never pruned by it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from casetui.core.choices import AuditAction
from casetui.vault import keys
from casetui.vault.backups import Backups
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.cli.test_cli import ident
from tests.conftest import VaultFiles, run_casetui
from tests.vault.test_vault import add_client

START = date(2026, 3, 2)  # a Monday
SESSIONS = (8, 10, 12, 14, 16, 18)  # six sessions a day, on the hour (UTC)


def at(day: int, hour: int) -> datetime:
    return datetime(START.year, START.month, START.day, hour, tzinfo=UTC) + timedelta(days=day)


def a_vault_file(tmp_path: Path) -> Path:
    vault = tmp_path / "vault.age"
    vault.write_bytes(b"age-encryption.org/v1\n(not a real vault: the policy never opens it)\n")
    vault.chmod(0o600)
    return vault


def kept_times(backups: Backups) -> list[datetime]:
    return sorted(b.taken for b in backups.newest_first())


def test_thirty_days_of_sessions_keep_the_last_10_one_a_day_and_one_a_week(
    tmp_path: Path,
) -> None:
    vault = a_vault_file(tmp_path)
    backups = Backups(vault)
    for day in range(30):
        for hour in SESSIONS:
            backups.take(vault, at(day, hour))
    last = 29
    # The newest 10: day 29's six sessions and day 28's last four.
    newest = [at(28, h) for h in SESSIONS[2:]] + [at(last, h) for h in SESSIONS]
    # The first of each of the last 14 days (days 16 to 29).
    daily = [at(day, SESSIONS[0]) for day in range(last - 13, last + 1)]
    # The first of each week (the weeks start on days 0, 7, 14, 21 and 28).
    weekly = [at(day, SESSIONS[0]) for day in (0, 7, 14, 21, 28)]
    expected = sorted(set(newest) | set(daily) | set(weekly))
    assert kept_times(backups) == expected
    assert len(expected) == 10 + 13 + 3  # day 28's first is both daily and weekly

    # The morning's state: today's first copy survives any number of sessions.
    for minute in range(1, 40):
        backups.take(vault, at(last, 18) + timedelta(minutes=minute))
    assert at(last, 8) in kept_times(backups)
    assert at(last, 10) not in kept_times(backups)


def test_weekly_copies_go_after_8_weeks_and_daily_ones_after_14_days(tmp_path: Path) -> None:
    vault = a_vault_file(tmp_path)
    backups = Backups(vault)
    for day in range(0, 100, 2):  # a session every other day for 100 days
        backups.take(vault, at(day, 9))
    now_day = 98
    kept = kept_times(backups)
    this_week = (now_day // 7) * 7  # day 98 is a Monday
    weeks = [w for w in range(0, now_day + 1, 7) if this_week - w < 56]
    # Each week's first session: the first even day on or after the Monday.
    weekly = {at(w + (w % 2), 9) for w in weeks}
    daily = {at(d, 9) for d in range(now_day - 13, now_day + 1) if d % 2 == 0}
    newest = {at(d, 9) for d in range(now_day - 18, now_day + 1, 2)}
    assert kept == sorted(weekly | daily | newest)
    assert min(kept) == at(this_week - 49 + 1, 9)  # nothing from before 8 weeks ago


def test_pinned_copies_survive_the_policy_and_are_named_for_why(tmp_path: Path) -> None:
    vault = a_vault_file(tmp_path)
    backups = Backups(vault)
    pinned = backups.take(vault, at(0, 12), reason="import")
    assert pinned.path.name.endswith("-before-import.age")
    restore = backups.take(vault, at(1, 12), reason="before restore")
    assert restore.path.name.endswith("-before-restore.age")
    for day in range(2, 200):
        for hour in SESSIONS:
            backups.take(vault, at(day, hour))
    listed = {b.path: b for b in backups.newest_first()}
    assert pinned.path in listed and restore.path in listed
    assert listed[pinned.path].reason == "import" and listed[pinned.path].pinned
    assert listed[restore.path].reason == "restore"
    assert not any(b.pinned for p, b in listed.items() if p not in (pinned.path, restore.path))
    # Old-style names are still read, and not pinned.
    old_style = backups.folder / "vault-20200101T000000000000Z.age"
    old_style.write_bytes(b"x")
    found = backups.find(old_style.name)
    assert found is not None and not found.pinned
    assert found.taken == datetime(2020, 1, 1, tzinfo=UTC)
    assert backups.find("1") == backups.newest_first()[0]


def test_a_save_that_only_adds_audit_entries_takes_no_backup(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        vault.repo.record_event(AuditAction.REPORT_RUN, detail="a look-only report")
        looked = vault.save()
        assert looked is not None and looked.backup is None
    assert Backups(vault_files.vault).newest_first() == []
    with vault_files.open() as vault:
        vault.repo.record_event(AuditAction.EXPORTED, detail="another look")
        assert vault.save() is not None
        add_client(vault)
        changed = vault.save()
        assert changed is not None and changed.backup is not None
    assert [b.path for b in Backups(vault_files.vault).newest_first()] == [changed.backup]


def records_in(path: Path, files: VaultFiles) -> dict[str, list[object]]:
    """Every record of the vault (or one-file backup) at ``path``, table by table."""
    with Vault.open(path, identity_unlocker(files.identity_file), writable=False) as vault:
        return {t.name: sorted(t.all(), key=lambda r: r.id) for t in vault.repo.tables()}


def folder_files(files: VaultFiles) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(files.vault.rglob("*")) if p.is_file()}


def test_an_import_and_a_change_of_keys_keep_pinned_copies(vault_files: VaultFiles) -> None:
    from casetui.resources import sample_caseload
    from casetui.services.interchange import apply_import, plan_import, read_interchange_file
    from casetui.services.recipients import add_recipient, remove_recipient
    from casetui.vault import keys

    with vault_files.open() as vault:
        add_client(vault)
        vault.save()  # the session's ordinary backup
        before_import = {t.name: sorted(t.all(), key=lambda r: r.id) for t in vault.repo.tables()}
        data = read_interchange_file(sample_caseload(), vault.keyring)
        apply_import(vault, plan_import(vault, data, "caseload.json"))
        _, public = keys.generate_identity()
        add_recipient(vault, public, "Colleague")
        remove_recipient(vault, "Colleague")
    pinned = {b.reason: b for b in Backups(vault_files.vault).newest_first() if b.pinned}
    assert set(pinned) == {"import", "keys-change", "removal"}
    # Each is one age file holding the whole vault as it was before the change.
    assert records_in(pinned["import"].path, vault_files) == before_import


def test_restore_brings_a_backup_back_as_a_new_change_and_keeps_the_current_records(
    vault_files: VaultFiles, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unlock = identity_unlocker(vault_files.identity_file)
    # What this computer remembers: here the same as for the casetui subprocesses.
    monkeypatch.setenv("CASETUI_STATE_DIR", str(home / "state" / "casetui"))
    for name in ("First Client", "Second Client"):
        with Vault.open(vault_files.vault, unlock) as vault:
            add_client(vault, name=name)
            vault.save()
    backups = Backups(vault_files.vault)
    first, _empty = backups.newest_first()
    wanted = first.path.read_bytes()  # the vault with "First Client" only
    current = folder_files(vault_files)
    current_records = records_in(vault_files.vault, vault_files)
    with Vault.open(vault_files.vault, unlock, writable=False) as vault:
        saves = vault.generation

    refused = run_casetui("restore", "1", *ident(vault_files), home=home)
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert folder_files(vault_files) == current

    listing = run_casetui("check", *ident(vault_files), home=home)
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert f"1. {first.taken:%Y-%m-%d %H:%M} UTC" in listing.stdout
    assert first.path.name in listing.stdout

    restored = run_casetui("restore", first.path.name, "--yes", *ident(vault_files), home=home)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    keyring = keys.load_identity_file(vault_files.identity_file)
    backed_up = json.loads(keys.decrypt(wanted, keyring, first.path))
    with Vault.open(vault_files.vault, unlock, writable=False) as vault:
        # The backup's own records, and one audit entry more: the restore itself.
        assert set(vault.repo.clients.raw()) == set(backed_up["clients"])
        assert vault.repo.audit.all()[-1].action is AuditAction.RESTORED
        # Written forward, as one more save: every file there was is still there, as it was.
        assert vault.generation == saves + 1
    after = folder_files(vault_files)
    assert {p: after.get(p) for p in current} == current
    [new] = set(after) - set(current)
    assert new.parent.name == "changes"
    kept = [b for b in backups.newest_first() if b.reason == "restore"]
    assert len(kept) == 1
    assert records_in(kept[0].path, vault_files) == current_records

    checked = run_casetui("check", *ident(vault_files), home=home)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "All is well" in checked.stdout
    assert "before restore" in checked.stdout
    # The restored copy opens for writing without --accept-older-copy, and saves.
    with Vault.open(vault_files.vault, unlock) as vault:
        names = {c.preferred_name for c in vault.repo.clients.all()}
        add_client(vault, name="Third Client")
        assert vault.save() is not None
    assert "First Client" in names and "Second Client" not in names

    by_number = run_casetui("restore", "99", "--yes", *ident(vault_files), home=home)
    assert by_number.returncode != 0
    assert "casetui check" in by_number.stderr
