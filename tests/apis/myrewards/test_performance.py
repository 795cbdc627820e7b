"""Performance: data fields, promotions and the all-or-nothing sales-data upload."""
from __future__ import annotations

import pytest

from .helpers import BASE, SMALL_KEY, assert_books_balance, balance, pool, state

DATA = f"{BASE}/api/v2/performance/data"
PROMOTION_DATA = f"{BASE}/api/v2/performance/promotions/{{}}/data"


def record(**changes) -> dict:
    claim = {"date_of_sale": "2026-01-05", "product_or_activity": "SKU-1", "quantity": 2, "username": "alice",
             "Venue Code": "V1", "Hero name": "Batman"}
    claim.update(changes)
    return {k: v for k, v in claim.items() if v is not ...}


def upload(client, records, path=DATA, **body):
    return client.post(path, json={"data": records, **body}, headers=SMALL_KEY)


def failure(response) -> tuple[int, list[str]]:
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert list(body) == ["errors", "index_of_failed_data"]
    return body["index_of_failed_data"], body["errors"]


# -- reads ------------------------------------------------------------------------------------

def test_programme_data_fields_list_every_field_of_the_programme(shared_small):
    fields = shared_small.get(f"{BASE}/api/v2/performance/data_fields", headers=SMALL_KEY).get_json()
    assert [(f["id"], f["mandatory"]) for f in fields] == [(50, True), (51, True), (52, False), (53, False), (54, False)]
    assert fields[1]["label"] == "Hero name" and "label" not in fields[0]
    assert fields[0]["created_at"] == "2026-02-01T10:00:00.000+00:00"   # the world's clock


def test_promotion_data_fields_are_the_programmes_plus_its_own(shared_small):
    fields = shared_small.get(f"{BASE}/api/v2/performance/promotions/8/data_fields", headers=SMALL_KEY).get_json()
    assert [(f["id"], f["promotion_id"]) for f in fields] == [(50, 8)]


@pytest.mark.parametrize("promotion", ["9", "99", "abc", "0"])
def test_data_fields_of_an_unknown_or_foreign_promotion_are_404(shared_small, promotion):
    response = shared_small.get(f"{BASE}/api/v2/performance/promotions/{promotion}/data_fields", headers=SMALL_KEY)
    assert response.status_code == 404 and response.get_json() == {"errors": ["Promotion not found"]}


def test_promotions(shared_small):
    assert shared_small.get(f"{BASE}/api/v2/performance/promotions", headers=SMALL_KEY).get_json() == [
        {"id": 7, "name": "Spring", "start_date": None, "end_date": None, "close_date": None, "status": "active",
         "promotion_type": "data_upload"},
        {"id": 8, "name": "Old", "start_date": None, "end_date": None, "close_date": None, "status": "archived",
         "promotion_type": "data_upload"}]


# -- a successful upload ------------------------------------------------------------------------

def test_claims_credit_quantity_times_points_from_the_pool(small):
    client = small()
    response = upload(client, [record(), record(quantity=3, username="bob@example.com"), record(user_id=10, username=...)])
    assert response.status_code == 201 and response.data == b""
    assert balance(client, 10, SMALL_KEY) == 100 + 20 + 20
    assert balance(client, 11, SMALL_KEY) == 30
    assert pool(client) == 1000 - 70
    listed = client.get(f"{BASE}/api/v2/users/10/transactions", headers=SMALL_KEY).get_json()
    assert [(t["value"], t["transaction_type"], t["description"]) for t in listed[1:]] == [
        (20, "programme points", "Spring: SKU-1 x 2")] * 2
    claims = state(client)["claims"]
    assert [(c["user_id"], c["quantity"], c["points"], c["date_of_sale"]) for c in claims] == [
        (10, 2, 20, "2026-01-05"), (11, 3, 30, "2026-01-05"), (10, 2, 20, "2026-01-05")]
    assert claims[0]["answers"] == '{"50": "V1", "51": "Batman"}'
    assert_books_balance(client)


@pytest.mark.parametrize("path, body", [
    (PROMOTION_DATA.format(7), {}),
    (DATA, {"promotion_id": 7}),
    (DATA, {"promotion_id": "7"}),
    (DATA, {}),                      # the promotion is found from the SKU
])
def test_the_promotion_may_be_given_in_the_path_the_body_or_not_at_all(small, path, body):
    client = small()
    assert upload(client, [record()], path, **body).status_code == 201
    assert state(client)["claims"][0]["promotion_id"] == 7


def test_the_path_promotion_wins_over_the_body(small):
    client = small()
    assert upload(client, [record()], PROMOTION_DATA.format(7), promotion_id=8).status_code == 201


def test_custom_fields_match_name_or_label_in_any_case(small):
    client = small()
    claim = record(**{"Venue Code": ..., "Hero name": ..., "VENUE_CODE": "V1", "hero-name": "Bat",
                      "superpower": "flight", "Visits": "3.5", "visit date": "2026-01-04"})
    assert upload(client, [claim]).status_code == 201


def test_later_key_spellings_are_accepted(small):
    claim = record(date_of_sale=..., product_or_activity=..., sale_date="2026-01-05", product_or_activity_ref="sku-1")
    assert upload(small(), [claim]).status_code == 201


def test_zero_point_products_record_a_claim_but_no_transaction(small):
    client = small()
    assert upload(client, [record(product_or_activity="SKU-0")]).status_code == 201
    assert len(state(client)["claims"]) == 1 and balance(client, 10, SMALL_KEY) == 100


def test_form_encoded_upload(small):
    client = small()
    form = ("data[][date_of_sale]=2026-01-05&data[][product_or_activity]=SKU-1&data[][quantity]=1"
            "&data[][username]=alice&data[][Venue Code]=V1&data[][Hero name]=Bat"
            "&data[][date_of_sale]=2026-01-06&data[][product_or_activity]=SKU-1&data[][quantity]=2"
            "&data[][username]=bob&data[][Venue Code]=V2&data[][Hero name]=Rob&promotion_id=7")
    response = client.post(DATA, data=form, headers=SMALL_KEY, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (balance(client, 10, SMALL_KEY), balance(client, 11, SMALL_KEY)) == (110, 20)


# -- all or nothing ------------------------------------------------------------------------------

BAD_RECORDS = {
    "mandatory programme field missing": (record(**{"Venue Code": ...}), "Venue Code: Please complete this field"),
    "mandatory promotion field blank": (record(**{"Hero name": " "}), "Hero name: Please complete this field"),
    "list value not allowed": (record(Superpower="Speed"), 'Superpower: "Speed" is not one of the answers: Flight, Strength'),
    "numeric not a number": (record(Visits="many"), 'Visits: "many" is not a number'),
    "date not a date": (record(**{"Visit date": "05/01/2026"}), 'Visit date: "05/01/2026" is not a date in the format YYYY-MM-DD'),
    "unknown product": (record(product_or_activity="SKU-9"), "product_or_activity 'SKU-9' is not a product of any active promotion"),
    "archived promotion's product": (record(product_or_activity="SKU-OLD"), "product_or_activity 'SKU-OLD' is not a product of any active promotion"),
    "unknown username": (record(username="zed"), "username 'zed': User not found"),
    "another programme's user": (record(username="carol"), "username 'carol': User not found"),
    "unknown user_id": (record(username=..., user_id=20), "user_id 20: User not found"),
    "both username and user_id": (record(user_id=10), "user must be given as exactly one of username (or email) and user_id"),
    "no user": (record(username=...), "user must be given as exactly one of username (or email) and user_id"),
    "quantity zero": (record(quantity=0), "quantity must be greater than 0"),
    "quantity fractional": (record(quantity=1.5), "quantity must be a whole number"),
    "quantity huge": (record(quantity=10 ** 40), "quantity must be less than or equal to 2147483647"),
    "sale date missing": (record(date_of_sale=...), "date_of_sale can't be blank"),
    "sale date invalid": (record(date_of_sale="2026-02-30"), "date_of_sale must be a date in the format YYYY-MM-DD"),
    "product missing": (record(product_or_activity=...), "product_or_activity can't be blank"),
    "record not an object": ("SKU-1", "each data record must be an object"),
    "custom value an object": (record(**{"Hero name": {"a": 1}}), "Hero name: must be a single value"),
}


@pytest.mark.parametrize("bad, message", BAD_RECORDS.values(), ids=BAD_RECORDS.keys())
def test_one_invalid_record_fails_the_whole_batch(small, bad, message):
    client = small()
    before = state(client)
    index, errors = failure(upload(client, [record(), record(quantity=1), bad, record()]))
    assert index == 2 and message in errors
    assert state(client) == before


def test_a_pool_too_small_for_the_whole_batch_fails_it_at_the_record_that_overdraws(small):
    client = small(points_balance=45)
    before = state(client)
    index, errors = failure(upload(client, [record(), record(), record()]))   # 20 + 20 + 20 > 45
    assert (index, errors) == (2, ["Programme does not have enough points"])
    assert state(client) == before
    assert upload(client, [record(), record()]).status_code == 201
    assert pool(client) == 5
    assert_books_balance(client)


def test_the_first_failing_record_is_reported(small):
    index, _ = failure(upload(small(points_balance=10), [record(quantity=5), record(quantity=0)]))
    assert index == 0


def test_a_non_active_promotion_refuses_claims(small):
    index, errors = failure(upload(small(), [record(product_or_activity="SKU-OLD")], PROMOTION_DATA.format(8)))
    assert (index, errors) == (0, ["Promotion 8 is not active (status archived)"])


def test_a_product_of_another_promotion_is_refused(small):
    _, errors = failure(upload(small(), [record(product_or_activity="SKU-OLD")], PROMOTION_DATA.format(7)))
    assert errors == ["product_or_activity 'SKU-OLD' is not a product of promotion 7"]


@pytest.mark.parametrize("path, body", [
    (PROMOTION_DATA.format(99), {}), (PROMOTION_DATA.format(9), {}), (PROMOTION_DATA.format("x"), {}),
    (DATA, {"promotion_id": 99}), (DATA, {"promotion_id": "seven"}), (DATA, {"promotion_id": 9}),
    (DATA, {"promotion_id": True}), (DATA, {"promotion_id": [7]}),
])
def test_an_unknown_or_foreign_promotion_is_404(small, path, body):
    client = small()
    before = state(client)
    response = upload(client, [record()], path, **body)
    assert response.status_code == 404 and response.get_json() == {"errors": ["Promotion not found"]}
    assert state(client) == before


@pytest.mark.parametrize("body", [{}, {"data": []}, {"data": None}, {"data": "x"}, {"data": {"a": 1}}, [1, 2]])
def test_a_body_without_records_is_400(shared_small, body):
    response = shared_small.post(DATA, json=body, headers=SMALL_KEY)
    assert response.status_code == 400
    assert response.get_json() == {"errors": ["Missing required key: data (a list of sales data records)"]}


def test_an_unreadable_body_is_400(shared_small):
    response = shared_small.post(DATA, data=b"{", headers={**SMALL_KEY, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json() == {"errors": ["The request body is not valid JSON"]}
