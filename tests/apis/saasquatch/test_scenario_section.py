"""The `saasquatch:` scenario section: validation with paths, seeding, the default world,
credentials and replay auth."""
import base64
import re
import time

import pytest

from sandbox.apis import API_PACKAGES
from sandbox.apis.saasquatch import auth, scenario
from sandbox.apis.saasquatch.schemas import reward_json
from sandbox.core.db import connect
from sandbox.core.scenarios import build_world

from .conftest import ALIAS, KEY, Squatch, account, basic, credit, world

DEFAULT_ALIAS, DEFAULT_KEY = "test_abo912126tastastt", "TEST_B4BYA15POHYQ284HBND1"


def test_empty_section_loads():
    assert scenario.SectionSchema().load({}) == {"tenants": []}


def problems_for(client, doc) -> list[tuple[str, str]]:
    response = client.post("/_sandbox/scenario", json=doc)
    assert response.status_code == 400, response.json
    return [(p["path"], p["message"]) for p in response.json["problems"]]


@pytest.mark.parametrize("reward, path, words", [
    ({"userId": "u1", "type": "CREDIT", "unit": "CENTS"}, "rewards[0].assignedCredit", "Required"),
    ({"userId": "u1", "type": "CREDIT", "unit": "CENTS", "assignedCredit": 5, "discountPercent": 3},
     "rewards[0].discountPercent", "Works only with PCT_DISCOUNT rewards"),
    ({"userId": "u1", "type": "CREDIT", "unit": "CENTS", "assignedCredit": 5, "redeemedCredit": 6},
     "rewards[0].redeemedCredit", "assignedCredit"),
    ({"userId": "u1", "type": "CREDIT", "unit": "CENTS", "assignedCredit": 5, "redeemedCredit": 2,
      "redemptions": [{"quantityRedeemed": 3}]}, "rewards[0].redeemedCredit", "sum"),
    ({"userId": "u1", "type": "CREDIT", "unit": "CENTS", "assignedCredit": 5,
      "redemptions": [{"quantityRedeemed": 0}]}, "rewards[0].redemptions[0].quantityRedeemed", ""),
    ({"userId": "u1", "type": "PCT_DISCOUNT", "discountPercent": 5, "dateExpires": "someday"},
     "rewards[0].dateExpires", "ISO-8601"),
    ({"userId": "u1", "type": "GIFT"}, "rewards[0].type", ""),
    ({"type": "FUELTANK", "fuelTankCode": "X"}, "rewards[0].userId", ""),
    ({"userId": "u1", "type": "FUELTANK", "fuelTankCode": "X", "colour": "red"}, "rewards[0].colour", "unknown"),
])
def test_reward_problems_are_reported_with_their_path(make_app, reward, path, words):
    client = make_app(world([account("acct", [credit("keep", 100)])])).test_client()
    before = client.get("/_sandbox/state/saasquatch").json
    found = problems_for(client, world([account("acct", [reward])], name="broken"))
    full = f"saasquatch.tenants[0].accounts[0].{path}"
    # words "": marshmallow's own message (Range, OneOf, required): only the path is the sandbox's
    assert any(p == full and m.strip() and words in m for p, m in found), found
    assert client.get("/_sandbox/state/saasquatch").json == before


@pytest.mark.parametrize("doc_change, path", [
    (lambda t: t["accounts"][0]["rewards"][0].update(userId="ghost"), "accounts[0].rewards[0].userId"),
    (lambda t: t["accounts"].append(account("acct", [])), "accounts[1].id"),
    (lambda t: t["accounts"][0]["users"].append({"id": "u1"}), "accounts[0].users[2].id"),
    (lambda t: t["accounts"][0]["rewards"].append(credit("keep", 5)), "accounts[0].rewards[1].id"),
    (lambda t: t["accounts"][0]["rewards"][0].update(accountId="other"), "accounts[0].rewards[0].accountId"),
    (lambda t: t.pop("api_key"), "api_key"),
    (lambda t: t.update(strict_ids="yes"), "strict_ids"),
])
def test_cross_reference_problems_name_the_path(make_app, doc_change, path):
    client = make_app(world([account("acct", [credit("keep", 100)])])).test_client()
    doc = world([account("acct", [credit("keep", 100)])], name="broken")
    doc_change(doc["saasquatch"]["tenants"][0])
    assert any(p == f"saasquatch.tenants[0].{path}" for p, _ in problems_for(client, doc))


def test_duplicate_tenant_alias(make_app):
    client = make_app(world([])).test_client()
    doc = world([])
    doc["saasquatch"]["tenants"].append({"tenant_alias": ALIAS, "api_key": "x"})
    assert problems_for(client, doc)[0][0] == "saasquatch.tenants[1].tenant_alias"


def test_redeemed_credit_without_redemptions_is_one_redemption_at_date_given(squatch):
    api = squatch(world([account("acct", [credit("c", 100, redeemedCredit=30,
                                                 dateGiven="2026-01-10T00:00:00Z")])]))
    reward = api.reward("c")
    assert reward["redeemedCredit"] == 30
    assert [(r["quantityRedeemed"], r["dateRedeemed"]) for r in reward["redemptions"]] == [(30, 1768003200000)]


def test_a_reward_copied_from_a_response_can_be_pasted_into_a_scenario(squatch):
    api = squatch(world([account("acct", [credit("c", 100, redemptions=[{"quantityRedeemed": 40}],
                                                 dateExpires="2026-09-01T00:00:00Z", currency="USD")])]))
    original = api.get("/reward", accountId="acct").json
    again = squatch(world([account("acct", original)], name="pasted"))
    assert again.get("/reward", accountId="acct").json == original


def test_generated_ids_are_24_hex_and_the_same_for_every_load(squatch):
    doc = world([account("acct", [{"userId": "u1", "type": "CREDIT", "unit": "CENTS",
                                   "assignedCredit": 10, "redeemedCredit": 5}] * 3)])
    first, second = squatch(doc), squatch(doc)
    listed = first.get("/reward", accountId="acct").json
    assert all(re.fullmatch(r"[0-9a-f]{24}", r["id"]) and re.fullmatch(r"[0-9a-f]{24}", r["redemptions"][0]["id"])
               for r in listed)
    assert len({r["id"] for r in listed}) == 3
    assert second.get("/reward", accountId="acct").json == listed
    created = [api.post("/rewards/account/acct/user/u1", {"type": "PCT_DISCOUNT", "discountPercent": 5}).json["id"]
               for api in (first, second)]
    assert created[0] == created[1] and created[0] not in {r["id"] for r in listed}


def test_default_world_balance_shows_every_field(make_app):
    api = Squatch(make_app("default").test_client(), DEFAULT_ALIAS, DEFAULT_KEY)
    balances = api.balances("613611")
    assert [(b["type"], b.get("unit")) for b in balances] == \
        [("CREDIT", "CENTS"), ("CREDIT", "freemonth"), ("PCT_DISCOUNT", "%"), ("FUELTANK", None)]
    cents, _, discount, fueltank = balances
    assert all(value for value in cents.values()), cents  # every CREDIT total is non-zero
    assert cents["totalAssignedCredit"] - cents["totalRedeemedCredit"] == 2500 + 2000 - 2000
    assert discount == {"type": "PCT_DISCOUNT", "unit": "%", "totalDiscountPercent": 30,
                        "referredDiscountPercent": 20, "referrerDiscountPercent": 10}
    assert fueltank == {"type": "FUELTANK", "totalFuelTankCodes": 1}
    assert api.reward("582142aae4b05442a5fa01a5")["redeemedCredit"] == 2000


def test_credentials_list_each_tenant(tmp_path):
    build_world(str(tmp_path / "c.sqlite"), "default", API_PACKAGES)
    db = connect(str(tmp_path / "c.sqlite"))
    assert scenario.credentials(db) == [{"tenant_alias": DEFAULT_ALIAS, "api_key": DEFAULT_KEY,
                                         "base_path": f"/saasquatch/api/v1/{DEFAULT_ALIAS}"}]


def test_replay_headers_send_the_key_as_the_basic_password(make_app):
    section = world([])["saasquatch"]
    headers = auth.replay_headers(section, {"tenant": ALIAS}, "GET", "/saasquatch/x", b"")
    assert headers == basic(KEY)
    assert base64.b64decode(headers["Authorization"].split()[1]) == f":{KEY}".encode()
    with pytest.raises(KeyError):
        auth.replay_headers(section, {"tenant": "nobody"}, "GET", "/saasquatch/x", b"")
    with pytest.raises(ValueError):
        auth.replay_headers(section, {"client": ALIAS}, "GET", "/saasquatch/x", b"")


def test_reward_json_uses_exact_epoch_milliseconds():
    stored = {"id": "r", "type": "PCT_DISCOUNT", "date_given": "2016-11-08T03:12:42.838000Z",
              "date_expires": None, "date_cancelled": None, "date_scheduled_for": None,
              "account_id": "a", "user_id": "u", "cancellable": 1, "reward_source": "REFERRED",
              "unit": "%", "name": None, "discount_percent": 10, "assigned_credit": None,
              "currency": None, "amount": None, "fuel_tank_code": None, "fueltank_type": None,
              "redemptions": []}
    assert reward_json(stored)["dateGiven"] == 1478574762838


@pytest.mark.slow
def test_a_ten_thousand_entity_world_loads(tmp_path):
    accounts = [{"id": f"acct-{a}", "users": [{"id": "u0"}, {"id": "u1"}],
                 "rewards": [{"userId": f"u{r % 2}", "type": "CREDIT", "unit": "CENTS",
                              "assignedCredit": 1000, "dateGiven": "2026-01-01T00:00:00Z",
                              **({"redeemedCredit": 100} if r == 0 else {})}
                             for r in range(20)]}
                for a in range(400)]  # 400 accounts + 800 users + 8000 rewards + 400 redemptions
    doc = {"name": "big", "clock": "2026-03-01T00:00:00Z",
           "saasquatch": {"tenants": [{"tenant_alias": "t", "api_key": "k", "accounts": accounts}]}}
    started = time.process_time()  # CPU time: other processes on the machine do not count
    counts = build_world(str(tmp_path / "big.sqlite"), doc, API_PACKAGES)["counts"]["saasquatch"]
    elapsed = time.process_time() - started
    assert counts == {"accounts": 400, "redemptions": 400, "rewards": 8000, "tenants": 1, "users": 800}
    print(f"9,601 SaaSquatch entities loaded in {elapsed:.2f}s of CPU (the target is measured in bench/)")


@pytest.mark.parametrize("ms", [0, 1478574762838, 2183226373411, 10187456771383, 221845392000000])  # the last: 9000-01-01, the top of the range
def test_epoch_millisecond_dates_round_trip_exactly(squatch, ms):
    api = squatch(world([account("acct", [credit("c", 10, dateGiven=ms, dateExpires=ms)])]))
    reward = api.reward("c")
    assert (reward["dateGiven"], reward["dateExpires"]) == (ms, ms)
