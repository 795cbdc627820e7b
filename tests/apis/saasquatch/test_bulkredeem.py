"""POST /credit/bulkredeem: debit order, all-or-nothing, the redemption ledger."""
import pytest

from .conftest import NOW_MS, OTHER_KEY, Squatch, account, credit, discount, world

# Debit order: soonest dateExpires first (none last), then oldest dateGiven, then id.
ORDERED = [
    credit("no-expiry-old", 100, dateGiven="2025-01-01T00:00:00Z"),
    credit("late-expiry", 100, dateExpires="2026-12-01T00:00:00Z"),
    credit("soon-b", 100, dateExpires="2026-04-01T00:00:00Z", dateGiven="2026-01-05T00:00:00Z"),
    credit("soon-a2", 100, dateExpires="2026-04-01T00:00:00Z", dateGiven="2026-01-02T00:00:00Z"),
    credit("soon-a1", 100, dateExpires="2026-04-01T00:00:00Z", dateGiven="2026-01-02T00:00:00Z"),
    credit("soonest", 50, dateExpires="2026-03-15T00:00:00Z", redemptions=[{"quantityRedeemed": 20}]),
]


def redeemed(api: Squatch, reward_id: str) -> int:
    reward = api.reward(reward_id)
    assert reward["redeemedCredit"] == sum(r["quantityRedeemed"] for r in reward["redemptions"])
    return reward["redeemedCredit"]


def test_spreads_across_rewards_in_the_documented_order(squatch):
    api = squatch(world([account("acct", ORDERED)]))
    response = api.bulk_redeem("acct", 30 + 100 + 100 + 40)
    assert response.status_code == 200
    assert response.json == {"creditRedeemed": 270, "creditAvailable": 530 - 270, "unit": "CENTS"}
    assert {rid: redeemed(api, rid) for rid in
            ["soonest", "soon-a1", "soon-a2", "soon-b", "late-expiry", "no-expiry-old"]} == \
        {"soonest": 50, "soon-a1": 100, "soon-a2": 100, "soon-b": 40, "late-expiry": 0, "no-expiry-old": 0}
    # each reward touched got exactly one redemption, dated now
    soonest = api.reward("soonest")["redemptions"]
    assert [r["quantityRedeemed"] for r in soonest] == [20, 30] and soonest[1]["dateRedeemed"] == NOW_MS
    assert [r["quantityRedeemed"] for r in api.reward("soon-b")["redemptions"]] == [40]
    assert api.reward("late-expiry")["redemptions"] == []


def test_later_debits_continue_where_the_last_one_stopped(squatch):
    api = squatch(world([account("acct", ORDERED)]))
    for amount in (270, 60, 100, 100):
        assert api.bulk_redeem("acct", amount).status_code == 200
    assert [redeemed(api, rid) for rid in ["soon-b", "late-expiry", "no-expiry-old"]] == [100, 100, 100]
    assert api.bulk_redeem("acct", 1).status_code == 402


def test_only_available_credit_of_that_unit_and_account_is_debited(squatch):
    api = squatch(world(
        [account("acct", [
            credit("usable", 100),
            credit("pending", 500, dateScheduledFor="2026-06-01T00:00:00Z"),
            credit("expired", 500, dateExpires="2026-02-01T00:00:00Z"),
            credit("cancelled", 500, dateCancelled="2026-02-01T00:00:00Z"),
            credit("other-unit", 500, unit="POINTS"),
            credit("other-user", 20, user="u2"),
            discount("discount", 50, "REFERRED")]),
         account("other-acct", [credit("elsewhere", 500)])]))
    assert api.bulk_redeem("acct", 121).status_code == 402
    response = api.bulk_redeem("acct", 120)  # debits every user of the account
    assert response.json == {"creditRedeemed": 120, "creditAvailable": 0, "unit": "CENTS"}
    assert {rid: redeemed(api, rid) for rid in ["usable", "other-user", "pending", "expired",
                                                 "cancelled", "other-unit", "elsewhere"]} == \
        {"usable": 100, "other-user": 20, "pending": 0, "expired": 0, "cancelled": 0,
         "other-unit": 0, "elsewhere": 0}


def test_insufficient_credit_is_402_and_changes_nothing(squatch):
    api = squatch(world([account("acct", ORDERED)]))
    before = api.state()
    response = api.bulk_redeem("acct", 531)
    assert response.status_code == 402
    assert response.json["statusCode"] == 402 and response.json["apiErrorCode"] == "INSUFFICIENT_CREDIT"
    assert "530" in response.json["message"]
    assert api.state() == before
    assert api.bulk_redeem("acct", 530).json["creditAvailable"] == 0


@pytest.mark.parametrize("account_id, unit", [("no-such-account", "CENTS"), ("acct", "POINTS"),
                                              ("acct", "cents")])
def test_no_credit_of_that_unit_or_account_is_insufficient_credit(squatch, account_id, unit):
    api = squatch(world([account("acct", ORDERED)]))
    response = api.bulk_redeem(account_id, 1, unit=unit)
    assert response.status_code == 402 and response.json["apiErrorCode"] == "INSUFFICIENT_CREDIT"


def test_units_match_case_sensitively_and_the_refusal_names_the_other_case(squatch):
    """The vendor's examples show both "cents" and "CENTS"; a unit is an identifier, matched
    exactly, and a debit in the wrong case is refused whole, naming the unit the account holds."""
    api = squatch(world([account("acct", [credit("a", 100), credit("b", 50, unit="Cents")])]))
    before = api.state()
    response = api.bulk_redeem("acct", 20, unit="cents")
    assert response.status_code == 402 and response.json["apiErrorCode"] == "INSUFFICIENT_CREDIT"
    assert response.json["message"] == ("Insufficient credit: account has 0 cents available, 20 requested "
                                        "(units match exactly, case included; this account holds credit in "
                                        "CENTS, Cents)")
    assert api.state() == before
    exact = api.bulk_redeem("acct", 100, unit="CENTS")
    assert exact.json == {"creditRedeemed": 100, "creditAvailable": 0, "unit": "CENTS"}
    short = api.bulk_redeem("acct", 1, unit="CENTS")
    assert short.json["message"].endswith("this account holds credit in Cents)")


def test_unit_case_insensitive_switch(squatch):
    api = squatch(world([account("acct", [credit("a", 100), credit("b", 50, unit="cents")])],
                        unit_case_insensitive=True))
    response = api.bulk_redeem("acct", 150, unit="Cents")
    assert response.json == {"creditRedeemed": 150, "creditAvailable": 0, "unit": "Cents"}


def test_strict_ids_switch_makes_an_unknown_account_404(squatch):
    api = squatch(world([account("acct", ORDERED)], strict_ids=True))
    response = api.bulk_redeem("nobody", 1)
    assert response.status_code == 404 and response.json["rsCode"] == "RS041"


def test_repeating_a_debit_debits_again(squatch):
    api = squatch(world([account("acct", [credit("a", 100)])]))
    assert [api.bulk_redeem("acct", 40).json["creditAvailable"] for _ in range(2)] == [60, 20]


@pytest.mark.parametrize("amount", [0, -5, 1.5, 200.0, "10", True, None, [], {}, 2 ** 53, 10 ** 30])
def test_amount_must_be_a_positive_integer(squatch, amount):
    api = squatch(world([account("acct", ORDERED)]))
    before = api.state()
    response = api.bulk_redeem("acct", amount)
    assert response.status_code == 400
    assert response.json["apiErrorCode"] == "BAD_REQUEST" and "amount" in response.json["message"]
    assert api.state() == before


@pytest.mark.parametrize("body, field", [
    ({"unit": "CENTS", "amount": 1}, "accountId"),
    ({"accountId": "acct", "amount": 1}, "unit"),
    ({"accountId": "acct", "unit": "CENTS"}, "amount"),
    ({"accountId": 12, "unit": "CENTS", "amount": 1}, "accountId"),
    ({"accountId": "acct", "unit": ["CENTS"], "amount": 1}, "unit"),
    ({"accountId": "", "unit": "CENTS", "amount": 1}, "accountId"),
    ({"accountId": {"$ne": 1}, "unit": "CENTS", "amount": 1}, "accountId"),
])
def test_missing_or_mistyped_fields_are_400(squatch, body, field):
    api = squatch(world([account("acct", ORDERED)]))
    response = api.post("/credit/bulkredeem", body)
    assert response.status_code == 400 and field in response.json["message"]


def test_another_tenant_with_the_same_account_id_is_untouched(squatch, make_app):
    doc = world([account("acct", [credit("a-reward", 100)])],
                other_accounts=[account("acct", [credit("b-reward", 1000)])])
    client = make_app(doc).test_client()
    tenant_a, tenant_b = Squatch(client), Squatch(client, "test_tenant_b", OTHER_KEY)
    assert tenant_a.bulk_redeem("acct", 101).status_code == 402  # B's credit is not A's
    assert tenant_a.bulk_redeem("acct", 100).status_code == 200
    assert tenant_b.credit_balance("acct")["totalRedeemedCredit"] == 0
    assert tenant_b.bulk_redeem("acct", 1000).json["creditAvailable"] == 0
    assert tenant_a.get("/reward/b-reward").status_code == 404
    assert [r["id"] for r in tenant_a.get("/reward", accountId="acct").json] == ["a-reward"]
