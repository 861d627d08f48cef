"""A checkbox whose tick is a character, not just a colour.

Textual's Checkbox draws ``▐X▌`` ticked or not and tells the two apart by
colour alone, which NO_COLOR, a monochrome terminal and a screen reader all
lose. This one draws ``▐X▌`` when ticked and ``▐ ▌`` when not, in the same
three cells and colours, so nothing else on the form moves.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

#: What sits between the two half blocks, ticked and not.
TICKED = "X"
UNTICKED = " "


class TickBox(Checkbox):
    """A Checkbox that shows an X only when it is ticked."""

    BUTTON_INNER = TICKED

    @property
    def _button(self) -> Content:
        # As ToggleButton._button (Textual 8), with the inside chosen by the value.
        button_style = self.get_visual_style("toggle--button")
        side_style = Style(foreground=button_style.background, background=self.background_colors[1])
        return Content.assemble(
            (self.BUTTON_LEFT, side_style),
            (self.BUTTON_INNER if self.value else UNTICKED, button_style),
            (self.BUTTON_RIGHT, side_style),
        )


class TickList(SelectionList[Any]):
    """A SelectionList whose boxes show an X only when chosen (see :class:`TickBox`)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            option = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        if option.value in self.selected:
            return strip
        segments = list(strip)
        # The box is the first three segments: left half block, inside, right half block.
        if len(segments) > 1 and segments[1].text == Checkbox.BUTTON_INNER:
            segments[1] = Segment(UNTICKED, segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip
