"""A screen that shows records: redrawn when they change, now if shown, else when shown again."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from casetui.ui.messages import RecordsChanged
from casetui.ui.session import session_of

if TYPE_CHECKING:
    from textual.screen import Screen


class ShowsRecords:
    """Mixed into a :class:`~textual.screen.Screen` that draws from the records.

    On :class:`RecordsChanged` the screen on top redraws at once (``reload_records``);
    a screen underneath is only marked stale, and redraws when it is shown again,
    so a write costs nothing for the screens nobody is looking at.
    """

    #: Read afresh every time the screen is shown again, not only after a change
    #: (for screens whose figures also depend on the day and on other screens).
    RELOAD_ON_EVERY_RESUME: ClassVar[bool] = False

    #: Whether the records changed since this screen last drew them.
    _stale: bool = False

    def reload_records(self) -> None:
        """Draw the screen afresh from the records."""
        raise NotImplementedError

    def on_records_changed(self, _message: RecordsChanged) -> None:
        screen: Screen[object] = self  # type: ignore[assignment]
        if not screen.is_attached or session_of(screen.app).vault is None:
            return  # going away with a lock: nothing to draw from
        if screen.is_current:
            self._stale = False
            self.reload_records()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale or self.RELOAD_ON_EVERY_RESUME:
            self._stale = False
            self.reload_records()
