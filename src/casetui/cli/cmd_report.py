"""The commands that read the record back: ``report accreditation``, ``report stats``, ``audit``.

The date types keep their names: argparse shows a type's name when it fails in an
unforeseen way ("invalid _month value"), and that message is part of the interface.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from casetui.cli.cli_error import CliError
from casetui.cli.common import (
    accepts_older,
    client_id,
    open_to_record,
    record,
    say_if_older,
    unlocker,
    user_settings,
    vault_path,
)
from casetui.cli.parsing import CliParser, common_options

if TYPE_CHECKING:
    from datetime import date

    from casetui.core.periods import Period

STATS_COMMAND = "casetui report stats"


def _day(text: str) -> date:
    """A calendar day written YYYY-MM-DD."""
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text[:20]!r} is not a date; write it as YYYY-MM-DD"
        ) from None


def _month(text: str) -> Period:
    """A calendar month written YYYY-MM."""
    from casetui.core.periods import PeriodError, parse_month

    try:
        return parse_month(text)
    except PeriodError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _quarter(text: str) -> Period:
    """A calendar quarter written YYYY-Qn."""
    from casetui.core.periods import PeriodError, parse_quarter

    try:
        return parse_quarter(text)
    except PeriodError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _year(text: str) -> int:
    """The calendar year a fiscal year ends in, written YYYY (or FYYYYY)."""
    from casetui.core.periods import PeriodError, parse_fiscal_year

    try:
        return parse_fiscal_year(text).end.year
    except PeriodError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_report_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    report = commands.add_parser(
        "report",
        help="accreditation readiness, or de-identified statistics for funders",
        description=(
            "Print a report. 'accreditation' holds every active client against the "
            "standard's essential requirements; 'stats' counts clients, needs, referrals, "
            "meetings and hours for a period, with no names, codes or dates of birth, and "
            "small counts suppressed. Each run is recorded in the audit trail."
        ),
    )
    reports = report.add_subparsers(
        dest="report_kind", metavar="REPORT", required=True, parser_class=CliParser
    )
    accreditation = reports.add_parser(
        "accreditation",
        parents=[common],
        help="each active client against the essential requirements",
        description=(
            "Hold every active client against the standard's essential requirements and "
            "show pass, attention or fail with the reason, then a summary for the agency."
        ),
    )
    accreditation.add_argument(
        "--as-of", type=_day, metavar="YYYY-MM-DD", help="the day to judge on (default: today)"
    )
    accreditation.add_argument(
        "--with-names",
        action="store_true",
        help="show clients' preferred names instead of their neutral codes",
    )
    stats = reports.add_parser(
        "stats",
        parents=[common],
        help="de-identified counts for funders, small counts suppressed",
        description=(
            "Counts only: clients served, needs, referrals, meetings and hours for the "
            "period. No names, initials, codes, dates of birth or free text. Counts from 1 "
            "to the small-cell threshold minus 1 show as '<N' (N is the threshold, 5 "
            "unless set), and further cells are suppressed so none can be worked out "
            "from the totals. The period is a whole calendar month, calendar quarter or "
            "fiscal year that has ended, since two reports a few days apart could be "
            "compared to single out one client. A fiscal year is named by the calendar "
            "year it ends in: with the usual start (1 October; set fiscal_year_start in "
            "the settings to change it), FY2026 runs from 2025-10-01 to 2026-09-30."
        ),
    )
    when = stats.add_mutually_exclusive_group()
    when.add_argument(
        "--from",
        dest="start",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the first day of the period (with --to)",
    )
    stats.add_argument(
        "--to",
        dest="end",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the last day of the period (with --from)",
    )
    when.add_argument(
        "--month", type=_month, metavar="YYYY-MM", help="a calendar month, such as 2026-09"
    )
    when.add_argument(
        "--quarter",
        type=_quarter,
        metavar="YYYY-Qn",
        help="a calendar quarter, such as 2026-Q3 (July to September)",
    )
    when.add_argument(
        "--fiscal-year",
        type=_year,
        metavar="YYYY",
        help="the fiscal year that ends in YYYY: FY2026 is 2025-10-01 to 2026-09-30 "
        "unless fiscal_year_start is set",
    )
    stats.add_argument(
        "--custom-period",
        action="store_true",
        help="allow --from and --to to be any days; the report then says it is custom, "
        "because comparing it with other reports can reveal small counts",
    )
    pmt = reports.add_parser(
        "pmt",
        parents=[common],
        help="the federal victim-services (PMT) quarterly figures, exact, for the funder's portal",
        description=(
            "The quarterly figures of OVC's Performance Measurement Tool, in its order and "
            "wording: victims served, new victims this federal fiscal year and their "
            "demographics, victimization types, special classifications, victim "
            "compensation help, and services by category (A to E) with the number of times "
            "each was given; then how many new victims have a field not given. Counts are "
            "exact, for the funder's portal, not for publication ('report stats' is the "
            "publishable one); no name, code or id appears. The period is the last federal "
            "quarter that has ended unless --from and --to are given. Each run is recorded "
            "in the audit trail."
        ),
    )
    pmt.add_argument(
        "--from", dest="start", type=_day, metavar="YYYY-MM-DD", help="the first day (with --to)"
    )
    pmt.add_argument(
        "--to", dest="end", type=_day, metavar="YYYY-MM-DD", help="the last day (with --from)"
    )
    pmt.add_argument(
        "--funding",
        metavar="SOURCE",
        help="only clients and services counted under this funding source (its name)",
    )
    for sub in (accreditation, stats, pmt):
        sub.add_argument(
            "--format",
            choices=("text", "md", "csv"),
            default="text",
            help="text (default), Markdown, or CSV",
        )


def add_audit_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    audit = commands.add_parser(
        "audit",
        parents=[common],
        help="print the audit trail: who changed what, and when",
        description=(
            "Print the vault's audit trail, oldest first: every record added, changed or "
            "removed (which fields, never their contents), and every unlock, lock, export, "
            "calendar export, report and change of keys. Writes nothing."
        ),
    )
    audit.add_argument(
        "--client",
        metavar="CLIENT",
        help="only this client (their id, calendar code, or preferred name; its start is enough)",
    )
    audit.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="only entries from this day on (UTC)"
    )


def _report_accreditation(args: argparse.Namespace) -> int:
    """Each active client against the essential requirements, then the agency summary."""
    from datetime import date

    from casetui.core.choices import AuditAction
    from casetui.core.labels import neutral_label
    from casetui.core.readiness_report import render
    from casetui.services.readiness import accreditation

    settings, _notices = user_settings()
    as_of = args.as_of or date.today()
    path = vault_path(args)
    with open_to_record(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        results = accreditation(vault.repo, as_of, settings.reassess_after_days)
        rows = [
            (
                client.preferred_name
                if args.with_names
                else neutral_label(client.preferred_name, client.calendar_code, client.id),
                client.id,
                result,
            )
            for client, result in results
        ]
        record(vault, AuditAction.REPORT_RUN, f"accreditation readiness as of {as_of}")
    sys.stdout.write(render(rows, as_of, args.format))
    if args.with_names:
        print(
            "Note: this report names clients; keep it private and delete it when done.",
            file=sys.stderr,
        )
    return 0


def run_report(args: argparse.Namespace) -> int:
    if args.report_kind == "accreditation":
        return _report_accreditation(args)
    if args.report_kind == "pmt":
        return _report_pmt(args)
    return _report_stats(args)


def _report_pmt(args: argparse.Namespace) -> int:
    """The PMT's quarterly figures: exact counts, no names, for the funder's portal."""
    from datetime import date

    from casetui.config.funder_lists import load_catalog
    from casetui.core.choices import AuditAction
    from casetui.core.funder_catalog import CatalogError
    from casetui.core.stats.pmt_render import render_pmt
    from casetui.core.stats.pmt_report import (
        FundingNotFound,
        federal_quarter,
        find_funding,
        last_ended_quarter,
        pmt_report,
    )
    from casetui.core.stats.service_events import service_map

    command = "casetui report pmt"
    if (args.start is None) != (args.end is None):
        given, missing = ("--from", "--to") if args.end is None else ("--to", "--from")
        raise CliError(f"{given} needs {missing} too: give the first and the last day.", 2, command)
    if args.start is not None and args.start > args.end:
        raise CliError(
            f"The period starts on {args.start} but ends earlier, on {args.end}.", 2, command
        )
    if args.start is None:
        quarter = last_ended_quarter(date.today())
        start, end, label = quarter.start, quarter.end, quarter.label
    else:
        start, end = args.start, args.end
        quarter = federal_quarter(start)
        whole = (quarter.start, quarter.end) == (start, end)
        label = quarter.label if whole else f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    settings, _notices = user_settings()
    try:
        catalog = load_catalog()
    except CatalogError as error:
        raise CliError(f"{error} Fix it, or move it away to use the PMT's own lists.", 1) from None
    path = vault_path(args)
    with open_to_record(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        tables = vault.records().tables
        funding = None
        if args.funding is not None:
            try:
                funding = find_funding(list(vault.repo.funding_sources), args.funding)
            except FundingNotFound as error:
                raise CliError(str(error), 2, command) from None
        report = pmt_report(
            tables,
            start,
            end,
            services_map=service_map(settings.funder_services),
            catalog=catalog,
            funding=funding,
            label=label,
            as_of=date.today(),
        )
        record(vault, AuditAction.REPORT_RUN, f"funder PMT figures {start}–{end}")
    sys.stdout.write(render_pmt(report, args.format))
    return 0


def _report_stats(args: argparse.Namespace) -> int:
    """De-identified counts for funders, with small counts suppressed."""
    from datetime import date

    from casetui.core.choices import AuditAction
    from casetui.core.periods import PeriodError, checked, fiscal_year
    from casetui.core.stats.funder_report import funder_stats
    from casetui.core.stats.render import render_stats

    settings, _notices = user_settings()
    fy_start = settings.fiscal_year_start
    today = date.today()
    named: Period | None = args.month or args.quarter
    if args.fiscal_year is not None:
        named = fiscal_year(args.fiscal_year, fy_start)
    if named is not None and args.end is not None:
        raise CliError(
            "--to goes with --from, not with --month, --quarter or --fiscal-year; give one "
            "way of saying the period.",
            2,
            STATS_COMMAND,
        )
    if named is None and (args.start is None) != (args.end is None):
        given, missing = ("--from", "--to") if args.end is None else ("--to", "--from")
        raise CliError(
            f"{given} needs {missing} too: give the first and the last day.", 2, STATS_COMMAND
        )
    if named is None and args.start is None:
        raise CliError(
            "Say which period to count: --month YYYY-MM, --quarter YYYY-Qn, --fiscal-year "
            "YYYY, or --from and --to.",
            2,
            STATS_COMMAND,
        )
    start: date = named.start if named is not None else args.start
    end: date = named.end if named is not None else args.end
    try:
        period = checked(
            start, end, today=today, fy_start_month=fy_start, allow_custom=args.custom_period
        )
    except PeriodError as error:
        raise CliError(str(error), 2, STATS_COMMAND) from None
    if period.custom:
        print(
            f"Note: {period.label} is a custom period, not a whole month, quarter or fiscal "
            "year that has ended, so comparing it with other reports can reveal small "
            "counts; please share it with care.",
            file=sys.stderr,
        )
    path = vault_path(args)
    with open_to_record(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        stats = funder_stats(
            vault.records().tables,
            start,
            end,
            settings.small_cell_threshold,
            as_of=today,
            fiscal_year_start=fy_start,
        )
        record(vault, AuditAction.REPORT_RUN, f"funder statistics {start}–{end}")
    sys.stdout.write(render_stats(stats, args.format))
    return 0


def run_audit(args: argparse.Namespace) -> int:
    from casetui.core.record_tables import RECORD_TYPES
    from casetui.vault.audit import select, trail_lines
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(
        path, unlocker(args, path), accept_older=accepts_older(args), writable=False
    ) as vault:
        say_if_older(vault)
        repo = vault.repo
        if args.client is not None:
            entries = repo.audit.for_parent(client_id(vault, args.client))
        else:
            entries = repo.audit.all()
    chosen = select(entries, since=args.since)
    nouns = {cls.TABLE: cls.NOUN for cls in RECORD_TYPES}
    for line in trail_lines(chosen, nouns):
        print(line)
    if not chosen:
        print("The audit trail holds nothing that matches.", file=sys.stderr)
    return 0
