"""``GET /``: JSON for clients, a small HTML page for browsers (content negotiation)."""
import re

import pytest

import sandbox

HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"      # what browsers send


@pytest.fixture
def client(make_app):
    return make_app("default").test_client()


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/html;q=0.5"])
def test_clients_get_json_with_every_api_base_url_docs_health_and_version(client, accept):
    r = client.get("/", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.json == {
        "apis": {"atrium": "http://localhost/atrium", "myrewards": "http://localhost/myrewards",
                 "saasquatch": "http://localhost/saasquatch", "eagleeye": "http://localhost/eagleeye"},
        "docs": "http://localhost/_sandbox/docs", "health": "http://localhost/_sandbox/health",
        "version": sandbox.__version__}
    assert "Accept" in r.headers["Vary"]


def test_browsers_get_a_page_linking_each_api_docs_and_the_control_api(client):
    r = client.get("/", headers={"Accept": HTML_ACCEPT})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    links = set(re.findall(r"href='([^']+)'", page))
    for api in ("atrium", "myrewards", "saasquatch", "eagleeye"):
        assert f"http://localhost/{api}/openapi.json" in links
        assert f"http://localhost/_sandbox/docs?api={api}" in links
    assert {"http://localhost/_sandbox/health", "http://localhost/_sandbox/docs",
            "http://localhost/_sandbox/openapi.json"} <= links
    assert "<script" not in page
    for link in links:       # every link on the page answers
        assert client.get(link.replace("http://localhost", "").split("#")[0]).status_code == 200, link


def test_a_namespace_front_door_gives_that_namespaces_urls(client):
    r = client.get("/_ns/job-17/")
    assert r.json["apis"]["atrium"] == "http://localhost/_ns/job-17/atrium"
    assert r.json["health"] == "http://localhost/_ns/job-17/_sandbox/health"


def test_the_front_door_needs_no_token_and_is_not_journaled(make_app):
    client = make_app("default", admin_token="s3cret").test_client()
    assert client.get("/").status_code == 200
    journal = client.get("/_sandbox/requests", headers={"Authorization": "Bearer s3cret"}).json["requests"]
    assert journal == []


def test_with_a_root_api_the_front_door_stays_at_the_root(make_app):
    client = make_app("default", root_api="saasquatch").test_client()
    assert client.get("/").json["apis"]["saasquatch"] == "http://localhost/saasquatch"
    # the root API still answers its own paths, and unknown ones in its own shape
    assert client.get("/no/such/path").json["statusCode"] == 404
