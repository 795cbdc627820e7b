"""A client generated from each served OpenAPI document (openapi-python-client, offline) calls
the default world's happy path on a real server, given only the base URL and credentials.

This is the README's "Generate a client" recipe, run: the document's server is the base URL,
the typed models parse every answer (a field the document names but the answer lacks fails
here), and Atrium's Accept header comes from the document's defaults, not from the caller."""
from __future__ import annotations

import base64
import hashlib
import importlib
import subprocess
import sys

import httpx
import pytest
import requests

pytestmark = pytest.mark.slow


def generate(server, tmp_path, api: str, prefix: str):
    """Generate ``<api>_client`` from the served document; returns (package, base URL)."""
    with requests.get(f"{server.url}{prefix}/openapi.json", timeout=10) as document:
        assert document.status_code == 200
        (tmp_path / f"{api}.json").write_bytes(document.content)
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    package = f"{api}_client"
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(tmp_path / f"{api}.json"),
         "--meta", "none", "--config", str(tmp_path / "config.yaml"), "--output-path", str(tmp_path / package)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(package), server.url + document.json()["servers"][0]["url"]
    finally:
        sys.path.remove(str(tmp_path))


def call(module, name: str, *args, **kwargs):
    """``<package>.api.default.<name>.sync_detailed(...)``; the parsed answer, after checking
    the status is a success."""
    operation = importlib.import_module(f"{module.__name__}.api.default.{name}")
    response = operation.sync_detailed(*args, **kwargs)
    assert 200 <= response.status_code < 300, (name, response.status_code, response.content[:300])
    return response.parsed


class AirHash(httpx.Auth):
    """Eagle Eye AIR's request hash (the RequestHash scheme's description, as code)."""

    def __init__(self, client_id: str, secret: str):
        self.client_id, self.secret = client_id, secret

    def auth_flow(self, request):
        signed = request.url.raw_path + request.content + self.secret.encode()
        request.headers["X-EES-AUTH-CLIENT-ID"] = self.client_id
        request.headers["X-EES-AUTH-HASH"] = hashlib.sha256(signed).hexdigest()
        yield request


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.support import start_server

    running = start_server(tmp_path_factory.mktemp("clients"), "default", workers=1)
    yield running
    running.stop()


def test_atrium(server, tmp_path):
    atrium, base = generate(server, tmp_path, "atrium", "/atrium")
    with atrium.AuthenticatedClient(base_url=base, token="atrium-api-key", prefix="", auth_header_name="MX-API-Key",
                                    headers={"MX-Client-ID": "atrium-client"}) as client:
        users = call(atrium, "list_users", client=client)
        assert users.pagination.total_entries == len(users.users) >= 1
        user = users.users[0].guid
        assert call(atrium, "read_user", user, client=client).user.guid == user
        members = call(atrium, "list_members", user, client=client).members
        member = members[0].guid
        assert call(atrium, "read_member_status", user, member, client=client).member.guid == member
        accounts = call(atrium, "list_member_accounts", user, member, client=client).accounts
        assert accounts and accounts[0].member_guid == member
        assert call(atrium, "list_member_transactions", user, member, client=client).transactions
        started = call(atrium, "fetch_rewards", user, member, client=client)   # beta Accept, from the document
        assert started.member.is_being_aggregated is True
        assert call(atrium, "list_institutions", client=client).institutions


def test_eagleeye(server, tmp_path):
    air, base = generate(server, tmp_path, "eagleeye", "/eagleeye")
    with air.AuthenticatedClient(base_url=base, token="ees-client", prefix="", auth_header_name="X-EES-AUTH-CLIENT-ID",
                                 httpx_args={"auth": AirHash("ees-client", "0987654321")}) as client:
        assert call(air, "get_wallet", "555555", client=client).wallet_id == "555555"
        accounts = call(air, "list_accounts", "555555", client=client)
        points = next(a for a in accounts.results if a.type_ == "POINTS")
        movement = importlib.import_module(f"{air.__name__}.models.points_movement").PointsMovement(value=25)
        posted = call(air, "credit_account", "555555", points.account_id, client=client, body=movement)
        assert posted.balances_after["current"] == posted.balances_before["current"] + 25
        assert call(air, "list_account_transactions", "555555", points.account_id, client=client).total >= 1


def test_saasquatch(server, tmp_path):
    squatch, base = generate(server, tmp_path, "saasquatch", "/saasquatch")
    basic = base64.b64encode(b":TEST_B4BYA15POHYQ284HBND1").decode()     # the API key as the password
    with squatch.AuthenticatedClient(base_url=base, token=basic, prefix="Basic") as client:
        tenant = "test_abo912126tastastt"
        balances = call(squatch, "list_reward_balances", tenant, client=client, account_id="613611")
        assert balances and all(b.type_ for b in balances)
        rewards = call(squatch, "get_rewards", tenant, client=client, account_id="613611")
        assert call(squatch, "lookup_reward", tenant, rewards[0].id, client=client).id == rewards[0].id


def test_myrewards(server, tmp_path):
    myrewards, base = generate(server, tmp_path, "myrewards", "/myrewards")
    with myrewards.AuthenticatedClient(base_url=base, token="token=xxx", prefix="Token") as client:
        assert call(myrewards, "list_user_groups", client=client)
        assert call(myrewards, "list_registration_questions", client=client)
        history = call(myrewards, "list_transactions", "123", client=client)
        assert history and call(myrewards, "last_transaction", "123", client=client).id == history[-1].id
        assert call(myrewards, "list_promotions", client=client)


def test_control(server, tmp_path):
    control, base = generate(server, tmp_path, "control", "/_sandbox")
    with control.AuthenticatedClient(base_url=base, token="no token is set") as client:
        assert call(control, "health", client=client).status == "ok"
        assert call(control, "get_clock", client=client)
        assert "default" in [s.name for s in call(control, "get_scenarios", client=client).scenarios]
