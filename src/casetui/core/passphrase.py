"""A plain-language judgement of a new passphrase.

The passphrase is the only thing between a lost laptop and survivors' records,
so guessable ones are refused; everything else gets an honest hint. Following
NIST SP 800-63B, length counts and composition rules do not: there is a minimum
length, then the zxcvbn estimator judges how guessable the phrase is, against
common passwords, keyboard patterns, dates, and the words a guesser would try
first (casetui, the person's name, the login name, the vault's file name). Long
phrases of ordinary, unrelated words do well.

zxcvbn is imported only when a phrase is judged, so ``casetui --help`` stays light.
"""

from __future__ import annotations

import getpass
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MIN_LENGTH = 8
#: zxcvbn's time grows quickly with length (up to a fifth of a second at 64 mixed
#: symbols), and the first-run screen judges the phrase as it is typed. A phrase
#: whose first 64 characters are hard to guess is hard to guess.
MAX_CHECKED = 64
#: zxcvbn scores 0-4; 3 means about 10^8 to 10^10 guesses, 4 more than that.
ACCEPTED_SCORE = 3
STRONG_SCORE = 4
#: Words tied to the app itself, always tried by a guesser.
APP_WORDS = ("casetui", "case manager", "casemanager")
_MIN_WORD = 3
#: zxcvbn keeps the context words in a module-level table while it runs.
_ESTIMATE_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Assessment:
    acceptable: bool
    strength: str  # "too weak", "fair" or "strong"
    hint: str


def assess(passphrase: str, context: Iterable[str] = ()) -> Assessment:
    """Judge a new passphrase. ``context``: names a guesser could know (owner, vault file)."""
    if len(passphrase) < MIN_LENGTH:
        return Assessment(
            False,
            "too weak",
            f"Use at least {MIN_LENGTH} characters; a few unrelated words work well.",
        )
    result = _estimate(passphrase[:MAX_CHECKED], context_words(context))
    score = int(result.get("score", 0))
    if score < ACCEPTED_SCORE:
        return Assessment(False, "too weak", f"{_weakness(result)}; try a few unrelated words.")
    if score < STRONG_SCORE:
        return Assessment(
            True, "fair", "Fair. Another unrelated word or two makes it much harder to guess."
        )
    return Assessment(True, "strong", "Strong. Keep it somewhere safe and offline.")


def context_words(texts: Iterable[str]) -> list[str]:
    """The words a guesser would try first: casetui, the login name, and ``texts``.

    Each text counts whole, word by word, and with its words run together, so
    "Sam Rivera" also catches "samrivera1" and "Rivera2024".
    """
    words: list[str] = []
    for text in (*APP_WORDS, _login_name(), *texts):
        lowered = text.strip().lower()
        parts = [p for p in re.split(r"[^\w]+|_", lowered) if len(p) >= _MIN_WORD]
        for word in (lowered, "".join(parts), *parts):
            if len(word) >= _MIN_WORD and word not in words:
                words.append(word)
    return words


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _estimate(passphrase: str, words: list[str]) -> Mapping[str, Any]:
    from zxcvbn import zxcvbn  # noqa: PLC0415 - lazy: --help never loads it

    with _ESTIMATE_LOCK:
        result: Mapping[str, Any] = zxcvbn(passphrase, user_inputs=words, max_length=MAX_CHECKED)
    return result


def _weakness(result: Mapping[str, Any]) -> str:
    """Why a phrase is guessable, in the first half of one plain sentence."""
    kinds: set[str] = set()
    for match in result.get("sequence", []):
        pattern = match.get("pattern")
        if pattern == "dictionary":
            kinds.add(str(match.get("dictionary_name")))
        else:
            kinds.add(str(pattern))
    if "user_inputs" in kinds:
        return "It uses a name someone could guess, such as yours, the vault's or the app's"
    if "passwords" in kinds:
        return "It is close to a password many people use, so it is guessed early"
    if "repeat" in kinds:
        return "Repeated letters or patterns are quick to guess"
    if "sequence" in kinds:
        return "Runs like abcd or 1234 are quick to guess"
    if "spatial" in kinds:
        return "Keyboard patterns like qwerty are quick to guess"
    if kinds & {"date", "regex"}:
        return "Dates and years are quick to guess"
    return "That passphrase is too easy to guess"
