"""Rewards (MX "Rewards endpoints") and the accounts and transactions a fetch gathers."""
from __future__ import annotations

import pytest

from tests.apis.atrium.world import BASIC_MEMBER, BASIC_USER, BETA, CU_MEMBER, MEMBER, USER, V1, WORLD, member_path

REWARD_FIELDS = {"account_guid", "balance", "balance_type", "created_at", "description", "expires_on",
                 "guid", "member_guid", "unit_type", "updated_at", "user_guid"}
BALANCE_TYPES = {"BALANCE", "BALANCE_TO_LEVEL", "BALANCE_TO_REWARD", "EXPIRING_BALANCE", "TOTAL_BALANCE"}
UNIT_TYPES = {"MILES", "POINTS", "SEGMENTS", "DOLLARS"}


def fetch(atrium, member=MEMBER, user=USER, wait="3s"):
    response = atrium.post(member_path(member, user, "/fetch_rewards"))
    assert response.status_code == 200, response.get_data(as_text=True)
    atrium.advance(wait)


def rewards(atrium, member=MEMBER, user=USER) -> list[dict]:
    response = atrium.get(member_path(member, user, "/rewards"))
    assert response.status_code == 200
    return response.get_json()["rewards"]


def test_no_rewards_before_a_fetch_has_completed(atrium):
    assert atrium.get(member_path(suffix="/rewards")).get_json() == {"rewards": []}
    assert atrium.get(member_path(suffix="/rewards/RWD-miles")).status_code == 404
    atrium.post(member_path(suffix="/fetch_rewards"))
    atrium.advance("2s")
    assert rewards(atrium) == []


def test_rewards_appear_with_exactly_the_documented_fields(atrium):
    fetch(atrium)
    found = rewards(atrium)
    assert [r["guid"] for r in found] == ["RWD-miles", "RWD-points"]
    assert all(set(r) == REWARD_FIELDS for r in found)
    assert found[0] == {
        "account_guid": "ACT-card", "balance": 1200.5, "balance_type": "TOTAL_BALANCE",
        "created_at": "2026-01-15T09:00:03+00:00", "description": "SkyMiles", "expires_on": "2026-12-31",
        "guid": "RWD-miles", "member_guid": MEMBER, "unit_type": "MILES",
        "updated_at": "2026-01-15T09:00:03+00:00", "user_guid": USER}
    assert found[1]["account_guid"] is None and found[1]["expires_on"] is None
    assert found[1]["balance"] == 300 and isinstance(found[1]["balance"], int)


def test_read_a_reward(atrium):
    fetch(atrium)
    response = atrium.get(member_path(suffix="/rewards/RWD-points"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.mx.atrium.beta+json; charset=utf-8"
    assert response.get_json() == {"reward": rewards(atrium)[1]}


@pytest.mark.parametrize("path", ["/rewards/RWD-nope", "/rewards/rwd-miles"])
def test_an_unknown_reward_is_404(atrium, path):
    fetch(atrium)
    response = atrium.get(member_path(suffix=path))
    assert response.status_code == 404
    assert response.get_json() == {"error": {"message": "Invalid item/id/URL requested."}}


def test_another_members_reward_is_404(atrium):
    fetch(atrium)
    assert atrium.get(member_path(CU_MEMBER, suffix="/rewards/RWD-miles")).status_code == 404


def test_a_later_fetch_moves_updated_at_only(atrium):
    fetch(atrium)
    atrium.advance("1h")
    fetch(atrium)
    miles = rewards(atrium)[0]
    assert miles["created_at"] == "2026-01-15T09:00:03+00:00"
    assert miles["updated_at"] == "2026-01-15T10:00:06+00:00"


@pytest.mark.parametrize("suffix,method", [("/fetch_rewards", "POST"), ("/rewards", "GET"),
                                           ("/rewards/RWD-miles", "GET")])
def test_rewards_endpoints_need_the_beta_accept_header(atrium, suffix, method):
    refused = atrium.call(method, member_path(suffix=suffix), accept=V1)
    assert refused.status_code == 406
    assert BETA in refused.get_json()["error"]["message"]
    assert atrium.state()["jobs"] == []


def test_new_members_hold_mx_banks_catalogue_and_a_fetch_gathers_everything(atrium):
    user = atrium.create_user()
    member = atrium.create_member(user, skip_aggregation=True).get_json()["member"]
    assert (member["connection_status"], member["is_being_aggregated"]) == ("CREATED", False)
    path = member_path(member["guid"], user)
    assert atrium.get(path + "/accounts").get_json()["accounts"] == []
    assert atrium.get(path + "/transactions").get_json()["transactions"] == []
    fetch(atrium, member["guid"], user)
    accounts = atrium.get(path + "/accounts").get_json()
    transactions = atrium.get(path + "/transactions").get_json()
    found = rewards(atrium, member["guid"], user)
    assert accounts["pagination"]["total_entries"] == 2
    assert transactions["pagination"]["total_entries"] == 3
    assert {r["unit_type"] for r in found} == {"MILES", "POINTS"}
    assert all(r["balance_type"] in BALANCE_TYPES and r["unit_type"] in UNIT_TYPES for r in found)
    card = next(a for a in accounts["accounts"] if a["type"] == "CREDIT_CARD")
    assert {r["account_guid"] for r in found} == {card["guid"], None}
    assert all(t["account_guid"] in {a["guid"] for a in accounts["accounts"]}
               for t in transactions["transactions"])


def test_a_standard_aggregation_gathers_accounts_but_not_rewards(atrium):
    user = atrium.create_user()
    member = atrium.create_member(user).get_json()["member"]["guid"]
    atrium.advance("3s")
    path = member_path(member, user)
    assert len(atrium.get(path + "/accounts").get_json()["accounts"]) == 2
    assert rewards(atrium, member, user) == []


def test_beta_accounts_carry_the_reward_fields(atrium):
    v1 = atrium.get(member_path(suffix="/accounts"), accept=V1).get_json()["accounts"][0]
    beta = atrium.get(member_path(suffix="/accounts"), accept=BETA).get_json()["accounts"][0]
    assert "primary_reward_unit" not in v1
    assert beta["primary_reward_unit"] == "MILES" and beta["current_reward_level"] is None
    assert {k: v for k, v in beta.items() if k in v1} == v1
    assert v1["guid"] == "ACT-card" and v1["member_guid"] == MEMBER and v1["institution_code"] == "mxbank"


def test_transactions_filter_by_date(atrium):
    path = member_path(suffix="/transactions")
    everything = atrium.get(path).get_json()
    assert [t["guid"] for t in everything["transactions"]] == ["TRN-flight", "TRN-food"]
    assert everything["transactions"][0]["date"] == "2026-01-09"
    later = atrium.get(path + "?from_date=2026-01-10").get_json()["transactions"]
    earlier = atrium.get(path + "?to_date=2026-01-09").get_json()["transactions"]
    assert [t["guid"] for t in later] == ["TRN-food"]
    assert [t["guid"] for t in earlier] == ["TRN-flight"]
    assert atrium.get(path + "?from_date=yesterday").status_code == 400


def test_a_client_without_the_rewards_feature_gets_403_on_all_three_rewards_endpoints(atrium_world):
    """MX "Rewards - Atrium API": "If the feature is not enabled, a 403 Forbidden error will be returned" -
    even where rewards were gathered (the world says a fetch completed)."""
    users = [dict(u) for u in WORLD["atrium"]["users"]]
    users[1] = {**users[1], "members": [{**users[1]["members"][0], "rewards": [
        {"guid": "RWD-bob", "balance": 1, "balance_type": "BALANCE", "unit_type": "POINTS"}],
        "jobs": [{"type": "fetch_rewards", "started_at": "2026-01-15T08:00:00Z"}]}]}
    basic = atrium_world(users=users).as_client("basic", "basic-key")
    message = {"error": {"message": "The rewards feature is not enabled for this client."}}
    for method, suffix in (("GET", "/rewards"), ("GET", "/rewards/RWD-bob"), ("POST", "/fetch_rewards")):
        response = basic.call(method, member_path(BASIC_MEMBER, BASIC_USER, suffix))
        assert (response.status_code, response.get_json()) == (403, message), suffix
    # ids are checked first: an unknown member, or another client's, is 404
    assert basic.get(member_path("MBR-nobody", BASIC_USER, "/rewards")).status_code == 404
    assert basic.get(member_path(MEMBER, USER, "/rewards")).status_code == 404
    # and the Accept header before both
    assert basic.get(member_path(BASIC_MEMBER, BASIC_USER, "/rewards"), accept=V1).status_code == 406
