"""A half-typed form kept across a lock or a dropped connection, never in plaintext.

When the app locks (the idle lock, F12) or the terminal goes away while a form
holds typed changes, the form's contents are sealed with age to the vault's own
recipients: public keys, so no secret is needed to seal it, and only a key that
opens the vault can open the draft. The sealed draft is written 0600, atomically,
to this computer's state folder (``$CASETUI_STATE_DIR/drafts/<vault id>.age``),
never beside the vault: it belongs to this computer's session, not to the
synced or backed-up vault folder.

After the next unlock the draft is opened with the vault's keys, given back, and
only then removed. One draft is kept per vault; a newer one replaces an older one. A draft
that cannot be opened (another person's key, a damaged file) is left where it is
for its owner and never read as anything else.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import pyrage

from casetui.core.errors import SaveFailed
from casetui.files import atomic_write, ensure_private_dir
from casetui.vault.keys import Keyring, RecipientEntry
from casetui.vault.seen import state_folder

DRAFT_FOLDER = "drafts"
#: A draft is one form: far smaller than this. Anything larger is not ours.
MAX_DRAFT = 4 << 20
DRAFT_VERSION = 1


def draft_path(vault_id: str) -> Path:
    """Where this computer keeps the sealed draft for ``vault_id``."""
    safe = "".join(ch for ch in vault_id if ch in "0123456789abcdef")[:64] or "unknown"
    return state_folder().parent / DRAFT_FOLDER / f"{safe}.age"


def keep_draft(vault_id: str, recipients: list[RecipientEntry], draft: dict[str, Any]) -> Path:
    """Seal ``draft`` (JSON-able) to ``recipients`` and write it. Raises SaveFailed."""
    if not recipients:
        raise SaveFailed("The draft could not be kept: the vault lists no keys to seal it to.")
    payload = json.dumps({"version": DRAFT_VERSION, "draft": draft}, ensure_ascii=False)
    try:
        sealed = pyrage.encrypt(payload.encode("utf-8"), [r.parsed() for r in recipients])
    except (pyrage.EncryptError, ValueError) as error:
        raise SaveFailed(f"The draft could not be sealed ({type(error).__name__}).") from None
    path = draft_path(vault_id)
    try:
        ensure_private_dir(path.parent)
    except OSError as error:
        raise SaveFailed(f"The draft could not be kept: {error.strerror}.") from None
    atomic_write(path, bytes(sealed))
    return path


def has_draft(vault_id: str) -> bool:
    return draft_path(vault_id).is_file()


def read_draft(vault_id: str, keyring: Keyring) -> dict[str, Any] | None:
    """Open the draft kept for ``vault_id``, if there is one and ``keyring`` opens it.

    The draft stays on disk until :func:`discard_draft`, once it has been given
    back. A draft these keys cannot open is left in place (it may be someone
    else's); one that opens but is not a draft of ours is removed, since it can
    never be given back.
    """
    path = draft_path(vault_id)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        sealed = fh.read(MAX_DRAFT + 1)
    if len(sealed) > MAX_DRAFT:
        return None
    try:
        plain = bytes(pyrage.decrypt(sealed, keyring.identities))
    except (pyrage.DecryptError, ValueError):
        return None
    draft: Any = None
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        wrapper = json.loads(plain.decode("utf-8"))
        if isinstance(wrapper, dict) and wrapper.get("version") == DRAFT_VERSION:
            draft = wrapper.get("draft")
    if not isinstance(draft, dict):
        discard_draft(vault_id)
        return None
    return draft


def discard_draft(vault_id: str) -> None:
    with contextlib.suppress(OSError):
        draft_path(vault_id).unlink()
