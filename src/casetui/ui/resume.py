"""Coming back after a lock: the same screen, client, tab and row, and the form's draft.

A lock (the idle lock, F12) or a dropped connection removes every screen. Before
that, :func:`capture` notes where the person was as a :class:`Place`: a section
(Today, the partner directory, the week...), a client and tab, the row under the
cursor, and a form with typed, unsaved changes. After the next unlock
:func:`restore` opens the same screens again and, for a form, runs the action that
opened it (its ``reopen``, noted by the app as the form was pushed) and fills in
what was typed. A form that cannot be opened again that way (one reached through
a question, or whose record is gone) is shown as its typed words instead, on a
:class:`DraftScreen`, so nothing typed is lost.

A place without a form holds only record ids and is kept in memory. A form's
draft holds what a person typed and goes to disk sealed to the vault's keys
(see :mod:`casetui.vault.drafts`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static, TabbedContent

from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import is_masked, on_masking
from casetui.ui.navigation import SECTION_SCREENS, section_of
from casetui.ui.panes.base import Pane
from casetui.ui.reopening import (
    FORM_ACTIONS,
    ON_PANE,
    ON_SCREEN,
    draft_taken,
    forget_draft,
    offer_draft,
)
from casetui.ui.safe_text import one_line, plain
from casetui.ui.screens.client import ClientScreen
from casetui.ui.session import session_of
from casetui.ui.widgets.row_list import RowList


def opening(action: object, namespace: object) -> tuple[str, str] | None:
    """How to run ``action`` again after a lock, if it is one that can be."""
    if not isinstance(action, str) or action not in FORM_ACTIONS:
        return None
    if isinstance(namespace, Pane):
        return (action, ON_PANE)
    if isinstance(namespace, Screen):
        return (action, ON_SCREEN)
    return None


@dataclass(frozen=True, slots=True)
class FormDraft:
    """An open form with typed changes: how to open it again, and what was typed."""

    title: str
    #: (action, where): the action that opened the form, and ON_PANE or ON_SCREEN.
    reopen: tuple[str, str] | None
    values: dict[str, Any]
    #: "Label: value" lines, shown when the form cannot be opened again.
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """Where the person was: a section, a client's tab, the row under the cursor."""

    section: str | None = None
    client_id: str | None = None
    tab: str | None = None
    record_id: str | None = None
    form: FormDraft | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        form = self.form
        return {
            "section": self.section,
            "client_id": self.client_id,
            "tab": self.tab,
            "record_id": self.record_id,
            "form": None
            if form is None
            else {
                "title": form.title,
                "reopen": list(form.reopen) if form.reopen else None,
                "values": form.values,
                "lines": list(form.lines),
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Place:
        """Read a place back; anything of the wrong shape is left out, never trusted."""

        def text(value: object) -> str | None:
            return value if isinstance(value, str) and len(value) <= 200 else None

        form = data.get("form")
        draft = None
        if isinstance(form, dict) and isinstance(form.get("values"), dict):
            reopen = form.get("reopen")
            draft = FormDraft(
                title=text(form.get("title")) or "Your form",
                reopen=(reopen[0], reopen[1])
                if isinstance(reopen, list)
                and len(reopen) == 2
                and all(isinstance(part, str) for part in reopen)
                else None,
                values=form["values"],
                lines=tuple(str(line) for line in form.get("lines", ()) if isinstance(line, str)),
            )
        return cls(
            section=text(data.get("section")),
            client_id=text(data.get("client_id")),
            tab=text(data.get("tab")),
            record_id=text(data.get("record_id")),
            form=draft,
        )


def _cursor(screen: Screen[Any] | Any) -> str | None:
    """The key of the row under the cursor in the first list of ``screen`` (or a pane)."""
    lists = list(screen.query(RowList))
    if not lists:
        return None
    row = lists[0].current
    return row.key if row is not None else None


def capture(app: App[Any]) -> Place:
    """Where the person is now, and the first form holding typed changes."""
    section: str | None = None
    client_id = tab = record_id = None
    form: FormDraft | None = None
    for screen in app.screen_stack:
        if section_of(screen) is not None:
            section = section_of(screen)
            record_id = _cursor(screen)
        elif isinstance(screen, ClientScreen) and screen.is_mounted:
            client_id = screen.client_id
            tab = screen.query_one(TabbedContent).active or None
            panes = [p for p in screen.query(Pane) if p.parent is not None and p.parent.id == tab]
            record_id = _cursor(panes[0]) if panes else None
        elif (
            form is None and isinstance(screen, FormScreen) and screen.is_mounted and screen.changed
        ):
            form = FormDraft(
                title=screen.form_title,
                reopen=screen.reopen,
                values=screen.draft_values(),
                lines=tuple(screen.draft_lines()),
            )
    return Place(section, client_id, tab, record_id, form)


async def _until(check: Callable[[], bool], seconds: float = 3.0) -> bool:
    """Let the app draw until ``check`` holds, or give up after ``seconds``."""
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.02)
    return True


async def restore(app: App[Any], place: Place) -> None:
    """Open the screens of ``place`` again, then its form with what was typed."""
    session = session_of(app)
    vault = session.vault
    if vault is None:
        return
    if place.section is not None and place.section in SECTION_SCREENS:
        session.show(place.section)  # type: ignore[arg-type]
        await _until(lambda: section_of(app.screen) is not None and app.screen.is_mounted)
        if place.client_id is None and place.record_id is not None:
            for listing in app.screen.query(RowList):
                listing.set_rows(listing.rows, keep_key=place.record_id)
    target: Any = app.screen
    if place.client_id is not None and place.client_id in vault.repo.clients:
        session.open_client(place.client_id, place.tab, place.record_id)
        await _until(lambda: isinstance(app.screen, ClientScreen) and app.screen.is_mounted)
        screen = app.screen
        if isinstance(screen, ClientScreen):
            panes = [p for p in screen.query(Pane) if p.parent and p.parent.id == place.tab]
            target = panes[0] if panes else screen
            if place.record_id is not None and isinstance(target, Pane):
                await _until(lambda: _cursor(target) == place.record_id, 1.0)
    form = place.form
    if form is None:
        return
    if form.reopen is not None and form.reopen[0] in FORM_ACTIONS:
        action, where = form.reopen
        offer_draft(form.values)
        try:
            await app.run_action(action, target if where == ON_PANE else app.screen)
            # The action may ask first ("Open the safety plan for editing?"): the form,
            # if the answer is yes, takes the draft then.
            await _until(lambda: not isinstance(app.screen, ConfirmScreen), 600.0)
            await _until(draft_taken, 0.5)
            taken = draft_taken()
        finally:
            forget_draft()
        if taken:
            app.notify(
                "Here is the form you were filling in, as you left it. It is not saved yet.",
                title="Welcome back",
                markup=False,
                timeout=8,
            )
            return
    await app.push_screen(DraftScreen(form.title, form.lines))


class DraftScreen(ModalScreen[None]):
    """The words typed into a form that could not be opened again: to copy, not lose.

    They are shown only when asked for: they may be a safety plan, and someone may
    be looking at the screen after it unlocks.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "reveal", "Show what I typed", id="draft.show"),
        Binding("escape", "dismiss", "Close", id="draft.close"),
    ]

    DEFAULT_CSS = """
    DraftScreen { align: center middle; }
    DraftScreen > Vertical {
        width: 100%; max-width: 90; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    DraftScreen #draft-title { text-style: bold; padding-bottom: 1; }
    DraftScreen VerticalScroll { height: auto; max-height: 16; }
    """

    COVER = "What you typed is hidden while screen sharing. Turn screen sharing off to see it."
    ASK = "Press s to show what you typed, once nobody else can see this screen."

    def __init__(self, title: str, lines: tuple[str, ...]) -> None:
        super().__init__()
        self.draft_title = title
        self.lines = lines
        self.revealed = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                one_line(
                    f"What you typed in “{self.draft_title}” before casetui locked. It was "
                    "not saved, and this form cannot be opened again by itself: open it "
                    "again and copy what you need from here. Esc closes this."
                ),
                id="draft-title",
            )
            with VerticalScroll():
                yield Static("", id="draft-body")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._show(is_masked(self))
        on_masking(self, self._show)

    def _show(self, masked: bool) -> None:
        if masked:
            body = self.COVER
        elif not self.revealed:
            body = self.ASK
        else:
            body = "\n".join(self.lines) or "(nothing typed)"
        self.query_one("#draft-body", Static).update(plain(body))

    def action_reveal(self) -> None:
        self.revealed = True
        self._show(is_masked(self))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
