"""MyRewards HTTP layer: auth, parse, call the service, render. Paths are the vendor's,
below the ``/myrewards`` mount prefix."""
from __future__ import annotations

from flask import Blueprint, request

from sandbox.core.clock import request_now
from sandbox.core.context import state_db
from sandbox.core.http import answer, json_value, raw_body
from sandbox.core.openapi import documented

from . import errors, schemas
from .auth import authorize
from .schemas import path_id
from .service import performance, transactions, users

# Rails ignores a trailing slash; so do these routes (strict_slashes=False).
bp = Blueprint("myrewards", __name__)


def _params() -> dict:
    """Query string and body as one Rails-style params hash (the body wins): what the
    vendor's Rails app reads, where the other APIs load one JSON body. JSON and form data
    are both accepted; form keys may nest (``transaction[points]=100``). URL-encoded
    pairs are decoded in the order sent, which ``a[][x]`` arrays rely on."""
    params = schemas.rails_params(schemas.query_pairs(request.query_string))
    if request.mimetype == "multipart/form-data":
        params.update(schemas.rails_params(request.form.items(multi=True)))
    elif request.mimetype == "application/x-www-form-urlencoded":
        params.update(schemas.rails_params(schemas.query_pairs(raw_body())))
    else:
        body = json_value(raw_body())
        params.update(body if isinstance(body, dict) else {"_json": body})
    return params


# -- registration questions and user groups (the users permission) ------------------------

@bp.get("/api/v2/registration_questions", strict_slashes=False)
@documented(summary="List the programme's registration questions",
            responses={200: schemas.RegistrationQuestionOut(many=True)}, errors=(403,))
def list_registration_questions():
    caller = authorize(state_db(), "users", "read")
    found = users.registration_questions(state_db(), caller.programme_id)
    return answer([schemas.registration_question_json(q) for q in found])


@bp.get("/api/v2/user_groups", strict_slashes=False)
@bp.get("/api/v2/user_group", strict_slashes=False)
@documented(summary="List the programme's user groups (flat, with parent_id)",
            responses={200: schemas.UserGroupOut(many=True)}, errors=(403,))
def list_user_groups():
    caller = authorize(state_db(), "users", "read")
    return answer([schemas.user_group_json(g) for g in users.user_groups(state_db(), caller.programme_id)])


@bp.get("/api/v2/user_groups/<group_id>", strict_slashes=False)
@bp.get("/api/v2/user_group/<group_id>", strict_slashes=False)
@documented(summary="Show a user group", responses={200: schemas.UserGroupOut}, errors=(403,))
def show_user_group(group_id):
    caller = authorize(state_db(), "users", "read")
    return answer(schemas.user_group_json(users.user_group(state_db(), caller.programme_id, path_id(group_id))))


# -- users ----------------------------------------------------------------------------------

@bp.post("/api/v2/users", strict_slashes=False)
@documented(summary="Create a user", body=schemas.UserSchema, form=True, responses={201: schemas.UserOut},
            errors=(403, 422))
def create_user():
    caller = authorize(state_db(), "users", "write")
    given, problems = schemas.load_user(_params())
    user = users.create_user(state_db(), request_now(), caller.programme_id, given, problems)
    return answer(schemas.user_json(user), 201)


@bp.route("/api/v2/users/<user_id>", methods=["PUT", "PATCH"], strict_slashes=False)
@documented(summary="Update a user (the fields given)", body=schemas.UserSchema, form=True,
            responses={200: schemas.UserOut}, errors=(403, 422))
def update_user(user_id):
    caller = authorize(state_db(), "users", "write")
    given, problems = schemas.load_user(_params())
    user = users.update_user(state_db(), request_now(), caller.programme_id, path_id(user_id), given, problems)
    return answer(schemas.user_json(user))


# -- transactions -------------------------------------------------------------------------------

@bp.get("/api/v2/users/<user_id>/transactions", strict_slashes=False)
@documented(summary="List a user's transactions, most recent last",
            responses={200: schemas.TransactionOut(many=True)}, errors=(403,))
def list_transactions(user_id):
    caller = authorize(state_db(), "transactions", "read")
    found = transactions.list_transactions(state_db(), caller.programme_id, path_id(user_id))
    return answer([schemas.transaction_json(t) for t in found])


@bp.get("/api/v2/users/<user_id>/transactions/last", strict_slashes=False)
@documented(summary="Show a user's last transaction (the current balance)",
            responses={200: schemas.TransactionOut}, errors=(403,))
def last_transaction(user_id):
    caller = authorize(state_db(), "transactions", "read")
    found = transactions.last_transaction(state_db(), caller.programme_id, path_id(user_id))
    return answer(schemas.transaction_json(found))


@bp.post("/api/v1/users/<user_id>/transactions", strict_slashes=False)
@documented(summary="Credit or debit a user (v1)", body=schemas.TransactionBody, form=True,
            responses={200: schemas.TransactionIdOut, 204: None}, errors=(402, 403, 406, 412))
def create_transaction(user_id):
    """A body that is not JSON or form data at all is a 400, as on every endpoint (Rails
    refuses to parse it before the action runs)."""
    caller = authorize(state_db(), "transactions", "write")
    given, problems = schemas.load_transaction(_params())
    result = transactions.post_transaction(
        state_db(), request_now(), caller.programme_id, path_id(user_id), given, problems)
    return answer(result)


# -- performance ---------------------------------------------------------------------------------

@bp.get("/api/v2/performance/data_fields", strict_slashes=False)
@documented(summary="List the programme's performance data fields",
            responses={200: schemas.DataFieldOut(many=True)}, errors=(403,))
def list_data_fields():
    caller = authorize(state_db(), "performance", "read")
    return answer([schemas.data_field_json(f) for f in performance.data_fields(state_db(), caller.programme_id)])


@bp.get("/api/v2/performance/promotions", strict_slashes=False)
@documented(summary="List the programme's promotions", responses={200: schemas.PromotionOut(many=True)},
            errors=(403,))
def list_promotions():
    caller = authorize(state_db(), "performance", "read")
    return answer([schemas.promotion_json(p) for p in performance.promotions(state_db(), caller.programme_id)])


@bp.get("/api/v2/performance/promotions/<promotion_id>/data_fields", strict_slashes=False)
@documented(summary="List a promotion's data fields",
            responses={200: schemas.PromotionDataFieldOut(many=True)}, errors=(403,))
def list_promotion_data_fields(promotion_id):
    caller = authorize(state_db(), "performance", "read")
    found = performance.promotion_data_fields(state_db(), caller.programme_id, path_id(promotion_id))
    return answer([schemas.data_field_json(f, with_promotion=True) for f in found])


@bp.post("/api/v2/performance/data", strict_slashes=False)
@bp.post("/api/v2/performance/promotions/<promotion_id>/data", strict_slashes=False)
@documented(summary="Create sales data claims (all or nothing)", body=schemas.SalesDataBody, form=True,
            responses={201: None}, errors=(403, 422))
def create_sales_data(promotion_id=None):
    """201 with an empty body; 422 with ``index_of_failed_data`` when any record fails."""
    caller = authorize(state_db(), "performance", "write")
    params = _params()
    if promotion_id is None and not schemas.is_blank(params.get("promotion_id")):
        promotion_id = str(params["promotion_id"])
    promotion = None if promotion_id is None else path_id(promotion_id)
    if promotion_id is not None and promotion is None:
        raise errors.not_found("Promotion")
    records = schemas.load_claims(params)
    performance.create_sales_data(state_db(), request_now(), caller.programme_id, promotion, records)
    return answer(None, 201)
