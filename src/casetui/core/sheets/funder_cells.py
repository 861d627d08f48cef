"""Spreadsheet cells holding funders' categories or the agency's funding sources.

A cell names a choice by its code (``adult_sexual_assault``), by the words the
profile form shows ("Sexual assault (adult)") or by the funders' own report
wording ("Adult Sexual Assault"), in any case and spacing; a field that takes
several choices separates them with ``;``. The lists are the ones in use (see
:mod:`casetui.core.funder_catalog`), so a state's own wording works too.

Funding sources are named as the agency calls them in casetui ("VOCA 2026"),
several separated by ``;``. Every value must be known: one that is not stops the
import with a sentence that names it and lists some that would do.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from casetui.core.errors import ValidationError
from casetui.core.funder_catalog import DECLINED, Catalog, FieldList
from casetui.core.funder_records import FundingSource
from casetui.core.records import ANSWERS_ALONE
from casetui.core.sheets.mapping import fold
from casetui.core.sheets.read import shown

#: What separates several values in one cell.
SEPARATOR = ";"
#: Longer cells are reported by their length, not read.
MAX_CELL = 4000
#: How many funding sources a message names.
NAMED_SOURCES = 4


def _parts(field: str, raw: str) -> list[str]:
    if len(raw) > MAX_CELL:
        raise ValidationError(
            field, f"is {len(raw):,} characters long; a list of choices is far shorter."
        )
    return [part.strip() for part in raw.split(SEPARATOR) if part.strip()]


@dataclass(frozen=True, slots=True)
class ChoiceWords:
    """The words that name each choice of one funders' list, folded, and their codes."""

    choices: FieldList
    words: dict[str, str]

    @classmethod
    def of(cls, choices: FieldList) -> ChoiceWords:
        """Codes first, then the form's words, then the report's: where two options
        share a word (both answers are "Not Reported" in the report), the earlier wins."""
        words: dict[str, str] = {}
        options = choices.all_options()
        for texts in (
            [o.code for o in options],
            [o.label for o in options],
            [o.report for o in options],
        ):
            for option, text in zip(options, texts, strict=True):
                words.setdefault(fold(text), option.code)
        return cls(choices, words)

    def read(self, raw: str) -> str | tuple[str, ...] | None:
        """The code (or codes, for a list of several) a cell names; None when blank.

        Raises ValidationError with one sentence naming the value not understood.
        """
        field = self.choices.field
        parts = _parts(field, raw)
        if not parts:
            return None
        if not self.choices.several and len(parts) > 1:
            raise ValidationError(
                field,
                f"holds {len(parts)} choices; {self._name()} takes one, so keep only one.",
            )
        codes: list[str] = []
        for part in parts:
            code = self.words.get(fold(part[:200]))
            if code is None:
                raise ValidationError(field, self._unknown(part))
            codes.append(code)
        if not self.choices.several:
            return codes[0]
        chosen = tuple(dict.fromkeys(codes))
        alone = [c for c in chosen if c in ANSWERS_ALONE]
        if alone and len(chosen) > 1:
            label = self.choices.label(alone[0])
            raise ValidationError(
                field,
                f"has {shown(label)} beside other choices; keep one or the other.",
            )
        return chosen

    def _name(self) -> str:
        return self.choices.heading.casefold()

    def _unknown(self, part: str) -> str:
        options = self.choices.options
        examples = [options[0].code] if options else []
        if len(options) > 1:
            examples.append(options[1].label)
        declined = self.choices.option(DECLINED)
        examples.append(declined.label if declined else "not_reported")
        listed = ", ".join(shown(e) for e in examples[:-1]) + f" or {shown(examples[-1])}"
        texts = {t for o in self.choices.all_options() for t in (o.label, o.report)}
        close = difflib.get_close_matches(part[:200], sorted(texts), n=1, cutoff=0.6)
        nearest = f" (did you mean {shown(close[0])}?)" if close else ""
        return (
            f"{shown(part)} is not a choice for {self._name()}{nearest}; write its code or "
            f"its words on the form or in the report, such as {listed}."
        )


def choice_words(catalog: Catalog) -> dict[str, ChoiceWords]:
    """The words of every funders' list in ``catalog``, by client field."""
    return {choices.field: ChoiceWords.of(choices) for choices in catalog.fields}


@dataclass(frozen=True, slots=True)
class SourceNames:
    """The vault's funding sources by folded name."""

    by_name: dict[str, list[FundingSource]]

    @classmethod
    def of(cls, sources: Iterable[FundingSource]) -> SourceNames:
        by_name: dict[str, list[FundingSource]] = {}
        for source in sources:
            by_name.setdefault(fold(source.name), []).append(source)
        return cls(by_name)

    def read(self, field: str, raw: str) -> tuple[str, ...] | None:
        """The ids of the funding sources a cell names; None when blank."""
        parts = _parts(field, raw)
        if not parts:
            return None
        ids: list[str] = []
        for part in parts:
            found = self.by_name.get(fold(part[:200]), [])
            if len(found) > 1:
                raise ValidationError(
                    field,
                    f"{len(found)} funding sources are called {shown(part)}; rename one in "
                    "casetui first ('casetui funding list' shows them).",
                )
            if not found:
                raise ValidationError(field, self._unknown(part))
            ids.append(found[0].id)
        return tuple(dict.fromkeys(ids))

    def _unknown(self, part: str) -> str:
        names = sorted({group[0].name for group in self.by_name.values()}, key=str.casefold)
        if not names:
            return (
                f"{shown(part)} is not a funding source in this vault, which has none yet; "
                "add it with 'casetui funding add NAME' first."
            )
        close = difflib.get_close_matches(part[:200], names, n=1, cutoff=0.6)
        if close:
            return (
                f"{shown(part)} is not a funding source in this vault; did you mean "
                f"{shown(close[0])}?"
            )
        listed = ", ".join(shown(n) for n in names[:NAMED_SOURCES])
        more = f" and {len(names) - NAMED_SOURCES:,} more" if len(names) > NAMED_SOURCES else ""
        return (
            f"{shown(part)} is not a funding source in this vault, whose funding sources are "
            f"{listed}{more}; add it with 'casetui funding add NAME', or check the spelling."
        )
