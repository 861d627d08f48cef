"""Command palette: "Go to client…" with fuzzy matching.

Textual's ``Matcher.highlight`` parses the candidate as markup, which would make
a client's name live markup in the palette. So the hit is built from a plain
:class:`~textual.content.Content` and only the matched offsets are styled.

While the screen is shared, clients are offered, and matched, only by their
neutral calendar code.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.style import Style

from casetui.ui.masking import stored_client_name
from casetui.ui.safe_text import clean_line
from casetui.ui.session import session_of


class ClientCommands(Provider):
    """Offer every client by preferred name (by neutral code while masked)."""

    def _clients(self) -> list[tuple[str, str]]:
        app = session_of(self.app)
        if app.vault is None:
            return []
        masked = app.masked
        with app.vault.mutex:
            raw = list(app.vault.repo.clients.raw().items())
        return sorted(
            ((cid, clean_line(stored_client_name(cid, row, masked))) for cid, row in raw),
            key=lambda item: item[1].casefold(),
        )

    def _open(self, client_id: str) -> None:
        app = session_of(self.app)
        app.open_client(client_id)

    async def discover(self) -> Hits:
        for client_id, name in self._clients()[:50]:
            yield DiscoveryHit(
                Content(f"Go to client: {name}"),
                partial(self._open, client_id),
                text=f"Go to client: {name}",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        style = Style(bold=True, underline=True)
        for client_id, name in self._clients():
            candidate = f"Go to client: {name}"
            score, offsets = matcher.fuzzy_search.match(query, candidate)
            if score <= 0:
                continue
            display = Content(candidate)
            for offset in offsets:
                display = display.stylize(style, offset, offset + 1)
            yield Hit(score, display, partial(self._open, client_id), text=candidate)
