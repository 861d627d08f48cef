"""The meeting log, newest first. Hundreds of entries draw as fast as ten.

While the screen is shared, what was said and seen (summary, the client's words,
observations, next steps, goals discussed) is hidden; date, time, kind and length stay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from casetui.core.case_rules import join_phrases
from casetui.core.choices import MeetingKind
from casetui.core.records import Meeting
from casetui.core.rules import next_checkin_due, staff_by_name
from casetui.ui.forms.client_fields import meeting_fields, next_checkin_hint
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import free_text, is_masked, on_masking
from casetui.ui.panes.record_pane import RecordPane
from casetui.ui.safe_text import labelled, one_line, short_date
from casetui.ui.widgets.chrome import MaskBadge
from casetui.ui.widgets.row_list import Column, Row, RowList


def clock(meeting: Meeting) -> str:
    """The meeting's time as HH:MM, or "" when none was given."""
    return meeting.at.strftime("%H:%M") if meeting.at is not None else ""


def meeting_text(
    meeting: Meeting, staff_name: str, goal_texts: list[str], masked: bool = False
) -> Text:
    goals = join_phrases(goal_texts)
    sections = [
        ("Date", short_date(meeting.on)),
        ("Time", clock(meeting) or "not set"),
        ("Kind", meeting.kind.label),
        ("Minutes", str(meeting.duration_minutes)),
        ("Met with", staff_name or "—"),
        ("Summary", free_text(meeting.summary, masked)),
        ("In the client's words", free_text(meeting.client_view, masked)),
        ("Observations", free_text(meeting.observations, masked)),
        ("Goals discussed", free_text(goals, masked)),
        ("Progress on goals discussed", "yes" if meeting.progress_discussed else "no"),
        ("Next steps", free_text(meeting.next_steps, masked)),
        ("Next check-in", short_date(meeting.next_checkin, "the usual interval")),
    ]
    return labelled(sections)


class MeetingView(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="meeting.close"),
    ]
    DEFAULT_CSS = """
    MeetingView { align: center middle; }
    MeetingView > Vertical {
        width: 100%; max-width: 100; height: 100%; max-height: 40;
        border: round $primary; background: $surface; padding: 0 1;
    }
    MeetingView .title { text-style: bold; color: $primary; padding-bottom: 1; }
    """

    def __init__(self, heading: str, body: Callable[[bool], Text]) -> None:
        """``body(masked)`` draws the meeting, without notes while the screen is shared."""
        super().__init__()
        self.heading = heading
        self.body = body

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        on_masking(self, self._draw)

    def _draw(self, masked: bool) -> None:
        self.query_one("#meeting-body", Static).update(self.body(masked))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield MaskBadge()
            yield Static(self.heading, classes="title", markup=False)
            with VerticalScroll(can_focus=True):
                yield Static(self.body(is_masked(self)), id="meeting-body")
        yield Footer(show_command_palette=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class MeetingsPane(RecordPane[Meeting]):
    RECORD = Meeting
    ADDED = "Meeting logged."
    SAVED = "Meeting saved."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Log meeting", id="meetings.add"),
        Binding("e", "edit", "Edit", id="meetings.edit"),
    ]

    DEFAULT_CSS = """
    MeetingsPane #meetings-info { height: 1; padding: 0 1; color: $text-muted; }
    MeetingsPane #meetings-list { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="meetings-info")
        yield RowList(
            [
                Column("on", "Date", 10, sort_key=lambda m: m.on),
                Column("kind", "Kind", 22, sort_key=lambda m: m.kind.label),
                Column("minutes", "Min", 4),
                Column("summary", "Summary", 0, 20),
            ],
            empty_text="No meetings logged yet. Press a to log one.",
            id="meetings-list",
        )

    def refresh_data(self) -> None:
        meetings = sorted(
            self.vault.repo.meetings.for_parent(self.client_id),
            key=lambda m: (m.on, m.id),
            reverse=True,
        )
        masked = is_masked(self)
        rows = [
            Row(
                m.id,
                (
                    m.on.isoformat(),
                    m.kind.label,
                    str(m.duration_minutes),
                    free_text(m.summary, masked, ""),
                ),
                m,
            )
            for m in meetings
        ]
        self.query_one(RowList).set_rows(rows)
        summary = self.vault.repo.summary(self.client_id, self.session.today)
        due = next_checkin_due(self.client, summary.contact)
        last = short_date(summary.contact.last_contact, "none yet")
        self.query_one("#meetings-info", Static).update(
            one_line(
                f"{len(meetings)} logged · last contact {last} · "
                f"next check-in {short_date(due, 'not scheduled')}"
            )
        )

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        meeting = self._current()
        if meeting is None:
            return
        staff = self.vault.repo.staff.get(meeting.staff_id) if meeting.staff_id else None
        goals = [self.vault.repo.goals.get(gid) for gid in meeting.goals_discussed]
        staff_name = staff.name if staff else ""
        goal_texts = [g.text for g in goals if g]
        at = clock(meeting)
        self.app.push_screen(
            MeetingView(
                f"Meeting on {meeting.on.isoformat()}" + (f" at {at}" if at else ""),
                lambda masked: meeting_text(meeting, staff_name, goal_texts, masked),
            )
        )

    def open_form(self, meeting: Meeting | None) -> None:
        vault = self.vault
        client = self.client
        staff = staff_by_name(vault.repo.staff.all())
        goals = sorted(vault.repo.goals.for_parent(client.id), key=lambda g: g.priority)
        today = self.session.today
        if meeting is None:
            initial: dict[str, Any] = {
                "on": today,
                "kind": MeetingKind.SCHEDULED,
                "duration_minutes": 60,
                "staff_id": self.session.owner_id or client.case_manager_id,
                "next_checkin": today + timedelta(days=client.checkin_interval_days),
            }
        else:
            initial = {n: getattr(meeting, n) for n in Meeting.field_names() if n != "id"}
        title = "Log a meeting" if meeting is None else "Edit meeting"
        hint = next_checkin_hint(
            client.checkin_interval_days, new=meeting is None, filled=bool(initial["next_checkin"])
        )
        fields = meeting_fields(staff, goals, checkin_hint=hint)
        self.push_form(meeting, FormScreen(title, fields, initial, self.builder(meeting)))

    def added(self, meeting: Meeting, ok: bool) -> None:
        """The cursor stays where it was."""
