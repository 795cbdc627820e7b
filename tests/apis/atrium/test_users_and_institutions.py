"""Users (a client sees only its own) and the institution catalogue."""
from __future__ import annotations

import pytest

from tests.apis.atrium.world import BASIC_USER, USER


def test_create_user_answers_200_with_the_user(atrium):
    response = atrium.post("/atrium/users", json={"user": {"identifier": "unique_id",
                                                           "metadata": '{"first_name": "Steven"}'}})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.mx.atrium.v1+json; charset=utf-8"
    user = response.get_json()["user"]
    assert list(user) == ["guid", "identifier", "is_disabled", "metadata"]
    assert user["guid"].startswith("USR-") and len(user["guid"]) == 40
    assert user == {"guid": user["guid"], "identifier": "unique_id", "is_disabled": False,
                    "metadata": '{"first_name": "Steven"}'}
    assert atrium.get(f"/atrium/users/{user['guid']}").get_json() == {"user": user}


def test_a_user_without_identifier_has_explicit_nulls(atrium):
    user = atrium.post("/atrium/users", json={"user": {"is_disabled": False}}).get_json()["user"]
    assert user["identifier"] is None and user["metadata"] is None


@pytest.mark.parametrize("body", [{}, {"user": {}}, {"user": None}, {"user": {"unknown": 1}}])
def test_the_user_object_cannot_be_empty(atrium, body):
    response = atrium.post("/atrium/users", json=body)
    assert response.status_code == 400
    assert set(response.get_json()) == {"error"} and response.get_json()["error"]["message"]


def test_a_duplicate_identifier_is_409(atrium):
    assert atrium.post("/atrium/users", json={"user": {"identifier": "alice"}}).status_code == 409
    basic = atrium.as_client("basic", "basic-key")      # identifiers are per client
    assert basic.post("/atrium/users", json={"user": {"identifier": "alice"}}).status_code == 200


def test_list_users_pages_with_mx_pagination(atrium):
    for n in range(3):
        atrium.create_user(f"user-{n}")
    first = atrium.get("/atrium/users?records_per_page=2").get_json()
    assert first["pagination"] == {"current_page": 1, "per_page": 2, "total_entries": 4, "total_pages": 2}
    assert [u["identifier"] for u in first["users"]] == ["alice", "user-0"]
    second = atrium.get("/atrium/users?page=2&records_per_page=2").get_json()
    assert [u["identifier"] for u in second["users"]] == ["user-1", "user-2"]
    beyond = atrium.get("/atrium/users?page=9").get_json()
    assert beyond["users"] == [] and beyond["pagination"]["current_page"] == 9


@pytest.mark.parametrize("query,expected", [("", (1, 25)), ("?page=0&records_per_page=0", (1, 25)),
                                            ("?page=abc&records_per_page=x", (1, 25)),
                                            ("?records_per_page=101", (1, 25)),
                                            ("?records_per_page=100", (1, 100)),
                                            ("?page=99999999999999999999999", (1, 25)),
                                            ("?page=-3", (1, 25))])
def test_unusable_paging_values_fall_back_to_the_defaults(atrium, query, expected):
    response = atrium.get("/atrium/users" + query)
    assert response.status_code == 200
    pagination = response.get_json()["pagination"]
    assert (pagination["current_page"], pagination["per_page"]) == expected


def test_a_client_sees_only_its_own_users(atrium):
    assert [u["guid"] for u in atrium.get("/atrium/users").get_json()["users"]] == [USER]
    for method in ("GET", "PUT", "DELETE"):
        response = atrium.call(method, f"/atrium/users/{BASIC_USER}", json={"user": {"metadata": "x"}})
        assert response.status_code == 404, method
    assert atrium.as_client("basic", "basic-key").get(f"/atrium/users/{BASIC_USER}").status_code == 200


def test_update_user_changes_only_what_is_given(atrium):
    response = atrium.put(f"/atrium/users/{USER}", json={"user": {"metadata": "m", "is_disabled": True}})
    assert response.status_code == 200
    assert response.get_json()["user"] == {"guid": USER, "identifier": "alice", "is_disabled": True,
                                           "metadata": "m"}
    other = atrium.create_user("other")
    assert atrium.put(f"/atrium/users/{other}", json={"user": {"identifier": "alice"}}).status_code == 409
    assert atrium.put(f"/atrium/users/{USER}", json={"user": {"identifier": "alice"}}).status_code == 200


def test_delete_user_is_204_and_takes_its_members_along(atrium):
    response = atrium.delete(f"/atrium/users/{USER}")
    assert response.status_code == 204 and response.get_data() == b""
    assert atrium.get(f"/atrium/users/{USER}").status_code == 404
    tables = atrium.state()
    assert [m["user_guid"] for m in tables["members"]] == ["USR-bob"]
    assert tables["rewards"] == [] and tables["accounts"] == [] and tables["transactions"] == []


# -- institutions -------------------------------------------------------------------------

MXBANK = {
    "code": "mxbank", "name": "MX Bank", "url": "https://www.mx.com",
    "supports_account_identification": False, "supports_account_statement": False,
    "supports_account_verification": True, "supports_oauth": False, "supports_transaction_history": False,
}


def test_read_mx_bank_as_recorded_on_vestibule(atrium):
    institution = atrium.get("/atrium/institutions/mxbank").get_json()["institution"]
    assert {k: institution[k] for k in MXBANK} == MXBANK
    assert institution["small_logo_url"].endswith("/50x50/INS-1572a04c-912b-59bf-5841-332c7dfafaef_50x50.png")
    assert "supports_rewards" not in institution and "job_seconds" not in institution


def test_list_institutions_filters_by_name(atrium):
    body = atrium.get("/atrium/institutions?name=mx").get_json()
    assert [i["code"] for i in body["institutions"]] == ["mxbank"]
    assert body["pagination"] == {"current_page": 1, "per_page": 25, "total_entries": 1, "total_pages": 1}
    everything = atrium.get("/atrium/institutions").get_json()["institutions"]
    assert {"mxbank", "sandbox_cu"} <= {i["code"] for i in everything}
    assert atrium.get("/atrium/institutions?name=zzz").get_json()["pagination"]["total_pages"] == 0


def test_list_institutions_filters_by_support_flags(atrium):
    codes = [i["code"] for i in atrium.get("/atrium/institutions?supports_account_statement=true")
             .get_json()["institutions"]]
    assert codes == ["sandbox_cu"]
    assert atrium.get("/atrium/institutions?supports_account_statement=maybe").status_code == 400


def test_institution_credentials_are_mx_banks_recorded_ones(atrium):
    body = atrium.get("/atrium/institutions/mxbank/credentials").get_json()
    assert body == {"credentials": [
        {"guid": "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1", "field_name": "LOGIN", "label": "Username",
         "type": "LOGIN", "display_order": 1},
        {"guid": "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d", "field_name": "PASSWORD", "label": "Password",
         "type": "PASSWORD", "display_order": 2}]}


@pytest.mark.parametrize("path", ["/atrium/institutions/nobank", "/atrium/institutions/nobank/credentials"])
def test_an_unknown_institution_is_404(atrium, path):
    assert atrium.get(path).status_code == 404


def test_scenario_institutions_merge_over_the_catalogue(atrium_world):
    atrium = atrium_world(institutions=[{"code": "mxbank", "name": "MX Bank (renamed)"},
                                        {"code": "chase", "name": "Chase Bank", "supports_oauth": True}])
    assert atrium.get("/atrium/institutions/mxbank").get_json()["institution"]["name"] == "MX Bank (renamed)"
    assert atrium.get("/atrium/institutions/mxbank").get_json()["institution"]["url"] == "https://www.mx.com"
    chase = atrium.get("/atrium/institutions/chase").get_json()["institution"]
    assert chase["supports_oauth"] is True and chase["supports_account_statement"] is False
    creds = atrium.get("/atrium/institutions/chase/credentials").get_json()["credentials"]
    assert [c["field_name"] for c in creds] == ["LOGIN", "PASSWORD"]
    assert creds[0]["guid"].startswith("CRD-")


def test_served_at_the_root_with_root_api(make_app):
    from tests.apis.atrium.world import WORLD
    http = make_app(WORLD, root_api="atrium").test_client()
    headers = {"MX-Client-ID": "partner", "MX-API-Key": "partner-key", "Accept": "application/vnd.mx.atrium.beta+json"}
    assert http.get("/users/USR-alice", headers=headers).get_json()["user"]["identifier"] == "alice"
    assert http.post("/users/USR-alice/members/MBR-alice-mxbank/fetch_rewards", headers=headers).status_code == 200
    assert http.get("/users/USR-alice/members/MBR-alice-mxbank/rewards",
                    headers={**headers, "Accept": "application/vnd.mx.atrium.v1+json"}).status_code == 406
    assert http.get("/users", headers={}).status_code == 401
