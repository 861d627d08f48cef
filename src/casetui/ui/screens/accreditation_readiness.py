"""Accreditation readiness: every client in the program against the requirements.

One line per requirement a client does not yet meet (and one line for each
client who meets them all), then one line per case manager whose own time needs
a look (self-care). Enter on a line opens the place to fix it; coming back
checks everything again.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, LoadingIndicator, Static

from casetui.core.choices import AuditAction, ClientStatus
from casetui.core.readiness_checks import Check, ClientReadiness, ManagerReadiness, Verdict
from casetui.core.readiness_report import TAB_NAMES, headline, managers_of, summarise
from casetui.core.records import Client
from casetui.services.readiness import accreditation
from casetui.ui.masking import client_name, is_masked, on_masking
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.widgets.row_list import Column, Row, RowList
from casetui.ui.worker_errors import reports_crashes

#: Where to fix a line, short enough for the list at 80 columns.
SHORT_TAB_NAMES = {"week": "Week"} | {
    tab: name.removesuffix(" tab") for tab, name in TAB_NAMES.items() if tab != "week"
}
VERDICT_MARK = {Verdict.PASS: "✓ pass", Verdict.ATTENTION: "! attention", Verdict.FAIL: "✗ fail"}
#: A note is about something optional: never a verdict, shown muted.
NOTE_MARK = "· note"
MUTED = {column: "row-list--muted" for column in range(4)}


def note_rows(client: Client, name: str, notes: tuple[str, ...]) -> list[Row]:
    """A muted row for each of the client's notes; Enter opens the profile."""
    return [
        Row(
            f"{client.id}:note:{index}",
            (name, NOTE_MARK, note, SHORT_TAB_NAMES["profile"]),
            (client, note),
            MUTED,
        )
        for index, note in enumerate(notes)
    ]


def lines_for(results: list[tuple[Client, ClientReadiness]], masked: bool) -> list[Row]:
    """A row per unmet requirement, worst first within each client; one row if all met.
    Then a row per case manager whose own requirement (self-care) is not met."""
    rows = []
    for client, result in results:
        name = client_name(client, masked)
        if client.status is ClientStatus.ON_HOLD:
            name = f"{name} (on hold)"
        problems = sorted(
            (c for c in result.checks if c.verdict is not Verdict.PASS),
            key=lambda c: -c.verdict,
        )
        if not problems:
            rows.append(
                Row(
                    f"{client.id}:ok",
                    (name, VERDICT_MARK[Verdict.PASS], "Every requirement is met", ""),
                    (client, None),
                )
            )
            rows += note_rows(client, name, result.notes)
            continue
        for check in problems:
            marks = {1: "row-list--alert"} if check.verdict is Verdict.FAIL else {}
            rows.append(
                Row(
                    f"{client.id}:{check.rule}",
                    (
                        name,
                        VERDICT_MARK[check.verdict],
                        f"{check.rule}. {check.reason}",
                        SHORT_TAB_NAMES.get(check.tab, check.tab),
                    ),
                    (client, check),
                    marks,
                )
            )
        rows += note_rows(client, name, result.notes)
    for manager in managers_of(r for _c, r in results):
        for check in manager.checks:
            if check.verdict is Verdict.PASS:
                continue
            rows.append(
                Row(
                    f"{manager.staff_id}:{check.rule}",
                    (
                        manager.name,
                        VERDICT_MARK[check.verdict],
                        f"{check.rule}. {check.reason}",
                        SHORT_TAB_NAMES.get(check.tab, check.tab),
                    ),
                    (manager, check),
                )
            )
    return rows


class AccreditationScreen(ShowsRecords, CaseScreen):
    RELOAD_ON_EVERY_RESUME = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="accreditation.back"),
        Binding("enter", "open", "Fix it", id="accreditation.open"),
        Binding("r", "refresh", "Check again", id="accreditation.refresh"),
    ]

    DEFAULT_CSS = """
    AccreditationScreen #accreditation-summary { height: auto; padding: 0 1; }
    AccreditationScreen #accreditation-list { height: 1fr; min-height: 5; }
    AccreditationScreen #accreditation-detail {
        height: auto; max-height: 5; padding: 0 1; border-top: solid $panel;
    }
    AccreditationScreen LoadingIndicator { height: 1; display: none; }
    AccreditationScreen LoadingIndicator.shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._results: list[tuple[Client, ClientReadiness]] = []
        self.ready = False
        #: True while the check waits for the meeting log; its arrival runs it.
        self.waiting = False

    def compose(self) -> ComposeResult:
        yield from self.chrome("accreditation", "Accreditation readiness")
        yield Static("Checking every client in the program…", id="accreditation-summary")
        yield LoadingIndicator()
        yield RowList(
            [
                Column("client", "Client", 18),
                Column("verdict", "Result", 11),
                Column("reason", "What to do", 0, 20),
                Column("where", "Fix in", 9),
            ],
            empty_text="There are no active clients, or clients on hold, to check.",
            id="accreditation-list",
        )
        yield Static("", id="accreditation-detail")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(RowList).focus()
        on_masking(self, lambda _masked: self._show())
        self.action_refresh()

    def reload_records(self) -> None:
        if self.ready or self.waiting:  # back from fixing something, or the log is read
            self.action_refresh()

    def action_refresh(self) -> None:
        self.ready = False
        self.query_one(LoadingIndicator).add_class("shown")
        vault = self.case_app.vault
        self.waiting = vault is not None and "meetings" in vault.loading
        if self.waiting:
            # Checked without the meeting log, every contact rule would look unmet.
            self.query_one("#accreditation-summary", Static).update(
                one_line("Reading the meeting log: the check follows in a moment…")
            )
            return
        self._check()

    @work(thread=True, exclusive=True, group="accreditation", exit_on_error=False)
    @reports_crashes("checking accreditation readiness")
    def _check(self) -> None:

        app = self.case_app
        vault = app.vault
        if vault is None:
            return
        results = accreditation(vault.repo, app.today, app.settings.reassess_after_days)
        self.app.call_from_thread(self._checked, results)

    def _checked(self, results: list[tuple[Client, ClientReadiness]]) -> None:
        first = not self._results and not self.ready
        self._results = results
        self.ready = True
        self.query_one(LoadingIndicator).remove_class("shown")
        self._show()
        if first:
            self.case_app.record_event(AuditAction.REPORT_RUN, "accreditation readiness")

    def _show(self) -> None:
        summary = summarise(r for _c, r in self._results)
        self.query_one("#accreditation-summary", Static).update(
            one_line(
                f"As of {self.case_app.today.isoformat()}, {headline(summary)} "
                "Enter opens the place to fix a line."
            )
        )
        self.query_one(RowList).set_rows(lines_for(self._results, is_masked(self)))
        self._show_detail()

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        """The whole reason of the line under the cursor, which the list may cut short."""
        row = self.query_one(RowList).current
        text = ""
        if row is not None:
            _client, check = row.data
            if isinstance(check, str):  # a note
                text = f"{check}. Nothing is required; ask only when it feels right."
            elif check is not None:
                where = TAB_NAMES.get(check.tab, check.tab)
                text = f"{check.rule}. {check.title}: {check.reason} Fix it in the {where}."
            else:
                text = "Every requirement is met, essential and recommended: nothing to do."
        self.query_one("#accreditation-detail", Static).update(one_line(text))

    @on(RowList.Chosen)
    def action_open(self) -> None:
        row = self.query_one(RowList).current
        if row is None:
            return
        who, check = row.data
        self.open_fix(who, None if isinstance(check, str) else check)

    def open_fix(self, who: Client | ManagerReadiness, check: Check | None) -> None:
        """Open where a line is fixed: the client's tab, or a case manager's week."""
        app = self.case_app
        if isinstance(who, ManagerReadiness) or (check is not None and check.tab == "week"):
            staff_id = who.staff_id if isinstance(who, ManagerReadiness) else who.case_manager_id
            app.open_week(staff_id)
            return
        app.open_client(who.id, tab=check.tab if check else "profile")

    def action_back(self) -> None:
        self.case_app.go_back()
