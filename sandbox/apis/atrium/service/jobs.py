"""Starting aggregation-type jobs and answering MFA challenges.

The rules of MX "Rewards - Atrium API", checked in the order the Atrium README's "Rules"
record (auth, Accept and ids come before, in the routes and lookups):
403 feature not enabled for the client, 400 institution without the feature, then
202 same kind already running, 409 another kind running, and 202 with the unchanged
member for a standard aggregation less than three hours after any other job finished.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.core.db import write_transaction
from sandbox.core.timeutil import to_db

from .. import errors, store
from ..store import JOB_TYPES  # noqa: F401  (the routes register one endpoint each)
from .events import catch_up_events
from .connection import FOLLOW_UP_ANSWER, RIGHT_ANSWER, credential_outcome, lockout_ends
from .lookup import load_member, with_states

# job -> (client feature, institution flag, what the messages call it)
PREMIUM = {
    "fetch_rewards": ("rewards", "supports_rewards", "rewards"),
    "identify": ("identification", "supports_account_identification", "account identification"),
    "verify": ("verification", "supports_account_verification", "account verification"),
    "fetch_statements": ("statements", "supports_account_statement", "statements"),
    "extend_history": ("extended_history", "supports_transaction_history", "extended transaction history"),
}
FEATURES = tuple(feature for feature, _, _ in PREMIUM.values())


def require_feature(client: dict, kind: str) -> None:
    """403 unless MX has enabled the feature of premium job ``kind`` for the client
    (MX "Rewards - Atrium API": "If the feature is not enabled, a 403 Forbidden error will be returned")."""
    feature, _, label = PREMIUM[kind]
    if feature not in client["features"]:
        raise errors.forbidden(f"The {label} feature is not enabled for this client.")


def begin_job(db, member: dict, kind: str, now: datetime, leg_status: str) -> None:
    """Record a new job on ``member`` (inside the caller's write transaction)."""
    outcome, challenge_type = credential_outcome(member["username"], member["password"])
    store.insert_job(db, {
        "member_guid": member["guid"], "type": kind, "started_at": to_db(now),
        "leg_started_at": to_db(now), "leg_ends_at": to_db(now + timedelta(seconds=member["job_seconds"])),
        "leg_status": leg_status, "outcome": outcome, "challenge_type": challenge_type,
        "challenge_step": 1 if challenge_type else 0,
    })


def cancel_job_in_progress(db, member: dict, now: datetime) -> None:
    views = member["views"]
    if views and views[-1].in_progress:
        store.update_job(db, views[-1].job["id"], {"cancelled_at": to_db(now)})


def start_job(db, now: datetime, client: dict, user_guid: str, member_guid: str,
              kind: str) -> tuple[int, dict]:
    """(HTTP status, member with state) for a request to run job ``kind``."""
    with write_transaction(db):
        member = load_member(db, client["client_id"], user_guid, member_guid)
        if kind in PREMIUM:
            _, flag, label = PREMIUM[kind]
            require_feature(client, kind)
            if not store.get_institution(db, member["institution_code"])[flag]:
                raise errors.bad_request(f"This institution does not support {label}.")
        catch_up_events(db, now, [member_guid])
        current = with_states(db, [member], now)[0]
        views = current["views"]
        if views and views[-1].in_progress:
            running = views[-1].job["type"]
            if running == kind:
                return 202, current
            raise errors.conflict(f"Another aggregation-type process ({running}) is already running "
                                  "on this member; run them in series.")
        if kind == "aggregate":
            blocked_until = lockout_ends(views)
            if blocked_until is not None and now < blocked_until:
                return 202, current
        begin_job(db, member, kind, now, current["connection_status"])
        return 200, with_states(db, [member], now)[0]


def resume(db, now: datetime, client_id: str, user_guid: str, member_guid: str,
           answers: list[dict]) -> dict:
    """Answer the challenge a member is waiting on: the right answer connects, a wrong
    one ends REJECTED (after the institution's job time either way)."""
    with write_transaction(db):
        member = load_member(db, client_id, user_guid, member_guid)
        catch_up_events(db, now, [member_guid])
        current = with_states(db, [member], now)[0]
        if current["connection_status"] != "CHALLENGED":
            raise errors.constraint("Only a member with connection status CHALLENGED can be resumed.")
        job = current["views"][-1].job
        expected = current["challenges"][0]["guid"]
        answer = next((a["value"] for a in answers if a["guid"] == expected), None)
        if answer is None:
            raise errors.bad_request(f"The challenge {expected} was not answered.")
        outcome, challenge_type, step = "REJECTED", None, job["challenge_step"]
        if answer == RIGHT_ANSWER:
            outcome = "CONNECTED"
        elif answer == FOLLOW_UP_ANSWER and job["challenge_type"] == "TEXT" and step == 1:
            outcome, challenge_type, step = "CHALLENGED", "TEXT", 2
        store.update_job(db, job["id"], {
            "leg_started_at": to_db(now),
            "leg_ends_at": to_db(now + timedelta(seconds=member["job_seconds"])),
            "leg_status": "RESUMED", "outcome": outcome, "challenge_type": challenge_type,
            "challenge_step": step,
        })
        return with_states(db, [member], now)[0]
