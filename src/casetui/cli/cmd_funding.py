"""``casetui funding``: the agency's grants, and which clients are counted under them."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from casetui.cli.cli_error import CliError
from casetui.cli.common import accepts_older, client_id, unlocker, vault_path
from casetui.cli.parsing import CliParser, common_options
from casetui.cli.prompts import confirm

if TYPE_CHECKING:
    from casetui.vault.repository import Repository

COMMAND = "casetui funding"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a date like 2026-01-31") from None


def add_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    from casetui.core.choices import FundingProgram

    common = common_options()
    funding = commands.add_parser(
        "funding",
        help="the agency's funding sources (grants), for funders' reports",
        description=(
            "List, add or remove the agency's funding sources, and say which clients are "
            "counted under one. 'casetui report pmt --funding NAME' then counts only those "
            "clients (and services tagged with it)."
        ),
    )
    actions = funding.add_subparsers(
        dest="funding_action", metavar="ACTION", required=True, parser_class=CliParser
    )
    actions.add_parser("list", parents=[common], help="list the funding sources")
    add = actions.add_parser("add", parents=[common], help="add a funding source")
    add.add_argument("name", help='what the agency calls it, such as "VOCA 2026"')
    add.add_argument(
        "--program",
        choices=[p.value for p in FundingProgram],
        default=FundingProgram.OTHER.value,
        help="where the money comes from (default: other)",
    )
    add.add_argument("--award", default="", metavar="NUMBER", help="the award number")
    add.add_argument("--from", dest="starts_on", type=_day, metavar="YYYY-MM-DD")
    add.add_argument("--to", dest="ends_on", type=_day, metavar="YYYY-MM-DD")
    remove = actions.add_parser(
        "remove", parents=[common], help="remove a funding source no one is counted under"
    )
    remove.add_argument("name", help="the funding source's name")
    remove.add_argument("--yes", action="store_true", help="do not ask first")
    for action, verb in (
        ("tag", "count a client under"),
        ("untag", "stop counting a client under"),
    ):
        sub = actions.add_parser(action, parents=[common], help=f"{verb} a funding source")
        sub.add_argument("client", metavar="CLIENT", help="the client's id, code or name")
        sub.add_argument("name", help="the funding source's name")


def run(args: argparse.Namespace) -> int:
    from casetui.core.choices import FundingProgram
    from casetui.core.errors import ValidationError
    from casetui.services import funding
    from casetui.vault.vault import Vault

    path = vault_path(args)
    writable = args.funding_action != "list"
    with Vault.open(
        path, unlocker(args, path), writable=writable, accept_older=accepts_older(args)
    ) as vault:
        repo = vault.repo
        try:
            if args.funding_action == "list":
                return _list(repo)
            if args.funding_action == "add":
                source = funding.add_source(
                    repo,
                    args.name,
                    program=FundingProgram(args.program),
                    award_number=args.award,
                    starts_on=args.starts_on,
                    ends_on=args.ends_on,
                )
                vault.save()
                print(f"Added the funding source {source.name!r}.")
                return 0
            source = funding.find_source(repo, args.name)
            if args.funding_action == "remove":
                clients, services = funding.users_of(repo, source.id)
                if not (clients or services):
                    _ask(f"Remove the funding source {source.name!r}? [y/N] ", args)
                funding.remove_source(repo, source)
                vault.save()
                print(f"Removed the funding source {source.name!r}.")
                return 0
            client = repo.clients.require(client_id(vault, args.client))
            on = args.funding_action == "tag"
            funding.tag_client(repo, client, source, on=on)
            vault.save()
        except (funding.FundingError, ValidationError) as error:
            raise CliError(str(error), 2, COMMAND) from None
    word = "now counted under" if on else "no longer counted under"
    print(f"{client.preferred_name} is {word} {source.name!r}.")
    return 0


def _list(repo: Repository) -> int:
    from casetui.services.funding import users_of

    sources = sorted(repo.funding_sources, key=lambda s: s.name.casefold())
    if not sources:
        print("No funding sources yet; add one with 'casetui funding add NAME'.", file=sys.stderr)
        return 0
    for s in sources:
        clients, services = users_of(repo, s.id)
        when = f"{s.starts_on or '…'} to {s.ends_on or '…'}" if s.starts_on or s.ends_on else ""
        parts = [s.name, s.program.label, s.award_number, when, f"{clients} clients"]
        if services:
            parts.append(f"{services} services")
        print(" · ".join(p for p in parts if p))
    return 0


def _ask(question: str, args: argparse.Namespace) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CliError("This asks before it changes anything; add --yes to run it unattended.")
    if not confirm(question):
        raise CliError("Nothing was changed.")
