"""MX Atrium HTTP layer: auth, parse, call the service, render."""
from __future__ import annotations

from flask import Blueprint, request

from sandbox.core.clock import request_now
from sandbox.core.context import current, state_db
from sandbox.core.http import answer, json_body, query
from sandbox.core.openapi import documented

from . import auth, errors, schemas
from .service import holdings, institutions, jobs, members, premium, users

bp = Blueprint("atrium", __name__)
BETA_ENDPOINTS = {"fetch_rewards", "list_rewards", "read_reward", "read_credit_card_product"}
MEMBER = "/users/<user_guid>/members/<member_guid>"
# the operation ids of MX's SDK (atrium: MembersApi.aggregate_member, ...)
JOB_OPERATIONS = {"aggregate": "aggregateMember", "identify": "identifyMember", "verify": "verifyMember",
                  "extend_history": "extendHistory", "fetch_statements": "fetchStatements",
                  "fetch_rewards": "fetchRewards"}


def _media_types(endpoint: str) -> tuple[str, ...] | None:
    """Beta-only endpoints answer in the beta media type; the others in either (default)."""
    return (auth.BETA,) if endpoint in BETA_ENDPOINTS else None


@bp.before_request
def authenticate_and_negotiate():
    """Order of checks: auth (401), then the Accept header (406). Answers come in the
    content type of the version asked for (errors in v1's)."""
    state = current()
    state.caller = auth.authenticate(state_db(), request.headers)
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    version = auth.negotiate(request.headers.get("Accept"), endpoint in BETA_ENDPOINTS)
    state.answer_type = auth.CONTENT_TYPES[version]


def _client() -> dict:
    return current().caller


def _client_id() -> str:
    return current().caller["client_id"]


def _page():
    page, per_page = schemas.paging(request.args)
    return page, per_page, (page - 1) * per_page


# -- users ------------------------------------------------------------------------------

@bp.post("/users")
@documented(summary="Create user", body=schemas.UserBody, responses={200: schemas.UserAnswer}, errors=(406, 409))
def create_user():
    fields = json_body(schemas.user_body)["user"]
    if not fields:
        raise errors.bad_request("The user object cannot be empty.")
    return answer({"user": schemas.user(users.create_user(state_db(), _client_id(), fields))})


@bp.get("/users")
@documented(summary="List users", query=schemas.PageQuery, responses={200: schemas.UsersAnswer}, errors=(406,))
def list_users():
    page, per_page, offset = _page()
    rows, total = users.list_users(state_db(), _client_id(), per_page, offset)
    return answer({"users": [schemas.user(r) for r in rows],
                     "pagination": schemas.pagination(page, per_page, total)})


@bp.get("/users/<user_guid>")
@documented(summary="Read user", responses={200: schemas.UserAnswer}, errors=(406,))
def read_user(user_guid):
    return answer({"user": schemas.user(users.read_user(state_db(), _client_id(), user_guid))})


@bp.put("/users/<user_guid>")
@documented(summary="Update user", body=schemas.UserBody, responses={200: schemas.UserAnswer}, errors=(406, 409))
def update_user(user_guid):
    fields = json_body(schemas.user_body)["user"]
    return answer({"user": schemas.user(users.update_user(state_db(), _client_id(), user_guid, fields))})


@bp.delete("/users/<user_guid>")
@documented(summary="Delete user", responses={204: None}, errors=(406,))
def delete_user(user_guid):
    users.delete_user(state_db(), _client_id(), user_guid, now=request_now())
    return answer(None, 204)


# -- institutions -----------------------------------------------------------------------

@bp.get("/institutions")
@documented(summary="List institutions", query=(schemas.InstitutionQuery, schemas.PageQuery),
            responses={200: schemas.InstitutionsAnswer}, errors=(406,))
def list_institutions():
    given = query(schemas.institution_query)
    flags = {flag: given[flag] for flag in schemas.INSTITUTION_FLAGS if flag in given}
    page, per_page, offset = _page()
    rows, total = institutions.list_institutions(state_db(), given.get("name"), flags, per_page, offset)
    return answer({"institutions": [schemas.institution(r) for r in rows],
                     "pagination": schemas.pagination(page, per_page, total)})


@bp.get("/institutions/<code>")
@documented(summary="Read institution", responses={200: schemas.InstitutionAnswer}, errors=(406,))
def read_institution(code):
    return answer({"institution": schemas.institution(institutions.read_institution(state_db(), code))})


@bp.get("/institutions/<code>/credentials")
@documented(summary="Read institution credentials", responses={200: schemas.CredentialsAnswer}, errors=(406,))
def read_institution_credentials(code):
    return answer({"credentials": institutions.read_institution_credentials(state_db(), code)})


@bp.get("/credit_card_products/<guid>")
@documented(summary="Read a credit card product (beta Accept header)", media_types=(auth.BETA,),
            responses={200: schemas.CreditCardProductAnswer}, errors=(406,))
def read_credit_card_product(guid):
    return answer({"credit_card_product": schemas.credit_card_product(
        institutions.read_credit_card_product(state_db(), guid))})


# -- members ----------------------------------------------------------------------------

@bp.post("/users/<user_guid>/members")
@documented(summary="Create member (starts an aggregation)", body=schemas.MemberCreateBody,
            responses={200: schemas.MemberAnswer}, errors=(405, 406, 409, 422))
def create_member(user_guid):
    fields = json_body(schemas.member_create_body)["member"]
    member = members.create_member(state_db(), request_now(), _client_id(), user_guid, fields)
    return answer({"member": schemas.member(member)})


@bp.get("/users/<user_guid>/members")
@documented(summary="List members", query=schemas.PageQuery, responses={200: schemas.MembersAnswer}, errors=(406,))
def list_members(user_guid):
    page, per_page, offset = _page()
    rows, total = members.list_members(state_db(), request_now(), _client_id(), user_guid, per_page, offset)
    return answer({"members": [schemas.member(r) for r in rows],
                     "pagination": schemas.pagination(page, per_page, total)})


@bp.get(MEMBER)
@documented(summary="Read member", responses={200: schemas.MemberAnswer}, errors=(406,))
def read_member(user_guid, member_guid):
    member = members.read_member(state_db(), request_now(), _client_id(), user_guid, member_guid)
    return answer({"member": schemas.member(member)})


@bp.put(MEMBER)
@documented(summary="Update member (new credentials start an aggregation)",
            body=schemas.MemberUpdateBody, responses={200: schemas.MemberAnswer}, errors=(406, 422))
def update_member(user_guid, member_guid):
    fields = json_body(schemas.member_update_body)["member"]
    member = members.update_member(state_db(), request_now(), _client_id(), user_guid, member_guid, fields)
    return answer({"member": schemas.member(member)})


@bp.delete(MEMBER)
@documented(summary="Delete member", responses={204: None}, errors=(406,))
def delete_member(user_guid, member_guid):
    members.delete_member(state_db(), _client_id(), user_guid, member_guid, now=request_now())
    return answer(None, 204)


@bp.get(MEMBER + "/status")
@documented(summary="Read member connection status", responses={200: schemas.MemberStatusAnswer}, errors=(406,))
def read_member_status(user_guid, member_guid):
    member = members.read_member(state_db(), request_now(), _client_id(), user_guid, member_guid)
    return answer({"member": schemas.member_status(member)})


@bp.get(MEMBER + "/challenges")
@documented(summary="List member MFA challenges (204 unless CHALLENGED)", operation_id="listMemberMFAChallenges",
            responses={200: schemas.ChallengesAnswer, 204: None}, errors=(406,))
def list_member_challenges(user_guid, member_guid):
    found = members.member_challenges(state_db(), request_now(), _client_id(), user_guid, member_guid)
    return answer(None, 204) if found is None else answer({"challenges": found})


@bp.put(MEMBER + "/resume")
@documented(summary="Resume aggregation from MFA", body=schemas.ResumeBody, responses={200: schemas.MemberAnswer},
            errors=(406,))
def resume_member(user_guid, member_guid):
    answers = json_body(schemas.resume_body)["member"]["challenges"]
    member = jobs.resume(state_db(), request_now(), _client_id(), user_guid, member_guid, answers)
    return answer({"member": schemas.member(member)})


@bp.get(MEMBER + "/credentials")
@documented(summary="List member credentials", responses={200: schemas.CredentialsAnswer}, errors=(406,))
def list_member_credentials(user_guid, member_guid):
    found = members.member_credentials(state_db(), _client_id(), user_guid, member_guid)
    return answer({"credentials": found})


def _start_job_route(kind: str) -> None:
    beta = " (beta Accept header)" if kind in BETA_ENDPOINTS else ""
    premium = (403, 400) if kind != "aggregate" else ()

    @documented(summary=f"Start {kind.replace('_', ' ')}{beta}: 200 started, 202 already running or blocked",
                operation_id=JOB_OPERATIONS[kind], media_types=_media_types(kind),
                responses={200: schemas.MemberAnswer, 202: schemas.MemberAnswer}, errors=(406, 409) + premium)
    def start_job(user_guid, member_guid):
        status, member = jobs.start_job(state_db(), request_now(), _client(), user_guid,
                                        member_guid, kind)
        return answer({"member": schemas.member(member)}, status)

    bp.add_url_rule(f"{MEMBER}/{kind}", endpoint=kind, view_func=start_job, methods=["POST"])


for _kind in jobs.JOB_TYPES:
    _start_job_route(_kind)


# -- what the jobs gathered -------------------------------------------------------------

def _beta() -> bool:
    return current().answer_type == auth.CONTENT_TYPES["beta"]


def _accounts_answer(rows: list[dict], total: int, page: int, per_page: int):
    beta = _beta()
    return answer({"accounts": [schemas.account(r, beta) for r in rows],
                   "pagination": schemas.pagination(page, per_page, total)})


def _transactions_answer(user_guid: str, **scope):
    given = query(schemas.transaction_query)
    dates = {k: given[k].isoformat() for k in ("from_date", "to_date") if k in given}
    page, per_page, offset = _page()
    rows, total = holdings.list_transactions(state_db(), request_now(), _client_id(), user_guid, **scope,
                                             **dates, limit=per_page, offset=offset)
    return answer({"transactions": [schemas.transaction(r) for r in rows],
                   "pagination": schemas.pagination(page, per_page, total)})


@bp.get("/users/<user_guid>/accounts")
@documented(summary="List accounts for a user (beta Accept adds the reward fields)",
            query=schemas.PageQuery, responses={200: schemas.AccountsAnswer}, errors=(406,))
def list_user_accounts(user_guid):
    page, per_page, offset = _page()
    rows, total = holdings.list_accounts(state_db(), request_now(), _client_id(), user_guid, None, per_page, offset)
    return _accounts_answer(rows, total, page, per_page)


@bp.get("/users/<user_guid>/accounts/<account_guid>")
@documented(summary="Read an account (beta Accept adds the reward fields)", responses={200: schemas.AccountAnswer},
            errors=(406,))
def read_account(user_guid, account_guid):
    row = holdings.read_account(state_db(), request_now(), _client_id(), user_guid, account_guid)
    return answer({"account": schemas.account(row, _beta())})


@bp.get(MEMBER + "/accounts")
@documented(summary="List member accounts (beta Accept adds the reward fields)", query=schemas.PageQuery,
            responses={200: schemas.AccountsAnswer}, errors=(406,))
def list_member_accounts(user_guid, member_guid):
    page, per_page, offset = _page()
    rows, total = holdings.list_accounts(state_db(), request_now(), _client_id(), user_guid, member_guid,
                                         per_page, offset)
    return _accounts_answer(rows, total, page, per_page)


@bp.get(MEMBER + "/accounts/<account_guid>")
@documented(summary="Read an account by member (beta Accept adds the reward fields)",
            responses={200: schemas.AccountAnswer}, errors=(406,))
def read_account_by_member(user_guid, member_guid, account_guid):
    row = holdings.read_account(state_db(), request_now(), _client_id(), user_guid, account_guid, member_guid)
    return answer({"account": schemas.account(row, _beta())})


@bp.get("/users/<user_guid>/transactions")
@documented(summary="List transactions for a user", query=schemas.TransactionQuery,
            responses={200: schemas.TransactionsAnswer}, errors=(406,))
def list_user_transactions(user_guid):
    return _transactions_answer(user_guid)


@bp.get("/users/<user_guid>/accounts/<account_guid>/transactions")
@documented(summary="List account transactions", query=schemas.TransactionQuery,
            responses={200: schemas.TransactionsAnswer}, errors=(406,))
def list_account_transactions(user_guid, account_guid):
    return _transactions_answer(user_guid, account_guid=account_guid)


@bp.get(MEMBER + "/transactions")
@documented(summary="List member transactions", query=schemas.TransactionQuery,
            responses={200: schemas.TransactionsAnswer}, errors=(406,))
def list_member_transactions(user_guid, member_guid):
    return _transactions_answer(user_guid, member_guid=member_guid)


@bp.get("/users/<user_guid>/transactions/<transaction_guid>")
@documented(summary="Read a transaction", responses={200: schemas.TransactionAnswer}, errors=(406,))
def read_transaction(user_guid, transaction_guid):
    row = holdings.read_transaction(state_db(), request_now(), _client_id(), user_guid, transaction_guid)
    return answer({"transaction": schemas.transaction(row)})


# -- what the premium jobs gathered (404 until the job has completed) -------------------

@bp.get(MEMBER + "/account_numbers")
@documented(summary="List account numbers (after a completed verify)",
            responses={200: schemas.AccountNumbersAnswer}, errors=(406,))
def list_account_numbers(user_guid, member_guid):
    rows, _ = premium.list_results(state_db(), request_now(), _client_id(), user_guid, member_guid, "account_number")
    return answer({"account_numbers": [schemas.account_number(r) for r in rows]})


@bp.get("/users/<user_guid>/accounts/<account_guid>/account_numbers")
@documented(summary="List account numbers by account (after a completed verify)",
            responses={200: schemas.AccountNumbersAnswer}, errors=(406,))
def list_account_numbers_by_account(user_guid, account_guid):
    db, now = state_db(), request_now()
    account = holdings.read_account(db, now, _client_id(), user_guid, account_guid)
    rows, _ = premium.list_results(db, now, _client_id(), user_guid, account["member_guid"], "account_number",
                                   account_guid)
    return answer({"account_numbers": [schemas.account_number(r) for r in rows]})


@bp.get(MEMBER + "/account_owners")
@documented(summary="List account owners (after a completed identify)",
            responses={200: schemas.AccountOwnersAnswer}, errors=(406,))
def list_account_owners(user_guid, member_guid):
    rows, _ = premium.list_results(state_db(), request_now(), _client_id(), user_guid, member_guid, "account_owner")
    return answer({"account_owners": [schemas.account_owner(r) for r in rows]})


@bp.get(MEMBER + "/statements")
@documented(summary="List member statements (after a completed fetch_statements)", query=schemas.PageQuery,
            responses={200: schemas.StatementsAnswer}, errors=(406,))
def list_member_statements(user_guid, member_guid):
    page, per_page, offset = _page()
    rows, total = premium.list_results(state_db(), request_now(), _client_id(), user_guid, member_guid,
                                       "statement", limit=per_page, offset=offset)
    return answer({"statements": [schemas.statement(r) for r in rows],
                   "pagination": schemas.pagination(page, per_page, total)})


@bp.get(MEMBER + "/statements/<statement_guid>")
@documented(summary="Read a member statement (after a completed fetch_statements)",
            responses={200: schemas.StatementAnswer}, errors=(406,))
def read_member_statement(user_guid, member_guid, statement_guid):
    row = premium.read_statement(state_db(), request_now(), _client_id(), user_guid, member_guid, statement_guid)
    return answer({"statement": schemas.statement(row)})


@bp.get(MEMBER + "/rewards")
@documented(summary="List rewards (beta Accept header)", media_types=(auth.BETA,),
            responses={200: schemas.RewardsAnswer}, errors=(403, 406))
def list_rewards(user_guid, member_guid):
    rows = holdings.list_rewards(state_db(), request_now(), _client(), user_guid, member_guid)
    return answer({"rewards": [schemas.reward(r) for r in rows]})


@bp.get(MEMBER + "/rewards/<reward_guid>")
@documented(summary="Read a reward (beta Accept header)", media_types=(auth.BETA,),
            responses={200: schemas.RewardAnswer}, errors=(403, 406))
def read_reward(user_guid, member_guid, reward_guid):
    row = holdings.read_reward(state_db(), request_now(), _client(), user_guid, member_guid, reward_guid)
    return answer({"reward": schemas.reward(row)})
