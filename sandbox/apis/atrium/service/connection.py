"""A member's connection state, derived from its stored jobs and the sandbox clock.

A job runs in legs: from its start (or from an MFA answer) for the institution's
``job_seconds``. When a leg ends the member reaches the leg's ``outcome``; a CHALLENGED
outcome pauses the job until the challenge is answered (``PUT /resume``) or
``CHALLENGE_SECONDS`` pass (then EXPIRED). Nothing is written when time passes: every
read works the state out again from these instants and ``now``.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.core.timeutil import from_db

from .background import background_runs

TEST_USERNAME = "test_atrium"
CHALLENGE_SECONDS = 600
LOCKOUT = timedelta(hours=3)

# MX Bank's test passwords (MX "Testing your setup", Atrium era): what the first leg of a job ends in.
_PASSWORD_OUTCOMES = {
    "password": ("CONNECTED", None),
    "challenge": ("CHALLENGED", "TEXT"),
    "options": ("CHALLENGED", "OPTIONS"),
    "image": ("CHALLENGED", "IMAGE_DATA"),
    "BAD_REQUEST": ("FAILED", None),
}
# The deprecated `status` field for a settled connection_status (others: the same word).
_LEGACY_STATUS = {"CONNECTED": "COMPLETED", "FAILED": "HALTED", "RESUMED": "RECEIVED"}
_CHALLENGE_NAMESPACE = uuid.UUID("0f3c1d9e-6a55-4b8e-9d4e-3e7b5a1c2f10")
_PIXEL_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
              "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
RIGHT_ANSWER = "correct"
FOLLOW_UP_ANSWER = "challenge"   # answering MX Bank's first text challenge with it asks a second


def credential_outcome(username: str | None, password: str | None) -> tuple[str, str | None]:
    """(connection_status the first leg ends in, challenge type) for these credentials."""
    if not username or not password:
        return "FAILED", None          # "no username/password on member" -> HALTED
    if username != TEST_USERNAME:
        return "DENIED", None
    return _PASSWORD_OUTCOMES.get(password, ("DENIED", None))


def legacy_status(connection_status: str) -> str:
    return _LEGACY_STATUS.get(connection_status, connection_status)


def challenges(member_guid: str, challenge_type: str, step: int) -> list[dict]:
    """The MFA challenge a paused job waits on (one per step)."""
    guid = f"CRD-{uuid.uuid5(_CHALLENGE_NAMESPACE, f'{member_guid}:{step}')}"
    if challenge_type == "OPTIONS":
        label = "Which of these options is correct?"
        return [{"field_name": label, "guid": guid, "label": label, "type": "OPTIONS",
                 "options": [{"label": "correct", "value": "correct"},
                             {"label": "incorrect", "value": "incorrect"}]}]
    if challenge_type == "IMAGE_DATA":
        label = "What is this a picture of?"
        return [{"field_name": label, "guid": guid, "image_data": _PIXEL_PNG, "label": label,
                 "type": "IMAGE_DATA"}]
    label = "What city were you born in?" if step <= 1 else "What is the name of your first pet?"
    return [{"field_name": label, "guid": guid, "label": label, "type": "TEXT"}]


@dataclass(frozen=True)
class JobView:
    """One job as it stands at ``now``."""

    job: dict
    state: str                    # running | challenged | ended
    result: str | None = None     # connection_status it ended in (CANCELLED when superseded)
    ended_at: datetime | None = None

    @property
    def in_progress(self) -> bool:
        return self.state != "ended"

    @property
    def succeeded(self) -> bool:
        return self.state == "ended" and self.result == "CONNECTED"


def view_job(job: dict, now: datetime) -> JobView:
    cancelled_at = from_db(job["cancelled_at"])
    if cancelled_at is not None and cancelled_at <= now:
        return JobView(job, "ended", "CANCELLED", cancelled_at)
    leg_ends = from_db(job["leg_ends_at"])
    if now < leg_ends:
        return JobView(job, "running")
    if job["outcome"] == "CHALLENGED":
        expires = leg_ends + timedelta(seconds=CHALLENGE_SECONDS)
        if now < expires:
            return JobView(job, "challenged")
        return JobView(job, "ended", "EXPIRED", expires)
    return JobView(job, "ended", job["outcome"], leg_ends)


def lockout_ends(views: list[JobView]) -> datetime | None:
    """When the 3-hour block on standard aggregation after the last other job ends."""
    last = next((v for v in reversed(views) if v.job["type"] != "aggregate" and v.ended_at), None)
    return None if last is None else last.ended_at + LOCKOUT


def member_state(member: dict, jobs: list[dict], now: datetime) -> dict:
    """The connection-status fields of a member at ``now`` (``challenges`` only when
    CHALLENGED), plus when its data was last gathered."""
    views = [view_job(job, now) for job in jobs]
    background = background_runs(member, views, now)
    successes = [v.ended_at for v in views if v.succeeded] + [background.last] * (background.last is not None)
    reward_fetches = [v.ended_at for v in views if v.succeeded and v.job["type"] == "fetch_rewards"]
    if member.get("supports_rewards") and background.segments:
        reward_fetches += [background.first, background.last]
    state = {
        "aggregated_at": from_db(member["aggregated_at"]),
        "successfully_aggregated_at": max(successes) if successes else from_db(member["successfully_aggregated_at"]),
        "rewards_first_fetched_at": min(reward_fetches) if reward_fetches else None,
        "rewards_last_fetched_at": max(reward_fetches) if reward_fetches else None,
        "views": views,
        "background": background,
    }
    latest = views[-1] if views else None
    if latest is None:
        if background.last is not None:
            state["aggregated_at"] = background.last
        settled = member["connection_status"]
        state.update(_settled(settled))
        return state
    state["aggregated_at"] = max(filter(None, (from_db(latest.job["started_at"]), background.last)))
    if latest.state == "running":
        state.update(_running(latest.job, now))
    elif latest.state == "challenged":
        state.update(connection_status="CHALLENGED", status="CHALLENGED", is_being_aggregated=True,
                     is_authenticated=False, has_processed_accounts=False, has_processed_transactions=False,
                     challenges=challenges(member["guid"], latest.job["challenge_type"],
                                           latest.job["challenge_step"]))
    else:
        result = latest.job["leg_status"] if latest.result == "CANCELLED" else latest.result
        state.update(_settled(result))
    return state


def _settled(connection_status: str) -> dict:
    good = connection_status == "CONNECTED"
    return {"connection_status": connection_status, "status": legacy_status(connection_status),
            "is_being_aggregated": False, "is_authenticated": good,
            "has_processed_accounts": good, "has_processed_transactions": good}


def _running(job: dict, now: datetime) -> dict:
    """A running leg moves through INITIATED -> AUTHENTICATED -> RECEIVED (good
    credentials) or INITIATED -> REQUESTED (credentials that will fail or be challenged)."""
    start, end = from_db(job["leg_started_at"]), from_db(job["leg_ends_at"])
    progress = max(0.0, (now - start) / (end - start)) if end > start else 1.0
    good = job["outcome"] == "CONNECTED"
    if job["leg_status"] == "RESUMED":
        status = "RECEIVED"                  # the MFA answer has been received
    elif progress < 1 / 3:
        status = "INITIATED"
    elif not good:
        status = "REQUESTED"
    else:
        status = "AUTHENTICATED" if progress < 2 / 3 else "RECEIVED"
    return {"connection_status": job["leg_status"], "status": status, "is_being_aggregated": True,
            "is_authenticated": good and progress >= 1 / 3,
            "has_processed_accounts": good and progress >= 2 / 3,
            "has_processed_transactions": False}
