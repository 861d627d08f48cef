"""What the figures screens share (funder statistics, PMT quarterly figures): a line
naming what is counted, a status line, and the figures as text, counted in a thread.

Figures wait while the meeting log is still being read just after unlocking:
counted without it, every figure that depends on meetings would be short, and would
stay so. Each thing counted is recorded in the audit trail once per visit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from casetui.core.choices import AuditAction
from casetui.core.errors import VaultError
from casetui.core.records import Record
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.worker_errors import unexpected
from casetui.vault.vault import Vault

WAITING_FOR_LOG = "Reading the meeting log: the figures follow in a moment…"


def counted_tables(vault: Vault, counted: Sequence[type[Record]]) -> dict[str, Sequence[Record]]:
    """The records of ``counted``'s tables. Rows are copied under the vault's lock and
    checked outside it, so a save or an edit never waits for the counting."""
    repo = vault.repo
    with vault.mutex:
        rows = {
            cls.TABLE: [(rid, dict(raw)) for rid, raw in repo.table(cls.TABLE).raw().items()]
            for cls in counted
        }
    return {
        name: [repo.table(name).build(rid, raw) for rid, raw in items]
        for name, items in rows.items()
    }


def figures_bindings(name: str, *more: BindingType) -> list[BindingType]:
    """Back, earlier/later and count again, with ids under ``name`` (for the keymap)."""
    return [
        Binding("escape", "back", "Back", id=f"{name}.back"),
        Binding(
            "left_square_bracket",
            "step(-1)",
            "Earlier/later",
            key_display="[ ]",
            id=f"{name}.earlier",
        ),
        Binding("right_square_bracket", "step(1)", "Later", show=False, id=f"{name}.later"),
        *more,
        Binding("r", "refresh", "Count again", id=f"{name}.refresh"),
    ]


class FiguresScreen(ShowsRecords, CaseScreen):
    """A period line, a status line and the figures; subclasses say what to count."""

    #: The widgets' id prefix (``#stats-body``) and the title bar's words.
    NAME: ClassVar[str]
    HEADING: ClassVar[str]
    #: Refusals said in one sentence (their ``message``, or their text) rather than as
    #: something unexpected.
    REFUSALS: ClassVar[tuple[type[Exception], ...]] = (VaultError,)

    DEFAULT_CSS = """
    FiguresScreen .figures-period { height: auto; padding: 0 1; margin-top: 1; }
    FiguresScreen .figures-status {
        height: auto; padding: 0 1; margin-bottom: 1; color: $text-muted;
    }
    FiguresScreen .figures-scroll { height: 1fr; overflow-x: auto; scrollbar-size-vertical: 1; }
    FiguresScreen .figures-body { width: auto; padding: 0 0 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        #: True once the figures on screen are for what :meth:`counting` names now.
        self.ready = False
        #: True while the figures wait for the meeting log; its arrival counts them.
        self.waiting = False
        self._recorded: set[str] = set()

    # -- for subclasses ---------------------------------------------------------------

    def choose_start(self) -> None:
        """Set what is counted first (the period), before the screen is drawn."""

    def describe(self) -> str:
        """The line naming what is counted (the period, the funding source)."""
        raise NotImplementedError

    def counting(self) -> tuple[Hashable, Callable[[], str]]:
        """What is counted now, as a key, and the count (run in a thread) giving the text."""
        raise NotImplementedError

    def counted_status(self) -> str:
        """The status line once the figures are shown."""
        raise NotImplementedError

    def run_detail(self) -> str:
        """The audit trail's words for this count (never a client's name)."""
        raise NotImplementedError

    # -- the screen -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self.choose_start()
        yield from self.chrome(self.NAME, self.HEADING)
        yield Static("", id=f"{self.NAME}-period", classes="figures-period")
        yield Static("", id=f"{self.NAME}-status", classes="figures-status")
        with VerticalScroll(id=f"{self.NAME}-scroll", classes="figures-scroll", can_focus=True):
            yield Static("", id=f"{self.NAME}-body", classes="figures-body")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(f"#{self.NAME}-scroll").focus()
        self.action_refresh()

    def say(self, text: str) -> None:
        """Put ``text`` on the status line."""
        self.query_one(f"#{self.NAME}-status", Static).update(one_line(text))

    def action_refresh(self) -> None:
        self.query_one(f"#{self.NAME}-period", Static).update(one_line(self.describe()))
        self.ready = False
        vault = self.case_app.vault
        self.waiting = vault is not None and "meetings" in vault.loading
        if self.waiting:
            self.say(WAITING_FOR_LOG)
            return
        self.say("Counting…")
        key, count = self.counting()
        self._count(key, count)

    def reload_records(self) -> None:
        """The meeting log has arrived: count now. (Other changes wait for ``r``.)"""
        if self.waiting:
            self.action_refresh()

    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def _count(self, key: Hashable, count: Callable[[], str]) -> None:
        if self.case_app.vault is None:
            return
        try:
            text = count()
        except self.REFUSALS as error:
            self.app.call_from_thread(self._failed, getattr(error, "message", str(error)))
            return
        except Exception as error:
            self.app.call_from_thread(self._failed, unexpected("counting the figures", error))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, key, text)

    def _failed(self, reason: str) -> None:
        if not self.is_attached:
            return
        self.query_one(f"#{self.NAME}-body", Static).update("")
        self.say("The figures could not be counted. " + reason)
        self.ready = True

    def _show(self, key: Hashable, text: str) -> None:
        if not self.is_attached:  # left the screen while counting
            return
        if key != self.counting()[0]:
            return  # something else was chosen while this was counted
        self.query_one(f"#{self.NAME}-body", Static).update(Text(text, no_wrap=True, end=""))
        self.say(self.counted_status())
        detail = self.run_detail()
        if detail not in self._recorded:
            self._recorded.add(detail)
            self.case_app.record_event(AuditAction.REPORT_RUN, detail)
        self.ready = True

    def action_back(self) -> None:
        self.case_app.go_back()
