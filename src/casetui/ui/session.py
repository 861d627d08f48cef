"""What a screen may ask of the app: the one seam between the screens and ``app.py``.

Screens, panes and widgets import this module, never ``casetui.ui.app``; the app
imports the screens and implements :class:`Session`. That keeps the import arrows
pointing one way (app → screens → session), so there is no cycle to hide behind
deferred imports. Get it with :func:`session_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Concatenate, Literal, ParamSpec, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App

    from casetui.config.settings import Settings
    from casetui.core.choices import AuditAction
    from casetui.vault.repository import Repository
    from casetui.vault.vault import Vault

P = ParamSpec("P")

Section = Literal[
    "caseload", "today", "partners", "week", "team", "accreditation", "stats", "audit"
]
"""The app's sections: each opens on its own over the caseload (see ``Session.show``)."""


class Session(Protocol):
    """The running app, as the screens see it."""

    settings: Settings
    owner_id: str | None
    demo: bool
    masked: bool

    @property
    def vault(self) -> Vault | None: ...

    @property
    def today(self) -> date: ...

    def require_vault(self) -> Vault: ...

    # -- writes: the one door ----------------------------------------------------

    def write(
        self,
        operation: Callable[Concatenate[Repository, P], object],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> bool:
        """Run a service from :mod:`casetui.services` on the repository, then save.

        A refusal is told in one sentence and changes nothing; returns whether it
        was applied. Every screen showing records hears ``RecordsChanged``.
        """
        ...

    def record_event(
        self, action: AuditAction, detail: str = "", *, client_id: str | None = None
    ) -> None: ...

    # -- navigation: all of it lives in the app ------------------------------------

    def show(self, section: Section) -> None: ...

    def open_client(
        self, client_id: str, tab: str | None = None, record_id: str | None = None
    ) -> None: ...

    def go_back(self) -> None: ...

    def export_calendar(self) -> None: ...


def session_of(app: App[object]) -> Session:
    """The app behind a screen, typed as what a screen may use of it."""
    return cast("Session", app)
