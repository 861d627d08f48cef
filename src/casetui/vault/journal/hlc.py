"""Hybrid logical clock stamps, which order changes made on several devices.

A stamp is the wall-clock time in milliseconds, a counter for changes within
one millisecond (or while the clock is behind one already seen), and the
device's id, so two stamps are never equal. A device that has seen a stamp
never makes a smaller one afterwards, even when its own clock is behind, so a
change made after seeing another always sorts after it. Stamps written as text
sort the same way as the stamps themselves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

#: A change stamped more than this far ahead of this computer's clock is held back.
MAX_AHEAD_MS = 10 * 60 * 1000
_COUNTER_LIMIT = 99_999
_TEXT = re.compile(r"^(\d{13})-(\d{5})-([a-z0-9]{4,32})$")


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    wall: int
    counter: int
    device: str

    def text(self) -> str:
        return f"{self.wall:013d}-{self.counter:05d}-{self.device}"

    @classmethod
    def parse(cls, text: object) -> Stamp:
        """The stamp written as ``text``; ValueError unless it is one."""
        match = _TEXT.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError("not a change stamp")
        return cls(int(match[1]), int(match[2]), match[3])


class Clock:
    """One device's clock: each :meth:`tick` is later than every stamp it made or saw."""

    def __init__(self, device: str, now: Callable[[], int] = wall_ms) -> None:
        self.device = device
        self._now = now
        self._wall = 0
        self._counter = 0

    def tick(self) -> Stamp:
        now = self._now()
        if now > self._wall:
            self._wall, self._counter = now, 0
        elif self._counter < _COUNTER_LIMIT:
            self._counter += 1
        else:  # a burst beyond the counter borrows the next millisecond
            self._wall, self._counter = self._wall + 1, 0
        return Stamp(self._wall, self._counter, self.device)

    def renamed(self, device: str) -> Clock:
        """The same clock under another device's name (it never goes back)."""
        clock = Clock(device, self._now)
        clock._wall, clock._counter = self._wall, self._counter
        return clock

    def ahead(self, stamp: Stamp) -> bool:
        """Whether ``stamp`` is further ahead of this computer's clock than allowed."""
        return stamp.wall > self._now() + MAX_AHEAD_MS

    def observe(self, stamp: Stamp) -> None:
        """Remember a stamp seen in a change, so later ticks sort after it."""
        self._wall, self._counter = max((self._wall, self._counter), (stamp.wall, stamp.counter))
