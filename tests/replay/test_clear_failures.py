"""What replay and load say when something is wrong: one line and exit status 2 for a
server that does not answer or a refused admin token; every problem of a file at once;
JUnit a dotted reporter can group; a line per file."""
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from sandbox.replay.transport import Http, Unreachable
from tests.support import free_port

BROKEN = """
name: broken world/and steps
atrium:
  clients: 5
myrewards:
  programmes:
    - {id: 1, name: P, points_balance: ten}
steps:
  - name: no method
    request: {path: /_sandbox/health}
  - name: a clock move that is not a duration
    clock: {advance: soon}
    request: {method: GET, path: /_sandbox/health}
"""

UNKNOWN_REFERENCE = """
name: dangling
atrium:
  users:
    - {client_id: nobody}
steps:
  - name: no request
"""

PASSING = """
name: "passing.file v2"
steps:
  - name: health
    request: {method: GET, path: /_sandbox/health}
    expect: {status: 200}
  - name: clock
    request: {method: GET, path: /_sandbox/clock}
    expect: {status: 200}
"""


def cli(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "sandbox.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300, env=env, cwd=cwd)


def nothing_listens() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize("command", [["replay", "atrium"], ["load", "default"]])
def test_a_target_that_is_not_running_is_one_line_and_exit_2(command):
    url = nothing_listens()
    result = cli(*command, "--target", url)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"cannot reach {url}: Connection refused"]
    assert result.stdout == ""


def test_the_http_transport_turns_a_vanished_server_into_unreachable():
    url = nothing_listens()
    with pytest.raises(Unreachable, match=f"^cannot reach {url}: Connection refused$"):
        Http(url).send("GET", "/atrium/users", {}, b"")


def test_a_missing_or_wrong_admin_token_is_reported_as_that(live_server, tmp_path):
    server = live_server("default", env={"SANDBOX_ADMIN_TOKEN": "s3cret"})
    world = tmp_path / "w.yaml"
    world.write_text(PASSING)
    env = {"PATH": "/usr/bin:/bin"}
    for command in (["replay", world], ["load", world]):
        missing = cli(*command, "--target", server.url, env=env)
        assert missing.returncode == 2, missing
        assert missing.stderr.splitlines() == [
            "the control API needs Authorization: Bearer <token>; set SANDBOX_ADMIN_TOKEN"]
        wrong = cli(*command, "--target", server.url, env={**env, "SANDBOX_ADMIN_TOKEN": "nope"})
        assert wrong.returncode == 2
        assert wrong.stderr.splitlines() == [
            "the control API refused the admin token; set SANDBOX_ADMIN_TOKEN to the server's token"]
        assert "invalid scenario" not in missing.stdout + missing.stderr + wrong.stdout + wrong.stderr
        right = cli(*command, "--target", server.url, env={**env, "SANDBOX_ADMIN_TOKEN": "s3cret"})
        assert right.returncode == 0, right.stdout + right.stderr


def test_every_problem_of_a_file_is_reported_in_one_pass(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    result = cli("replay", broken)
    assert result.returncode == 1
    out = result.stdout
    # the world's problems and the steps' problems, together
    assert "atrium.clients" in out and "myrewards.programmes[0].points_balance" in out
    assert "steps[0].request.method" in out and "steps[1].clock.advance" in out
    assert "Traceback" not in out + result.stderr
    assert out.splitlines()[-1] == "0 passed, 1 failed"


def test_cross_reference_problems_of_the_world_come_with_the_step_problems(tmp_path):
    dangling = tmp_path / "dangling.yaml"
    dangling.write_text(UNKNOWN_REFERENCE)
    out = cli("replay", dangling).stdout
    assert "steps[0].request" in out and "atrium.users[0].client_id: unknown client 'nobody'" in out


def test_junit_classname_is_the_scenario_name_made_dotted_safe_with_the_file_in_an_attribute(tmp_path):
    (tmp_path / "s").mkdir()
    passing, broken = tmp_path / "s" / "passing.yaml", tmp_path / "s" / "broken.yaml"
    passing.write_text(PASSING)
    broken.write_text(BROKEN)
    report = tmp_path / "junit.xml"
    cli("replay", tmp_path / "s", "--junit", report)
    suites = {s.get("file"): s for s in ET.parse(report).getroot().findall("testsuite")}
    assert set(suites) == {str(passing), str(broken)}
    cases = suites[str(passing)].findall("testcase")
    assert [(c.get("classname"), c.get("file"), c.get("name")) for c in cases] == [
        ("passing_file_v2", str(passing), "health"), ("passing_file_v2", str(passing), "clock")]
    [load] = suites[str(broken)].findall("testcase")
    assert load.get("classname") == "broken_world_and_steps" and load.get("file") == str(broken)
    assert float(suites[str(passing)].get("time")) > 0


def test_replay_prints_a_line_per_file_with_its_counts_and_time(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "a.yaml").write_text(PASSING)
    (tmp_path / "s" / "b.yaml").write_text(BROKEN)
    lines = cli("replay", tmp_path / "s").stdout.splitlines()
    per_file = [line for line in lines if line.startswith("= ")]
    assert len(per_file) == 2
    assert per_file[0].startswith(f"= {tmp_path / 's' / 'a.yaml'}: 2 passed, 0 failed in ")
    assert per_file[1].startswith(f"= {tmp_path / 's' / 'b.yaml'}: 0 passed, 1 failed in ")
    assert all(line.endswith(" s") for line in per_file)
    assert lines[-1] == "2 passed, 1 failed"


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_serve_on_a_port_in_use_is_one_line_naming_the_port_before_the_banner(tmp_path, host):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--host", host, "--port", port, "--db", tmp_path / "x.sqlite", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"port {port} is already in use on {host}; choose another with --port (or SANDBOX_PORT)"]
    assert "rewards-sandbox serving" not in result.stdout
    assert not (tmp_path / "x.sqlite").exists()         # nothing prepared
