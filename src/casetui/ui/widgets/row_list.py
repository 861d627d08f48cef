"""A fast, read-only table drawn with Textual's line API.

Only the visible lines are ever drawn, so 2,000 clients or 500 meetings cost the
same to paint as 20 (the same approach as Toolong's log view). Cells are plain
strings turned straight into segments: nothing is parsed as markup, so a client
named ``[@click=app.quit]x[/]`` is drawn exactly as typed and clicking it does
nothing but select the row.

The first line is a header; clicking a heading (or pressing ``s``) sorts by it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from casetui.ui.masking import on_masking
from casetui.ui.safe_text import clean_line


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int = 0
    """Fixed width in cells; 0 means "share the space left over"."""
    min_width: int = 6
    sort_key: Callable[[Any], Any] | None = None
    """Sort key applied to a row's ``data``; None means the column cannot sort."""


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    cells: tuple[str, ...]
    data: Any = None
    marks: dict[int, str] = field(default_factory=dict)
    """Column index -> component class name (e.g. ``row-list--alert``)."""


class RowList(ScrollView, can_focus=True):
    """A virtualised list of rows with a sortable header and a cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-list--header",
        "row-list--cursor",
        "row-list--alert",
        "row-list--muted",
        "row-list--good",
    }

    DEFAULT_CSS = """
    RowList {
        height: 1fr;
        background: $surface;
        scrollbar-gutter: stable;
    }
    RowList > .row-list--header { text-style: bold; background: $panel; }
    RowList > .row-list--cursor { background: $block-cursor-blurred-background; }
    RowList:focus > .row-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    RowList > .row-list--alert { color: $error; text-style: bold; }
    RowList > .row-list--muted { color: $text-muted; }
    RowList > .row-list--good { color: $success; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="list.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="list.last"),
        Binding("enter", "choose", "Open", id="list.open"),
        Binding("s", "next_sort", "Sort", show=False, id="list.sort"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Chosen(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, row_list: RowList, row: Row) -> None:
            super().__init__()
            self.row_list = row_list
            self.row = row

        @property
        def control(self) -> RowList:
            return self.row_list

    class Highlighted(Message):
        def __init__(self, row_list: RowList, row: Row | None) -> None:
            super().__init__()
            self.row_list = row_list
            self.row = row

        @property
        def control(self) -> RowList:
            return self.row_list

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        empty_text: str = "Nothing to show.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = tuple(columns)
        self.empty_text = empty_text
        self._all: list[Row] = []
        self._rows: list[Row] = []
        self.sort_column: int | None = None
        self.sort_reverse = False
        self._widths: tuple[int, ...] = ()
        self._widths_for = -1
        # Drawn lines, keyed by (row object, width, cursor, focus). Rows are reused
        # across filters, so typing in a filter mostly redraws from here. Each entry
        # holds its row, so the row's id() cannot be reused while it is cached.
        self._line_cache: dict[tuple[int, int, bool, bool], tuple[Row, Strip]] = {}

    # -- data -----------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Row]:
        """The rows as shown (sorted)."""
        return self._rows

    @property
    def current(self) -> Row | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[Row], *, keep_key: str | None = None) -> None:
        """Replace the rows, keeping the cursor on ``keep_key`` (or the current row)."""
        if keep_key is None and self.current is not None:
            keep_key = self.current.key
        self._all = list(rows)
        self._apply_sort()
        index = 0
        if keep_key is not None:
            for i, row in enumerate(self._rows):
                if row.key == keep_key:
                    index = i
                    break
        self._set_virtual_height(len(self._rows) + 1)
        self.cursor = min(index, max(len(self._rows) - 1, 0))
        self.refresh()

    def _set_virtual_height(self, height: int) -> None:
        """Resize the scrollable area without a full-screen layout pass.

        ``virtual_size`` is a layout reactive: assigning it re-lays out the whole
        screen (about 25 ms here), once per keystroke in the filter. Only the
        scrollbars depend on it, so update them directly, and ask for a layout
        only when the scrollbar appears or disappears.
        """
        size = Size(self.size.width, height)
        if size == self.virtual_size:
            return
        if not self.is_mounted:
            self.virtual_size = size
            return
        shown = self.show_vertical_scrollbar
        self.set_reactive(RowList.virtual_size, size)
        self._scroll_update(size)
        self.refresh(layout=self.show_vertical_scrollbar != shown)

    def sort_by(self, column: int, *, reverse: bool | None = None) -> None:
        if self.columns[column].sort_key is None:
            return
        if reverse is None:
            reverse = not self.sort_reverse if self.sort_column == column else False
        self.sort_column, self.sort_reverse = column, reverse
        self.set_rows(self._all)

    def _apply_sort(self) -> None:
        if self.sort_column is None:
            self._rows = list(self._all)
            return
        key = self.columns[self.sort_column].sort_key
        if key is None:
            self._rows = list(self._all)
            return
        self._rows = sorted(self._all, key=lambda row: key(row.data), reverse=self.sort_reverse)

    # -- cursor ---------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if self._rows:
            self.cursor = max(0, min(len(self._rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.scrollable_content_region.height - 2, 1))

    def action_jump(self, index: int) -> None:
        if self._rows:
            self.cursor = index % len(self._rows)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_sort":
            return any(c.sort_key is not None for c in self.columns)
        return True

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self, self.current))

    def action_next_sort(self) -> None:
        sortable = [i for i, c in enumerate(self.columns) if c.sort_key is not None]
        if not sortable:
            return
        if self.sort_column is None:
            self.sort_by(sortable[0])
        elif not self.sort_reverse:
            self.sort_by(self.sort_column, reverse=True)
        else:
            following = [i for i in sortable if i > self.sort_column]
            self.sort_by(following[0] if following else sortable[0], reverse=False)

    def on_click(self, event: events.Click) -> None:
        self.focus()
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                self.sort_by(column)
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < len(self._rows):
            self.cursor = index
            if event.chain >= 2:
                self.action_choose()

    def on_mount(self) -> None:
        # The screen sets new rows when sharing starts or stops; drop every line
        # drawn before, so none with a name in it can be shown again.
        on_masking(self, lambda _masked: self.forget_drawn())

    def forget_drawn(self) -> None:
        """Drop every cached line and draw again."""
        self._line_cache.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._rows) + 1)
        self._widths_for = -1
        self._line_cache.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        self.sort_column = None
        self._widths_for = -1
        self._line_cache.clear()

    # -- drawing --------------------------------------------------------------------

    def _column_widths(self, total: int) -> tuple[int, ...]:
        if self._widths_for == total:
            return self._widths
        gaps = len(self.columns) - 1
        fixed = sum(c.width for c in self.columns if c.width)
        flexible = [c for c in self.columns if not c.width]
        spare = max(total - fixed - gaps, 0)
        share = spare // len(flexible) if flexible else 0
        widths = []
        for column in self.columns:
            widths.append(column.width or max(share, column.min_width))
        self._widths, self._widths_for = tuple(widths), total
        return self._widths

    def _column_at(self, x: int) -> int | None:
        left = 0
        for index, width in enumerate(self._column_widths(self.scrollable_content_region.width)):
            if left <= x < left + width + 1:
                return index
            left += width + 1
        return None

    def _heading(self, index: int) -> str:
        label = self.columns[index].label
        if self.sort_column == index:
            label += " ▼" if self.sort_reverse else " ▲"
        return label

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._column_widths(width)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("row-list--header")
            cells = [self._heading(i) for i in range(len(self.columns))]
            return self._strip(cells, widths, width, style=style, marks={}, base=base)
        index = int(self.scroll_y) + y - 1
        if index >= len(self._rows):
            if index == 0 and not self._rows:
                muted = base + self.get_component_rich_style("row-list--muted")
                return Strip([Segment(set_cell_size(" " + self.empty_text, width), muted)], width)
            return Strip.blank(width, base)
        row = self._rows[index]
        key = (id(row), width, index == self.cursor, self.has_focus)
        cached = self._line_cache.get(key)
        if cached is not None and cached[0] is row:
            return cached[1]
        if len(self._line_cache) > 4096:
            self._line_cache.clear()
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("row-list--cursor")
        marks = {
            col: self.get_component_rich_style(mark, partial=True)
            for col, mark in row.marks.items()
        }
        strip = self._strip(list(row.cells), widths, width, style=style, marks=marks, base=base)
        self._line_cache[key] = (row, strip)
        return strip

    @staticmethod
    def _strip(
        cells: list[str],
        widths: Sequence[int],
        total: int,
        *,
        style: Style,
        marks: dict[int, Style],
        base: Style,
    ) -> Strip:
        segments: list[Segment] = []
        used = 0
        for index, (cell, wanted) in enumerate(zip(cells, widths, strict=False)):
            if used >= total:
                break
            width = min(wanted, total - used)
            text = clean_line(cell)
            if cell_len(text) > width:
                text = set_cell_size(text, max(width - 1, 0)) + "…" if width > 1 else ""
            cell_style = style + marks[index] if index in marks else style
            segments.append(Segment(set_cell_size(text, width), cell_style))
            used += width
            if used < total:
                segments.append(Segment(" ", style))
                used += 1
        if used < total:
            segments.append(Segment(" " * (total - used), style))
        return Strip(segments, total)
