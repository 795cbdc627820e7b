"""Every OpenAPI document validates, lists every route the app serves, and says what a client
generator needs: response shapes, security as the vendors require it, media types, the
Accept header, parameters, operation ids and the base URL."""
import re

import pytest
from openapi_spec_validator import validate

from sandbox.apis import API_PACKAGES
from tests import conformance

DOCS = ["control"] + [api.name for api in API_PACKAGES]
V1, BETA = "application/vnd.mx.atrium.v1+json", "application/vnd.mx.atrium.beta+json"
# SaaSquatch's own operation ids (operationId in the vendor's published API description,
# paths below its basePath /api/v1), for the operations the sandbox serves
SAASQUATCH_IDS = {
    ("GET", "/{}/reward/balance"): "listRewardBalances", ("POST", "/{}/credit/bulkredeem"): "debitRewardBalance",
    ("GET", "/{}/reward"): "getRewards", ("GET", "/{}/reward/{}"): "lookupReward",
    ("POST", "/{}/credit/{}/redeem"): "debitReward", ("POST", "/{}/reward/{}/cancel"): "cancelReward",
    ("POST", "/{}/rewards/account/{}/user/{}"): "createReward", ("POST", "/{}/subscription"): "createWebhook",
    ("GET", "/{}/subscription"): "listWebhooks", ("DELETE", "/{}/subscription/{}"): "deleteWebhook",
    ("POST", "/{}/subscription/{}/test"): "testWebhook",
}


@pytest.fixture(scope="module")
def client(module_app):
    app = module_app("default")
    return app, app.test_client()


def url_for_doc(name):
    return "/_sandbox/openapi.json" if name == "control" else f"/{name}/openapi.json"


def document(client, name):
    return client[1].get(url_for_doc(name)).json


def operations(doc):
    return [(method.upper(), path, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


def resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize("name", DOCS)
def test_each_document_validates(client, name):
    r = client[1].get(url_for_doc(name))
    assert r.status_code == 200
    validate(r.json)


@pytest.mark.parametrize("name", DOCS)
def test_every_route_the_app_serves_is_in_its_api_document(client, name):
    """Generic over the registry: a route added to any API shows up here or fails."""
    app, _ = client
    doc = document(client, name)
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


@pytest.mark.parametrize("name", DOCS)
def test_operations_have_ids_words_and_the_error_shape_but_no_blanket_500(client, name):
    doc = document(client, name)
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids))
    for method, path, op in operations(doc):
        assert re.fullmatch(r"[a-z][A-Za-z0-9]+", op["operationId"]), op["operationId"]
        assert " " in op["summary"] and not re.search(r"\w\.\w", op["summary"]), (method, path, op["summary"])
        assert "500" not in op["responses"], (method, path)
        default = op["responses"]["default"]["content"]
        assert all(c["schema"] == {"$ref": "#/components/schemas/Error"} for c in default.values())


@pytest.mark.parametrize("name", DOCS)
def test_every_success_answer_names_its_fields(client, name):
    doc = document(client, name)
    checked = 0
    for method, path, op in operations(doc):
        for status, response in op["responses"].items():
            if not status.startswith("2") or "content" not in response:
                continue
            for content in response["content"].values():
                schema = resolve(doc, content["schema"])
                schema = resolve(doc, schema.get("items", schema))
                assert schema.get("properties"), (method, path, status)
                checked += 1
    assert checked


def test_security_is_one_requirement_holding_every_header_the_vendor_needs(client):
    atrium, eagleeye = document(client, "atrium"), document(client, "eagleeye")
    schemes = atrium["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {"MX-API-Key", "MX-Client-ID"}
    assert all(op["security"] == [{name: [] for name in schemes}] for _, _, op in operations(atrium))
    schemes = eagleeye["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {"X-EES-AUTH-CLIENT-ID", "X-EES-AUTH-HASH"}
    assert all(op["security"] == [{name: [] for name in schemes}] for _, _, op in operations(eagleeye))
    assert "SHA-256" in schemes["RequestHash"]["description"]
    basic = list(document(client, "saasquatch")["components"]["securitySchemes"].values())
    assert [(s["type"], s["scheme"]) for s in basic] == [("http", "basic")]
    token = list(document(client, "myrewards")["components"]["securitySchemes"].values())
    assert token[0]["in"] == "header" and token[0]["name"] == "Authorization" and "Token token=" in token[0]["description"]
    control = document(client, "control")
    assert control["components"]["securitySchemes"] == {"adminToken": {"type": "http", "scheme": "bearer"}}


def test_the_control_api_requires_its_bearer_token_when_one_is_set(make_app):
    doc = make_app("default", admin_token="s3cret").test_client().get("/_sandbox/openapi.json").json
    ops = {op["operationId"]: op for _, _, op in operations(doc)}
    assert ops["getClock"]["security"] == [{"adminToken": []}]
    assert ops["health"]["security"] == [] and ops["docs"]["security"] == []


def test_atrium_states_its_media_types_and_the_accept_header(client):
    doc = document(client, "atrium")
    beta_only = {"listRewards", "readReward", "fetchRewards", "readCreditCardProduct"}
    for method, path, op in operations(doc):
        accept = [p for p in op["parameters"] if p["in"] == "header" and p["name"] == "Accept"]
        assert len(accept) == 1 and accept[0]["required"], (method, path)
        wanted = [BETA] if op["operationId"] in beta_only else [V1, BETA]
        assert accept[0]["schema"]["enum"] == wanted and accept[0]["schema"]["default"] == wanted[0]
        for status, response in op["responses"].items():
            if status.startswith("2") and "content" in response:
                assert list(response["content"]) == wanted, (method, path, status)
        if "requestBody" in op:
            assert V1 in op["requestBody"]["content"]


def test_list_endpoints_document_their_paging_and_filters_with_defaults(client):
    params = {op["operationId"]: {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
              for _, _, op in operations(document(client, "atrium"))}
    for op in ("listUsers", "listMembers", "listInstitutions", "listMemberAccounts", "listMemberTransactions",
               "listUserAccounts", "listUserTransactions", "listAccountTransactions", "listMemberStatements"):
        assert params[op]["page"]["default"] == 1 and params[op]["records_per_page"]["default"] == 25, op
    assert {"name", "supports_account_statement"} <= set(params["listInstitutions"])
    assert {"from_date", "to_date"} <= set(params["listMemberTransactions"])
    air = {op["operationId"]: {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
           for _, _, op in operations(document(client, "eagleeye"))}
    assert air["listAccounts"]["limit"]["default"] == 20 and air["listAccounts"]["offset"]["default"] == 0
    assert air["listRewards"]["limit"]["default"] == 100 and "status" in air["listRewards"]


def test_operation_ids_are_the_vendors_own(client):
    ids = {op["operationId"] for _, _, op in operations(document(client, "atrium"))}
    # the atrium SDK's method names (MembersApi.aggregate_member, ...), in camelCase
    assert {"createUser", "listUsers", "readMember", "aggregateMember", "listMemberMFAChallenges",
            "readInstitutionCredentials", "listMemberAccounts", "resumeMember", "extendHistory",
            "listUserAccounts", "readAccount", "listAccountNumbers", "listAccountOwners", "readTransaction",
            "listMemberStatements", "listAccountTransactions"} <= ids
    served = 0
    for method, path, op in operations(document(client, "saasquatch")):
        vendor = (method, re.sub(r"\{\w+\}", "{}", path.removeprefix("/api/v1")))
        if vendor in SAASQUATCH_IDS:
            assert op["operationId"] == SAASQUATCH_IDS[vendor], vendor
            served += 1
    assert served >= 7


def test_a_namespace_document_names_its_own_base_url(client):
    _, c = client
    assert c.get("/atrium/openapi.json").json["servers"] == [{"url": "/atrium"}]
    assert c.get("/_ns/team-a/atrium/openapi.json").json["servers"] == [{"url": "/_ns/team-a/atrium"}]
    assert c.get("/_ns/team-a/_sandbox/openapi.json").json["servers"] == [{"url": "/_ns/team-a/_sandbox"}]


def test_a_response_that_disagrees_with_its_document_fails(client, monkeypatch):
    """The suite-wide check (tests/conformance.py) catches a wrong field, a wrong type and
    a wrong media type."""
    from sandbox.apis.atrium import auth, schemas

    _, c = client
    headers = {"MX-API-Key": "atrium-api-key", "MX-Client-ID": "atrium-client", "Accept": V1}
    assert c.get("/atrium/users", headers=headers).status_code == 200
    real = schemas.user
    cases = [(schemas, "user", lambda row: {**real(row), "nickname": "x"}),
             (schemas, "user", lambda row: {**real(row), "is_disabled": "no"}),
             (auth, "CONTENT_TYPES", {**auth.CONTENT_TYPES, "v1": "application/json"})]
    for module, name, replacement in cases:
        with monkeypatch.context() as patch:
            patch.setattr(module, name, replacement)
            with pytest.raises(conformance.NonConformant):
                c.get("/atrium/users", headers=headers)
    assert c.get("/atrium/users", headers=headers).status_code == 200


def test_the_docs_page_is_an_offline_swagger_ui_open_with_the_admin_token_set(make_app):
    c = make_app("default", admin_token="s3cret").test_client()
    r = c.get("/_sandbox/docs?api=atrium")
    assert r.status_code == 200 and r.content_type.startswith("text/html")
    body = r.get_data(as_text=True)
    assert '"urls.primaryName": "atrium"' in body
    sources = re.findall(r"(?:src|href)='([^']+)'", body)
    assert sources and all(s.startswith("/_sandbox/docs/static/") for s in sources)
    for source in sources:
        asset = c.get(source)
        assert asset.status_code == 200 and len(asset.data) > 100, source
    for name in DOCS:
        assert url_for_doc(name) in body
        assert c.get(url_for_doc(name)).status_code == 200
    assert c.get("/_sandbox/docs/static/..%2Fflask_swagger_ui.py").status_code == 404
    assert c.get("/_sandbox/clock").status_code == 401
