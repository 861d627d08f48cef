"""Case moves on a real vault: several records written as one change, or none."""

from __future__ import annotations

import dataclasses
from datetime import date, time

import pytest

from casetui.core import case_rules as casework
from casetui.core.choices import (
    CaseEventKind,
    ClientStatus,
    ClosureReason,
    LegalEngagement,
    LegalKind,
    LegalStatus,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.errors import ValidationError, VaultError
from casetui.core.fields import StatusChange
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan, StrengthsAssessment
from casetui.core.records import (
    AdminBlock,
    Client,
    Goal,
    Meeting,
    NeedItem,
    Partner,
    Referral,
    Staff,
)
from casetui.core.rules import ContactSummary
from casetui.core.today import Section
from casetui.services import caseload_view, today_view
from casetui.services import casework as casework_service
from casetui.vault.tables import RecordInUse, RecordMissing
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles

AS_OF = date(2027, 1, 31)


def me(vault: Vault) -> str:
    staff_id = vault.owner_staff_id
    assert staff_id is not None
    return staff_id


def add_staff(vault: Vault, name: str = "Daniel Riverstone") -> Staff:
    return vault.repo.staff.add(Staff.create(name=name))


def add_client(
    vault: Vault,
    name: str = "Farah Willowmere",
    *,
    staff_id: str | None = None,
    intake: date = date(2027, 1, 3),
    **extra: object,
) -> Client:
    return vault.repo.clients.add(
        Client.create(
            preferred_name=name,
            intake_date=intake,
            case_manager_id=staff_id or me(vault),
            **extra,
        )
    )


def add_partner(vault: Vault, name: str = "Harbourlight Housing") -> Partner:
    return vault.repo.partners.add(Partner.create(name=name, kind=ServiceKind.HOUSING))


def add_need(vault: Vault, client_id: str, status: NeedStatus = NeedStatus.NEEDED) -> NeedItem:
    return vault.repo.needs.add(
        NeedItem.create(
            client_id=client_id,
            catalog_key="food",
            label="Food",
            horizon="short_term",
            domain="physical",
            status=status,
        )
    )


def add_referral(
    vault: Vault,
    client_id: str,
    partner_id: str,
    *,
    need_id: str | None = None,
    status: ReferralStatus = ReferralStatus.ATTENDING,
    on: date = date(2027, 1, 10),
) -> Referral:
    return vault.repo.referrals.add(
        casework.new_referral(
            client_id=client_id,
            partner_id=partner_id,
            service=ServiceKind.HOUSING,
            on=on,
            status=status,
            need_id=need_id,
        )
    )


def add_consent(vault: Vault, client_id: str, partner_id: str) -> Consent:
    return vault.repo.consents.add(
        Consent.create(
            client_id=client_id,
            partner_id=partner_id,
            shares="Name and phone number",
            purpose="Housing application",
            signed_on=date(2027, 1, 10),
            expires_on=date(2027, 7, 10),
        )
    )


# -- put_all -------------------------------------------------------------------------


def test_put_all_writes_nothing_when_one_reference_is_bad(vault: Vault) -> None:
    assert not vault.dirty
    client = Client.create(
        preferred_name="Nia Bell", intake_date=date(2027, 1, 3), case_manager_id=me(vault)
    )
    partner = Partner.create(name="Harbourlight Housing")
    bad = Goal.create(client_id="cl_nobody", text="I want to rest.")
    with pytest.raises(RecordMissing, match="refers to a client that does not exist"):
        vault.repo.put_all([client, partner, bad])
    assert client.id not in vault.repo.clients
    assert partner.id not in vault.repo.partners
    assert len(vault.repo.clients) == 0
    assert len(vault.repo.partners) == 0
    assert not vault.dirty


def test_put_all_writes_updates_and_new_records_together(vault: Vault) -> None:
    client = add_client(vault)
    partner = add_partner(vault)
    need = add_need(vault, client.id)
    referral = casework.new_referral(
        client_id=client.id,
        partner_id=partner.id,
        service=ServiceKind.HOUSING,
        on=AS_OF,
        need_id=need.id,
    )
    vault.repo.put_all(
        [dataclasses.replace(client, interpreter_needed=True, language="Tigrinya"), referral]
    )
    assert vault.repo.clients.require(client.id).language == "Tigrinya"
    assert vault.repo.referrals.require(referral.id) == referral
    assert vault.dirty


def test_a_referral_to_another_clients_need_is_refused(vault: Vault) -> None:
    mine = add_client(vault)
    theirs = add_client(vault, "Other Person")
    partner = add_partner(vault)
    need = add_need(vault, theirs.id)
    referral = casework.new_referral(
        client_id=mine.id,
        partner_id=partner.id,
        service=ServiceKind.HOUSING,
        on=AS_OF,
        need_id=need.id,
    )
    with pytest.raises(RecordMissing, match="belongs to another client"):
        vault.repo.put_all([referral])
    assert len(vault.repo.referrals) == 0


# -- reassigning ---------------------------------------------------------------------


def test_reassign_writes_the_assignment_and_moves_the_caseload(vault: Vault) -> None:
    other = add_staff(vault)
    client = add_client(vault)
    add_client(vault, "Stays Here")
    assert (
        caseload_view.capacity(vault.repo, me(vault)).count,
        caseload_view.capacity(vault.repo, other.id).count,
    ) == (2, 0)

    updated = casework_service.reassign(
        vault.repo, client.id, other.id, AS_OF, "Prefers texts after 5pm."
    )

    assert updated.case_manager_id == other.id
    assert vault.repo.clients.require(client.id) == updated
    [assignment] = vault.repo.assignments.for_parent(client.id)
    assert (
        assignment.from_staff_id,
        assignment.to_staff_id,
        assignment.on,
        assignment.note,
    ) == (me(vault), other.id, AS_OF, "Prefers texts after 5pm.")
    assert (
        caseload_view.capacity(vault.repo, me(vault)).count,
        caseload_view.capacity(vault.repo, other.id).count,
    ) == (1, 1)
    assert [r.client.id for r in caseload_view.caseload(vault.repo, AS_OF, staff_id=other.id)] == [
        client.id
    ]
    assert client.id not in {
        r.client.id for r in caseload_view.caseload(vault.repo, AS_OF, staff_id=me(vault))
    }


def test_a_refused_reassignment_changes_nothing(vault: Vault) -> None:
    other = add_staff(vault)
    client = add_client(vault)
    vault.save()
    assert not vault.dirty
    with pytest.raises(ValidationError) as exc:
        casework_service.reassign(vault.repo, client.id, other.id, AS_OF, "  ")
    assert exc.value.field == "note"
    with pytest.raises(ValidationError) as exc:
        casework_service.reassign(vault.repo, client.id, me(vault), AS_OF, "Back to me.")
    assert exc.value.field == "to_staff_id"
    with pytest.raises(RecordMissing):
        casework_service.reassign(vault.repo, client.id, "st_nobody", AS_OF, "Handoff.")
    assert not vault.dirty
    assert vault.repo.clients.require(client.id) == client
    assert len(vault.repo.assignments) == 0


# -- closing and reopening -----------------------------------------------------------


def test_close_and_reopen_write_case_events_and_change_the_status(vault: Vault) -> None:
    client = add_client(vault)
    add_need(vault, client.id, NeedStatus.MET)
    assert caseload_view.capacity(vault.repo, me(vault)).count == 1

    closed = casework_service.close_case(
        vault.repo,
        client.id,
        on=date(2027, 6, 30),
        reason=ClosureReason.NEEDS_MET,
        safety_plan_reviewed=True,
        knows_can_return=True,
        note="Settled in her own flat.",
    )
    assert closed.status is ClientStatus.CLOSED
    assert vault.repo.clients.require(client.id).status is ClientStatus.CLOSED
    [event] = vault.repo.case_events.for_parent(client.id)
    assert (event.kind, event.on, event.reason, event.note) == (
        CaseEventKind.CLOSED,
        date(2027, 6, 30),
        ClosureReason.NEEDS_MET,
        "Settled in her own flat.",
    )
    assert caseload_view.capacity(vault.repo, me(vault)).count == 0

    reopened = casework_service.reopen_case(
        vault.repo, client.id, on=date(2027, 9, 1), reason="Needs housing again."
    )
    assert reopened.status is ClientStatus.ACTIVE
    assert vault.repo.clients.require(client.id).status is ClientStatus.ACTIVE
    events = sorted(vault.repo.case_events.for_parent(client.id), key=lambda e: e.on)
    assert [(e.kind, e.on, e.note) for e in events] == [
        (CaseEventKind.CLOSED, date(2027, 6, 30), "Settled in her own flat."),
        (CaseEventKind.REOPENED, date(2027, 9, 1), "Needs housing again."),
    ]
    assert caseload_view.capacity(vault.repo, me(vault)).count == 1


def test_closing_as_needs_met_with_an_open_need_changes_nothing(vault: Vault) -> None:
    client = add_client(vault)
    add_need(vault, client.id, NeedStatus.IN_PROGRESS)
    vault.save()
    with pytest.raises(ValidationError, match="1 need is still open"):
        casework_service.close_case(
            vault.repo,
            client.id,
            on=AS_OF,
            reason=ClosureReason.NEEDS_MET,
            safety_plan_reviewed=True,
            knows_can_return=True,
            note="Done.",
        )
    assert vault.repo.clients.require(client.id).status is ClientStatus.ACTIVE
    assert len(vault.repo.case_events) == 0
    with pytest.raises(ValidationError, match="only a closed case"):
        casework_service.reopen_case(vault.repo, client.id, on=AS_OF, reason="Why not.")
    assert len(vault.repo.case_events) == 0
    assert not vault.dirty


# -- referrals -----------------------------------------------------------------------


def test_completing_a_referral_marks_its_need_met_only_when_asked(vault: Vault) -> None:
    client = add_client(vault)
    partner = add_partner(vault)
    need = add_need(vault, client.id)
    first = add_referral(vault, client.id, partner.id, need_id=need.id)

    done = casework_service.change_referral_status(
        vault.repo, first.id, ReferralStatus.COMPLETED, date(2027, 1, 20), "Moved in."
    )
    assert vault.repo.referrals.require(first.id) == done
    assert done.history[-1] == StatusChange(
        date(2027, 1, 20), ReferralStatus.COMPLETED, "Moved in."
    )
    assert vault.repo.needs.require(need.id).status is NeedStatus.NEEDED

    second = add_referral(vault, client.id, partner.id, need_id=need.id)
    casework_service.change_referral_status(
        vault.repo, second.id, ReferralStatus.COMPLETED, date(2027, 1, 25), mark_need_met=True
    )
    stored = vault.repo.needs.require(need.id)
    assert (stored.status, stored.status_date) == (NeedStatus.MET, date(2027, 1, 25))


def test_mark_need_met_leaves_the_need_alone_until_the_referral_is_completed(
    vault: Vault,
) -> None:
    client = add_client(vault)
    partner = add_partner(vault)
    need = add_need(vault, client.id)
    referral = add_referral(
        vault, client.id, partner.id, need_id=need.id, status=ReferralStatus.REFERRED
    )
    moved = casework_service.change_referral_status(
        vault.repo,
        referral.id,
        ReferralStatus.SCHEDULED,
        date(2027, 1, 20),
        follow_up_on=date(2027, 2, 3),
        mark_need_met=True,
    )
    assert (moved.status, moved.follow_up_on) == (ReferralStatus.SCHEDULED, date(2027, 2, 3))
    assert vault.repo.needs.require(need.id) == need
    # A referral without a need completes without touching any need.
    plain = add_referral(vault, client.id, partner.id)
    casework_service.change_referral_status(
        vault.repo, plain.id, ReferralStatus.COMPLETED, date(2027, 1, 20), mark_need_met=True
    )
    assert vault.repo.needs.require(need.id) == need


def test_a_backdated_referral_change_is_refused_and_not_written(vault: Vault) -> None:
    client = add_client(vault)
    partner = add_partner(vault)
    referral = add_referral(vault, client.id, partner.id, on=date(2027, 1, 10))
    with pytest.raises(ValidationError) as exc:
        casework_service.change_referral_status(
            vault.repo, referral.id, ReferralStatus.COMPLETED, date(2027, 1, 9)
        )
    assert exc.value.field == "on"
    assert vault.repo.referrals.require(referral.id) == referral


# -- safety plans and partners -------------------------------------------------------


def test_one_safety_plan_per_client(vault: Vault) -> None:
    client = add_client(vault)
    other = add_client(vault, "Other Person")
    assert caseload_view.safety_plan_for(vault.repo, client.id) is None
    plan = vault.repo.safety_plans.add(
        SafetyPlan.create(client_id=client.id, main_concern="Being found at work")
    )
    assert caseload_view.safety_plan_for(vault.repo, client.id) == plan
    with pytest.raises(VaultError, match="already has a safety plan"):
        vault.repo.safety_plans.add(SafetyPlan.create(client_id=client.id))
    with pytest.raises(VaultError, match="already has a safety plan"):
        vault.repo.put_all([SafetyPlan.create(client_id=client.id)])
    assert len(vault.repo.safety_plans) == 1
    # Editing the plan is fine, and another client may have their own.
    reviewed = dataclasses.replace(plan, reviewed_on=AS_OF, developed_with_client=True)
    vault.repo.safety_plans.put(reviewed)
    assert caseload_view.safety_plan_for(vault.repo, client.id) == reviewed
    theirs = vault.repo.safety_plans.add(SafetyPlan.create(client_id=other.id))
    assert caseload_view.safety_plan_for(vault.repo, other.id) == theirs


def test_a_partner_with_referrals_or_consents_cannot_be_removed(vault: Vault) -> None:
    client = add_client(vault)
    with_referral = add_partner(vault, "Has a referral")
    with_consent = add_partner(vault, "Has a consent")
    unused = add_partner(vault, "Unused")
    add_referral(vault, client.id, with_referral.id)
    add_consent(vault, client.id, with_consent.id)
    with pytest.raises(RecordInUse, match="this partner; its referrals and consents"):
        vault.repo.partners.remove(with_referral.id)
    with pytest.raises(RecordInUse, match="this partner"):
        vault.repo.partners.remove(with_consent.id)
    assert with_referral.id in vault.repo.partners
    assert with_consent.id in vault.repo.partners
    assert vault.repo.partners.remove(unused.id)
    assert unused.id not in vault.repo.partners


def test_a_client_with_a_referral_or_a_case_event_cannot_be_removed(vault: Vault) -> None:
    client = add_client(vault)
    casework_service.close_case(
        vault.repo,
        client.id,
        on=AS_OF,
        reason=ClosureReason.CLIENT_CHOSE,
        safety_plan_reviewed=True,
        knows_can_return=True,
        note="Moving away.",
    )
    with pytest.raises(RecordInUse, match="close the case instead"):
        vault.repo.clients.remove(client.id)


# -- Today ---------------------------------------------------------------------------


def test_today_for_one_case_manager_lists_only_their_clients_and_time(vault: Vault) -> None:
    other = add_staff(vault)
    mine = add_client(vault, "Ana Mine", intake=date(2027, 1, 1))  # due Jan 15: overdue
    theirs = add_client(vault, "Ben Theirs", staff_id=other.id, intake=date(2027, 1, 1))
    gone = add_client(vault, "Cat Closed", intake=date(2027, 1, 1))
    vault.repo.clients.put(dataclasses.replace(gone, status=ClientStatus.CLOSED))
    for client in (mine, theirs, gone):
        vault.repo.meetings.add(Meeting.create(client_id=client.id, on=date(2027, 2, 2)))
    my_block = vault.repo.admin_blocks.add(
        AdminBlock.create(staff_id=me(vault), on=AS_OF, start=time(9), end=time(10))
    )
    vault.repo.admin_blocks.add(
        AdminBlock.create(staff_id=other.id, on=AS_OF, start=time(9), end=time(10))
    )

    items = today_view.today(vault.repo, AS_OF, staff_id=me(vault))
    assert [(i.section, i.client_id, i.record_id) for i in items] == [
        (Section.OVERDUE, mine.id, mine.id),
        (Section.MEETING, mine.id, vault.repo.meetings.for_parent(mine.id)[0].id),
        (Section.TIME_BLOCK, None, my_block.id),
    ]
    assert items[0].detail == "16 days overdue"

    theirs_items = today_view.today(vault.repo, AS_OF, staff_id=other.id)
    assert {i.client_id for i in theirs_items} == {theirs.id, None}
    everyone = today_view.today(vault.repo, AS_OF, staff_id=None)
    assert {i.client_id for i in everyone} == {mine.id, theirs.id}
    assert gone.id not in {i.client_id for i in items + theirs_items + everyone}


def test_today_lists_referrals_consents_and_court_dates_from_the_vault(vault: Vault) -> None:
    client = add_client(vault, legal_engagement=LegalEngagement.ENGAGED)
    vault.repo.meetings.add(
        Meeting.create(client_id=client.id, on=date(2027, 1, 28), next_checkin=date(2027, 2, 20))
    )
    partner = add_partner(vault)
    referral = add_referral(vault, client.id, partner.id, on=date(2027, 1, 10))
    consent = vault.repo.consents.add(
        Consent.create(
            client_id=client.id,
            partner_id=partner.id,
            shares="Name",
            purpose="Housing",
            signed_on=date(2026, 3, 1),
            expires_on=date(2027, 2, 28),
        )
    )
    matter = vault.repo.legal_matters.add(
        LegalMatter.create(
            client_id=client.id,
            kind=LegalKind.COURT_DATE,
            status=LegalStatus.SCHEDULED,
            on=date(2027, 2, 3),
            description="Hearing",
        )
    )
    items = today_view.today(vault.repo, AS_OF, staff_id=me(vault))
    assert [(i.section, i.record_id, i.detail) for i in items] == [
        (Section.COURT_DATE, matter.id, "Hearing (in 3 days)"),
        (Section.REFERRAL, referral.id, "stalled: no update for 21 days"),
        (Section.CONSENT, consent.id, "expires in 28 days"),
    ]
    assert today_view.today(vault.repo, AS_OF, staff_id=me(vault), stalled_after_days=22)[1:] == [
        items[2]
    ]


def test_a_planned_meeting_is_not_contact_for_today_or_the_summary(vault: Vault) -> None:
    client = add_client(vault, intake=date(2026, 12, 1))
    vault.repo.meetings.add(Meeting.create(client_id=client.id, on=date(2027, 1, 10)))
    planned = vault.repo.meetings.add(
        Meeting.create(
            client_id=client.id,
            on=date(2027, 2, 5),
            kind=MeetingKind.CHECK_IN,
            next_checkin=date(2027, 2, 19),
        )
    )
    summary = vault.repo.summary(client.id, AS_OF)
    assert summary.contact == ContactSummary(date(2027, 1, 10), None)
    [row] = caseload_view.caseload(vault.repo, AS_OF, staff_id=me(vault))
    assert (row.last_contact, row.next_checkin, row.days_overdue) == (
        date(2027, 1, 10),
        date(2027, 1, 24),
        7,
    )
    items = today_view.today(vault.repo, AS_OF, staff_id=me(vault))
    assert [(i.section, i.record_id, i.detail) for i in items] == [
        (Section.OVERDUE, client.id, "7 days overdue"),
        (Section.MEETING, planned.id, "Check-in"),
    ]
    # On the day of the planned meeting it counts, and another day is not mixed up.
    assert vault.repo.summary(client.id, date(2027, 2, 5)).contact == ContactSummary(
        date(2027, 2, 5), date(2027, 2, 19)
    )
    assert vault.repo.summary(client.id, AS_OF).contact.last_contact == date(2027, 1, 10)
    # Without a day, every logged meeting counts.
    assert vault.repo.summary(client.id).contact.last_contact == date(2027, 2, 5)


def test_the_summary_follows_a_new_meeting_on_the_same_day(vault: Vault) -> None:
    client = add_client(vault)
    assert vault.repo.summary(client.id, AS_OF).contact == ContactSummary()
    vault.repo.meetings.add(Meeting.create(client_id=client.id, on=date(2027, 1, 30)))
    assert vault.repo.summary(client.id, AS_OF).contact.last_contact == date(2027, 1, 30)


# -- saving --------------------------------------------------------------------------


def test_the_new_tables_survive_save_and_reopen(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        other = add_staff(vault)
        client = add_client(vault, legal_engagement=LegalEngagement.CONSIDERING)
        partner = add_partner(vault)
        need = add_need(vault, client.id)
        referral = add_referral(vault, client.id, partner.id, need_id=need.id)
        referral = casework_service.change_referral_status(
            vault.repo,
            referral.id,
            ReferralStatus.COMPLETED,
            date(2027, 1, 20),
            "Done.",
            mark_need_met=True,
        )
        consent = add_consent(vault, client.id, partner.id)
        strengths = vault.repo.strengths.add(
            StrengthsAssessment.create(client_id=client.id, on=AS_OF, proud_of="My kids.")
        )
        plan = vault.repo.safety_plans.add(
            SafetyPlan.create(client_id=client.id, main_concern="Work", reviewed_on=AS_OF)
        )
        legal = vault.repo.legal_matters.add(
            LegalMatter.create(client_id=client.id, kind=LegalKind.PROTECTIVE_ORDER, on=AS_OF)
        )
        casework_service.reassign(vault.repo, client.id, other.id, AS_OF, "Handoff.")
        casework_service.close_case(
            vault.repo,
            client.id,
            on=date(2027, 2, 1),
            reason=ClosureReason.NEEDS_MET,
            safety_plan_reviewed=True,
            knows_can_return=True,
            note="All done.",
        )
        expected = {
            table.name: sorted(table.all(), key=lambda r: r.id) for table in vault.repo.tables()
        }
        assert vault.save() is not None
    with vault_files.open(writable=False) as vault:
        assert vault.meta["version"] == 4
        for table in vault.repo.tables():
            assert sorted(table.all(), key=lambda r: r.id) == expected[table.name], table.name
        assert vault.repo.referrals.require(referral.id).history == referral.history
        assert vault.repo.needs.require(need.id).status is NeedStatus.MET
        assert vault.repo.consents.require(consent.id) == consent
        assert vault.repo.strengths.require(strengths.id) == strengths
        assert caseload_view.safety_plan_for(vault.repo, client.id) == plan
        assert vault.repo.legal_matters.require(legal.id) == legal
        stored = vault.repo.clients.require(client.id)
        assert (stored.status, stored.case_manager_id) == (ClientStatus.CLOSED, other.id)
        assert len(vault.repo.assignments.for_parent(client.id)) == 1
        assert [e.kind for e in vault.repo.case_events.for_parent(client.id)] == [
            CaseEventKind.CLOSED
        ]
        assert vault.problems() == []


def test_put_all_refuses_two_safety_plans_for_one_client_and_writes_neither(vault: Vault) -> None:
    client = add_client(vault)
    before = vault.repo.storage.generation
    plans = [SafetyPlan.create(client_id=client.id, main_concern=t) for t in ("one", "two")]
    with pytest.raises(VaultError, match="one safety plan per client"):
        vault.repo.put_all(plans)
    assert vault.repo.safety_plans.for_parent(client.id) == []
    assert vault.repo.storage.generation == before


def test_put_all_lets_records_in_one_step_point_at_each_other(vault: Vault) -> None:
    client = Client.create(
        preferred_name="Noor Saltmarsh", intake_date=date(2027, 1, 3), case_manager_id=me(vault)
    )
    goal = Goal.create(client_id=client.id, text="Find a quiet place to study")
    vault.repo.put_all([client, goal])
    assert vault.repo.goals.for_parent(client.id) == [goal]
    orphan = Goal.create(client_id="cl_nobody", text="Nobody's goal")
    with pytest.raises(RecordMissing):
        vault.repo.put_all([orphan])
