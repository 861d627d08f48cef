"""The gentle reminder of the funders' questions: who gets it, on which days, and that
the readiness report shows it as a note, never as a verdict or a count."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, timedelta
from typing import Any

import pytest

from casetui.core.choices import ClientStatus
from casetui.core.funder_reminder import (
    FUNDER_FIELDS,
    FUNDER_NOTE,
    funder_questions_unasked,
    funder_reminders,
)
from casetui.core.readiness_checks import Check, ClientReadiness, Verdict
from casetui.core.readiness_report import render, summarise
from casetui.core.records import Client

AS_OF = date(2026, 11, 20)


def client(name: str = "Amaru Quispe", days_ago: int = 3, **values: Any) -> Client:
    return Client.create(
        preferred_name=name,
        intake_date=AS_OF - timedelta(days=days_ago),
        case_manager_id="st_1",
        **values,
    )


@pytest.mark.parametrize(
    ("days_ago", "reminded"),
    [(-1, False), (0, True), (1, True), (29, True), (30, False), (120, False)],
)
def test_only_clients_who_came_in_during_the_last_30_days_are_reminded(
    days_ago: int, reminded: bool
) -> None:
    """The last 30 days are the day shown and the 29 before it; a future intake is not."""
    assert funder_questions_unasked(client(days_ago=days_ago), AS_OF) is reminded


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("victimization_types", ("declined",)),
        ("age_group", "not_reported"),
        ("gender_identity", "woman"),
        ("race_ethnicity", ("not_reported",)),
        ("special_classifications", ("none",)),
    ],
)
def test_any_answer_even_declined_or_not_reported_counts_as_asked(field: str, value: Any) -> None:
    assert field in FUNDER_FIELDS
    assert funder_questions_unasked(client(), AS_OF)
    assert not funder_questions_unasked(client(**{field: value}), AS_OF)


def test_a_funding_source_alone_is_not_an_answer_and_closed_clients_are_left_alone() -> None:
    assert funder_questions_unasked(client(funding_source_ids=("fs_1",)), AS_OF)
    assert not funder_questions_unasked(client(status=ClientStatus.CLOSED), AS_OF)
    on_hold = client(status=ClientStatus.ON_HOLD)
    assert funder_questions_unasked(on_hold, AS_OF)


def test_reminders_come_earliest_intake_first() -> None:
    clients = [
        client("Bo Larchmont", days_ago=2),
        client("Cy Nettlefield", days_ago=40),
        client("Ada Fenn", days_ago=10),
        client("Di Oxbow", days_ago=10, age_group="declined"),
        client("Ed Quarry", days_ago=2),
    ]
    found = funder_reminders(clients, AS_OF)
    names = {c.id: c.preferred_name for c in clients}
    assert [names[r.client_id] for r in found] == ["Ada Fenn", "Bo Larchmont", "Ed Quarry"]
    assert found[0].intake_date == date(2026, 11, 10)
    assert found[0].text == FUNDER_NOTE


# -- the readiness report ------------------------------------------------------------------

PASSING = ClientReadiness(
    "cl_1", (Check("1", "A designated case manager", Verdict.PASS, "Assigned.", "profile"),)
)
FAILING = ClientReadiness(
    "cl_2", (Check("2", "Needs assessed", Verdict.FAIL, "Assess the needs.", "needs"),)
)


def test_a_note_is_shown_with_the_client_but_never_counted() -> None:
    noted = [
        ("Amaru Quispe", "cl_1", dataclasses.replace(PASSING, notes=(FUNDER_NOTE,))),
        ("Bo Larchmont", "cl_2", dataclasses.replace(FAILING, notes=(FUNDER_NOTE,))),
    ]
    plain = [("Amaru Quispe", "cl_1", PASSING), ("Bo Larchmont", "cl_2", FAILING)]
    assert summarise(r for *_x, r in noted) == summarise(r for *_x, r in plain)
    assert noted[0][2].verdict is Verdict.PASS and noted[1][2].verdict is Verdict.FAIL

    text = render(noted, AS_OF)
    note = "  Note: Funders' questions not asked yet (optional), on the Profile tab."
    assert text.count(note) == 2
    assert "1 passes, 0 need attention, 1 fails." in text
    block = text.split("Amaru Quispe (cl_1): pass\n", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines() == ["  Every requirement is met.", note]
    assert render(plain, AS_OF) == text.replace(note + "\n", "")

    md = render(noted, AS_OF, "md")
    assert "- Note: Funders' questions not asked yet \\(optional\\), on the Profile tab\\." in md

    rows = list(csv.reader(io.StringIO(render(noted, AS_OF, "csv"))))
    notes = [r for r in rows if r[4] == "note"]
    assert notes == [
        ["Amaru Quispe", "cl_1", "", "", "note", FUNDER_NOTE, "Profile tab"],
        ["Bo Larchmont", "cl_2", "", "", "note", FUNDER_NOTE, "Profile tab"],
    ]
    verdicts = [r[4] for r in rows[1:] if r[4] != "note"]
    assert verdicts == ["pass", "fail"]
