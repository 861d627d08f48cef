"""Reading the terminal: bytes that are not UTF-8 must not stop the app.

Textual's Linux driver decodes what the terminal sends with a strict UTF-8
decoder, in its input thread. A single byte that is not UTF-8 (``é`` typed in a
Latin-1 terminal is the byte 0xE9 alone) raises there, and the app stops with a
traceback and loses the form being typed. :class:`LenientLinuxDriver` reads the
same way but replaces each such byte with U+FFFD, which shows as ``�`` where it
was typed; nothing else changes.

The reading loop is Textual 8.2.8's own (the version casetui pins), with only the
decoder's ``errors`` changed: the decoder is a local of that loop, so there is no
smaller place to change it. Check it again when Textual is updated.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

#: How undecodable input bytes are handled: each becomes U+FFFD.
INPUT_ERRORS = "replace"


class TerminalGone(Message):
    """Sent to the app when reading the terminal gives nothing: it has gone away."""


class _EndOfInput(Exception):
    """The terminal is gone: reading it gives nothing, at once, for ever."""


class LenientLinuxDriver(LinuxDriver):
    """Textual's Linux driver, replacing input bytes that are not UTF-8 instead of failing.

    It also knows when the terminal has gone away (a dropped SSH session): the
    end of input, or the app saying so after SIGHUP. Then it asks the app to
    leave quietly (``hang_up_soon``) and no longer resumes the terminal on
    SIGCONT, which Textual would otherwise try in the middle of shutting down.
    """

    terminal_gone = False

    def _sigcont_application(self, *args: object) -> None:
        if not self.terminal_gone:
            super()._sigcont_application(*args)

    def _end_of_input(self) -> None:
        # Posted, never waited for: the app may be stopping this very thread (after a
        # SIGHUP) and would wait for it to end, while it waited for the app.
        self.terminal_gone = True
        self._app.post_message(TerminalGone())

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual 8.2.8's loop; see the module docstring)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)

        fileno = self.fileno
        event_read = selectors.EVENT_READ

        parser = XTermParser(self._debug)
        feed = parser.feed
        tick = parser.tick

        decode = getincrementaldecoder("utf-8")(errors=INPUT_ERRORS).decode
        read = os.read

        def process_selector_events(
            selector_events: list[tuple[selectors.SelectorKey, int]],
            final: bool = False,
        ) -> None:
            for last, (_selector_key, mask) in loop_last(selector_events):
                if mask & event_read:
                    raw = read(fileno, 1024 * 4)
                    if not raw and not final:
                        # Readable, yet nothing to read: the terminal has closed. Textual
                        # would go round this loop at full speed for as long as it runs.
                        raise _EndOfInput
                    unicode_data = decode(raw, final=final and last)
                    if not unicode_data:
                        # This can occur if the stdin is piped
                        break
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(0.1))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        except _EndOfInput:
            self._end_of_input()
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass


def lenient(driver_class: type[Driver]) -> type[Driver]:
    """The driver to run with: the lenient one in place of Textual's Linux driver.

    Any other driver (the web demo's, the headless one in tests, one named in
    ``TEXTUAL_DRIVER``) is kept as it is.
    """
    return LenientLinuxDriver if driver_class is LinuxDriver else driver_class
