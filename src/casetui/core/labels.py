"""How a client is named where their name should not appear.

A client chooses (or is given) a short calendar code; without one, their
initials stand in. The same label is used in an exported calendar and on a
screen that is being shared, so a client is known by one label everywhere.
"""

from __future__ import annotations

from casetui.core.text import sanitise

#: The label of a client whose name has no letter or digit to take initials from.
NO_INITIALS = "Client"


def initials(name: str) -> str:
    """Initials such as R.Q. for Rosa Quintana: each word's first letter or digit, uppercased."""
    letters = []
    for word in sanitise(name, multiline=False).split():
        first = next((ch for ch in word if ch.isalnum()), None)
        if first is not None:
            letters.append(first.upper()[0])
    return "".join(f"{letter}." for letter in letters) or NO_INITIALS


def code_or_initials(preferred_name: str, calendar_code: str) -> str:
    """The client's calendar code, or their initials when they have none."""
    code = sanitise(calendar_code, multiline=False)
    return code or initials(preferred_name)
