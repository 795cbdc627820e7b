"""Points transactions: the ledger lists, the v1 POST with its variety table, its status
codes and their order, and the programme pool."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import examples

from .helpers import BASE, SMALL_KEY, assert_books_balance, balance, credit, debit, pool, state

POST = f"{BASE}/api/v1/users/{{}}/transactions"
LIST = f"{BASE}/api/v2/users/{{}}/transactions"

# The 2018 reference's variety table, written out independently of the sandbox's copy of it.
SEED_TABLE = {
    "Programme Points": ({"Credit", "Debit"}, True),
    "Points Error": ({"Credit", "Debit"}, True),
    "Programme Budget": ({"Credit", "Debit"}, True),
    "Redemption": ({"Debit"}, False),
    "Person 2 Person Transfer": ({"Credit", "Debit"}, False),
    "Order Cancelation": ({"Credit"}, False),
    "Order Adjustment": ({"Credit", "Debit"}, False),
    "Adjustment": ({"Credit", "Debit"}, True),
    "Account Closure": ({"Debit"}, False),      # "Programme config dependant"; off by default
}


def post(client, user_id, body, headers=SMALL_KEY, **kwargs):
    return client.post(POST.format(user_id), json=body, headers=headers, **kwargs)


# -- the matrix -----------------------------------------------------------------------------

@pytest.mark.parametrize("variety", SEED_TABLE)
@pytest.mark.parametrize("kind", ["Credit", "Debit"])
def test_variety_table(small, variety, kind):
    client = small()
    permitted, affects_pool = SEED_TABLE[variety]
    pool_before, balance_before = pool(client), balance(client, 10, SMALL_KEY)
    response = post(client, 10, credit(40, variety, kind))
    if kind not in permitted:
        assert response.status_code == 406
        assert "permits only" in response.get_json()["errors"][0]
        assert (pool(client), balance(client, 10, SMALL_KEY)) == (pool_before, balance_before)
        return
    assert response.status_code == 200
    value = 40 if kind == "Credit" else -40
    assert balance(client, 10, SMALL_KEY) == balance_before + value
    assert pool(client) == pool_before - (value if affects_pool else 0)
    last = client.get(LIST.format(10) + "/last", headers=SMALL_KEY).get_json()
    assert last["transaction_type"] == variety.lower() and last["value"] == value
    assert_books_balance(client)


@pytest.mark.parametrize("spelling, listed", [
    ("Programme points", "programme points"),           # the docs' later spellings, exactly
    ("Person2Person transfer", "person 2 person transfer"),
    ("Order Cancellation", "order cancelation"),
])
def test_documented_variety_spellings(small, spelling, listed):
    client = small()
    assert post(client, 10, credit(5, spelling)).status_code == 200
    assert client.get(LIST.format(10) + "/last", headers=SMALL_KEY).get_json()["transaction_type"] == listed


@pytest.mark.parametrize("spelling", [
    "programme_points", "programme points", "PROGRAMME POINTS", "Programme_Points", "Programme  Points",
    " Programme Points", "order-adjustment", "Program Points", "P2P Transfer"])
def test_any_other_variety_spelling_is_an_invalid_transaction(small, spelling):
    client = small()
    before = state(client)
    response = post(client, 10, credit(5, spelling))
    assert response.status_code == 406
    assert response.get_json()["errors"] == [f"variety {spelling!r} is not a known variety"]
    assert state(client) == before


@pytest.mark.parametrize("kind", ["credit", "CREDIT", " Credit ", "debit", "DEBIT", "Credit\n"])
def test_transaction_type_is_exactly_credit_or_debit(small, kind):
    client = small()
    before = state(client)
    response = post(client, 10, credit(5, kind=kind))
    assert response.status_code == 406
    assert response.get_json()["errors"] == ["transaction_type must be Credit or Debit"]
    assert state(client) == before


def test_account_closure_can_return_points_to_the_pool(small):
    client = small(account_closure_affects_pool=True)
    assert post(client, 10, debit(100, "Account Closure")).status_code == 200
    assert pool(client) == 1100 and balance(client, 10, SMALL_KEY) == 0


# -- 406: invalid transactions ------------------------------------------------------------------

INVALID = {
    "no transaction": {},
    "transaction is a string": {"transaction": "credit 100"},
    "transaction is a list": {"transaction": [1, 2]},
    "type missing": {"transaction": {"variety": "Adjustment", "points": 1, "reason": "x"}},
    "type unknown": credit(kind="Refund"),
    "type is a number": credit(kind=1),
    "variety missing": {"transaction": {"transaction_type": "Credit", "points": 1, "reason": "x"}},
    "variety unknown": credit(variety="Cashback"),
    "variety blank": credit(variety="  "),
    "variety is a list": credit(variety=["Adjustment"]),
    "points missing": {"transaction": {"transaction_type": "Credit", "variety": "Adjustment", "reason": "x"}},
    "points zero": credit(0),
    "points negative": credit(-5),
    "points fractional": credit(1.5),
    "points fractional text": credit("1.5"),
    "points float one": credit(1.0),
    "points text": credit("lots"),
    "points boolean": credit(True),
    "points null": credit(None),
    "points huge": credit(10 ** 30),
    "points above 32 bits": credit(2 ** 31),
    "reason missing": {"transaction": {"transaction_type": "Credit", "variety": "Adjustment", "points": 1}},
    "reason blank": credit(reason="   "),
    "reason too long": credit(reason="x" * 251),
    "reason is a number": credit(reason=12),
    "remote id is an object": credit(remote_transaction_id={"a": 1}),
}


@pytest.mark.parametrize("body", INVALID.values(), ids=INVALID.keys())
def test_invalid_transactions_are_406_and_change_nothing(small, body):
    client = small()
    before = state(client)
    response = post(client, 10, body)
    assert response.status_code == 406
    errors = response.get_json()["errors"]
    assert errors and all(isinstance(e, str) for e in errors)
    assert state(client) == before


@pytest.mark.parametrize("raw, content_type", [
    (b"{not json", "application/json"),
    (b"\xff\xfe", "application/json"),
    (b"[" * 100_000, "application/json"),
    (b'{"transaction": NaN}', "application/json"),
    (b"transaction=1", "text/plain"),
])
def test_unreadable_bodies_are_400(small, raw, content_type):
    client = small()
    before = state(client)
    response = client.post(POST.format(10), data=raw, headers={**SMALL_KEY, "Content-Type": content_type})
    assert response.status_code == 400 and response.get_json()["errors"]
    assert state(client) == before


def test_all_shape_problems_are_listed(small):
    response = post(small(), 10, {"transaction": {"transaction_type": "Gift", "points": 0}})
    assert response.get_json()["errors"] == [
        "transaction_type must be Credit or Debit", "variety can't be blank",
        "points must be greater than 0", "reason can't be blank"]


def test_reason_of_250_characters_is_accepted(small):
    client = small()
    assert post(client, 10, credit(reason="é" * 250)).status_code == 200
    assert client.get(LIST.format(10) + "/last", headers=SMALL_KEY).get_json()["description"] == "é" * 250


def test_points_as_digits_are_accepted(small):
    assert post(small(), 10, credit("25")).status_code == 200


# -- 402, 412, 204 ----------------------------------------------------------------------------------

def test_debit_above_the_balance_is_402(small):
    client = small()
    before = state(client)
    response = post(client, 10, debit(101, "Redemption"))
    assert response.status_code == 402
    assert response.get_json() == {"errors": ["User does not have enough points"]}
    assert state(client) == before


def test_debit_of_the_whole_balance_is_allowed(small):
    client = small()
    assert post(client, 10, debit(100, "Redemption")).status_code == 200
    assert balance(client, 10, SMALL_KEY) == 0


def test_user_without_transactions_cannot_be_debited(small):
    assert post(small(), 11, debit(1, "Redemption")).status_code == 402


def test_credit_above_the_pool_is_412(small):
    client = small()
    before = state(client)
    response = post(client, 11, credit(1001, "Programme Points"))
    assert response.status_code == 412
    assert response.get_json() == {"errors": ["Programme does not have enough points"]}
    assert state(client) == before


def test_credit_of_the_whole_pool_is_allowed_then_the_next_is_412(small):
    client = small()
    assert post(client, 11, credit(1000)).status_code == 200
    assert pool(client) == 0
    assert post(client, 11, credit(1, "Adjustment")).status_code == 412
    assert post(client, 11, credit(1, "Order Adjustment")).status_code == 200   # not programme-affecting
    assert_books_balance(client)


def test_programme_affecting_debit_returns_points_to_the_pool(small):
    client = small()
    assert post(client, 10, debit(30, "Points Error")).status_code == 200
    assert pool(client) == 1030
    assert post(client, 10, debit(30, "Redemption")).status_code == 200
    assert pool(client) == 1030
    assert_books_balance(client)


@pytest.mark.parametrize("user", ["999", "20", "abc", "0", "-1", "1e3", "99999999999999999999999"])
def test_unknown_or_foreign_user_is_204_without_a_body(small, user):
    client = small()
    before = state(client)
    response = post(client, user, credit(5))
    assert response.status_code == 204
    assert response.data == b"" and "Content-Type" not in response.headers
    assert state(client) == before


# -- the order of the checks ----------------------------------------------------------------

def test_bad_key_comes_before_user_not_found(small):
    assert post(small(), 999, credit(), headers={"Authorization": "Token token=nope"}).status_code == 401


def test_missing_permission_comes_before_user_not_found(small):
    assert post(small(), 999, credit(), headers={"Authorization": "Token token=read-only"}).status_code == 403


def test_user_not_found_comes_before_an_invalid_transaction(small):
    assert post(small(), 999, {"transaction": {"points": -1}}).status_code == 204


def test_shape_comes_before_the_variety_check(small):
    response = post(small(), 10, credit(0, "Redemption", "Credit"))
    assert response.status_code == 406 and response.get_json()["errors"] == ["points must be greater than 0"]


def test_variety_check_comes_before_insufficient_points(small):
    response = post(small(), 10, debit(10_000, "Order Cancelation"))
    assert response.status_code == 406


def test_invalid_transaction_comes_before_programme_short(small):
    response = post(small(), 10, credit(10_000, reason=""))
    assert response.status_code == 406


def test_variety_check_comes_before_programme_short(small):
    client = small()
    response = post(client, 10, credit(10_000, "Account Closure"))
    assert response.status_code == 406


# -- other ways of sending a transaction --------------------------------------------------------

def test_form_encoded_with_rails_nested_keys(small):
    client = small()
    form = {"transaction[transaction_type]": "Credit", "transaction[variety]": "Programme Points",
            "transaction[points]": "100", "transaction[reason]": "Employee of the month",
            "transaction[remote_transaction_id]": "r-1"}
    response = client.post(POST.format(10), data=form, headers=SMALL_KEY)
    assert response.status_code == 200
    last = client.get(LIST.format(10) + "/last", headers=SMALL_KEY).get_json()
    assert (last["value"], last["remote_transaction_id"]) == (100, "r-1")


def test_multipart_form_data(small):
    client = small()
    form = {"transaction[transaction_type]": "Debit", "transaction[variety]": "Redemption",
            "transaction[points]": "10", "transaction[reason]": "Mug"}
    response = client.post(POST.format(10), data=form, headers=SMALL_KEY, content_type="multipart/form-data")
    assert response.status_code == 200 and balance(client, 10, SMALL_KEY) == 90


def test_unwrapped_json_is_taken_as_the_transaction(small):
    assert post(small(), 10, credit(5)["transaction"]).status_code == 200


@pytest.mark.parametrize("sent, listed", [("abc-1", "abc-1"), (42, "42"), (None, None)])
def test_remote_transaction_id_is_echoed_as_text(small, sent, listed):
    client = small()
    assert post(client, 10, credit(5, remote_transaction_id=sent)).status_code == 200
    assert post(client, 10, credit(5, remote_transaction_id=sent)).status_code == 200   # no uniqueness
    last = client.get(LIST.format(10) + "/last", headers=SMALL_KEY).get_json()
    assert last["remote_transaction_id"] == listed


# -- the lists --------------------------------------------------------------------------------------

def test_list_is_oldest_first_with_ties_in_creation_order(small):
    client = small()
    for points in (1, 2, 3):        # the clock is frozen: three equal created_at
        assert post(client, 10, credit(points, reason=f"r{points}")).status_code == 200
    listed = client.get(LIST.format(10), headers=SMALL_KEY).get_json()
    assert [t["description"] for t in listed] == ["opening balance", "r1", "r2", "r3"]
    assert [t["balance"] for t in listed] == [100, 101, 103, 106]
    assert listed[1]["created_at"] == listed[3]["created_at"] == "2026-02-01T10:00:00.000+00:00"
    assert listed[0]["created_at"] == "2026-01-01T00:00:00.000+00:00"


def test_list_is_by_instant_then_id_when_the_clock_moves_back(small):
    client = small()
    assert post(client, 10, credit(7, reason="later")).status_code == 200             # 2026-02-01T10:00
    assert client.put("/_sandbox/clock", json={"frozen_at": "2026-01-15T00:00:00Z"}).status_code == 200
    assert post(client, 10, debit(3, "Redemption", reason="earlier")).status_code == 200
    listed = client.get(LIST.format(10), headers=SMALL_KEY).get_json()
    assert [t["description"] for t in listed] == ["opening balance", "earlier", "later"]
    assert [t["balance"] for t in listed] == [100, 97, 104]             # running, in the listed order
    last = client.get(LIST.format(10) + "/last", headers=SMALL_KEY).get_json()
    assert last == listed[-1] and last["description"] == "later" and last["balance"] == 104


def _bob_with_history(*transactions) -> dict:
    """The small world, with user 11 (bob) holding ``transactions`` (kind, variety, points,
    reason, created_at)."""
    from .helpers import small_world

    world = small_world()
    world["myrewards"]["programmes"][0]["users"][1]["transactions"] = [
        dict(zip(("transaction_type", "variety", "points", "reason", "created_at"), t)) for t in transactions]
    return world


def test_times_keep_the_offset_they_were_given(make_app):
    world = _bob_with_history(("Credit", "Adjustment", 5, "bst", "2016-04-14T13:34:03.000+01:00"),
                              ("Credit", "Adjustment", 5, "utc", "2016-04-14T12:34:04Z"))
    world["myrewards"]["programmes"][0]["data_fields"][0].update(
        created_at="2016-04-14T13:34:03.000+01:00", updated_at="2016-04-15T09:00:00-05:30")
    client = make_app(world).test_client()
    listed = client.get(LIST.format(11), headers=SMALL_KEY).get_json()
    assert [(t["description"], t["created_at"]) for t in listed] == [
        ("bst", "2016-04-14T13:34:03.000+01:00"), ("utc", "2016-04-14T12:34:04.000+00:00")]
    field = client.get(f"{BASE}/api/v2/performance/data_fields", headers=SMALL_KEY).get_json()[0]
    assert (field["created_at"], field["updated_at"]) == ("2016-04-14T13:34:03.000+01:00",
                                                          "2016-04-15T09:00:00.000-05:30")


def test_created_at_follows_the_sandbox_clock(small):
    client = small()
    client.post("/_sandbox/clock/advance", json={"by": "3h"})
    post(client, 10, credit(1))
    last = client.get(LIST.format(10) + "/last", headers=SMALL_KEY).get_json()
    assert last["created_at"] == "2026-02-01T13:00:00.000+00:00"


def test_seeded_history_is_listed_by_time_not_file_order(make_app):
    world = _bob_with_history(("Debit", "Redemption", 5, "second", "2026-01-02T00:00:00Z"),
                              ("Credit", "Adjustment", 10, "first", "2026-01-01T00:00:00Z"))
    client = make_app(world).test_client()
    listed = client.get(LIST.format(11), headers=SMALL_KEY).get_json()
    assert [(t["description"], t["value"], t["balance"]) for t in listed] == [("first", 10, 10), ("second", -5, 5)]


def test_last_of_a_user_without_transactions_is_404(small):
    response = small().get(LIST.format(11) + "/last", headers=SMALL_KEY)
    assert response.status_code == 404 and response.get_json() == {"errors": ["Transaction not found"]}


@pytest.mark.parametrize("suffix", ["", "/last"])
@pytest.mark.parametrize("user", ["999", "20", "abc"])
def test_lists_of_unknown_or_foreign_users_are_404(small, user, suffix):
    response = small().get(LIST.format(user) + suffix, headers=SMALL_KEY)
    assert response.status_code == 404 and response.get_json() == {"errors": ["User not found"]}


# -- the books always balance ---------------------------------------------------------------------

operation = st.tuples(st.sampled_from([10, 11]), st.sampled_from(sorted(SEED_TABLE)),
                      st.sampled_from(["Credit", "Debit"]), st.integers(min_value=-5, max_value=700))


@settings(max_examples=examples(25))
@given(st.lists(operation, min_size=1, max_size=12))
def test_any_sequence_of_requests_keeps_ledger_and_pool_consistent(small, operations):
    client = small()
    for user, variety, kind, points in operations:
        response = post(client, user, credit(points, variety, kind))
        assert response.status_code in (200, 402, 406, 412)
    assert_books_balance(client)
