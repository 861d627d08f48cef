"""Records validate on construction and name the field that is wrong."""

from __future__ import annotations

import dataclasses
from datetime import date, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetui.core.choices import (
    BlockKind,
    CaseEventKind,
    ClientStatus,
    ClosureReason,
    Domain,
    GoalStatus,
    Horizon,
    LegalEngagement,
    LegalKind,
    LegalStatus,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.errors import ValidationError
from casetui.core.fields import DatedNote, StatusChange
from casetui.core.funder_records import FundingSource, HouseholdMember, ServiceRecord
from casetui.core.history_records import Assignment, AuditEntry, CaseEvent
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan, StrengthsAssessment
from casetui.core.record_tables import RECORD_BY_TABLE, RECORD_TYPES
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
from casetui.core.recordset import FORMAT_VERSION, check_references, parse_interchange


def client_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "cl_1",
        "preferred_name": "Amara Bluefinch",
        "pronouns": "she/her",
        "intake_date": "2026-03-02",
        "status": "active",
        "case_manager_id": "st_1",
    }
    data.update(changes)
    return data


VALID: dict[type[Record], dict[str, Any]] = {
    Staff: {"id": "st_1", "name": "Priya Oakhaven"},
    Client: client_data(
        victimization_types=["domestic_family_violence", "stalking_harassment"],
        age_group="age_25_59",
        gender_identity="woman",
        race_ethnicity=["black_african_american", "hispanic_latino"],
        special_classifications=["limited_english"],
        funding_source_ids=["fs_1"],
    ),
    Goal: {"id": "go_1", "client_id": "cl_1", "text": "I want my own place."},
    NeedItem: {
        "id": "nd_1",
        "client_id": "cl_1",
        "catalog_key": "food",
        "label": "Food",
        "horizon": "short_term",
        "domain": "physical",
    },
    Meeting: {"id": "mt_1", "client_id": "cl_1", "on": "2026-03-09"},
    AdminBlock: {
        "id": "ab_1",
        "staff_id": "st_1",
        "on": "2026-03-02",
        "start": "09:00",
        "end": "11:00",
    },
    Partner: {
        "id": "pa_1",
        "name": "Harbourlight Legal Aid",
        "kind": "legal_aid",
        "languages": "English, Spanish",
        "trauma_informed": True,
    },
    Referral: {
        "id": "rf_1",
        "client_id": "cl_1",
        "partner_id": "pa_1",
        "service": "legal_aid",
        "need_id": "nd_1",
        "follow_up_on": "2026-03-16",
        "status": "referred",
        "history": [
            {"on": "2026-03-02", "status": "planned", "note": ""},
            {"on": "2026-03-09", "status": "referred", "note": "Called the intake line."},
        ],
    },
    Consent: {
        "id": "co_1",
        "client_id": "cl_1",
        "partner_id": "pa_1",
        "shares": "Name and phone number",
        "purpose": "To book a first appointment",
        "signed_on": "2026-03-02",
        "expires_on": "2026-09-02",
    },
    StrengthsAssessment: {
        "id": "sa_1",
        "client_id": "cl_1",
        "on": "2026-03-09",
        "proud_of": "My kids, and that I kept going.",
    },
    SafetyPlan: {
        "id": "sp_1",
        "client_id": "cl_1",
        "main_concern": "Being found at work",
        "reviewed_on": "2026-03-09",
        "developed_with_client": True,
    },
    Assignment: {
        "id": "as_1",
        "client_id": "cl_1",
        "from_staff_id": "st_1",
        "to_staff_id": "st_2",
        "on": "2026-04-01",
        "note": "Prefers texts after 5pm.",
    },
    CaseEvent: {
        "id": "ce_1",
        "client_id": "cl_1",
        "kind": "closed",
        "on": "2026-06-01",
        "reason": "needs_met",
        "safety_plan_reviewed": True,
        "knows_can_return": True,
        "note": "Settled in her own flat.",
    },
    LegalMatter: {
        "id": "lm_1",
        "client_id": "cl_1",
        "kind": "court_date",
        "status": "scheduled",
        "on": "2026-05-12",
        "description": "Protective order hearing",
    },
    FundingSource: {
        "id": "fs_1",
        "name": "VOCA 2026",
        "program": "voca",
        "award_number": "2025-V2-GX-0000",
        "starts_on": "2025-10-01",
        "ends_on": "2026-09-30",
    },
    ServiceRecord: {
        "id": "sv_1",
        "client_id": "cl_1",
        "on": "2026-05-12",
        "service": "A2",
        "times": 2,
        "funding_source_ids": ["fs_1"],
        "note": "Went through her rights as a victim.",
    },
    HouseholdMember: {
        "id": "hh_1",
        "client_id": "cl_1",
        "relationship": "child",
        "age_group": "age_0_12",
        "harmed": True,
        "served": True,
        "known_as": "youngest",
    },
    AuditEntry: {
        "id": "au_1",
        "at": "2026-05-12T09:30:00Z",
        "who": "Priya Oakhaven",
        "action": "changed",
        "table": "meetings",
        "record_id": "mt_1",
        "client_id": "cl_1",
        "fields": ["summary", "next_checkin"],
    },
}


def field_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return exc.value.field


@pytest.mark.parametrize("cls", RECORD_TYPES, ids=lambda c: c.__name__)
def test_every_record_type_has_a_valid_example_that_round_trips(cls: type[Record]) -> None:
    record = cls.from_dict(VALID[cls])
    assert cls.from_dict(record.to_dict()) == record
    # Every value given in the example survives the round trip unchanged.
    dumped = record.to_dict()
    for key, value in VALID[cls].items():
        assert dumped[key] == value, key


def test_every_record_type_has_an_example_and_a_unique_table() -> None:
    assert set(VALID) == set(RECORD_TYPES)
    assert len(RECORD_BY_TABLE) == len(RECORD_TYPES) == 18


@pytest.mark.parametrize("cls", RECORD_TYPES, ids=lambda c: c.__name__)
def test_references_name_real_tables_and_the_parent_is_one_of_them(cls: type[Record]) -> None:
    assert set(cls.REFS.values()) <= set(RECORD_BY_TABLE)
    assert set(cls.REFS) <= set(cls.field_names())
    if cls.PARENT is not None:
        assert cls.PARENT in cls.field_names()
        # The audit trail indexes by client but does not refer: it outlives its records.
        assert (cls.PARENT in cls.REFS) is (cls is not AuditEntry)


def test_client_fields_are_typed_after_construction() -> None:
    client = Client.from_dict(client_data(legal_engagement="considering"))
    assert client.intake_date == date(2026, 3, 2)
    assert client.status is ClientStatus.ACTIVE
    assert client.legal_engagement is LegalEngagement.CONSIDERING
    assert client.checkin_interval_days == 14
    assert (client.may_call, client.may_text, client.may_leave_voicemail) == (False, False, False)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("soon", "is not a date"),
        ("2026-02-30", "not a real calendar date"),
        ("20260302", "is not a date"),
        ("1850-01-01", "outside the years"),
        (20260302, "should be a date"),
    ],
)
def test_a_bad_date_names_the_field(value: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(client_data(intake_date=value))
    assert field_of(exc) == "intake_date"
    assert fragment in str(exc.value)


def test_an_unknown_status_lists_the_allowed_ones() -> None:
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(client_data(status="archived"))
    assert field_of(exc) == "status"
    assert "active, on_hold, closed" in str(exc.value)


@pytest.mark.parametrize("missing", ["intake_date", "case_manager_id", "id"])
def test_a_missing_required_field_is_named(missing: str) -> None:
    data = client_data()
    del data[missing]
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(data)
    assert field_of(exc) == missing


def test_a_blank_required_text_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(client_data(preferred_name="   \x1b[0m "))
    assert field_of(exc) == "preferred_name"
    assert "required" in str(exc.value)


def test_an_oversized_text_gives_its_length_but_not_its_content() -> None:
    secret = "confidential-" * 200
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(client_data(culture_notes=secret))
    assert field_of(exc) == "culture_notes"
    assert "2,600 characters" in str(exc.value)
    assert "confidential" not in str(exc.value)


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(client_data(ssn="000-00-0000"))
    assert field_of(exc) == "ssn"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("checkin_interval_days", 0),
        ("checkin_interval_days", 366),
        ("checkin_interval_days", True),
        ("checkin_interval_days", "14"),
        ("may_call", "yes"),
        ("preferred_name", 42),
        ("case_manager_id", "has spaces"),
    ],
)
def test_wrong_types_and_ranges_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(client_data(**{field: value}))
    assert field_of(exc) == field


def test_text_is_sanitised_on_construction() -> None:
    client = Client.from_dict(client_data(preferred_name="Ana\x1b]0;pwned\x07 \u202eMaría"))
    assert client.preferred_name == "Ana María"


def test_reassessment_cannot_precede_intake() -> None:
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(client_data(needs_reassessed_on="2026-01-01"))
    assert field_of(exc) == "needs_reassessed_on"


def test_replace_validates_again() -> None:
    client = Client.from_dict(client_data())
    with pytest.raises(ValidationError):
        dataclasses.replace(client, checkin_interval_days=-1)
    assert dataclasses.replace(client, status="on_hold").status is ClientStatus.ON_HOLD


def test_goal_progress_notes_are_dated_and_cleaned() -> None:
    goal = Goal.from_dict(
        {
            **VALID[Goal],
            "status": "in_progress",
            "progress_notes": [{"on": "2026-04-01", "text": "Viewed a flat\x07."}],
        }
    )
    assert goal.progress_notes == (DatedNote(date(2026, 4, 1), "Viewed a flat."),)
    assert goal.status is GoalStatus.IN_PROGRESS
    with pytest.raises(ValidationError) as exc:
        Goal.from_dict({**VALID[Goal], "progress_notes": [{"on": "someday", "text": "x"}]})
    assert field_of(exc) == "progress_notes[0].on"


def test_goal_lists_drop_repeated_ids() -> None:
    goal = Goal.from_dict({**VALID[Goal], "linked_needs": ["nd_1", "nd_2", "nd_1"]})
    assert goal.linked_needs == ("nd_1", "nd_2")


def test_need_catalog_key_must_exist_and_custom_needs_are_allowed() -> None:
    with pytest.raises(ValidationError) as exc:
        NeedItem.from_dict({**VALID[NeedItem], "catalog_key": "yacht"})
    assert field_of(exc) == "catalog_key"
    custom = NeedItem.from_dict(
        {
            **VALID[NeedItem],
            "catalog_key": None,
            "label": "Pet-friendly shelter",
            "status": "needed",
        }
    )
    assert custom.is_custom
    assert custom.status is NeedStatus.NEEDED
    assert (custom.horizon, custom.domain) == (Horizon.SHORT_TERM, Domain.PHYSICAL)


def test_meeting_next_checkin_cannot_precede_the_meeting() -> None:
    with pytest.raises(ValidationError) as exc:
        Meeting.from_dict({**VALID[Meeting], "next_checkin": "2026-03-01"})
    assert field_of(exc) == "next_checkin"
    meeting = Meeting.from_dict({**VALID[Meeting], "kind": "phone_video", "duration_minutes": 30})
    assert meeting.kind is MeetingKind.PHONE_VIDEO


def test_admin_block_times_and_recurrence_are_checked() -> None:
    block = AdminBlock.from_dict({**VALID[AdminBlock], "kind": "self_care", "weekly": True})
    assert (block.start, block.end, block.hours) == (time(9), time(11), 2.0)
    assert block.kind is BlockKind.SELF_CARE
    with pytest.raises(ValidationError) as exc:
        AdminBlock.from_dict({**VALID[AdminBlock], "end": "08:00"})
    assert field_of(exc) == "end"
    with pytest.raises(ValidationError) as exc:
        AdminBlock.from_dict({**VALID[AdminBlock], "start": "9am"})
    assert field_of(exc) == "start"
    with pytest.raises(ValidationError) as exc:
        AdminBlock.from_dict({**VALID[AdminBlock], "until": "2026-06-01"})
    assert field_of(exc) == "until"


def test_error_messages_are_one_sentence_naming_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        Staff.from_dict({"id": "st_1", "name": "Sam", "capacity": 500})
    assert str(exc.value) == "capacity: 500 is out of range; use a number from 1 to 200."


def test_create_gives_a_fresh_prefixed_id() -> None:
    first = Staff.create(name="Priya Oakhaven")
    second = Staff.create(name="Priya Oakhaven")
    assert first.id.startswith("st_")
    assert first.id != second.id


safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60).filter(
    lambda s: s.strip()
)


@given(
    name=safe_text,
    notes=st.text(max_size=300),
    interval=st.integers(1, 365),
    status=st.sampled_from(list(ClientStatus)),
    intake=st.dates(date(1990, 1, 1), date(2100, 1, 1)),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
)
def test_any_valid_client_round_trips_through_json_form(
    name: str,
    notes: str,
    interval: int,
    status: ClientStatus,
    intake: date,
    flags: tuple[bool, bool, bool],
) -> None:
    try:
        client = Client(
            id="cl_x",
            preferred_name=name,
            intake_date=intake,
            status=status,
            case_manager_id="st_x",
            checkin_interval_days=interval,
            culture_notes=notes,
            may_call=flags[0],
            may_text=flags[1],
            may_leave_voicemail=flags[2],
        )
    except ValidationError as exc:
        # Only a name that sanitises to nothing may be refused.
        assert exc.field == "preferred_name"
        return
    again = Client.from_dict(client.to_dict())
    assert again == client
    assert again.to_dict() == client.to_dict()


# -- the records added with referrals, consents and closing --------------------------


def test_a_referral_reads_its_history_and_dates() -> None:
    referral = Referral.from_dict(VALID[Referral])
    assert referral.status is ReferralStatus.REFERRED
    assert referral.service is ServiceKind.LEGAL_AID
    assert referral.history == (
        StatusChange(date(2026, 3, 2), ReferralStatus.PLANNED, ""),
        StatusChange(date(2026, 3, 9), ReferralStatus.REFERRED, "Called the intake line."),
    )
    assert (referral.opened_on, referral.last_update) == (date(2026, 3, 2), date(2026, 3, 9))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"history": []}, "history"),
        ({"status": "scheduled"}, "status"),
        (
            {
                "history": [
                    {"on": "2026-03-09", "status": "planned"},
                    {"on": "2026-03-02", "status": "referred"},
                ]
            },
            "history[1].on",
        ),
        ({"history": [{"on": "2026-03-09", "status": "lost"}]}, "history[0].status"),
        ({"history": [{"on": "2026-03-09"}]}, "history[0]"),
    ],
)
def test_a_referral_history_must_be_ordered_and_end_at_the_status(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        Referral.from_dict({**VALID[Referral], **changes})
    assert field_of(exc) == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expires_on": "2026-03-02"}, "expires_on"),
        ({"expires_on": None}, "expires_on"),
        ({"revoked_on": "2026-03-01"}, "revoked_on"),
        ({"revocation_note": "Changed her mind."}, "revoked_on"),
        ({"shares": " "}, "shares"),
    ],
)
def test_consent_dates_are_checked(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Consent.from_dict({**VALID[Consent], **changes})
    assert field_of(exc) == field


def test_consent_is_valid_from_signing_through_the_expiry_day_until_revoked() -> None:
    consent = Consent.from_dict(VALID[Consent])
    assert not consent.valid_on(date(2026, 3, 1))
    assert consent.valid_on(date(2026, 3, 2))
    assert consent.valid_on(date(2026, 9, 2))
    assert not consent.valid_on(date(2026, 9, 3))
    revoked = Consent.from_dict({**VALID[Consent], "revoked_on": "2026-05-01"})
    assert revoked.valid_on(date(2026, 4, 30))
    assert not revoked.valid_on(date(2026, 5, 1))


def test_a_strengths_assessment_needs_at_least_one_answer() -> None:
    with pytest.raises(ValidationError) as exc:
        StrengthsAssessment.from_dict({**VALID[StrengthsAssessment], "proud_of": "  "})
    assert field_of(exc) == "overcome"


def test_a_safety_plan_may_be_started_empty() -> None:
    plan = SafetyPlan.from_dict({"id": "sp_2", "client_id": "cl_1"})
    assert (plan.main_concern, plan.reviewed_on, plan.developed_with_client) == ("", None, False)


def test_an_assignment_must_change_the_case_manager() -> None:
    with pytest.raises(ValidationError) as exc:
        Assignment.from_dict({**VALID[Assignment], "to_staff_id": "st_1"})
    assert field_of(exc) == "to_staff_id"
    first = Assignment.from_dict({**VALID[Assignment], "from_staff_id": None})
    assert first.from_staff_id is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": None}, "reason"),
        ({"reason": "bored"}, "reason"),
        ({"safety_plan_reviewed": False}, "safety_plan_reviewed"),
        ({"knows_can_return": False}, "knows_can_return"),
        ({"note": ""}, "note"),
        ({"kind": "reopened"}, "kind"),
    ],
)
def test_a_closing_needs_its_checklist_and_a_reopening_has_none(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        CaseEvent.from_dict({**VALID[CaseEvent], **changes})
    assert field_of(exc) == field


def test_a_reopening_carries_only_a_note() -> None:
    event = CaseEvent.from_dict(
        {
            "id": "ce_2",
            "client_id": "cl_1",
            "kind": "reopened",
            "on": "2026-07-01",
            "note": "She called back about housing.",
        }
    )
    assert (event.kind, event.reason) == (CaseEventKind.REOPENED, None)
    closed = CaseEvent.from_dict(VALID[CaseEvent])
    assert closed.reason is ClosureReason.NEEDS_MET


def test_a_legal_matter_reads_its_kind_and_status() -> None:
    matter = LegalMatter.from_dict(VALID[LegalMatter])
    assert (matter.kind, matter.status) == (LegalKind.COURT_DATE, LegalStatus.SCHEDULED)
    bare = LegalMatter.from_dict(
        {"id": "lm_2", "client_id": "cl_1", "kind": "protective_order", "on": "2026-05-01"}
    )
    assert bare.status is LegalStatus.CONSIDERING
    assert Partner.from_dict({"id": "pa_2", "name": "Shelter"}).kind is ServiceKind.OTHER


@pytest.mark.parametrize(
    ("block", "day", "expected"),
    [
        ({}, date(2026, 3, 2), True),
        ({}, date(2026, 3, 9), False),
        ({"weekly": True}, date(2026, 3, 1), False),
        ({"weekly": True}, date(2026, 3, 30), True),
        ({"weekly": True}, date(2026, 3, 31), False),
        ({"weekly": True, "until": "2026-03-16"}, date(2026, 3, 16), True),
        ({"weekly": True, "until": "2026-03-15"}, date(2026, 3, 16), False),
    ],
)
def test_admin_block_occurs_on(block: dict[str, Any], day: date, expected: bool) -> None:
    assert AdminBlock.from_dict({**VALID[AdminBlock], **block}).occurs_on(day) is expected


# -- a whole set of records ----------------------------------------------------------


def example_set(**extra: list[dict[str, Any]]) -> dict[str, Any]:
    """An interchange document holding every example, plus ``extra`` rows per table."""
    doc: dict[str, Any] = {"format": "casetui", "version": 3}
    for cls, data in VALID.items():
        doc.setdefault(cls.TABLE, []).append(data)
    doc["staff"].append({"id": "st_2", "name": "Daniel Riverstone"})
    for table, rows in extra.items():
        doc[table] = doc.get(table, []) + rows
    return doc


def test_the_examples_form_a_consistent_set() -> None:
    records, problems = parse_interchange(example_set())
    assert problems == []
    assert check_references(records.tables) == []
    assert all(n == (2 if table == "staff" else 1) for table, n in records.counts().items())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("victimization_types", ["declined", "arson"]),
        ("race_ethnicity", ["asian", "not_reported"]),
        ("special_classifications", ["none", "veteran"]),
    ],
)
def test_an_answer_that_stands_alone_is_refused_beside_other_choices(
    name: str, value: list[str]
) -> None:
    with pytest.raises(ValidationError, match="keep one") as exc:
        Client.from_dict(client_data(**{name: value}))
    assert field_of(exc) == name


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"age_group": "Age 25"}, "age_group"),
        ({"victimization_types": "arson"}, "victimization_types"),
        ({"gender_identity": 3}, "gender_identity"),
    ],
)
def test_a_funder_field_holds_codes_only(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Client.from_dict(client_data(**data))
    assert field_of(exc) == field


@pytest.mark.parametrize(
    ("cls", "changes", "field"),
    [
        (ServiceRecord, {"service": "F1"}, "service"),
        (ServiceRecord, {"service": "A9"}, "service"),
        (ServiceRecord, {"times": 0}, "times"),
        (FundingSource, {"starts_on": "2026-10-01", "ends_on": "2026-09-30"}, "ends_on"),
        (HouseholdMember, {"relationship": "cousin"}, "relationship"),
    ],
)
def test_funder_records_refuse_bad_values(
    cls: type[Record], changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        cls.from_dict({**VALID[cls], **changes})
    assert field_of(exc) == field


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_interchange_versions_1_to_4_are_read(version: int) -> None:
    doc = {"format": "casetui", "version": version, "staff": [VALID[Staff]]}
    records, problems = parse_interchange(doc)
    assert problems == []
    assert [s.id for s in records.tables["staff"]] == ["st_1"]
    assert FORMAT_VERSION == 4
    assert records.to_interchange()["version"] == 4


@pytest.mark.parametrize("version", [0, 5, True, "2"])
def test_other_interchange_versions_are_refused(version: object) -> None:
    _records, problems = parse_interchange({"format": "casetui", "version": version})
    assert [p.where for p in problems] == ["document"]
    assert "format version" in problems[0].message


@pytest.mark.parametrize(
    ("extra", "where", "fragment"),
    [
        (
            {"referrals": [{**VALID[Referral], "id": "rf_2", "partner_id": "pa_9"}]},
            "referrals/rf_2",
            "partner_id: no partner has the id 'pa_9'",
        ),
        (
            {"consents": [{**VALID[Consent], "id": "co_2", "client_id": "cl_9"}]},
            "consents/co_2",
            "client_id: no client has the id 'cl_9'",
        ),
        (
            {"assignments": [{**VALID[Assignment], "id": "as_2", "to_staff_id": "st_9"}]},
            "assignments/as_2",
            "to_staff_id: no case manager has the id 'st_9'",
        ),
        (
            {
                "clients": [client_data(id="cl_2")],
                "needs": [{**VALID[NeedItem], "id": "nd_2", "client_id": "cl_2"}],
                "referrals": [{**VALID[Referral], "id": "rf_2", "need_id": "nd_2"}],
            },
            "referrals/rf_2",
            "need_id: 'nd_2' is another client's need",
        ),
        (
            {
                "clients": [client_data(id="cl_2")],
                "goals": [{**VALID[Goal], "id": "go_2", "client_id": "cl_2"}],
                "referrals": [{**VALID[Referral], "id": "rf_2", "goal_id": "go_2"}],
            },
            "referrals/rf_2",
            "goal_id: 'go_2' is another client's goal",
        ),
        (
            {"safety_plans": [{**VALID[SafetyPlan], "id": "sp_2"}]},
            "safety_plans/sp_2",
            "second safety plan",
        ),
        (
            {"partners": [VALID[Partner]]},
            "partners/pa_1",
            "appears more than once",
        ),
    ],
)
def test_check_references_names_the_record_and_the_problem(
    extra: dict[str, list[dict[str, Any]]], where: str, fragment: str
) -> None:
    records, problems = parse_interchange(example_set(**extra))
    assert problems == []
    found = check_references(records.tables)
    assert [p.where for p in found] == [where]
    assert fragment in found[0].message


def test_labels_belong_to_their_own_choice_even_when_values_are_shared() -> None:
    from casetui.core.choices import LegalStatus, MeetingKind, NeedStatus, ReferralStatus

    assert MeetingKind.SCHEDULED.label == "Scheduled case meeting"
    assert ReferralStatus.SCHEDULED.label == "Scheduled"
    assert LegalStatus.SCHEDULED.label == "Scheduled"
    assert NeedStatus.DECLINED.label == ReferralStatus.DECLINED.label == "Declined by client"
    assert ReferralStatus.UNAVAILABLE.label == "Service unavailable"
