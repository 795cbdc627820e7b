"""Exchange limits (ELE): PUBLIC banks per wallet, PERSONAL banks per wallet link."""
import pytest

from tests.apis.eagleeye.helpers import (CAMPAIGN, REWARD, WALLET, assert_error, assert_ledgers_balance, reward_bank,
                                         set_balance, state, world)

RICH = 100_000


def _world(bank: dict, links: list | None = None, **extra) -> dict:
    doc = set_balance(world(reward_banks=[bank], **extra), RICH)
    doc["eagleeye"]["wallets"][0]["links"] = links or []
    return doc


def _link(link_id: str, **changes) -> dict:
    return {"pointsRewardBankWalletLinkId": link_id, "pointsRewardBankId": "3001", "pointsRewardBankRewardId": None,
            "status": "ACTIVE", "validFrom": "2026-01-01T00:00:00Z", "validTo": "2026-12-31T23:59:59Z", **changes}


def _links(api) -> dict:
    results = api.get(f"/wallet/{WALLET}/bank/pointsreward/links").get_json()["results"]
    return {link["pointsRewardBankWalletLinkId"]: link for link in results}


# -- PUBLIC ------------------------------------------------------------------------------------------

def test_public_bank_limit_counts_per_wallet(air):
    api = air(_world(reward_bank(exchangeLimit=2)))
    assert [api.exchange().status_code for _ in range(2)] == [201, 201]
    before = state(api.http)
    body = assert_error(api.exchange(), 422, "ELE")
    assert "Exchange Limit Exceeded" in body["errorMessage"]
    assert state(api.http) == before
    assert api.balance() == RICH - 300
    # another wallet has its own count
    assert api.exchange(wallet="5002", accountId="6002").status_code == 201


def test_null_limit_is_unlimited(air):
    api = air(_world(reward_bank(exchangeLimit=None)))
    assert {api.exchange().status_code for _ in range(5)} == {201}


def test_limit_zero_allows_nothing(air):
    api = air(_world(reward_bank(exchangeLimit=0)))
    assert_error(api.exchange(), 422, "ELE")


def test_voided_exchanges_do_not_count(air):
    """An exchange rolled back because the issuance window had not opened is VOIDED and
    does not use up the wallet's single exchange."""
    campaigns = [{"id": CAMPAIGN, "name": "later", "issuance_start": "2026-01-15T10:00:00Z"}]
    api = air(_world(reward_bank(exchangeLimit=1), campaigns=campaigns))
    assert_error(api.exchange(), 422, "ISSUANCE")
    api.http.post("/_sandbox/clock/advance", json={"by": "1h"})
    assert api.exchange().status_code == 201
    assert_error(api.exchange(), 422, "ELE")


# -- PERSONAL --------------------------------------------------------------------------------------------

PERSONAL = reward_bank(mode="PERSONAL", exchangeLimit=1)


def test_personal_bank_without_a_link_is_nolink(air):
    api = air(_world(PERSONAL))
    before = state(api.http)
    assert_error(api.exchange(), 422, "NOLINK")
    assert state(api.http) == before


def test_private_is_accepted_as_personal(air):
    api = air(_world(reward_bank(mode="PRIVATE", exchangeLimit=1)))
    assert_error(api.exchange(), 422, "NOLINK")


@pytest.mark.parametrize("link", [
    _link("7001", validFrom="2026-02-01T00:00:00Z"),                     # not yet valid
    _link("7001", validTo="2026-01-10T00:00:00Z"),                       # expired
    _link("7001", status="INACTIVE"),
    _link("7001", pointsRewardBankRewardId="4002"),                      # for another reward
])
def test_links_that_cannot_be_used_are_nolink(air, link):
    other_reward = {"pointsRewardBankRewardId": "4002", "resourceId": CAMPAIGN, "cost": 1}
    bank = reward_bank(mode="PERSONAL", exchangeLimit=1,
                       rewards=[PERSONAL["rewards"][0], other_reward])
    api = air(_world(bank, [link]))
    assert_error(api.exchange(), 422, "NOLINK")


def test_a_link_is_used_up_to_the_limit_then_marked_used(air):
    api = air(_world(reward_bank(mode="PERSONAL", exchangeLimit=2), [_link("7001")]))
    assert api.exchange().status_code == 201
    assert _links(api)["7001"]["status"] == "ACTIVE"
    assert api.exchange().status_code == 201
    assert _links(api)["7001"]["status"] == "USED"
    assert_error(api.exchange(), 422, "ELE")
    assert_ledgers_balance(api.http)


def test_the_link_expiring_soonest_is_used_first(air):
    links = [_link("7001", validTo="2026-12-31T00:00:00Z"), _link("7002", validTo="2026-06-30T00:00:00Z")]
    api = air(_world(PERSONAL, links))
    api.exchange()
    assert {k: v["status"] for k, v in _links(api).items()} == {"7001": "ACTIVE", "7002": "USED"}
    api.exchange()
    assert {k: v["status"] for k, v in _links(api).items()} == {"7001": "USED", "7002": "USED"}
    assert_error(api.exchange(), 422, "ELE")


def test_then_the_link_most_specific_to_the_reward(air):
    links = [_link("7001"), _link("7002", pointsRewardBankRewardId=REWARD)]   # same validTo
    api = air(_world(PERSONAL, links))
    api.exchange()
    assert {k: v["status"] for k, v in _links(api).items()} == {"7001": "ACTIVE", "7002": "USED"}


def test_expiry_wins_over_specificity(air):
    links = [_link("7001", validTo="2026-03-01T00:00:00Z"), _link("7002", pointsRewardBankRewardId=REWARD)]
    api = air(_world(PERSONAL, links))
    api.exchange()
    assert _links(api)["7001"]["status"] == "USED"


def test_personal_bank_with_null_limit_needs_a_link_but_never_uses_it_up(air):
    api = air(_world(reward_bank(mode="PERSONAL", exchangeLimit=None), [_link("7001")]))
    assert {api.exchange().status_code for _ in range(3)} == {201}
    assert _links(api)["7001"]["status"] == "ACTIVE"


def test_links_created_and_amended_through_the_api(air):
    api = air(_world(PERSONAL))
    created = api.post(f"/wallet/{WALLET}/link/bank/pointsreward/3001",
                       {"validFrom": "2026-01-01T00:00:00+00:00", "validTo": "2026-01-31T23:59:59+00:00"})
    assert created.status_code == 201
    link = created.get_json()
    assert link["status"] == "ACTIVE" and link["type"] == "CAMPAIGN" and link["state"] == "LOADED"
    assert link["pointsRewardBankRewardId"] is None and link["validTo"] == "2026-01-31T23:59:59+00:00"
    link_path = f"/wallet/{WALLET}/link/bank/pointsreward/link/{link['pointsRewardBankWalletLinkId']}"
    amended = api.patch(link_path, {"status": "INACTIVE"})
    assert amended.status_code == 200 and amended.get_json()["status"] == "INACTIVE"
    assert_error(api.exchange(), 422, "NOLINK")
    api.patch(link_path, {"status": "ACTIVE"})
    assert api.exchange().status_code == 201
    assert api.get(f"/wallet/{WALLET}/bank/pointsreward/links?status=USED").get_json()["total"] == 1


@pytest.mark.parametrize("path, body, status", [
    ("/wallet/9999/link/bank/pointsreward/3001", {}, 404),
    (f"/wallet/{WALLET}/link/bank/pointsreward/9999", {}, 404),
    (f"/wallet/{WALLET}/link/bank/pointsreward/3001", {"pointsRewardBankRewardId": "9999"}, 404),
    (f"/wallet/{WALLET}/link/bank/pointsreward/3001", {"validFrom": "2026-02-01", "validTo": "2026-01-01"}, 400),
    (f"/wallet/{WALLET}/link/bank/pointsreward/3001", {"validFrom": "yesterday"}, 400),
    (f"/wallet/{WALLET}/link/bank/pointsreward/3001", {"status": "active please"}, 400),
])
def test_link_creation_refusals(air, path, body, status):
    api = air(_world(PERSONAL))
    before = state(api.http)
    assert_error(api.post(path, body), status)
    assert state(api.http) == before


def test_links_are_for_personal_banks(air):
    api = air(_world(reward_bank()))
    assert_error(api.post(f"/wallet/{WALLET}/link/bank/pointsreward/3001", {}), 400, "BADREQ")


def test_amending_an_unknown_link_is_404(air):
    api = air(_world(PERSONAL, [_link("7001")]))
    assert_error(api.patch(f"/wallet/{WALLET}/link/bank/pointsreward/link/7999", {"status": "USED"}), 404)
    assert_error(api.patch(f"/wallet/5002/link/bank/pointsreward/link/7001", {"status": "USED"}), 404)
