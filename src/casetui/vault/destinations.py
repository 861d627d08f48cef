"""Where casetui may write a file for you: never over the vault's own files.

A path typed into the app or on the command line is untrusted: it may be
relative, pass through links, or name something that is not a file at all. So
the vault's own files are found by their real paths, the file itself is never a
link (casetui does not write through one), only an ordinary file is ever
replaced, and the name keeps the ending its format needs.
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from casetui.core.errors import VaultError
from casetui.files import atomic_write_stream

if TYPE_CHECKING:
    from casetui.vault.vault import Vault


def check_destination(
    vault: Vault, out: Path, *, overwrite: bool, what: str, suffixes: Sequence[str] = ()
) -> None:
    """Refuse, in one sentence, a place ``what`` (an export, a calendar…) must not be written.

    The vault, its key file, its lock and its backups are never written over, even
    through a link or a relative path; the rest is :func:`check_target`.
    """
    paths = vault.paths
    backups = paths.vault.with_name(paths.vault.name + ".backups").resolve()
    target = out.resolve()
    own = [paths.vault, paths.identity, paths.lock]
    if paths.link is not None:
        own.append(paths.link)
    protected = {p.resolve() for p in own}
    if target in protected or target.is_relative_to(backups):
        raise VaultError(f"{out} is one of the vault's own files; choose another name for {what}.")
    check_target(out, overwrite=overwrite, what=what, suffixes=suffixes)


def check_target(out: Path, *, overwrite: bool, what: str, suffixes: Sequence[str] = ()) -> None:
    """Refuse, in one sentence, a file name that must not be written.

    A folder, a link, anything but an ordinary file, a missing folder, and a name
    without one of ``suffixes`` (the first is the one named) are refused, and so
    is an existing file unless ``overwrite`` (``--force``, or a confirmation).
    """
    try:
        mode: int | None = out.lstat().st_mode
    except FileNotFoundError:
        mode = None
    except PermissionError:
        raise VaultError(
            f"casetui may not look in {out.parent}; check the folder's permissions."
        ) from None
    except OSError:  # a part of the path is a file, or a loop of links
        raise VaultError(f"{out.parent} is not a folder; choose a folder that exists.") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise VaultError(f"{out} is a folder; give the name of the file to write.")
    if mode is not None and stat.S_ISLNK(mode):
        raise VaultError(
            f"{out} is a link to another file, and casetui does not write through links; "
            "choose another name."
        )
    if mode is not None and not stat.S_ISREG(mode):
        raise VaultError(f"{out} is not an ordinary file; choose another name for {what}.")
    if not out.parent.is_dir():
        raise VaultError(f"{out.parent} does not exist; choose a folder that does.")
    if suffixes and not out.name.lower().endswith(tuple(s.lower() for s in suffixes)):
        raise VaultError(f"{out.name} does not end in {suffixes[0]}; give {what} a name that does.")
    if mode is not None and not overwrite:
        raise VaultError(
            f"{out} already exists; choose another name, or add --force to replace it."
        )


def write_user_file(
    out: Path,
    data: bytes,
    *,
    overwrite: bool,
    what: str,
    suffixes: Sequence[str] = (),
    vault: Vault | None = None,
) -> None:
    """Write ``data`` (0600, atomically) to a path a person gave.

    Checked as :func:`check_destination` says (:func:`check_target` without a
    ``vault``), once before writing and again just before the new file takes the
    name, so a link or a folder put there meanwhile is refused too.
    """

    def check() -> None:
        if vault is not None:
            check_destination(vault, out, overwrite=overwrite, what=what, suffixes=suffixes)
        else:
            check_target(out, overwrite=overwrite, what=what, suffixes=suffixes)

    check()
    atomic_write_stream(
        out, lambda sink: sink.write(data), overwrite=overwrite, before_rename=check
    )
