"""The spreadsheet commands: ``casetui import-csv`` and ``casetui export --format csv``.

Loaded only when one of them runs, like every command's code (see :mod:`casetui.cli`).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from casetui.cli import (
    CliError,
    accepts_older,
    open_to_record,
    record,
    record_or_delete,
    unlocker,
    vault_path,
)
from casetui.core.choices import AuditAction
from casetui.core.spreadsheet import SheetPlan, shown
from casetui.core.text import plural
from casetui.services import spreadsheet_io as sheets
from casetui.vault.paths import VaultPaths
from casetui.vault.vault import Vault


def import_csv(args: argparse.Namespace) -> int:
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
        plan = sheets.plan_sheet_import(vault, loaded.sheet, mapping, source.name)
        if plan.problems:
            _report_problems(source.name, plan, dry_run=dry_run)
        if not dry_run:
            sheets.apply_sheet_import(vault, plan, source.name)
    _report(source.name, plan, dry_run=dry_run)
    return 0


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
