"""Moving a whole interchange document through time.

The sample caseload is written as of a fixed day. ``casetui demo`` moves every
date in it so that the sample's "as of" day becomes today: overdue check-ins,
recent meetings and upcoming targets then look the same on any day a trainer
runs the demo.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from typing import Any

from casetui.core import fields as f
from casetui.core.record_tables import RECORD_BY_TABLE


def _shift(value: Any, delta: timedelta) -> Any:
    if isinstance(value, str):
        try:
            return (date.fromisoformat(value) + delta).isoformat()
        except ValueError:
            return value
    return value


def _shift_moment(value: Any, delta: timedelta) -> Any:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return (moment + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def shift_document(document: dict[str, Any], to_day: date) -> dict[str, Any]:
    """A copy of ``document`` with every date moved so ``as_of`` falls on ``to_day``.

    A document without an ``as_of`` day is returned unchanged (as a copy).
    Values that are not dates are left alone; validation happens on import.
    """
    shifted = copy.deepcopy(document)
    as_of = shifted.get("as_of")
    if not isinstance(as_of, str):
        return shifted
    try:
        delta = to_day - date.fromisoformat(as_of)
    except ValueError:
        return shifted
    shifted["as_of"] = to_day.isoformat()
    for table, cls in RECORD_BY_TABLE.items():
        rows = shifted.get(table)
        if not isinstance(rows, list):
            continue
        specs = cls._specs()
        for row in rows:
            if not isinstance(row, dict):
                continue
            for name, spec, _required in specs:
                if name not in row:
                    continue
                if isinstance(spec, f.DateSpec):
                    row[name] = _shift(row[name], delta)
                elif isinstance(spec, f.MomentSpec):
                    row[name] = _shift_moment(row[name], delta)
                elif isinstance(spec, f.DateListSpec) and isinstance(row[name], list):
                    row[name] = [_shift(day, delta) for day in row[name]]
                elif isinstance(spec, f.NoteListSpec | f.StatusHistorySpec) and isinstance(
                    row[name], list
                ):
                    for note in row[name]:
                        if isinstance(note, dict) and "on" in note:
                            note["on"] = _shift(note["on"], delta)
    return shifted
