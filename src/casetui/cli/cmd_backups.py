"""``casetui check`` (the vault and its backups) and ``casetui restore`` (a backup)."""

from __future__ import annotations

import argparse
import sys

from casetui.cli.cli_error import CliError
from casetui.cli.common import print_problems, unlocker, vault_path
from casetui.cli.parsing import CliParser, common_options
from casetui.cli.prompts import confirm
from casetui.core.text import plural


def add_check_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    commands.add_parser(
        "check",
        parents=[common],
        help="verify the vault and its backups (writes nothing)",
        description=(
            "Decrypt the vault, check every record and reference, and check that each "
            "backup opens. Nothing is written. Exits 0 when all is well."
        ),
    )


def add_restore_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="put a backup back in place of the vault",
        description=(
            "Bring the vault's records back to one of its backups, after asking, as a new "
            "change that every device sharing the vault follows. The vault as it is now is "
            "kept as a backup first, so a restore can be "
            "undone by restoring that one."
        ),
    )
    restore.add_argument(
        "backup",
        metavar="BACKUP",
        help="the backup's file name, or its number in 'casetui check' (1 is the newest)",
    )
    restore.add_argument("--yes", action="store_true", help="do not ask before restoring")


def run_check(args: argparse.Namespace) -> int:
    from casetui.core.recordset import describe_counts
    from casetui.services.checkup import check_vault
    from casetui.vault.passphrase_file import memory_mib

    path = vault_path(args)
    report = check_vault(path, unlocker(args, path))
    print(f"Checked {report.path}")
    print(f"  Unlocked with: {report.unlocked_with}")
    print(f"  Records: {describe_counts(report.counts)}")
    names = ", ".join(r.name for r in report.recipients)
    print(f"  Encrypted to {plural(len(report.recipients), 'key')}: {names}")
    if report.key_work_factor is not None:
        need = memory_mib(report.key_work_factor)
        print(f"  Key file: scrypt work factor 2^{report.key_work_factor} ({need:,} MiB to unlock)")
    print(f"  Saved {plural(report.generation, 'time')}")
    if report.backups:
        opening = sum(1 for b in report.backups if b.opens)
        print(f"  Backups: {len(report.backups)} kept, {opening} open with this key")
        for number, b in enumerate(report.backups, 1):
            taken = b.backup.taken.strftime("%Y-%m-%d %H:%M UTC")
            pinned = f", kept before {b.backup.reason}" if b.backup.reason else ""
            print(
                f"    {number:>3}. {taken}  {b.backup.size:>12,} bytes  {b.note}{pinned}"
                f"  {b.backup.path.name}"
            )
        print("  Put one back with: casetui restore NUMBER (or its file name)")
    else:
        print("  Backups: none yet (one is kept before the first change of each session)")
    for warning in report.warnings:
        print(f"  Note: {warning}")
    if report.ok:
        print("All is well: every record is valid and every reference holds.")
        return 0
    print_problems(report.problems)
    count = len(report.problems)
    raise CliError(
        f"The vault has {count} problem{'' if count == 1 else 's'} (listed above); "
        "restoring the newest backup that opens may help."
    )


def run_restore(args: argparse.Namespace) -> int:
    from casetui.core.choices import AuditAction
    from casetui.services.restoring import read_backup, restore_records
    from casetui.vault.backups import Backups
    from casetui.vault.vault import Vault
    from casetui.vault.vault_paths import VaultPaths

    path = vault_path(args)
    paths = VaultPaths(path)
    backups = Backups(paths.vault)
    chosen = backups.find(args.backup)
    if chosen is None:
        raise CliError(
            f"There is no backup '{args.backup}' of {paths.vault.name}; 'casetui check' lists "
            "them, numbered from the newest."
        )
    taken = chosen.taken.strftime("%Y-%m-%d %H:%M UTC")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(
                "restore asks before it replaces the vault; add --yes to run it unattended."
            )
        print(
            f"This brings the records of the vault {paths.vault} back to the backup "
            f"{chosen.path.name} (taken {taken}). The vault as it is now is kept as a "
            "backup first."
        )
        if not confirm("Restore it? [y/N] "):
            raise CliError("Nothing was changed.")
    with Vault.open(path, unlocker(args, path), accept_older=True) as vault:
        document = read_backup(vault, chosen.path)  # it must open first
        kept = vault.take_backup(reason="before restore")
        outcome = restore_records(vault, document)
        vault.repo.record_event(AuditAction.RESTORED, detail=f"the backup taken {taken}")
        vault.save()
    print(f"Restored the backup {chosen.path.name} (taken {taken}) to {paths.vault}.")
    print(f"The vault as it was is kept as the backup {kept.path.name}.")
    if outcome.stay_gone:
        print(
            f"{plural(outcome.stay_gone, 'record')} in the backup were removed or erased since, "
            "and stay so.",
            file=sys.stderr,
        )
    return 0
