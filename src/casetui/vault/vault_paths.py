"""Where one vault's files are: the vault itself, its key file and its lock."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class VaultPaths:
    """The files that make up one vault, all in the same folder.

    A vault given as a link is resolved to the real file at once (see
    :func:`real_vault_path`); only the key file may still be found beside the
    link, for a vault linked from a synced folder whose key file stays local.
    """

    vault: Path
    link: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        real = real_vault_path(self.vault)
        if real != self.vault:
            object.__setattr__(self, "link", self.vault)
            object.__setattr__(self, "vault", real)

    @property
    def identity(self) -> Path:
        beside_real = _identity_beside(self.vault)
        if self.link is not None and not beside_real.exists():
            beside_link = _identity_beside(self.link)
            if beside_link.exists():
                return beside_link
        return beside_real

    @property
    def lock(self) -> Path:
        return self.vault.with_name(self.vault.name + ".lock")


def _identity_beside(vault: Path) -> Path:
    stem = vault.name.removesuffix(".age")
    return vault.with_name(f"{stem}.identity.age")


def real_vault_path(path: Path) -> Path:
    """The vault file itself, when ``path`` is a link to it (resolved once, at open).

    Saves replace the file by renaming a temp file over it. Done through a link,
    that would replace the link with a plain file and leave the real vault old
    (or, for a relative link, fail every time). So the lock, the temp file, the
    key file and the backups all live beside the real file.
    """
    return path.resolve() if path.is_symlink() else path
