"""Auth hardening: every presented secret is compared with the stored one in constant time
(``hmac.compare_digest``); no credential or secret reaches the request log or the journal
(headers and credential fields in bodies are masked); and when SANDBOX_ADMIN_TOKEN is set
the control API refuses every route without it, changing nothing."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
import requests

from .catalogue import PREFIX, auth_headers, encode, routes
from .harness import Sandbox, build_app, error_shape_problem
from .world import WORLD

TOKEN = "admin-token-Zq81"


class Recorder:
    """Wraps hmac.compare_digest and remembers what it compared."""

    def __init__(self, monkeypatch):
        self.pairs: list[tuple[bytes, bytes]] = []
        real = hmac.compare_digest

        def compare(a, b):
            self.pairs.append((a if isinstance(a, bytes) else a.encode(), b if isinstance(b, bytes) else b.encode()))
            return real(a, b)

        monkeypatch.setattr(hmac, "compare_digest", compare)

    def compared(self, stored: str) -> bool:
        return any(stored.encode() in pair for pair in self.pairs)


def _wrong(secret: str) -> str:
    """The same length, one character off: what a timing attack would probe with."""
    return secret[:-1] + ("x" if secret[-1] != "x" else "y")


# (api, credentials presented, the stored secret the presented one must be compared with)
PROBES = [
    ("atrium", {"client_id": "client-a", "api_key": _wrong("atrium-key-a")}, "atrium-key-a"),
    ("myrewards", {"key": _wrong("mr-key-a")}, "mr-key-a"),
    ("myrewards", {"key": _wrong("mr-key-b")}, "mr-key-b"),
    ("myrewards", {"key": "mr-signed-a", "secret": _wrong("mr-secret-a")}, "mr-secret-a"),
    ("saasquatch", {"key": _wrong("SQ_KEY_A")}, "SQ_KEY_A"),
]


@pytest.mark.parametrize("api,creds,stored", PROBES, ids=[f"{p[0]}-{p[2]}" for p in PROBES])
def test_secrets_are_compared_in_constant_time(sandbox, monkeypatch, api, creds, stored):
    route = routes(api, "a")[0]
    recorder = Recorder(monkeypatch)
    response = sandbox.send(api, route.method, route.url(), encode(route.body), creds=creds)
    assert response.status_code == 401
    assert recorder.compared(stored), f"{stored!r} was not compared with hmac.compare_digest: {recorder.pairs}"
    print(f"[reliability] auth, {api}: a wrong secret was compared with {stored!r} by hmac.compare_digest")


def test_eagleeye_hash_is_compared_in_constant_time(sandbox, monkeypatch):
    route = routes("eagleeye", "a")[5]                                   # GET /wallet/5001
    signed = route.url()[len(PREFIX["eagleeye"]):]
    expected = hashlib.sha256(signed.encode() + b"ee-secret-a").hexdigest()
    recorder = Recorder(monkeypatch)
    response = sandbox.send("eagleeye", "GET", route.url(), tenant=None,
                            headers={"X-EES-AUTH-CLIENT-ID": "ee-client-a", "X-EES-AUTH-HASH": _wrong(expected)})
    assert response.status_code == 401 and recorder.compared(expected)


# health and the reference (its page, Swagger UI's files, the documents) hold no secret
OPEN_CONTROL_PATHS = ("/health", "/docs", "/docs/static/{asset}", "/openapi.json")


def test_control_token_is_compared_in_constant_time(tmp_path, monkeypatch):
    sandbox = Sandbox(build_app(str(tmp_path / "token.sqlite"), WORLD, admin_token=TOKEN))
    recorder = Recorder(monkeypatch)
    assert sandbox.http.get("/_sandbox/clock", headers={"Authorization": f"Bearer {_wrong(TOKEN)}"}).status_code == 401
    assert recorder.compared(TOKEN)


@pytest.mark.slow
def test_the_control_api_requires_its_token_on_every_route(tmp_path):
    sandbox = Sandbox(build_app(str(tmp_path / "token.sqlite"), WORLD, admin_token=TOKEN))
    good = {"Authorization": f"Bearer {TOKEN}"}
    bad_headers = [{}, {"Authorization": f"Bearer {_wrong(TOKEN)}"}, {"Authorization": TOKEN},
                   {"Authorization": f"Basic {base64.b64encode(TOKEN.encode()).decode()}"},
                   {"Authorization": f"Bearer {TOKEN.upper()}"}, {"Authorization": "Bearer "},
                   {"Authorization": f"Bearer {TOKEN}x"}, {"X-Admin-Token": TOKEN}]
    refused = 0
    open_routes = [r for r in routes("control") if r.template in OPEN_CONTROL_PATHS]
    assert sorted(r.template for r in open_routes) == sorted(OPEN_CONTROL_PATHS)
    for route in open_routes:        # health and the docs hold no secret: no token needed
        for headers in bad_headers:
            assert sandbox.http.open(route.url(), method=route.method, headers=headers).status_code == 200
    for route in (r for r in routes("control") if r.template not in OPEN_CONTROL_PATHS):
        for prefix in ("", "/_ns/job-1", "/_ns/new-namespace"):
            before = _everything(sandbox, good)
            for headers in bad_headers:
                response = sandbox.http.open(prefix + route.url(), method=route.method, data=encode(route.body),
                                             headers={**headers, "Content-Type": "application/json"})
                assert response.status_code == 401, (route.key, prefix, headers)
                assert error_shape_problem("control", response) is None
                refused += 1
            assert _everything(sandbox, good) == before, route.key
            for step in route.setup:
                sandbox.http.open(f"/_ns/{step.namespace}{step.url()}" if step.namespace else step.url(),
                                  method=step.method, data=encode(step.body),
                                  headers={**good, "Content-Type": "application/json"})
            response = sandbox.http.open(route.url(), method=route.method, data=encode(route.body),
                                         headers={**good, "Content-Type": "application/json"})
            assert response.status_code < 300, (route.key, response.get_data()[:200])
    namespaces = sandbox.http.get("/_sandbox/namespaces", headers=good).get_json()["namespaces"]
    assert "new-namespace" not in json.dumps(namespaces)         # refused requests created nothing
    print(f"[reliability] auth, control token: {refused} requests without the right token refused with 401 "
          f"on {len(routes('control'))} routes (plain and namespaced), state unchanged; each accepted with it")


def _everything(sandbox, headers) -> dict:
    state = {api: sandbox.http.get(f"/_sandbox/state/{api}", headers=headers).get_json()["tables"]
             for api in ("atrium", "myrewards", "saasquatch", "eagleeye")}
    state["faults"] = sandbox.http.get("/_sandbox/faults", headers=headers).get_json()
    clock = sandbox.http.get("/_sandbox/clock", headers=headers).get_json()
    state["clock"] = clock if clock["frozen"] else None
    return state


def _secrets_sent(url: str) -> tuple[list[str], list[tuple]]:
    """Send every route of every API, with good and wrong credentials; return every secret
    that went over the wire and the requests sent."""
    secrets = [TOKEN, "atrium-key-a", "atrium-key-b", "mr-key-a", "mr-key-b", "mr-secret-a", "mr-secret-b",
               "SQ_KEY_A", "SQ_KEY_B", "ee-secret-a", "bank-pass-Kq7", "mfa-answer-Vw3"]
    sent = []
    for api in ("atrium", "myrewards", "saasquatch", "eagleeye"):
        for route in routes(api, "a"):
            body = route.body
            if route.key == ("POST", "/users/{user_guid}/members"):
                body = json.loads(json.dumps(body).replace('"another"', '"bank-pass-Kq7"'))
            if route.key == ("PUT", "/users/{user_guid}/members/{member_guid}/resume"):
                body = json.loads(json.dumps(body).replace('"correct"', '"mfa-answer-Vw3"'))
            raw = encode(body)
            for creds in _credential_variants(api):
                headers = {**auth_headers(api, creds, route.url(), raw), "Content-Type": "application/json"}
                secrets += [v.split(" ", 1)[-1] for k, v in headers.items() if k.lower() in
                            ("authorization", "x-ees-auth-hash", "mx-api-key")]
                response = requests.request(route.method, url + route.url(), data=raw, headers=headers, timeout=30)
                sent.append((api, route.key, response.status_code))
    return sorted(set(secrets)), sent


def _credential_variants(api: str) -> list[dict]:
    good = {"atrium": {"client_id": "client-a", "api_key": "atrium-key-a"}, "myrewards": {"key": "mr-key-a"},
            "saasquatch": {"key": "SQ_KEY_A"}, "eagleeye": {"client_id": "ee-client-a", "secret": "ee-secret-a"}}[api]
    signed = {"myrewards": {"key": "mr-signed-a", "secret": "mr-secret-a"}}.get(api)
    wrong = {k: (_wrong(v) if k in ("api_key", "key", "secret") else v) for k, v in good.items()}
    return [good, wrong] + ([signed] if signed else [])


@pytest.mark.slow
def test_no_secret_in_the_request_log_or_the_journal(live_server, monkeypatch):
    real_get = requests.get
    with monkeypatch.context() as patch:          # the start-up health check must send the token too
        patch.setattr(requests, "get", lambda url, headers=None, **kw: real_get(
            url, headers={"Authorization": f"Bearer {TOKEN}", **(headers or {})}, **kw))
        server = live_server(WORLD, workers=2, env={"SANDBOX_ADMIN_TOKEN": TOKEN})
    secrets, sent = _secrets_sent(server.url)
    good = {"Authorization": f"Bearer {TOKEN}"}
    journal = requests.get(f"{server.url}/_sandbox/requests", headers=good, timeout=30).json()["requests"]
    assert len(journal) == len(sent)
    journal_text = json.dumps(journal, ensure_ascii=False)
    log = server.log()
    request_lines = [line for line in log.splitlines() if line.split(" ", 1)[0] in ("GET", "POST", "PUT", "PATCH", "DELETE")]
    assert len(request_lines) >= len(sent)
    leaks = {secret: [where for where, text in (("journal", journal_text), ("request log", "\n".join(request_lines)))
                      if secret in text] for secret in secrets}
    assert not {s: w for s, w in leaks.items() if w}, leaks
    assert TOKEN not in log                                  # not even in the start-up banner
    masked = [e["headers"].get(h) for e in journal for h in ("Authorization", "Mx-Api-Key", "X-Ees-Auth-Hash")
              if e["headers"].get(h)]
    assert masked and all(v.endswith("***") for v in masked)
    print(f"[reliability] auth, logs: {len(sent)} requests with {len(secrets)} distinct secrets (keys, secrets, "
          f"Basic and token headers, request hashes, a bank password, an MFA answer): none in the journal "
          f"({len(journal)} entries, {len(masked)} masked headers) or the {len(request_lines)} request log lines")


@pytest.mark.parametrize("body,masked", [
    ({"member": {"credentials": [{"guid": "CRD-1", "value": "s3cret"}], "institution_code": "mxbank"}},
     {"member": {"credentials": [{"guid": "CRD-1", "value": "***"}], "institution_code": "mxbank"}}),
    ({"member": {"challenges": [{"guid": "CRD-1", "value": "answer"}]}},
     {"member": {"challenges": [{"guid": "CRD-1", "value": "***"}]}}),
    ({"Password": "p", "api_key": 5, "token": {"nested": "t"}, "user": {"secret": "s", "name": "kept"}},
     {"Password": "***", "api_key": "***", "token": "***", "user": {"secret": "***", "name": "kept"}}),
    ({"identities": [{"value": "card-1"}], "value": 10}, None),                  # not credentials: unchanged
])
def test_credential_fields_in_bodies_are_masked(body, masked):
    from sandbox.core.masking import mask_body
    raw = json.dumps(body).encode()
    assert json.loads(mask_body(raw)) == (masked or body)


def test_bodies_that_are_not_json_or_were_cut_short_are_masked_by_pattern():
    from sandbox.core.masking import mask_body
    cut = b'{"member": {"credentials": [{"guid": "CRD-1", "value": "s3cret"}, {"guid": "CRD-2", "value": "tw\\"o'
    assert b"s3cret" not in mask_body(cut) and b"tw" not in mask_body(cut) and b"CRD-2" in mask_body(cut)
    assert mask_body(b'password: "x"; {"password": "hunter2"') == b'password: "x"; {"password": "***"'
    plain = b'{"accountId": "6001", "value": 10}'
    assert mask_body(plain) is plain
