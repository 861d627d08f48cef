"""Clients' funder fields from a spreadsheet: codes, the form's words or the report's,
several separated by ";", and funding sources by name. Every value must be known."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from casetui.core.funder_catalog import DEFAULT_CATALOG, PERSON_FIELDS, catalog_from
from casetui.core.funder_records import FundingSource
from casetui.core.records import Client, Staff
from casetui.core.sheets.funder_cells import ChoiceWords, choice_words
from casetui.core.sheets.mapping import FIELD_KINDS, fold, parse_mapping
from casetui.core.sheets.plan import SheetPlan, plan_sheet
from casetui.core.sheets.read import read_sheet
from casetui.core.sheets.suggest import match_headings, suggest_mapping

STAFF = Staff(id="st_1", name="Priya Oakhaven")
VOCA = FundingSource(id="fs_voca", name="VOCA 2026")
VAWA = FundingSource(id="fs_vawa", name="VAWA Legal Assistance")

MAPPING = """\
[columns]
preferred_name = "Name"
intake_date = "Intake"
victimization_types = "Victimization"
age_group = "Age"
gender_identity = "Gender"
race_ethnicity = "Race/ethnicity"
special_classifications = "Special classifications"
funding_sources = "Funding"
"""
HEADER = (
    "Name",
    "Intake",
    "Victimization",
    "Age",
    "Gender",
    "Race/ethnicity",
    "Special classifications",
    "Funding",
)


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    return "\n".join(",".join(cell(c) for c in row) for row in (HEADER, *rows)) + "\n"


def plan(rows: Sequence[Sequence[str]], **options: object) -> SheetPlan:
    sheet = read_sheet(csv_text(rows), "clients.csv")
    return plan_sheet(
        sheet,
        parse_mapping(MAPPING),
        name="clients.csv",
        staff=[STAFF],
        clients=[],
        owner_id="st_1",
        funding_sources=options.pop("funding_sources", [VOCA, VAWA]),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def only_client(result: SheetPlan) -> Client:
    assert [str(p) for p in result.problems] == []
    (client,) = result.clients
    return client


def test_codes_fill_every_funder_field() -> None:
    client = only_client(
        plan(
            [
                [
                    "Amaru Quispe",
                    "2026-03-02",
                    "adult_sexual_assault;stalking_harassment",
                    "age_25_59",
                    "another_gender",
                    "american_indian_alaska_native; hispanic_latino",
                    "limited_english",
                    "VOCA 2026",
                ]
            ]
        )
    )
    assert client.victimization_types == ("adult_sexual_assault", "stalking_harassment")
    assert client.age_group == "age_25_59"
    assert client.gender_identity == "another_gender"
    assert client.race_ethnicity == ("american_indian_alaska_native", "hispanic_latino")
    assert client.special_classifications == ("limited_english",)
    assert client.funding_source_ids == ("fs_voca",)


def test_the_forms_words_and_the_reports_wording_work_in_any_case() -> None:
    client = only_client(
        plan(
            [
                [
                    "Bo Larchmont",
                    "2026-03-02",
                    # the report's wording, the form's, and a code written with spaces
                    "ADULT SEXUAL ASSAULT; Stalking or harassment ;domestic family violence",
                    "25-59",
                    "woman or girl",
                    "White Non-Latino or Caucasian;Asian",
                    "Victims with Limited English Proficiency;  veteran",
                    "voca 2026; VAWA legal  assistance",
                ]
            ]
        )
    )
    assert client.victimization_types == (
        "adult_sexual_assault",
        "stalking_harassment",
        "domestic_family_violence",
    )
    assert client.age_group == "age_25_59"
    assert client.gender_identity == "woman"
    assert client.race_ethnicity == ("white", "asian")
    assert client.special_classifications == ("limited_english", "veteran")
    assert client.funding_source_ids == ("fs_voca", "fs_vawa")


def test_declined_and_not_reported_are_answers_and_blank_cells_stay_unasked() -> None:
    result = plan(
        [
            ["Cy Nettlefield", "2026-03-02", "Declined to answer", "declined", "", "", "", ""],
            ["Di Oxbow", "2026-03-03", "", "", "Not Reported", "not_reported", "", ""],
        ]
    )
    assert result.problems == []
    cy, di = result.clients
    assert cy.victimization_types == ("declined",)
    assert cy.age_group == "declined"
    assert cy.gender_identity == "" and cy.race_ethnicity == () and cy.funding_source_ids == ()
    assert di.victimization_types == () and di.age_group == ""
    assert di.gender_identity == "not_reported"
    assert di.race_ethnicity == ("not_reported",)


def test_an_unknown_value_names_the_row_the_column_and_some_that_would_do() -> None:
    result = plan(
        [
            ["Amaru Quispe", "2026-03-02", "adult_sexual_assault", "", "", "", "", ""],
            ["Bo Larchmont", "2026-03-02", "Adult Sexual Assult; robbery", "", "", "", "", ""],
        ]
    )
    (problem,) = result.problems  # any problem, and nothing is imported (see tests/cli)
    text = str(problem)
    assert text.startswith(
        "line 3, column 'Victimization', value 'Adult Sexual Assult; robbery': "
        "'Adult Sexual Assult' is not a choice for types of victimization "
        "(did you mean 'Adult Sexual Assault'?); "
    ), text
    assert "'adult_physical_assault'" in text and "'Declined to answer'" in text
    assert text.endswith(".") and text.count(". ") == 0


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        (3, "18 to 24; 25 to 59", "holds 2 choices; age takes one"),
        (4, "purple", "'purple' is not a choice for gender identity; "),
        (5, "Asian; Declined to answer", "has 'Declined to answer' beside other choices"),
        (6, "none; veteran", "has 'None of these' beside other choices"),
        (2, "x" * 5000, "5,000 characters long"),
    ],
)
def test_other_mistakes_are_one_sentence_each(column: int, value: str, fragment: str) -> None:
    row = ["Amaru Quispe", "2026-03-02", "", "", "", "", "", ""]
    row[column] = value
    result = plan([row])
    assert result.clients == []
    (problem,) = result.problems
    assert f"line 2, column {HEADER[column]!r}" in str(problem)
    assert fragment in problem.why, problem.why


def test_funding_sources_are_matched_by_name_against_the_vaults() -> None:
    row = ["Amaru Quispe", "2026-03-02", "", "", "", "", "", "VOCA 2027"]
    (problem,) = plan([row]).problems
    assert problem.column == "Funding"
    assert problem.why == (
        "'VOCA 2027' is not a funding source in this vault; did you mean 'VOCA 2026'?"
    )
    row[-1] = "Foundation money"
    (problem,) = plan([row]).problems
    assert problem.why == (
        "'Foundation money' is not a funding source in this vault, whose funding sources are "
        "'VAWA Legal Assistance', 'VOCA 2026'; add it with 'casetui funding add NAME', or "
        "check the spelling."
    )
    (problem,) = plan([row], funding_sources=[]).problems
    assert "which has none yet; add it with 'casetui funding add NAME' first." in problem.why
    twins = [VOCA, FundingSource(id="fs_twin", name="voca  2026")]
    row[-1] = "VOCA 2026"
    (problem,) = plan([row], funding_sources=twins).problems
    assert "2 funding sources are called 'VOCA 2026'; rename one" in problem.why


def test_a_states_own_wording_is_read_and_the_pmts_then_is_not() -> None:
    catalog = catalog_from(
        {"gender_identity": [{"code": "female", "label": "Female", "report": "Woman"}]}
    )
    row = ["Amaru Quispe", "2026-03-02", "", "", "woman", "", "", ""]
    assert only_client(plan([row], catalog=catalog)).gender_identity == "female"
    row[4] = "Woman or girl"  # the PMT's form words, which this state replaced
    (problem,) = plan([row], catalog=catalog).problems
    assert "is not a choice for gender identity" in problem.why
    assert only_client(plan([row])).gender_identity == "woman"


def test_within_one_list_no_word_names_two_choices_but_not_reported() -> None:
    """The PMT reports both answers as "Not Reported"; the code not_reported wins."""
    for choices in PERSON_FIELDS:
        words = ChoiceWords.of(choices)
        seen: dict[str, set[str]] = {}
        for option in choices.all_options():
            for text in (option.code, option.label, option.report):
                seen.setdefault(fold(text), set()).add(option.code)
        shared = {w: c for w, c in seen.items() if len(c) > 1}
        assert shared == {"not reported": {"not_reported", "declined"}}, choices.field
        assert words.words["not reported"] == "not_reported"
    assert set(choice_words(DEFAULT_CATALOG)) == {c.field for c in PERSON_FIELDS}


def test_a_starter_mapping_finds_the_funder_columns() -> None:
    headings = [*HEADER, "Stage", "Agency"]
    chosen = match_headings(headings)
    assert {f: headings[i] for f, i in chosen.items()} == dict(
        zip(
            (
                "preferred_name",
                "intake_date",
                "victimization_types",
                "age_group",
                "gender_identity",
                "race_ethnicity",
                "special_classifications",
                "funding_sources",
            ),
            HEADER,
            strict=True,
        )
    )
    text, _chosen = suggest_mapping(headings, source="clients.csv")
    assert parse_mapping(text).columns == parse_mapping(MAPPING).columns
    assert FIELD_KINDS["funding_sources"] == "funding sources"
