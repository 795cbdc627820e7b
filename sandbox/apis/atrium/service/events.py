"""Atrium's webhooks (MX's aggregation, connection status and rewards webhook pages; the
Atrium README, "Rules": webhooks), all caused by time: a job's leg ending, a challenge
expiring, a background aggregation.

- ``AGGREGATION`` after every completed aggregation: a standard aggregation (the one a new
  member starts included), a rewards fetch (it gathers accounts and transactions too) and
  every background aggregation (``is_background: true``);
- ``REWARD`` after a completed rewards fetch only;
- ``CONNECTION_STATUS`` when a member enters a state its end user must act on.
Each is sent to the client's subscriptions; MX documents no signature, so none is sent.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sandbox.core.events import Event, EventSource, emit, window_start
from sandbox.core.timeutil import UTC, from_db, to_db

from .. import store
from .connection import CHALLENGE_SECONDS, member_state

API = "atrium"
# MX's connection statuses: the integer MX sends beside each connection_status in webhooks
STATUS_IDS = {"CREATED": 0, "PREVENTED": 1, "DENIED": 2, "CHALLENGED": 3, "REJECTED": 4, "LOCKED": 5,
              "CONNECTED": 6, "IMPEDED": 7, "RECONNECTED": 8, "DEGRADED": 9, "DISCONNECTED": 10,
              "DISCONTINUED": 11, "CLOSED": 12, "DELAYED": 13, "FAILED": 14, "UPDATED": 15, "DISABLED": 16,
              "IMPORTED": 17, "RESUMED": 18, "EXPIRED": 19, "IMPAIRED": 20, "PENDING": 21}
# MX's connection status webhook page: the states that trigger the webhook, with the sandbox's wording
ACTIONABLE = {
    "CHALLENGED": "To authenticate your connection to {name}, please answer the following challenge(s).",
    "DENIED": "The credentials entered do not match your credentials at {name}. Please re-enter your credentials.",
    "EXPIRED": "The answer or answers provided for {name} were not received in time. Please try again.",
    "IMPAIRED": "You must take action at {name} before we can connect.",
    "IMPEDED": "Your attention is needed at {name}'s website before we can connect.",
    "LOCKED": "Your account at {name} is locked. Please unlock it at {name}'s website.",
    "PREVENTED": "The last 3 attempts to connect to {name} have failed. Please re-enter your credentials.",
    "REJECTED": "The answer or answers provided for {name} were incorrect. Please try again.",
}
AGGREGATING_JOBS = ("aggregate", "fetch_rewards")
_MEMBERS_AT_A_TIME = 500
_SECOND_IN_DAYS = 1 / 86400                 # julian days are floats: a second's margin either side
_UNIX_EPOCH, _UNIX_EPOCH_JULIAN_DAY = datetime(1970, 1, 1, tzinfo=UTC), 2440587.5
_JOB_NAMESPACE = uuid.UUID("7d3f6a2e-4b1c-4e8a-9f5d-2c6b8a1e0f37")


def job_guid(member_guid: str, job_key) -> str:
    return f"JOB-{uuid.uuid5(_JOB_NAMESPACE, f'{member_guid}:{job_key}')}"


def due(db, after: datetime, until: datetime, written=frozenset()) -> tuple[list[Event], datetime | None]:
    """The events of ``(after, until]`` not ``written`` yet (their keys), from the members that
    may have one (found in SQL), and the earliest instant after ``until`` at which one may come
    (never later than the next)."""
    legs_after = to_db(after - timedelta(seconds=CHALLENGE_SECONDS))
    candidates = store.event_candidates(db, to_db(after), to_db(until), legs_after, _SECOND_IN_DAYS)
    found = []
    # perf: a few hundred members' jobs and states at a time, not all at once: the catch-up after
    # a burst of 4,200 jobs peaked at 53.5 MiB instead of 62.0 (bench/README.md)
    for start in range(0, len(candidates), _MEMBERS_AT_A_TIME):
        found += _events_of(db, candidates[start:start + _MEMBERS_AT_A_TIME], after, until, written)
    upcoming = store.next_event_day(db, to_db(until), to_db(until - timedelta(seconds=CHALLENGE_SECONDS)))
    return found, None if upcoming is None else _from_julian(upcoming)


def member_due(db, member_guid: str, after: datetime, until: datetime) -> list[Event]:
    """One member's events of ``(after, until]``."""
    return _events_of(db, [member_guid], after, until)


def _events_of(db, guids: list[str], after: datetime, until: datetime, written=frozenset()) -> list[Event]:
    members = store.members_with_clients(db, guids)
    jobs = store.jobs_of(db, [m["guid"] for m in members])
    found = []
    for member in members:
        found.extend(_member_events(db, member, jobs[member["guid"]], after, until, written)[0])
    return found


def _from_julian(day: float) -> datetime:
    return _UNIX_EPOCH + timedelta(days=day - _UNIX_EPOCH_JULIAN_DAY)


def _member_events(db, member: dict, jobs: list[dict], after: datetime, until: datetime, written=frozenset()):
    state = member_state(member, jobs, until)
    happened, upcoming = [], [state["background"].next_due]
    for view in state["views"]:
        job = view.job
        leg_end = from_db(job["leg_ends_at"])
        cancelled = from_db(job["cancelled_at"])
        if leg_end > until:
            upcoming.append(leg_end)
            continue
        if cancelled is not None and cancelled <= leg_end:
            continue
        key = f"job:{job['id']}:{job['leg_started_at']}"
        if job["outcome"] == "CHALLENGED":
            happened.append((leg_end, f"{key}:CHALLENGED", "status", "CHALLENGED"))
            expires = leg_end + timedelta(seconds=CHALLENGE_SECONDS)
            if cancelled is None or cancelled > expires:
                if expires <= until:
                    happened.append((expires, f"{key}:EXPIRED", "status", "EXPIRED"))
                else:
                    upcoming.append(expires)
        elif job["outcome"] == "CONNECTED":
            if job["type"] in AGGREGATING_JOBS:
                happened.append((leg_end, f"{key}:AGGREGATION", "aggregation", job))
            if job["type"] == "fetch_rewards":
                happened.append((leg_end, f"{key}:REWARD", "reward", job))
        elif job["outcome"] in ACTIONABLE:
            happened.append((leg_end, f"{key}:{job['outcome']}", "status", job["outcome"]))
    for instant in state["background"].between(after, until):
        happened.append((instant, f"background:{member['guid']}:{instant.isoformat()}", "aggregation", None))
    events = [_event(db, member, state, jobs, instant, key, kind, detail)
              for instant, key, kind, detail in happened if after < instant <= until and key not in written]
    return events, upcoming


def _event(db, member: dict, state: dict, jobs: list[dict], instant: datetime, key: str, kind: str, detail) -> Event:
    guids = {"member_guid": member["guid"], "user_guid": member["user_guid"]}
    if kind == "status":
        payload = {"action": "CHANGED", "connection_status": detail, "connection_status_id": STATUS_IDS[detail],
                   "connection_status_message": ACTIONABLE[detail].format(name=member["institution_name"]),
                   "member_guid": member["guid"], "type": "CONNECTION_STATUS", "user_guid": member["user_guid"]}
        return Event(API, member["client_id"], "CONNECTION_STATUS", key, instant, payload)
    transactions, rewards = store.holding_counts(db, member["guid"])
    completed = {"completed_at": int(instant.timestamp()), "completed_on": instant.date().isoformat()}
    if kind == "reward":
        first = state["rewards_first_fetched_at"] == instant
        payload = {"action": "member_data_updated", **completed, "member_guid": member["guid"],
                   "rewards_created_count": rewards if first else 0,
                   "rewards_updated_count": 0 if first else rewards, "type": "REWARD", "user_guid": member["user_guid"]}
        return Event(API, member["client_id"], "REWARD", key, instant, payload)
    first = _first_success(member, state) == instant
    payload = {"action": "member_data_updated", **completed, "is_background": detail is None,
               "job_guid": job_guid(member["guid"], detail["id"] if detail else instant.isoformat()), **guids,
               "transactions_created_count": transactions if first else 0, "transactions_updated_count": 0,
               "type": "AGGREGATION"}
    return Event(API, member["client_id"], "AGGREGATION", key, instant, payload)


def _first_success(member: dict, state: dict) -> datetime | None:
    """When the member's data was first gathered (a seeded CONNECTED member: before the world)."""
    found = [v.ended_at for v in state["views"] if v.succeeded]
    if member["connection_status"] == "CONNECTED" and member["successfully_aggregated_at"]:
        found.append(from_db(member["successfully_aggregated_at"]))
    if state["background"].first is not None:
        found.append(state["background"].first)
    return min(found, default=None)


def catch_up_events(db, now: datetime, member_guids: list[str]) -> None:
    """Write these members' events due by ``now`` before a change that rewrites the jobs they
    derive from (inside the change's transaction). Only theirs: the dispatcher writes the
    others', and an event written early is not written again (its key)."""
    lower = window_start(db, API, now)
    for event in sorted((e for guid in member_guids for e in member_due(db, guid, lower, now)),
                        key=lambda e: e.due_at):
        emit(db, event)


SOURCE = EventSource(due=due, clients=store.client_ids)
