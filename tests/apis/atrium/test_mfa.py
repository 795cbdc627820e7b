"""MX Bank's test credentials (MX "Testing your setup") and the MFA flow: challenges, resume."""
from __future__ import annotations

import pytest

from tests.apis.atrium.world import credentials, member_path


def connect(atrium, password, username="test_atrium"):
    """A new user and MX Bank member with these credentials, after its first job leg."""
    user = atrium.create_user()
    response = atrium.create_member(user, password=password, username=username)
    assert response.status_code == 200, response.get_data(as_text=True)
    member = response.get_json()["member"]["guid"]
    atrium.advance("3s")
    return user, member


def answer(atrium, user, member, value, guid=None):
    if guid is None:
        guid = atrium.get(member_path(member, user, "/challenges")).get_json()["challenges"][0]["guid"]
    return atrium.put(member_path(member, user, "/resume"),
                      json={"member": {"challenges": [{"guid": guid, "value": value}]}})


def test_password_connects_without_mfa(atrium):
    user, member = connect(atrium, "password")
    status = atrium.status(member, user)
    assert (status["connection_status"], status["status"], status["is_being_aggregated"]) == \
        ("CONNECTED", "COMPLETED", False)
    assert "challenges" not in status
    assert atrium.get(member_path(member, user, "/challenges")).status_code == 204


@pytest.mark.parametrize("password,challenge_type", [("challenge", "TEXT"), ("options", "OPTIONS"),
                                                     ("image", "IMAGE_DATA")])
def test_mfa_passwords_challenge_and_correct_connects(atrium, password, challenge_type):
    user, member = connect(atrium, password)
    status = atrium.status(member, user)
    assert (status["connection_status"], status["status"], status["is_being_aggregated"]) == \
        ("CHALLENGED", "CHALLENGED", True)
    listed = atrium.get(member_path(member, user, "/challenges"))
    assert listed.status_code == 200
    challenge = listed.get_json()["challenges"][0]
    assert status["challenges"] == [challenge]
    assert challenge["type"] == challenge_type
    assert challenge["guid"].startswith("CRD-") and challenge["label"]
    if challenge_type == "OPTIONS":
        assert {"label": "correct", "value": "correct"} in challenge["options"]
    if challenge_type == "IMAGE_DATA":
        assert challenge["image_data"].startswith("data:image/png;base64,")
    resumed = answer(atrium, user, member, "correct")
    assert resumed.status_code == 200
    assert (resumed.get_json()["member"]["connection_status"], resumed.get_json()["member"]["status"],
            resumed.get_json()["member"]["is_being_aggregated"]) == ("RESUMED", "RECEIVED", True)
    atrium.advance("3s")
    status = atrium.status(member, user)
    assert (status["connection_status"], status["status"], status["is_being_aggregated"]) == \
        ("CONNECTED", "COMPLETED", False)


def test_a_wrong_answer_is_rejected(atrium):
    user, member = connect(atrium, "options")
    assert answer(atrium, user, member, "incorrect").status_code == 200
    atrium.advance("3s")
    status = atrium.status(member, user)
    assert (status["connection_status"], status["status"], status["is_being_aggregated"]) == \
        ("REJECTED", "REJECTED", False)
    assert atrium.get(member_path(member, user, "/challenges")).status_code == 204


def test_answering_challenge_to_the_first_text_challenge_asks_a_second_one(atrium):
    user, member = connect(atrium, "challenge")
    first = atrium.get(member_path(member, user, "/challenges")).get_json()["challenges"][0]
    answer(atrium, user, member, "challenge")
    atrium.advance("3s")
    second = atrium.get(member_path(member, user, "/challenges")).get_json()["challenges"][0]
    assert second["guid"] != first["guid"] and second["label"] != first["label"]
    assert answer(atrium, user, member, "correct", first["guid"]).status_code == 400
    answer(atrium, user, member, "correct", second["guid"])
    atrium.advance("3s")
    assert atrium.status(member, user)["connection_status"] == "CONNECTED"


def test_an_unanswered_challenge_expires(atrium):
    user, member = connect(atrium, "challenge")
    atrium.advance("9m59s")
    assert atrium.status(member, user)["connection_status"] == "CHALLENGED"
    atrium.advance("1s")
    status = atrium.status(member, user)
    assert (status["connection_status"], status["status"], status["is_being_aggregated"]) == \
        ("EXPIRED", "EXPIRED", False)
    assert answer(atrium, user, member, "correct", "CRD-any").status_code == 405


def test_bad_request_halts(atrium):
    user, member = connect(atrium, "BAD_REQUEST")
    status = atrium.status(member, user)
    assert (status["connection_status"], status["status"], status["is_being_aggregated"]) == \
        ("FAILED", "HALTED", False)


@pytest.mark.parametrize("username,password", [("test_atrium", "UNAUTHORIZED"), ("test_atrium", "INVALID"),
                                               ("LOGIN", "password"), ("test_atrium1", "challenge1"),
                                               ("test_atrium", "not-a-test-password")])
def test_invalid_credentials_are_denied(atrium, username, password):
    user, member = connect(atrium, password, username)
    status = atrium.status(member, user)
    assert (status["connection_status"], status["status"], status["is_being_aggregated"]) == \
        ("DENIED", "DENIED", False)
    assert status["is_authenticated"] is False
    assert status["has_processed_accounts"] is False and status["successfully_aggregated_at"] is None


def test_a_denied_member_connects_after_its_credentials_are_updated(atrium):
    user, member = connect(atrium, "INVALID")
    updated = atrium.put(member_path(member, user), json={"member": {"credentials": credentials()}})
    assert updated.get_json()["member"]["connection_status"] == "UPDATED"
    atrium.advance("3s")
    assert atrium.status(member, user)["connection_status"] == "CONNECTED"


def test_challenges_are_204_while_a_job_runs(atrium):
    user = atrium.create_user()
    member = atrium.create_member(user, password="challenge").get_json()["member"]["guid"]
    assert atrium.get(member_path(member, user, "/challenges")).status_code == 204


def test_resume_needs_a_challenged_member(atrium):
    refused = atrium.put(member_path(suffix="/resume"),
                         json={"member": {"challenges": [{"guid": "CRD-x", "value": "correct"}]}})
    assert refused.status_code == 405
    assert "CHALLENGED" in refused.get_json()["error"]["message"]


@pytest.mark.parametrize("body", [{}, {"member": {}}, {"member": {"challenges": "correct"}},
                                  {"member": {"challenges": [{"guid": "CRD-x"}]}},
                                  {"member": {"challenges": [{"value": "correct"}]}}])
def test_a_malformed_answer_is_400_and_leaves_the_challenge(atrium, body):
    user, member = connect(atrium, "challenge")
    refused = atrium.put(member_path(member, user, "/resume"), json=body)
    assert refused.status_code == 400
    assert atrium.status(member, user)["connection_status"] == "CHALLENGED"


def test_an_answer_to_another_challenge_is_400(atrium):
    user, member = connect(atrium, "challenge")
    assert answer(atrium, user, member, "correct", "CRD-not-this-one").status_code == 400
    assert atrium.status(member, user)["connection_status"] == "CHALLENGED"


def test_fetch_rewards_can_trigger_mfa(atrium):
    """MX "Rewards endpoints" warns: fetching rewards can trigger multi-factor authentication."""
    atrium.put(member_path(), json={"member": {"credentials": credentials(password="image")}})
    atrium.advance("3s")
    answer(atrium, "USR-alice", "MBR-alice-mxbank", "correct")
    atrium.advance("3s")
    assert atrium.status()["connection_status"] == "CONNECTED"
    assert atrium.post(member_path(suffix="/fetch_rewards")).status_code == 200
    atrium.advance("3s")
    assert atrium.status()["connection_status"] == "CHALLENGED"
    assert atrium.get(member_path(suffix="/rewards")).get_json() == {"rewards": []}
    assert atrium.post(member_path(suffix="/fetch_rewards")).status_code == 202
    answer(atrium, "USR-alice", "MBR-alice-mxbank", "correct")
    atrium.advance("3s")
    assert len(atrium.get(member_path(suffix="/rewards")).get_json()["rewards"]) == 2
