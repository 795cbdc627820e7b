"""Atrium's daily background aggregation, derived like the rest of a member's state.

A CONNECTED member is aggregated in the background 24 hours of sandbox time after its
last successful aggregation (any job that ended CONNECTED, or a background aggregation).
If a job is running at that instant the background aggregation waits for it and runs the
moment it ends, provided the member is then CONNECTED. A background aggregation is not an
aggregation-type job: it takes no time, never starts the three-hour window and never
blocks a request. Nothing is written when one runs: its instants follow from the jobs,
the member's seeded state and the clock (the Atrium README, "Rules": the daily background
aggregation).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.core.timeutil import from_db

DAY = timedelta(hours=24)
# the most background aggregations (the latest) one move of the clock emits per member
RUNS_PER_MOVE = 100
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Runs:
    """Background aggregations as runs of instants ``DAY`` apart: (first, count) each."""

    segments: tuple
    next_due: datetime | None       # the next one, when no job stands in the way

    @property
    def first(self) -> datetime | None:
        return self.segments[0][0] if self.segments else None

    @property
    def last(self) -> datetime | None:
        if not self.segments:
            return None
        first, count = self.segments[-1]
        return first + DAY * (count - 1)

    def between(self, after: datetime, until: datetime, limit: int = RUNS_PER_MOVE) -> list[datetime]:
        """The instants in ``(after, until]``, in order: the latest ``limit`` of them (a clock
        moved years ahead would otherwise write one event a day for each of those years)."""
        ranges = []                     # (first, k from, k to), k to inclusive
        for first, count in self.segments:
            start = 0 if first > after else (after - first) // DAY + 1
            end = count - 1 if first + DAY * (count - 1) <= until else (until - first) // DAY
            if first <= until and start <= end:
                ranges.append((first, start, end))
        found = []
        for first, start, end in reversed(ranges):
            for k in range(end, max(start, end - (limit - len(found)) + 1) - 1, -1):
                found.append(first + DAY * k)
            if len(found) >= limit:
                break
        return found[::-1]


def background_runs(member: dict, views: list, now: datetime) -> Runs:
    """The member's background aggregations up to ``now``; ``views``: its jobs as they stand
    at ``now`` (connection.view_job), oldest first."""
    segments = []
    connected = member["connection_status"] == "CONNECTED"
    last = from_db(member["successfully_aggregated_at"]) if connected else None

    def gap(before: datetime | None) -> datetime | None:
        """Runs after ``last`` strictly before ``before`` (and not after ``now``); the next due."""
        nonlocal last
        if not connected or last is None:
            return None
        first = last + DAY
        bound = now if before is None else min(now, before - _TICK)
        if bound >= first:
            count = (bound - first) // DAY + 1
            segments.append((first, count))
            last = first + DAY * (count - 1)
        return last + DAY

    for view in views:
        due = gap(from_db(view.job["started_at"]))
        end = view.ended_at
        if end is None or end > now:                # running: whatever was due waits for it
            return Runs(tuple(segments), None)
        result = view.job["leg_status"] if view.result == "CANCELLED" else view.result
        connected = result == "CONNECTED"
        if view.succeeded or (connected and last is None):
            last = end
        if connected and due is not None and due <= end:
            segments.append((end, 1))               # came due while the job ran: runs as it ends
            last = end
    next_due = gap(None)
    return Runs(tuple(segments), next_due)
