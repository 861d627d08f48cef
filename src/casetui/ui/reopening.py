"""Which action opened a form, and the typed draft waiting for the next form made.

The app notes the action it is running (:data:`OPENING`); a form made during it asks
:func:`form_opened_by`, so that after a lock it can be opened again the same way, and
takes a draft with :func:`claim_draft`. A small module of its own so that the form
screen needs nothing of ``resume``, which opens screens again after a lock.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

#: The action ran on the client tab's pane, or on the screen itself.
ON_PANE = "pane"
ON_SCREEN = "screen"
#: The actions run again after a lock: each only opens a form (or asks first), and
#: changes nothing by itself. A draft names its action, and a draft is only as
#: trustworthy as the folder it was kept in: nothing else is ever run from one.
FORM_ACTIONS = frozenset(
    {"add", "edit", "note", "custom", "progress", "update", "renew", "reassign", "new_client"}
)

#: The action the app is running now, and where: a form made during it can be reopened.
OPENING: ContextVar[tuple[str, str] | None] = ContextVar("casetui_opening", default=None)
#: Typed contents waiting for the next form to be made (one draft, taken once). A
#: plain global: it may be taken by a form made after a question the action asked.
_waiting: list[dict[str, Any]] = []


#: An action that asked a question before its form ("Open the safety plan for
#: editing?"): the form made after the answer was opened by it.
_asked: list[tuple[str, str]] = []


def note_asked(how: tuple[str, str] | None) -> None:
    """The running action ended on a question; ``None`` forgets an earlier one."""
    _asked[:] = [] if how is None else [how]


def form_opened_by() -> tuple[str, str] | None:
    """For a form being made: the action opening it, or the one whose question led here."""
    how = OPENING.get()
    if how is None and _asked:
        how = _asked.pop()
    return how


def claim_draft() -> dict[str, Any] | None:
    """For a form being made: the draft waiting for it, taken so no other form gets it."""
    return _waiting.pop() if _waiting else None


def offer_draft(values: dict[str, Any]) -> None:
    """Leave ``values`` for the next form made (see :func:`claim_draft`)."""
    _waiting[:] = [values]


def draft_taken() -> bool:
    """Whether the draft offered has been taken by a form (or none is waiting)."""
    return not _waiting


def forget_draft() -> None:
    """Take back a draft no form took."""
    _waiting.clear()
