"""The replay command: passing and failing files, in-process and against a server, JUnit."""
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from sandbox.replay.matching import differences, dig, substitute

PASSING = """
name: replay-passing
clock: "2026-01-15T09:00:00Z"
steps:
  - name: health names the world
    request: {method: GET, path: /_sandbox/health}
    expect: {status: 200, json: {status: ok, scenario: replay-passing}}
    capture: {world: scenario, version: version}
  - name: the clock moves before the request
    clock: {advance: 3h}
    request: {method: GET, path: /_sandbox/clock}
    expect:
      status: 200
      json: {now: "2026-01-15T12:00:00Z", frozen: true}
      headers: {Content-Type: application/json}
  - name: captured values substitute with their type
    request: {method: GET, path: /_sandbox/health}
    expect: {json: {scenario: "{{world}}", version: "{{version}}", worker_pid: "{{any}}"}}
  - name: an unknown vendor path answers in the vendor's shape
    request: {method: GET, path: /saasquatch/api/v1/nowhere}
    expect: {status: 404, json: {statusCode: 404, apiErrorCode: "{{any}}", message: "{{any}}"}}
"""

FAILING = """
name: replay-failing
steps:
  - name: this one passes
    request: {method: GET, path: /_sandbox/health}
    expect: {status: 200}
  - name: wrong status and wrong field
    request: {method: GET, path: /_sandbox/clock}
    expect: {status: 201, json: {frozen: true}}
  - name: still runs after a failure
    request: {method: GET, path: /_sandbox/health}
    expect: {status: 200}
"""

INVALID = """
name: replay-invalid
steps:
  - name: no method
    request: {path: /_sandbox/health}
"""


@pytest.fixture
def files(tmp_path):
    paths = {}
    (tmp_path / "scenarios").mkdir()
    for name, text in {"passing": PASSING, "failing": FAILING, "invalid": INVALID}.items():
        paths[name] = tmp_path / "scenarios" / f"{name}.yaml"
        paths[name].write_text(text)
    return paths


def replay(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sandbox.cli", "replay", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def check_outputs(result, junit_path):
    out = result.stdout
    assert result.returncode == 1
    assert "✓ health names the world" in out and "✓ still runs after a failure" in out
    assert "✗ wrong status and wrong field" in out
    assert "status: expected 201, got 200" in out
    assert "json frozen: expected true, got false" in out
    assert "steps[0].request.method" in out
    assert "Traceback" not in out + result.stderr
    assert out.strip().splitlines()[-1] == "6 passed, 2 failed"
    suites = ET.parse(junit_path).getroot().findall("testsuite")
    assert [int(s.get("tests")) for s in suites] == [3, 1, 4]  # failing, invalid, passing (sorted)
    cases = [c for s in suites for c in s.findall("testcase")]
    failures = {c.get("name"): c.find("failure").get("message") for c in cases if c.find("failure") is not None}
    assert set(failures) == {"load scenario file", "wrong status and wrong field"}
    assert "expected 201, got 200" in failures["wrong status and wrong field"]


def test_replay_in_process(files, tmp_path):
    junit_path = tmp_path / "report.xml"
    result = replay(tmp_path / "scenarios", "--junit", junit_path)
    check_outputs(result, junit_path)


def test_replay_against_a_running_server_gives_the_same_result(files, tmp_path, live_server):
    server = live_server({"name": "startup"})
    junit_path = tmp_path / "report.xml"
    result = replay(tmp_path / "scenarios", "--target", server.url, "--junit", junit_path)
    check_outputs(result, junit_path)


def test_a_passing_file_exits_zero(files):
    result = replay(files["passing"])
    assert result.returncode == 0 and result.stdout.strip().endswith("4 passed, 0 failed")


def test_fail_fast_stops_at_the_first_failure(files):
    result = replay(files["failing"], files["passing"], "--fail-fast")
    assert result.returncode == 1
    assert "still runs after a failure" not in result.stdout and "replay-passing" not in result.stdout


def test_subset_matching():
    actual = {"member": {"guid": "MBR-1", "is_being_aggregated": True, "extra": 1}, "list": [{"a": 1, "b": 2}]}
    assert differences({"member": {"is_being_aggregated": True}, "list": [{"a": 1}]}, actual) == []
    assert differences({"member": {"guid": "{{any}}"}}, actual) == []
    assert differences({"member": {"missing": 1}}, actual) == [("member.missing", 1, "<missing>")]
    assert differences({"list": [{"a": 2}]}, actual) == [("list[0].a", 2, 1)]
    assert differences({"list": []}, actual)[0][0] == "list"
    assert differences({"member": {"is_being_aggregated": 1}}, actual) != []  # true is not 1
    assert differences({"n": 1}, {"n": 1.0}) == []


def test_substitution_and_capture_paths():
    captured = {"id": 42, "guid": "MBR-1"}
    assert substitute({"a": "{{id}}", "b": "/users/{{guid}}/x", "c": "{{any}}"}, captured) == \
        {"a": 42, "b": "/users/MBR-1/x", "c": "{{any}}"}
    assert dig({"rewards": [{"guid": "R1"}]}, "rewards.0.guid") == "R1"
    with pytest.raises(KeyError):
        dig({"rewards": []}, "rewards.0.guid")
    with pytest.raises(KeyError):
        substitute("{{nope}}", captured)
