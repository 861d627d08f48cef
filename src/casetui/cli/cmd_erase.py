"""``casetui erase`` (a client's records, on their request, or by a retention date) and
``casetui remove`` (a client entered by mistake)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from casetui.cli.cli_error import CliError
from casetui.cli.common import accepts_older, unlocker, vault_path
from casetui.cli.parsing import CliParser, common_options
from casetui.cli.prompts import confirm


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a date like 2026-01-31") from None


def add_erase_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    erase = commands.add_parser(
        "erase",
        parents=[common_options()],
        help="erase a client's records on their request (or by --closed-before DATE)",
        description=(
            "Erase a client and every record linked to them: goals, needs, meetings, "
            "referrals, consents, the safety plan and the rest. The files that held them "
            "are removed at once, other devices erase them when they sync, and the "
            "backups taken before are rewritten without them (or deleted). The audit "
            "trail keeps only that a client's records were erased, when and by whom. "
            "Asks first; --yes does not."
        ),
    )
    erase.add_argument(
        "client", nargs="?", metavar="CLIENT", help="the client's id, or a name only they have"
    )
    erase.add_argument(
        "--closed-before",
        metavar="DATE",
        type=_day,
        help="erase every client whose case was closed before DATE (a retention policy)",
    )
    erase.add_argument("--dry-run", action="store_true", help="list what would go; change nothing")
    erase.add_argument(
        "--backups",
        choices=("rewrite", "delete"),
        help="what to do with backups that hold the records (default: ask; with --yes, rewrite)",
    )
    erase.add_argument("--yes", action="store_true", help="do not ask first")


def add_remove_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    remove = commands.add_parser(
        "remove",
        parents=[common_options()],
        help="remove a client entered by mistake, with their records",
        description=(
            "Remove a client entered by mistake (a duplicate, say) and every record linked "
            "to them, on every device. Older backups keep them; to make sure nothing of a "
            "person is kept, use 'casetui erase'. Asks first; --yes does not."
        ),
    )
    remove.add_argument(
        "client", metavar="CLIENT", help="the client's id, or a name only they have"
    )
    remove.add_argument("--yes", action="store_true", help="do not ask first")


def _ask(question: str, args: argparse.Namespace) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CliError("This asks before it changes anything; add --yes to run it unattended.")
    if not confirm(question):
        raise CliError("Nothing was changed.")


def run_remove(args: argparse.Namespace) -> int:
    from casetui.services.removal import find_client, plan_removal, remove_client
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        client = find_client(vault.repo, args.client)
        plan = plan_removal(vault.repo, client.id)
        print(f"This removes {plan.preferred_name} and {plan.describe()}, on every device.")
        _ask("Remove them? [y/N] ", args)
        removed = remove_client(vault, plan, erase=False)
        vault.save()
    print(f"Removed {plan.preferred_name} ({removed} records).")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from casetui.services.removal import (
        backups_holding,
        closed_before,
        find_client,
        plan_removal,
        remove_client,
        scrub_backups,
    )
    from casetui.vault.vault import Vault

    if (args.client is None) == (args.closed_before is None):
        raise CliError("Name one client to erase, or give --closed-before DATE (not both).")
    path = vault_path(args)
    writable = not args.dry_run
    with Vault.open(
        path, unlocker(args, path), writable=writable, accept_older=accepts_older(args)
    ) as vault:
        if args.client is not None:
            clients = [find_client(vault.repo, args.client)]
        else:
            found = closed_before(vault.repo, args.closed_before)
            for client, closed in found:
                print(f"  {client.preferred_name} (case closed {closed.isoformat()})")
            clients = [client for client, _closed in found]
            if not clients:
                print(f"No case was closed before {args.closed_before.isoformat()}.")
                return 0
        plans = [plan_removal(vault.repo, c.id) for c in clients]
        for plan in plans:
            print(f"Would erase {plan.preferred_name} and {plan.describe()}.")
        if args.dry_run:
            print(f"Nothing was changed ({len(plans)} client{'' if len(plans) == 1 else 's'}).")
            return 0
        records = [r for plan in plans for r in plan.records]
        holding = backups_holding(vault, records)
        if holding:
            print(
                f"{len(holding)} backup{'' if len(holding) == 1 else 's'} taken before hold them."
            )
        _ask(
            f"Erase {len(plans)} client{'' if len(plans) == 1 else 's'} for good, on every "
            "device? [y/N] ",
            args,
        )
        choice = args.backups or ("rewrite" if args.yes or not holding else _backup_choice())
        for plan in plans:
            remove_client(vault, plan, erase=True)
        vault.save()
        scrub = scrub_backups(vault, holding, records, delete=choice == "delete")
    names = ", ".join(p.preferred_name for p in plans)
    print(f"Erased {names}. The vault folder no longer holds their records.")
    if scrub.rewritten:
        print(f"Rewrote {len(scrub.rewritten)} backup(s) without them.")
    if scrub.deleted:
        print(f"Deleted {len(scrub.deleted)} backup(s) that held them.")
    if scrub.failed:
        shown = ", ".join(p.name for p in scrub.failed)
        raise CliError(
            f"These backups could not be rewritten or deleted and may still hold the records: "
            f"{shown}; delete them by hand."
        )
    return 0


def _backup_choice() -> str:
    answer = input("Rewrite those backups without the records (r), or delete them (d)? [r/d] ")
    choice = answer.strip().casefold()[:1]
    if choice not in ("r", "d"):
        raise CliError("Nothing was changed: answer r to rewrite the backups or d to delete them.")
    return "rewrite" if choice == "r" else "delete"
