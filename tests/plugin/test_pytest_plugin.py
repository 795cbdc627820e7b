"""The rewards_sandbox fixture, used the way a partner's test suite would use it."""
import pytest
import requests


def test_each_test_gets_its_own_namespace_from_the_startup_world(rewards_sandbox):
    health = requests.get(rewards_sandbox.url + "/_sandbox/health").json()
    assert health["scenario"] == "default" and health["namespace"] == rewards_sandbox.namespace
    assert rewards_sandbox.base_url("saasquatch").endswith(f"/_ns/{rewards_sandbox.namespace}/saasquatch")
    assert set(rewards_sandbox.credentials) == {"atrium", "myrewards", "saasquatch", "eagleeye"}


def test_clock_journal_and_faults_helpers(rewards_sandbox):
    assert rewards_sandbox.clock.freeze("2026-01-15T09:00:00Z")["frozen"] is True
    assert rewards_sandbox.clock.advance("3h")["now"] == "2026-01-15T12:00:00Z"
    rewards_sandbox.fault(api="myrewards", path="transactions", status=503, times=1)
    r = requests.get(rewards_sandbox.base_url("myrewards") + "/api/v2/users/1/transactions")
    assert r.status_code == 503 and r.json() == {"errors": ["Injected fault"]}
    [entry] = rewards_sandbox.requests(api="myrewards")
    assert entry["status"] == 503 and entry["path"] == "/myrewards/api/v2/users/1/transactions"


def test_a_previous_tests_clock_did_not_leak(rewards_sandbox):
    assert rewards_sandbox.control("GET", "/clock")["frozen"] is False
    assert rewards_sandbox.requests() == []


@pytest.mark.rewards_sandbox(scenario="default")
def test_a_marker_chooses_the_world(rewards_sandbox):
    assert rewards_sandbox.control("GET", "/scenario")["name"] == "default"


def test_the_readme_example_is_this_suites_example():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    example = (root / "tests" / "plugin" / "test_readme_example.py").read_text()
    assert f"```python\n{example}```" in (root / "README.md").read_text()
