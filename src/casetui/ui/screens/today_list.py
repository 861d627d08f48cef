"""Today: what needs doing, as of today, each item one Enter away from its tab.

After the list, in muted rows and left out of the summary, come gentle reminders:
new clients not yet asked the funders' questions, which are optional. They are a
quiet section of their own rather than a note on a client's row, because a new
client often has no row today (no check-in due yet), and because they should never
sit among, or be counted with, what needs doing.

While the screen is shared, clients show as their neutral calendar code, and
typed words in a detail (a court date's description, a time block's note) are left out.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from casetui.core.errors import VaultError
from casetui.core.funder_reminder import FunderReminder
from casetui.core.today import Section, TodayItem, when_text
from casetui.services import today_view
from casetui.ui.masking import is_masked, on_masking, stored_client_name
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.widgets.row_list import Column, Row, RowList
from casetui.ui.worker_errors import unexpected

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Sections drawn in the alert colour.
URGENT = frozenset({Section.OVERDUE, Section.COURT_DATE})


#: The reminder rows: what they are about, and what the detail says.
REMINDER_LABEL = "Funders' questions"
REMINDER_DETAIL = "Not asked yet (optional)"
MUTED = {column: "row-list--muted" for column in range(4)}


def _what_key(data: TodayItem | FunderReminder) -> tuple[int, tuple[int, str]]:
    """Sections in order, the reminders after them all."""
    if isinstance(data, FunderReminder):
        return len(Section) + 1, (0, data.name_key)
    return data.section, data.rank


def _when_key(data: TodayItem | FunderReminder) -> tuple[date, time]:
    if isinstance(data, FunderReminder):
        return data.intake_date, time()
    return data.when or date.min, data.at or time()


#: (one, many) for the summary line.
NOUNS = {
    Section.OVERDUE: ("overdue check-in", "overdue check-ins"),
    Section.DUE_THIS_WEEK: ("check-in due this week", "check-ins due this week"),
    Section.MEETING: ("meeting this week", "meetings this week"),
    Section.COURT_DATE: ("court date", "court dates"),
    Section.REFERRAL: ("referral to follow up", "referrals to follow up"),
    Section.CONSENT: ("consent to renew", "consents to renew"),
    Section.TIME_BLOCK: ("block of your own time", "blocks of your own time"),
}


def time_of_day(today: date, clock: datetime | None = None) -> time | None:
    """The time now, to the minute, when ``today`` is the real date; else None.

    A meeting earlier today is then left off the list. When the app is set to another
    day (the demo, tests), there is no "now" on that day, so no meeting is left off.
    """
    now = clock or datetime.now()
    return now.time().replace(second=0, microsecond=0) if now.date() == today else None


def summary_text(items: list[TodayItem]) -> str:
    counts = Counter(item.section for item in items)
    if not counts:
        return "Nothing needs doing today. Take a breath."
    parts = [f"{counts[s]} {NOUNS[s][counts[s] != 1]}" for s in Section if counts[s]]
    return " · ".join(parts)


class TodayScreen(ShowsRecords, CaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Caseload", id="today.back"),
        Binding("m", "scope", "Mine/everyone", id="today.scope"),
        Binding("p", "partners", "Partners", id="today.partners"),
        Binding("w", "week", "My week", id="today.week"),
    ]

    DEFAULT_CSS = """
    TodayScreen #today-summary { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.everyone = False
        #: True once the list on screen is up to date (tests and snapshots wait for it).
        self.ready = False

    def compose(self) -> ComposeResult:
        yield from self.chrome("today", "")
        yield Static("", id="today-summary")
        yield RowList(
            [
                Column("what", "What", 18, sort_key=_what_key),
                Column("client", "Client", 17),
                Column("when", "When", 11, sort_key=_when_key),
                Column("detail", "Detail", 0, 16),
            ],
            empty_text="Nothing needs doing today.",
            id="today-list",
        )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RowList).focus()
        on_masking(self, self._masking_changed)

    def _masking_changed(self, masked: bool) -> None:
        # Clear the list at once: working it out again takes a moment.
        self.query_one(RowList).set_rows([])
        self.reload()

    def reload_records(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Work out the list in a thread: at thousands of clients it takes a moment.

        Not before the meeting log has been read (just after unlocking): without it,
        every check-in would look overdue. Its arrival redraws the screen.
        """
        self.ready = False
        if "meetings" in self.case_app.require_vault().loading:
            self.query_one(RowList).set_rows([])
            self.query_one("#today-summary", Static).update(
                one_line("Reading the meeting log: today's list follows in a moment…")
            )
            return
        self.query_one("#today-summary", Static).update(one_line("Working out today's list…"))
        self._compute(self.everyone, is_masked(self))

    @work(thread=True, exclusive=True, group="today", exit_on_error=False)
    def _compute(self, everyone: bool, masked: bool) -> None:
        app = self.case_app
        repo = app.require_vault().repo
        staff_id = None if everyone or app.owner_id is None else app.owner_id
        try:
            items = today_view.today(
                repo,
                app.today,
                staff_id=staff_id,
                stalled_after_days=app.settings.stalled_after_days,
                now=time_of_day(app.today),
            )
            notes = today_view.reminders(repo, app.today, staff_id=staff_id)
            with repo.mutex:
                names = {
                    client_id: stored_client_name(
                        client_id, repo.clients.raw().get(client_id, {}), masked
                    )
                    for client_id in {
                        *(item.client_id for item in items if item.client_id),
                        *(note.client_id for note in notes),
                    }
                }
        except VaultError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        except Exception as error:
            self.app.call_from_thread(self._failed, unexpected("working out today's list", error))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, items, notes, names, staff_id is None, masked)

    def _failed(self, reason: str) -> None:
        if not self.is_attached:  # left Today while the list was being worked out
            return
        self.query_one("#today-summary", Static).update(
            one_line("Today's list could not be worked out. " + reason)
        )
        self.ready = True

    def _show(
        self,
        items: list[TodayItem],
        notes: Sequence[FunderReminder],
        names: dict[str, str],
        everyone: bool,
        masked: bool,
    ) -> None:
        if not self.is_attached:  # left Today while the list was being worked out
            return
        if masked != is_masked(self):  # sharing changed meanwhile: a new list is coming
            return
        rows = []
        for item in items:
            name = names.get(item.client_id, "") if item.client_id else "—"
            when = when_text(item, self.case_app.today)
            marks = {0: "row-list--alert"} if item.section in URGENT else {}
            rows.append(
                Row(
                    f"{item.section.name}:{item.record_id}",
                    (
                        item.section.label,
                        name,
                        when,
                        item.shareable_detail if masked else item.detail,
                    ),
                    item,
                    marks,
                )
            )
        rows += [
            Row(
                f"REMINDER:{note.client_id}",
                (
                    REMINDER_LABEL,
                    names.get(note.client_id, ""),
                    "",  # nothing is due: the questions are optional
                    f"{REMINDER_DETAIL}; intake {note.intake_date.strftime('%a %d %b')}",
                ),
                note,
                MUTED,
            )
            for note in notes
        ]
        self.query_one(RowList).set_rows(rows)
        whose = "everyone's clients" if everyone else "your clients"
        self.query_one("#today-title", Static).update(
            one_line(f"Today, {self.case_app.today.strftime('%A %d %B %Y')} · {whose}")
        )
        self.query_one("#today-summary", Static).update(one_line(summary_text(items)))
        self.ready = True

    @on(RowList.Chosen, "#today-list")
    def _chosen(self, event: RowList.Chosen) -> None:
        item: TodayItem | FunderReminder = event.row.data
        if isinstance(item, FunderReminder):  # the questions are on the profile
            self.case_app.open_client(item.client_id, "profile")
            return
        if item.client_id is None:
            self.case_app.notify(
                "This is your own time. Protect it like any other appointment.",
                title=item.section.label,
                markup=False,
            )
            return
        self.case_app.open_client(item.client_id, item.tab, item.record_id)

    def action_scope(self) -> None:
        if self.case_app.owner_id is None:
            self.case_app.notify("This vault has no case manager of its own; showing everyone.")
            return
        self.everyone = not self.everyone
        self.reload()

    def action_back(self) -> None:
        self.case_app.show("caseload")

    def action_partners(self) -> None:
        self.case_app.show("partners")

    def action_week(self) -> None:
        self.case_app.show("week")
