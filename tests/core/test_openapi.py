"""Every OpenAPI document validates and lists every registered route."""
import re

import pytest
from openapi_spec_validator import validate

from sandbox.apis import API_PACKAGES

DOCS = ["control"] + [api.name for api in API_PACKAGES]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from sandbox import build_sandbox

    app = build_sandbox(str(tmp_path_factory.mktemp("openapi") / "o.sqlite"), {"name": "openapi"})
    return app, app.test_client()


def url_for_doc(name):
    return "/_sandbox/openapi.json" if name == "control" else f"/{name}/openapi.json"


@pytest.mark.parametrize("name", DOCS)
def test_each_document_validates(client, name):
    _, c = client
    r = c.get(url_for_doc(name))
    assert r.status_code == 200
    validate(r.json)


@pytest.mark.parametrize("name", DOCS)
def test_each_document_covers_every_route(client, name):
    app, c = client
    doc = c.get(url_for_doc(name)).json
    prefix = "/_sandbox" if name == "control" else f"/{name}"
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    registered = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != name:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(prefix):]) or "/"
        registered |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert registered, "the API registers routes"
    assert registered == documented
    for operations in doc["paths"].values():
        for op in operations.values():
            assert "404" in op["responses"] and "400" in op["responses"]


def test_the_docs_page_renders_offline(client):
    _, c = client
    r = c.get("/_sandbox/docs")
    assert r.status_code == 200 and r.content_type.startswith("text/html")
    body = r.get_data(as_text=True)
    assert "<script" not in body and "src=" not in body
    for name in DOCS:
        assert url_for_doc(name) in body
