"""Members: a user's connection to an institution."""
from __future__ import annotations

from datetime import datetime

from sandbox.core import ids
from sandbox.core.db import write_transaction

from .. import errors, store
from .catalogue import credential_field, holdings, institution_credentials
from .holdings import store_holdings
from .events import catch_up_events
from .jobs import begin_job, cancel_job_in_progress
from .lookup import load_member, load_user, member_with_state, with_states

MEMBER_LIMIT = 25


def credential_values(institution_code: str, credentials: list[dict]) -> dict:
    """``{"username": ..., "password": ...}`` from ``[{"guid": CRD-..., "value": ...}]``;
    only the fields that were given."""
    found = {}
    for credential in credentials:
        field = credential_field(institution_code, credential["guid"])
        if field is None:
            raise errors.unprocessable(
                f"{credential['guid']} is not a credential of institution {institution_code}; "
                f"see GET /institutions/{institution_code}/credentials.")
        found["username" if field == "LOGIN" else "password"] = credential["value"]
    return found


def create_member(db, now: datetime, client_id: str, user_guid: str, request: dict) -> dict:
    """Create a member and, unless ``skip_aggregation``, start its first aggregation."""
    with write_transaction(db):
        load_user(db, client_id, user_guid)
        code = request["institution_code"]
        institution = store.get_institution(db, code)
        if institution is None:
            raise errors.not_found()
        if request.get("is_oauth"):
            raise errors.bad_request("OAuth members are not emulated; create the member with credentials.")
        if not request.get("credentials"):
            raise errors.bad_request("credentials are required to create a member.")
        values = credential_values(code, request["credentials"])
        if store.count_members(db, user_guid) >= MEMBER_LIMIT:
            raise errors.constraint(f"A user is limited to {MEMBER_LIMIT} members.")
        if store.duplicate_member_exists(db, user_guid, code, values.get("username"), values.get("password")):
            raise errors.conflict("A member with this institution and these credentials already exists.")
        guid = ids.guid(db, "MBR")
        store.insert_member(db, {
            "guid": guid, "user_guid": user_guid, "institution_code": code,
            "identifier": request.get("identifier"), "metadata": request.get("metadata"),
            "username": values.get("username"), "password": values.get("password"),
            "connection_status": "CREATED", "aggregated_at": None, "successfully_aggregated_at": None,
        })
        store_holdings(db, user_guid, guid, holdings(code, now))
        member = store.get_member(db, user_guid, guid)
        if not request.get("skip_aggregation"):
            begin_job(db, member, "aggregate", now, "CREATED")
        return with_states(db, [member], now)[0]


def list_members(db, now: datetime, client_id: str, user_guid: str, limit: int, offset: int):
    load_user(db, client_id, user_guid)
    rows, total = store.list_members(db, user_guid, limit, offset)
    return with_states(db, rows, now), total


def read_member(db, now: datetime, client_id: str, user_guid: str, member_guid: str) -> dict:
    return member_with_state(db, now, client_id, user_guid, member_guid)


def update_member(db, now: datetime, client_id: str, user_guid: str, member_guid: str,
                  request: dict) -> dict:
    """Only credentials, identifier and metadata change. New credentials start a standard
    aggregation (shown as UPDATED), replacing any job still in progress."""
    with write_transaction(db):
        member = member_with_state(db, now, client_id, user_guid, member_guid)
        catch_up_events(db, now, [member_guid])
        changes = {key: request[key] for key in ("identifier", "metadata") if key in request}
        credentials = request.get("credentials")
        if credentials:
            changes.update(credential_values(member["institution_code"], credentials))
        store.update_member(db, member_guid, changes)
        if credentials:
            cancel_job_in_progress(db, member, now)
            begin_job(db, store.get_member(db, user_guid, member_guid), "aggregate", now, "UPDATED")
        return member_with_state(db, now, client_id, user_guid, member_guid)


def delete_member(db, client_id: str, user_guid: str, member_guid: str, now: datetime | None = None) -> None:
    with write_transaction(db):
        load_member(db, client_id, user_guid, member_guid)
        if now is not None:
            catch_up_events(db, now, [member_guid])  # what its jobs caused before it went is still sent
        store.delete_member(db, member_guid)


def member_credentials(db, client_id: str, user_guid: str, member_guid: str) -> list[dict]:
    member = load_member(db, client_id, user_guid, member_guid)
    return institution_credentials(member["institution_code"])


def member_challenges(db, now: datetime, client_id: str, user_guid: str, member_guid: str) -> list | None:
    """The challenges a CHALLENGED member waits on; None when it is not CHALLENGED (204)."""
    return member_with_state(db, now, client_id, user_guid, member_guid).get("challenges")
