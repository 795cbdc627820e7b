"""Adding a fifth API is its package plus one entry in the registry (sandbox/core/README.md):
with tests/core/dummy_api registered, everything that lists the APIs picks it up, and
nothing else is touched."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import sandbox
import sandbox.apis
from sandbox.replay.runner import run_file
from sandbox.replay.transport import InProcess
from tests.core import dummy_api
from tests.support import ROOT

WORLD = {"name": "five", "dummy": {"owner": "tests", "wallets": [{"id": "a", "balance": 10}]}}


@pytest.fixture
def registered(monkeypatch):
    """The registry with the dummy API added, as its one line in sandbox/apis/__init__.py would."""
    monkeypatch.setattr(sandbox.apis, "API_PACKAGES", [*sandbox.apis.API_PACKAGES, dummy_api.API])
    return sandbox.apis.API_PACKAGES


@pytest.fixture
def client(registered, tmp_path):
    return sandbox.build_sandbox(str(tmp_path / "five.sqlite"), WORLD).test_client()    # the registry's APIs


def test_the_app_serves_it_in_its_own_shape_beside_the_four(client):
    assert client.get("/dummy/wallets/a").json["balance"] == 10
    assert client.post("/dummy/wallets/a/spend", json={"amount": 3}).json == {"id": "a", "balance": 7}
    assert client.post("/dummy/wallets/a/spend", json={"amount": 30}).json == {"dummy_error": "insufficient balance",
                                                                              "status": 402}
    assert client.get("/dummy/nothing").json == {"dummy_error": "Resource not found", "status": 404}
    assert client.get("/atrium/users").status_code == 401      # the four are still there


def test_the_control_api_documents_loads_exports_and_faults_it(client):
    document = client.get("/_sandbox/openapi.json").json
    body = document["paths"]["/scenario"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    scenario = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
    assert {"dummy", "atrium", "eagleeye"} <= set(scenario["properties"])
    assert client.get("/_sandbox/state/dummy").json["tables"]["wallets"] == [{"id": "a", "balance": 10}]
    assert client.post("/_sandbox/faults", json={"api": "dummy", "status": 503}).status_code == 201
    assert client.get("/dummy/wallets/a").status_code == 503
    assert client.post("/_sandbox/faults", json={"api": "dummy6", "status": 503}).status_code == 400
    docs = client.get("/_sandbox/docs").get_data(as_text=True)
    assert "/dummy/openapi.json" in docs and "Dummy wallets" in client.get("/dummy/openapi.json").json["info"]["title"]
    assert client.get("/dummy/openapi.json").json["components"]["schemas"]["Error"]["required"] == ["dummy_error",
                                                                                                  "status"]


def test_the_journal_masks_the_secret_header_it_declares(client):
    client.get("/dummy/wallets/a", headers={"X-Dummy-Key": "k-123", "X-Other": "shown"})
    [entry] = client.get("/_sandbox/requests?api=dummy").json["requests"]
    assert entry["headers"]["X-Dummy-Key"] == "***" and entry["headers"]["X-Other"] == "shown"


def test_replay_authenticates_its_steps_through_it(registered, tmp_path):
    scenario = tmp_path / "five.yaml"
    scenario.write_text(json.dumps({**WORLD, "steps": [
        {"name": "spend", "request": {"method": "POST", "path": "/dummy/wallets/a/spend", "json": {"amount": 4},
                                      "auth": {"key": "k-9"}},
         "expect": {"status": 200, "json": {"balance": 6}}},
        {"name": "the key was sent", "request": {"method": "GET", "path": "/_sandbox/requests?api=dummy"},
         "expect": {"status": 200, "json": {"requests": [{"headers": {"X-Dummy-Key": "***"}}]}}}]}))
    result = run_file(scenario, InProcess)
    assert result.error is None and [s.passed for s in result.steps] == [True, True], result.steps


@pytest.mark.slow
def test_the_cli_and_the_reliability_catalogue_list_it():
    """In a fresh interpreter, so the registry is changed before anything reads it."""
    script = textwrap.dedent("""
        import json, sandbox.apis
        from tests.core import dummy_api
        sandbox.apis.API_PACKAGES.append(dummy_api.API)
        from click.testing import CliRunner
        from sandbox import cli
        from tests.reliability import catalogue
        help_text = CliRunner().invoke(cli.main, ["serve", "--help"]).output
        print(json.dumps({"choices": cli.API_NAMES, "help": help_text, "apis": list(catalogue.APIS),
                          "prefix": catalogue.PREFIX.get("dummy")}))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["choices"] == ["atrium", "myrewards", "saasquatch", "eagleeye", "dummy"]
    assert "eagleeye|dummy" in found["help"]
    assert found["apis"][-1] == "dummy" and found["prefix"] == "/dummy"


def test_the_registry_is_what_the_cli_and_the_catalogue_list():
    from sandbox import cli
    from tests.reliability import catalogue

    names = [api.name for api in sandbox.apis.API_PACKAGES]
    assert cli.API_NAMES == names and list(catalogue.APIS) == names
