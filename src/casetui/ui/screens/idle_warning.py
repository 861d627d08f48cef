"""The countdown before the idle lock, shown while a form holds typed changes.

Listening to a client for a few minutes is not leaving the laptop: the person
sees the lock coming and can keep working with any key. If they do not, the form
is sealed and given back after unlocking (see ``ui/resume.py``).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from casetui.ui.session import Session, session_of


def countdown(seconds: float) -> str:
    """``0:45`` for 45 seconds; whole seconds, rounded up, so 0:00 only at the lock."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}"


class IdleWarningScreen(ModalScreen[None]):
    """ "casetui will lock in 0:45": any key or mouse movement keeps working."""

    DEFAULT_CSS = """
    IdleWarningScreen { align: center middle; }
    IdleWarningScreen > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    IdleWarningScreen #idle-countdown { text-style: bold; }
    IdleWarningScreen #idle-detail { padding-top: 1; }
    """

    @property
    def case_app(self) -> Session:
        return session_of(self.app)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="idle-countdown", markup=False)
            yield Static(
                "The form you are filling in is not saved yet. If casetui locks, it is "
                "kept, sealed with your vault's keys, and given back when you unlock. "
                "Press any key to keep working.",
                id="idle-detail",
                markup=False,
            )

    def on_mount(self) -> None:
        self._tick()
        self.set_interval(0.5, self._tick)

    def _tick(self) -> None:
        app = self.case_app
        if app.screen is not self:
            return  # taken away by the lock itself: dismissing now would close the lock
        left = app.idle_seconds_left()
        if left is None or left > app.idle_warning_lead():
            self.dismiss(None)  # someone used the app (a mouse movement, say)
            return
        self.query_one("#idle-countdown", Static).update(
            f"casetui will lock in {countdown(left)} to keep this screen private."
        )

    def on_key(self, event: events.Key) -> None:
        """Any key keeps working; it is not typed into the form beneath."""
        event.stop()
        event.prevent_default()
        self.dismiss(None)
