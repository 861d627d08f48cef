"""The messages the app sends to its screens."""

from __future__ import annotations

from textual.message import Message


class RecordsChanged(Message, bubble=False):
    """Records were written: every screen showing records redraws from them.

    The app posts it to each screen in the stack after a write (see
    ``CaseApp.run_on_vault``), with what the repository says the write touched.
    """

    def __init__(self, tables: frozenset[str], client_ids: frozenset[str]) -> None:
        super().__init__()
        #: The tables written to (``clients``, ``goals``, ``audit``, …).
        self.tables = tables
        #: The clients whose records were written to; empty when none.
        self.client_ids = client_ids
