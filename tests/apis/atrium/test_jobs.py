"""Aggregation-type jobs: the rules of MX "Rewards - Atrium API" and the order
of checks the Atrium README's "Rules" record."""
from __future__ import annotations

import pytest

from tests.apis.atrium.world import (BASIC_MEMBER, BASIC_USER, CU_MEMBER, MEMBER, USER, V1, credentials,
                                     member_path, world)

PREMIUM = ["fetch_rewards", "identify", "verify", "fetch_statements", "extend_history"]
# A member whose institution supports each premium job (MX Bank: rewards and verification
# only, as recorded; Sandbox Credit Union: all but rewards).
SUPPORTING_MEMBER = {"fetch_rewards": MEMBER, "verify": MEMBER, "identify": CU_MEMBER,
                     "fetch_statements": CU_MEMBER, "extend_history": CU_MEMBER}


def start(atrium, kind, member=MEMBER, user=USER):
    return atrium.post(member_path(member, user, f"/{kind}"))


def job_count(atrium) -> int:
    return len(atrium.state()["jobs"])


def test_fetch_rewards_runs_for_the_institutions_job_seconds(atrium):
    response = start(atrium, "fetch_rewards")
    assert response.status_code == 200
    member = response.get_json()["member"]
    assert member["is_being_aggregated"] is True
    assert member["aggregated_at"] == "2026-01-15T09:00:00+00:00"
    atrium.advance("2s")
    assert atrium.status()["is_being_aggregated"] is True
    atrium.advance("1s")
    status = atrium.status()
    assert status["is_being_aggregated"] is False
    assert (status["connection_status"], status["status"]) == ("CONNECTED", "COMPLETED")
    assert status["successfully_aggregated_at"] == "2026-01-15T09:00:03+00:00"


def test_status_fields_move_through_the_documented_values(atrium_world):
    atrium = atrium_world(institutions=[{"code": "mxbank", "job_seconds": 30}])
    user = atrium.create_user("carol")
    member = atrium.create_member(user).get_json()["member"]
    assert (member["connection_status"], member["status"], member["is_being_aggregated"]) == \
        ("CREATED", "INITIATED", True)
    seen = []
    for _ in range(4):
        s = atrium.status(member["guid"], user)
        seen.append((s["connection_status"], s["status"], s["is_being_aggregated"], s["is_authenticated"],
                     s["has_processed_accounts"], s["has_processed_transactions"]))
        atrium.advance("10s")
    assert seen == [
        ("CREATED", "INITIATED", True, False, False, False),
        ("CREATED", "AUTHENTICATED", True, True, False, False),
        ("CREATED", "RECEIVED", True, True, True, False),
        ("CONNECTED", "COMPLETED", False, True, True, True),
    ]
    assert s["aggregated_at"] == "2026-01-15T09:00:00+00:00"
    assert s["successfully_aggregated_at"] == "2026-01-15T09:00:30+00:00"


@pytest.mark.parametrize("kind", ["aggregate", "fetch_rewards"])
def test_the_same_kind_already_running_answers_202_with_the_member(atrium, kind):
    assert start(atrium, kind).status_code == 200
    atrium.advance("1s")
    again = start(atrium, kind)
    assert again.status_code == 202
    assert again.get_json()["member"]["is_being_aggregated"] is True
    assert again.get_json()["member"]["aggregated_at"] == "2026-01-15T09:00:00+00:00"
    assert job_count(atrium) == 1


@pytest.mark.parametrize("running,requested", [("aggregate", "fetch_rewards"), ("fetch_rewards", "aggregate"),
                                               ("fetch_rewards", "verify"), ("verify", "fetch_rewards")])
def test_a_different_kind_running_answers_409_in_both_directions(atrium, running, requested):
    assert start(atrium, running).status_code == 200
    refused = start(atrium, requested)
    assert refused.status_code == 409
    assert "already running" in refused.get_json()["error"]["message"]
    assert job_count(atrium) == 1
    atrium.advance("3s")        # once it has finished, the other kind may run (or is blocked)
    assert start(atrium, requested).status_code == (202 if requested == "aggregate" else 200)


@pytest.mark.parametrize("kind", PREMIUM)
def test_a_premium_job_needs_the_feature_enabled_for_the_client(atrium, kind):
    basic = atrium.as_client("basic", "basic-key")
    refused = start(basic, kind, BASIC_MEMBER, BASIC_USER)
    assert refused.status_code == 403
    assert "not enabled" in refused.get_json()["error"]["message"]
    assert job_count(atrium) == 0


def test_standard_aggregation_needs_no_feature(atrium):
    basic = atrium.as_client("basic", "basic-key")
    assert start(basic, "aggregate", BASIC_MEMBER, BASIC_USER).status_code == 200


@pytest.mark.parametrize("kind,member", [("fetch_rewards", CU_MEMBER), ("identify", MEMBER),
                                         ("fetch_statements", MEMBER), ("extend_history", MEMBER)])
def test_an_institution_without_the_feature_answers_400(atrium, kind, member):
    refused = start(atrium, kind, member)
    assert refused.status_code == 400
    assert "does not support" in refused.get_json()["error"]["message"]
    assert job_count(atrium) == 0


@pytest.mark.parametrize("kind", PREMIUM)
def test_every_premium_job_returns_the_member_and_completes(atrium, kind):
    member = SUPPORTING_MEMBER[kind]
    response = start(atrium, kind, member)
    assert response.status_code == 200
    assert response.get_json()["member"]["guid"] == member
    assert response.get_json()["member"]["is_being_aggregated"] is True
    atrium.advance("3s")
    assert atrium.status(member)["connection_status"] == "CONNECTED"


# -- the order of checks: auth, Accept, ids, 403, 400, then 202/409/lockout -------------

def test_403_comes_before_400(atrium_world):
    doc = world()
    doc["atrium"]["users"][1]["members"].append({"guid": "MBR-bob-cu", "institution_code": "sandbox_cu"})
    basic = atrium_world(doc).as_client("basic", "basic-key")
    assert start(basic, "fetch_rewards", "MBR-bob-cu", BASIC_USER).status_code == 403


def test_403_and_400_come_before_409(atrium):
    assert start(atrium, "aggregate", CU_MEMBER).status_code == 200
    assert start(atrium, "fetch_rewards", CU_MEMBER).status_code == 400
    basic = atrium.as_client("basic", "basic-key")
    assert start(basic, "aggregate", BASIC_MEMBER, BASIC_USER).status_code == 200
    assert start(basic, "fetch_rewards", BASIC_MEMBER, BASIC_USER).status_code == 403


def test_unknown_ids_come_before_403(atrium):
    basic = atrium.as_client("basic", "basic-key")
    assert start(basic, "fetch_rewards", "MBR-nope", BASIC_USER).status_code == 404
    assert start(basic, "fetch_rewards", MEMBER, USER).status_code == 404     # another client's


def test_accept_comes_before_ids_and_auth_before_accept(atrium):
    path = member_path("MBR-nope", suffix="/fetch_rewards")
    assert atrium.post(path, accept=V1).status_code == 406
    assert atrium.as_client("partner", "wrong").post(path, accept=V1).status_code == 401


# -- the three-hour block on standard aggregation ---------------------------------------

def finished_fetch(atrium, kind="fetch_rewards", member=MEMBER):
    assert start(atrium, kind, member).status_code == 200
    atrium.advance("3s")                       # the job finished at 09:00:03


def test_a_standard_aggregation_just_inside_three_hours_is_202_and_starts_nothing(atrium):
    finished_fetch(atrium)
    before = atrium.status()
    atrium.advance("2h59m59s")
    blocked = start(atrium, "aggregate")
    assert blocked.status_code == 202
    member = blocked.get_json()["member"]
    assert member["is_being_aggregated"] is False
    assert member["aggregated_at"] == before["aggregated_at"] == "2026-01-15T09:00:00+00:00"
    assert job_count(atrium) == 1
    assert atrium.status() == before


def test_a_standard_aggregation_at_three_hours_after_the_job_finished_runs(atrium):
    finished_fetch(atrium)
    atrium.advance("3h")
    allowed = start(atrium, "aggregate")
    assert allowed.status_code == 200
    assert allowed.get_json()["member"]["is_being_aggregated"] is True
    assert allowed.get_json()["member"]["aggregated_at"] == "2026-01-15T12:00:03+00:00"
    assert job_count(atrium) == 2


@pytest.mark.parametrize("kind", PREMIUM)
def test_every_aggregation_type_job_blocks_standard_aggregation(atrium, kind):
    member = SUPPORTING_MEMBER[kind]
    finished_fetch(atrium, kind, member)
    atrium.advance("1h")
    assert start(atrium, "aggregate", member).status_code == 202
    atrium.advance("2h")
    assert start(atrium, "aggregate", member).status_code == 200


def test_standard_aggregation_never_blocks_fetching_rewards(atrium):
    assert start(atrium, "aggregate").status_code == 200
    atrium.advance("3s")
    assert start(atrium, "fetch_rewards").status_code == 200


def test_the_block_does_not_apply_to_another_fetch(atrium):
    finished_fetch(atrium)
    assert start(atrium, "fetch_rewards").status_code == 200


def test_standard_aggregations_do_not_block_each_other(atrium):
    assert start(atrium, "aggregate").status_code == 200
    atrium.advance("3s")
    assert start(atrium, "aggregate").status_code == 200


def test_a_scenario_can_start_inside_the_block(atrium_world):
    doc = world()
    doc["atrium"]["users"][0]["members"][0]["jobs"] = [
        {"type": "fetch_rewards", "started_at": "2026-01-15T08:00:00Z", "finished_at": "2026-01-15T08:00:03Z"}]
    atrium = atrium_world(doc)
    assert start(atrium, "aggregate").status_code == 202
    assert atrium.get(member_path(suffix="/rewards")).get_json()["rewards"][0]["guid"] == "RWD-miles"
    atrium.advance("2h2s")                     # 11:00:02, one second before the block ends
    assert start(atrium, "aggregate").status_code == 202
    atrium.advance("1s")
    assert start(atrium, "aggregate").status_code == 200


def test_a_scenario_job_still_running_answers_202_and_409(atrium_world):
    doc = world()
    doc["atrium"]["users"][0]["members"][0]["jobs"] = [
        {"type": "fetch_rewards", "started_at": "2026-01-15T08:59:59Z"}]
    atrium = atrium_world(doc)
    assert atrium.status()["is_being_aggregated"] is True
    assert start(atrium, "fetch_rewards").status_code == 202
    assert start(atrium, "aggregate").status_code == 409


# -- other job triggers -------------------------------------------------------------------

def test_new_credentials_start_a_standard_aggregation_shown_as_updated(atrium):
    response = atrium.put(member_path(), json={"member": {"credentials": credentials(password="password")}})
    assert response.status_code == 200
    member = response.get_json()["member"]
    assert (member["connection_status"], member["is_being_aggregated"]) == ("UPDATED", True)
    atrium.advance("3s")
    assert atrium.status()["connection_status"] == "CONNECTED"


def test_new_credentials_replace_a_job_in_progress(atrium):
    assert start(atrium, "fetch_rewards").status_code == 200
    atrium.put(member_path(), json={"member": {"credentials": credentials(password="password")}})
    assert start(atrium, "aggregate").status_code == 202           # the update's own job runs
    atrium.advance("3s")
    rewards = atrium.get(member_path(suffix="/rewards")).get_json()["rewards"]
    assert rewards == []                                           # the fetch never completed


def test_a_fetch_with_mfa_credentials_is_challenged(atrium):
    atrium.put(member_path(), json={"member": {"credentials": credentials(password="challenge")}})
    atrium.advance("3s")
    assert atrium.status()["connection_status"] == "CHALLENGED"
    assert start(atrium, "fetch_rewards").status_code == 409       # the update's job waits on MFA

