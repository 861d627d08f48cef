"""A plain-language judgement of a new passphrase.

The passphrase is the only thing between a lost laptop and survivors' records,
so very weak ones are refused; everything else gets an honest hint. Long phrases
of ordinary words are encouraged over short strings of symbols.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_LENGTH = 8
_COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "qwerty123",
        "qwertyuiop",
        "iloveyou",
        "letmein1",
        "welcome1",
        "changeme",
        "sunshine",
        "football",
        "baseball",
        "trustno1",
        "abc12345",
        "casetui1",
        "casemanager",
    }
)


@dataclass(frozen=True, slots=True)
class Assessment:
    acceptable: bool
    strength: str  # "too weak", "fair", "good", "strong"
    hint: str


def assess(passphrase: str) -> Assessment:
    length = len(passphrase)
    if length < MIN_LENGTH:
        return Assessment(
            False,
            "too weak",
            f"Use at least {MIN_LENGTH} characters; a few unrelated words work well.",
        )
    if passphrase.lower() in _COMMON or len(set(passphrase)) < 4:
        return Assessment(
            False, "too weak", "That passphrase is too easy to guess; try a few unrelated words."
        )
    words = len([w for w in passphrase.replace("-", " ").split() if len(w) >= 3])
    if length >= 20 or (words >= 4 and length >= 16):
        return Assessment(True, "strong", "Strong. Keep it somewhere safe and offline.")
    if length >= 14 or words >= 3:
        return Assessment(True, "good", "Good. Adding another word makes it stronger.")
    return Assessment(True, "fair", "Fair. A longer phrase of four or more words is much stronger.")
