"""The trainers' demo: a throwaway encrypted vault of the sample, dated to today."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from casetui.core.recordset import parse_interchange
from casetui.core.rules import days_overdue, meeting_dates, summarise_contact
from casetui.core.timeshift import shift_document
from casetui.core.today import Section, in_week
from casetui.resources import sample_caseload
from casetui.services import today_view
from casetui.ui.launch import DEMO_OWNER, make_demo_vault


def sample() -> dict[str, object]:
    return json.loads(sample_caseload().read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def overdue_names(document: dict[str, object]) -> set[str]:
    records, problems = parse_interchange(document)
    assert problems == []
    as_of = date.fromisoformat(str(document["as_of"]))
    by_client: dict[str, list] = {}  # type: ignore[type-arg]
    for meeting in records.tables["meetings"]:
        by_client.setdefault(meeting.client_id, []).append(meeting)
    return {
        c.preferred_name
        for c in records.tables["clients"]
        if days_overdue(c, summarise_contact(meeting_dates(by_client.get(c.id, [])), as_of), as_of)
        > 0
    }


def test_shifting_moves_every_date_and_keeps_who_is_overdue() -> None:
    original = sample()
    moved = shift_document(original, date(2031, 3, 1))
    delta = date(2031, 3, 1) - date.fromisoformat(str(original["as_of"]))
    assert moved["as_of"] == "2031-03-01"
    first_before = original["meetings"][0]  # type: ignore[index]
    first_after = moved["meetings"][0]  # type: ignore[index]
    assert date.fromisoformat(first_after["on"]) - date.fromisoformat(first_before["on"]) == delta
    assert first_after["summary"] == first_before["summary"]
    noted = next(g for g in moved["goals"] if g.get("progress_notes"))  # type: ignore[attr-defined]
    source = next(g for g in original["goals"] if g["id"] == noted["id"])  # type: ignore[attr-defined]
    on_before = date.fromisoformat(source["progress_notes"][0]["on"])
    assert date.fromisoformat(noted["progress_notes"][0]["on"]) == on_before + delta
    assert overdue_names(moved) == overdue_names(original)
    assert 3 <= len(overdue_names(original)) <= 10
    handoff = moved["assignments"][0]  # type: ignore[index]
    source = next(a for a in original["assignments"] if a["id"] == handoff["id"])  # type: ignore[attr-defined]
    assert date.fromisoformat(handoff["on"]) == date.fromisoformat(source["on"]) + delta
    referral = moved["referrals"][0]  # type: ignore[index]
    source = next(r for r in original["referrals"] if r["id"] == referral["id"])  # type: ignore[attr-defined]
    for after, before in zip(referral["history"], source["history"], strict=True):
        assert date.fromisoformat(after["on"]) == date.fromisoformat(before["on"]) + delta
    assert original["as_of"] == "2026-11-16", "the input must not be changed"


def test_a_document_without_an_as_of_day_is_left_as_it_was() -> None:
    document = {"format": "casetui", "version": 1, "clients": [{"intake_date": "2026-01-01"}]}
    assert shift_document(document, date(2030, 1, 1)) == document


def test_the_demo_vault_is_encrypted_keyless_on_disk_and_owned_by_a_sample_manager(
    tmp_path: Path,
) -> None:
    today = date.today()
    vault = make_demo_vault(tmp_path, today)
    try:
        # No key file: only the vault folder, its lock and its backups.
        names = {p.name for p in tmp_path.iterdir()}
        assert (
            {"demo.age", "demo.age.lock"}
            <= names
            <= {
                "demo.age",
                "demo.age.lock",
                "demo.age.backups",
            }
        )
        assert (vault.path.stat().st_mode & 0o777) == 0o700
        files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".age"]
        assert files
        for file in files:
            assert (file.stat().st_mode & 0o777) == 0o600, file
            data = file.read_bytes()
            assert data.startswith(b"age-encryption.org/v1\n"), file
            assert b"Olek" not in data
        assert vault.owner_staff_id == DEMO_OWNER
        latest = max(m.on for m in vault.repo.meetings if m.on <= today)
        assert today - timedelta(days=14) <= latest <= today
        planned = [m for m in vault.repo.meetings if m.on > today]
        assert planned
        assert all(in_week(m.on, today) for m in planned)
    finally:
        vault.close()


def test_the_demo_users_today_has_something_in_every_section(tmp_path: Path) -> None:
    today = date.today()
    vault = make_demo_vault(tmp_path, today)
    try:
        items = today_view.today(vault.repo, today, staff_id=DEMO_OWNER)
        assert {item.section for item in items} == set(Section)
        referrals = [i.detail for i in items if i.section is Section.REFERRAL]
        assert sum(d.startswith("stalled: no update") for d in referrals) >= 2
        assert "marked stalled" in referrals
    finally:
        vault.close()
