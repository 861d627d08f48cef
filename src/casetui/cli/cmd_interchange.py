"""``casetui import`` and ``casetui export``: the whole vault, to and from a file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from casetui.cli.cli_error import CliError
from casetui.cli.cmd_sheets import export_csv
from casetui.cli.common import (
    accepts_older,
    open_to_record,
    record,
    record_or_delete,
    unlocker,
    vault_path,
)
from casetui.cli.parsing import CliParser, common_options
from casetui.cli.prompts import confirm
from casetui.core.text import plural

if TYPE_CHECKING:
    from casetui.services.interchange import StaffMatch


def add_import_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    imp = commands.add_parser(
        "import",
        parents=[common],
        help="add records from an export or the sample caseload",
        description=(
            "Add records from a casetui export (encrypted or plain JSON). Everything is "
            "checked first; nothing is written unless all of it is valid. Records already "
            "in the vault are not duplicated."
        ),
    )
    source = imp.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="the file to import")
    source.add_argument(
        "--sample", action="store_true", help="import the fictional sample caseload (for training)"
    )
    imp.add_argument(
        "--new-staff",
        action="store_true",
        help=(
            "add a case manager whose name only resembles one in the vault as a new case "
            "manager, without asking (the same name, in any case, is always the same person)"
        ),
    )


def add_export_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    exp = commands.add_parser(
        "export",
        parents=[common],
        help="write the whole vault to a file",
        description=(
            "Write every record to a file, encrypted to the vault's keys. "
            "Use --plaintext only when you must, and delete the file afterwards."
        ),
    )
    exp.add_argument("--out", required=True, type=Path, metavar="FILE", help="where to write")
    exp.add_argument(
        "--plaintext",
        action="store_true",
        help="write readable JSON or CSV (holds survivors' data!)",
    )
    exp.add_argument("--force", action="store_true", help="replace FILE if it exists")
    exp.add_argument(
        "--format",
        choices=("json", "csv"),
        default="json",
        help=(
            "json (default): every record, to import again with 'casetui import'; csv: the "
            "caseload list, one row per client, with no notes"
        ),
    )


def run_import(args: argparse.Namespace) -> int:
    from casetui.services.interchange import apply_import, plan_import, read_interchange_file
    from casetui.vault.vault import Vault

    path = vault_path(args)
    if args.sample:
        from casetui.resources import sample_caseload

        source = sample_caseload()
    else:
        source = args.file.expanduser()
    with Vault.open(
        path, unlocker(args, path), accept_older=accepts_older(args), validate=True
    ) as vault:
        data = read_interchange_file(source, vault.keyring)
        plan = plan_import(vault, data, source.name)
        if plan.similar and not args.new_staff:
            _ask_before_new_staff(plan.similar, source.name)
        apply_import(vault, plan)
    for line in plan.describe():
        print(line)
    return 0


def _ask_before_new_staff(similar: Sequence[StaffMatch], source: str) -> None:
    """A case manager in the file only resembles one in the vault: ask before adding them.

    Raises CliError (nothing imported) unless the answer is yes; without a terminal
    to ask on, refuses in one sentence that names ``--new-staff``.
    """
    pairs = "; ".join(f"{m.incoming} (this vault has {m.existing})" for m in similar)
    if not sys.stdin.isatty():
        raise CliError(
            f"{source} names a case manager whose name is close to one in this vault, {pairs}, "
            "so nothing was imported; if they are different people, run the import again "
            "with --new-staff."
        )
    for match in similar:
        print(f"{source} names {match.incoming}; this vault already has {match.existing}.")
    names = sorted({m.incoming for m in similar})
    who = names[0] if len(names) == 1 else ", ".join(names)
    if not confirm(f"Add {who} as a new case manager, a different person? [y/N] "):
        raise CliError(
            "Nothing was imported. If it is the same person, make the two names the same, "
            "then import again."
        )


def run_export(args: argparse.Namespace) -> int:
    from casetui.core.choices import AuditAction
    from casetui.services.interchange import write_export

    if args.format == "csv":
        return export_csv(args)
    path = vault_path(args)
    out: Path = args.out.expanduser()
    with open_to_record(
        path,
        unlocker(args, path),
        accept_older=accepts_older(args),
        validate=True,
        must_record="plain-text export" if args.plaintext else None,
    ) as vault:
        size = write_export(vault, out, plaintext=args.plaintext, overwrite=args.force)
        keys = len(vault.recipients)
        if args.plaintext:
            record_or_delete(vault, out, AuditAction.EXPORTED, "plain text")
        else:
            record(vault, AuditAction.EXPORTED, "encrypted")
    if args.plaintext:
        print(
            f"Warning: {out} holds survivors' records as plain text. Keep it off shared and "
            "synced folders, and delete it as soon as you are done.",
            file=sys.stderr,
        )
        print(f"Wrote {size:,} bytes of plain JSON to {out}.")
    else:
        print(f"Wrote {size:,} bytes to {out}, encrypted to the vault's {plural(keys, 'key')}.")
    return 0
