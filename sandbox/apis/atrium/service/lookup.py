"""Finding a client's users and members (another client's guid is simply not found)
and attaching a member's derived connection state."""
from __future__ import annotations

from datetime import datetime

from .. import errors, store
from .connection import member_state


def load_user(db, client_id: str, user_guid: str) -> dict:
    user = store.get_user(db, client_id, user_guid)
    if user is None:
        raise errors.not_found()
    return user


def load_member(db, client_id: str, user_guid: str, member_guid: str) -> dict:
    load_user(db, client_id, user_guid)
    member = store.get_member(db, user_guid, member_guid)
    if member is None:
        raise errors.not_found()
    return member


def with_states(db, members: list[dict], now: datetime) -> list[dict]:
    """Each member row merged with its connection state at ``now`` (one query for all)."""
    jobs = store.jobs_of(db, [m["guid"] for m in members])
    return [{**m, **member_state(m, jobs[m["guid"]], now)} for m in members]


def member_with_state(db, now: datetime, client_id: str, user_guid: str, member_guid: str) -> dict:
    return with_states(db, [load_member(db, client_id, user_guid, member_guid)], now)[0]
