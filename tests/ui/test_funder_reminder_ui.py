"""The funders' questions reminder on Today and in accreditation readiness: quiet, last,
never counted, and one Enter away from the client's profile."""

from __future__ import annotations

from datetime import timedelta

from casetui.core.funder_reminder import FUNDER_NOTE
from casetui.core.readiness_report import headline, summarise
from casetui.core.today import Section, TodayItem
from casetui.services import today_view
from casetui.services.readiness import accreditation
from casetui.ui.screens.accreditation_readiness import AccreditationScreen
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.today_list import REMINDER_LABEL, TodayScreen
from casetui.ui.widgets.row_list import RowList
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles
from tests.ui.test_ui_casework import (
    active_tab,
    app_for,
    close_vault,
    new_client,
    row_cells,
    seed,
    start,
    text_of,
)
from tests.ui.test_ui_flows import TODAY, wait_for

MUTED = "row-list--muted"


def _clients(vault: Vault) -> dict[str, str]:
    made = [
        # New, nothing asked yet, and no check-in due this week: no row of her own.
        new_client(vault, "Ada Fenn", intake_date=TODAY - timedelta(days=5)),
        # New, and declined the age question: that is an answer.
        new_client(vault, "Bo Marsh", intake_date=TODAY - timedelta(days=5), age_group="declined"),
        # Long with the agency, never asked, and overdue for a check-in.
        new_client(vault, "Cy Holt", intake_date=TODAY - timedelta(days=60)),
    ]
    return {c.preferred_name: c.id for c in made}


def test_the_services_remind_only_about_new_clients_and_count_nothing(
    vault_files: VaultFiles,
) -> None:
    ids = seed(vault_files, _clients)
    with vault_files.open(writable=False) as vault:
        owner = vault.owner_staff_id
        notes = today_view.reminders(vault.repo, TODAY, staff_id=owner)
        assert [n.client_id for n in notes] == [ids["Ada Fenn"]]
        assert today_view.reminders(vault.repo, TODAY, staff_id=None) == notes
        # Thirty days on, Ada is no longer new.
        assert today_view.reminders(vault.repo, TODAY + timedelta(days=25), staff_id=None) == []
        items = today_view.today(vault.repo, TODAY, staff_id=owner)
        assert [(i.section, i.client_id) for i in items] == [(Section.OVERDUE, ids["Cy Holt"])]

        results = accreditation(vault.repo, TODAY)
        notes_by_name = {c.preferred_name: r.notes for c, r in results}
        assert notes_by_name == {"Ada Fenn": (FUNDER_NOTE,), "Bo Marsh": (), "Cy Holt": ()}
        plain = [r.__class__(r.client_id, r.checks, r.status, r.manager) for _c, r in results]
        assert summarise(r for _c, r in results) == summarise(plain)


async def test_today_shows_the_reminder_last_muted_and_uncounted(vault_files: VaultFiles) -> None:
    ids = seed(vault_files, _clients)
    app = app_for(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.ready)
        listing = app.screen.query_one("#today-list", RowList)
        assert row_cells(app, "#today-list") == [
            ("Overdue check-in", "Cy Holt", "Thu 01 Oct", "46 days overdue"),
            (REMINDER_LABEL, "Ada Fenn", "", "Not asked yet (optional); intake Wed 11 Nov"),
        ]
        reminder = listing.rows[-1]
        assert set(reminder.marks.values()) == {MUTED}
        assert not isinstance(reminder.data, TodayItem)
        # The summary counts only what needs doing.
        assert text_of(app, "#today-summary") == "1 overdue check-in"

        # Sorting by what or by when works with the reminder in the list.
        listing.sort_by(0, reverse=True)
        assert [r.cells[0] for r in listing.rows] == [REMINDER_LABEL, "Overdue check-in"]
        listing.sort_by(2)  # by day: Cy's check-in was due before Ada came in
        assert [r.cells[1] for r in listing.rows] == ["Cy Holt", "Ada Fenn"]
        listing.sort_by(2, reverse=True)
        assert [r.cells[1] for r in listing.rows] == ["Ada Fenn", "Cy Holt"]

        listing.focus()
        listing.cursor = [r.key for r in listing.rows].index(reminder.key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert app.screen.client_id == ids["Ada Fenn"]  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: active_tab(app) == "profile")
    close_vault(app)


async def test_readiness_shows_a_muted_note_row_and_the_same_summary(
    vault_files: VaultFiles,
) -> None:
    ids = seed(vault_files, _clients)
    app = app_for(vault_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, AccreditationScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.ready)  # type: ignore[attr-defined]
        listing = screen.query_one("#accreditation-list", RowList)
        notes = [row for row in listing.rows if row.cells[1] == "· note"]
        assert [row.cells for row in notes] == [("Ada Fenn", "· note", FUNDER_NOTE, "Profile")]
        assert set(notes[0].marks.values()) == {MUTED}
        ada = [row for row in listing.rows if row.cells[0] == "Ada Fenn"]
        assert ada[-1] is notes[0]  # after her requirements
        assert "· note" not in {row.cells[1] for row in listing.rows if row.cells[0] != "Ada Fenn"}
        with_notes = accreditation(app.vault.repo, TODAY)  # type: ignore[union-attr]
        assert headline(summarise(r for _c, r in with_notes)) in text_of(
            app, "#accreditation-summary"
        )

        listing.focus()
        listing.cursor = listing.rows.index(notes[0])
        await pilot.pause()
        assert text_of(app, "#accreditation-detail") == (
            f"{FUNDER_NOTE}. Nothing is required; ask only when it feels right."
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert app.screen.client_id == ids["Ada Fenn"]  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: active_tab(app) == "profile")
    close_vault(app)
