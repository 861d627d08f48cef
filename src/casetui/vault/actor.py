"""Who a vault session acts as, for the audit trail: the owner, a team member, or a key."""

from __future__ import annotations

from typing import Any

from casetui.vault import keys
from casetui.vault.document import OWN_KEY_NAME


class Actor:
    """Names the person behind a session from the key that unlocked it.

    The vault's own key (the passphrase) is its owner, the case manager; a team
    member's key is the name it was added under; any other key is described by
    how it was given. An SSH identity does not show its public key, so each SSH
    entry is probed (a millisecond each); the answer is kept until the list or
    the keys change.
    """

    def __init__(self, keyring: keys.Keyring) -> None:
        self.keyring = keyring
        self._ssh_name_cache: tuple[object, str | None] | None = None

    def who(self, meta: dict[str, Any], staff: dict[str, Any], owner_id: str | None) -> str:
        mine = self.keyring.public_keys()
        for entry in meta.get("recipients", []):
            if entry.get("key") in mine and entry.get("name") != OWN_KEY_NAME:
                return str(entry.get("name"))[:120]
        own = {r["key"] for r in meta.get("recipients", []) if r.get("name") == OWN_KEY_NAME}
        if mine & own or self.keyring.source in ("passphrase", "memory"):
            owner = staff.get(owner_id or "")
            name = owner.get("name") if isinstance(owner, dict) else None
            return str(name)[:120] if name else "the vault's owner"
        named = self._ssh_key_name(meta)
        if named:
            return named[:120]
        return f"someone with the {self.keyring.source}"[:120]

    def _ssh_key_name(self, meta: dict[str, Any]) -> str | None:
        entries = tuple(
            (str(r.get("name")), str(r.get("key")))
            for r in meta.get("recipients", [])
            if str(r.get("key", "")).startswith("ssh-")
        )
        cache_key = (entries, len(self.keyring.identities))
        if self._ssh_name_cache is None or self._ssh_name_cache[0] != cache_key:
            found = next(
                (
                    name
                    for name, key in entries
                    if name != OWN_KEY_NAME
                    and keys.opens(keys.RecipientEntry(name, key), self.keyring)
                ),
                None,
            )
            self._ssh_name_cache = (cache_key, found)
        return self._ssh_name_cache[1]
