"""Reading a vault folder into memory: the journal, this device's name in it, and the document."""

from __future__ import annotations

from dataclasses import dataclass

from casetui.core.errors import VaultDamaged, VaultNotFound
from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.core.text import sanitise_document
from casetui.vault import keys
from casetui.vault.document import META_ID, META_TABLE, check_shape
from casetui.vault.journal import journal_folder as jf
from casetui.vault.journal.device_journal import Journal, new_device_id
from casetui.vault.journal.hlc import Clock
from casetui.vault.seen import recall
from casetui.vault.storage import Document
from casetui.vault.unlocking import Unlocker
from casetui.vault.vault_paths import VaultPaths


@dataclass(frozen=True, slots=True)
class OpenedFolder:
    keyring: keys.Keyring
    journal: Journal
    document: Document


def open_folder(paths: VaultPaths, unlock: Unlocker, *, later: bool) -> OpenedFolder:
    """Unlock, then read every file of the vault folder and merge them.

    With ``later`` the meeting log and the audit trail are left for
    :meth:`Journal.load_rest`, so a caseload can be drawn first.
    """
    if not jf.is_journal_folder(paths.vault):
        raise VaultNotFound(
            f"{paths.vault} is a folder, but not a casetui vault; point --vault at your vault."
        )
    keyring = unlock(paths)
    remembers = keyring.source != "memory"
    clock = Clock("opening")
    loaded = jf.load(
        paths.vault,
        keyring,
        clock=clock,
        trust=(lambda vault_id: recall(vault_id).secret_ids) if remembers else (lambda _v: ()),
        later=jf.LATER_TABLES if later else (),
        own=_own if remembers else (lambda _v: (None, 0)),
    )
    device = (recall(loaded.vault_id).device if remembers else None) or new_device_id()
    journal = Journal(loaded, keyring, device, clock.renamed(device))
    tables = [META_TABLE, *RECORD_BY_TABLE]
    document = journal.document(tables)
    if not document.get(META_TABLE, {}).get(META_ID):
        first = loaded.problems[0].sentence if loaded.problems else "it holds no snapshot"
        raise VaultDamaged(
            f"casetui could not read the vault {paths.vault}: {first[:300].rstrip('.')}; "
            "run 'casetui check', or restore a backup."
        )
    check_shape(document, paths.vault)
    if loaded.needs_cleaning:
        sanitise_document(document)
    document[META_TABLE][META_ID] = {
        **document[META_TABLE][META_ID],
        "generation": generation_of(journal),
    }
    return OpenedFolder(keyring, journal, document)


def _own(vault_id: str) -> tuple[str | None, int]:
    seen = recall(vault_id)
    return seen.device, seen.written


def generation_of(journal: Journal) -> int:
    """How many saves the vault holds, from every device: it only ever grows."""
    return sum(journal.state.vector.values())
