"""The vault's own keys: ``init``, ``passwd``, ``rotate-key``, ``keygen`` and ``recovery-key``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casetui.cli.cli_error import CliError
from casetui.cli.common import accepts_older, record, unlocker, vault_path
from casetui.cli.parsing import CliParser, common_options
from casetui.cli.prompts import NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, ask_new_passphrase, confirm
from casetui.core.text import plural


def add_init_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    init = commands.add_parser(
        "init",
        parents=[common],
        help="create a new vault and its key",
        description="Create a new, empty vault and its passphrase-protected key file.",
    )
    init.add_argument("--name", help="your name, as the vault's case manager (optional)")


def add_passwd_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    commands.add_parser(
        "passwd",
        parents=[common],
        help="change the passphrase",
        description=(
            "Change the passphrase. Only the small key file is re-encrypted, so this is quick. "
            "Unlocked with another key, such as a recovery key (--identity), it gives the "
            "vault a new key of its own behind the new passphrase, for when the old one is "
            f"forgotten. Scripts may set {NEW_PASSPHRASE_ENV}."
        ),
    )


def add_rotate_key_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    rotate = commands.add_parser(
        "rotate-key",
        parents=[common],
        help="give the vault a new key, when a key file or passphrase may be in the wrong hands",
        description=(
            "Make a new key for the vault, re-encrypt the vault to it (and to the team and "
            "recovery keys still on its list), protect it with a new passphrase, and "
            "re-encrypt or delete the backups. Afterwards old copies of the key file open "
            f"nothing casetui kept. Scripts may set {NEW_PASSPHRASE_ENV}."
        ),
    )
    rotate.add_argument(
        "--backups",
        choices=("reencrypt", "delete"),
        default="reencrypt",
        help="re-encrypt the backups to the new key (the default), or delete them",
    )
    rotate.add_argument("--yes", action="store_true", help="do not ask before starting")


def add_keygen_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    keygen = commands.add_parser(
        "keygen",
        help="make your own key, to be added to someone else's vault",
        description=(
            "Make a new key for you, protected by a new passphrase, and print the command "
            "to send to the person who keeps the vault. Needs no vault. "
            f"Scripts may set {NEW_PASSPHRASE_ENV}."
        ),
    )
    keygen.add_argument("--out", required=True, type=Path, metavar="FILE", help="where to write")
    keygen.add_argument("--force", action="store_true", help="replace FILE if it exists")
    keygen.add_argument(
        "--vault",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS,
        help="the shared vault, to show in the instructions (optional)",
    )


def add_recovery_key_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    recovery = commands.add_parser(
        "recovery-key",
        parents=[common],
        help="make a recovery key, for when the passphrase is forgotten",
        description=(
            "Make a new key, add it to the vault as a recovery key and re-encrypt the "
            "vault, then show the key once. Keep it offline, never beside the vault."
        ),
    )
    recovery.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write the key to FILE (which must not exist) instead of showing it",
    )


def run_init(args: argparse.Namespace) -> int:
    from casetui.core.errors import ValidationError
    from casetui.vault.vault import Vault
    from casetui.vault.vault_paths import VaultPaths

    path = vault_path(args)
    paths = VaultPaths(path)
    # Before the passphrase is asked for: refuses a path that holds a vault already.
    unfinished = Vault.creatable(path)
    passphrase = ask_new_passphrase(PASSPHRASE_ENV, [args.name or "", path.stem])
    try:
        vault = Vault.create(path, passphrase, owner_name=args.name)
    except ValidationError as exc:
        raise CliError(f"Your name {exc.problem}") from None
    vault.close()
    if unfinished:
        print(
            f"Note: an earlier 'casetui init' here was stopped before it finished; the key "
            f"file it left, {paths.identity.name}, was replaced."
        )
    print(f"Created a new vault at {path}")
    print(f"Its key file is {paths.identity}, protected by your passphrase.")
    print()
    print("Two things keep your work safe if you forget the passphrase or lose this computer:")
    print("  1. A recovery key, kept offline. Make one now:")
    print(f"       casetui recovery-key{_vault_option(args)}")
    print(f"  2. Copies of the vault folder {paths.vault.name} and its key file")
    print(f"     {paths.identity.name}, somewhere safe away from this computer (a USB stick in")
    print("     a locked drawer, say).")
    return 0


def _vault_option(args: argparse.Namespace) -> str:
    """``--vault PATH`` for a command to show, when the vault was named on this one."""
    import shlex

    chosen: Path | None = getattr(args, "vault", None)
    return f" --vault {shlex.quote(str(chosen))}" if chosen is not None else ""


def run_passwd(args: argparse.Namespace) -> int:
    from casetui.core.choices import AuditAction
    from casetui.core.errors import VaultError
    from casetui.services.recipients import holds_own_key, reset_own_key, shown, unlocked_by
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(
        path, unlocker(args, path), accept_older=accepts_older(args), validate=True
    ) as vault:
        context = [vault.who(), path.stem]
        if holds_own_key(vault):
            new = ask_new_passphrase(NEW_PASSPHRASE_ENV, context)
            try:  # the vault does not change, but keep the copy from before, too
                vault.take_backup(reason="passwd")
            except (OSError, VaultError) as exc:
                reason = exc.message if isinstance(exc, VaultError) else exc.strerror
                print(f"Note: no backup could be kept first: {reason}", file=sys.stderr)
            vault.wrap_own_identity(new)
            print("The passphrase is changed. Use the new one from now on.")
            print(
                "The vault's key itself is the same: an old copy of the key file still opens "
                "the vault with the old passphrase. If a key file or the old passphrase may be "
                "in the wrong hands, run 'casetui rotate-key' instead.",
                file=sys.stderr,
            )
            try:
                record(vault, AuditAction.KEYS_CHANGED, "changed the passphrase")
            except VaultError as exc:
                print(f"Note: the audit trail could not be saved: {exc.message}", file=sys.stderr)
            return 0
        used = " and ".join(f"'{shown(e.name)}'" for e in unlocked_by(vault))
        used = used or f"the {vault.keyring.source}"
        if sys.stdin.isatty():
            print(
                f"This session was unlocked with {used}, not the vault's own key. A new "
                "passphrase gives the vault a new key of its own, and the old passphrase "
                "will no longer open it, for anyone."
            )
            if not confirm("Set a new passphrase for the vault? [y/N] "):
                raise CliError("No passphrase was set; nothing was changed.")
        new = ask_new_passphrase(NEW_PASSPHRASE_ENV, context)
        reset_own_key(vault, new)
    print(
        "The vault has a new key of its own, behind the new passphrase; use the new "
        "passphrase from now on."
    )
    print(f"The old passphrase no longer opens it. {used} still does, so keep it safe.")
    return 0


def run_rotate_key(args: argparse.Namespace) -> int:
    from casetui.services.key_rotation import rotate_key
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(
        path, unlocker(args, path), validate=True, accept_older=accepts_older(args)
    ) as vault:
        count = len(vault.backups.newest_first())
        what = "re-encrypted" if args.backups == "reencrypt" else "deleted"
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError("rotate-key asks before it starts; add --yes to run it unattended.")
            print(
                "This gives the vault a new key behind a new passphrase. The old passphrase "
                "and old copies of the key file will no longer open it, and its "
                f"{plural(count, 'backup')} will be {what}. Team and recovery keys keep working."
            )
            if not confirm("Go ahead? [y/N] "):
                raise CliError("Nothing was changed.")
        new = ask_new_passphrase(NEW_PASSPHRASE_ENV, [vault.who(), path.stem])
        rotation = rotate_key(vault, new, backups=args.backups)
    print("The vault has a new key, behind the new passphrase; use the new passphrase from now on.")
    if args.backups == "delete":
        print(
            f"Deleted {plural(rotation.deleted, 'backup')} and kept one fresh one under the "
            "new key."
        )
    else:
        print(f"Re-encrypted {plural(rotation.reencrypted, 'backup')} to the new key.")
    if rotation.left:
        raise CliError(
            f"{plural(len(rotation.left), 'backup')} could not be changed, such as "
            f"{rotation.left[0]}: "
            "they may still open with the old key; delete them by hand."
        )
    print(
        "Copies of the vault made before now, outside casetui's backups (exports, copies "
        "on other disks), still open with the old key: delete them too."
    )
    return 0


def _refuse_vault_key_file(out: Path, args: argparse.Namespace) -> None:
    """Never let a new personal key replace a vault's own key file."""
    from casetui.vault.vault_paths import VaultPaths

    paths = VaultPaths(vault_path(args))
    protected = {paths.vault, paths.identity, paths.lock}
    if out.name.endswith(".identity.age") and out.exists():
        protected.add(out)  # an existing file named like <vault>.identity.age
    if out.resolve() in {p.resolve() for p in protected}:
        raise CliError(f"{out} is one of a vault's own files; choose another name for your key.")


def run_keygen(args: argparse.Namespace) -> int:
    import shlex

    from casetui.services.recipients import write_personal_key

    out: Path = args.out.expanduser()
    _refuse_vault_key_file(out, args)
    if out.exists() and not args.force:
        raise CliError(f"{out} already exists; choose another name, or add --force to replace it.")
    passphrase = ask_new_passphrase(NEW_PASSPHRASE_ENV, [out.stem, vault_path(args).stem])
    public = write_personal_key(out, passphrase, overwrite=args.force)
    chosen: Path | None = getattr(args, "vault", None)
    vault = shlex.quote(str(chosen)) if chosen is not None else "PATH"
    print(f"Wrote your new key to {out}, protected by your passphrase (only you can read it).")
    print(f"Your public key: {public}")
    print()
    print("Send this command to the person who keeps the vault, with your own name in it:")
    print(f'  casetui recipients add {public} --name "Your name"')
    print()
    print("Once they have run it, open the shared vault with your key and its passphrase:")
    print(f"  casetui --vault {vault} --identity {shlex.quote(str(out))}")
    if chosen is None:
        print("(PATH is the shared vault: its folder, vault.age.)")
    print("Keep the key file private and keep a copy somewhere safe; the public key may be shared.")
    return 0


def run_recovery_key(args: argparse.Namespace) -> int:
    import shlex

    from casetui.services.recipients import make_recovery_key
    from casetui.vault.vault import Vault

    out: Path | None = args.out.expanduser() if args.out is not None else None
    if out is not None and (out.exists() or out.is_symlink()):
        raise CliError(
            f"{out} already exists; choose another name, as a recovery key is never "
            "written over a file."
        )
    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        key = make_recovery_key(vault, out)
        count = len(vault.recipients)
    print(
        f"Made a recovery key and added it to the vault as '{key.name}'; the vault is now "
        f"encrypted to {count} keys."
    )
    if out is None:
        where = "recovery.txt"
        print()
        print(key.identity_text.rstrip("\n"))
        print()
        print("This is the only time it is shown; casetui keeps no copy of it.")
    else:
        where = str(out)
        print(f"It is in {out} (readable only by you), the only copy; casetui keeps none.")
        if out.absolute().parent == path.absolute().parent:
            print(
                f"Warning: {out} is in the same folder as the vault; move it offline now.",
                file=sys.stderr,
            )
    print(
        "Anyone who holds it can open the vault, so store it offline: on paper, or on a USB "
        "stick, in a locked drawer, and never beside the vault."
    )
    option = _vault_option(args)
    ident = shlex.quote(where)
    if out is None:
        print("To use it, save the lines above as recovery.txt, then:")
    else:
        print("To use it:")
    print(f"  casetui{option} --identity {ident}           opens the vault")
    print(f"  casetui{option} --identity {ident} passwd    sets a new passphrase")
    return 0
