"""Wire details an integration's HTTP stack sees: no Content-Type on a 204, answers and
errors in the media type the Accept header named, X-Request-Id on every answer, and base
URLs ending in "/" served as without it (never an HTML redirect)."""
from __future__ import annotations

import pytest

from tests.apis.atrium.world import BETA, MEMBER, USER, V1, member_path

V1_TYPE, BETA_TYPE = f"{V1}; charset=utf-8", f"{BETA}; charset=utf-8"


def test_a_204_has_no_body_and_no_content_type(atrium):
    answers = [atrium.get(member_path(suffix="/challenges")), atrium.delete(member_path()),
               atrium.delete(f"/atrium/users/{USER}")]
    assert [a.status_code for a in answers] == [204, 204, 204]
    for response in answers:
        assert response.get_data() == b""
        assert "Content-Type" not in response.headers
        assert response.headers["X-Request-Id"]


def test_an_injected_204_has_no_body_either(atrium):
    fault = atrium.http.post("/_sandbox/faults", json={"api": "atrium", "path": "^/atrium/users$", "status": 204})
    assert fault.status_code in (200, 201), fault.get_data(as_text=True)
    response = atrium.get("/atrium/users")
    assert (response.status_code, response.get_data()) == (204, b"")
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize("accept, expected", [(V1, V1_TYPE), (BETA, BETA_TYPE),
                                              (f"application/json, {BETA}", BETA_TYPE)])
def test_answers_and_errors_carry_the_media_type_the_accept_header_named(atrium, accept, expected):
    calls = {
        "200": atrium.get("/atrium/users", accept=accept),
        "401": atrium.as_client("partner", "wrong").get("/atrium/users", accept=accept),
        "404 unknown id": atrium.get(f"/atrium/users/{USER}/accounts/ACT-nothing", accept=accept),
        "404 no route": atrium.get("/atrium/nothing/here", accept=accept),
        "405": atrium.call("PATCH", "/atrium/users", accept=accept),
        "400": atrium.post("/atrium/users", json={"user": {"is_disabled": "maybe"}}, accept=accept),
        "200 verify": atrium.post(member_path(suffix="/verify"), accept=accept),
        "409 while verifying": atrium.post(member_path(suffix="/aggregate"), accept=accept),
        "400 no such support": atrium.post(member_path(suffix="/identify"), accept=accept),
    }
    assert {what: c.status_code for what, c in calls.items()} == {what: int(what[:3]) for what in calls}
    for what, response in calls.items():
        assert response.headers["Content-Type"] == expected, what


def test_no_version_named_is_406_in_v1(atrium):
    for accept in ("application/json", "*/*", "application/vnd.mx.atrium.v2+json"):
        response = atrium.get("/atrium/users", accept=accept)
        assert (response.status_code, response.headers["Content-Type"]) == (406, V1_TYPE), accept
    beta_only = atrium.get(member_path(suffix="/rewards"), accept=V1)
    assert (beta_only.status_code, beta_only.headers["Content-Type"]) == (406, V1_TYPE)


def test_every_answer_has_its_own_request_id(atrium):
    answers = [atrium.get("/atrium/users"), atrium.get("/atrium/users"), atrium.get("/atrium/users/USR-none"),
               atrium.get("/atrium/users", accept="text/html"), atrium.as_client("x", "y").get("/atrium/users")]
    ids = [a.headers.get("X-Request-Id") for a in answers]
    assert all(ids) and len(set(ids)) == len(answers)


@pytest.mark.parametrize("path", ["/atrium/users/", "/atrium//users", "/atrium//users/", "/atrium/users//"])
def test_a_base_url_ending_in_a_slash_is_served_as_without_it(atrium, path):
    plain = atrium.get("/atrium/users")
    response = atrium.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == plain.get_json()
    assert response.headers["Content-Type"] == V1_TYPE


def test_doubled_slashes_work_for_writes_and_deep_paths_too(atrium):
    created = atrium.post("/atrium//users", json={"user": {"identifier": "slashes"}})
    assert created.status_code == 200
    deep = atrium.get(f"/atrium//users/{USER}//members/{MEMBER}/")
    assert deep.get_json()["member"]["guid"] == MEMBER
    namespaced = atrium.http.put("/_sandbox/namespaces/slashy")
    assert namespaced.status_code in (200, 201)
    assert atrium.get("/_ns/slashy/atrium//users/").status_code == 200


def test_an_unknown_path_with_slashes_is_mxs_404_not_a_redirect(atrium):
    response = atrium.get("/atrium//nothing//")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"message": "Invalid item/id/URL requested."}}
    assert "Location" not in response.headers
