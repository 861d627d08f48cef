"""``casetui recipients list|add|readmit|remove``: the keys that can open the vault."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from casetui.cli.cli_error import CliError
from casetui.cli.common import accepts_older, say_if_older, unlocker, vault_path
from casetui.cli.parsing import CliParser, common_options
from casetui.cli.prompts import confirm
from casetui.core.text import plural

if TYPE_CHECKING:
    from casetui.vault.keys import RecipientEntry


def add_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    recipients = commands.add_parser(
        "recipients",
        parents=[common],
        help="list, add or remove the keys that can open the vault",
        description=(
            "The vault is encrypted to a list of keys: its own (behind the passphrase), and "
            "any colleagues' and recovery keys. Each change re-encrypts the vault at once."
        ),
    )
    actions = recipients.add_subparsers(
        dest="recipients_command", metavar="ACTION", parser_class=CliParser, required=True
    )
    actions.add_parser(
        "list",
        parents=[common],
        help="show each key's name and public key",
        description=(
            "Show the keys the vault is encrypted to, marking the vault's own key and the "
            "key that unlocked this session. Writes nothing."
        ),
    )
    add = actions.add_parser(
        "add",
        parents=[common],
        help="add a colleague's public key",
        description=(
            "Add a public key to the vault and re-encrypt it, so that whoever holds the "
            "matching secret key can open it. A colleague makes one with 'casetui keygen'."
        ),
    )
    add.add_argument(
        "key",
        metavar="KEY",
        help="an age public key (age1...), or an SSH public key line in quotes",
    )
    add.add_argument(
        "--name",
        required=True,
        help="whose key it is, as people will recognise it (one line, up to 80 characters)",
    )
    readmit = actions.add_parser(
        "readmit",
        parents=[common],
        help="confirm that a key removed earlier belongs on the list again",
        description=(
            "A key removed on this computer is on the vault's list again, usually because "
            "an older copy of the vault was put back. casetui saves nothing until the key "
            "is removed again or you confirm here, by its name, that it belongs back."
        ),
    )
    readmit.add_argument("name", metavar="NAME", help="the key's name, as 'recipients list' shows")
    remove = actions.add_parser(
        "remove",
        parents=[common],
        help="remove a key and re-encrypt the vault without it",
        description=(
            "Remove a key and re-encrypt the vault at once, so that key no longer opens it. "
            "Older backups, copies and exports still open with it; you are offered to "
            "delete the backups."
        ),
    )
    remove.add_argument("name", metavar="NAME", help="the key's name, as 'recipients list' shows")
    remove.add_argument(
        "--delete-backups",
        action="store_true",
        help="delete the older backups without asking, keeping one fresh one",
    )


def run(args: argparse.Namespace) -> int:
    action: str = args.recipients_command
    if action == "list":
        return _recipients_list(args)
    if action == "add":
        return _recipients_add(args)
    if action == "readmit":
        return _recipients_readmit(args)
    return _recipients_remove(args)


def _recipients_readmit(args: argparse.Namespace) -> int:
    from casetui.services.recipients import readmit_recipient, shown
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        if sys.stdin.isatty() and not confirm(
            f"Whoever holds the key '{shown(args.name)}' will open the vault again. "
            "Is that right? [y/N] "
        ):
            raise CliError("Nothing was changed; the vault still saves nothing until you decide.")
        entry = readmit_recipient(vault, args.name)
    print(f"'{shown(entry.name)}' is on the list again by your choice; saving works again.")
    return 0


def _describe_keys(entries: Sequence[RecipientEntry]) -> str:
    from casetui.services.recipients import shown
    from casetui.vault.document import OWN_KEY_NAME

    names = []
    for entry in entries:
        name = shown(entry.name)
        names.append(f"{name} (the passphrase)" if entry.name == OWN_KEY_NAME else name)
    return ", ".join(names)


def _recipients_list(args: argparse.Namespace) -> int:
    from casetui.services.checkup import unlisted_keys
    from casetui.services.recipients import shown, unlocked_by
    from casetui.vault.document import OWN_KEY_NAME
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(
        path, unlocker(args, path), accept_older=accepts_older(args), writable=False
    ) as vault:
        say_if_older(vault)
        entries = vault.recipients
        used = unlocked_by(vault)
        hidden = unlisted_keys(vault)
    if hidden is not None:
        print(f"Note: {hidden}", file=sys.stderr)
    count = len(entries)
    print(f"{path} is encrypted to {count} key{'' if count == 1 else 's'}; any of them opens it:")
    width = max(len(shown(e.name)) for e in entries)
    for entry in entries:
        notes = []
        if entry.name == OWN_KEY_NAME:
            notes.append("the vault's own key, behind its passphrase")
        if entry in used:
            notes.append("unlocked this session")
        marks = f"  ({'; '.join(notes)})" if notes else ""
        print(f"  {shown(entry.name).ljust(width)}  {shown(entry.key, 4096)}{marks}")
    return 0


def _recipients_add(args: argparse.Namespace) -> int:
    from casetui.services.recipients import add_recipient, canonical_key, clean_name
    from casetui.vault.vault import Vault

    # The checks that need no vault come first, before anyone types a passphrase.
    clean_name(args.name)
    canonical_key(args.key)
    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        entry = add_recipient(vault, args.key, args.name)
        entries = vault.recipients
    print(
        f"Added '{entry.name}'. The vault is now encrypted to {len(entries)} keys, and "
        f"opens with any of them: {_describe_keys(entries)}."
    )
    print(
        "Backups and exports made from now on open with the new key too; those made before do not."
    )
    return 0


def _recipients_remove(args: argparse.Namespace) -> int:
    import shlex

    from casetui.services.recipients import delete_backups, remove_recipient, shown
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        removal = remove_recipient(vault, args.name)
        name = shown(removal.removed.name)
        left = len(removal.remaining)
        print(
            f"Removed '{name}' and re-encrypted the vault; '{name}' no longer opens it. It "
            f"now opens with {left} key{'' if left == 1 else 's'}: "
            f"{_describe_keys(removal.remaining)}."
        )
        older = removal.older_backups
        count = len(older)
        ending = "" if count == 1 else "s"
        folder = vault.backups.folder
        if count:
            print(
                f"Warning: removing a key does not reach copies made before now. The {count} "
                f"older backup{ending} in {folder}, and any earlier copies or exports of the "
                f"vault, still open with the key of '{name}' if they were made while it was "
                "on the list.",
                file=sys.stderr,
            )
        else:
            print(
                "Warning: removing a key does not reach copies made before now; any earlier "
                f"copies or exports of the vault still open with the key of '{name}'.",
                file=sys.stderr,
            )
        if not count:
            return 0
        if not args.delete_backups:
            if not sys.stdin.isatty():
                pattern = shlex.quote(str(folder / vault.backups.stem)) + "-*.age"
                print(
                    f"To delete the {count} older backup{ending}, run: rm -- {pattern} "
                    "(the next change to the vault keeps a fresh backup again)."
                )
                return 0
            if not confirm(f"Delete the {count} older backup{ending} now? [y/N] "):
                print(f"The {count} older backup{ending} were kept, in {folder}.")
                return 0
        cleanup = delete_backups(vault, older)
    print(f"Deleted {cleanup.deleted} older backup{'' if cleanup.deleted == 1 else 's'}.")
    if cleanup.fresh is not None:
        print(f"Kept one fresh backup of the re-encrypted vault: {cleanup.fresh.path}.")
    elif cleanup.fresh_error:
        print(f"Note: {cleanup.fresh_error}", file=sys.stderr)
    if cleanup.failed:
        raise CliError(
            f"{plural(len(cleanup.failed), 'backup')} could not be deleted, such as "
            f"{cleanup.failed[0]}; delete them by hand."
        )
    print(
        "Copies and exports made earlier, on this computer or elsewhere, still open with "
        f"the key of '{name}'; delete those too, or ask whoever holds them to."
    )
    return 0
