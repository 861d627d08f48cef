"""The pure case moves: referral steps, consents, handoffs, closing and reopening."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from casetui.core import case_rules as casework
from casetui.core.choices import (
    REFERRAL_PATH,
    CaseEventKind,
    ClientStatus,
    ClosureReason,
    Domain,
    Horizon,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.errors import ValidationError
from casetui.core.fields import StatusChange
from casetui.core.history_records import CaseEvent
from casetui.core.private_records import Consent
from casetui.core.records import Client, NeedItem, Referral


def client(status: ClientStatus = ClientStatus.ACTIVE, cm: str = "st_1") -> Client:
    return Client(
        id="cl_a",
        preferred_name="Amara Bluefinch",
        intake_date=date(2026, 1, 5),
        status=status,
        case_manager_id=cm,
    )


def need(nid: str = "nd_1", status: NeedStatus = NeedStatus.NEEDED, cid: str = "cl_a") -> NeedItem:
    return NeedItem(
        id=nid,
        client_id=cid,
        catalog_key="food",
        label="Food",
        horizon=Horizon.SHORT_TERM,
        domain=Domain.PHYSICAL,
        status=status,
    )


def new_referral(**extra: object) -> Referral:
    values: dict[str, object] = {
        "client_id": "cl_a",
        "partner_id": "pa_1",
        "service": ServiceKind.HOUSING,
        "on": date(2027, 1, 31),
        "need_id": "nd_1",
    }
    values.update(extra)
    return casework.new_referral(**values)  # type: ignore[arg-type]


def consent(
    coid: str = "co_1",
    *,
    signed: date = date(2027, 1, 31),
    expires: date = date(2028, 2, 29),
    partner: str = "pa_1",
    revoked: date | None = None,
) -> Consent:
    return Consent(
        id=coid,
        client_id="cl_a",
        partner_id=partner,
        shares="Name and phone number",
        purpose="Booking a first appointment",
        signed_on=signed,
        expires_on=expires,
        revoked_on=revoked,
    )


def close(c: Client, **changes: object) -> tuple[Client, CaseEvent]:
    values: dict[str, object] = {
        "on": date(2027, 6, 30),
        "reason": ClosureReason.CLIENT_CHOSE,
        "safety_plan_reviewed": True,
        "knows_can_return": True,
        "note": "Moving to her sister's; knows she can call.",
    }
    values.update(changes)
    return casework.close_case(c, **values)  # type: ignore[arg-type]


# -- referrals -----------------------------------------------------------------------


def test_a_new_referral_starts_its_history() -> None:
    r = new_referral(follow_up_on=date(2027, 2, 7), accompaniment=True, note="Wants a ride.")
    assert r.id.startswith("rf_")
    assert r.status is ReferralStatus.PLANNED
    assert r.history == (StatusChange(date(2027, 1, 31), ReferralStatus.PLANNED, ""),)
    assert (r.follow_up_on, r.accompaniment, r.transport, r.note) == (
        date(2027, 2, 7),
        True,
        False,
        "Wants a ride.",
    )
    direct = new_referral(status=ReferralStatus.REFERRED)
    assert direct.history[0].status is ReferralStatus.REFERRED


def test_a_new_referral_cannot_follow_up_before_it_was_made() -> None:
    with pytest.raises(ValidationError) as exc:
        new_referral(follow_up_on=date(2027, 1, 30))
    assert exc.value.field == "follow_up_on"
    assert new_referral(follow_up_on=date(2027, 1, 31)).follow_up_on == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ReferralStatus.PLANNED, ReferralStatus.REFERRED),
        (ReferralStatus.REFERRED, ReferralStatus.SCHEDULED),
        (ReferralStatus.SCHEDULED, ReferralStatus.ATTENDING),
        (ReferralStatus.ATTENDING, ReferralStatus.COMPLETED),
        (ReferralStatus.COMPLETED, None),
        (ReferralStatus.STALLED, ReferralStatus.REFERRED),
        (ReferralStatus.DECLINED, ReferralStatus.REFERRED),
        (ReferralStatus.UNAVAILABLE, ReferralStatus.REFERRED),
    ],
)
def test_next_on_path(status: ReferralStatus, expected: ReferralStatus | None) -> None:
    assert casework.next_on_path(status) is expected


def test_walking_the_path_keeps_every_change_with_its_date() -> None:
    r = new_referral()
    days = [date(2027, 2, 1), date(2027, 2, 28), date(2027, 3, 1), date(2027, 3, 1)]
    for day in days:
        step = casework.next_on_path(r.status)
        assert step is not None
        r = casework.change_status(r, step, day, f"to {step.value}")
    assert casework.next_on_path(r.status) is None
    assert r.status is ReferralStatus.COMPLETED
    assert [(c.on, c.status, c.note) for c in r.history] == [
        (date(2027, 1, 31), ReferralStatus.PLANNED, ""),
        (date(2027, 2, 1), ReferralStatus.REFERRED, "to referred"),
        (date(2027, 2, 28), ReferralStatus.SCHEDULED, "to scheduled"),
        (date(2027, 3, 1), ReferralStatus.ATTENDING, "to attending"),
        (date(2027, 3, 1), ReferralStatus.COMPLETED, "to completed"),
    ]
    assert [c.status for c in r.history] == list(REFERRAL_PATH)
    assert (r.opened_on, r.last_update) == (date(2027, 1, 31), date(2027, 3, 1))
    # The history survives the stored form.
    assert Referral.from_dict(r.to_dict()) == r


def test_a_change_dated_before_the_last_one_is_refused() -> None:
    r = casework.change_status(new_referral(), ReferralStatus.REFERRED, date(2028, 2, 29))
    with pytest.raises(ValidationError) as exc:
        casework.change_status(r, ReferralStatus.SCHEDULED, date(2028, 2, 28))
    assert exc.value.field == "on"
    assert "2028-02-29" in str(exc.value)
    # The same day is fine.
    same = casework.change_status(r, ReferralStatus.SCHEDULED, date(2028, 2, 29))
    assert same.last_update == date(2028, 2, 29)
    assert len(same.history) == 3


def test_a_history_out_of_order_is_refused_by_the_record_too() -> None:
    r = new_referral()
    with pytest.raises(ValidationError) as exc:
        dataclasses.replace(
            r,
            status=ReferralStatus.REFERRED,
            history=(*r.history, StatusChange(date(2027, 1, 30), ReferralStatus.REFERRED)),
        )
    assert exc.value.field == "history[1].on"


def test_a_follow_up_date_is_kept_replaced_or_refused() -> None:
    r = new_referral(follow_up_on=date(2027, 2, 7))
    kept = casework.change_status(r, ReferralStatus.REFERRED, date(2027, 2, 1))
    assert kept.follow_up_on == date(2027, 2, 7)
    moved = casework.change_status(
        r, ReferralStatus.REFERRED, date(2027, 2, 1), follow_up_on=date(2027, 3, 1)
    )
    assert moved.follow_up_on == date(2027, 3, 1)
    with pytest.raises(ValidationError) as exc:
        casework.change_status(
            r, ReferralStatus.REFERRED, date(2027, 2, 1), follow_up_on=date(2027, 1, 31)
        )
    assert exc.value.field == "follow_up_on"


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2027, 2, 6), date(2027, 2, 7)),  # before the follow-up date: still to do
        (date(2027, 2, 7), None),  # on the day: this change is the follow-up
        (date(2027, 2, 20), None),  # late, but done
    ],
)
def test_a_change_on_or_after_the_follow_up_date_is_the_follow_up(
    on: date, expected: date | None
) -> None:
    r = new_referral(status=ReferralStatus.REFERRED, follow_up_on=date(2027, 2, 7))
    again = casework.change_status(r, ReferralStatus.REFERRED, on, "Called; still waiting.")
    assert again.follow_up_on == expected
    assert again.last_update == on


def test_the_same_status_again_records_a_follow_up() -> None:
    r = casework.change_status(new_referral(), ReferralStatus.REFERRED, date(2027, 2, 1))
    again = casework.change_status(r, ReferralStatus.REFERRED, date(2027, 2, 10), "Still waiting.")
    assert again.status is ReferralStatus.REFERRED
    assert again.history[-1] == StatusChange(
        date(2027, 2, 10), ReferralStatus.REFERRED, "Still waiting."
    )
    assert again.last_update == date(2027, 2, 10)
    assert again.opened_on == date(2027, 1, 31)


def completed(need_id: str | None = "nd_1") -> Referral:
    r = new_referral(need_id=need_id)
    return casework.change_status(r, ReferralStatus.COMPLETED, date(2027, 3, 1))


def test_need_to_mark_met() -> None:
    assert casework.need_to_mark_met(completed(), need())
    assert casework.need_to_mark_met(completed(), need(status=NeedStatus.IN_PROGRESS))
    # Not completed yet.
    attending = casework.change_status(new_referral(), ReferralStatus.ATTENDING, date(2027, 2, 1))
    assert not casework.need_to_mark_met(attending, need())
    # No need, another need, or a need already met.
    assert not casework.need_to_mark_met(completed(), None)
    assert not casework.need_to_mark_met(completed(), need("nd_2"))
    assert not casework.need_to_mark_met(completed(need_id=None), need())
    assert not casework.need_to_mark_met(completed(), need(status=NeedStatus.MET))


def test_mark_need_met_dates_the_change() -> None:
    met = casework.mark_need_met(need(), date(2028, 2, 29))
    assert (met.status, met.status_date) == (NeedStatus.MET, date(2028, 2, 29))
    assert (met.id, met.label) == ("nd_1", "Food")


# -- consents ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (date(2027, 1, 30), False),  # before signing
        (date(2027, 1, 31), True),  # the signing day
        (date(2028, 2, 29), True),  # the expiry day itself
        (date(2028, 3, 1), False),
    ],
)
def test_consent_validity_at_its_edges(day: date, valid: bool) -> None:
    c = consent()
    assert c.valid_on(day) is valid
    assert (casework.valid_consent([c], "pa_1", day) == c) is valid


def test_a_revoked_consent_is_not_valid_from_the_day_it_was_revoked() -> None:
    c = casework.revoke(consent(), date(2027, 6, 1), "Changed her mind.")
    assert (c.revoked_on, c.revocation_note) == (date(2027, 6, 1), "Changed her mind.")
    assert c.valid_on(date(2027, 5, 31))
    assert not c.valid_on(date(2027, 6, 1))
    assert casework.valid_consent([c], "pa_1", date(2027, 5, 31)) == c
    assert casework.valid_consent([c], "pa_1", date(2027, 6, 1)) is None


def test_a_consent_is_revoked_once_and_not_before_it_was_signed() -> None:
    c = casework.revoke(consent(), date(2027, 6, 1))
    with pytest.raises(ValidationError) as exc:
        casework.revoke(c, date(2027, 7, 1))
    assert exc.value.field == "revoked_on"
    with pytest.raises(ValidationError) as exc:
        casework.revoke(consent(), date(2027, 1, 30))
    assert exc.value.field == "revoked_on"


def test_valid_consent_picks_the_partner_and_the_longest_lasting() -> None:
    short = consent("co_short", expires=date(2027, 6, 30))
    long = consent("co_long", signed=date(2027, 3, 1), expires=date(2027, 12, 31))
    other = consent("co_other", expires=date(2029, 1, 1), partner="pa_2")
    revoked = consent("co_rev", expires=date(2029, 1, 1), revoked=date(2027, 2, 1))
    pool = [short, long, other, revoked]
    assert casework.valid_consent(pool, "pa_1", date(2027, 2, 15)) == short
    assert casework.valid_consent(pool, "pa_1", date(2027, 3, 1)) == long
    assert casework.valid_consent(pool, "pa_2", date(2027, 3, 1)) == other
    assert casework.valid_consent(pool, "pa_3", date(2027, 3, 1)) is None
    assert casework.valid_consent(pool, "pa_1", date(2028, 1, 1)) is None


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (date(2027, 1, 30), "not yet signed"),
        (date(2027, 1, 31), "valid"),
        (date(2028, 1, 29), "valid"),  # 31 days left
        (date(2028, 1, 30), "expiring"),  # 30 days left (2028 has Feb 29)
        (date(2028, 2, 29), "expiring"),  # the expiry day itself
        (date(2028, 3, 1), "expired"),
    ],
)
def test_consent_state_at_its_boundaries(day: date, state: str) -> None:
    assert casework.consent_state(consent(), day) == state


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (date(2027, 5, 31), "valid"),
        (date(2027, 6, 1), "revoked"),
        (date(2028, 3, 1), "revoked"),  # revoked beats expired
    ],
)
def test_consent_state_when_revoked(day: date, state: str) -> None:
    assert casework.consent_state(consent(revoked=date(2027, 6, 1)), day) == state


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (date(2027, 1, 28), "valid"),  # 31 days left
        (date(2027, 1, 29), "expiring"),  # 30 days left: 2027 has no Feb 29
        (date(2027, 2, 28), "expiring"),
        (date(2027, 3, 1), "expired"),
    ],
)
def test_consent_state_in_a_year_without_a_leap_day(day: date, state: str) -> None:
    c = consent(signed=date(2026, 6, 1), expires=date(2027, 2, 28))
    assert casework.consent_state(c, day) == state


# -- the designated case manager -----------------------------------------------------


def test_reassign_hands_the_client_over_with_a_record_of_it() -> None:
    c = client(cm="st_1")
    updated, assignment = casework.reassign(c, "st_2", date(2027, 1, 31), "Prefers mornings.")
    assert updated.case_manager_id == "st_2"
    assert dataclasses.replace(updated, case_manager_id="st_1") == c
    assert assignment.id.startswith("as_")
    assert (
        assignment.client_id,
        assignment.from_staff_id,
        assignment.to_staff_id,
        assignment.on,
        assignment.note,
    ) == ("cl_a", "st_1", "st_2", date(2027, 1, 31), "Prefers mornings.")


@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
def test_reassign_needs_a_note(note: str) -> None:
    with pytest.raises(ValidationError) as exc:
        casework.reassign(client(), "st_2", date(2027, 1, 31), note)
    assert exc.value.field == "note"


def test_reassign_to_the_same_manager_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        casework.reassign(client(cm="st_1"), "st_1", date(2027, 1, 31), "Handoff.")
    assert exc.value.field == "to_staff_id"
    assert "already" in str(exc.value)


# -- closing and reopening -----------------------------------------------------------


def test_closing_writes_the_checklist_into_the_event() -> None:
    closed, event = close(client(), reason=ClosureReason.NEEDS_MET)
    assert closed.status is ClientStatus.CLOSED
    assert event.id.startswith("ce_")
    assert (
        event.client_id,
        event.kind,
        event.on,
        event.reason,
        event.safety_plan_reviewed,
        event.knows_can_return,
    ) == ("cl_a", CaseEventKind.CLOSED, date(2027, 6, 30), ClosureReason.NEEDS_MET, True, True)


@pytest.mark.parametrize("open_status", [NeedStatus.NEEDED, NeedStatus.IN_PROGRESS])
def test_needs_met_is_refused_while_a_need_is_open(open_status: NeedStatus) -> None:
    needs = [need("nd_1", NeedStatus.MET), need("nd_2", open_status)]
    with pytest.raises(ValidationError) as exc:
        close(client(), reason=ClosureReason.NEEDS_MET, needs=needs)
    assert exc.value.field == "reason"
    assert "1 need is still open" in str(exc.value)
    # The client may still choose to close.
    closed, _event = close(client(), reason=ClosureReason.CLIENT_CHOSE, needs=needs)
    assert closed.status is ClientStatus.CLOSED


def test_needs_met_counts_only_this_clients_open_needs() -> None:
    needs = [
        need("nd_1", NeedStatus.NEEDED),
        need("nd_2", NeedStatus.IN_PROGRESS),
        need("nd_3", NeedStatus.NOT_NEEDED),
        need("nd_4", NeedStatus.DECLINED),
        need("nd_5", NeedStatus.NOT_ASSESSED),
        need("nd_x", NeedStatus.NEEDED, cid="cl_b"),
    ]
    with pytest.raises(ValidationError, match="2 needs are still open"):
        close(client(), reason=ClosureReason.NEEDS_MET, needs=needs)
    closed, _event = close(client(), reason=ClosureReason.NEEDS_MET, needs=needs[2:])
    assert closed.status is ClientStatus.CLOSED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"safety_plan_reviewed": False}, "safety_plan_reviewed"),
        ({"knows_can_return": False}, "knows_can_return"),
        ({"reason": None}, "reason"),
        ({"note": "  "}, "note"),
    ],
)
def test_closing_needs_every_checklist_item(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        close(client(), **changes)
    assert exc.value.field == field


def test_a_closed_case_cannot_be_closed_again() -> None:
    with pytest.raises(ValidationError) as exc:
        close(client(ClientStatus.CLOSED))
    assert exc.value.field == "status"
    assert "already closed" in str(exc.value)


def test_a_case_on_hold_can_be_closed() -> None:
    closed, _event = close(client(ClientStatus.ON_HOLD))
    assert closed.status is ClientStatus.CLOSED


def test_reopening_needs_a_reason_and_makes_the_case_active() -> None:
    reopened, event = casework.reopen_case(
        client(ClientStatus.CLOSED), on=date(2028, 2, 29), reason="Called back about housing."
    )
    assert reopened.status is ClientStatus.ACTIVE
    assert (event.kind, event.on, event.note, event.reason) == (
        CaseEventKind.REOPENED,
        date(2028, 2, 29),
        "Called back about housing.",
        None,
    )
    assert (event.safety_plan_reviewed, event.knows_can_return) == (False, False)
    with pytest.raises(ValidationError) as exc:
        casework.reopen_case(client(ClientStatus.CLOSED), on=date(2028, 2, 29), reason=" \n")
    assert exc.value.field == "note"


@pytest.mark.parametrize("status", [ClientStatus.ACTIVE, ClientStatus.ON_HOLD])
def test_only_a_closed_case_can_be_reopened(status: ClientStatus) -> None:
    with pytest.raises(ValidationError) as exc:
        casework.reopen_case(client(status), on=date(2027, 1, 31), reason="Back again.")
    assert exc.value.field == "status"


def test_close_then_reopen_round_trip() -> None:
    closed, first = close(client(), on=date(2027, 12, 31))
    reopened, second = casework.reopen_case(closed, on=date(2028, 1, 1), reason="New need.")
    assert reopened == client()
    assert first.kind is CaseEventKind.CLOSED
    assert second.kind is CaseEventKind.REOPENED


def test_moves_cannot_be_dated_before_the_case_began_or_closed() -> None:
    c = client()  # intake 2026-01-05
    with pytest.raises(ValidationError) as reassigning:
        casework.reassign(c, "st_2", date(2026, 1, 4), "Handoff")
    assert reassigning.value.field == "on"
    with pytest.raises(ValidationError) as closing:
        close(c, on=date(2026, 1, 4))
    assert closing.value.field == "on"
    closed, event = close(c)  # closed 2027-06-30
    assert casework.last_closed_on([event]) == date(2027, 6, 30)
    with pytest.raises(ValidationError) as reopening:
        casework.reopen_case(closed, on=date(2027, 6, 29), reason="Back", closed_on=event.on)
    assert "before the case was closed (2027-06-30)" in reopening.value.problem
    reopened, _ = casework.reopen_case(
        closed, on=date(2027, 6, 30), reason="Back", closed_on=event.on
    )
    assert reopened.status is ClientStatus.ACTIVE
