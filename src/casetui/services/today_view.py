"""Today's list: what needs doing today, for one case manager or for everyone, and the
gentle reminders shown quietly after it (see :mod:`casetui.core.funder_reminder`)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from casetui.core.case_rules import EXPIRING_WITHIN_DAYS
from casetui.core.choices import OPEN_REFERRAL_STATUSES, ClientStatus, LegalKind
from casetui.core.funder_reminder import NEW_CLIENT_DAYS, FunderReminder, funder_reminders
from casetui.core.private_records import Consent, LegalMatter
from casetui.core.records import Meeting, Referral
from casetui.core.today import DEFAULT_STALLED_AFTER_DAYS, TodayItem, today_items

if TYPE_CHECKING:
    from casetui.vault.repository import Repository


def today(
    repo: Repository,
    as_of: date,
    *,
    staff_id: str | None,
    stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS,
    now: time | None = None,
) -> list[TodayItem]:
    """Today's list for one case manager's clients and time, or for everyone's clients.

    ``now``, the time of day, leaves out meetings already held today.
    """
    with repo.mutex:
        if staff_id is None:
            candidates = [
                (cid, raw)
                for cid, raw in repo.clients.raw().items()
                if raw.get("status") != ClientStatus.CLOSED.value
            ]
        else:
            candidates = [
                (cid, raw)
                for cid, raw in repo.clients.raw_children(staff_id)
                if raw.get("status") != ClientStatus.CLOSED.value
            ]
        clients = [repo.clients.build(cid, raw) for cid, raw in candidates]
        contacts = {c.id: repo.summary(c.id, as_of).contact for c in clients}
        meetings: list[Meeting] = []
        referrals: list[Referral] = []
        consents: list[Consent] = []
        legal: list[LegalMatter] = []
        # Build only the records a rule could list: building one validates every
        # field, which costs far more than these string tests on the raw rows.
        day = as_of.isoformat()
        horizon = (as_of + timedelta(days=EXPIRING_WITHIN_DAYS)).isoformat()
        open_statuses = {s.value for s in OPEN_REFERRAL_STATUSES}
        for client in clients:
            meetings += [
                repo.meetings.build(mid, raw)
                for mid, raw in repo.meetings.raw_children(client.id)
                if raw.get("on", "") >= day
            ]
            referrals += [
                repo.referrals.build(rid, raw)
                for rid, raw in repo.referrals.raw_children(client.id)
                if raw.get("status") in open_statuses
            ]
            theirs = list(repo.consents.raw_children(client.id))
            if any(str(raw.get("expires_on", "")) <= horizon for _cid, raw in theirs):
                consents += [repo.consents.build(cid, raw) for cid, raw in theirs]
            legal += [
                repo.legal_matters.build(lid, raw)
                for lid, raw in repo.legal_matters.raw_children(client.id)
                if raw.get("kind") == LegalKind.COURT_DATE.value and raw.get("on", "") >= day
            ]
        blocks = repo.admin_blocks.for_parent(staff_id) if staff_id else []
    return today_items(
        as_of,
        now=now,
        clients=clients,
        contacts=contacts,
        meetings=meetings,
        referrals=referrals,
        consents=consents,
        legal_matters=legal,
        blocks=blocks,
        stalled_after_days=stalled_after_days,
    )


def reminders(repo: Repository, as_of: date, *, staff_id: str | None) -> list[FunderReminder]:
    """New clients (one case manager's, or everyone's) not yet asked the funders'
    questions: optional, so never part of :func:`today`'s list of things to do."""
    since = (as_of - timedelta(days=NEW_CLIENT_DAYS - 1)).isoformat()
    day = as_of.isoformat()
    with repo.mutex:
        rows = (
            repo.clients.raw().items() if staff_id is None else repo.clients.raw_children(staff_id)
        )
        # Build only the recent clients: building validates every field.
        clients = [
            repo.clients.build(cid, raw)
            for cid, raw in rows
            if raw.get("status") != ClientStatus.CLOSED.value
            and since <= str(raw.get("intake_date", "")) <= day
        ]
    return funder_reminders(clients, as_of)
