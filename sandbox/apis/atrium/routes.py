"""MX Atrium HTTP layer: auth, parse, call the service, render."""
from __future__ import annotations

from flask import Blueprint, Response, g, json, request
from marshmallow import Schema, ValidationError

from sandbox.core.clock import request_now
from sandbox.core.context import state_db
from sandbox.core.scenarios import flatten_errors

from . import auth, schemas
from .service import errors, holdings, institutions, jobs, members, users
from .store import JOB_TYPES

bp = Blueprint("atrium", __name__)
BETA_ENDPOINTS = {"fetch_rewards", "list_rewards", "read_reward"}
MEMBER = "/users/<user_guid>/members/<member_guid>"


@bp.before_request
def authenticate_and_negotiate():
    """Order of checks: auth (401), then the Accept header (406)."""
    g.atrium_client = auth.authenticate(state_db(), request.headers)
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    g.atrium_version = auth.negotiate(request.headers.get("Accept"), endpoint in BETA_ENDPOINTS)


def _respond(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status,
                    content_type=f"application/vnd.mx.atrium.{g.atrium_version}+json; charset=utf-8")


def _no_content() -> Response:
    return Response(status=204)


def _body(schema: Schema) -> dict:
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):
        raise errors.bad_request("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise errors.bad_request("The request body must be a JSON object.")
    return _load(schema, data)


def _load(schema: Schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except ValidationError as err:
        problems = "; ".join(f"{path}: {message}" for path, message in flatten_errors(err.messages))
        raise errors.bad_request(f"A required parameter is missing or invalid ({problems}).") from None


def _client_id() -> str:
    return g.atrium_client["client_id"]


def _page():
    page, per_page = schemas.paging(request.args)
    return page, per_page, (page - 1) * per_page


# -- users ------------------------------------------------------------------------------

@bp.post("/users")
def create_user():
    fields = _body(schemas.user_body)["user"]
    if not fields:
        raise errors.bad_request("The user object cannot be empty.")
    return _respond({"user": schemas.user(users.create_user(state_db(), _client_id(), fields))})


@bp.get("/users")
def list_users():
    page, per_page, offset = _page()
    rows, total = users.list_users(state_db(), _client_id(), per_page, offset)
    return _respond({"users": [schemas.user(r) for r in rows],
                     "pagination": schemas.pagination(page, per_page, total)})


@bp.get("/users/<user_guid>")
def read_user(user_guid):
    return _respond({"user": schemas.user(users.read_user(state_db(), _client_id(), user_guid))})


@bp.put("/users/<user_guid>")
def update_user(user_guid):
    fields = _body(schemas.user_body)["user"]
    return _respond({"user": schemas.user(users.update_user(state_db(), _client_id(), user_guid, fields))})


@bp.delete("/users/<user_guid>")
def delete_user(user_guid):
    users.delete_user(state_db(), _client_id(), user_guid)
    return _no_content()


# -- institutions -----------------------------------------------------------------------

@bp.get("/institutions")
def list_institutions():
    query = _load(schemas.institution_query, request.args.to_dict())
    flags = {flag: query[flag] for flag in schemas.INSTITUTION_FLAGS if flag in query}
    page, per_page, offset = _page()
    rows, total = institutions.list_institutions(state_db(), query.get("name"), flags, per_page, offset)
    return _respond({"institutions": [schemas.institution(r) for r in rows],
                     "pagination": schemas.pagination(page, per_page, total)})


@bp.get("/institutions/<code>")
def read_institution(code):
    return _respond({"institution": schemas.institution(institutions.read_institution(state_db(), code))})


@bp.get("/institutions/<code>/credentials")
def read_institution_credentials(code):
    return _respond({"credentials": institutions.read_institution_credentials(state_db(), code)})


# -- members ----------------------------------------------------------------------------

@bp.post("/users/<user_guid>/members")
def create_member(user_guid):
    fields = _body(schemas.member_create_body)["member"]
    member = members.create_member(state_db(), request_now(), _client_id(), user_guid, fields)
    return _respond({"member": schemas.member(member)})


@bp.get("/users/<user_guid>/members")
def list_members(user_guid):
    page, per_page, offset = _page()
    rows, total = members.list_members(state_db(), request_now(), _client_id(), user_guid, per_page, offset)
    return _respond({"members": [schemas.member(r) for r in rows],
                     "pagination": schemas.pagination(page, per_page, total)})


@bp.get(MEMBER)
def read_member(user_guid, member_guid):
    member = members.read_member(state_db(), request_now(), _client_id(), user_guid, member_guid)
    return _respond({"member": schemas.member(member)})


@bp.put(MEMBER)
def update_member(user_guid, member_guid):
    fields = _body(schemas.member_update_body)["member"]
    member = members.update_member(state_db(), request_now(), _client_id(), user_guid, member_guid, fields)
    return _respond({"member": schemas.member(member)})


@bp.delete(MEMBER)
def delete_member(user_guid, member_guid):
    members.delete_member(state_db(), _client_id(), user_guid, member_guid)
    return _no_content()


@bp.get(MEMBER + "/status")
def read_member_status(user_guid, member_guid):
    member = members.read_member(state_db(), request_now(), _client_id(), user_guid, member_guid)
    return _respond({"member": schemas.member_status(member)})


@bp.get(MEMBER + "/challenges")
def list_member_challenges(user_guid, member_guid):
    found = members.member_challenges(state_db(), request_now(), _client_id(), user_guid, member_guid)
    return _no_content() if found is None else _respond({"challenges": found})


@bp.put(MEMBER + "/resume")
def resume_member(user_guid, member_guid):
    answers = _body(schemas.resume_body)["member"]["challenges"]
    member = jobs.resume(state_db(), request_now(), _client_id(), user_guid, member_guid, answers)
    return _respond({"member": schemas.member(member)})


@bp.get(MEMBER + "/credentials")
def list_member_credentials(user_guid, member_guid):
    found = members.member_credentials(state_db(), _client_id(), user_guid, member_guid)
    return _respond({"credentials": found})


def _start_job_route(kind: str) -> None:
    def start_job(user_guid, member_guid):
        status, member = jobs.start_job(state_db(), request_now(), g.atrium_client, user_guid,
                                        member_guid, kind)
        return _respond({"member": schemas.member(member)}, status)

    bp.add_url_rule(f"{MEMBER}/{kind}", endpoint=kind, view_func=start_job, methods=["POST"])


for _kind in JOB_TYPES:
    _start_job_route(_kind)


# -- what the jobs gathered -------------------------------------------------------------

@bp.get(MEMBER + "/accounts")
def list_member_accounts(user_guid, member_guid):
    page, per_page, offset = _page()
    member, rows, total = holdings.list_accounts(state_db(), request_now(), _client_id(), user_guid,
                                                 member_guid, per_page, offset)
    beta = g.atrium_version == "beta"
    return _respond({"accounts": [schemas.account(r, member, beta) for r in rows],
                     "pagination": schemas.pagination(page, per_page, total)})


@bp.get(MEMBER + "/transactions")
def list_member_transactions(user_guid, member_guid):
    query = _load(schemas.transaction_query, request.args.to_dict())
    dates = [query[k].isoformat() if k in query else None for k in ("from_date", "to_date")]
    page, per_page, offset = _page()
    _, rows, total = holdings.list_transactions(state_db(), request_now(), _client_id(), user_guid,
                                                member_guid, *dates, per_page, offset)
    return _respond({"transactions": [schemas.transaction(r) for r in rows],
                     "pagination": schemas.pagination(page, per_page, total)})


@bp.get(MEMBER + "/rewards")
def list_rewards(user_guid, member_guid):
    rows = holdings.list_rewards(state_db(), request_now(), _client_id(), user_guid, member_guid)
    return _respond({"rewards": [schemas.reward(r) for r in rows]})


@bp.get(MEMBER + "/rewards/<reward_guid>")
def read_reward(user_guid, member_guid, reward_guid):
    row = holdings.read_reward(state_db(), request_now(), _client_id(), user_guid, member_guid, reward_guid)
    return _respond({"reward": schemas.reward(row)})
