"""A lone UTF-16 surrogate is not text: refused on import, replaced in a vault being opened.

JSON can spell one (``"\\ud800"``) and Python's json reads it into a str, but no
UTF-8 file can hold it, so a record holding one can never be saved. An import used
to accept it and then fail at the save with "EncryptError".
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

from casetui.core.records import Client
from casetui.resources import sample_caseload
from casetui.vault import keys
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles, run_casetui
from tests.vault.test_audit_forgery import rewrite

LONE = "\\ud800"  # as written in the JSON file


def one_client_export(tmp_path: Path, name_json: str) -> tuple[Path, str]:
    """An export holding the sample's first case manager and one client named ``name_json``."""
    sample = json.loads(sample_caseload().read_text(encoding="utf-8"))
    document = {k: v for k, v in sample.items() if not isinstance(v, list)}
    document.update({k: [] for k, v in sample.items() if isinstance(v, list)})
    staff = sample["staff"][0]
    client = dict(
        sample["clients"][0],
        case_manager_id=staff["id"],
        preferred_name="NAME",
        funding_source_ids=[],
    )
    document["staff"], document["clients"] = [staff], [client]
    text = json.dumps(document).replace('"NAME"', f'"{name_json}"')
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    return path, client["id"]


def test_import_refuses_a_lone_surrogate_naming_record_and_field(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    source, client_id = one_client_export(tmp_path, f"Ana{LONE} Lee")
    before = vault_files.snapshot()
    result = run_casetui(
        "import",
        source,
        "--vault",
        vault_files.vault,
        "--identity",
        vault_files.identity_file,
        home=home,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "EncryptError" not in result.stderr
    assert "unexpected" not in result.stderr
    problem = next(ln for ln in result.stderr.splitlines() if "surrogate" in ln)
    assert f"clients[0] (id {client_id})" in problem
    assert "preferred_name" in problem
    assert result.stderr.splitlines()[-1] == (
        "casetui: export.json has 1 problem; nothing was imported."
    )
    assert vault_files.snapshot() == before
    assert list(home.rglob("crash-*")) == []


def test_a_pair_of_surrogate_escapes_is_one_character_and_imports(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    source, _client_id = one_client_export(tmp_path, "Ana \\ud83d\\ude00")
    result = run_casetui(
        "import",
        source,
        "--vault",
        vault_files.vault,
        "--identity",
        vault_files.identity_file,
        home=home,
    )
    assert result.returncode == 0, result.stderr
    with vault_files.open(writable=False) as vault:
        assert [c.preferred_name for c in vault.repo.clients.all()] == ["Ana \U0001f600"]


def test_a_vault_edited_to_hold_a_lone_surrogate_opens_and_saves(vault_files: VaultFiles) -> None:
    """A change file (from a key holder's tool, say) can spell one; the vault still saves."""
    with vault_files.open() as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        client = vault.repo.clients.add(
            Client.create(
                preferred_name="Placeholder", intake_date=date(2026, 1, 5), case_manager_id=owner
            )
        )
        vault.save()

    def edit(document: dict[str, Any]) -> None:
        document["clients"][client.id]["preferred_name"] = "Ana\ud800 Lee"

    # ensure_ascii: written as the escape \ud800 (UTF-8 cannot hold it)
    change = rewrite(vault_files, edit, ensure_ascii=True)
    keyring = keys.load_identity_file(vault_files.identity_file)
    assert LONE.encode() in keys.decrypt(change.read_bytes(), keyring, change)

    with Vault.open(vault_files.vault, identity_unlocker(vault_files.identity_file)) as vault:
        [shown] = vault.repo.clients.all()
        assert shown.preferred_name == "Ana\ufffd Lee"
        vault.repo.clients.put(dataclasses.replace(shown, pronouns="she/her"))
        assert vault.save() is not None
        assert vault.save(force=True) is not None  # a snapshot: the whole vault, as read
    with vault_files.open(writable=False) as vault:
        assert [c.preferred_name for c in vault.repo.clients.all()] == ["Ana\ufffd Lee"]
