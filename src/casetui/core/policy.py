"""The default numbers of the practice, each in one place.

The records, the rules, the reports and the settings file all start from these.
An agency changes them in ``config.toml``; the ranges are what a setting accepts.
"""

from __future__ import annotations

CHECKIN_DAYS = 14
"""How often a client is checked in with, unless agreed otherwise."""
MIN_CHECKIN_DAYS = 1
MAX_CHECKIN_DAYS = 365

STALLED_DAYS = 14
"""A referral with no step for this many days shows on Today as stalled."""
MIN_STALLED_DAYS = 1
MAX_STALLED_DAYS = 365

SMALL_CELL = 5
"""Funder statistics show counts from 1 to this minus 1 as "<5" (small-cell suppression)."""
MIN_SMALL_CELL = 3
MAX_SMALL_CELL = 50
