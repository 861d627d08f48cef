"""Keys are handled one at a time, in the order they were typed.

The defect this mends: keys that arrive in a burst (a password manager typing
``name<Tab>passphrase``, a paste sent as keys, a laggy SSH link delivering a
second of typing at once) went to the wrong field. ``Sam Rivera<Tab>secret``
on the first-run card left ``Sam Riverasecret`` in the visible Name field: a
passphrase shown on screen.

Why (Textual 8.2, ``textual/app.py``): ``App.on_event`` hands each key from the
terminal to the focused widget's own message queue the moment it arrives
(``forward_target._forward_event(event)``, about line 4138), and goes on to the
next. Tab is a binding on the Screen (``textual/screen.py`` line 270), and
bindings other than "priority" ones only run in ``App._on_key`` (line 4341),
once the key has travelled through the focused widget and bubbled back up
through every parent to the App. By then every key after the Tab has already
been queued on the old field. The same is true of every binding, not only Tab:
``abc<Backspace>de`` typed at once left ``abcd``, and Enter, which moves to the
next field on our cards and forms through an ``Input.Submitted`` message, came
later still.

The fix here: the app hands a key on only when the one before it has *settled*.
A later key (or paste, or mouse event, so their order is kept too) is held in a
queue meanwhile, and handed on afterwards through Textual's own
``App.on_event``, so it goes to whatever has the focus *then*. Settled means:
every message pump on the key's path (the widget it went to, each parent up to
the screen, the current screen, and the App) has worked through everything
that was queued on it before we asked. That is checked with
``call_later`` callbacks passed from pump to pump, each one posted after the
previous pump is done, so it queues behind the bubbling key itself. It takes
two such passes: the first covers the key and its bindings (Tab's
``focus_next``), the second the messages those bindings posted (Enter's
``Input.Submitted``, whose handler moves to the next field).

Chosen over making Tab an app-level priority binding because that would change
*which* widget handles Tab (a TextArea that indents, the command palette, a
Select's overlay): here nothing about key handling changes; a burst is simply
handled as if typed slowly. Typing at human speed is not delayed at all: a key
that arrives with nothing in flight is handed on at once. Nothing is dropped: a
pump that has closed (a form dismissed by the key) is skipped, and if the
callbacks ever fail to come back (a handler stuck waiting), a watchdog hands the
next key on after a second anyway.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.message_pump import MessagePump

#: How many times the key's path is walked before the next key goes on (see above).
PASSES = 2
#: Hand the next key on after this many seconds even if a pass never came back.
WATCHDOG_SECONDS = 1.0


def is_ordered(event: events.Event) -> bool:
    """Whether ``event`` comes from the terminal and takes its turn in the key order."""
    return isinstance(event, events.InputEvent | events.Paste) and not event.is_forwarded


def _settles(event: events.Event) -> bool:
    """Whether the next event waits for this one: keys and pastes, not the mouse."""
    return isinstance(event, events.Key | events.Paste)


class KeyOrder:
    """Hands the terminal's input events to the app one settled key at a time.

    ``hand_on`` is Textual's own ``App.on_event``: it runs the priority bindings
    and forwards the event to the widget focused at that moment.
    """

    def __init__(self, app: App[Any], hand_on: Callable[[events.Event], Awaitable[None]]):
        self._app = app
        self._hand_on = hand_on
        self._held: deque[events.Event] = deque()
        #: Counts the keys handed on; a pass or watchdog for an older key does nothing.
        self._turn = 0
        self._in_flight = False
        self._watchdog: asyncio.TimerHandle | None = None

    async def take(self, event: events.Event) -> None:
        """An input event from the terminal: hand it on now, or after those before it."""
        if self._in_flight or self._held:
            self._held.append(event)
            return
        await self._send(event)

    async def _send(self, event: events.Event) -> None:
        app = self._app
        if not _settles(event):
            await self._hand_on(event)
            return
        try:
            target: DOMNode = app.focused or app.screen
        except Exception:  # no screen yet, or none left: Textual decides what to do with it
            await self._hand_on(event)
            return
        self._turn += 1
        turn = self._turn
        self._in_flight = True
        await self._hand_on(event)
        self._start_watchdog(turn)
        self._walk(target, turn, 1)

    # -- settling ---------------------------------------------------------------------

    def _path(self, target: DOMNode) -> list[MessagePump]:
        """The pumps a key to ``target`` passes: it, its parents, the screen, the app."""
        app = self._app
        path: list[MessagePump] = [node for node in target.ancestors_with_self if node is not app]
        try:
            screen = app.screen
        except Exception:  # no screen while the app starts or stops
            screen = None
        if screen is not None and screen not in path:
            path.append(screen)  # a key that opened or closed a screen: the new one too
        path.append(app)
        return path

    def _walk(
        self,
        target: DOMNode,
        turn: int,
        pass_number: int,
        step: int = 0,
        path: list[MessagePump] | None = None,
    ) -> None:
        """Queue a check behind everything now queued on the next pump of the path."""
        if turn != self._turn:
            return
        if path is None:
            path = self._path(target)  # afresh each pass: the key may have opened a screen
        while step < len(path):
            if path[step].call_later(self._walk, target, turn, pass_number, step + 1, path):
                return
            step += 1  # closed or closing: nothing more will happen there
        if pass_number < PASSES:
            self._walk(target, turn, pass_number + 1)
        elif not self._app.call_later(self._settled, turn):
            self._held.clear()  # the app itself is closing

    async def _settled(self, turn: int) -> None:
        if turn != self._turn or not self._in_flight:
            return
        self._in_flight = False
        self._stop_watchdog()
        while self._held and not self._in_flight:
            await self._send(self._held.popleft())

    # -- the watchdog -----------------------------------------------------------------

    def _start_watchdog(self, turn: int) -> None:
        self._stop_watchdog()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._watchdog = loop.call_later(WATCHDOG_SECONDS, self._bark, turn)

    def _stop_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _bark(self, turn: int) -> None:
        """A pass never came back: go on with the next key rather than lose it."""
        self._watchdog = None
        if turn == self._turn and self._in_flight:
            self._app.call_later(self._settled, turn)
