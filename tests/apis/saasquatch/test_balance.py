"""GET /reward/balance: one element per (type, unit), available = assigned - redeemed, filters."""
import pytest

from .conftest import account, credit, discount, fueltank, world

# One reward in every state, at the frozen NOW (2026-03-01).
EVERY_STATE = [
    credit("available", 1000),
    credit("partly-redeemed", 1000, redemptions=[{"quantityRedeemed": 400}]),
    credit("pending", 700, dateScheduledFor="2026-04-01T00:00:00Z"),
    credit("expired-untouched", 300, dateExpires="2026-02-01T00:00:00Z"),
    credit("expired-after-redeeming", 500, dateExpires="2026-02-01T00:00:00Z",
           redemptions=[{"quantityRedeemed": 200, "dateRedeemed": "2026-01-15T00:00:00Z"}]),
    credit("cancelled", 250, dateCancelled="2026-01-20T00:00:00Z"),
    credit("fully-redeemed", 100, redeemedCredit=100),
]


def test_every_credit_field_with_rewards_in_every_state(squatch):
    api = squatch(world([account("acct", EVERY_STATE)]))
    assert api.balances("acct") == [{
        "type": "CREDIT", "unit": "CENTS",
        "count": 4,                      # available, partly and fully redeemed, expired-after-redeeming
        "totalPendingCredit": 700,
        "totalAssignedCredit": 1000 + 1000 + 100 + 200,
        "totalRedeemedCredit": 400 + 100 + 200,
        "totalExpiredCredit": 300 + 300,  # the unredeemed remainders
        "totalCancelledCredit": 250,
    }]


def test_available_is_assigned_minus_redeemed_and_matches_bulkredeem(squatch):
    api = squatch(world([account("acct", EVERY_STATE)]))
    balance = api.credit_balance("acct")
    available = balance["totalAssignedCredit"] - balance["totalRedeemedCredit"]
    assert available == 1000 + 600
    assert api.bulk_redeem("acct", available).json["creditAvailable"] == 0
    assert api.bulk_redeem("acct", 1).status_code == 402


def test_units_are_balanced_separately_and_case_sensitively(squatch):
    api = squatch(world([account("acct", [
        credit("c1", 100), credit("c2", 50, unit="cents"), credit("m1", 2, unit="freemonth"),
        credit("c3", 25, user="u2")])]))
    by_unit = {b["unit"]: b for b in api.balances("acct")}
    assert [b["unit"] for b in api.balances("acct")] == ["CENTS", "cents", "freemonth"]
    assert by_unit["CENTS"]["totalAssignedCredit"] == 125 and by_unit["CENTS"]["count"] == 2
    assert by_unit["cents"]["totalAssignedCredit"] == 50
    assert by_unit["freemonth"]["totalAssignedCredit"] == 2


def test_user_id_narrows_to_one_users_rewards(squatch):
    api = squatch(world([account("acct", [
        credit("a", 100, user="u1"), credit("b", 40, user="u2"),
        discount("d", 15, "REFERRED", user="u2")])]))
    assert api.credit_balance("acct", userId="u1")["totalAssignedCredit"] == 100
    assert api.balances("acct", userId="u2") == [
        {**api.credit_balance("acct", userId="u2"), "totalAssignedCredit": 40},
        {"type": "PCT_DISCOUNT", "unit": "%", "totalDiscountPercent": 15,
         "referredDiscountPercent": 15, "referrerDiscountPercent": 0}]
    assert api.balances("acct", userId="nobody") == []


def test_discounts_and_fueltanks_count_only_while_available(squatch):
    api = squatch(world([account("acct", [
        discount("referred", 10, "REFERRED"), discount("referrer", 20, "FRIEND_SIGNUP"),
        discount("manual", 5, "MANUAL"),
        discount("cancelled", 50, "REFERRED", dateCancelled="2026-02-01T00:00:00Z"),
        discount("expired", 50, "FRIEND_SIGNUP", dateExpires="2026-02-01T00:00:00Z"),
        fueltank("f1", "CODE1"), fueltank("f2", "CODE2", user="u2"),
        fueltank("f-pending", "CODE3", dateScheduledFor="2026-05-01T00:00:00Z")])]))
    assert api.balances("acct") == [
        {"type": "PCT_DISCOUNT", "unit": "%", "totalDiscountPercent": 35,
         "referredDiscountPercent": 10, "referrerDiscountPercent": 20},
        {"type": "FUELTANK", "totalFuelTankCodes": 2},
    ]


def test_reward_type_filter(squatch):
    api = squatch(world([account("acct", [credit("c", 100), discount("d", 10, "REFERRED"),
                                          fueltank("f", "CODE")])]))
    assert [b["type"] for b in api.balances("acct")] == ["CREDIT", "PCT_DISCOUNT", "FUELTANK"]
    for reward_type in ("CREDIT", "PCT_DISCOUNT", "FUELTANK"):
        assert [b["type"] for b in api.balances("acct", rewardTypeFilter=reward_type)] == [reward_type]


@pytest.mark.parametrize("bad", ["credit", "INTEGRATION", "", "CREDIT,FUELTANK"])
def test_unknown_reward_type_filter_is_400(squatch, bad):
    api = squatch(world([account("acct", [credit("c", 100)])]))
    response = api.get("/reward/balance", accountId="acct", rewardTypeFilter=bad)
    assert response.status_code == 400
    assert response.json["apiErrorCode"] == "BAD_REQUEST" and "rewardTypeFilter" in response.json["message"]


def test_state_follows_the_sandbox_clock(squatch):
    api = squatch(world([account("acct", [
        credit("soon-available", 300, dateScheduledFor="2026-03-02T00:00:00Z"),
        credit("soon-expired", 200, dateExpires="2026-03-03T00:00:00Z",
               redemptions=[{"quantityRedeemed": 50}])])]))
    before = api.credit_balance("acct")
    assert (before["totalPendingCredit"], before["totalAssignedCredit"], before["totalExpiredCredit"]) == (300, 200, 0)
    api.advance("1d")
    after_one_day = api.credit_balance("acct")
    assert (after_one_day["totalPendingCredit"], after_one_day["totalAssignedCredit"]) == (0, 500)
    api.advance("1d")  # exactly at dateExpires the reward has expired
    expired = api.credit_balance("acct")
    assert (expired["totalAssignedCredit"], expired["totalRedeemedCredit"], expired["totalExpiredCredit"]) \
        == (300 + 50, 50, 150)


def test_unknown_account_has_no_balances_by_default(squatch):
    api = squatch(world([account("acct", [credit("c", 100)])]))
    assert api.balances("no-such-account") == []


def test_strict_ids_switch_makes_unknown_ids_404(squatch):
    api = squatch(world([account("acct", [credit("c", 100)])], strict_ids=True))
    response = api.get("/reward/balance", accountId="no-such-account")
    assert response.status_code == 404
    assert response.json == {"message": "No account found for the provided id", "statusCode": 404,
                             "apiErrorCode": "ACCOUNT_NOT_FOUND", "rsCode": "RS041"}
    response = api.get("/reward/balance", accountId="acct", userId="nobody")
    assert response.status_code == 404 and response.json["rsCode"] == "RS042"
    assert api.balances("acct", userId="u1")[0]["totalAssignedCredit"] == 100


@pytest.mark.parametrize("query", [{}, {"accountId": ""}, {"userId": "u1"}])
def test_account_id_is_required(squatch, query):
    api = squatch(world([account("acct", [credit("c", 100)])]))
    response = api.get("/reward/balance", **query)
    assert response.status_code == 400
    assert response.json["statusCode"] == 400 and "accountId" in response.json["message"]
