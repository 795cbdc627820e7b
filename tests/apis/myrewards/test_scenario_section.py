"""The ``myrewards:`` scenario section: validation with precise paths, cross-reference
problems found while seeding, deterministic ids, bulk loading, credentials."""
from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from sandbox.apis import API_PACKAGES
from sandbox.apis.myrewards import scenario
from sandbox.core.scenario_files import ScenarioProblem, read_file
from sandbox.core.scenarios import build_world

from .helpers import PROGRAMME, small_world, state

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios" / "myrewards"


def load(tmp_path, world):
    return build_world(str(tmp_path / "world.sqlite"), world, API_PACKAGES)


def problems(tmp_path, world) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioProblem) as caught:
        load(tmp_path, world)
    return [(p["path"], p["message"]) for p in caught.value.problems]


def programme_world(**changes) -> dict:
    programme = {"id": 1, "name": "P", "users": [], **changes}
    return {"name": "t", "myrewards": {"programmes": [programme]}}


def test_an_empty_section_loads():
    assert scenario.SectionSchema().load({}) == {"programmes": []}


def test_defaults_of_a_bare_programme(tmp_path, make_app):
    client = make_app({"name": "bare", "myrewards": {"programmes": [{"name": "Bare", "api_keys": [{"key": "b"}]}]}}
                      ).test_client()
    programme = state(client)["programmes"][0]
    assert (programme["id"], programme["points_balance"], programme["identifier_field"]) == (1, 0, "username")
    assert programme["required_fields"] == '["firstname", "lastname", "tsandcs"]'
    assert client.get("/myrewards/api/v2/user_groups", headers={"Authorization": "Token token=b"}).get_json() == []


@pytest.mark.parametrize("change, path", [
    ({"identifier_field": "phone"}, "myrewards.programmes[0].identifier_field"),
    ({"points_balance": -1}, "myrewards.programmes[0].points_balance"),
    ({"points_balance": 1.5}, "myrewards.programmes[0].points_balance"),
    ({"required_fields": ["shoe_size"]}, "myrewards.programmes[0].required_fields[0]"),
    ({"api_keys": [{"key": "a b"}]}, "myrewards.programmes[0].api_keys[0].key"),
    ({"api_keys": [{"key": "k", "permissions": {"orders": ["read"]}}]}, "myrewards.programmes[0].api_keys[0].permissions"),
    ({"api_keys": [{"key": "k", "permissions": {"users": ["delete"]}}]}, "myrewards.programmes[0].api_keys[0].permissions"),
    ({"users": [{"username": "u", "transactions": [{"transaction_type": "Gift", "variety": "Adjustment", "points": 1,
                                                      "reason": "r"}]}]},
     "myrewards.programmes[0].users[0].transactions[0].transaction_type"),
    ({"users": [{"username": "u", "transactions": [{"transaction_type": "Credit", "variety": "Cashback", "points": 1,
                                                      "reason": "r"}]}]},
     "myrewards.programmes[0].users[0].transactions[0].variety"),
    ({"users": [{"username": "u", "transactions": [{"transaction_type": "Credit", "variety": "Adjustment",
                                                      "points": 0, "reason": "r"}]}]},
     "myrewards.programmes[0].users[0].transactions[0].points"),
    ({"users": [{"username": "u", "shoe_size": 9}]}, "myrewards.programmes[0].users[0].shoe_size"),
    ({"data_fields": [{"name": "x", "field_type": "colour"}]}, "myrewards.programmes[0].data_fields[0].field_type"),
    ({"promotions": [{"name": "p", "status": "live"}]}, "myrewards.programmes[0].promotions[0].status"),
    ({"promotions": [{"name": "p", "products": [{"sku": "s", "points": -1}]}]},
     "myrewards.programmes[0].promotions[0].products[0].points"),
    ({"registration_questions": [{"label": "q", "mandatory": "sometimes"}]},
     "myrewards.programmes[0].registration_questions[0].mandatory"),
])
def test_invalid_values_are_reported_with_their_path(tmp_path, change, path):
    found = problems(tmp_path, programme_world(**change))
    assert any(p.startswith(path) for p, _ in found), found


USER = {"username": "u", "firstname": "U", "lastname": "U"}


@pytest.mark.parametrize("change, path, message", [
    ({"users": [{**USER, "id": 4}, {**USER, "username": "v", "id": 4}]}, "myrewards.programmes[0].users[1].id",
     "duplicate id 4 (also at myrewards.programmes[0].users[0])"),
    ({"users": [USER, USER]}, "myrewards.programmes[0].users[1].username", "another user already has username 'u'"),
    ({"identifier_field": "email", "users": [{**USER, "email": "a@example.com"}, {**USER, "email": "b@example.com"}]},
     "myrewards.programmes[0].users[1].username", "another user already has username 'u'"),
    ({"users": [{**USER, "email": "a@example.com"}, {**USER, "username": "v", "email": "A@example.com"}]},
     "myrewards.programmes[0].users[1].email", "another user already has email 'A@example.com'"),
    ({"users": [{**USER, "transactions": [{"transaction_type": "credit", "variety": "Adjustment", "points": 5,
                                           "reason": "r"}]}]},
     "myrewards.programmes[0].users[0].transactions[0].transaction_type", "expected Credit or Debit"),
    ({"users": [{"firstname": "Nobody"}]}, "myrewards.programmes[0].users[0].username",
     "the programme identifies users by username; give one"),
    ({"users": [{**USER, "user_group_id": 9}]}, "myrewards.programmes[0].users[0].user_group_id",
     "no user group 9 in this programme"),
    ({"users": [{**USER, "registration_answers_attributes": [{"registration_question_id": 3, "answer": "a"}]}]},
     "myrewards.programmes[0].users[0].registration_answers_attributes[0].registration_question_id",
     "no registration question 3 in this programme"),
    ({"users": [{**USER, "transactions": [
        {"transaction_type": "Credit", "variety": "Adjustment", "points": 5, "reason": "r", "created_at": "2026-01-01T00:00:00Z"},
        {"transaction_type": "Debit", "variety": "Redemption", "points": 6, "reason": "r", "created_at": "2026-01-02T00:00:00Z"}]}]},
     "myrewards.programmes[0].users[0].transactions[1].points", "this debit takes the balance below zero"),
    ({"users": [{**USER, "transactions": [{"transaction_type": "Credit", "variety": "Redemption", "points": 5,
                                           "reason": "r"}]}]},
     "myrewards.programmes[0].users[0].transactions[0].transaction_type", "variety Redemption permits only Debit"),
    ({"users": [{**USER, "transactions": [{"transaction_type": "Credit", "variety": "Adjustment", "points": 5,
                                           "reason": "r", "created_at": "2099-01-01T00:00:00Z"}]}]},
     "myrewards.programmes[0].users[0].transactions[0].created_at", "is later than the world's clock"),
    ({"user_groups": [{"id": 1, "name": "a", "parent_id": 2}]}, "myrewards.programmes[0].user_groups[0].parent_id",
     "no user group 2 in this programme"),
    ({"user_groups": [{"id": 1, "name": "a", "parent_id": 2}, {"id": 2, "name": "b", "parent_id": 1}]},
     "myrewards.programmes[0].user_groups[0].parent_id", "the parent chain loops back to this group"),
    ({"user_groups": [{"id": 1, "name": "a", "default": True}, {"id": 2, "name": "b", "default": "true"}]},
     "myrewards.programmes[0].user_groups", "more than one default user group: [1, 2]"),
    ({"promotions": [{"name": "p", "products": [{"sku": "A", "points": 1}, {"sku": "a", "points": 2}]}]},
     "myrewards.programmes[0].promotions[0].products[1].sku", "duplicate sku in this promotion"),
    ({"api_keys": [{"key": "k"}, {"key": "k"}]}, "myrewards.programmes[0].api_keys[1].key",
     "duplicate api key (also at myrewards.programmes[0].api_keys[0])"),
    ({"data_fields": [{"id": 3, "name": "a"}], "promotions": [{"name": "p", "data_fields": [{"id": 3, "name": "b"}]}]},
     "myrewards.programmes[0].promotions[0].data_fields[0].id", "duplicate id 3 (also at myrewards.programmes[0].data_fields[0])"),
])
def test_cross_reference_problems_name_the_place(tmp_path, change, path, message):
    world = programme_world(**change)
    world["clock"] = "2026-02-01T00:00:00Z"
    assert problems(tmp_path, world) == [(path, message)]


def test_a_failed_load_leaves_the_previous_world(make_app):
    client = make_app(small_world()).test_client()
    before = state(client)
    broken = small_world()
    broken["myrewards"]["programmes"][0]["users"].append({"username": "alice"})
    response = client.post("/_sandbox/scenario", json=broken)
    assert response.status_code == 400
    assert state(client) == before


def test_generated_ids_follow_the_given_ones_and_repeat_on_reload(make_app):
    world = small_world()
    world["myrewards"]["programmes"][0]["users"].append({"username": "new", "firstname": "N", "lastname": "N"})
    first = state(make_app(world).test_client())
    again = state(make_app(copy.deepcopy(world)).test_client())
    assert first == again
    assert [u["id"] for u in first["users"]] == [10, 11, 20, 21]   # the new user follows the highest given id
    assert [t["id"] for t in first["transactions"]] == [1, 2]


def test_history_does_not_draw_on_the_pool(make_app):
    client = make_app(small_world()).test_client()
    assert [(p["id"], p["points_balance"], p["points_balance_at_load"]) for p in state(client)["programmes"]] == [
        (1, 1000, 1000), (2, 50, 50)]


def test_ten_thousand_entities_load(tmp_path):
    users = [{"username": f"user{i}", "firstname": "F", "lastname": "L",
              "transactions": [{"transaction_type": "Credit", "variety": "Adjustment", "points": 10, "reason": "r"}]}
             for i in range(5_000)]
    world = {"name": "big", "myrewards": {"programmes": [{**copy.deepcopy(PROGRAMME), "users": users}]}}
    started = time.perf_counter()
    summary = load(tmp_path, world)
    print(f"10,000 MyRewards entities loaded in {time.perf_counter() - started:.2f}s (the target is measured in bench/)")
    assert summary["counts"]["myrewards"]["users"] == 5_000
    assert summary["counts"]["myrewards"]["transactions"] == 5_000


def test_credentials_show_the_header_for_each_key(make_app):
    client = make_app("default").test_client()
    from sandbox.core.db import connect

    db = connect(client.application.extensions["sandbox"].settings.db_path)
    try:
        assert scenario.credentials(db) == [
            {"programme": "1 Heroes Programme", "api_key": "xxx", "Authorization": "Token token=xxx"},
            {"programme": "1 Heroes Programme", "api_key": "APIKEY", "Authorization": "Token token=APIKEY:SECRETKEY"}]
    finally:
        db.close()


def test_there_are_scenario_files_to_load():
    assert len(list(SCENARIOS.glob("*.yaml"))) >= 10      # none would leave the next test with no cases


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_scenario_file_loads(tmp_path, path):
    doc, provenance = read_file(path)
    assert doc["name"].startswith("myrewards-") and doc.get("description") and doc.get("source")
    build_world(str(tmp_path / "world.sqlite"), (doc, provenance, str(path)), API_PACKAGES)


def test_user_groups_pasted_from_a_vendor_response_load(make_app):
    pasted = [{"id": "1", "name": "dc commics", "parent_id": None, "default": "false", "position": "1"},
              {"id": "2", "name": "justice league", "parent_id": "1", "default": "true", "position": "1"}]
    world = {"name": "pasted", "myrewards": {"programmes": [{"name": "P", "api_keys": [{"key": "p"}],
                                                             "user_groups": pasted}]}}
    client = make_app(world).test_client()
    assert client.get("/myrewards/api/v2/user_groups", headers={"Authorization": "Token token=p"}).get_json() == pasted
