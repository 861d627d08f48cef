"""Errors raised by the domain layer."""

from __future__ import annotations

from casetui.core.text import printable


class ValidationError(ValueError):
    """A record field holds a value the domain cannot accept.

    ``field`` names the field (dotted for nested values, such as
    ``progress_notes[2].date``); ``problem`` is one plain sentence fragment that
    says what is wrong and, where it helps, what to do instead. The message never
    repeats free text the person typed, only its length, so it is safe to log.
    """

    def __init__(self, field: str, problem: str) -> None:
        field = printable(field)  # a field name can come from a hand-edited file's keys
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem

    def within(self, prefix: str) -> ValidationError:
        """The same error, with its field placed under ``prefix``."""
        return ValidationError(f"{prefix}.{self.field}" if prefix else self.field, self.problem)
