"""De-identified statistics for funders: counts and hours only, small counts suppressed.

What is counted, for a period of days (both ends included):

* **Clients served**: clients whose intake was in the period (*new*), and clients
  whose intake was before it who had at least one meeting in it (*continuing*).
  Being on the caseload is not enough: a client is served in a period when they
  had their intake or a meeting in it.
* **Needs** of the clients served, by domain and status and by horizon and
  status, each by its status on the period's last day (from the need's history),
  so a later run gives the same figures. A need with no history (last written
  before needs kept one) is taken to have had its present status since its
  ``status_date``, or since the client's intake when that is empty. A need that
  did not exist yet on that day (its history begins after it) does not count.
* **Referrals** made in the period (the day of their first status), by service
  and by their status on the period's last day.
* **Meetings** held in the period, by kind: how many, and their hours.
* **Staff time**: the case managers' own admin, self-care, supervision, training
  and documentation blocks on the days of the period, weekly blocks on each day
  they happen (see :mod:`casetui.core.schedule`). It is withheld when fewer than
  :data:`MIN_STAFF` case managers have blocks in the period: in a small agency it
  would be one person's own self-care hours.

Which periods may be counted is up to the caller (see :mod:`casetui.core.periods`):
a report for any span that is not a whole month, quarter or fiscal year says so
in its rules, since two such reports a day apart can give one client away.

When ``as_of`` is given, nothing dated after it counts: a meeting ahead is planned,
not held.

Nothing from a record's text reaches the output: no names, initials, codes,
dates of birth, ids or notes. Only the labels of fixed choices, numbers, and the
period's dates.

**Small-cell suppression.** Every count from 1 to ``threshold - 1`` is shown as
``<threshold`` (0 stays 0). Then further counts are hidden (shown as ``x``) until
no hidden count can be worked out from what is shown. The check is exact, not a
rule of thumb: a table and its totals are a flow network (a row's cells flow into
its total, and so on), and a hidden entry can take another value exactly when
there is a cycle through it in the residual network, where a ``<t`` entry ranges
over 1 to ``t - 1``, an ``x`` over ``t`` and up (complements are always counts of
at least ``t``), a ``..`` over 0 and up, and a shown entry is fixed. When a
hidden entry has no such cycle, the cheapest cycle through it that hides more
shown counts (the smallest first) is found and those counts are hidden too.
Sometimes even that cannot work: four 1s adding up to a total under 5 can only be
1s. Then the cycle withholds entries instead (``..``: any number, 0 included), as
few as it can. Hiding more never fixes an entry that could move, so one pass
settles the table. The two needs tables share their status totals and grand
total, so they are protected together, as one network.

Hours of meetings are hidden wherever the number of those meetings is, and the
total hours whenever any row's hours are hidden (or the hidden hours would be the
total less the shown ones).
"""

from casetui.core.stats.funder_report import (
    CUSTOM_RULE,
    MIN_STAFF,
    NO_PER_WEEK,
    STAFF_TITLE,
    STAFF_WITHHELD_NOTE,
    TOTAL,
    WITHHELD_NOTE,
    FunderStats,
    StatsTable,
    funder_stats,
)
from casetui.core.stats.render import FORMATS, TEXT_WIDTH, render_stats
from casetui.core.stats.suppress import (
    DEFAULT_THRESHOLD,
    HIDDEN,
    MIN_THRESHOLD,
    WITHHELD,
    Mark,
    shown,
    suppress_column,
    suppress_grid,
    suppress_linked,
)
from casetui.core.stats.tally import (
    CONTINUING_ROW,
    NEW_ROW,
    Tallies,
    Tally,
    last_counted_day,
    need_status_on,
    referral_status_on,
    status_on,
    tally,
)

__all__ = [
    "CONTINUING_ROW",
    "CUSTOM_RULE",
    "DEFAULT_THRESHOLD",
    "FORMATS",
    "HIDDEN",
    "MIN_STAFF",
    "MIN_THRESHOLD",
    "NEW_ROW",
    "NO_PER_WEEK",
    "STAFF_TITLE",
    "STAFF_WITHHELD_NOTE",
    "TEXT_WIDTH",
    "TOTAL",
    "WITHHELD",
    "WITHHELD_NOTE",
    "FunderStats",
    "Mark",
    "StatsTable",
    "Tallies",
    "Tally",
    "funder_stats",
    "last_counted_day",
    "need_status_on",
    "referral_status_on",
    "render_stats",
    "shown",
    "status_on",
    "suppress_column",
    "suppress_grid",
    "suppress_linked",
    "tally",
]
