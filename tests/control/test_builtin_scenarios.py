"""Built-in scenarios by name: ``GET /_sandbox/scenarios`` lists them and
``POST /_sandbox/scenario {"builtin": NAME}`` loads one."""
from pathlib import Path

import pytest
import yaml

from sandbox.core.paths import scenarios_dir
from sandbox.core.scenario_files import read_file

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture
def client(make_app):
    return make_app("default").test_client()


def test_the_list_names_every_file_under_scenarios_with_its_description_source_and_step_count(client):
    r = client.get("/_sandbox/scenarios")
    assert r.status_code == 200
    listed = {s["name"]: s for s in r.json["scenarios"]}
    files = sorted(SCENARIOS.rglob("*.yaml"))
    assert len(files) >= 60 and set(listed) == {p.relative_to(SCENARIOS).with_suffix("").as_posix() for p in files}
    for path in files:
        doc = yaml.safe_load(path.read_text())
        entry = listed[path.relative_to(SCENARIOS).with_suffix("").as_posix()]
        assert set(entry) == {"name", "description", "source", "steps"}
        assert entry["steps"] == len(doc.get("steps") or [])
        assert entry["description"] == " ".join(doc["description"].split())
        assert entry["source"] == doc.get("source")
    assert listed["default"]["steps"] == 0 and listed["atrium/lockout-after-rewards"]["steps"] > 0
    assert sum(s["steps"] for s in listed.values()) > 300


def test_the_list_reads_the_folder_the_package_serves_from():
    assert scenarios_dir().resolve() == SCENARIOS.resolve()


def test_a_builtin_loads_by_name_and_answers_the_same_summary_as_a_posted_document(client):
    r = client.post("/_sandbox/scenario", json={"builtin": "atrium/lockout-after-rewards"})
    assert r.status_code == 200
    assert r.json["name"] == "atrium-lockout-after-rewards"
    assert r.json["clock"]["now"].startswith("2026-01-15T09:00:00") and r.json["clock"]["frozen"] is True
    assert r.json["counts"]["atrium"]["members"] >= 1
    assert client.get("/_sandbox/health").json["scenario"] == "atrium-lockout-after-rewards"
    # the same file sent as a document (its includes resolved) answers the same summary
    document, _ = read_file(SCENARIOS / "atrium" / "lockout-after-rewards.yaml")
    again = client.post("/_sandbox/scenario", json=document)
    assert again.status_code == 200 and again.json == r.json


def test_the_yaml_suffix_is_optional(client):
    r = client.post("/_sandbox/scenario", json={"builtin": "saasquatch/reward-lifecycle.yaml"})
    assert r.status_code == 200 and r.json["name"] == "saasquatch-reward-lifecycle"


@pytest.mark.parametrize("name", ["no/such-scenario", "../fixtures/atrium/default", "/etc/passwd", "README.md",
                                  "README", "../pyproject.toml", "default\u0000"])
def test_an_unknown_name_is_a_400_naming_the_field_and_changes_nothing(client, name):
    client.post("/saasquatch/api/v1/test_abo912126tastastt/credit/bulkredeem",
                json={"accountId": "613611", "unit": "CENTS", "amount": 100},
                auth=("", "TEST_B4BYA15POHYQ284HBND1"))
    before = client.get("/_sandbox/state/saasquatch").json
    r = client.post("/_sandbox/scenario", json={"builtin": name})
    assert r.status_code == 400
    assert r.json["error"] and [p["path"] for p in r.json["problems"]] == ["builtin"]
    assert "GET /_sandbox/scenarios" in r.json["problems"][0]["message"]
    assert client.get("/_sandbox/state/saasquatch").json == before
    assert client.get("/_sandbox/health").json["scenario"] == "default"


@pytest.mark.parametrize("body", [{"builtin": 7}, {"builtin": None}, {"builtin": ""}, {"builtin": ["default"]},
                                  {"builtin": "default", "name": "mine"}])
def test_a_builtin_that_is_not_a_name_alone_is_a_400_naming_the_field(client, body):
    r = client.post("/_sandbox/scenario", json=body)
    assert r.status_code == 400
    assert [p["path"] for p in r.json["problems"]] == ["builtin"]
    assert client.get("/_sandbox/health").json["scenario"] == "default"


def test_the_admin_token_guards_both(make_app):
    client = make_app("default", admin_token="s3cret").test_client()
    assert client.get("/_sandbox/scenarios").status_code == 401
    assert client.post("/_sandbox/scenario", json={"builtin": "default"}).status_code == 401
    auth = {"Authorization": "Bearer s3cret"}
    assert client.get("/_sandbox/scenarios", headers=auth).status_code == 200
    assert client.post("/_sandbox/scenario", json={"builtin": "default"}, headers=auth).status_code == 200
