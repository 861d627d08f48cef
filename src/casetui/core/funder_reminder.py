"""A gentle reminder of the funders' questions, for a client who came to the agency lately.

Nothing here is ever required: a client may decline every question, and help never
depends on an answer. "Declined to answer" and "not reported" are answers, so a
client who gave them is not reminded about. The reminder is only for a client whose
intake was in the last :data:`NEW_CLIENT_DAYS` days and none of whose funder fields
holds anything yet; it is a note, never counted as something to do (Today) or as a
requirement not met (accreditation readiness).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from casetui.core.choices import ClientStatus
from casetui.core.funder_catalog import PERSON_FIELDS
from casetui.core.records import Client

#: How long after intake the reminder is shown: after that, the case manager has
#: had every chance, and the client may have chosen not to say.
NEW_CLIENT_DAYS = 30
#: The client fields the funders' questions fill (funding sources are the agency's
#: own bookkeeping, not a question for the client).
FUNDER_FIELDS: tuple[str, ...] = tuple(choices.field for choices in PERSON_FIELDS)
#: The reminder, in full (the questions are on the client's Profile tab).
FUNDER_NOTE = "Funders' questions not asked yet (optional)"


def funder_questions_unasked(client: Client, as_of: date) -> bool:
    """Whether ``client``, not closed, came in within the last 30 days (``as_of`` and
    the 29 days before it, as "this week" is today and the six days after) and has
    nothing in any funder field yet."""
    since = (as_of - client.intake_date).days
    if client.status is ClientStatus.CLOSED or not 0 <= since < NEW_CLIENT_DAYS:
        return False
    return not any(getattr(client, name) for name in FUNDER_FIELDS)


@dataclass(frozen=True, slots=True)
class FunderReminder:
    """One new client the funders' questions have not been asked of yet."""

    client_id: str
    intake_date: date
    #: For ordering: the preferred name, folded.
    name_key: str = ""

    @property
    def text(self) -> str:
        return FUNDER_NOTE


def funder_reminders(clients: Iterable[Client], as_of: date) -> list[FunderReminder]:
    """The reminders for ``clients`` on ``as_of``, the earliest intake first (the one
    whose 30 days end soonest)."""
    found = [
        FunderReminder(c.id, c.intake_date, c.preferred_name.casefold())
        for c in clients
        if funder_questions_unasked(c, as_of)
    ]
    found.sort(key=lambda r: (r.intake_date, r.name_key, r.client_id))
    return found
