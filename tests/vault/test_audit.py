"""The audit trail: every write and session event is recorded, values never are."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyrage
import pytest

from casetui.core.choices import AuditAction, Domain, Horizon, NeedStatus
from casetui.core.errors import ReadOnlyVault, VaultError
from casetui.core.history_records import AuditEntry
from casetui.core.records import Client, Goal, Meeting, NeedItem
from casetui.services.interchange import apply_import, plan_import
from casetui.vault.audit import (
    AuditTrailIsAppendOnly,
    changed_fields,
    entry_for_change,
    find_client,
    select,
)
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles, run_casetui

SECRET_NOTE = "She keeps the spare key under the blue flowerpot"
SECRET_NAME = "Ottilie Brackenfold"


def trail(vault: Vault) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(e.action.value, e.table, e.fields) for e in select(vault.repo.audit.all())]


def trail_json(vault: Vault) -> str:
    return json.dumps([e.to_dict() for e in vault.repo.audit.all()], ensure_ascii=False)


def _client(vault: Vault, name: str = SECRET_NAME, **values: object) -> Client:
    return vault.repo.clients.add(
        Client.create(
            preferred_name=name,
            intake_date=date(2026, 9, 1),
            case_manager_id=vault.owner_staff_id,
            **values,
        )
    )


# -- pure helpers ---------------------------------------------------------------------


def test_changed_fields_names_only_what_differs() -> None:
    old = {"id": "x", "a": 1, "b": "same", "c": "gone"}
    new = {"id": "y", "a": 2, "b": "same", "d": "new"}
    assert changed_fields(old, new) == ["a", "d", "c"]
    assert changed_fields(new, new) == []


def test_an_entry_for_each_kind_of_write_and_none_for_a_no_op() -> None:
    row = {"client_id": "cl_1", "summary": SECRET_NOTE, "on": "2026-11-01"}
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    created = entry_for_change("Robin", "meetings", "mt_1", None, row, now=now)
    changed = entry_for_change(
        "Robin", "meetings", "mt_1", row, {**row, "summary": "other"}, now=now
    )
    removed = entry_for_change("Robin", "meetings", "mt_1", row, None, now=now)
    assert created is not None and changed is not None and removed is not None
    assert (created.action, created.client_id, created.fields) == (
        AuditAction.CREATED,
        "cl_1",
        ("client_id", "summary", "on"),
    )
    assert (changed.action, changed.fields) == (AuditAction.CHANGED, ("summary",))
    assert (removed.action, removed.fields, removed.record_id) == (
        AuditAction.REMOVED,
        (),
        "mt_1",
    )
    assert entry_for_change("Robin", "meetings", "mt_1", row, dict(row), now=now) is None
    for entry in (created, changed, removed):
        assert SECRET_NOTE not in json.dumps(entry.to_dict())
        assert entry.at == now


def test_a_client_is_its_own_client_in_the_trail() -> None:
    entry = entry_for_change("R", "clients", "cl_9", None, {"preferred_name": "x"})
    assert entry is not None and entry.client_id == "cl_9"


def test_find_client_by_id_or_unique_name() -> None:
    clients = {
        "cl_1": {"preferred_name": "Ada Fernhollow"},
        "cl_2": {"preferred_name": "Sam Dune"},
        "cl_3": {"preferred_name": "sam dune"},
    }
    assert find_client(clients, "cl_2") == "cl_2"
    assert find_client(clients, " ada fernhollow ") == "cl_1"
    with pytest.raises(VaultError, match=r"2 clients have that name.*cl_2, cl_3"):
        find_client(clients, "Sam Dune")
    with pytest.raises(VaultError, match="No client"):
        find_client(clients, "Nobody")


# -- the repository records every write ------------------------------------------------


def test_every_write_is_recorded_with_who_and_which_fields_but_no_values(
    vault_files: VaultFiles,
) -> None:
    with vault_files.open() as vault:
        client = _client(vault, safe_contact_notes=SECRET_NOTE)
        goal = vault.repo.goals.add(Goal.create(client_id=client.id, text=SECRET_NOTE))
        vault.repo.goals.put(dataclasses.replace(goal, text=SECRET_NOTE + "!"))
        vault.repo.goals.put(dataclasses.replace(goal, text=SECRET_NOTE + "!"))  # no change
        meeting = vault.repo.meetings.add(
            Meeting.create(
                client_id=client.id,
                staff_id=vault.owner_staff_id,
                on=date(2026, 11, 2),
                summary=SECRET_NOTE,
            )
        )
        vault.repo.meetings.remove(meeting.id)
        vault.save()
    with vault_files.open(writable=False) as vault:
        got = trail(vault)
        assert got[0] == ("created", "clients", got[0][2])
        assert "preferred_name" in got[0][2] and "safe_contact_notes" in got[0][2]
        assert got[1][:2] == ("created", "goals")
        assert got[2] == ("changed", "goals", ("text",))
        assert got[3][:2] == ("created", "meetings")
        assert got[4] == ("removed", "meetings", ())
        assert len(got) == 5, "a write that changed nothing leaves no entry"
        entries = select(vault.repo.audit.all())
        assert {e.who for e in entries} == {"Robin Testwell"}
        assert {e.client_id for e in entries} == {client.id}
        assert [e.id for e in select(vault.repo.audit.for_parent(client.id))] == [
            e.id for e in entries
        ]
        dumped = trail_json(vault)
        assert SECRET_NOTE not in dumped and SECRET_NAME not in dumped


def test_the_trail_can_only_grow(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        _client(vault)
        (entry,) = vault.repo.audit.all()
        with pytest.raises(AuditTrailIsAppendOnly):
            vault.repo.audit.put(dataclasses.replace(entry, who="someone else"))
        with pytest.raises(AuditTrailIsAppendOnly):
            vault.repo.audit.remove(entry.id)
        with pytest.raises(AuditTrailIsAppendOnly):
            vault.repo.audit.append(entry)
        assert vault.repo.audit.all() == [entry]


def test_a_read_only_session_writes_no_entries(vault_files: VaultFiles) -> None:
    with vault_files.open(writable=False) as vault:
        assert vault.repo.record_event(AuditAction.UNLOCKED) is None
        with pytest.raises(ReadOnlyVault):
            _client(vault)
        assert vault.repo.audit.all() == []


def test_an_import_is_one_entry_with_its_count(vault_files: VaultFiles) -> None:
    document = {
        "format": "casetui",
        "version": 3,
        "staff": [{"id": "st_imp1", "name": "Noor Castellane"}],
        "clients": [
            {
                "id": "cl_imp1",
                "preferred_name": SECRET_NAME,
                "intake_date": "2026-01-05",
                "case_manager_id": "st_imp1",
            }
        ],
    }
    with vault_files.open() as vault:
        apply_import(vault, plan_import(vault, document, "spreadsheet.json"))
        assert trail(vault) == [("imported", "", ())]
        (entry,) = vault.repo.audit.all()
        assert entry.detail == "2 records"
        assert SECRET_NAME not in trail_json(vault)


def test_a_team_member_is_named_by_their_key(vault_files: VaultFiles) -> None:
    colleague = pyrage.x25519.Identity.generate()
    with vault_files.open() as vault:
        meta = dict(vault.meta)
        meta["recipients"] = [
            *meta["recipients"],
            {"name": "Dana Willowmere", "key": str(colleague.to_public())},
        ]
        vault._db.record_table("_meta").replace_row("1", meta)
        vault.save(force=True)
    key_file = vault_files.vault.parent / "dana.txt"
    key_file.write_text(f"{colleague}\n")
    with Vault.open(vault_files.vault, identity_unlocker(key_file)) as vault:
        assert vault.who() == "Dana Willowmere"
        _client(vault)
        (entry,) = vault.repo.audit.all()
        assert entry.who == "Dana Willowmere"
    with vault_files.open(writable=False) as vault:
        assert vault.who() == "Robin Testwell"


def test_a_team_member_with_an_ssh_key_is_named_by_it(vault_files: VaultFiles) -> None:
    """An SSH identity does not show its public key: the list is probed to find the name."""
    import subprocess

    key = vault_files.vault.parent / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    kind, body = key.with_suffix(".pub").read_text().split()[:2]
    other = pyrage.x25519.Identity.generate()
    with vault_files.open() as vault:
        meta = dict(vault.meta)
        meta["recipients"] = [
            *meta["recipients"],
            {"name": "Dana Willowmere", "key": str(other.to_public())},
            {"name": "Sam Okafor", "key": f"{kind} {body}"},
        ]
        vault._db.record_table("_meta").replace_row("1", meta)
        vault.save(force=True)
    with Vault.open(vault_files.vault, identity_unlocker(key)) as vault:
        assert vault.who() == "Sam Okafor"
        _client(vault)
        _client(vault)
        assert {entry.who for entry in vault.repo.audit.all()} == {"Sam Okafor"}


def test_entries_survive_saving_and_the_age_tool_sees_no_values(
    vault_files: VaultFiles,
) -> None:
    with vault_files.open() as vault:
        client = _client(vault)
        vault.repo.needs.add(
            NeedItem.create(
                client_id=client.id,
                catalog_key="safety_plan",
                label="Safety plan",
                horizon=Horizon.SHORT_TERM,
                domain=Domain.SAFETY,
                status=NeedStatus.NEEDED,
                note=SECRET_NOTE,
            )
        )
        vault.repo.record_event(AuditAction.EXPORTED, detail="encrypted")
        vault.save()
    with vault_files.open(writable=False) as vault:
        assert [a for a, _t, _f in trail(vault)] == ["created", "created", "exported"]
        assert all(isinstance(e, AuditEntry) for e in vault.repo.audit.all())


# -- the command line -------------------------------------------------------------------


def _seeded(vault_files: VaultFiles) -> str:
    with vault_files.open() as vault:
        client = _client(vault, safe_contact_notes=SECRET_NOTE)
        _client(vault, name="Marisol Quillfeather")
        vault.repo.goals.add(Goal.create(client_id=client.id, text=SECRET_NOTE))
        vault.save()
        return client.id


def test_casetui_audit_prints_the_trail_and_filters_it(vault_files: VaultFiles, home) -> None:  # type: ignore[no-untyped-def]
    client_id = _seeded(vault_files)
    common = ("--vault", vault_files.vault, "--identity", vault_files.identity_file)
    everything = run_casetui("audit", *common, home=home)
    assert everything.returncode == 0, everything.stderr
    lines = everything.stdout.splitlines()
    assert len(lines) == 3
    assert all("Robin Testwell" in line for line in lines)
    assert "added a client" in lines[0] and "added a goal" in lines[2]
    assert SECRET_NOTE not in everything.stdout and SECRET_NAME not in everything.stdout

    mine = run_casetui("audit", *common, "--client", SECRET_NAME.upper(), home=home)
    assert mine.returncode == 0, mine.stderr
    assert len(mine.stdout.splitlines()) == 2
    assert all(client_id in line for line in mine.stdout.splitlines())

    later = run_casetui("audit", *common, "--since", "2999-01-01", home=home)
    assert later.returncode == 0 and later.stdout == ""
    assert "nothing that matches" in later.stderr


def test_casetui_audit_refuses_bad_input_in_one_sentence(vault_files: VaultFiles, home) -> None:  # type: ignore[no-untyped-def]
    _seeded(vault_files)
    before = vault_files.snapshot()
    common = ("--vault", vault_files.vault, "--identity", vault_files.identity_file)
    bad_day = run_casetui("audit", *common, "--since", "last tuesday", home=home)
    assert bad_day.returncode == 2
    assert "is not a date; write it as YYYY-MM-DD" in bad_day.stderr
    nobody = run_casetui("audit", *common, "--client", "Nobody Here", home=home)
    assert nobody.returncode == 1
    assert nobody.stderr.strip().splitlines() == [
        "casetui: No client's id, calendar code or preferred name matches that; run "
        "'casetui' to see your clients (add --masked to see them by their codes)."
    ]
    assert vault_files.snapshot() == before


def test_exports_from_the_command_line_are_recorded(vault_files: VaultFiles, home) -> None:  # type: ignore[no-untyped-def]
    _seeded(vault_files)
    common = ("--vault", vault_files.vault, "--identity", vault_files.identity_file)
    out = home / "export.age"
    done = run_casetui("export", *common, "--out", out, home=home)
    assert done.returncode == 0, done.stderr
    ics = home / "week.ics"
    done = run_casetui("calendar", *common, "--out", ics, "--weeks", "2", home=home)
    assert done.returncode == 0, done.stderr
    with vault_files.open(writable=False) as vault:
        # (The calendar also keeps a code for a client who had none: a CHANGED entry. The
        # seeding above was written by this test's own device, whose entries of the same
        # second may sort either side of the command line's: only the exports are compared.)
        entries = select(vault.repo.audit.all())
        exported = (AuditAction.EXPORTED, AuditAction.CALENDAR_EXPORTED)
        events = [(e.action, e.detail) for e in entries if e.action in exported]
    assert events == [
        (AuditAction.EXPORTED, "encrypted"),
        (AuditAction.CALENDAR_EXPORTED, "2 weeks, without names"),
    ]


def test_an_export_while_the_app_has_the_vault_still_works_and_says_it_is_not_recorded(
    vault_files: VaultFiles, home
) -> None:  # type: ignore[no-untyped-def]
    _seeded(vault_files)
    common = ("--vault", vault_files.vault, "--identity", vault_files.identity_file)
    with vault_files.open():  # holds the writer lock, as the app does
        done = run_casetui("export", *common, "--out", home / "e.age", home=home)
    assert done.returncode == 0, done.stderr
    assert "not written to its audit trail" in done.stderr
    with vault_files.open(writable=False) as vault:
        assert AuditAction.EXPORTED not in {e.action for e in vault.repo.audit.all()}


def test_changes_of_keys_are_recorded_by_name_never_by_secret(vault_files: VaultFiles) -> None:
    from casetui.services.recipients import add_recipient, make_recovery_key, remove_recipient

    colleague = pyrage.x25519.Identity.generate()
    with vault_files.open() as vault:
        add_recipient(vault, str(colleague.to_public()), "Dana Willowmere")
        recovery = make_recovery_key(vault)
        remove_recipient(vault, "Dana Willowmere")
    with vault_files.open(writable=False) as vault:
        entries = select(vault.repo.audit.all())
        assert [(e.action, e.detail) for e in entries] == [
            (AuditAction.KEYS_CHANGED, "added the key 'Dana Willowmere'"),
            (AuditAction.KEYS_CHANGED, "added the recovery key 'recovery key'"),
            (AuditAction.KEYS_CHANGED, "removed the key 'Dana Willowmere'"),
        ]
        secret = recovery.identity_text.strip().splitlines()[-1]
        assert secret.startswith("AGE-SECRET-KEY-1")
        assert secret not in trail_json(vault)


# -- in the app ---------------------------------------------------------------------------


async def test_the_history_tab_and_the_audit_screen_show_edits_without_their_text(
    vault_files: VaultFiles,
) -> None:
    from casetui.ui.forms.form import FormScreen
    from casetui.ui.screens.audit_trail import AuditScreen
    from casetui.ui.screens.client import ClientScreen
    from casetui.ui.widgets.row_list import RowList
    from tests.ui.test_ui_casework import active_tab, app_for, open_client_named, row_cells, seed
    from tests.ui.test_ui_flows import caseload_ready, type_into, wait_for, wait_saved

    seed(vault_files, lambda v: _client(v, name="Ottilie Brackenfold"))
    app = app_for(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await caseload_ready(pilot, app)
        await open_client_named(pilot, app, "Ottilie Brackenfold")
        await pilot.press("2", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-text", SECRET_NOTE)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await wait_saved(pilot, app)

        await pilot.press("0")
        await wait_for(pilot, lambda: active_tab(app) == "history")
        rows = row_cells(app, "#history-list")
        assert [r[1:] for r in rows] == [
            ("Robin Testwell", "added a goal"),
            ("Robin Testwell", "added a client"),
        ]
        shown = " ".join(" ".join(r) for r in rows)
        assert SECRET_NOTE not in shown and "Ottilie" not in shown

        await pilot.press("escape")
        await caseload_ready(pilot, app)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen))
        await wait_for(pilot, lambda: app.screen.query_one(RowList).has_focus)
        top = row_cells(app, "#audit-list")
        assert [r[2].split(":")[0] for r in top[:3]] == [
            "added a goal",
            "unlocked",
            "added a client",
        ]
        assert top[0][3] == "Ottilie Brackenfold"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await wait_for(pilot, lambda: active_tab(app) == "history")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen))
        await pilot.press("ctrl+q")
    assert app.return_code == 0


def test_two_devices_entries_of_one_second_keep_the_order_they_were_saved_in(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Times are kept to the second; the trail orders two devices' entries by their saves.

    The device saving second has the id that sorts first, and both entries carry the same
    second: ordered by time and device id, the later one would come first.
    """
    import casetui.vault.repository as repository_module
    from casetui.vault.seen import Seen

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:  # type: ignore[override]
            return cls(2026, 12, 4, 9, 30, 15, tzinfo=UTC)

    monkeypatch.setattr(repository_module, "datetime", Frozen)
    with vault_files.open(writable=False) as vault:
        vault_id = vault.vault_id
    devices = (("a", "zzzz0000zzzz0000", "first"), ("b", "aaaa0000aaaa0000", "second"))
    for name, device, detail in devices:
        monkeypatch.setenv("CASETUI_STATE_DIR", str(tmp_path / name))
        Seen(vault_id, device=device).save()
        with vault_files.open() as vault:
            vault.repo.record_event(AuditAction.EXPORTED, detail=detail)
            vault.save()
    with vault_files.open(writable=False) as vault:
        exported = [e for e in vault.repo.audit.all() if e.action is AuditAction.EXPORTED]
    assert [(e.detail, e.chain) for e in exported] == [
        ("first", "zzzz0000zzzz0000"),
        ("second", "aaaa0000aaaa0000"),
    ]
