"""What a worker does with an error nobody expected: a crash report, and one sentence.

Workers run with ``exit_on_error=False``, so an error a worker does not catch
would vanish: the status line would say "Saving…" for ever. Each worker catches
the errors it knows (a ``VaultError`` carries its own sentence); for anything
else it calls :func:`unexpected`, which writes a crash report without case
details (see :mod:`casetui.crash`) and gives a sentence to show. The error's own
message is never shown or written: it can hold a client's words.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App

from casetui.crash import write_crash_report

F = TypeVar("F", bound=Callable[..., Any])


def unexpected(what: str, error: BaseException) -> str:
    """Write a crash report for ``error`` (call it off the UI thread); the sentence to show."""
    report = write_crash_report(error)
    where = f" A crash report without case details is at {report}." if report else ""
    return f"Something unexpected went wrong while {what}.{where}"


def tell(app: App[Any], sentence: str) -> None:
    """Show ``sentence`` from a worker thread, for long enough to read a path."""
    app.call_from_thread(
        app.notify,
        sentence,
        title="Something went wrong",
        severity="error",
        markup=False,
        timeout=30,
    )


def guarded(app: App[Any], what: str, job: Callable[[], None]) -> Callable[[], None]:
    """``job`` for a worker, with unexpected errors reported instead of lost."""

    @functools.wraps(job)
    def run() -> None:
        try:
            job()
        except Exception as error:
            tell(app, unexpected(what, error))

    return run


def reports_crashes(what: str) -> Callable[[F], F]:
    """The same for a worker method of a screen or the app (``self.app`` is the app)."""

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as error:
                tell(self.app, unexpected(what, error))
                return None

        return run  # type: ignore[return-value]

    return wrap
