"""Funder statistics cannot be subtracted from each other to single out a client.

Reports are made for whole months, quarters and fiscal years (which never
overlap within a kind), counts are as of the period's end (so a re-run later
gives the same figures), total hours go with any hidden row's hours, and staff
time is withheld when it would describe fewer than three people.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetui.config import DEFAULT_FISCAL_YEAR_START, Settings, load_settings
from casetui.core.choices import (
    AuditAction,
    BlockKind,
    Domain,
    Horizon,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import StatusChange
from casetui.core.periods import (
    DEFAULT_FISCAL_YEAR_START as PERIODS_DEFAULT,
)
from casetui.core.periods import (
    Period,
    PeriodError,
    PeriodKind,
    checked,
    containing,
    fiscal_year,
    last_complete,
    month,
    parse_fiscal_year,
    parse_month,
    parse_quarter,
    quarter,
    refusal,
    step,
    whole_period,
)
from casetui.core.records import AdminBlock, Client, Meeting, NeedItem, Record, Referral
from casetui.core.recordset import parse_interchange
from casetui.core.stats import (
    CUSTOM_RULE,
    FORMATS,
    HIDDEN,
    TOTAL,
    funder_stats,
    render_stats,
)
from casetui.services import casework as casework_service
from casetui.vault.vault import Vault
from tests.cli.test_cli import assert_one_sentence_error, ident
from tests.conftest import VaultFiles, run_casetui
from tests.core.test_stats import client, meeting, rows_of, tables_of

SEPTEMBER = month(2026, 9)
LONG_AFTER = date(2027, 6, 1)

# -- periods ---------------------------------------------------------------------------


def test_months_quarters_and_fiscal_years() -> None:
    assert (SEPTEMBER.start, SEPTEMBER.end, SEPTEMBER.label) == (
        date(2026, 9, 1),
        date(2026, 9, 30),
        "September 2026",
    )
    assert month(2024, 2).end == date(2024, 2, 29)
    q3 = quarter(2026, 3)
    assert (q3.start, q3.end, q3.label) == (date(2026, 7, 1), date(2026, 9, 30), "2026 Q3")
    fy = fiscal_year(2026)
    assert (fy.start, fy.end, fy.label) == (date(2025, 10, 1), date(2026, 9, 30), "FY2026")
    assert fiscal_year(2026, 1).start == date(2026, 1, 1)
    assert fiscal_year(2026, 1).end == date(2026, 12, 31)
    assert (fiscal_year(2026, 7).start, fiscal_year(2026, 7).end) == (
        date(2025, 7, 1),
        date(2026, 6, 30),
    )
    assert containing(PeriodKind.FISCAL_YEAR, date(2025, 10, 1)) == fiscal_year(2026)
    assert containing(PeriodKind.FISCAL_YEAR, date(2025, 9, 30)) == fiscal_year(2025)
    assert last_complete(PeriodKind.MONTH, date(2026, 11, 16)) == month(2026, 10)
    assert last_complete(PeriodKind.QUARTER, date(2026, 10, 1)) == quarter(2026, 3)
    assert last_complete(PeriodKind.FISCAL_YEAR, date(2026, 9, 30)) == fiscal_year(2025)
    assert step(month(2026, 12), 1) == month(2027, 1)
    assert step(quarter(2026, 1), -1) == quarter(2025, 4)


def test_parsing_periods() -> None:
    assert parse_month("2026-09") == SEPTEMBER
    assert parse_quarter("2026-Q3") == quarter(2026, 3)
    assert parse_quarter("2026q1") == quarter(2026, 1)
    assert parse_fiscal_year("2026") == fiscal_year(2026)
    assert parse_fiscal_year("FY2026", 7) == fiscal_year(2026, 7)
    for bad, parse in (
        ("2026-13", parse_month),
        ("Sept", parse_month),
        ("2026-Q5", parse_quarter),
        ("2026-3", parse_quarter),
        ("26", parse_fiscal_year),
    ):
        with pytest.raises(PeriodError, match=r"write it|write the year"):
            parse(bad)


def test_whole_periods_are_recognised_and_others_are_not() -> None:
    assert whole_period(date(2026, 9, 1), date(2026, 9, 30)) == SEPTEMBER
    assert whole_period(date(2026, 7, 1), date(2026, 9, 30)) == quarter(2026, 3)
    assert whole_period(date(2025, 10, 1), date(2026, 9, 30)) == fiscal_year(2026)
    assert whole_period(date(2025, 10, 1), date(2026, 9, 30), 1) is None
    assert whole_period(date(2026, 1, 1), date(2026, 12, 31), 1) == fiscal_year(2026, 1)
    assert whole_period(date(2026, 9, 1), date(2026, 9, 28)) is None


def test_an_odd_period_is_refused_naming_the_nearest_whole_one() -> None:
    assert refusal(date(2026, 9, 1), date(2026, 9, 28)) == (
        "2026-09-01 to 2026-09-28 is not a whole month, quarter or fiscal year; use "
        "--from 2026-09-01 --to 2026-09-30 (September 2026), or add --custom-period."
    )
    assert "(2026 Q3)" in refusal(date(2026, 8, 3), date(2026, 9, 28))
    spans = refusal(date(2026, 1, 1), date(2026, 10, 31))
    assert "(FY2026) or --from 2026-10-01 --to 2027-09-30 (FY2027)" in spans
    today = date(2026, 12, 4)
    with pytest.raises(PeriodError) as refused:
        checked(date(2026, 9, 1), date(2026, 9, 28), today=today)
    assert str(refused.value) == refusal(date(2026, 9, 1), date(2026, 9, 28))
    with pytest.raises(PeriodError, match=r"has not ended yet.*November 2026"):
        checked(date(2026, 12, 1), date(2026, 12, 31), today=today)
    with pytest.raises(PeriodError, match="after --to"):
        checked(date(2026, 9, 2), date(2026, 9, 1), today=today, allow_custom=True)
    odd = checked(date(2026, 9, 1), date(2026, 9, 28), today=today, allow_custom=True)
    assert odd.custom and odd.label == "2026-09-01 to 2026-09-28"
    assert checked(date(2026, 9, 1), date(2026, 9, 30), today=today, allow_custom=True) == (
        SEPTEMBER
    )
    assert checked(date(2026, 12, 1), date(2026, 12, 31), today=today, allow_custom=True).custom


def test_the_fiscal_year_start_is_a_setting(tmp_path: Path) -> None:
    assert DEFAULT_FISCAL_YEAR_START == PERIODS_DEFAULT == Settings().fiscal_year_start == 10
    path = tmp_path / "config.toml"
    path.write_text("fiscal_year_start = 7\n")
    assert load_settings(path) == (Settings(fiscal_year_start=7), [])
    for bad in ("13", "0", '"July"', "true", "7.5"):
        path.write_text(f"fiscal_year_start = {bad}\n")
        loaded, notices = load_settings(path)
        assert loaded.fiscal_year_start == 10
        assert len(notices) == 1 and "fiscal_year_start" in notices[0], notices
        assert "from 1 to 12" in notices[0]
    for value in (0, 13, True):
        with pytest.raises(ValueError, match="fiscal_year_start"):
            Settings(fiscal_year_start=value)


KINDS = st.sampled_from([PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.FISCAL_YEAR])
DAYS = st.dates(date(2000, 1, 1), date(2090, 12, 31))


@given(KINDS, st.integers(1, 12), DAYS, DAYS)
def test_two_periods_of_one_kind_are_the_same_or_never_overlap(
    kind: PeriodKind, fy_start: int, one: date, other: date
) -> None:
    first, second = containing(kind, one, fy_start), containing(kind, other, fy_start)
    assert first.start <= one <= first.end
    assert first == second or first.end < second.start or second.end < first.start
    assert whole_period(first.start, first.end, fy_start) == first
    after = step(first, 1, fy_start)
    assert after.start == first.end + timedelta(days=1)
    assert step(after, -1, fy_start) == first


@given(DAYS, st.integers(0, 800), st.integers(1, 12))
def test_without_custom_period_only_whole_periods_pass(
    start: date, length: int, fy_start: int
) -> None:
    """So no two accepted periods can be a day or two apart: they would overlap."""
    end = start + timedelta(days=length)
    try:
        period = checked(start, end, today=date(2099, 1, 1), fy_start_month=fy_start)
    except PeriodError as refused:
        assert "--custom-period" in str(refused)
        assert whole_period(start, end, fy_start) is None
        return
    assert not period.custom
    assert (period.start, period.end) == (start, end)
    assert containing(period.kind, start, fy_start) == period


# -- needs keep their history ------------------------------------------------------------


def a_need(who: Client, status: NeedStatus = NeedStatus.NEEDED, **values: object) -> NeedItem:
    return NeedItem.create(
        client_id=who.id,
        label="A need",
        domain=Domain.HOUSING,
        horizon=Horizon.SHORT_TERM,
        status=status,
        **values,  # type: ignore[arg-type]
    )


def test_a_need_notes_each_change_of_status() -> None:
    who = client(date(2026, 1, 5))
    today = date(2026, 6, 1)
    new = a_need(who).noting_status(None, today, who.intake_date)
    assert new.history == (StatusChange(today, NeedStatus.NEEDED),)
    same = dataclasses.replace(new, note="Called back.")
    assert same.noting_status(new, date(2026, 7, 1), None) == same
    met = dataclasses.replace(new, status=NeedStatus.MET, status_date=date(2026, 6, 20))
    kept = met.noting_status(new, date(2026, 7, 1), None)
    assert kept.history[-1] == StatusChange(date(2026, 6, 20), NeedStatus.MET)
    # A status changed without a new date is dated today, not the old date.
    again = dataclasses.replace(kept, status=NeedStatus.NEEDED)
    assert again.noting_status(kept, date(2026, 8, 1), None).history[-1].on == date(2026, 8, 1)
    # A copy read before the last write does not lose what is stored.
    stale = dataclasses.replace(new, note="Edited from an old copy.", status=NeedStatus.MET)
    assert stale.noting_status(kept, date(2026, 7, 2), None).history == kept.history
    # A need from before histories were kept starts with the status it had.
    legacy = a_need(who, status_date=date(2026, 2, 1))
    changed = dataclasses.replace(legacy, status=NeedStatus.MET, status_date=date(2026, 3, 1))
    assert changed.noting_status(legacy, today, who.intake_date).history == (
        StatusChange(date(2026, 2, 1), NeedStatus.NEEDED),
        StatusChange(date(2026, 3, 1), NeedStatus.MET),
    )
    undated = a_need(who)
    assert dataclasses.replace(undated, status=NeedStatus.MET).noting_status(
        undated, today, who.intake_date
    ).history[0] == StatusChange(who.intake_date, NeedStatus.NEEDED)
    # Rewritten with its status unchanged, it keeps the day it began.
    redated = dataclasses.replace(legacy, status_date=date(2026, 5, 1))
    assert redated.noting_status(legacy, today, who.intake_date).history == (
        StatusChange(date(2026, 2, 1), NeedStatus.NEEDED),
    )


def test_the_vault_keeps_a_needs_history_and_reads_needs_without_one(vault: Vault) -> None:
    who = vault.repo.clients.add(
        Client.create(
            preferred_name="Someone",
            intake_date=date(2026, 1, 5),
            case_manager_id=vault.owner_staff_id,
        )
    )
    need = vault.repo.needs.add(a_need(who, status_date=date(2026, 1, 6)))
    assert need.history == (StatusChange(date(2026, 1, 6), NeedStatus.NEEDED),)
    met = dataclasses.replace(need, status=NeedStatus.MET, status_date=date(2026, 2, 1))
    vault.repo.needs.put(met)
    stored = vault.repo.needs.require(need.id)
    assert [c.status for c in stored.history] == [NeedStatus.NEEDED, NeedStatus.MET]
    # Export and import carry it; a need written before histories loads with none.
    document = json.loads(json.dumps(vault.records().to_interchange()))
    records, problems = parse_interchange(document)
    assert not problems
    assert next(n for n in records.tables["needs"] if n.id == need.id).history == stored.history
    row = dict(vault.repo.needs.raw()[need.id])
    del row["history"]
    assert NeedItem.from_dict(row, record_id=need.id).history == ()


# -- counts as of the period's end -------------------------------------------------------


def render_all(tables: dict[str, list[Record]], period: Period, as_of: date) -> list[str]:
    stats = funder_stats(tables, period.start, period.end, 3, as_of=as_of)
    return [render_stats(stats, fmt) for fmt in FORMATS]


def served_caseload() -> tuple[list[Record], list[Client]]:
    people = [client(date(2026, 9, 2 + n)) for n in range(4)]
    records: list[Record] = list(people)
    for who in people:
        records.append(
            a_need(who).noting_status(None, date(2026, 9, 10), who.intake_date)  # dated
        )
        records.append(
            Referral.create(
                client_id=who.id,
                partner_id="pa_partner",
                service=ServiceKind.SHELTER,
                status=ReferralStatus.REFERRED,
                history=(StatusChange(date(2026, 9, 12), ReferralStatus.REFERRED),),
            )
        )
    return records, people


def test_changes_after_the_period_do_not_change_its_report() -> None:
    records, people = served_caseload()
    before = render_all(tables_of(*records), SEPTEMBER, date(2026, 10, 1))
    later: list[Record] = []
    for record in records:
        if isinstance(record, NeedItem):
            met = dataclasses.replace(record, status=NeedStatus.MET, status_date=date(2026, 10, 2))
            later.append(met.noting_status(record, date(2026, 10, 2), None))
        elif isinstance(record, Referral):
            later.append(
                dataclasses.replace(
                    record,
                    status=ReferralStatus.COMPLETED,
                    history=(
                        *record.history,
                        StatusChange(date(2026, 10, 3), ReferralStatus.COMPLETED),
                    ),
                )
            )
        else:
            later.append(record)
    # A need added after the period, for a client served in it, does not count either.
    later.append(a_need(people[0]).noting_status(None, date(2026, 10, 5), None))
    later.append(client(date(2026, 10, 1)))
    assert render_all(tables_of(*later), SEPTEMBER, LONG_AFTER) == before
    # The counting does see them for October's client and the later statuses.
    october = render_all(tables_of(*later), month(2026, 10), LONG_AFTER)
    assert october != render_all(tables_of(*records), month(2026, 10), LONG_AFTER)


def test_a_need_added_after_the_period_does_not_count() -> None:
    who = client(date(2026, 9, 1))
    needs = [a_need(who).noting_status(None, date(2026, 9, 5), None) for _ in range(5)]
    late = [a_need(who).noting_status(None, date(2026, 10, 1), None) for _ in range(5)]
    # From before histories were kept: counts from its status date, or from the intake.
    legacy_late = [a_need(who, status_date=date(2026, 10, 2)) for _ in range(5)]
    legacy_undated = [a_need(who) for _ in range(5)]
    stats = funder_stats(
        tables_of(who, *needs, *late, *legacy_late, *legacy_undated), SEPTEMBER.start, SEPTEMBER.end
    )
    assert rows_of(stats.table("needs_by_domain"))[TOTAL][-1] == "10"
    text = render_stats(stats, "text")
    assert "2026-09-30" in text and "status date" in text and "intake" in text


def test_the_total_hours_are_hidden_with_any_rows_hours() -> None:
    who = client(date(2025, 1, 1))
    start = SEPTEMBER.start
    meetings = [meeting(who, start, kind=MeetingKind.CRISIS, duration_minutes=60)]
    meetings += [meeting(who, start, kind=MeetingKind.CHECK_IN) for _ in range(6)]
    meetings += [meeting(who, start, kind=MeetingKind.SCHEDULED) for _ in range(20)]
    stats = funder_stats(tables_of(who, *meetings), SEPTEMBER.start, SEPTEMBER.end)
    rows = rows_of(stats.table("meetings"))
    assert rows[MeetingKind.CRISIS.label] == ("<5", HIDDEN)
    assert rows[MeetingKind.CHECK_IN.label] == (HIDDEN, HIDDEN)
    # Shown: with the total, it would give away the hidden rows' hours.
    assert rows[MeetingKind.SCHEDULED.label] == ("20", "20.0")
    assert rows[TOTAL] == ("27", HIDDEN)
    plain = [meeting(who, start, kind=MeetingKind.CHECK_IN) for _ in range(9)]
    shown = funder_stats(tables_of(who, *plain), SEPTEMBER.start, SEPTEMBER.end)
    assert rows_of(shown.table("meetings"))[TOTAL] == ("9", "9.0")


def blocks_for(*staff_ids: str) -> list[AdminBlock]:
    return [
        AdminBlock.create(
            staff_id=sid, kind=BlockKind.SELF_CARE, on=date(2026, 9, 7), start=time(9), end=time(10)
        )
        for sid in staff_ids
    ]


def test_staff_time_is_withheld_below_three_case_managers() -> None:
    for staff in (["st_a"], ["st_a", "st_b"], ["st_a", "st_a", "st_b"]):
        stats = funder_stats(tables_of(*blocks_for(*staff)), SEPTEMBER.start, SEPTEMBER.end)
        table = stats.table("staff_time")
        assert table.withheld and not table.rows
        assert "fewer than 3 case managers" in table.note
        for fmt in FORMATS:
            out = render_stats(stats, fmt)
            assert "fewer than 3 case managers" in out
            assert "1.0" not in out
    stats = funder_stats(
        tables_of(*blocks_for("st_a", "st_b", "st_c")), SEPTEMBER.start, SEPTEMBER.end
    )
    assert rows_of(stats.table("staff_time"))[BlockKind.SELF_CARE.label][0] == "3.0"
    assert not any("in full" in rule for rule in stats.rules)
    assert any("at least 3 case managers" in rule for rule in stats.rules)


def test_the_rules_name_the_period_and_warn_of_a_custom_one() -> None:
    whole = funder_stats(tables_of(), SEPTEMBER.start, SEPTEMBER.end, as_of=LONG_AFTER)
    assert whole.rules[0] == "Period: September 2026, 2026-09-01 to 2026-09-30, both days included."
    assert CUSTOM_RULE not in whole.rules
    odd = funder_stats(tables_of(), SEPTEMBER.start, date(2026, 9, 28), as_of=LONG_AFTER)
    assert odd.rules[1] == CUSTOM_RULE
    assert "custom period" in CUSTOM_RULE and "reveal small counts" in CUSTOM_RULE
    unfinished = funder_stats(tables_of(), SEPTEMBER.start, SEPTEMBER.end, as_of=date(2026, 9, 20))
    assert CUSTOM_RULE in unfinished.rules


# -- differencing between two reports, with random caseloads -----------------------------

PERIODS = st.one_of(
    st.builds(month, st.integers(2025, 2026), st.integers(1, 12)),
    st.builds(quarter, st.integers(2025, 2026), st.integers(1, 4)),
    st.builds(fiscal_year, st.integers(2025, 2026)),
)


@st.composite
def caseload_and_later(draw: st.DrawFn) -> tuple[Period, list[Record], list[Record]]:
    """A whole period, records made up to some day after it, and the same records
    changed and added to after the period's end."""
    period = draw(PERIODS)
    span = (period.end - period.start).days

    def day(low: int, high: int) -> date:
        return period.start + timedelta(days=draw(st.integers(low, high)))

    def after() -> date:
        return period.end + timedelta(days=draw(st.integers(1, 60)))

    before: list[Record] = []
    later: list[Record] = []
    for _ in range(draw(st.integers(0, 8))):
        who = client(day(-60, span))
        before.append(who)
        later.append(who)
        for _ in range(draw(st.integers(0, 3))):
            held = meeting(
                who,
                day(-5, span),
                kind=draw(st.sampled_from(MeetingKind)),
                duration_minutes=draw(st.integers(1, 240)),
            )
            before.append(held)
            later.append(held)
        for _ in range(draw(st.integers(0, 3))):
            legacy = draw(st.booleans())
            status = draw(st.sampled_from(NeedStatus))
            need = a_need(who, status, status_date=day(-30, span) if draw(st.booleans()) else None)
            if not legacy:
                need = need.noting_status(None, day(-30, span), who.intake_date)
            before.append(need)
            if draw(st.booleans()):  # its status changes after the period
                on = after()
                moved = dataclasses.replace(
                    need, status=draw(st.sampled_from(NeedStatus)), status_date=on
                )
                need = moved.noting_status(need, on, who.intake_date)
            later.append(need)
        for _ in range(draw(st.integers(0, 2))):
            opened = day(-5, span)
            referral = Referral.create(
                client_id=who.id,
                partner_id="pa_partner",
                service=draw(st.sampled_from([ServiceKind.SHELTER, ServiceKind.MEDICAL])),
                status=ReferralStatus.REFERRED,
                history=(StatusChange(opened, ReferralStatus.REFERRED),),
            )
            before.append(referral)
            if draw(st.booleans()):
                status = draw(st.sampled_from(ReferralStatus))
                referral = dataclasses.replace(
                    referral,
                    status=status,
                    history=(*referral.history, StatusChange(after(), status)),
                )
            later.append(referral)
        for _ in range(draw(st.integers(0, 2))):  # needs added after the period
            later.append(a_need(who).noting_status(None, after(), who.intake_date))
    for _ in range(draw(st.integers(0, 3))):  # clients, meetings, blocks after the period
        who = client(after())
        later += [who, meeting(who, after())]
        later.append(
            AdminBlock.create(
                staff_id=f"st_{draw(st.integers(0, 4))}",
                kind=BlockKind.ADMIN,
                on=after(),
                start=time(9),
                end=time(10),
            )
        )
    return period, before, later


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(caseload_and_later(), st.integers(1, 30), st.integers(31, 400))
def test_a_later_run_of_a_whole_period_is_byte_identical(
    case: tuple[Period, list[Record], list[Record]], first: int, second: int
) -> None:
    period, before, later = case
    then = render_all(tables_of(*before), period, period.end + timedelta(days=first))
    now = render_all(tables_of(*later), period, period.end + timedelta(days=second))
    assert now == then


# -- the command line -------------------------------------------------------------------


def stats_run(
    home: Path, files: VaultFiles, *period: str, env: dict[str, str] | None = None
) -> object:
    return run_casetui("report", "stats", *period, *ident(files), home=home, env=env)


def report_runs(files: VaultFiles) -> list[str]:
    with files.open(writable=False) as vault:
        return [e.detail for e in vault.repo.audit.all() if e.action is AuditAction.REPORT_RUN]


def test_an_odd_period_is_refused_in_one_sentence(home: Path, sample_files: VaultFiles) -> None:
    result = stats_run(home, sample_files, "--from", "2026-09-01", "--to", "2026-09-28")
    assert result.returncode == 2  # type: ignore[attr-defined]
    assert_one_sentence_error(
        result,
        "2026-09-01 to 2026-09-28 is not a whole month, quarter or fiscal year; use "
        "--from 2026-09-01 --to 2026-09-30 (September 2026), or add --custom-period.",
    )
    assert result.stdout == ""  # type: ignore[attr-defined]
    future = stats_run(home, sample_files, "--month", "2099-01")
    assert_one_sentence_error(future, "January 2099 has not ended yet")
    assert report_runs(sample_files) == []


def test_a_custom_period_warns_and_says_so_in_the_rules(
    home: Path, sample_files: VaultFiles
) -> None:
    result = stats_run(
        home, sample_files, "--from", "2026-09-01", "--to", "2026-09-28", "--custom-period"
    )
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    warning = [ln for ln in result.stderr.splitlines() if ln.strip()]  # type: ignore[attr-defined]
    assert len(warning) == 1
    assert warning[0].startswith("Note: 2026-09-01 to 2026-09-28 is a custom period")
    assert warning[0].count(". ") == 0 and warning[0].endswith(".")
    assert "reveal small counts" in warning[0]
    assert " ".join(CUSTOM_RULE.split()) in " ".join(result.stdout.split())  # type: ignore[attr-defined]
    whole = stats_run(home, sample_files, "--month", "2026-09", "--custom-period")
    assert whole.returncode == 0 and whole.stderr == ""  # type: ignore[attr-defined]
    assert "custom period" not in whole.stdout  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--month", "2026-09", "--from", "2026-09-01"), ("not allowed with",)),
        (("--month", "2026-09", "--to", "2026-09-30"), ("--to goes with --from",)),
        (("--from", "2026-09-01"), ("--from needs --to",)),
        (("--to", "2026-09-30"), ("--to needs --from",)),
        ((), ("Say which period",)),
        (("--quarter", "2026-Q5"), ("YYYY-Qn",)),
        (("--fiscal-year", "next"), ("the year it ends in",)),
    ],
)
def test_one_way_to_give_the_period(
    home: Path, vault_files: VaultFiles, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    result = stats_run(home, vault_files, *args)
    assert result.returncode == 2  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    for fragment in fragments:
        assert fragment in stderr, stderr
    assert "Traceback" not in stderr


def test_month_quarter_and_fiscal_year_options(
    home: Path, vault_files: VaultFiles, tmp_path: Path
) -> None:
    by_days = stats_run(home, vault_files, "--from", "2026-09-01", "--to", "2026-09-30")
    by_month = stats_run(home, vault_files, "--month", "2026-09")
    assert by_days.returncode == by_month.returncode == 0, by_month.stderr  # type: ignore[attr-defined]
    assert by_days.stdout == by_month.stdout  # type: ignore[attr-defined]
    assert by_month.stdout.startswith("Funder statistics, 2026-09-01 to 2026-09-30\n")  # type: ignore[attr-defined]
    by_quarter = stats_run(home, vault_files, "--quarter", "2026-Q3")
    assert "2026 Q3, 2026-07-01 to 2026-09-30" in by_quarter.stdout  # type: ignore[attr-defined]
    by_year = stats_run(home, vault_files, "--fiscal-year", "2026")
    assert "FY2026, 2025-10-01 to 2026-09-30" in by_year.stdout  # type: ignore[attr-defined]
    config = tmp_path / "config.toml"
    config.write_text("fiscal_year_start = 7\n")
    july = stats_run(
        home, vault_files, "--fiscal-year", "2026", env={"CASETUI_CONFIG": str(config)}
    )
    assert july.stdout.startswith("Funder statistics, 2025-07-01 to 2026-06-30\n")  # type: ignore[attr-defined]
    help_text = run_casetui("report", "stats", "--help", home=home).stdout
    assert "FY2026 runs from 2025-10-01 to 2026-09-30" in " ".join(help_text.split())


def plant_september(vault: Vault) -> tuple[list[NeedItem], list[Referral]]:
    """Five clients taken on in September 2026, each with a need and a referral."""
    staff = vault.repo.staff.all()[0].id
    partner = vault.repo.partners.all()[0].id
    needs, referrals = [], []
    for n in range(5):
        who = vault.repo.clients.add(
            Client.create(
                preferred_name=f"Person {n}",
                intake_date=date(2026, 9, 3 + n),
                case_manager_id=staff,
            )
        )
        vault.repo.meetings.add(Meeting.create(client_id=who.id, on=date(2026, 9, 10)))
        needs.append(vault.repo.needs.add(a_need(who, status_date=date(2026, 9, 10))))
        referrals.append(
            vault.repo.referrals.add(
                Referral.create(
                    client_id=who.id,
                    partner_id=partner,
                    service=ServiceKind.SHELTER,
                    status=ReferralStatus.REFERRED,
                    history=(StatusChange(date(2026, 9, 12), ReferralStatus.REFERRED),),
                )
            )
        )
    vault.save()
    return needs, referrals


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_differencing_pair_is_refused_and_a_rerun_is_identical(
    home: Path, sample_files: VaultFiles, fmt: str
) -> None:
    with sample_files.open() as vault:
        needs, referrals = plant_september(vault)
    fmt_args = ("--format", fmt)
    early = stats_run(home, sample_files, "--from", "2026-09-01", "--to", "2026-09-28", *fmt_args)
    assert_one_sentence_error(early, "--custom-period")
    assert early.stdout == ""  # type: ignore[attr-defined]
    first = stats_run(home, sample_files, "--from", "2026-09-01", "--to", "2026-09-30", *fmt_args)
    assert first.returncode == 0, first.stderr  # type: ignore[attr-defined]
    # After the period: statuses move on, a need and a client are added.
    with sample_files.open() as vault:
        for need in needs:
            vault.repo.needs.put(
                dataclasses.replace(need, status=NeedStatus.MET, status_date=date(2026, 10, 5))
            )
        for referral in referrals:
            casework_service.change_referral_status(
                vault.repo, referral.id, ReferralStatus.COMPLETED, date(2026, 10, 6)
            )
        who = vault.repo.clients.require(needs[0].client_id)
        vault.repo.needs.add(a_need(who, status_date=date(2026, 10, 7)))
        vault.repo.clients.add(
            Client.create(
                preferred_name="Later",
                intake_date=date(2026, 10, 2),
                case_manager_id=who.case_manager_id,
            )
        )
        vault.save()
    again = stats_run(home, sample_files, "--month", "2026-09", *fmt_args)
    assert again.returncode == 0, again.stderr  # type: ignore[attr-defined]
    assert again.stdout == first.stdout  # type: ignore[attr-defined]
    assert report_runs(sample_files) == ["funder statistics 2026-09-01–2026-09-30"] * 2
