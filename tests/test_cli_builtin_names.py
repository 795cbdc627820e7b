"""Built-in scenarios by name on the command line: `scenarios` lists them, `load` and
`replay` take a name (or a folder of them, `atrium`) wherever no such path exists."""
import subprocess
import sys

import requests

from sandbox.core.scenario_files import builtin_scenarios

PASSING = """
name: a-local-file
steps:
  - name: health
    request: {method: GET, path: /_sandbox/health}
    expect: {status: 200}
"""


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sandbox.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_scenarios_prints_every_builtin_with_its_steps_and_description(tmp_path):
    result = cli("scenarios", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    listed = builtin_scenarios()
    assert len(lines) == len(listed) >= 60
    for line, scenario in zip(lines, listed):
        assert line.split()[0] == scenario["name"]
        assert (f"{scenario['steps']} steps" if scenario["steps"] else "a world") in line
        assert line.rstrip().endswith(scenario["description"] or "")


def test_load_takes_a_builtin_name(live_server, tmp_path):
    server = live_server({"name": "startup"})
    result = cli("load", "atrium/lockout-after-rewards", "--target", server.url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert requests.get(server.url + "/_sandbox/health").json()["scenario"] == "atrium-lockout-after-rewards"
    missing = cli("load", "atrium/no-such-world", "--target", server.url, cwd=tmp_path)
    assert missing.returncode != 0 and "no built-in scenario" in missing.stderr


def test_replay_takes_builtin_names_and_folders(tmp_path):
    folder = [s for s in builtin_scenarios() if s["name"].startswith("eagleeye/")]
    result = cli("replay", "saasquatch/reward-lifecycle", "eagleeye", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    per_file = [line for line in result.stdout.splitlines() if line.startswith("= ")]
    assert len(per_file) == 1 + len(folder)
    assert per_file[0].startswith("= ") and "saasquatch/reward-lifecycle.yaml" in per_file[0]
    steps = sum(s["steps"] for s in folder) + next(s["steps"] for s in builtin_scenarios()
                                                    if s["name"] == "saasquatch/reward-lifecycle")
    assert result.stdout.splitlines()[-1] == f"{steps} passed, 0 failed"


def test_a_path_that_exists_wins_over_a_builtin_name(tmp_path):
    (tmp_path / "atrium").mkdir()
    (tmp_path / "atrium" / "mine.yaml").write_text(PASSING)
    result = cli("replay", "atrium", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "1 passed, 0 failed"
    assert "a-local-file" in result.stdout


def test_a_name_that_is_neither_a_path_nor_a_builtin_is_one_line_and_exit_2(tmp_path):
    result = cli("replay", "atrium/no-such-world", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == ["atrium/no-such-world: no such file or folder, and no built-in "
                                          "scenario of that name (rewards-sandbox scenarios lists them)"]
