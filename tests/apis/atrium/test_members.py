"""Members: create (validates credentials, starts an aggregation), list, read, update,
delete, status, credentials; 409 duplicate, 405 for a 26th member."""
from __future__ import annotations

import pytest

from tests.apis.atrium.world import (BASIC_MEMBER, BASIC_USER, LOGIN, MEMBER, PASSWORD, USER,
                                     credentials, member_path, world)

MEMBER_FIELDS = ["aggregated_at", "connection_status", "guid", "identifier", "institution_code",
                 "is_being_aggregated", "is_oauth", "metadata", "name", "oauth_window_uri", "status",
                 "successfully_aggregated_at", "user_guid"]
STATUS_FIELDS = ["aggregated_at", "connection_status", "guid", "has_processed_accounts",
                 "has_processed_transactions", "is_authenticated", "is_being_aggregated", "status",
                 "successfully_aggregated_at"]


def test_create_member_answers_like_the_vestibule_recording(atrium):
    user = atrium.create_user()
    response = atrium.create_member(user)
    assert response.status_code == 200
    member = response.get_json()["member"]
    assert list(member) == MEMBER_FIELDS
    assert member["guid"].startswith("MBR-")
    assert member == {
        "aggregated_at": "2026-01-15T09:00:00+00:00", "connection_status": "CREATED", "guid": member["guid"],
        "identifier": None, "institution_code": "mxbank", "is_being_aggregated": True, "is_oauth": False,
        "metadata": None, "name": "MX Bank", "oauth_window_uri": None, "status": "INITIATED",
        "successfully_aggregated_at": None, "user_guid": user}


def test_read_and_list_members(atrium):
    member = atrium.get(member_path()).get_json()["member"]
    assert list(member) == MEMBER_FIELDS
    assert (member["connection_status"], member["status"], member["is_being_aggregated"]) == \
        ("CONNECTED", "COMPLETED", False)
    listed = atrium.get(f"/atrium/users/{USER}/members").get_json()
    assert listed["members"][0] == member
    assert listed["pagination"] == {"current_page": 1, "per_page": 25, "total_entries": 2, "total_pages": 1}
    one = atrium.get(f"/atrium/users/{USER}/members?records_per_page=1&page=2").get_json()
    assert [m["guid"] for m in one["members"]] == ["MBR-alice-cu"]


def test_status_has_only_the_connection_status_fields(atrium):
    body = atrium.get(member_path(suffix="/status")).get_json()
    assert list(body) == ["member"]
    assert list(body["member"]) == STATUS_FIELDS


@pytest.mark.parametrize("suffix", ["", "/status", "/challenges", "/credentials", "/accounts",
                                    "/transactions", "/rewards", "/rewards/RWD-miles"])
def test_another_clients_member_is_404(atrium, suffix):
    assert atrium.get(member_path(BASIC_MEMBER, BASIC_USER, suffix)).status_code == 404
    assert atrium.get(member_path(MEMBER, BASIC_USER, suffix)).status_code == 404
    assert atrium.get(member_path(BASIC_MEMBER, USER, suffix)).status_code == 404


def test_update_identifier_and_metadata_starts_no_job(atrium):
    response = atrium.put(member_path(), json={"member": {"identifier": "card", "metadata": "{}",
                                                          "background_aggregation_is_disabled": True}})
    assert response.status_code == 200
    member = response.get_json()["member"]
    assert (member["identifier"], member["metadata"], member["is_being_aggregated"]) == ("card", "{}", False)
    assert atrium.state()["jobs"] == []


def test_delete_member_is_204(atrium):
    response = atrium.delete(member_path())
    assert response.status_code == 204 and response.get_data() == b""
    assert atrium.get(member_path()).status_code == 404
    assert [r for r in atrium.state()["rewards"] if r["member_guid"] == MEMBER] == []


def test_a_duplicate_member_is_409(atrium):
    user = atrium.create_user()
    assert atrium.create_member(user).status_code == 200
    duplicate = atrium.create_member(user)
    assert duplicate.status_code == 409
    assert atrium.create_member(user, password="challenge").status_code == 200
    cu = [c["guid"] for c in atrium.get("/atrium/institutions/sandbox_cu/credentials").get_json()["credentials"]]
    same_credentials_elsewhere = {"institution_code": "sandbox_cu", "credentials": [
        {"guid": cu[0], "value": "test_atrium"}, {"guid": cu[1], "value": "password"}]}
    assert atrium.post(f"/atrium/users/{user}/members",
                       json={"member": same_credentials_elsewhere}).status_code == 200


def test_a_26th_member_is_405(atrium_world):
    members = [{"guid": f"MBR-many-{n}", "institution_code": "mxbank",
                "credentials": {"username": "test_atrium", "password": f"p{n}"}} for n in range(25)]
    atrium = atrium_world(users=[{"guid": "USR-many", "client_id": "partner", "members": members}])
    refused = atrium.create_member("USR-many")
    assert refused.status_code == 405
    assert "25 members" in refused.get_json()["error"]["message"]
    atrium.delete(member_path("MBR-many-0", "USR-many"))
    assert atrium.create_member("USR-many").status_code == 200


def test_skip_aggregation_creates_an_idle_member(atrium):
    user = atrium.create_user()
    member = atrium.create_member(user, skip_aggregation=True).get_json()["member"]
    assert (member["connection_status"], member["is_being_aggregated"], member["aggregated_at"]) == \
        ("CREATED", False, None)
    assert atrium.state()["jobs"] == []
    assert atrium.post(member_path(member["guid"], user, "/aggregate")).status_code == 200


def test_missing_credentials_halt_the_member(atrium):
    user = atrium.create_user()
    response = atrium.post(f"/atrium/users/{user}/members", json={"member": {
        "institution_code": "mxbank", "credentials": [{"guid": LOGIN, "value": "test_atrium"}]}})
    assert response.status_code == 200
    atrium.advance("3s")
    assert atrium.status(response.get_json()["member"]["guid"], user)["status"] == "HALTED"


@pytest.mark.parametrize("member,status", [
    ({"credentials": credentials()}, 400),                                            # no institution_code
    ({"institution_code": "mxbank"}, 400),                                            # no credentials
    ({"institution_code": "mxbank", "credentials": []}, 400),
    ({"institution_code": "nobank", "credentials": credentials()}, 404),
    ({"institution_code": "mxbank", "credentials": [{"guid": "CRD-other", "value": "x"}]}, 422),
    ({"institution_code": "mxbank", "credentials": credentials(), "is_oauth": True}, 400),
    ({"institution_code": 7, "credentials": credentials()}, 400),
    ({"institution_code": "mxbank", "credentials": {"guid": LOGIN}}, 400),
    ({"institution_code": "mxbank", "credentials": [{"guid": PASSWORD, "value": 5}]}, 400),
])
def test_create_member_refusals_leave_nothing_behind(atrium, member, status):
    user = atrium.create_user()
    before = atrium.state()
    response = atrium.post(f"/atrium/users/{user}/members", json={"member": member})
    assert response.status_code == status, response.get_data(as_text=True)
    assert list(response.get_json()) == ["error"]
    assert atrium.state() == before


def test_create_member_for_an_unknown_or_foreign_user_is_404(atrium):
    assert atrium.create_member("USR-nope").status_code == 404
    assert atrium.create_member(BASIC_USER).status_code == 404


def test_member_credentials_list_the_institutions_fields(atrium):
    body = atrium.get(member_path(suffix="/credentials")).get_json()
    assert [(c["guid"], c["field_name"]) for c in body["credentials"]] == [(LOGIN, "LOGIN"), (PASSWORD, "PASSWORD")]
    assert all("value" not in c for c in body["credentials"])


def test_scenario_members_start_mid_story(atrium_world):
    doc = world()
    doc["atrium"]["users"][0]["members"].append({
        "guid": "MBR-denied", "institution_code": "mxbank", "connection_status": "DENIED",
        "credentials": {"username": "test_atrium", "password": "INVALID"}})
    doc["atrium"]["users"][0]["members"].append({
        "guid": "MBR-waiting", "institution_code": "mxbank", "connection_status": "CHALLENGED",
        "credentials": {"username": "test_atrium", "password": "options"}})
    atrium = atrium_world(doc)
    assert atrium.status("MBR-denied")["status"] == "DENIED"
    waiting = atrium.status("MBR-waiting")
    assert (waiting["connection_status"], waiting["challenges"][0]["type"]) == ("CHALLENGED", "OPTIONS")
