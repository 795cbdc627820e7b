"""The `atrium:` scenario section, the built-in default world, the replay credentials,
and the scenario files under scenarios/atrium/."""
from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from sandbox.apis import API_PACKAGES
from sandbox.apis.atrium import auth, scenario
from sandbox.core.db import connect
from sandbox.core.scenario_files import read_file
from sandbox.core.scenarios import build_world
from sandbox.replay.runner import run_file
from sandbox.replay.transport import InProcess
from tests.apis.atrium.world import BETA, V1, WORLD, member_path, world

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = sorted((ROOT / "scenarios" / "atrium").glob("*.yaml"))
DEFAULT_HEADERS = {"MX-Client-ID": "atrium-client", "MX-API-Key": "atrium-api-key", "Accept": BETA}
DEFAULT_MEMBER = ("/atrium/users/USR-fa7537f3-48aa-a683-a02a-b18940482f54"
                  "/members/MBR-7c6f361b-e582-15b6-60c0-358f12466b4b")


def test_an_empty_section_loads():
    assert scenario.SectionSchema().load({}) == {"clients": [], "institutions": [], "credit_card_products": [],
                                                 "users": []}


def broken(mutate) -> dict:
    doc = copy.deepcopy(WORLD)
    mutate(doc["atrium"])
    return doc


# A refusal worded by marshmallow (a validator's or a field type's default message) is checked
# only for its path and a non-empty message: the wording is the library's, not the sandbox's.
MARSHMALLOW = None
ALICE = lambda a: a["users"][0]                                  # noqa: E731
CARD = lambda a: a["users"][0]["members"][0]                     # noqa: E731
PROBLEMS = [
    (lambda a: ALICE(a).update(client_id="nobody"), "atrium.users[0].client_id", "unknown client"),
    (lambda a: a["clients"].append({"client_id": "partner", "api_key": "k"}), "atrium.clients[2].client_id",
     "duplicate"),
    (lambda a: a["clients"][0].update(features=["rewardz"]), "atrium.clients[0].features[0]", MARSHMALLOW),
    (lambda a: ALICE(a).update(colour="red"), "atrium.users[0].colour", "unknown field"),
    (lambda a: a["users"][1].update(guid="USR-alice"), "atrium.users[1].guid", "duplicate"),
    (lambda a: ALICE(a).update(guid="alice"), "atrium.users[0].guid", "USR-"),
    (lambda a: ALICE(a)["members"].append({"institution_code": "mxbank", "guid": "MBR-alice-cu"}),
     "atrium.users[0].members[2].guid", "duplicate"),
    (lambda a: ALICE(a)["members"][1].update(rewards=[{"guid": "RWD-miles", "balance": 1, "balance_type": "BALANCE",
                                                       "unit_type": "POINTS"}]),
     "atrium.users[0].members[1].rewards[0].guid", "duplicate guid"),
    (lambda a: CARD(a).update(institution_code="nobank"), "atrium.users[0].members[0].institution_code",
     "unknown institution"),
    (lambda a: CARD(a)["rewards"][0].update(balance_type="LOTS"),
     "atrium.users[0].members[0].rewards[0].balance_type", MARSHMALLOW),
    (lambda a: CARD(a)["rewards"][0].update(unit_type="CASH"),
     "atrium.users[0].members[0].rewards[0].unit_type", MARSHMALLOW),
    (lambda a: CARD(a)["rewards"][0].update(balance="many"), "atrium.users[0].members[0].rewards[0].balance",
     MARSHMALLOW),
    (lambda a: CARD(a)["rewards"][0].update(account_guid="ACT-nope"),
     "atrium.users[0].members[0].rewards[0].account_guid", "unknown account"),
    (lambda a: CARD(a)["transactions"][0].update(account_guid="ACT-nope"),
     "atrium.users[0].members[0].transactions[0].account_guid", "unknown account"),
    (lambda a: CARD(a)["accounts"][0].update(colour="red"), "atrium.users[0].members[0].accounts[0].colour",
     "unknown field"),
    (lambda a: CARD(a)["accounts"][0].update(balance="lots"), "atrium.users[0].members[0].accounts[0].balance",
     MARSHMALLOW),
    (lambda a: CARD(a)["transactions"][1].update(date="yesterday"),
     "atrium.users[0].members[0].transactions[1].date", MARSHMALLOW),
    (lambda a: CARD(a)["accounts"].append("checking"), "atrium.users[0].members[0].accounts[1]", "mapping"),
    (lambda a: CARD(a).update(connection_status="HAPPY"), "atrium.users[0].members[0].connection_status",
     MARSHMALLOW),
    (lambda a: CARD(a).update(jobs=[{"type": "fetch_rewards", "started_at": "2026-01-15T10:00:00Z"}]),
     "atrium.users[0].members[0].jobs[0].started_at", "after the scenario's clock"),
    (lambda a: CARD(a).update(jobs=[{"type": "fetch_rewards", "started_at": "2026-01-15T08:00:00Z"},
                                    {"type": "aggregate", "started_at": "2026-01-15T08:00:01Z"}]),
     "atrium.users[0].members[0].jobs[1].started_at", "in series"),
    (lambda a: CARD(a).update(jobs=[{"type": "fetch_rewards", "started_at": "2026-01-15T08:00:00Z",
                                     "finished_at": "2026-01-15T07:00:00Z"}]),
     "atrium.users[0].members[0].jobs[0].finished_at", "before started_at"),
    (lambda a: CARD(a).update(jobs=[{"type": "balance", "started_at": "2026-01-15T08:00:00Z"}]),
     "atrium.users[0].members[0].jobs[0].type", MARSHMALLOW),
    (lambda a: a.setdefault("institutions", []).append({"code": "slow", "job_seconds": -1}), "atrium.institutions[0].job_seconds",
     MARSHMALLOW),
    (lambda a: ALICE(a).update(members=[{"institution_code": "mxbank"}] * 26), "atrium.users[0].members",
     MARSHMALLOW),
]


@pytest.mark.parametrize("mutate,path,message", PROBLEMS,
                         ids=[p[1] + " " + (p[2] or "refused") for p in PROBLEMS])
def test_scenario_problems_name_the_path_and_change_nothing(atrium, mutate, path, message):
    before = atrium.state()
    response = atrium.http.post("/_sandbox/scenario", json=broken(mutate))
    assert response.status_code == 400
    problems = response.get_json()["problems"]
    assert any(p["path"] == path and p["message"].strip() and (message is MARSHMALLOW or message in p["message"])
               for p in problems), problems
    assert atrium.state() == before


def test_the_default_world_serves_the_documented_examples(make_app):
    http = make_app("default").test_client()
    users = http.get("/atrium/users", headers=DEFAULT_HEADERS).get_json()["users"]
    assert [u["guid"] for u in users] == ["USR-fa7537f3-48aa-a683-a02a-b18940482f54"]
    member = http.get(DEFAULT_MEMBER + "/status", headers=DEFAULT_HEADERS).get_json()["member"]
    assert (member["connection_status"], member["is_being_aggregated"]) == ("CONNECTED", False)
    assert http.get(DEFAULT_MEMBER + "/rewards", headers=DEFAULT_HEADERS).get_json() == {"rewards": []}
    assert http.post(DEFAULT_MEMBER + "/fetch_rewards", headers=DEFAULT_HEADERS).status_code == 200
    assert http.post("/_sandbox/clock/advance", json={"by": "3s"}).status_code == 200
    rewards = http.get(DEFAULT_MEMBER + "/rewards", headers=DEFAULT_HEADERS).get_json()["rewards"]
    assert {(r["unit_type"], r["balance_type"]) for r in rewards} == {
        ("MILES", "TOTAL_BALANCE"), ("MILES", "BALANCE_TO_LEVEL"), ("POINTS", "EXPIRING_BALANCE")}
    accounts = http.get(DEFAULT_MEMBER + "/accounts", headers=DEFAULT_HEADERS).get_json()["accounts"]
    assert accounts[0]["guid"] == "ACT-06d7f44b-caae-0f6e-1384-01f52e75dcb1"


def test_credentials_are_what_serve_prints(atrium_app, atrium):
    from sandbox.core.context import state_db
    with atrium_app.test_request_context("/atrium/users"):
        assert scenario.credentials(state_db()) == [
            {"MX-Client-ID": "partner", "MX-API-Key": "partner-key"},
            {"MX-Client-ID": "basic", "MX-API-Key": "basic-key"}]


def test_replay_headers_authenticate_as_the_named_client():
    section = WORLD["atrium"]
    plain = auth.replay_headers(section, {"client": "basic"}, "GET", "/atrium/users?page=2", b"")
    assert plain == {"MX-Client-ID": "basic", "MX-API-Key": "basic-key", "Accept": V1}
    rewards = auth.replay_headers(section, {"client": "partner"}, "POST", member_path(suffix="/fetch_rewards"), b"")
    assert rewards["Accept"] == BETA
    with pytest.raises(KeyError, match="nobody"):
        auth.replay_headers(section, {"client": "nobody"}, "GET", "/atrium/users", b"")
    with pytest.raises(KeyError):
        auth.replay_headers(section, {"key": "partner"}, "GET", "/atrium/users", b"")


def test_a_ten_thousand_entity_world_loads(tmp_path):
    users = [{"guid": f"USR-u{n}", "client_id": "partner", "members": [{
        "guid": f"MBR-m{n}", "institution_code": "mxbank",
        "accounts": [{"guid": f"ACT-a{n}", "name": "Card", "type": "CREDIT_CARD", "balance": 1.5}],
        "transactions": [{"account_guid": f"ACT-a{n}", "amount": 2.0, "date": "2026-01-01"}] * 3,
        "rewards": [{"account_guid": f"ACT-a{n}", "balance": 100, "balance_type": "TOTAL_BALANCE",
                     "unit_type": "MILES"}] * 3,
        "jobs": [{"type": "fetch_rewards", "started_at": "2026-01-15T08:00:00Z"}]}]} for n in range(1000)]
    path = str(tmp_path / "big.sqlite")
    started = time.process_time()      # CPU time: other processes on a busy machine do not count
    counts = build_world(path, world(users=users), API_PACKAGES)["counts"]["atrium"]
    elapsed = time.process_time() - started
    db = connect(path)
    assert sum(counts[t] for t in ("users", "members", "accounts", "transactions", "rewards", "jobs")) == 10_000
    print(f"10,000 Atrium entities loaded in {elapsed:.2f}s of CPU (the target is measured in bench/)")
    guids = [r[0] for r in db.execute("SELECT guid FROM atrium_rewards WHERE member_guid = 'MBR-m999'")]
    assert len(set(guids)) == 3
    db.close()


def test_generated_ids_are_the_same_on_every_load(atrium_world):
    first = atrium_world()
    guids = [first.create_user(f"u{n}") for n in range(3)]
    second = atrium_world()
    assert [second.create_user(f"u{n}") for n in range(3)] == guids


def test_there_is_a_scenario_file_per_documented_behaviour():
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_each_scenario_file_says_what_it_shows_and_replays(path):
    doc, _ = read_file(path)
    assert doc["name"].startswith("atrium-")
    assert doc.get("description") and doc.get("source") and doc.get("steps")
    result = run_file(path, InProcess)
    assert result.error is None, result.error
    assert [f"{s.name}: {s.problems}" for s in result.steps if not s.passed] == []
