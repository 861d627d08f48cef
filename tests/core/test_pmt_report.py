"""The PMT's quarterly figures (core/stats/pmt_report.py): who is counted, when and where.

Most tests build a few records in memory; the last ones read the fictional sample
caseload, whose figures for one quarter were worked out by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest

from casetui.core.choices import (
    FundingProgram,
    LegalKind,
    LegalStatus,
    MeetingKind,
    ReferralStatus,
    Relationship,
    ServiceKind,
)
from casetui.core.fields import StatusChange
from casetui.core.funder_catalog import SERVICE_BY_CODE, CatalogError, catalog_from
from casetui.core.funder_records import FundingSource, HouseholdMember, ServiceRecord
from casetui.core.private_records import LegalMatter
from casetui.core.record_tables import RECORD_TYPES
from casetui.core.records import Client, Meeting, Record, Referral
from casetui.core.stats.pmt_render import render_pmt
from casetui.core.stats.pmt_report import (
    FundingNotFound,
    PmtReport,
    federal_quarter,
    find_funding,
    last_ended_quarter,
    pmt_report,
)
from casetui.core.stats.service_events import DEFAULT_MAP, ServiceMapError, service_map
from tests.conftest import VaultFiles

Tables = dict[str, list[Record]]

# FFY2026 Q4 (July to September 2026), and the quarters either side of 1 October.
Q4_START, Q4_END = date(2026, 7, 1), date(2026, 9, 30)
Q1_START, Q1_END = date(2026, 10, 1), date(2026, 12, 31)
Q2_START, Q2_END = date(2027, 1, 1), date(2027, 3, 31)

SERVED = "Individuals who received services"
CLIENTS = "  of them, clients (primary victims)"
SECONDARY = "  of them, secondary victims (household members also harmed)"
NEW = "New individuals who received services for the first time this year"
PEOPLE = "Individuals who received services in this category"
SEVERAL = "Individuals with more than one type of victimization"
VC = "Individuals assisted with a victim compensation application"


def tables_of(*records: Record) -> Tables:
    out: Tables = {cls.TABLE: [] for cls in RECORD_TYPES}
    for record in records:
        out[record.TABLE].append(record)
    return out


def client(intake: date = date(2026, 1, 5), **values: Any) -> Client:
    values.setdefault("preferred_name", "Someone")
    values.setdefault("case_manager_id", "st_a")
    return Client.create(intake_date=intake, **values)


def meeting(who: Client, on: date, kind: MeetingKind = MeetingKind.CHECK_IN) -> Meeting:
    return Meeting.create(client_id=who.id, on=on, kind=kind)


def given(who: Client, on: date, code: str, times: int = 1, *funding: FundingSource) -> Record:
    return ServiceRecord.create(
        client_id=who.id,
        on=on,
        service=code,
        times=times,
        funding_source_ids=tuple(s.id for s in funding),
    )


def referral(
    who: Client,
    made: date,
    service: ServiceKind,
    attended: date | None = None,
    *,
    accompaniment: bool = False,
    transport: bool = False,
) -> Referral:
    history = [StatusChange(made, ReferralStatus.REFERRED)]
    if attended is not None:
        history.append(StatusChange(attended, ReferralStatus.ATTENDING))
    return Referral.create(
        client_id=who.id,
        partner_id="pa_partner",
        service=service,
        accompaniment=accompaniment,
        transport=transport,
        status=history[-1].status,
        history=tuple(history),
    )


def legal(who: Client, on: date, kind: LegalKind, status: LegalStatus) -> LegalMatter:
    return LegalMatter.create(client_id=who.id, on=on, kind=kind, status=status)


def member(who: Client, *, harmed: bool, served: bool, **values: Any) -> HouseholdMember:
    values.setdefault("relationship", Relationship.CHILD)
    return HouseholdMember.create(client_id=who.id, harmed=harmed, served=served, **values)


def source(name: str, program: FundingProgram = FundingProgram.VOCA) -> FundingSource:
    return FundingSource.create(name=name, program=program)


def report(
    tables: Mapping[str, Sequence[Record]],
    start: date = Q4_START,
    end: date = Q4_END,
    changes: Mapping[str, str] | None = None,
    **more: Any,
) -> PmtReport:
    return pmt_report(tables, start, end, services_map=service_map(changes), **more)


def _label(code: str) -> str:
    """A service's row in the report, after its code: the PMT's own wording."""
    return SERVICE_BY_CODE[code].label


def figures(result: PmtReport) -> dict[str, dict[str, int]]:
    """Every row of every section (and the data quality), by section key and label."""
    return {
        s.key: {row.label: row.count for row in s.rows} for s in (*result.sections, *result.quality)
    }


def nonzero(result: PmtReport) -> dict[str, dict[str, int]]:
    out = {}
    for key, rows in figures(result).items():
        if kept := {label: n for label, n in rows.items() if n}:
            out[key] = kept
    return out


# -- the federal year and its quarters --------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2026, 10, 1), "FFY2027 Q1", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2026, 12, 31), "FFY2027 Q1", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), "FFY2027 Q2", date(2027, 1, 1), date(2027, 3, 31)),
        (date(2027, 5, 20), "FFY2027 Q3", date(2027, 4, 1), date(2027, 6, 30)),
        (date(2026, 9, 30), "FFY2026 Q4", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2024, 2, 29), "FFY2024 Q2", date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_federal_quarters_start_on_1_october(day: date, label: str, start: date, end: date) -> None:
    quarter = federal_quarter(day)
    assert (quarter.label, quarter.start, quarter.end) == (label, start, end)


def test_the_quarter_to_file_is_the_last_one_that_ended() -> None:
    assert last_ended_quarter(date(2026, 11, 16)).label == "FFY2026 Q4"
    assert last_ended_quarter(date(2026, 10, 1)).label == "FFY2026 Q4"
    assert last_ended_quarter(date(2026, 9, 30)).label == "FFY2026 Q3"


# -- new and continuing -----------------------------------------------------------------


def test_served_in_september_and_october_is_new_in_both_federal_years() -> None:
    who = client(date(2026, 9, 1))
    tables = tables_of(who, meeting(who, date(2026, 9, 20)), meeting(who, date(2026, 10, 5)))
    september = report(tables, Q4_START, Q4_END)
    october = report(tables, Q1_START, Q1_END)
    for result in (september, october):
        assert result.count("served", CLIENTS) == 1
        assert result.count("served", NEW) == 1


def test_served_twice_in_one_quarter_is_counted_once() -> None:
    who = client(date(2026, 7, 1))
    tables = tables_of(who, meeting(who, date(2026, 7, 6)), meeting(who, date(2026, 8, 17)))
    result = report(tables)
    assert result.count("served", SERVED) == 1
    assert result.count("served", NEW) == 1
    assert result.count("services_B", PEOPLE) == 1
    assert result.count("services_B", "B4. " + _label("B4")) == 2


def test_served_in_q1_and_q2_of_one_year_is_new_in_q1_only() -> None:
    who = client(date(2026, 10, 1))
    tables = tables_of(who, meeting(who, date(2026, 11, 2)), meeting(who, date(2027, 2, 8)))
    first, second = report(tables, Q1_START, Q1_END), report(tables, Q2_START, Q2_END)
    assert (first.count("served", CLIENTS), first.count("served", NEW)) == (1, 1)
    assert (second.count("served", CLIENTS), second.count("served", NEW)) == (1, 0)


def test_a_client_not_served_in_the_quarter_is_not_counted() -> None:
    who = client(date(2026, 1, 5))
    tables = tables_of(who, meeting(who, date(2026, 3, 2)))
    assert nonzero(report(tables)) == {}


# -- unduplicated counts ----------------------------------------------------------------


def test_one_person_is_counted_once_per_category_and_every_time_per_service() -> None:
    who = client(
        date(2026, 7, 1),
        victimization_types=("domestic_family_violence", "stalking_harassment", "trafficking_sex"),
    )
    tables = tables_of(
        who,
        meeting(who, date(2026, 7, 1), MeetingKind.SCHEDULED),
        meeting(who, date(2026, 7, 15)),
        meeting(who, date(2026, 8, 3), MeetingKind.PHONE_VIDEO),
        meeting(who, date(2026, 8, 4), MeetingKind.CRISIS),
        given(who, date(2026, 7, 1), "A2"),
        given(who, date(2026, 8, 10), "B9", 2),
        referral(
            who,
            date(2026, 7, 20),
            ServiceKind.MEDICAL,
            date(2026, 7, 27),
            accompaniment=True,
            transport=True,
        ),
    )
    rows = nonzero(report(tables))
    assert rows["served"] == {SERVED: 1, CLIENTS: 1, NEW: 1}
    assert rows["victimization"] == {
        "Domestic and/or Family Violence": 1,
        "Stalking/Harassment": 1,
        "Human Trafficking: Sex": 1,
        SEVERAL: 1,
    }
    assert rows["services_A"] == {PEOPLE: 1, "A2. " + _label("A2"): 1, "A4. " + _label("A4"): 1}
    assert rows["services_B"] == {
        PEOPLE: 1,
        "B1. " + _label("B1"): 1,
        "B4. " + _label("B4"): 3,
        "B9. " + _label("B9"): 3,  # two recorded on their own, one with the referral
    }
    assert rows["services_C"] == {PEOPLE: 1, "C1. " + _label("C1"): 1}
    assert "services_D" not in rows and "services_E" not in rows


def test_people_are_summed_over_clients_and_times_over_services() -> None:
    one, two = client(), client()
    tables = tables_of(
        one,
        two,
        given(one, date(2026, 7, 9), "D1", 14),
        given(two, date(2026, 9, 1), "D1", 3),
        given(two, date(2026, 9, 2), "D3"),
    )
    rows = nonzero(report(tables))
    assert rows["services_D"] == {
        PEOPLE: 2,
        "D1. " + _label("D1"): 17,
        "D3. " + _label("D3"): 1,
    }
    assert rows["served"][CLIENTS] == 2


# -- the category map -------------------------------------------------------------------


def test_the_default_map_counts_each_kind_of_work_as_the_readme_says() -> None:
    assert DEFAULT_MAP["meeting.crisis"] == "C1"
    assert {DEFAULT_MAP[f"meeting.{k.value}"] for k in MeetingKind if k.value != "crisis"} == {"B4"}
    assert DEFAULT_MAP["referral.shelter"] == "A3"
    assert DEFAULT_MAP["referral.support_group"] == "A3"
    assert DEFAULT_MAP["referral.court_advocacy"] == "A3"
    assert DEFAULT_MAP["referral.medical"] == "A4"
    assert DEFAULT_MAP["accompaniment.medical"] == "B1"
    assert DEFAULT_MAP["accompaniment.law_enforcement"] == "B3"
    assert DEFAULT_MAP["accompaniment.education"] == "B4"
    assert DEFAULT_MAP["transport"] == "B9"
    assert DEFAULT_MAP["legal.protective_order"] == "E4"
    assert DEFAULT_MAP["legal.court_date"] == "E10"
    assert DEFAULT_MAP["legal.victim_compensation"] == "VC"
    assert service_map() == DEFAULT_MAP


def test_legal_matters_count_once_given_not_while_considered_or_withdrawn() -> None:
    who, other = client(), client()
    tables = tables_of(
        who,
        other,
        legal(who, date(2026, 8, 3), LegalKind.VICTIM_COMPENSATION, LegalStatus.FILED),
        legal(who, date(2026, 8, 20), LegalKind.PROTECTIVE_ORDER, LegalStatus.GRANTED),
        legal(other, date(2026, 8, 4), LegalKind.VICTIM_COMPENSATION, LegalStatus.CONSIDERING),
        legal(other, date(2026, 8, 5), LegalKind.PROTECTIVE_ORDER, LegalStatus.WITHDRAWN),
    )
    rows = nonzero(report(tables))
    assert rows["compensation"] == {VC: 1}
    assert rows["services_E"] == {PEOPLE: 1, "E4. " + _label("E4"): 1}
    assert rows["served"][CLIENTS] == 1


def test_a_changed_map_moves_a_service_and_an_empty_code_stops_counting_it() -> None:
    crisis, quiet = client(), client()
    tables = tables_of(
        crisis,
        quiet,
        meeting(crisis, date(2026, 8, 3), MeetingKind.CRISIS),
        meeting(quiet, date(2026, 8, 4), MeetingKind.CHECK_IN),
        referral(quiet, date(2026, 8, 5), ServiceKind.SHELTER),
    )
    default = nonzero(report(tables))
    assert default["services_C"] == {PEOPLE: 1, "C1. " + _label("C1"): 1}
    changed = nonzero(
        report(
            tables, changes={"meeting.crisis": "C2", "meeting.check_in": "", "referral.shelter": ""}
        )
    )
    assert changed["services_C"] == {PEOPLE: 1, "C2. " + _label("C2"): 1}
    assert "services_A" not in changed and "services_B" not in changed
    # With nothing counted, the quiet client was not served at all.
    assert changed["served"] == {SERVED: 1, CLIENTS: 1, NEW: 1}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"meeting.coffee": "B4"}, "not a kind of work casetui counts"),
        ({"meeting.crisis": "Z9"}, "is not a service code"),
        ({"transport": "b9"}, "is not a service code"),
        ({"legal.court_date": "E12"}, "is not a service code"),
    ],
)
def test_a_bad_map_entry_is_refused_in_one_sentence(changes: dict[str, str], words: str) -> None:
    with pytest.raises(ServiceMapError, match=words):
        service_map(changes)


def test_a_map_entry_may_name_the_compensation_line() -> None:
    assert service_map({"legal.court_date": "VC"})["legal.court_date"] == "VC"


# -- funding sources --------------------------------------------------------------------


def test_funding_filters_by_client_tag_and_a_service_tag_overrides_it() -> None:
    voca, state = source("VOCA 2026"), source("State Grant", FundingProgram.STATE)
    under_voca = client(funding_source_ids=(voca.id,))
    under_state = client(funding_source_ids=(state.id,))
    untagged = client()
    both = client(funding_source_ids=(voca.id,))
    tables = tables_of(
        voca,
        state,
        under_voca,
        under_state,
        untagged,
        both,
        meeting(under_voca, date(2026, 8, 3)),
        meeting(under_state, date(2026, 8, 4)),
        meeting(untagged, date(2026, 8, 5)),
        meeting(both, date(2026, 8, 6)),
        given(both, date(2026, 8, 7), "C7", 1, state),
    )
    everyone = report(tables)
    by_voca = report(tables, funding=voca)
    by_state = report(tables, funding=state)
    assert everyone.count("served", CLIENTS) == 4
    assert by_voca.count("served", CLIENTS) == 2  # under_voca and both, by their meetings
    assert by_state.count("served", CLIENTS) == 2  # under_state, and both by the C7 alone
    assert by_voca.count("services_C", PEOPLE) == 0
    assert by_state.count("services_C", "C7. " + _label("C7")) == 1
    assert by_state.count("services_B", "B4. " + _label("B4")) == 1
    assert everyone.count("services_B", "B4. " + _label("B4")) == 4
    assert (by_voca.funding, by_state.funding, everyone.funding) == (
        "VOCA 2026",
        "State Grant",
        "all funding sources",
    )


def test_a_service_tagged_with_another_grant_is_not_counted_under_the_clients() -> None:
    voca, fund = source("VOCA 2026"), source("Foundation", FundingProgram.PRIVATE)
    who = client(funding_source_ids=(voca.id,))
    tables = tables_of(voca, fund, who, given(who, date(2026, 8, 7), "C7", 1, fund))
    assert report(tables, funding=voca).count("served", CLIENTS) == 0
    assert report(tables, funding=fund).count("served", CLIENTS) == 1


def test_funding_is_found_by_name_or_the_start_of_one() -> None:
    sources = [source("VOCA 2026"), source("VOCA 2027"), source("State Grant")]
    assert find_funding(sources, "voca 2026") is sources[0]
    assert find_funding(sources, "  STATE ") is sources[2]
    for name, words in (("voca", "matches several"), ("county", "matches none"), ("", "none")):
        with pytest.raises(FundingNotFound, match=words):
            find_funding(sources, name)


# -- secondary victims ------------------------------------------------------------------


def test_household_members_harmed_and_served_count_with_a_client_served() -> None:
    served, away = client(), client()
    tables = tables_of(
        served,
        away,
        meeting(served, date(2026, 8, 3)),
        meeting(away, date(2026, 3, 2)),
        member(served, harmed=True, served=True),
        member(served, harmed=True, served=True, relationship=Relationship.PARTNER),
        member(served, harmed=True, served=False),
        member(served, harmed=False, served=True),
        member(served, harmed=False, served=False),
        member(away, harmed=True, served=True),
    )
    rows = figures(report(tables))["served"]
    assert rows == {SERVED: 3, CLIENTS: 1, SECONDARY: 2, NEW: 1}


def test_secondary_victims_follow_the_funding_source_of_their_client() -> None:
    voca = source("VOCA 2026")
    tagged, untagged = client(funding_source_ids=(voca.id,)), client()
    tables = tables_of(
        voca,
        tagged,
        untagged,
        meeting(tagged, date(2026, 8, 3)),
        meeting(untagged, date(2026, 8, 3)),
        member(tagged, harmed=True, served=True),
        member(untagged, harmed=True, served=True),
    )
    assert report(tables).count("served", SECONDARY) == 2
    assert report(tables, funding=voca).count("served", SECONDARY) == 1


# -- demographics and data quality ------------------------------------------------------


def test_demographics_are_of_new_clients_and_not_reported_covers_every_non_answer() -> None:
    several = client(
        date(2026, 7, 1),
        race_ethnicity=("asian", "white"),
        gender_identity="woman",
        age_group="age_18_24",
    )
    empty = client(date(2026, 7, 1))
    unknown = client(
        date(2026, 7, 1),
        race_ethnicity=("not_reported",),
        gender_identity="not_reported",
        age_group="not_reported",
    )
    declined = client(
        date(2026, 7, 1),
        race_ethnicity=("declined",),
        gender_identity="declined",
        age_group="declined",
        victimization_types=("declined",),
        special_classifications=("declined",),
    )
    continuing = client(
        date(2026, 2, 1),
        race_ethnicity=("black_african_american",),
        gender_identity="man",
        age_group="age_60_up",
        victimization_types=("trafficking_labor",),
        special_classifications=("veteran",),
    )
    everyone = (several, empty, unknown, declined, continuing)
    tables = tables_of(
        *everyone,
        meeting(continuing, date(2026, 2, 2)),
        *(meeting(c, date(2026, 8, 3)) for c in everyone),
    )
    result = report(tables)
    rows = nonzero(result)
    assert rows["served"] == {SERVED: 5, CLIENTS: 5, NEW: 4}
    assert rows["demographics"] == {
        "Race/Ethnicity: Multiple Races": 1,
        "Race/Ethnicity: Not Reported": 3,
        "Gender Identity: Female": 1,
        "Gender Identity: Not Reported": 3,
        "Age: 18-24": 1,
        "Age: Not Reported": 3,
    }
    # Each part of the demographics adds up to the new individuals.
    demographics = figures(result)["demographics"]
    for part in ("Race/Ethnicity: ", "Gender Identity: ", "Age: "):
        assert sum(n for label, n in demographics.items() if label.startswith(part)) == 4
    # Victimization and classifications are of everyone served, continuing included.
    assert rows["victimization"] == {"Human Trafficking: Labor": 1, "Not Reported": 4}
    assert rows["classifications"] == {"Veterans": 1}
    assert rows["quality"] == {
        "Types of victimization: not asked yet or not known": 3,
        "Types of victimization: declined to answer": 1,
        "Age: not asked yet or not known": 2,
        "Age: declined to answer": 1,
        "Gender Identity: not asked yet or not known": 2,
        "Gender Identity: declined to answer": 1,
        "Race/Ethnicity: not asked yet or not known": 2,
        "Race/Ethnicity: declined to answer": 1,
        "Special classifications of individuals: not asked yet or not known": 3,
        "Special classifications of individuals: declined to answer": 1,
    }


def test_none_of_these_is_not_a_classification_and_each_classification_is_counted() -> None:
    one = client(special_classifications=("limited_english", "immigrant_refugee_asylum"))
    two = client(special_classifications=("none",))
    three = client(special_classifications=("limited_english",))
    tables = tables_of(one, two, three, *(meeting(c, date(2026, 8, 3)) for c in (one, two, three)))
    assert nonzero(report(tables))["classifications"] == {
        "Immigrants/Refugees/Asylum Seekers": 1,
        "Victims with Limited English Proficiency": 2,
    }


def test_a_choice_the_list_does_not_know_is_shown_in_the_data_quality() -> None:
    who = client(date(2026, 7, 1), race_ethnicity=("martian",))
    tables = tables_of(who, meeting(who, date(2026, 8, 3)))
    result = report(tables)
    assert result.count("demographics", "Race/Ethnicity: Not Reported") == 1
    assert result.count("quality", "Race/Ethnicity: a choice this list does not know") == 1
    labels = {r.label for r in result.section("quality").rows}
    assert "Age: a choice this list does not know" not in labels


def test_codes_the_list_does_not_know_are_not_counted_as_types_or_classifications() -> None:
    who = client(
        date(2026, 7, 1),
        victimization_types=("arson", "moon_dust"),
        special_classifications=("veteran", "martian"),
    )
    result = report(tables_of(who, meeting(who, date(2026, 8, 3))))
    rows = {r.label: r.count for r in result.section("victimization").rows}
    assert rows["Arson"] == 1
    assert rows["Individuals with more than one type of victimization"] == 0
    classes = {r.label: r.count for r in result.section("classifications").rows}
    assert classes["Veterans"] == 1
    assert sum(classes.values()) == 1
    quality = {r.label: r.count for r in result.section("quality").rows}
    assert quality["Types of victimization: a choice this list does not know"] == 1


def test_a_states_own_list_renames_rows_and_keeps_the_codes() -> None:
    catalog = catalog_from(
        {
            "gender_identity": [
                {"code": "woman", "label": "Woman", "report": "Female (state wording)"},
                {"code": "man", "label": "Man", "report": "Male (state wording)"},
            ]
        }
    )
    who = client(date(2026, 7, 1), gender_identity="woman")
    tables = tables_of(who, meeting(who, date(2026, 8, 3)))
    result = pmt_report(
        tables, date(2026, 7, 1), date(2026, 9, 30), services_map=service_map(), catalog=catalog
    )
    assert result.count("demographics", "Gender Identity: Female (state wording)") == 1
    labels = {r.label for r in result.section("demographics").rows}
    assert "Gender Identity: Other" not in labels


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"colour": []}, "not one of the lists"),
        ({"age_group": []}, "non-empty list"),
        ({"age_group": [{"code": "Bad Code", "label": "x"}]}, "lower-case"),
        ({"age_group": [{"code": "declined", "label": "x"}]}, "reserved"),
        ({"age_group": [{"code": "a", "label": ""}]}, "1 to 200"),
    ],
)
def test_a_bad_state_list_is_refused_in_one_sentence(data: dict[str, Any], words: str) -> None:
    with pytest.raises(CatalogError, match=words):
        catalog_from(data)


# -- as of the period's end -------------------------------------------------------------


def test_work_dated_after_the_end_changes_nothing() -> None:
    old, new = client(date(2026, 2, 1)), client(date(2026, 10, 2))
    inside = [
        old,
        new,
        meeting(old, date(2026, 2, 2)),
        meeting(old, date(2026, 8, 3)),
        referral(old, date(2026, 9, 28), ServiceKind.MEDICAL),
        member(old, harmed=True, served=True),
    ]
    later = [
        meeting(old, date(2026, 10, 1), MeetingKind.CRISIS),
        meeting(new, date(2026, 10, 2)),
        given(old, date(2026, 10, 3), "D1", 5),
        given(new, date(2026, 10, 3), "A2"),
        legal(old, date(2026, 10, 5), LegalKind.VICTIM_COMPENSATION, LegalStatus.FILED),
        member(new, harmed=True, served=True),
    ]
    # Made in the quarter; the accompaniment and transport came in October.
    made = referral(old, date(2026, 9, 29), ServiceKind.LAW_ENFORCEMENT)
    went = referral(
        old,
        date(2026, 9, 29),
        ServiceKind.LAW_ENFORCEMENT,
        date(2026, 10, 6),
        accompaniment=True,
        transport=True,
    )
    before = report(tables_of(*inside, made))
    after = report(tables_of(*inside, went, *later))
    assert figures(after) == figures(before)
    assert nonzero(after)["served"] == {SERVED: 2, CLIENTS: 1, SECONDARY: 1}
    assert nonzero(after)["services_A"] == {PEOPLE: 1, "A4. " + _label("A4"): 2}
    assert {"services_D", "compensation", "services_C"}.isdisjoint(nonzero(after))
    assert nonzero(after)["services_B"] == {PEOPLE: 1, "B4. " + _label("B4"): 1}


def test_as_of_leaves_out_work_planned_later_in_a_quarter_not_over() -> None:
    who = client(date(2026, 10, 1))
    tables = tables_of(who, meeting(who, date(2026, 10, 5)), meeting(who, date(2026, 11, 20)))
    whole = report(tables, Q1_START, Q1_END)
    so_far = report(tables, Q1_START, Q1_END, as_of=date(2026, 11, 16))
    assert whole.count("services_B", "B4. " + _label("B4")) == 2
    assert so_far.count("services_B", "B4. " + _label("B4")) == 1
    assert so_far.count("served", NEW) == 1


# -- the sample caseload ----------------------------------------------------------------


#: Every row of FFY2026 Q4 for the sample caseload that is not zero (see the test below).
SAMPLE_Q4: dict[str, dict[str, int]] = {
    "served": {SERVED: 35, CLIENTS: 31, SECONDARY: 4, NEW: 7},
    "demographics": {
        "Race/Ethnicity: Asian": 1,
        "Race/Ethnicity: Black or African American": 2,
        "Race/Ethnicity: Multiple Races": 2,
        "Race/Ethnicity: Not Reported": 2,
        "Gender Identity: Female": 4,
        "Gender Identity: Male": 1,
        "Gender Identity: Other": 2,
        "Age: 18-24": 3,
        "Age: 25-59": 3,
        "Age: Not Reported": 1,
    },
    "victimization": {
        "Adult Sexual Assault": 5,
        "Domestic and/or Family Violence": 13,
        "Human Trafficking: Labor": 9,
        "Human Trafficking: Sex": 3,
        "Stalking/Harassment": 6,
        "Not Reported": 1,
        SEVERAL: 6,
    },
    "classifications": {
        "Homeless": 2,
        "Immigrants/Refugees/Asylum Seekers": 17,
        "LGBTQ": 3,
        "Victims with Disabilities: Cognitive/Physical/Mental": 1,
        "Victims with Limited English Proficiency": 14,
    },
    "compensation": {VC: 2},
    "services_A": {
        PEOPLE: 19,
        "A2. " + _label("A2"): 4,
        "A3. " + _label("A3"): 3,
        "A4. " + _label("A4"): 20,
    },
    "services_B": {
        PEOPLE: 31,
        "B3. " + _label("B3"): 1,
        "B4. " + _label("B4"): 147,
        "B9. " + _label("B9"): 3,
    },
    "services_C": {PEOPLE: 5, "C1. " + _label("C1"): 4, "C7. " + _label("C7"): 2},
    "services_D": {PEOPLE: 1, "D1. " + _label("D1"): 14},
    "services_E": {PEOPLE: 2, "E4. " + _label("E4"): 1, "E10. " + _label("E10"): 1},
    "quality": {
        "Age: not asked yet or not known": 1,
        "Race/Ethnicity: not asked yet or not known": 1,
        "Race/Ethnicity: declined to answer": 1,
        "Special classifications of individuals: not asked yet or not known": 1,
    },
}


def sample_tables(sample_files: VaultFiles) -> dict[str, Sequence[Record]]:
    with sample_files.open(writable=False) as vault:
        return dict(vault.records().tables)


def test_the_sample_caseload_in_ffy2026_q4_matches_the_figures_worked_out_by_hand(
    sample_files: VaultFiles,
) -> None:
    """FFY2026 Q4 (2026-07-01 to 2026-09-30) of sample_data/caseload.json.

    Worked out from caseload.json alone, with a short script that reads the JSON and
    applies the rules in the README ("Funders' reports"), not casetui's code: every
    meeting dated in the quarter (B4, or C1 for a crisis meeting), every referral on its
    "referred" step, an accompaniment or transport on its first "attending" or
    "completed" step, each legal matter not "considering" or "withdrawn" by its kind,
    and each record of "services" with its times.

    - Served: 31 of the 34 clients have something dated in the quarter. Not served:
      Ayesha (cl_sample033, closed in June), Maricel (021, first seen in October) and
      Esperanza (022, in November).
    - New: the 7 clients whose intake meeting is in the quarter and who had nothing
      earlier in FFY2026: Selam (009, 8 July), Parisa (018, 22 July), Sky (017, 4
      August), Wideline (010, 18 August), Yusuf (026, 26 August), Ji-woo (012, 15
      September) and Ana Lucía (020, 29 September).
    - Secondary victims, 4: household members harmed and served of Fatima (005),
      Olek (006), Wideline (010) and Marisol (014). Not counted: Amara's son and
      Fatima's youngest (not harmed), Wideline's older daughter (not served), and
      Esperanza's son (Esperanza was not served in the quarter).
    - Demographics of the 7 new: races Selam and Wideline Black, Ji-woo Asian, Sky
      (white and American Indian) and Ana Lucía (Latina and American Indian) Multiple
      Races, Parisa (not_reported) and Yusuf (declined) Not Reported; gender 4 women,
      Yusuf a man, Ji-woo and Sky another gender ("Other"); age 18-24 Selam, Sky and
      Ana Lucía, 25-59 Wideline, Parisa and Yusuf, and Ji-woo's not asked yet.
    - Victimization of the 31 served, each type once per person: domestic or family
      violence 13, labor trafficking 9, stalking 6, adult sexual assault 5, sex
      trafficking 3, and Dana (027, declined) Not Reported; 6 gave more than one type
      (Fatima, Selam, Ji-woo, Marisol, Jolene, Oksana). Classifications likewise,
      "none" never counted.
    - Victim compensation: Malik (023, filed 11 September) and Oksana (029, denied 24
      September); Tomás's (002, 16 October) is in the next quarter.
    - Services: B4 147 and C1 4 from the quarter's meetings (all 31 served had one,
      so B counts 31 people). C1: crisis meetings of Selam, Wideline, Dalisay and Sky;
      C7 2 (Marisol 12 August, Wideline 2 September), so C counts 5 people. A2 4
      (Parisa, Sky, Wideline, Ana Lucía); A3 3 (Aroha, Wideline and Rosa, referred to
      victim service programs) and A4 20 other referrals made, by 19 clients in all.
      B3 1 (Wideline's accompanied referral, 8 September); B9 3: Kwame's referral
      transport (1) and Hodan's bus tickets there and back (2). D1 14 nights for
      Selam. E4 Wideline's protective order (8 September), E10 Kwame's hearing (15
      September).
    - Data quality of the 7 new: Ji-woo's age and classifications not asked yet,
      Parisa's race not reported, Yusuf's race declined.
    """
    result = report(sample_tables(sample_files), Q4_START, Q4_END)
    assert nonzero(result) == SAMPLE_Q4
    for key, rows in figures(result).items():
        for label, count in rows.items():
            assert count == SAMPLE_Q4.get(key, {}).get(label, 0), (key, label)


@pytest.mark.parametrize(
    ("name", "served", "secondary", "new", "c7"),
    [
        # VOCA: 21 clients (not Kwame, Aroha, Ji-woo, Marisol, Jolene, Malik, Kai under
        # the state grant, nor Leilani, Dana, Soo-ah untagged); Wideline's C7 is the
        # foundation's, so not counted here.
        ("VOCA 2026", 21, 3, 6, 0),
        # The state grant: 10 clients; Wideline and Ji-woo new; Wideline and Marisol
        # have a child harmed and served.
        ("State Survivor Services 2026", 10, 2, 2, 0),
        # The foundation: only its own two C7 payments, Marisol's and Wideline's; each
        # is the client's first service under it this year, so both are new.
        ("Lanternwick Foundation Emergency Fund", 2, 2, 2, 2),
    ],
)
def test_the_sample_caseload_by_funding_source(
    sample_files: VaultFiles, name: str, served: int, secondary: int, new: int, c7: int
) -> None:
    """Worked out the same way as the whole quarter above, keeping only the services
    whose own funding source (or, with none, their client's) is the one asked for."""
    tables = sample_tables(sample_files)
    funding = find_funding(
        [s for s in tables["funding_sources"] if isinstance(s, FundingSource)], name
    )
    result = report(tables, Q4_START, Q4_END, funding=funding)
    assert result.count("served", CLIENTS) == served
    assert result.count("served", SECONDARY) == secondary
    assert result.count("served", NEW) == new
    assert result.count("services_C", "C7. " + _label("C7")) == c7


def test_the_rendered_report_names_no_client_and_a_grant_only_on_its_funding_line(
    sample_files: VaultFiles,
) -> None:
    tables = sample_tables(sample_files)
    words: set[str] = set()
    for c in tables["clients"]:
        assert isinstance(c, Client)
        words |= {c.preferred_name, c.id, *(p for p in c.preferred_name.split() if len(p) >= 4)}
        if c.calendar_code:
            words.add(c.calendar_code)
    words |= {h.known_as for h in tables["household"] if isinstance(h, HouseholdMember)}
    words |= {r.id for rows in tables.values() for r in rows}
    sources = [s for s in tables["funding_sources"] if isinstance(s, FundingSource)]
    names = {s.name for s in sources}
    voca = find_funding(sources, "VOCA")
    for funding in (None, voca):
        result = report(tables, Q4_START, Q4_END, funding=funding, label="FFY2026 Q4")
        for fmt in ("text", "md", "csv"):
            out = render_pmt(result, fmt)
            assert result.count("served", CLIENTS) > 0
            found = sorted(
                w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", out, re.I)
            )
            assert found == [], (fmt, found)
            lines = [line for line in out.splitlines() if any(n in line for n in names)]
            if funding is None:
                assert lines == [], fmt
            else:
                assert len(lines) == 1, (fmt, lines)
                assert {n for n in names if n in lines[0]} == {voca.name}
                assert re.match(r"^(- )?Funding: |^report,funding,", lines[0]), lines[0]
