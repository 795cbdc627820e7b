"""The Exchange (Eagle Eye AIR "Exchange" reference): success shape, spellings, /2.0,
location echo, threshold, negative balances and AUTOTOPUP, and the 404/400/422 refusals that write nothing."""
import pytest

from tests.apis.eagleeye.helpers import (ACCOUNT, BANK, CAMPAIGN, EXCHANGE_BODY, OTHER_CLIENT, OTHER_SECRET, REWARD,
                                         WALLET, assert_error, assert_ledgers_balance, reward_bank, set_balance,
                                         state, world)


def test_exchange_debits_the_cost_and_issues_a_coupon(air):
    api = air()
    response = api.exchange()
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"
    assert response.headers["x-ees-called-unique-id"]
    body = response.get_json()
    assert body["type"] == "EXCHANGE" and body["status"] == "SETTLED" and body["state"] == "ORIGINAL"
    assert body["walletId"] == WALLET and body["parentWalletTransactionId"] == "0"
    debit, create = body["accounts"]
    assert debit["accountId"] == ACCOUNT and debit["event"] == "EXCHANGE" and debit["value"] == 150
    assert debit["balancesBefore"]["current"] == 500 and debit["balancesAfter"]["current"] == 350
    assert debit["account"]["balances"]["current"] == 350 and debit["account"]["balances"]["usable"] == 350
    assert create["event"] == "CREATE" and create["value"] == 0
    coupon = create["account"]
    assert (coupon["type"], coupon["clientType"], coupon["campaignId"]) == ("ECOUPON", "OFFER", CAMPAIGN)
    assert (coupon["status"], coupon["state"]) == ("ACTIVE", "LOADED")
    assert coupon["balances"] == {"available": 0, "refundable": 0}
    assert api.balance() == 350
    accounts = api.get(f"/wallet/{WALLET}/accounts").get_json()
    assert [a["type"] for a in accounts["results"]] == ["POINTS", "ECOUPON"]
    assert_ledgers_balance(api.http)


@pytest.mark.parametrize("names", [
    {"rewardBankId": BANK, "rewardId": REWARD},
    {"pointsRewardBankId": BANK, "pointsRewardBankRewardId": REWARD},
    {"rewardBankId": BANK, "pointsRewardBankRewardId": REWARD},
    {"rewardBankId": BANK, "pointsRewardBankId": BANK, "rewardId": REWARD},
    {"rewardBankId": int(BANK), "rewardId": int(REWARD)},          # numbers are accepted as ids
])
def test_both_spellings_of_bank_and_reward(air, names):
    api = air()
    assert api.exchange({"accountId": ACCOUNT, **names}).status_code == 201


@pytest.mark.parametrize("body", [
    {"accountId": ACCOUNT, "rewardId": REWARD},
    {"accountId": ACCOUNT, "rewardBankId": BANK},
    {"rewardBankId": BANK, "rewardId": REWARD},
    {"accountId": ACCOUNT, "rewardBankId": BANK, "pointsRewardBankId": "9999", "rewardId": REWARD},
])
def test_missing_or_disagreeing_fields_are_400(air, body):
    api = air()
    before = state(api.http)
    assert_error(api.exchange(body), 400, "BADREQ")
    assert state(api.http) == before


def test_the_2_0_prefix_serves_the_same_api(air):
    api = air(prefix="/2.0")
    assert api.exchange().status_code == 201
    assert api.balance() == 350
    assert api.get(f"/wallet/{WALLET}/transactions").get_json()["total"] == 1


def test_the_client_location_is_echoed(air):
    body = air().exchange().get_json()
    assert body["location"]["incomingIdentifier"] == "STORE1"
    assert body["location"]["parentIncomingIdentifier"] == "BANNER1"
    assert [t["event"] for t in body["accounts"]] == ["EXCHANGE", "CREATE"]
    for account_transaction in body["accounts"]:
        assert account_transaction["transactionDetails"] == {"merchant_store_id": "STORE1",
                                                              "merchant_store_parent_id": "BANNER1"}


def test_the_request_location_overrides_the_client_default(air):
    body = air().exchange(location={"incomingIdentifier": "OUTLET7", "parentIncomingIdentifier": "BANNER2"}).get_json()
    assert body["location"] == {"storeId": None, "storeParentId": None, "incomingIdentifier": "OUTLET7",
                                "parentIncomingIdentifier": "BANNER2"}
    assert body["accounts"][0]["transactionDetails"]["merchant_store_id"] == "OUTLET7"


def test_each_client_has_its_own_default_location(air):
    body = air(client_id=OTHER_CLIENT, secret=OTHER_SECRET).exchange().get_json()
    assert body["location"]["incomingIdentifier"] == "STORE9"
    assert body["location"]["parentIncomingIdentifier"] is None


def test_optional_objects_set_attributes(air):
    api = air()
    body = api.exchange(
        walletTransaction={"reference": "order-42", "meta": {"channel": "app"}},
        exchangeAccountTransaction={"transactionDetails": {"note": "birthday"}},
        createAccountTransaction={"status": "INACTIVE", "state": "EARNED", "properties": {"k": "v"}},
    ).get_json()
    assert body["reference"] == "order-42" and body["meta"] == {"channel": "app"}
    assert body["accounts"][0]["transactionDetails"]["note"] == "birthday"
    create = body["accounts"][1]
    assert create["properties"] == {"k": "v"}
    assert (create["account"]["status"], create["account"]["state"]) == ("INACTIVE", "EARNED")
    listed = api.get(f"/wallet/{WALLET}/transactions?reference=order-42").get_json()
    assert listed["total"] == 1


# -- threshold --------------------------------------------------------------------------------------

@pytest.mark.parametrize("balance, status", [(169, 422), (170, 201), (500, 201)])
def test_balance_must_reach_the_threshold(air, balance, status):
    api = air(set_balance(world(), balance))
    response = api.exchange()
    if status == 422:
        assert_error(response, 422, "THRESHOLD")
        assert api.balance() == balance
    else:
        assert response.status_code == 201
        assert api.balance() == balance - 150


@pytest.mark.parametrize("balance, status", [(149, 422), (150, 201)])
def test_a_threshold_left_out_defaults_to_the_cost(air, balance, status):
    bank = reward_bank(rewards=[{"pointsRewardBankRewardId": REWARD, "resourceId": CAMPAIGN, "cost": 150}])
    api = air(set_balance(world(reward_banks=[bank]), balance))
    rewards = api.get(f"/banks/pointsreward/{BANK}/rewards").get_json()["results"]
    assert rewards[0]["threshold"] == 150
    assert api.exchange().status_code == status


@pytest.mark.parametrize("threshold", [0, None])
def test_threshold_zero_or_null_means_no_check(air, threshold):
    api = air(set_balance(world(reward_banks=[reward_bank(reward={"threshold": threshold})]), 10))
    assert api.exchange().status_code == 201
    assert api.balance() == -140           # negatives are allowed by default
    assert_ledgers_balance(api.http)


# -- negative balances ------------------------------------------------------------------------

def _no_threshold_world(balance: int, **scheme):
    doc = world(reward_banks=[reward_bank(reward={"threshold": 0})],
                schemes=[{"id": "1001", "name": "Points", **scheme}])
    return set_balance(doc, balance)


def test_negative_balance_refused_before_any_write_when_disallowed(air):
    api = air(_no_threshold_world(100, allow_negative_balance=False))
    before = state(api.http)
    assert_error(api.exchange(), 422, "NEGBAL")
    assert state(api.http) == before


def test_disallowed_negative_still_lets_the_exact_balance_go(air):
    api = air(_no_threshold_world(150, allow_negative_balance=False))
    assert api.exchange().status_code == 201
    assert api.balance() == 0


def test_autotopup_brings_a_negative_balance_back_to_zero(air):
    api = air(_no_threshold_world(100, autotopup=True))
    body = api.exchange().get_json()
    events = [(t["event"], t["value"], t["balancesAfter"].get("current")) for t in body["accounts"]]
    assert events == [("EXCHANGE", 150, -50), ("AUTOTOPUP", 50, 0), ("CREATE", 0, None)]
    assert api.balance() == 0
    listed = api.get(f"/wallet/{WALLET}/account/{ACCOUNT}/transactions").get_json()["results"]
    assert [t["event"] for t in listed] == ["CREDIT", "EXCHANGE", "AUTOTOPUP"]
    assert_ledgers_balance(api.http)


def test_autotopup_corrects_a_negative_balance_the_scenario_loads(air):
    """AIR detects negative balances and corrects them at once, not at the next exchange."""
    api = air(_no_threshold_world(-80, autotopup=True))
    assert api.balance() == 0
    listed = api.get(f"/wallet/{WALLET}/account/{ACCOUNT}/transactions").get_json()["results"]
    assert [(t["event"], t["value"], t["balancesBefore"]["current"], t["balancesAfter"]["current"])
            for t in listed] == [("DEBIT", 80, 0, -80), ("AUTOTOPUP", 80, -80, 0)]
    assert_ledgers_balance(api.http)


def test_without_autotopup_a_negative_opening_balance_stays(air):
    api = air(_no_threshold_world(-80))
    assert api.balance() == -80
    assert_ledgers_balance(api.http)


def test_autotopup_does_nothing_when_the_balance_stays_positive(air):
    api = air(_no_threshold_world(400, autotopup=True))
    assert [t["event"] for t in api.exchange().get_json()["accounts"]] == ["EXCHANGE", "CREATE"]


# -- refusals: unknown objects, wrong account, inactive ----------------------------------------

@pytest.mark.parametrize("wallet, changes", [
    ("9999", {}),
    (WALLET, {"accountId": "9999"}),
    (WALLET, {"accountId": "6002"}),                 # another wallet's account
    (WALLET, {"rewardBankId": "9999"}),
    (WALLET, {"rewardId": "9999"}),
])
def test_unknown_objects_are_404(air, wallet, changes):
    api = air()
    before = state(api.http)
    assert_error(api.exchange(wallet=wallet, **changes), 404, "NOTFOUND")
    assert state(api.http) == before


def test_a_reward_of_another_bank_is_404(air):
    other = {"pointsRewardBankId": "3009", "mode": "PUBLIC",
             "rewards": [{"pointsRewardBankRewardId": "4009", "resourceId": CAMPAIGN, "cost": 1}]}
    api = air(world(reward_banks=[reward_bank(), other]))
    assert_error(api.exchange(rewardId="4009"), 404, "NOTFOUND")


def test_a_coupon_account_cannot_pay(air):
    api = air()
    coupon = api.exchange().get_json()["accounts"][1]["accountId"]
    assert_error(api.exchange(accountId=coupon), 400, "BADREQ")


@pytest.mark.parametrize("bank", [reward_bank(status="INACTIVE"), reward_bank(reward={"status": "INACTIVE"})])
def test_inactive_bank_or_reward_is_not_exchangeable(air, bank):
    api = air(world(reward_banks=[bank]))
    assert_error(api.exchange(), 422, "INACTIVE")
    assert api.balance() == 500


def test_threshold_is_checked_before_the_limit(air):
    api = air(set_balance(world(reward_banks=[reward_bank(exchangeLimit=0)]), 10))
    assert_error(api.exchange(), 422, "THRESHOLD")
