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


def test_snapshot_and_restore_put_the_state_and_clock_back_mid_test(rewards_sandbox):
    base, auth = rewards_sandbox.base_url("saasquatch"), ("", "TEST_B4BYA15POHYQ284HBND1")
    balance = f"{base}/api/v1/test_abo912126tastastt/reward/balance?accountId=613611"
    rewards_sandbox.clock.freeze("2026-01-15T09:00:00Z")
    before = requests.get(balance, auth=auth).json()
    taken = rewards_sandbox.snapshot("before-redeem")
    assert taken["name"] == "before-redeem" and taken["scenario"] == "default"

    r = requests.post(f"{base}/api/v1/test_abo912126tastastt/credit/bulkredeem",
                      json={"accountId": "613611", "unit": "CENTS", "amount": 100}, auth=auth)
    assert r.status_code == 200
    rewards_sandbox.clock.advance("3d")
    assert requests.get(balance, auth=auth).json() != before

    restored = rewards_sandbox.restore("before-redeem")
    assert restored["name"] == "default"
    assert requests.get(balance, auth=auth).json() == before
    assert rewards_sandbox.clock.now() == "2026-01-15T09:00:00Z"
    # the journal is not part of a snapshot: the redeem is still recorded
    assert [e["status"] for e in rewards_sandbox.requests(method="POST")] == [200]
