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
    ClientStatus,
    Domain,
    GoalStatus,
    Horizon,
    LegalEngagement,
    MeetingKind,
    NeedStatus,
)
from casetui.core.errors import ValidationError
from casetui.core.fields import DatedNote
from casetui.core.records import (
    RECORD_TYPES,
    AdminBlock,
    Client,
    Goal,
    Meeting,
    NeedItem,
    Record,
    Staff,
)


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
    Client: client_data(),
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
}


def field_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return exc.value.field


@pytest.mark.parametrize("cls", RECORD_TYPES, ids=lambda c: c.__name__)
def test_every_record_type_has_a_valid_example_that_round_trips(cls: type[Record]) -> None:
    record = cls.from_dict(VALID[cls])
    assert cls.from_dict(record.to_dict()) == record


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
