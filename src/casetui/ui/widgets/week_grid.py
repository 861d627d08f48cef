"""The case manager's week as a grid: Monday to Sunday across, hours down.

Drawn with the line API, one hour per line. Each cell shows the kind's letter
(A admin, S self-care, V supervision, T training, D documentation), ``↻`` when
the block repeats every week and, when the column is wide enough for all of it,
its name, so the grid reads the same without colour. A client meeting shows as
``M`` and a count; a clash shows ``!`` in the alert style. ``LEGEND`` says what
the letters mean, for the screen to show beside the grid. A cursor (day, hour)
picks the cell to add to or the block to change.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from casetui.core.choices import BlockKind
from casetui.core.schedule import KIND_LETTERS, MeetingSlot, Slot, collisions, overlaps

TIME_WIDTH = 6
HOURS = 24
#: Marks a block that repeats every week, last in every hour it covers.
WEEKLY_MARK = "↻"
#: What the letters and marks mean; the cells drop a name that does not fit whole.
LEGEND = (
    ("A", "admin"),
    ("S", "self-care"),
    ("V", "supervision"),
    ("T", "training"),
    ("D", "documentation"),
    ("M", "client meetings"),
    (WEEKLY_MARK, "every week"),
    ("!", "clash"),
)


def _with_word(text: str, word: str, width: int) -> str:
    """``text`` and then ``word``, if the word fits whole in ``width`` cells."""
    joined = f"{text} {word}"
    return joined if len(joined) <= width else text


def _cell_classes() -> dict[BlockKind, str]:
    return {kind: f"week-grid--{kind.value.replace('_', '-')}" for kind in BlockKind}


KIND_CLASSES = _cell_classes()


class WeekGrid(Widget, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "week-grid--header",
        "week-grid--today",
        "week-grid--cursor",
        "week-grid--meeting",
        "week-grid--clash",
        "week-grid--empty",
        *KIND_CLASSES.values(),
    }

    DEFAULT_CSS = """
    WeekGrid { height: 1fr; min-height: 6; background: $surface; }
    WeekGrid > .week-grid--header { text-style: bold; background: $panel; }
    WeekGrid > .week-grid--today { text-style: bold underline; background: $panel; }
    WeekGrid > .week-grid--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    WeekGrid > .week-grid--empty { color: $text-muted; }
    WeekGrid > .week-grid--meeting { background: $boost; text-style: bold; }
    WeekGrid > .week-grid--clash { background: $error; color: $text; text-style: bold; }
    WeekGrid > .week-grid--admin { background: $primary 40%; }
    WeekGrid > .week-grid--self-care { background: $success 40%; }
    WeekGrid > .week-grid--supervision { background: $accent 40%; }
    WeekGrid > .week-grid--training { background: $warning 35%; }
    WeekGrid > .week-grid--documentation { background: $secondary 40%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1, 0)", "Day before", show=False, id="week.left"),
        Binding("right,l", "move(1, 0)", "Day after", show=False, id="week.right"),
        Binding("up,k", "move(0, -1)", "Earlier", show=False, id="week.up"),
        Binding("down,j", "move(0, 1)", "Later", show=False, id="week.down"),
    ]

    cursor_day: reactive[int] = reactive(0)
    cursor_hour: reactive[int] = reactive(9)

    class Moved(Message):
        """The cursor moved to another cell."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.monday = date.today() - timedelta(days=date.today().weekday())
        self.today: date | None = None
        self.slots: list[Slot] = []
        self.meetings: list[MeetingSlot] = []
        self.clashing: set[tuple[str, date]] = set()
        self.first_hour = 8

    def show_week(
        self, monday: date, today: date, slots: list[Slot], meetings: list[MeetingSlot]
    ) -> None:
        self.monday, self.today, self.slots, self.meetings = monday, today, slots, meetings
        self.clashing = set()
        for a, b in overlaps(slots):
            self.clashing |= {(a.block.id, a.day), (b.block.id, b.day)}
        for slot, _meeting in collisions(slots, meetings):
            self.clashing.add((slot.block.id, slot.day))
        self._keep_cursor_visible()
        self.refresh()

    # -- what is where ------------------------------------------------------------

    @property
    def cursor_date(self) -> date:
        return self.monday + timedelta(days=self.cursor_day)

    def slots_at(self, day_index: int, hour: int) -> list[Slot]:
        day = self.monday + timedelta(days=day_index)
        start, end = hour * 60, hour * 60 + 60
        return [s for s in self.slots if s.day == day and s.start < end and start < s.end]

    def meetings_at(self, day_index: int, hour: int) -> list[MeetingSlot]:
        day = self.monday + timedelta(days=day_index)
        start, end = hour * 60, hour * 60 + 60
        return [
            m
            for m in self.meetings
            if m.day == day
            and m.start is not None
            and m.end is not None
            and m.start < end
            and start < m.end
        ]

    @property
    def current_slot(self) -> Slot | None:
        found = self.slots_at(self.cursor_day, self.cursor_hour)
        return found[0] if found else None

    # -- moving -----------------------------------------------------------------

    def _visible_hours(self) -> int:
        return max(1, self.size.height - 1)

    def _keep_cursor_visible(self) -> None:
        if self.size.height <= 1:  # not laid out yet: on_resize will call again
            return
        rows = self._visible_hours()
        if self.cursor_hour < self.first_hour:
            self.first_hour = self.cursor_hour
        elif self.cursor_hour >= self.first_hour + rows:
            self.first_hour = self.cursor_hour - rows + 1
        self.first_hour = max(0, min(self.first_hour, HOURS - rows))

    def action_move(self, days: int, hours: int) -> None:
        self.cursor_day = max(0, min(6, self.cursor_day + days))
        self.cursor_hour = max(0, min(HOURS - 1, self.cursor_hour + hours))
        self._keep_cursor_visible()
        self.refresh()
        self.post_message(self.Moved())

    def on_resize(self) -> None:
        self._keep_cursor_visible()
        self.refresh()  # first_hour may have changed: lines drawn before are stale

    # -- drawing ------------------------------------------------------------------

    def _column_widths(self) -> list[int]:
        spare = max(self.size.width - TIME_WIDTH, 7)
        base, extra = divmod(spare, 7)
        return [base + (1 if i < extra else 0) for i in range(7)]

    def render_line(self, y: int) -> Strip:
        widths = self._column_widths()
        base = self.rich_style
        if y == 0:
            return self._header(widths, base)
        hour = self.first_hour + y - 1
        if hour >= HOURS:
            return Strip.blank(self.size.width, base)
        segments = [Segment(f"{hour:02d}:00".ljust(TIME_WIDTH), base)]
        for day_index, width in enumerate(widths):
            text, style = self._cell(day_index, hour, width, base)
            segments.append(Segment(set_cell_size(text, width), style))
        return Strip(segments, self.size.width)

    def _header(self, widths: list[int], base: Style) -> Strip:
        header = base + self.get_component_rich_style("week-grid--header")
        today = base + self.get_component_rich_style("week-grid--today")
        segments = [Segment(" " * TIME_WIDTH, header)]
        # One format for every day, fitted to the narrowest column, so the header
        # does not switch from "Thu 19 Nov" to "Fri 20" halfway across.
        narrowest = min(widths)
        fmt = "%a %d %b" if narrowest >= 11 else "%a %d" if narrowest >= 7 else "%a"
        for day_index, width in enumerate(widths):
            day = self.monday + timedelta(days=day_index)
            label = day.strftime(fmt)
            style = today if day == self.today else header
            segments.append(Segment(set_cell_size(" " + label, width), style))
        return Strip(segments, self.size.width)

    def _cell(self, day_index: int, hour: int, width: int, base: Style) -> tuple[str, Style]:
        slots = self.slots_at(day_index, hour)
        meetings = self.meetings_at(day_index, hour)
        style = base
        text = " ·" if not slots and not meetings else ""
        if not slots and not meetings:
            style = base + self.get_component_rich_style("week-grid--empty")
        elif slots:
            slot = slots[0]
            kind = slot.block.kind
            clash = (slot.block.id, slot.day) in self.clashing or len(slots) > 1 or meetings
            # The clash mark, the kind's letter and the weekly mark always show; the
            # name only where it fits whole (the legend and the line below tell it),
            # never cut to a stub like "Self-ca".
            text = f"{'!' if clash else ' '}{KIND_LETTERS[kind]}"
            named = _with_word(text, kind.label, width) if slot.start // 60 == hour else text
            if slot.block.weekly:
                # "A Admin ↻" where there is room, "D Documentation↻" where it is
                # tight, and "S ↻" rather than a name cut short.
                spaced, tight = f"{named} {WEEKLY_MARK}", f"{named}{WEEKLY_MARK}"
                named = next(
                    (t for t in (spaced, tight) if len(t) <= width), f"{text} {WEEKLY_MARK}"
                )
            text = named
            cls = "week-grid--clash" if clash else KIND_CLASSES[kind]
            style = base + self.get_component_rich_style(cls)
        else:
            count = len(meetings)
            text = _with_word(f" M {count}", "meeting" + ("s" if count > 1 else ""), width)
            style = base + self.get_component_rich_style("week-grid--meeting")
        if day_index == self.cursor_day and hour == self.cursor_hour and self.has_focus:
            style = style + self.get_component_rich_style("week-grid--cursor")
            if not slots and not meetings:
                text = " +"
        return text, style

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
