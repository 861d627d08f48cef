"""How a client is named where their name should not appear.

A client chooses (or is given) a short calendar code. The same label is used in
an exported calendar and on a screen that is being shared, so a client is known
by one label everywhere.

A new client is given a neutral code, made at random (see
:func:`new_calendar_code`), when they are added; one without a code yet (from an
import, say) is given it at the first calendar export, and until then is shown
as the code that export will keep (see :func:`neutral_label`). Initials identify
people in a small community, so they are shown only when asked for.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Collection

from casetui.core.text import sanitise

#: Letters and digits of a made code: none easily mistaken for another (no I, O, 0, 1).
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_DIGITS = "23456789"

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


def neutral_label(preferred_name: str, calendar_code: str, client_id: str) -> str:
    """The client's calendar code, or the neutral one made from their id: never initials.

    Made from the client's (random) id, the code is the same in every session,
    read-only ones too, and is the one the first calendar export keeps for them
    (unless another client holds it already).
    """
    code = sanitise(calendar_code, multiline=False)
    return code or new_calendar_code(preferred_name, seed=client_id)


def new_calendar_code(
    preferred_name: str, taken: Collection[str] = (), *, seed: str | None = None
) -> str:
    """A neutral code such as KT-48, made at random: not the client's initials, not taken.

    ``taken`` holds the codes already in use (compared without regard to case).
    ``seed`` (a client's id, itself random) makes the same code each time, so a
    vault open read-only, which cannot keep a code, still shows a stable one.
    """
    own = initials(preferred_name).replace(".", "").upper()
    used = {code.strip().upper() for code in taken}
    # Seeded by a random id, the code still says nothing about the person.
    rng = secrets.SystemRandom() if seed is None else random.Random(seed)  # noqa: S311
    while True:
        letters = "".join(rng.choice(CODE_LETTERS) for _ in range(2))
        digits = "".join(rng.choice(CODE_DIGITS) for _ in range(2))
        code = f"{letters}-{digits}"
        if letters in own or own.startswith(letters[0]) or code in used:
            continue
        return code
