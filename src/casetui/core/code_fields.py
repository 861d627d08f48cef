"""Fields holding choices of a list kept outside the record, by their codes.

The funders' categories (``core/funder_catalog.py``) can be replaced by a state's
own lists, so a record cannot hold them as an enum: it holds each choice's code,
and the list in use says what a code means. A code the list does not know is
kept (an agency may have changed its lists) and shown by the report's data
quality section rather than refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from casetui.core.errors import ValidationError
from casetui.core.fields import JSON, Spec, _field, _type_name

_CODE = re.compile(r"[a-z0-9_]{1,40}")


def _check_code(name: str, value: object) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        shown = repr(value[:40]) if isinstance(value, str) else _type_name(value)
        raise ValidationError(
            name, f"{shown} is not a choice's code (lower-case letters, digits and _)."
        )
    return value


class CodeSpec(Spec[str]):
    """One choice, by its code; empty when not asked."""

    def clean(self, name: str, value: object) -> str:
        if value is None or value == "":
            return ""
        return _check_code(name, value.strip() if isinstance(value, str) else value)

    def dump(self, value: str) -> JSON:
        return value


class CodeListSpec(Spec[tuple[str, ...]]):
    """Several choices by their codes, in order, without repeats."""

    def __init__(self, max_items: int) -> None:
        self.max_items = max_items

    def clean(self, name: str, value: object) -> tuple[str, ...]:
        if value is None or value == "":
            return ()
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValidationError(name, f"should be a list of codes, not {_type_name(value)}.")
        if len(value) > self.max_items:
            raise ValidationError(name, f"has {len(value)} entries; the limit is {self.max_items}.")
        codes = tuple(_check_code(f"{name}[{i}]", item) for i, item in enumerate(value))
        return tuple(dict.fromkeys(codes))

    def dump(self, value: tuple[str, ...]) -> JSON:
        return list(value)


def code() -> Any:
    return _field(CodeSpec(), "")


def codes(max_items: int = 40) -> Any:
    return _field(CodeListSpec(max_items), ())
