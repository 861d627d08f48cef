"""The fictional sample caseload is complete, valid and respectful."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from casetui.core.choices import ClientStatus, Horizon
from casetui.core.recordset import check_references, parse_interchange
from casetui.core.rules import days_overdue, meeting_dates, summarise_contact
from casetui.resources import sample_caseload


@pytest.fixture(scope="module")
def document() -> dict[str, object]:
    return json.loads(sample_caseload().read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def records(document: dict[str, object]):  # type: ignore[no-untyped-def]
    records, problems = parse_interchange(document)
    assert problems == []
    return records


def test_it_says_it_is_fictional(document: dict[str, object]) -> None:
    assert "fictional" in str(document["note"]).lower()


def test_every_record_is_valid_and_every_reference_holds(records) -> None:  # type: ignore[no-untyped-def]
    assert check_references(records.tables) == []


def test_three_case_managers_and_at_least_thirty_clients(records) -> None:  # type: ignore[no-untyped-def]
    counts = records.counts()
    assert counts["staff"] == 3
    assert counts["clients"] >= 30
    statuses = Counter(c.status for c in records.tables["clients"])
    assert set(statuses) == set(ClientStatus)
    languages = {c.language for c in records.tables["clients"]}
    assert len(languages) >= 8
    assert any(c.interpreter_needed for c in records.tables["clients"])


def test_needs_at_every_horizon_and_goals_and_blocks(records) -> None:  # type: ignore[no-untyped-def]
    assert {n.horizon for n in records.tables["needs"]} == set(Horizon)
    assert any(n.is_custom for n in records.tables["needs"])
    assert len(records.tables["goals"]) >= 90
    assert records.tables["admin_blocks"]


def test_six_months_of_meetings(records, document) -> None:  # type: ignore[no-untyped-def]
    as_of = date.fromisoformat(document["as_of"])
    dates = [m.on for m in records.tables["meetings"]]
    assert min(dates) <= as_of - timedelta(days=182)
    assert max(dates) <= as_of


def test_some_active_clients_are_overdue_but_not_most(records, document) -> None:  # type: ignore[no-untyped-def]
    as_of = date.fromisoformat(document["as_of"])
    by_client: dict[str, list] = {}
    for meeting in records.tables["meetings"]:
        by_client.setdefault(meeting.client_id, []).append(meeting)
    active = [c for c in records.tables["clients"] if c.status is ClientStatus.ACTIVE]
    overdue = [
        c
        for c in active
        if days_overdue(c, summarise_contact(meeting_dates(by_client.get(c.id, []))), as_of) > 0
    ]
    assert 5 <= len(overdue) < len(active) // 2


WORDS_WE_DO_NOT_USE = re.compile(
    r"\b(rape[ds]?|raping|beat(en|ing)?|blood|bruis\w*|strangl\w*|kill\w*|gun|knife|"
    r"stab(s|bed|bing)?|choke\w*|naked|sex(ual)? acts?|victim)\b",
    re.IGNORECASE,
)


def test_the_wording_has_no_graphic_detail() -> None:
    text = sample_caseload().read_text(encoding="utf-8")
    assert WORDS_WE_DO_NOT_USE.findall(text) == []
