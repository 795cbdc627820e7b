"""What the premium jobs gather: account numbers after verify, account owners after
identify, statements after fetch_statements, each 404 until its job has completed."""
from __future__ import annotations

import copy

import pytest

from sandbox.apis.atrium.schemas import ACCOUNT_NUMBER_FIELDS, ACCOUNT_OWNER_FIELDS, STATEMENT_FIELDS
from sandbox.apis.atrium.service.premium import ROUTING_NUMBER
from tests.apis.atrium.world import CU_MEMBER, USER, WORLD, member_path

ACCOUNTS = [{"guid": "ACT-cu-checking", "name": "Checking", "type": "CHECKING", "balance": 10.0,
             "account_number": "6789"},
            {"guid": "ACT-cu-savings", "name": "Savings", "type": "SAVINGS", "balance": 5.0},
            {"guid": "ACT-cu-card", "name": "Card", "type": "CREDIT_CARD", "balance": 1.0}]
JOBS = [("verify", "/account_numbers"), ("identify", "/account_owners"), ("fetch_statements", "/statements")]


def cu_world(atrium_world, **member_changes):
    """Alice's credit union member (every premium job but rewards) with three accounts."""
    users = copy.deepcopy(WORLD["atrium"]["users"])
    users[0]["members"][1].update(accounts=ACCOUNTS, **member_changes)
    return atrium_world(users=users)


def cu(suffix=""):
    return member_path(CU_MEMBER, suffix=suffix)


@pytest.mark.parametrize("job, path", JOBS)
def test_each_result_is_404_until_its_job_has_completed(atrium_world, job, path):
    atrium = cu_world(atrium_world)
    assert atrium.get(cu(path)).status_code == 404
    assert atrium.post(cu("/" + job)).status_code == 200
    atrium.advance("2s")
    running = atrium.get(cu(path))
    assert running.status_code == 404
    assert running.get_json() == {"error": {"message": "Invalid item/id/URL requested."}}
    atrium.advance("1s")
    assert atrium.get(cu(path)).status_code == 200
    others = [p for j, p in JOBS if j != job]
    assert [atrium.get(cu(p)).status_code for p in others] == [404, 404]   # only its own job counts


def test_account_numbers_of_the_deposit_accounts(atrium_world):
    atrium = cu_world(atrium_world)
    atrium.post(cu("/verify"))
    atrium.advance("3s")
    numbers = atrium.get(cu("/account_numbers")).get_json()
    assert list(numbers) == ["account_numbers"]              # no pagination (MX's body)
    found = numbers["account_numbers"]
    assert [n["account_guid"] for n in found] == ["ACT-cu-checking", "ACT-cu-savings"]
    assert all(tuple(n) == ACCOUNT_NUMBER_FIELDS for n in found)
    assert found[0]["account_number"].endswith("6789") and len(found[0]["account_number"]) == 10
    assert {n["routing_number"] for n in found} == {ROUTING_NUMBER}
    assert (found[0]["member_guid"], found[0]["user_guid"]) == (CU_MEMBER, USER)
    by_account = atrium.get(f"/atrium/users/{USER}/accounts/ACT-cu-checking/account_numbers").get_json()
    assert by_account == {"account_numbers": [found[0]]}
    card = atrium.get(f"/atrium/users/{USER}/accounts/ACT-cu-card/account_numbers")
    assert card.get_json() == {"account_numbers": []}
    assert atrium.get(f"/atrium/users/{USER}/accounts/ACT-nothing/account_numbers").status_code == 404


def test_account_numbers_by_account_need_that_members_verify(atrium_world):
    atrium = cu_world(atrium_world)
    assert atrium.get(f"/atrium/users/{USER}/accounts/ACT-cu-checking/account_numbers").status_code == 404
    atrium.post(cu("/identify"))
    atrium.advance("3s")
    assert atrium.get(f"/atrium/users/{USER}/accounts/ACT-cu-checking/account_numbers").status_code == 404


def test_account_owners_after_identify(atrium_world):
    atrium = cu_world(atrium_world)
    atrium.post(cu("/identify"))
    atrium.advance("3s")
    owners = atrium.get(cu("/account_owners")).get_json()["account_owners"]
    assert [o["account_guid"] for o in owners] == ["ACT-cu-checking", "ACT-cu-savings", "ACT-cu-card"]
    assert all(tuple(o) == ACCOUNT_OWNER_FIELDS and o["guid"].startswith("ACO-") for o in owners)
    assert len({o["guid"] for o in owners}) == 3


def test_statements_after_fetch_statements_paginated_and_read_one(atrium_world):
    atrium = cu_world(atrium_world)
    atrium.post(cu("/fetch_statements"))
    atrium.advance("3s")
    body = atrium.get(cu("/statements?records_per_page=2")).get_json()
    assert body["pagination"] == {"current_page": 1, "per_page": 2, "total_entries": 3, "total_pages": 2}
    first = body["statements"][0]
    assert tuple(first) == STATEMENT_FIELDS
    assert first["created_at"] == first["updated_at"] == "2026-01-15T09:00:03+00:00"
    assert first["uri"] == f"/users/{USER}/members/{CU_MEMBER}/statements/{first['guid']}.pdf"
    assert len(first["content_hash"]) == 64
    read = atrium.get(cu(f"/statements/{first['guid']}"))
    assert read.get_json() == {"statement": first}
    assert atrium.get(cu("/statements/STA-nothing")).status_code == 404
    atrium.advance("4h")
    atrium.post(cu("/fetch_statements"))
    atrium.advance("3s")
    again = atrium.get(cu(f"/statements/{first['guid']}")).get_json()["statement"]
    assert (again["created_at"], again["updated_at"]) == ("2026-01-15T09:00:03+00:00", "2026-01-15T13:00:06+00:00")


def test_a_job_that_did_not_connect_gathers_nothing(atrium_world):
    atrium = cu_world(atrium_world, credentials={"username": "test_atrium", "password": "UNAUTHORIZED"})
    atrium.post(cu("/verify"))
    atrium.advance("3s")
    assert atrium.status(CU_MEMBER)["connection_status"] == "DENIED"
    assert atrium.get(cu("/account_numbers")).status_code == 404


def test_a_scenario_gives_the_results_and_the_job_history(atrium_world):
    atrium = cu_world(
        atrium_world,
        account_numbers=[{"account_guid": "ACT-cu-checking", "account_number": "0001112223",
                          "routing_number": "091000019", "transit_number": "12345"}],
        account_owners=[{"guid": "ACO-ada", "account_guid": "ACT-cu-savings", "owner_name": "Ada Lovelace"}],
        statements=[{"guid": "STA-jan", "account_guid": "ACT-cu-card", "created_at": "2026-01-01T00:00:00Z"}],
        jobs=[{"type": "verify", "started_at": "2026-01-14T09:00:00Z"},
              {"type": "identify", "started_at": "2026-01-14T10:00:00Z"}])
    numbers = atrium.get(cu("/account_numbers")).get_json()["account_numbers"]
    assert numbers == [{"account_guid": "ACT-cu-checking", "account_number": "0001112223", "institution_number": None,
                        "member_guid": CU_MEMBER, "routing_number": "091000019", "transit_number": "12345",
                        "user_guid": USER}]
    owners = atrium.get(cu("/account_owners")).get_json()["account_owners"]
    assert [(o["guid"], o["owner_name"], o["email"]) for o in owners] == [("ACO-ada", "Ada Lovelace", None)]
    assert atrium.get(cu("/statements/STA-jan")).status_code == 404          # not fetched yet
    atrium.post(cu("/fetch_statements"))
    atrium.advance("3s")
    statement = atrium.get(cu("/statements/STA-jan")).get_json()["statement"]
    assert (statement["created_at"], statement["updated_at"]) == \
        ("2026-01-01T00:00:00+00:00", "2026-01-15T09:00:03+00:00")


def test_another_clients_member_is_not_found(atrium_world):
    atrium = cu_world(atrium_world, jobs=[{"type": "verify", "started_at": "2026-01-14T09:00:00Z"}])
    assert atrium.get(cu("/account_numbers")).status_code == 200
    other = atrium.as_client("basic", "basic-key")
    assert other.get(cu("/account_numbers")).status_code == 404
    assert other.get(f"/atrium/users/{USER}/accounts/ACT-cu-checking/account_numbers").status_code == 404


@pytest.mark.parametrize("member_changes, where", [
    ({"account_numbers": [{"account_guid": "ACT-elsewhere"}]}, "account_numbers[0].account_guid"),
    ({"account_owners": [{"owner_name": "No account"}]}, "account_owners"),
    ({"statements": [{"guid": "STA-a", "account_guid": "ACT-cu-card"},
                     {"guid": "STA-a", "account_guid": "ACT-cu-card"}]}, "statements[1].guid"),
    ({"statements": [{"guid": "STATEMENT", "account_guid": "ACT-cu-card"}]}, "statements"),
])
def test_bad_results_in_a_scenario_are_refused(atrium_app, member_changes, where):
    doc = copy.deepcopy(WORLD)
    doc["atrium"]["users"][0]["members"][1].update(accounts=ACCOUNTS, **member_changes)
    response = atrium_app.test_client().post("/_sandbox/scenario", json=doc)
    assert response.status_code == 400
    assert where in response.get_data(as_text=True)


def test_a_member_created_through_the_api_has_results_for_its_accounts(atrium):
    user = atrium.create_user("verifier")
    fields = {c["field_name"]: c["guid"] for c in
              atrium.get("/atrium/institutions/sandbox_cu/credentials").get_json()["credentials"]}
    created = atrium.post(f"/atrium/users/{user}/members", json={"member": {
        "institution_code": "sandbox_cu", "credentials": [{"guid": fields["LOGIN"], "value": "test_atrium"},
                                                          {"guid": fields["PASSWORD"], "value": "password"}]}})
    member = created.get_json()["member"]["guid"]
    atrium.advance("3s")
    path = f"/atrium/users/{user}/members/{member}"
    assert atrium.post(path + "/verify").status_code == 200
    atrium.advance("3s")
    numbers = atrium.get(path + "/account_numbers").get_json()["account_numbers"]
    assert len(numbers) == 1 and numbers[0]["account_number"].endswith("1111")
