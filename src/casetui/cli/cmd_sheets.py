"""The spreadsheet commands: ``casetui import-csv`` and ``casetui export --format csv``.

The spreadsheet and vault code loads only when one of them runs, like every
command's code, so that ``casetui --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from casetui.cli.cli_error import CliError
from casetui.cli.common import (
    accepts_older,
    open_to_record,
    record,
    record_or_delete,
    unlocker,
    vault_path,
)
from casetui.cli.parsing import CliParser, common_options
from casetui.core.text import plural

if TYPE_CHECKING:
    from collections.abc import Collection

    from casetui.core.funder_catalog import Catalog
    from casetui.core.sheets.plan import SheetPlan


def add_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    sheet = commands.add_parser(
        "import-csv",
        parents=[common],
        help="add clients from a spreadsheet (CSV), as a mapping file says",
        description=(
            "Add clients from a CSV file, with a mapping (TOML) that says which column feeds "
            "which field. Every row is checked first, and nothing is written unless all of "
            "them are valid. A client already in the vault (same preferred name and intake "
            "date) is skipped. --suggest-map writes a starter mapping from the header row."
        ),
        epilog="See sample_data/clients_template.toml and clients_sample.csv for an example.",
    )
    sheet.add_argument("file", type=Path, metavar="FILE", help="the CSV file")
    how = sheet.add_mutually_exclusive_group(required=True)
    how.add_argument("--map", type=Path, metavar="MAPPING", help="the mapping (a TOML file)")
    how.add_argument(
        "--suggest-map",
        action="store_true",
        help="write a starter mapping from FILE's header row (to --out, or the screen)",
    )
    sheet.add_argument(
        "--dry-run",
        action="store_true",
        help="check every row and list every problem, writing nothing",
    )
    sheet.add_argument(
        "--out", type=Path, metavar="MAPPING", help="with --suggest-map: where to write it"
    )
    sheet.add_argument(
        "--force", action="store_true", help="with --suggest-map: replace MAPPING if it exists"
    )


def run(args: argparse.Namespace) -> int:
    """``casetui import-csv``."""
    # The vault and spreadsheet code load only when this runs, so --help stays quick.
    from casetui.services import spreadsheet_io as sheets
    from casetui.vault.vault import Vault

    source: Path = args.file.expanduser()
    if args.suggest_map:
        if args.dry_run:
            raise CliError(
                "--dry-run goes with --map; --suggest-map only reads the header and writes "
                "nothing to the vault.",
                2,
            )
        return _suggest_map(args, source)
    if args.out is not None or args.force:
        raise CliError("--out and --force go with --suggest-map; leave them out with --map.", 2)
    mapping = sheets.load_mapping(args.map.expanduser())
    path = vault_path(args)
    dry_run: bool = args.dry_run
    with Vault.open(
        path,
        unlocker(args, path),
        accept_older=accepts_older(args),
        writable=not dry_run,
        validate=True,
    ) as vault:
        loaded = sheets.load_sheet(source, mapping, vault.keyring)
        for note in loaded.notes:
            print(f"Note: {note}", file=sys.stderr)
        plan = sheets.plan_sheet_import(
            vault, loaded.sheet, mapping, source.name, _funder_lists(mapping.columns)
        )
        if plan.problems:
            _report_problems(source.name, plan, dry_run=dry_run)
        if not dry_run:
            sheets.apply_sheet_import(vault, plan, source.name)
    _report(source.name, plan, dry_run=dry_run)
    return 0


def _funder_lists(columns: Collection[str]) -> Catalog:
    """The funders' lists a sheet's cells are read with: the agency's own wording
    (``funder_categories.toml``), or the PMT's when that file cannot be used, said in
    a note when the mapping reads any of those lists."""
    from casetui.config.funder_lists import catalog_or_standard
    from casetui.core.sheets.mapping import FIELD_KINDS

    catalog, problem = catalog_or_standard()
    if problem and any(FIELD_KINDS.get(c, "").startswith("funders'") for c in columns):
        print(
            f"Note: {problem} The funders' columns are read with the PMT's own lists.",
            file=sys.stderr,
        )
    return catalog


def _report_problems(name: str, plan: SheetPlan, *, dry_run: bool) -> None:
    """List every problem on stderr, then stop with one sentence."""
    for problem in plan.problems:
        print(f"  - {name}, {problem}", file=sys.stderr)
    lines = len({p.line for p in plan.problems})
    count = len(plan.problems)
    done = (
        "fix them and run again (this dry run wrote nothing)"
        if dry_run
        else "nothing was imported, and the vault is unchanged"
    )
    raise CliError(
        f"{name} has {plural(count, 'problem')} in {plural(lines, 'row')} of "
        f"{plan.rows:,} (listed above); {done}."
    )


def _report(name: str, plan: SheetPlan, *, dry_run: bool) -> None:
    from casetui.core.sheets.read import shown

    for entry in plan.skipped:
        print(f"  {name}, {entry}")
    if plan.unused_columns:
        columns = ", ".join(shown(h, 30) for h in plan.unused_columns[:20])
        print(f"Not imported (the mapping reads no field from them): {columns}.")
    added = plural(len(plan.clients), "client")
    staff = ""
    if plan.new_staff:
        names = ", ".join(shown(m.name) for m in plan.new_staff)
        staff = f", and {plural(len(plan.new_staff), 'new case manager')} ({names})"
    skipped = f"; {plural(len(plan.skipped), 'row')} already in the vault" if plan.skipped else ""
    if dry_run:
        print(
            f"Dry run: all {plan.rows:,} rows of {name} are valid. Importing would add "
            f"{added}{staff}{skipped}. Nothing was written."
        )
    elif plan.clients:
        print(f"Added {added}{staff} from {name}{skipped}.")
    else:
        print(f"Nothing new to add from {name}{skipped}.")


def _suggest_map(args: argparse.Namespace, source: Path) -> int:
    from casetui.services import spreadsheet_io as sheets
    from casetui.vault.vault_paths import VaultPaths

    text, headings, chosen, note = sheets.suggest_for(source)
    if note:
        print(f"Note: {note}", file=sys.stderr)
    out: Path | None = args.out.expanduser() if args.out is not None else None
    matched = f"{len(chosen)} of {len(headings)} columns matched a client field"
    if out is None:
        print(text, end="")
        print(f"casetui: {matched}.", file=sys.stderr)
        return 0
    paths = VaultPaths(vault_path(args))
    if out.resolve() in {p.resolve() for p in (source, paths.vault, paths.identity, paths.lock)}:
        raise CliError(
            f"{out} is the CSV file or a vault file; choose another name for the mapping."
        )
    sheets.write_private(out, text, overwrite=args.force)
    print(f"Wrote a starter mapping to {out} (readable only by you): {matched}.")
    print(f"Check it, then try: casetui import-csv {source} --map {out} --dry-run")
    return 0


def export_csv(args: argparse.Namespace) -> int:
    """``casetui export --format csv``: the caseload list, one row per client."""
    from datetime import date

    from casetui.core.choices import AuditAction
    from casetui.services import spreadsheet_io as sheets

    path = vault_path(args)
    out: Path = args.out.expanduser()
    with open_to_record(
        path,
        unlocker(args, path),
        validate=True,
        accept_older=accepts_older(args),
        must_record="plain-text export" if args.plaintext else None,
    ) as vault:
        written = sheets.write_caseload_csv(
            vault, out, plaintext=args.plaintext, overwrite=args.force, as_of=date.today()
        )
        keys = len(vault.recipients)
        if args.plaintext:
            record_or_delete(vault, out, AuditAction.EXPORTED, "caseload as CSV, plain text")
        else:
            record(vault, AuditAction.EXPORTED, "caseload as CSV, encrypted")
    clients = plural(written.clients, "client")
    if args.plaintext:
        print(
            f"Warning: {out} holds survivors' names and case details as plain text. Keep it "
            "off shared and synced folders, and delete it as soon as you are done.",
            file=sys.stderr,
        )
        print(f"Wrote the caseload ({clients}) to {out} as plain CSV.")
    else:
        print(
            f"Wrote the caseload ({clients}) to {out} as CSV, encrypted to the vault's "
            f"{plural(keys, 'key')}; 'age --decrypt' opens it, and 'casetui import-csv' reads "
            "it back."
        )
    return 0
