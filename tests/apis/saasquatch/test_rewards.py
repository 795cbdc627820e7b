"""The reward endpoints around the balance: list, lookup, redeem one, cancel, create."""
import re

import pytest

from .conftest import NOW_MS, account, credit, discount, fueltank, world

REWARD_FIELDS = ["id", "type", "dateGiven", "dateExpires", "dateCancelled", "dateScheduledFor",
                 "accountId", "userId", "cancellable", "rewardSource", "unit", "name",
                 "discountPercent", "assignedCredit", "redeemedCredit", "redemptions", "currency",
                 "amount", "fuelTankCode", "fueltankType"]


def basic_world():
    return world([account("acct", [
        credit("c1", 2500, name="Dollar Credit", rewardSource="REFERRED",
               dateGiven=1478574762838, dateExpires="2026-12-31T00:00:00Z",
               redemptions=[{"id": "r1", "quantityRedeemed": 2000, "dateRedeemed": 1478661162838}]),
        credit("c2", 1000, user="u2", dateGiven="2026-02-01T00:00:00Z"),
        discount("d1", 20, "REFERRED", dateGiven="2025-01-01T00:00:00Z"),
        fueltank("f1", "CODE8", user="u2", rewardSource="FRIEND_SIGNUP",
                 dateGiven="2025-06-01T00:00:00Z"),
        credit("gone", 300, dateExpires="2026-02-01T00:00:00Z"),
        credit("fixed", 300, cancellable=False)])])


def test_list_is_a_bare_array_of_vendor_reward_objects_oldest_first(squatch):
    api = squatch(basic_world())
    rewards = api.get("/reward", accountId="acct").json
    assert [r["id"] for r in rewards] == ["c1", "d1", "f1", "fixed", "gone", "c2"]
    assert all(list(r) == REWARD_FIELDS for r in rewards)
    assert rewards[0] == {
        "id": "c1", "type": "CREDIT", "dateGiven": 1478574762838, "dateExpires": 1798675200000,
        "dateCancelled": None, "dateScheduledFor": None, "accountId": "acct", "userId": "u1",
        "cancellable": True, "rewardSource": "REFERRED", "unit": "CENTS", "name": "Dollar Credit",
        "discountPercent": None, "assignedCredit": 2500, "redeemedCredit": 2000,
        "redemptions": [{"id": "r1", "dateRedeemed": 1478661162838, "quantityRedeemed": 2000}],
        "currency": None, "amount": None, "fuelTankCode": None, "fueltankType": None}
    by_id = {r["id"]: r for r in rewards}
    assert by_id["d1"]["unit"] == "%" and by_id["d1"]["discountPercent"] == 20
    assert by_id["d1"]["assignedCredit"] is None and by_id["d1"]["redemptions"] is None
    assert (by_id["f1"]["fuelTankCode"], by_id["f1"]["amount"], by_id["f1"]["fueltankType"]) == ("CODE8", 1000, "CREDIT")
    assert by_id["f1"]["redeemedCredit"] is None


def test_list_filters_by_user_and_type(squatch):
    api = squatch(basic_world())
    assert [r["id"] for r in api.get("/reward", accountId="acct", userId="u2").json] == ["f1", "c2"]
    assert [r["id"] for r in api.get("/reward", accountId="acct", rewardTypeFilter="PCT_DISCOUNT").json] == ["d1"]
    assert api.get("/reward", accountId="nobody").json == []
    assert api.get("/reward", accountId="acct", rewardTypeFilter="BOGUS").status_code == 400
    assert api.get("/reward").status_code == 400


def test_lookup_and_unknown_reward(squatch):
    api = squatch(basic_world())
    assert api.get("/reward/f1").json["type"] == "FUELTANK"
    response = api.get("/reward/nope")
    assert response.status_code == 404
    assert response.json == {"message": "Reward not found", "statusCode": 404, "apiErrorCode": "REWARD_NOT_FOUND"}


def test_redeem_one_reward(squatch):
    api = squatch(basic_world())
    response = api.post("/credit/c2/redeem", {"amount": 200, "unit": "CENTS"})
    assert response.status_code == 200
    # creditAvailable: what remains in the account for the unit (c1 500, c2 800, fixed 300)
    assert response.json == {"creditRedeemed": 200, "creditAvailable": 1600, "unit": "CENTS"}
    reward = api.reward("c2")
    assert reward["redeemedCredit"] == 200
    assert reward["redemptions"][0]["quantityRedeemed"] == 200 and reward["redemptions"][0]["dateRedeemed"] == NOW_MS


@pytest.mark.parametrize("reward_id, body, status, code", [
    ("c1", {"amount": 501, "unit": "CENTS"}, 402, "INSUFFICIENT_CREDIT"),
    ("gone", {"amount": 1, "unit": "CENTS"}, 402, "INSUFFICIENT_CREDIT"),
    ("c1", {"amount": 1, "unit": "POINTS"}, 400, "BAD_REQUEST"),
    ("d1", {"amount": 1, "unit": "%"}, 400, "BAD_REQUEST"),
    ("nope", {"amount": 1, "unit": "CENTS"}, 404, "REWARD_NOT_FOUND"),
    ("c1", {"amount": 0, "unit": "CENTS"}, 400, "BAD_REQUEST"),
    ("c1", {"unit": "CENTS"}, 400, "BAD_REQUEST"),
    ("c1", {"amount": 1}, 400, "BAD_REQUEST"),
])
def test_redeem_refusals_change_nothing(squatch, reward_id, body, status, code):
    api = squatch(basic_world())
    before = api.state()
    response = api.post(f"/credit/{reward_id}/redeem", body)
    assert (response.status_code, response.json["apiErrorCode"]) == (status, code)
    assert api.state() == before


def test_cancel_a_reward(squatch):
    api = squatch(basic_world())
    response = api.post("/reward/c2/cancel")
    assert response.status_code == 200
    assert response.json["id"] == "c2" and response.json["dateCancelled"] == NOW_MS
    assert api.credit_balance("acct")["totalCancelledCredit"] == 1000
    assert api.bulk_redeem("acct", 801).status_code == 402  # c1 500 + fixed 300 are left


@pytest.mark.parametrize("reward_id, status", [
    ("c1", 400),      # credit already redeemed from it
    ("fixed", 400),   # created as not cancellable
    ("nope", 404),
])
def test_cancel_refusals(squatch, reward_id, status):
    api = squatch(basic_world())
    before = api.state()
    response = api.post(f"/reward/{reward_id}/cancel")
    assert response.status_code == status and response.json["statusCode"] == status
    assert api.state() == before


def test_cancelling_twice_is_400(squatch):
    api = squatch(basic_world())
    assert api.post("/reward/d1/cancel").status_code == 200
    second = api.post("/reward/d1/cancel")
    assert second.status_code == 400 and second.json["apiErrorCode"] == "REWARD_NOT_CANCELLABLE"


@pytest.mark.parametrize("body, expected", [
    ({"type": "CREDIT", "unit": "CENTS", "assignedCredit": 500, "currency": "USD"},
     {"assignedCredit": 500, "redeemedCredit": 0, "redemptions": [], "currency": "USD", "unit": "CENTS"}),
    ({"type": "PCT_DISCOUNT", "discountPercent": 15},
     {"discountPercent": 15, "unit": "%", "assignedCredit": None}),
    ({"type": "FUELTANK", "fuelTankCode": "FT-1", "fuelTankType": "CREDIT", "amount": 1000, "unit": "CENTS"},
     {"fuelTankCode": "FT-1", "fueltankType": "CREDIT", "amount": 1000}),
])
def test_create_each_reward_type(squatch, body, expected):
    api = squatch(basic_world())
    response = api.post("/rewards/account/acct/user/u2", body)
    assert response.status_code == 201
    reward = response.json
    assert list(reward) == REWARD_FIELDS
    assert {k: reward[k] for k in expected} == expected
    assert (reward["accountId"], reward["userId"], reward["dateGiven"], reward["rewardSource"]) == \
        ("acct", "u2", NOW_MS, "MANUAL")
    assert re.fullmatch(r"[0-9a-f]{24}", reward["id"]), reward["id"]
    assert api.reward(reward["id"]) == reward


def test_created_rewards_count_in_the_balance_and_can_be_pending(squatch):
    api = squatch(basic_world())
    api.post("/rewards/account/acct/user/u1", {"type": "CREDIT", "unit": "CENTS", "assignedCredit": 100})
    api.post("/rewards/account/acct/user/u1", {"type": "CREDIT", "unit": "CENTS", "assignedCredit": 70,
                                              "dateScheduledFor": NOW_MS + 86_400_000})
    balance = api.credit_balance("acct")
    assert balance["totalPendingCredit"] == 70
    assert balance["totalAssignedCredit"] - balance["totalRedeemedCredit"] == 500 + 1000 + 300 + 100
    api.advance("1d")
    assert api.credit_balance("acct")["totalPendingCredit"] == 0


@pytest.mark.parametrize("body, field", [
    ({}, "type"),
    ({"type": "GIFTCARD"}, "type"),
    ({"type": "CREDIT", "unit": "CENTS"}, "assignedCredit"),
    ({"type": "CREDIT", "assignedCredit": 10}, "unit"),
    ({"type": "CREDIT", "unit": "CENTS", "assignedCredit": 10, "discountPercent": 5}, "discountPercent"),
    ({"type": "CREDIT", "unit": "CENTS", "assignedCredit": "10"}, "assignedCredit"),
    ({"type": "CREDIT", "unit": "CENTS", "assignedCredit": 0}, "assignedCredit"),
    ({"type": "PCT_DISCOUNT"}, "discountPercent"),
    ({"type": "PCT_DISCOUNT", "discountPercent": 101}, "discountPercent"),
    ({"type": "PCT_DISCOUNT", "discountPercent": 10, "unit": "CENTS"}, "unit"),
    ({"type": "FUELTANK", "amount": 5}, "fuelTankCode"),
    ({"type": "FUELTANK", "fuelTankCode": "X", "fuelTankType": "GIFT"}, "fueltankType"),
    ({"type": "CREDIT", "unit": "CENTS", "assignedCredit": 10, "dateExpires": "2026-01-01"}, "dateExpires"),
    ({"type": "CREDIT", "unit": "CENTS", "assignedCredit": 10, "dateExpires": -1}, "dateExpires"),
    ({"type": "CREDIT", "unit": "CENTS", "assignedCredit": 10, "dateExpires": 10 ** 20}, "dateExpires"),
    ({"type": "CREDIT", "unit": "CENTS", "assignedCredit": 10, "cancellable": "yes"}, "cancellable"),
])
def test_create_validation(squatch, body, field):
    api = squatch(basic_world())
    before = api.state()
    response = api.post("/rewards/account/acct/user/u1", body)
    assert response.status_code == 400 and field in response.json["message"], response.json
    assert api.state() == before


@pytest.mark.parametrize("path, rs_code", [("/rewards/account/nobody/user/u1", "RS041"),
                                           ("/rewards/account/acct/user/nobody", "RS042")])
def test_create_for_unknown_account_or_user_is_404(squatch, path, rs_code):
    api = squatch(basic_world())
    response = api.post(path, {"type": "PCT_DISCOUNT", "discountPercent": 10})
    assert response.status_code == 404 and response.json["rsCode"] == rs_code


def test_the_openapi_document_describes_the_reward_as_served(squatch):
    from sandbox.apis.saasquatch.schemas import RewardSchema
    api = squatch(basic_world())
    assert list(RewardSchema().fields) == REWARD_FIELDS
    doc = api.client.get("/saasquatch/openapi.json").json
    operation = doc["paths"]["/api/v1/{tenant_alias}/credit/bulkredeem"]["post"]
    assert {"200", "400", "401", "402", "404"} <= set(operation["responses"])
