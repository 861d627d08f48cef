"""The one kind of failure a command reports itself: a sentence and an exit code."""

from __future__ import annotations


class CliError(Exception):
    """A problem to report in one sentence.

    ``see`` names the command whose help to point at ("casetui report stats").
    """

    def __init__(self, message: str, exit_code: int = 1, see: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.see = see
