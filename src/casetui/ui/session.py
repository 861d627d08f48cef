"""What a screen may ask of the app: the one seam between the screens and ``app.py``.

Screens, panes and widgets import this module, never ``casetui.ui.app``; the app
imports the screens and implements :class:`Session`. That keeps the import arrows
pointing one way (app → screens → session), so there is no cycle to hide behind
deferred imports. Get it with :func:`session_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, Literal, ParamSpec, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel

    from casetui.config.settings import Settings
    from casetui.core.choices import AuditAction
    from casetui.ui.save_worker import SaveState
    from casetui.vault.repository import Repository
    from casetui.vault.unlocking import Unlocker
    from casetui.vault.vault import Vault

P = ParamSpec("P")

Section = Literal[
    "caseload",
    "today",
    "partners",
    "week",
    "team",
    "accreditation",
    "stats",
    "funding",
    "pmt",
    "audit",
    "versions",
]
"""The app's sections: each opens on its own over the caseload (see ``Session.show``)."""


class Session(Protocol):
    """The running app, as the screens see it."""

    settings: Settings
    owner_id: str | None
    demo: bool
    masked: bool
    save_state: SaveState
    #: Opened without the writer lock, and who had the vault open then.
    read_only: bool
    read_only_because: str
    vault_path: Path
    #: The key file this session was unlocked with (``--identity``), if any.
    identity: Path | None
    identity_protected: bool

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

    def changed(self) -> None:
        """Save in a worker after a change to the records."""
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

    def open_week(self, staff_id: str) -> None:
        """A case manager's week, over the screen showing now."""
        ...

    def open_team(self) -> None:
        """The team view: back to it when it is just below, else over this screen."""
        ...

    def export_calendar(self) -> None: ...

    # -- unlocking and the idle lock -------------------------------------------------

    def open_vault(self, unlocker: Unlocker) -> None: ...

    def vault_opened(self, vault: Vault) -> None: ...

    def unlock_after_lock(self, passphrase: str) -> None: ...

    def idle_seconds_left(self) -> float | None: ...

    def idle_warning_lead(self) -> float: ...

    # -- what every Textual app has, used through the session -------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def push_screen(
        self, screen: Any, callback: Any = None, wait_for_dismiss: bool = False
    ) -> Any: ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...


def session_of(app: App[object]) -> Session:
    """The app behind a screen, typed as what a screen may use of it."""
    return cast("Session", app)
