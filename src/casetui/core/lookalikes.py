"""Names that could pass for other names: hidden characters and look-alike letters.

A key's name is how people decide whom the vault is shared with, so a name must
look like what it is. Three tricks are caught here:

* characters that do not show: zero-width spaces and joiners, direction marks,
  the byte-order mark, tags, variation selectors, private-use and unassigned
  code points (:func:`hidden_character`);
* one word written in two alphabets, such as "Bob" with a Cyrillic "о", which
  no honest name needs (:func:`mixed_scripts`); a name may still hold words in
  different alphabets, and Chinese, Japanese and Korean mix their own scripts;
* a name that is a different string but looks the same as another, such as an
  all-Cyrillic "Вов" beside "BOB": compare :func:`skeleton` values, after the
  idea of Unicode's confusable skeletons (UTS #39), with a short table of the
  letters that are most often used to pass for Latin ones.

Combining marks are allowed: after NFC most accented letters are one code point,
and many languages need marks that do not combine into one.
"""

from __future__ import annotations

import unicodedata

#: General categories that never belong in a name: controls, format characters
#: (zero-width, bidi and other invisible marks), surrogates, private use, unassigned,
#: and the line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

#: Characters outside those categories that still show as nothing (Unicode's
#: default-ignorable code points that are letters or marks, and the braille blank).
_INVISIBLE = frozenset(
    [
        *(0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0),
        *range(0x180B, 0x1810),  # Mongolian variation selectors and vowel separator
        *range(0xFE00, 0xFE10),  # variation selectors
        *range(0xE0100, 0xE01F0),  # variation selectors supplement
    ]
)

#: Scripts that are written together in one word.
_SCRIPT_FAMILY = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "BOPOMOFO": "CJK"}

#: Letters that pass for Latin ones, and the Latin letter each passes for.
# fmt: off
_LOOKALIKE = str.maketrans(
    {
        # Cyrillic
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ѕ": "S", "І": "I", "Ј": "J",
        "Ԛ": "Q", "Ԝ": "W", "Ӏ": "l", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c",
        "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
        "һ": "h", "ӏ": "l", "ү": "y",
        # Greek
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v",
        "ι": "i", "α": "a", "κ": "k", "ρ": "p", "υ": "u", "ϲ": "c", "ϳ": "j",
        # Armenian
        "Օ": "O", "Ս": "U", "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g",
        # Latin letters that pass for others
        "ı": "i", "ɡ": "g", "ɑ": "a", "ɩ": "i",
        # The digit one and the bar look like a small l in many fonts (capital I too:
        # see _CAPITAL_I).
        "1": "l", "|": "l",
        # Dashes and apostrophes
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-",
        "‘": "'", "’": "'", "ʼ": "'", "ʻ": "'", "`": "'", "´": "'",
    }
)
# fmt: on

#: A capital I looks like a small l in many fonts, but like an i once case is folded.
_CAPITAL_I = str.maketrans({"I": "l"})


def hidden_character(text: str) -> str | None:
    """The first character in ``text`` that does not show (as ``U+XXXX``), or None.

    Spaces other than the plain one count too: a name is stored with plain spaces.
    """
    for char in text:
        category = unicodedata.category(char)
        if (
            category in _REFUSED_CATEGORIES
            or ord(char) in _INVISIBLE
            or (category == "Zs" and char != " ")
        ):
            return f"U+{ord(char):04X}"
    return None


def _script(char: str) -> str | None:
    """The script of a letter (LATIN, CYRILLIC, GREEK, CJK, ...); None for anything else.

    Taken from the first word of the letter's Unicode name once compatibility
    forms are folded (a mathematical bold A is Latin). Modifier letters, such as
    the Hawaiian ʻokina, belong to no script here.
    """
    if unicodedata.category(char) not in ("Lu", "Ll", "Lt", "Lo"):
        return None
    folded = unicodedata.normalize("NFKC", char)[:1] or char
    script = unicodedata.name(folded, "").split(" ", 1)[0]
    return _SCRIPT_FAMILY.get(script, script) or None


def mixed_scripts(text: str) -> tuple[str, str] | None:
    """Two scripts that one word of ``text`` mixes (e.g. LATIN and CYRILLIC), or None."""
    for word in text.split():
        scripts: list[str] = []
        for char in word:
            script = _script(char)
            if script is not None and script not in scripts:
                scripts.append(script)
        if len(scripts) > 1:
            return scripts[0], scripts[1]
    return None


def skeleton(text: str, *, capital_i_as_l: bool = False) -> str:
    """What ``text`` looks like, so that names that look the same compare equal.

    Compatibility forms are folded (full-width and mathematical letters), look-alike
    letters become the Latin letter they pass for, case is folded, and the digit 0,
    "rn" and "vv" become the "o", "m" and "w" they resemble. A capital I is read
    as an l with ``capital_i_as_l``, and as an i without.
    """
    text = unicodedata.normalize("NFKD", text).translate(_LOOKALIKE)
    if capital_i_as_l:
        text = text.translate(_CAPITAL_I)
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("0", "o").replace("rn", "m").replace("vv", "w")
    return " ".join(text.split())


def looks_alike(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` could be taken for each other (see :func:`skeleton`)."""
    return any(
        skeleton(a, capital_i_as_l=as_l) == skeleton(b, capital_i_as_l=as_l)
        for as_l in (False, True)
    )
