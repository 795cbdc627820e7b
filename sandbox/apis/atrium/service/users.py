"""Users: a partner's end users (each belongs to one client)."""
from __future__ import annotations

from datetime import datetime

from sandbox.core import ids
from sandbox.core.db import write_transaction

from .. import errors, store
from .events import catch_up_events
from .lookup import load_user


def create_user(db, client_id: str, request: dict) -> dict:
    with write_transaction(db):
        identifier = request.get("identifier")
        if identifier is not None and store.identifier_taken(db, client_id, identifier):
            raise errors.conflict("A user with this identifier already exists.")
        user = {"guid": ids.guid(db, "USR"), "client_id": client_id, "identifier": identifier,
                "metadata": request.get("metadata"), "is_disabled": int(bool(request.get("is_disabled")))}
        store.insert_user(db, user)
        return user


def list_users(db, client_id: str, limit: int, offset: int) -> tuple[list[dict], int]:
    return store.list_users(db, client_id, limit, offset)


def read_user(db, client_id: str, user_guid: str) -> dict:
    return load_user(db, client_id, user_guid)


def update_user(db, client_id: str, user_guid: str, request: dict) -> dict:
    with write_transaction(db):
        load_user(db, client_id, user_guid)
        changes = {key: request[key] for key in ("identifier", "metadata") if key in request}
        if "is_disabled" in request:
            changes["is_disabled"] = int(bool(request["is_disabled"]))
        identifier = changes.get("identifier")
        if identifier is not None and store.identifier_taken(db, client_id, identifier, user_guid):
            raise errors.conflict("A user with this identifier already exists.")
        store.update_user(db, user_guid, changes)
        return load_user(db, client_id, user_guid)


def delete_user(db, client_id: str, user_guid: str, now: datetime | None = None) -> None:
    """Deletes the user's members, their jobs and data with it."""
    with write_transaction(db):
        load_user(db, client_id, user_guid)
        if now is not None:
            catch_up_events(db, now, store.member_guids_of(db, user_guid))   # what its members' jobs caused before is still sent
        store.delete_user(db, user_guid)

