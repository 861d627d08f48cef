"""Funder statistics: what is counted, that nothing identifying gets out, and suppression.

Every date is fixed. The suppression tests check each published table exactly:
for every hidden count, a search over whole numbers asks whether any other value
fits everything that is published (the shown counts, every total, '<t' meaning 1
to t-1, 'x' meaning t or more, and no negative counts). If none does, the hidden
count could be worked out, and the test fails.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetui.core.choices import (
    AuditAction,
    BlockKind,
    CaseEventKind,
    ClosureReason,
    Domain,
    Horizon,
    LegalKind,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import (
    DatedNote,
    IdListSpec,
    IdSpec,
    NoteListSpec,
    StatusChange,
    StatusHistorySpec,
    TextSpec,
)
from casetui.core.formats import protect_cell as csv_safe
from casetui.core.funder_catalog import SERVICE_BY_CODE
from casetui.core.funder_records import FundingSource, HouseholdMember, ServiceRecord
from casetui.core.history_records import Assignment, AuditEntry, CaseEvent
from casetui.core.labels import initials
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan, StrengthsAssessment
from casetui.core.record_tables import RECORD_TYPES
from casetui.core.records import (
    AdminBlock,
    Client,
    Goal,
    Meeting,
    NeedItem,
    Partner,
    Record,
    Referral,
    Staff,
)
from casetui.core.stats import (
    CONTINUING_ROW,
    HIDDEN,
    NEW_ROW,
    TOTAL,
    WITHHELD,
    FunderStats,
    Mark,
    StatsTable,
    funder_stats,
    render_stats,
    suppress_column,
    suppress_grid,
    suppress_linked,
    tally,
)
from casetui.core.stats.pmt_render import render_pmt
from casetui.core.stats.pmt_report import pmt_report
from casetui.core.stats.service_events import service_map

START, END = date(2026, 3, 2), date(2026, 3, 29)  # Monday to Sunday: four whole weeks
Tables = dict[str, list[Record]]


def tables_of(*records: Record) -> Tables:
    out: Tables = {cls.TABLE: [] for cls in RECORD_TYPES}
    for record in records:
        out[record.TABLE].append(record)
    return out


def client(intake: date, **values: Any) -> Client:
    values.setdefault("preferred_name", "Someone")
    values.setdefault("case_manager_id", "st_a")
    return Client.create(intake_date=intake, **values)


def meeting(who: Client, on: date, **values: Any) -> Meeting:
    return Meeting.create(client_id=who.id, on=on, **values)


def referral(who: Client, opened: date, service: ServiceKind, *later: ReferralStatus) -> Referral:
    history = [StatusChange(opened, ReferralStatus.REFERRED)]
    history += [StatusChange(opened + timedelta(days=i + 1), s) for i, s in enumerate(later)]
    return Referral.create(
        client_id=who.id,
        partner_id="pa_partner",
        service=service,
        status=history[-1].status,
        history=tuple(history),
    )


def need(who: Client, domain: Domain, horizon: Horizon, status: NeedStatus) -> NeedItem:
    return NeedItem.create(
        client_id=who.id, label="A need", domain=domain, horizon=horizon, status=status
    )


def rows_of(table: StatsTable) -> dict[str, tuple[str, ...]]:
    return dict(table.rows)


# -- what is counted --------------------------------------------------------------------


def test_served_clients_are_new_or_continuing_and_both_period_ends_count() -> None:
    first = client(START)  # new: intake on the first day
    last = client(END)  # new: intake on the last day
    met_first_day = client(START - timedelta(days=1))
    met_last_day = client(date(2025, 6, 1))
    met_after = client(date(2025, 6, 1))
    met_before = client(date(2025, 6, 1))
    later = client(END + timedelta(days=1))  # intake after the period
    twice = client(date(2025, 1, 1))
    records = tables_of(
        first,
        last,
        met_first_day,
        met_last_day,
        met_after,
        met_before,
        later,
        twice,
        meeting(met_first_day, START),
        meeting(met_last_day, END),
        meeting(met_after, END + timedelta(days=1)),
        meeting(met_before, START - timedelta(days=1)),
        meeting(later, END),  # before their intake: not a client yet
        meeting(twice, START + timedelta(days=3)),
        meeting(twice, START + timedelta(days=10)),
    )
    counts = tally(records, START, END).clients
    assert counts.rows == (NEW_ROW, CONTINUING_ROW)
    assert counts.counts == ((2,), (3,))


def test_the_clients_table_shows_counts_at_the_threshold() -> None:
    news = [client(START + timedelta(days=i)) for i in range(5)]
    olds = [client(date(2025, 1, 1)) for _ in range(6)]
    records = tables_of(*news, *olds, *(meeting(c, START + timedelta(days=2)) for c in olds))
    table = funder_stats(records, START, END, threshold=5).table("clients")
    assert table.columns == ("Clients",)
    assert rows_of(table) == {NEW_ROW: ("5",), CONTINUING_ROW: ("6",), TOTAL: ("11",)}


def test_meetings_count_and_hours_by_kind_within_the_period() -> None:
    who = client(date(2025, 1, 1))
    inside = [
        meeting(who, START, kind=MeetingKind.CHECK_IN, duration_minutes=30) for _ in range(5)
    ] + [meeting(who, END, kind=MeetingKind.SCHEDULED, duration_minutes=90) for _ in range(6)]
    outside = [
        meeting(who, START - timedelta(days=1), kind=MeetingKind.CHECK_IN),
        meeting(who, END + timedelta(days=1), kind=MeetingKind.SCHEDULED),
    ]
    stats = funder_stats(tables_of(who, *inside, *outside), START, END, threshold=5)
    table = stats.table("meetings")
    assert table.columns == ("Meetings", "Hours")
    assert rows_of(table) == {
        MeetingKind.SCHEDULED.label: ("6", "9.0"),
        MeetingKind.CHECK_IN.label: ("5", "2.5"),
        MeetingKind.ACCOMPANIMENT.label: ("0", "0.0"),
        MeetingKind.CRISIS.label: ("0", "0.0"),
        MeetingKind.PHONE_VIDEO.label: ("0", "0.0"),
        TOTAL: ("11", "11.5"),
    }


def test_planned_meetings_after_as_of_are_not_counted() -> None:
    who = client(date(2025, 1, 1))
    held = [meeting(who, START + timedelta(days=i)) for i in range(5)]
    planned = [meeting(who, END - timedelta(days=i)) for i in range(3)]
    as_of = START + timedelta(days=10)
    stats = funder_stats(tables_of(who, *held, *planned), START, END, 5, as_of=as_of)
    assert rows_of(stats.table("meetings"))[TOTAL] == ("5", "5.0")
    assert any(as_of.isoformat() in rule for rule in stats.rules)
    assert tally(tables_of(who, *held, *planned), START, END).meetings.counts[0] == (8,)


def test_hours_of_a_suppressed_meeting_count_are_hidden_with_it() -> None:
    who = client(date(2025, 1, 1))
    meetings = [meeting(who, START, kind=MeetingKind.CRISIS, duration_minutes=200)]
    meetings += [meeting(who, START, kind=MeetingKind.CHECK_IN) for _ in range(9)]
    rows = rows_of(funder_stats(tables_of(who, *meetings), START, END).table("meetings"))
    assert rows[MeetingKind.CRISIS.label] == ("<5", HIDDEN)
    # The only other count is hidden too, or the total would give the crisis meeting away.
    assert rows[MeetingKind.CHECK_IN.label] == (HIDDEN, HIDDEN)
    # The total hours go too: with the other rows' hours shown, they would give these away.
    assert rows[TOTAL] == ("10", HIDDEN)


def test_staff_time_counts_weekly_blocks_on_each_day_of_the_period() -> None:
    nine, eleven = time(9), time(11)
    weekly_admin = AdminBlock.create(
        staff_id="st_a",
        kind=BlockKind.ADMIN,
        on=START - timedelta(days=14),  # began before the period, on a Monday
        start=nine,
        end=eleven,
        weekly=True,
        skipped=(START + timedelta(days=7),),
    )
    ended = AdminBlock.create(
        staff_id="st_b",
        kind=BlockKind.SELF_CARE,
        on=START + timedelta(days=2),  # Wednesdays, twice
        start=time(13),
        end=time(14, 30),
        weekly=True,
        until=START + timedelta(days=9),
    )
    last_day = AdminBlock.create(
        staff_id="st_a", kind=BlockKind.SELF_CARE, on=END, start=nine, end=time(10)
    )
    after = AdminBlock.create(
        staff_id="st_a", kind=BlockKind.ADMIN, on=END + timedelta(days=1), start=nine, end=eleven
    )
    before = AdminBlock.create(
        staff_id="st_a",
        kind=BlockKind.TRAINING,
        on=START - timedelta(days=1),
        start=nine,
        end=eleven,
    )
    # A third case manager: staff time is withheld with fewer than three.
    third = AdminBlock.create(
        staff_id="st_c", kind=BlockKind.SUPERVISION, on=START, start=nine, end=eleven
    )
    records = tables_of(weekly_admin, ended, last_day, after, before, third)
    counts = tally(records, START, END)
    assert counts.days == 28
    assert counts.staff_people == 3
    assert dict(counts.staff_hours) == {
        BlockKind.ADMIN.label: 6.0,  # four Mondays, one skipped, 2 h each
        BlockKind.SELF_CARE.label: 4.0,  # 1.5 h twice, and 1 h on the last day
        BlockKind.SUPERVISION.label: 2.0,
        BlockKind.TRAINING.label: 0.0,
        BlockKind.DOCUMENTATION.label: 0.0,
    }
    table = funder_stats(records, START, END).table("staff_time")
    assert table.columns == ("Hours", "Per week")
    rows = rows_of(table)
    assert rows[BlockKind.ADMIN.label] == ("6.0", "1.5")
    assert rows[BlockKind.SELF_CARE.label] == ("4.0", "1.0")
    assert rows[TOTAL] == ("12.0", "3.0")
    assert "28 days (4.0 weeks)" in table.note


def test_staff_time_over_a_partial_week() -> None:
    block = AdminBlock.create(
        staff_id="st_a", kind=BlockKind.ADMIN, on=date(2026, 3, 4), start=time(9), end=time(12)
    )
    # Wednesday to Saturday: 4 days.
    counts = tally(tables_of(block), date(2026, 3, 4), date(2026, 3, 7))
    assert counts.days == 4
    assert dict(counts.staff_hours)[BlockKind.ADMIN.label] == 3.0


def test_needs_of_served_clients_by_domain_horizon_and_status() -> None:
    served = [client(START) for _ in range(6)]
    absent = client(date(2025, 1, 1))  # no meeting in the period: not served
    needs = [need(c, Domain.HOUSING, Horizon.SHORT_TERM, NeedStatus.NEEDED) for c in served]
    needs += [need(c, Domain.HOUSING, Horizon.LONG_TERM, NeedStatus.MET) for c in served]
    needs += [need(absent, Domain.SAFETY, Horizon.SHORT_TERM, NeedStatus.NEEDED)]
    counts = tally(tables_of(*served, absent, *needs), START, END)
    domain = dict(zip(counts.needs_by_domain.rows, counts.needs_by_domain.counts, strict=True))
    status = counts.needs_by_domain.columns
    housing = dict(zip(status, domain[Domain.HOUSING.label], strict=True))
    assert housing[NeedStatus.NEEDED.label] == 6
    assert housing[NeedStatus.MET.label] == 6
    assert sum(domain[Domain.SAFETY.label]) == 0
    horizon = dict(zip(counts.needs_by_horizon.rows, counts.needs_by_horizon.counts, strict=True))
    assert sum(horizon[Horizon.SHORT_TERM.label]) == 6
    assert sum(horizon[Horizon.LONG_TERM.label]) == 6
    stats = funder_stats(tables_of(*served, absent, *needs), START, END)
    rows = rows_of(stats.table("needs_by_domain"))
    assert rows[Domain.HOUSING.label][-1] == "12"
    assert rows[TOTAL][-1] == "12"


def test_referrals_made_in_the_period_by_service_and_status_now() -> None:
    who = client(date(2025, 1, 1))
    made = [referral(who, START, ServiceKind.SHELTER, ReferralStatus.COMPLETED) for _ in range(5)]
    made += [referral(who, END, ServiceKind.SHELTER) for _ in range(6)]
    # Opened before the period, completed during it: not made in the period.
    made += [
        referral(who, START - timedelta(days=3), ServiceKind.MEDICAL, ReferralStatus.COMPLETED)
    ]
    counts = tally(tables_of(who, *made), START, END).referrals
    assert counts.rows == (ServiceKind.SHELTER.label,)  # services with none are left out
    shelter = dict(zip(counts.columns, counts.counts[0], strict=True))
    assert shelter[ReferralStatus.COMPLETED.label] == 5
    assert shelter[ReferralStatus.REFERRED.label] == 6
    table = funder_stats(tables_of(who, *made), START, END).table("referrals")
    assert rows_of(table)[TOTAL][-1] == "11"


def test_an_empty_vault_gives_zeros_and_says_so() -> None:
    stats = funder_stats(tables_of(), START, END)
    assert rows_of(stats.table("clients"))[TOTAL] == ("0",)
    assert "No referrals" in stats.table("referrals").note
    for fmt in ("text", "md", "csv"):
        assert render_stats(stats, fmt)


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="starts after it ends"):
        funder_stats(tables_of(), END, START)


def test_the_report_states_its_rules() -> None:
    stats = funder_stats(tables_of(), START, END, threshold=7)
    text = render_stats(stats, "text")
    for words in (
        "2026-03-02 to 2026-03-29",
        "'<7'",
        "1 to 6",
        "Complementary suppression",
        "intake was in the period",
        "at least one meeting",
        "Hours",
        "No names",
    ):
        assert words in text, words


def test_a_threshold_of_two_is_raised_to_three_and_the_report_says_why() -> None:
    stats = funder_stats(tables_of(), START, END, threshold=2)
    assert stats.threshold == 3
    assert any("set to 2" in rule for rule in stats.rules)
    with pytest.raises(ValueError, match="at least 3"):
        suppress_grid([[1]], 2)


# -- formats ------------------------------------------------------------------------------


def busy_caseload() -> Tables:
    """Enough going on that every table has shown, small and hidden counts."""
    records: list[Record] = []
    for i in range(30):
        who = client(START + timedelta(days=i % 20) if i % 3 else date(2025, 5, 1))
        records.append(who)
        for j in range(i % 4 + 1):
            kind = list(MeetingKind)[(i + j) % 5 if i % 7 else 4]
            records.append(meeting(who, START + timedelta(days=j), kind=kind))
        for j, domain in enumerate(list(Domain)[: i % 8 + 1]):
            status = list(NeedStatus)[(i * j) % 6]
            records.append(need(who, domain, list(Horizon)[(i + j) % 3], status))
        service = list(ServiceKind)[i % 15]
        records.append(referral(who, START + timedelta(days=i % 25), service))
    records.append(
        AdminBlock.create(
            staff_id="st_a",
            on=START,
            start=time(9),
            end=time(11),
            weekly=True,
            kind=BlockKind.ADMIN,
        )
    )
    return tables_of(*records)


def test_text_fits_80_columns_and_lines_up() -> None:
    text = render_stats(funder_stats(busy_caseload(), START, END), "text")
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Referrals made in the period" in text
    assert "<5" in text and " x " in text + " "


def test_markdown_tables_are_well_formed() -> None:
    stats = funder_stats(busy_caseload(), START, END)
    md = render_stats(stats, "md")
    for table in stats.tables:
        assert f"## {table.title}" in md
    table_lines = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert table_lines
    # Every line of a table has as many cells as its header.
    blocks: list[list[str]] = []
    previous = False
    for line in md.splitlines():
        if line.startswith("|"):
            if not previous:
                blocks.append([])
            blocks[-1].append(line)
        previous = line.startswith("|")
    for block in blocks:
        widths = {line.count("|") for line in block}
        assert len(widths) == 1, block
        assert set(block[1]) <= set("|:-")


def test_csv_is_one_document_with_table_row_column_value() -> None:
    stats = funder_stats(busy_caseload(), START, END)
    rows = list(csv.reader(io.StringIO(render_stats(stats, "csv"))))
    assert rows[0] == ["table", "row", "column", "value"]
    assert all(len(row) == 4 for row in rows)
    titles = {row[0] for row in rows[1:]}
    assert {t.title for t in stats.tables} <= titles
    assert ["about", "Small-cell threshold", "", "5"] in rows
    clients = {(r[1], r[2]): r[3] for r in rows if r[0] == "Clients served"}
    assert clients[TOTAL, "Clients"] == rows_of(stats.table("clients"))[TOTAL][0]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_cells_never_start_a_formula() -> None:
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(value) == "'" + value
    assert csv_safe("<5") == "<5"
    assert csv_safe("2026-03-02") == "2026-03-02"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render_stats(funder_stats(tables_of(), START, END), "html")


# -- nothing identifying gets out --------------------------------------------------------


@dataclass
class Canaries:
    """Unique strings, one per text field, remembered so the output can be searched."""

    planted: list[str] = field(default_factory=list)

    def __call__(self, width: int = 12, first: str = "C") -> str:
        value = (first + "z" + secrets.token_hex(16))[:width]
        self.planted.append(value)
        return value

    def hex64(self) -> str:
        """A canary shaped like a SHA-256 hash, for the audit trail's chain field."""
        value = secrets.token_hex(32)
        self.planted.append(value)
        return value

    def name(self) -> str:
        # Two words, so the client has initials (Q.J.) to look for as well.
        return f"{self(first='Q')} {self(first='J')}"


def planted_caseload(c: Canaries) -> tuple[Tables, list[str]]:
    """A record of every type, every text field holding its own canary; and every id."""
    day = START + timedelta(days=3)
    staff = Staff.create(name=c())
    partner = Partner.create(
        name=c(),
        kind=ServiceKind.SHELTER,
        contact_person=c(),
        phone=c(),
        email=c(),
        address=c(),
        languages=c(),
        notes=c(),
    )
    grant = FundingSource.create(name=c(), award_number=c(), note=c())
    records: list[Record] = [staff, partner, grant]
    for n in range(7):  # enough clients that counts are shown, not only suppressed
        who = Client.create(
            funding_source_ids=(grant.id,),
            preferred_name=c.name(),
            pronouns=c(),
            intake_date=day if n % 2 else date(2025, 1, 1),
            case_manager_id=staff.id,
            language=c(),
            culture_notes=c(),
            faith_notes=c(),
            safe_contact_notes=c(),
            calendar_code=c(),
        )
        goal = Goal.create(client_id=who.id, text=c(), progress_notes=(DatedNote(day, c()),))
        item = NeedItem.create(
            client_id=who.id,
            label=c(),
            horizon=Horizon.SHORT_TERM,
            domain=Domain.SAFETY,
            status=NeedStatus.NEEDED,
            note=c(),
            history=(StatusChange(day, NeedStatus.NEEDED, c()),),
        )
        records += [
            who,
            goal,
            item,
            Meeting.create(
                client_id=who.id,
                staff_id=staff.id,
                on=day,
                summary=c(),
                client_view=c(),
                observations=c(),
                goals_discussed=(goal.id,),
                next_steps=c(),
            ),
            Referral.create(
                client_id=who.id,
                partner_id=partner.id,
                service=ServiceKind.SHELTER,
                need_id=item.id,
                goal_id=goal.id,
                status=ReferralStatus.SCHEDULED,
                history=(
                    StatusChange(day, ReferralStatus.REFERRED, c()),
                    StatusChange(day, ReferralStatus.SCHEDULED, c()),
                ),
                note=c(),
            ),
            Consent.create(
                client_id=who.id,
                partner_id=partner.id,
                shares=c(),
                purpose=c(),
                signed_on=day,
                expires_on=day + timedelta(days=90),
                revoked_on=day + timedelta(days=1),
                revocation_note=c(),
            ),
            StrengthsAssessment.create(
                client_id=who.id,
                on=day,
                overcome=c(),
                learned=c(),
                positive_influence=c(),
                rely_on=c(),
                proud_of=c(),
                others_say=c(),
                reach_goals=c(),
                what_would_change=c(),
                challenges_now=c(),
            ),
            SafetyPlan.create(
                client_id=who.id,
                main_concern=c(),
                people=c(),
                places=c(),
                community=c(),
                money_material=c(),
                before=c(),
                during=c(),
                after_leaving=c(),
                emergency_contacts=c(),
                safe_to_keep=c(),
                reviewed_on=day,
            ),
            Assignment.create(client_id=who.id, to_staff_id=staff.id, on=day, note=c()),
            CaseEvent.create(
                client_id=who.id,
                kind=CaseEventKind.CLOSED,
                on=day,
                reason=ClosureReason.CLIENT_CHOSE,
                safety_plan_reviewed=True,
                knows_can_return=True,
                note=c(),
            ),
            LegalMatter.create(
                client_id=who.id, kind=LegalKind.COURT_DATE, on=day, description=c(), note=c()
            ),
            ServiceRecord.create(
                client_id=who.id, on=day, service="A2", funding_source_ids=(grant.id,), note=c()
            ),
            HouseholdMember.create(client_id=who.id, harmed=True, served=True, known_as=c()),
            AuditEntry.create(
                at=datetime(2026, 3, 5, 10, tzinfo=UTC),
                who=c(),
                action=AuditAction.CHANGED,
                table=c(),
                record_id=who.id,
                client_id=who.id,
                fields=(c(),),
                detail=c(),
                seq=1,
                prev=c.hex64(),
                chain=c(),
                imported_at=datetime(2026, 3, 6, 10, tzinfo=UTC),
                imported_by=c(),
                imported_from=c(),
            ),
        ]
    records.append(
        AdminBlock.create(
            staff_id=staff.id, on=day, start=time(9), end=time(10), weekly=True, note=c()
        )
    )
    tables = tables_of(*records)
    forbidden = list(c.planted)
    for rows in tables.values():
        for record in rows:
            forbidden.append(record.id)
            for name in ("client_id", "partner_id", "staff_id", "need_id", "goal_id"):
                value = getattr(record, name, None)
                if isinstance(value, str):
                    forbidden.append(value)
            if isinstance(record, Client):
                forbidden.append(initials(record.preferred_name))
                forbidden += record.preferred_name.split()
    return tables, forbidden


def text_values(record: Record) -> Iterator[tuple[str, str]]:
    """(field, text) for every piece of free text and every id a record holds."""
    for name, spec, _required in type(record)._specs():
        value = getattr(record, name)
        if isinstance(spec, TextSpec | IdSpec):
            if value:
                yield name, value
        elif isinstance(spec, IdListSpec):
            yield from ((name, v) for v in value)
        elif isinstance(spec, NoteListSpec):
            yield from ((name, note.text) for note in value)
        elif isinstance(spec, StatusHistorySpec):
            yield from ((name, change.note) for change in value)


def test_every_text_field_of_every_record_type_holds_a_canary() -> None:
    """The canary test below is only as good as this: nothing is left unplanted."""
    c = Canaries()
    tables, _forbidden = planted_caseload(c)
    for cls in RECORD_TYPES:
        assert tables[cls.TABLE], f"no {cls.NOUN} was planted"
        text_fields = {
            name
            for name, spec, _r in cls._specs()
            if isinstance(spec, TextSpec | NoteListSpec | StatusHistorySpec)
        }
        for record in tables[cls.TABLE]:
            seen = {name for name, value in text_values(record) if value in c.planted}
            seen |= {
                name
                for name, value in text_values(record)
                if any(part in c.planted for part in value.split())
            }
            assert text_fields <= seen, (cls.NOUN, text_fields - seen)


def test_no_canary_id_or_initials_reach_any_format() -> None:
    c = Canaries()
    tables, forbidden = planted_caseload(c)
    stats = funder_stats(tables, START, END)
    # The counts are real: seven clients served, with a meeting each.
    assert rows_of(stats.table("clients"))[TOTAL] == ("7",)
    assert rows_of(stats.table("meetings"))[TOTAL][0] == "7"
    assert len(forbidden) > 200
    for fmt in ("text", "md", "csv"):
        output = render_stats(stats, fmt).casefold()
        leaked = [value for value in forbidden if value.casefold() in output]
        assert not leaked, (fmt, leaked[:5])


def test_no_canary_id_or_initials_reach_the_pmt_report_in_any_format() -> None:
    c = Canaries()
    tables, forbidden = planted_caseload(c)
    grant = tables[FundingSource.TABLE][0]
    assert isinstance(grant, FundingSource)
    for funding in (None, grant):
        report = pmt_report(tables, START, END, services_map=service_map(), funding=funding)
        assert report.count("served", "  of them, clients (primary victims)") == 7
        assert report.count("services_A", "A2. " + SERVICE_BY_CODE["A2"].label) == 7
        for fmt in ("text", "md", "csv"):
            output = render_pmt(report, fmt).casefold()
            allowed = {grant.name.casefold()} if funding is not None else set()
            leaked = [
                v for v in forbidden if v.casefold() in output and v.casefold() not in allowed
            ]
            assert not leaked, (fmt, leaked[:5])
            assert (grant.name.casefold() in output) is (funding is not None)


def test_the_canary_search_would_find_a_leak() -> None:
    c = Canaries()
    tables, forbidden = planted_caseload(c)
    stats = funder_stats(tables, START, END)
    first = tables[Client.TABLE][0]
    assert isinstance(first, Client)
    leaky = FunderStats(
        stats.start,
        stats.end,
        stats.threshold,
        stats.as_of,
        (*stats.rules, f"Served: {first.calendar_code}"),
        stats.tables,
    )
    for fmt in ("text", "md", "csv"):
        output = render_stats(leaky, fmt).casefold()
        assert any(value.casefold() in output for value in forbidden)


# -- the exact check ---------------------------------------------------------------------


@dataclass
class Published:
    """Entries as published, their true values, and the sums that tie them together."""

    threshold: int
    true: list[int] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    #: (the entries that add up, the entry they add up to)
    sums: list[tuple[list[int], int]] = field(default_factory=list)

    def add(self, value: int, text: str) -> int:
        self.true.append(value)
        self.shown.append(text)
        return len(self.true) - 1

    def domains(self) -> list[tuple[int, int]]:
        """What a reader knows of each entry. 'x' is capped far above any true value."""
        t = self.threshold
        cap = sum(self.true) + 2 * t
        out = []
        for value, text in zip(self.true, self.shown, strict=True):
            if text == f"<{t}":
                assert 1 <= value < t, (value, text)
                out.append((1, t - 1))
            elif text == HIDDEN:
                assert value >= t, (value, text)
                out.append((t, cap))
            elif text == WITHHELD:
                out.append((0, cap))
            else:
                assert int(text) == value, (value, text)
                assert value == 0 or value >= t, f"a small count {value} is shown"
                out.append((value, value))
        return out


def _narrow(doms: list[tuple[int, int]], sums: Sequence[tuple[list[int], int]]) -> bool:
    """Tighten every entry's range from every sum; False if something cannot fit."""
    changed = True
    while changed:
        changed = False
        for parts, total in sums:
            low = sum(doms[p][0] for p in parts)
            high = sum(doms[p][1] for p in parts)
            t_low, t_high = max(doms[total][0], low), min(doms[total][1], high)
            if t_low > t_high:
                return False
            if (t_low, t_high) != doms[total]:
                doms[total] = (t_low, t_high)
                changed = True
            for p in parts:
                others_low = low - doms[p][0]
                others_high = high - doms[p][1]
                p_low = max(doms[p][0], t_low - others_high)
                p_high = min(doms[p][1], t_high - others_low)
                if p_low > p_high:
                    return False
                if (p_low, p_high) != doms[p]:
                    low += p_low - doms[p][0]
                    high += p_high - doms[p][1]
                    doms[p] = (p_low, p_high)
                    changed = True
    return True


def fits(
    doms: list[tuple[int, int]],
    sums: Sequence[tuple[list[int], int]],
    guide: Sequence[int] = (),
) -> bool:
    """Whether whole numbers within ``doms`` satisfy every sum (an exhaustive search).

    ``guide`` only orders the search (nearest the true values first, where a second
    solution is most likely), so a yes comes quickly; a no still tries everything.
    """
    doms = list(doms)
    if not _narrow(doms, sums):
        return False
    open_ = [i for i, (lo, hi) in enumerate(doms) if lo < hi]
    if not open_:
        return all(sum(doms[p][0] for p in parts) == doms[total][0] for parts, total in sums)
    pick = min(open_, key=lambda i: doms[i][1] - doms[i][0])
    lo, hi = doms[pick]
    near = min(max(guide[pick], lo), hi) if guide else (lo + hi) // 2
    parts = [(near, near), (lo, near - 1), (near + 1, hi)]
    return any(fits(with_range(doms, pick, a, b), sums, guide) for a, b in parts if a <= b)


def with_range(doms: list[tuple[int, int]], i: int, lo: int, hi: int) -> list[tuple[int, int]]:
    return [*doms[:i], (lo, hi), *doms[i + 1 :]]


def worked_out(published: Published) -> list[int]:
    """The hidden entries whose value is the only one that fits what is published."""
    doms = published.domains()
    exact = [(v, v) for v in published.true]
    assert fits(exact, published.sums), "the true values do not add up"
    found = []
    for i in range(len(published.shown)):
        if doms[i][0] == doms[i][1]:
            continue  # shown
        value = published.true[i]
        lo, hi = doms[i]
        sums, guide = published.sums, published.true
        below = lo < value and fits(with_range(doms, i, lo, value - 1), sums, guide)
        above = value < hi and fits(with_range(doms, i, value + 1, hi), sums, guide)
        if not (below or above):
            found.append(i)
    return found


def grid_published(
    body: Sequence[Sequence[int]],
    marks: Sequence[Sequence[Mark]],
    threshold: int,
    into: Published | None = None,
    shared_bottom: list[int] | None = None,
) -> tuple[Published, list[int]]:
    """A grid with its totals as entries and sums; returns the bottom row's entries."""
    from casetui.core.stats import shown

    p = into or Published(threshold)
    width = len(body[0]) if body else len(marks[-1]) - 1
    values = [[*row, sum(row)] for row in body]
    columns = [sum(row[j] for row in body) for j in range(width)]
    values.append([*columns, sum(columns)])
    ids = []
    for r, row in enumerate(values):
        if r == len(values) - 1 and shared_bottom is not None:
            ids.append(shared_bottom)
            continue
        ids.append([p.add(v, shown(v, m, threshold)) for v, m in zip(row, marks[r], strict=True)])
    for row_ids in ids:
        p.sums.append((row_ids[:-1], row_ids[-1]))
    for j in range(width + 1):
        p.sums.append(([ids[r][j] for r in range(len(body))], ids[-1][j]))
    return p, ids[-1]


def test_the_check_finds_a_lone_small_count_in_a_row() -> None:
    body = [[3, 9], [8, 7]]
    marks = [[Mark.SMALL, Mark.SHOWN, Mark.SHOWN], [Mark.SHOWN] * 3, [Mark.SHOWN] * 3]
    published, _ = grid_published(body, marks, 5)
    assert worked_out(published) == [0]


def test_the_check_finds_a_count_given_away_by_its_bounds() -> None:
    # 1 and 5 in one row whose total, 6, is shown: 'x' means 5 or more, so it is 5.
    body = [[1, 5]]
    marks = [[Mark.SMALL, Mark.HIDDEN, Mark.SHOWN], [Mark.SMALL, Mark.HIDDEN, Mark.SHOWN]]
    published, _ = grid_published(body, marks, 5)
    assert set(worked_out(published)) >= {0, 1}
    safe = suppress_grid(body, 5)
    assert safe is not None
    assert not worked_out(grid_published(body, safe, 5)[0])


def test_a_small_count_is_suppressed_with_a_complement_in_its_row_and_column() -> None:
    body = [[3, 9, 12], [8, 7, 10], [11, 6, 9]]
    marks = suppress_grid(body, 5)
    assert marks is not None
    assert marks[0][0] is Mark.SMALL
    assert sum(m is not Mark.SHOWN for m in marks[0]) >= 2
    assert sum(marks[r][0] is not Mark.SHOWN for r in range(4)) >= 2
    assert not worked_out(grid_published(body, marks, 5)[0])


def test_zeros_are_shown_and_a_small_total_is_suppressed() -> None:
    body = [[0, 2], [0, 0]]
    marks = suppress_grid(body, 5)
    assert marks is not None
    assert marks[0][0] is Mark.SHOWN and marks[1][1] is Mark.SHOWN
    assert marks[0][1] is Mark.SMALL
    assert marks[0][2] is Mark.SMALL  # the row's total is 2 as well
    assert marks[2][2] is Mark.SMALL  # and so is the grand total
    assert not worked_out(grid_published(body, marks, 5)[0])


def test_small_counts_that_can_only_add_up_one_way_are_withheld() -> None:
    # Three counts of 1 to 3 adding up to a total of 1 to 3 can only be three 1s.
    body = [[1], [1], [1]]
    marks = suppress_grid(body, 4)
    assert marks is not None
    assert any(m is Mark.WITHHELD for row in marks for m in row)
    assert not worked_out(grid_published(body, marks, 4)[0])
    # At a threshold of 5 the same counts could be 1, 1 and 2, so '<5' is enough.
    marks = suppress_grid(body, 5)
    assert marks is not None
    assert {m for row in marks for m in row} == {Mark.SMALL}


small_counts = st.integers(0, 20) | st.integers(0, 6)
shapes = st.tuples(st.integers(1, 5), st.integers(1, 5))


@st.composite
def grids(draw: st.DrawFn) -> list[list[int]]:
    rows, cols = draw(shapes)
    return [[draw(small_counts) for _ in range(cols)] for _ in range(rows)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(), st.integers(3, 6))
def test_no_hidden_count_in_a_random_table_can_be_worked_out(
    body: list[list[int]], threshold: int
) -> None:
    marks = suppress_grid(body, threshold)
    assert marks is not None
    published, _ = grid_published(body, marks, threshold)
    assert not worked_out(published), (body, marks)


@settings(max_examples=200, deadline=None)
@given(st.lists(small_counts, min_size=1, max_size=8), st.integers(3, 6))
def test_no_hidden_count_in_a_random_column_can_be_worked_out(
    cells: list[int], threshold: int
) -> None:
    marks = suppress_column(cells, threshold)
    assert marks is not None
    published = Published(threshold)
    from casetui.core.stats import shown

    ids = [
        published.add(v, shown(v, m, threshold))
        for v, m in zip([*cells, sum(cells)], marks, strict=True)
    ]
    published.sums.append((ids[:-1], ids[-1]))
    assert not worked_out(published), (cells, marks)


@st.composite
def linked_grids(draw: st.DrawFn) -> tuple[list[list[int]], list[list[int]]]:
    """Two tables of the same items over the same columns, such as needs by domain and horizon."""
    rows_a, rows_b = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    cols = draw(st.integers(1, 4))
    a = [[0] * cols for _ in range(rows_a)]
    b = [[0] * cols for _ in range(rows_b)]
    for _ in range(draw(st.integers(0, 40))):
        ra, rb, c = (
            draw(st.integers(0, rows_a - 1)),
            draw(st.integers(0, rows_b - 1)),
            draw(st.integers(0, cols - 1)),
        )
        a[ra][c] += 1
        b[rb][c] += 1
    return a, b


def linked_published(
    a: list[list[int]], b: list[list[int]], marks: tuple[list[list[Mark]], list[list[Mark]]], t: int
) -> Published:
    assert marks[0][-1] == marks[1][-1], "a shared total is shown differently in each table"
    published, bottom = grid_published(a, marks[0], t)
    grid_published(b, marks[1], t, into=published, shared_bottom=bottom)
    return published


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_grids(), st.integers(3, 6))
def test_two_linked_tables_cannot_be_played_against_each_other(
    pair: tuple[list[list[int]], list[list[int]]], threshold: int
) -> None:
    a, b = pair
    marks = suppress_linked(a, b, threshold)
    assert marks is not None
    assert not worked_out(linked_published(a, b, marks, threshold)), (a, b, marks)


def test_linked_tables_checked_one_at_a_time_can_leak() -> None:
    """Why the needs tables are protected together: each alone is safe, the pair is not."""
    a = [[5, 6], [3, 4]]
    b = [[8, 10]]
    alone = (suppress_grid(a, 5), suppress_grid(b, 5))
    assert alone[0] is not None and alone[1] is not None
    # a alone hides its column totals, 8 and 10; b alone has no small count and shows them.
    assert alone[0][-1][:2] == [Mark.HIDDEN, Mark.HIDDEN]
    assert alone[1][-1] == [Mark.SHOWN] * 3
    mixed = ([*alone[0][:-1], alone[1][-1]], alone[1])
    assert worked_out(linked_published(a, b, mixed, 5))
    together = suppress_linked(a, b, 5)
    assert together is not None
    assert not worked_out(linked_published(a, b, together, 5))


# -- random caseloads through funder_stats --------------------------------------------------


SERVICES = (ServiceKind.SHELTER, ServiceKind.MEDICAL, ServiceKind.LEGAL_AID)


@st.composite
def caseloads(draw: st.DrawFn) -> Tables:
    records: list[Record] = []
    for _ in range(draw(st.integers(0, 18))):
        who = client(START + timedelta(days=draw(st.integers(-60, 40))))
        records.append(who)
        for _ in range(draw(st.integers(0, 3))):
            records.append(
                meeting(
                    who,
                    START + timedelta(days=draw(st.integers(-5, 33))),
                    kind=draw(st.sampled_from(MeetingKind)),
                    duration_minutes=draw(st.integers(1, 240)),
                )
            )
        for _ in range(draw(st.integers(0, 4))):
            records.append(
                need(
                    who,
                    draw(st.sampled_from(Domain)),
                    draw(st.sampled_from(Horizon)),
                    draw(st.sampled_from(NeedStatus)),
                )
            )
        for _ in range(draw(st.integers(0, 2))):
            service = draw(st.sampled_from(SERVICES))
            later = draw(st.lists(st.sampled_from(ReferralStatus), max_size=2))
            records.append(
                referral(who, START + timedelta(days=draw(st.integers(-5, 30))), service, *later)
            )
    return tables_of(*records)


def table_published(table: StatsTable, exact: Sequence[Sequence[int]], t: int) -> Published:
    """Entries and sums as a reader sees them in one published table."""
    p = Published(t)
    counted = [j for j, col in enumerate(table.columns) if col != "Hours"]
    has_total_column = table.columns[-1] == TOTAL
    body = [[*row, sum(row)] if has_total_column else list(row) for row in exact]
    bottom = [sum(row[j] for row in body) for j in range(len(counted))]
    values = [*body, bottom]
    assert [label for label, _ in table.rows][-1] == TOTAL
    ids = [
        [p.add(values[r][k], cells[j]) for k, j in enumerate(counted)]
        for r, (_label, cells) in enumerate(table.rows)
    ]
    if has_total_column:
        p.sums += [(row[:-1], row[-1]) for row in ids]
    for k in range(len(counted)):
        p.sums.append(([ids[r][k] for r in range(len(exact))], ids[-1][k]))
    return p


def shown_counts(stats: FunderStats) -> Iterator[str]:
    for table in stats.tables:
        if table.key == "staff_time":
            continue
        for _label, cells in table.rows:
            for col, cell in zip(table.columns, cells, strict=True):
                if col != "Hours":
                    yield cell


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(caseloads(), st.integers(3, 6))
def test_random_caseloads_publish_no_small_or_recoverable_count(
    tables: Tables, threshold: int
) -> None:
    stats = funder_stats(tables, START, END, threshold)
    small = f"<{threshold}"
    for cell in shown_counts(stats):
        assert cell in (small, HIDDEN, WITHHELD) or int(cell) == 0 or int(cell) >= threshold
    exact = tally(tables, START, END)
    by_key: Mapping[str, Any] = {
        "clients": exact.clients,
        "referrals": exact.referrals,
        "meetings": exact.meetings,
    }
    for key, counts in by_key.items():
        table = stats.table(key)
        if table.withheld:
            continue
        published = table_published(table, counts.counts, threshold)
        assert not worked_out(published), (key, table.rows)
    domain, horizon = stats.table("needs_by_domain"), stats.table("needs_by_horizon")
    if domain.withheld:
        assert horizon.withheld
        return
    assert domain.rows[-1] == (TOTAL, horizon.rows[-1][1])
    first = table_published(domain, exact.needs_by_domain.counts, threshold)
    second = table_published(horizon, exact.needs_by_horizon.counts, threshold)
    # Join them: the second table's total row is the first's.
    offset = len(first.true)
    width = len(domain.columns)
    bottom_first = list(range(len(first.true) - width, len(first.true)))
    bottom_second = list(range(len(second.true) - width, len(second.true)))
    remap = {b + offset: a for a, b in zip(bottom_first, bottom_second, strict=True)}
    joined = Published(threshold, list(first.true), list(first.shown), list(first.sums))
    for value, text in zip(second.true, second.shown, strict=True):
        joined.add(value, text)
    for parts, total in second.sums:
        joined.sums.append(
            (
                [remap.get(p + offset, p + offset) for p in parts],
                remap.get(total + offset, total + offset),
            )
        )
    assert not worked_out(joined), (domain.rows, horizon.rows)
