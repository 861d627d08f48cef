"""The case's moves, as pure functions: referral steps, consents, handoffs, closing.

Each function takes records and a day and returns the new records to store, or
raises :class:`~casetui.core.errors.ValidationError` with one sentence. The
repository writes what comes back in one step, so a move is never half-made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from casetui.core.choices import (
    OPEN_NEED_STATUSES,
    REFERRAL_PATH,
    CaseEventKind,
    ClientStatus,
    ClosureReason,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.errors import ValidationError
from casetui.core.fields import StatusChange
from casetui.core.history_records import Assignment, CaseEvent
from casetui.core.private_records import Consent
from casetui.core.records import Client, NeedItem, Referral
from casetui.core.text import plural

#: Consents that end within this many days are flagged as expiring.
EXPIRING_WITHIN_DAYS = 30

# -- referrals ----------------------------------------------------------------------


def new_referral(
    *,
    client_id: str,
    partner_id: str,
    service: ServiceKind,
    on: date,
    status: ReferralStatus = ReferralStatus.PLANNED,
    need_id: str | None = None,
    goal_id: str | None = None,
    accompaniment: bool = False,
    transport: bool = False,
    follow_up_on: date | None = None,
    note: str = "",
) -> Referral:
    """A new referral whose history starts with ``status`` on ``on``."""
    if follow_up_on is not None and follow_up_on < on:
        raise ValidationError("follow_up_on", "is before the referral was made.")
    return Referral.create(
        client_id=client_id,
        partner_id=partner_id,
        service=service,
        need_id=need_id,
        goal_id=goal_id,
        accompaniment=accompaniment,
        transport=transport,
        follow_up_on=follow_up_on,
        status=status,
        history=(StatusChange(on, status, ""),),
        note=note,
    )


def next_on_path(status: ReferralStatus) -> ReferralStatus | None:
    """The next step on planned → referred → scheduled → attending → completed.

    A stalled, declined or unavailable referral picks up again at "referred".
    Completed has no next step.
    """
    if status in REFERRAL_PATH:
        index = REFERRAL_PATH.index(status)
        return REFERRAL_PATH[index + 1] if index + 1 < len(REFERRAL_PATH) else None
    return ReferralStatus.REFERRED


def change_status(
    referral: Referral,
    status: ReferralStatus,
    on: date,
    note: str = "",
    follow_up_on: date | None = None,
) -> Referral:
    """The referral with ``status`` from ``on``, the change added to its history.

    Giving the current status again records a follow-up: nothing changed, but
    somebody checked, so the referral no longer counts as stalled. A change on or
    after the follow-up date is that follow-up, so without a new date the old one
    is cleared; a change before it keeps it.
    """
    if on < referral.last_update:
        raise ValidationError(
            "on", f"is before the last change ({referral.last_update.isoformat()})."
        )
    if follow_up_on is not None and follow_up_on < on:
        raise ValidationError("follow_up_on", "is before the day of this change.")
    if follow_up_on is None and referral.follow_up_on is not None and referral.follow_up_on > on:
        follow_up_on = referral.follow_up_on
    return dataclasses.replace(
        referral,
        status=status,
        history=(*referral.history, StatusChange(on, status, note)),
        follow_up_on=follow_up_on,
    )


def need_to_mark_met(referral: Referral, need: NeedItem | None) -> bool:
    """Whether completing ``referral`` should offer to mark its linked need met."""
    return (
        referral.status is ReferralStatus.COMPLETED
        and need is not None
        and need.id == referral.need_id
        and need.status is not NeedStatus.MET
    )


def mark_need_met(need: NeedItem, on: date) -> NeedItem:
    return dataclasses.replace(need, status=NeedStatus.MET, status_date=on)


# -- consents -----------------------------------------------------------------------


def valid_consent(consents: Iterable[Consent], partner_id: str, day: date) -> Consent | None:
    """The consent on file for sharing with ``partner_id`` on ``day``, if any.

    When several are valid, the one that lasts longest is returned.
    """
    valid = [c for c in consents if c.partner_id == partner_id and c.valid_on(day)]
    return max(valid, key=lambda c: (c.expires_on, c.id), default=None)


def consent_state(consent: Consent, day: date) -> str:
    """'revoked', 'not yet signed', 'expired', 'expiring' or 'valid' on ``day``."""
    if consent.revoked_on is not None and day >= consent.revoked_on:
        return "revoked"
    if day < consent.signed_on:
        return "not yet signed"
    if day > consent.expires_on:
        return "expired"
    if (consent.expires_on - day).days <= EXPIRING_WITHIN_DAYS:
        return "expiring"
    return "valid"


def revoke(consent: Consent, on: date, note: str = "") -> Consent:
    if consent.revoked_on is not None:
        raise ValidationError("revoked_on", "this consent was already revoked.")
    return dataclasses.replace(consent, revoked_on=on, revocation_note=note)


# -- the designated case manager ----------------------------------------------------


def reassign(client: Client, to_staff_id: str, on: date, note: str) -> tuple[Client, Assignment]:
    """Hand ``client`` to another case manager: the updated client and the record of it."""
    if to_staff_id == client.case_manager_id:
        raise ValidationError("to_staff_id", "is already the client's case manager.")
    if on < client.intake_date:
        raise ValidationError("on", "is before the client's intake date.")
    if not note.strip():
        raise ValidationError(
            "note", "is required: a few words for the new case manager about the handoff."
        )
    assignment = Assignment.create(
        client_id=client.id,
        from_staff_id=client.case_manager_id,
        to_staff_id=to_staff_id,
        on=on,
        note=note,
    )
    return dataclasses.replace(client, case_manager_id=to_staff_id), assignment


# -- closing and reopening ----------------------------------------------------------


def close_case(
    client: Client,
    *,
    on: date,
    reason: ClosureReason | None,
    safety_plan_reviewed: bool,
    knows_can_return: bool,
    note: str,
    needs: Iterable[NeedItem] = (),
) -> tuple[Client, CaseEvent]:
    """Close the case after its checklist. Returns the closed client and the event."""
    if client.status is ClientStatus.CLOSED:
        raise ValidationError("status", "this case is already closed.")
    if on < client.intake_date:
        raise ValidationError("on", "is before the client's intake date.")
    open_needs = [n for n in needs if n.client_id == client.id and n.status in OPEN_NEED_STATUSES]
    if reason is ClosureReason.NEEDS_MET and open_needs:
        count = len(open_needs)
        raise ValidationError(
            "reason",
            f"{count} need{'s are' if count != 1 else ' is'} still open; update the needs "
            "first, or choose that the client chose to close.",
        )
    event = CaseEvent.create(
        client_id=client.id,
        kind=CaseEventKind.CLOSED,
        on=on,
        reason=reason,
        safety_plan_reviewed=safety_plan_reviewed,
        knows_can_return=knows_can_return,
        note=note,
    )
    return dataclasses.replace(client, status=ClientStatus.CLOSED), event


def reopen_case(
    client: Client, *, on: date, reason: str, closed_on: date | None = None
) -> tuple[Client, CaseEvent]:
    """Reopen a closed case (on or after the day it closed). The reason is required."""
    if client.status is not ClientStatus.CLOSED:
        raise ValidationError("status", "only a closed case can be reopened.")
    if closed_on is not None and on < closed_on:
        raise ValidationError("on", f"is before the case was closed ({closed_on.isoformat()}).")
    if not reason.strip():
        raise ValidationError("note", "is required: why the case is reopening.")
    event = CaseEvent.create(client_id=client.id, kind=CaseEventKind.REOPENED, on=on, note=reason)
    return dataclasses.replace(client, status=ClientStatus.ACTIVE), event


def last_closed_on(events: Iterable[CaseEvent]) -> date | None:
    """The day of the most recent closing among ``events``, if any."""
    days = [e.on for e in events if e.kind is CaseEventKind.CLOSED]
    return max(days, default=None)


# -- wording ------------------------------------------------------------------------

_STATUS_SENTENCES = {
    ReferralStatus.PLANNED: "Referral marked as planned.",
    ReferralStatus.REFERRED: "Referral marked as referred.",
    ReferralStatus.SCHEDULED: "Referral marked as scheduled.",
    ReferralStatus.ATTENDING: "Referral marked as attending.",
    ReferralStatus.COMPLETED: "Referral marked as completed.",
    ReferralStatus.DECLINED: "Referral marked as declined by the client.",
    ReferralStatus.UNAVAILABLE: "Referral marked: the service is unavailable.",
    ReferralStatus.STALLED: "Referral marked as stalled.",
}


def status_sentence(before: ReferralStatus, after: ReferralStatus) -> str:
    """What to tell the person after a referral moved from ``before`` to ``after``."""
    if before is after:
        return "Follow-up recorded; the status stays the same."
    return _STATUS_SENTENCES[after]


def days_ago(days: int) -> str:
    """``today``, ``yesterday``, ``3 days ago``; a day ahead reads ``in 2 days``."""
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days == -1:
        return "tomorrow"
    return f"{plural(days, 'day')} ago" if days > 0 else f"in {plural(-days, 'day')}"


_SENTENCE_ENDS = (".", "!", "?", "…")


def join_phrases(items: Iterable[str]) -> str:
    """Several short texts on one line, read as they were written.

    Phrases join with "; ". When any of them is a sentence (ends in ".", "!", "?"),
    each becomes a sentence and they follow one another, so a full stop is never
    followed by a semicolon ("feel safe.; Sleep").
    """
    parts = [" ".join(item.split()).rstrip(";, ") for item in items]
    parts = [p for p in parts if p]
    if not any(p.endswith(_SENTENCE_ENDS) for p in parts):
        return "; ".join(parts)
    return " ".join(p if p.endswith(_SENTENCE_ENDS) else p + "." for p in parts)
