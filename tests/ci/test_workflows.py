"""The GitHub Actions workflows: linted with actionlint, and the container workflow builds,
smoke-tests with .ci/smoke and publishes what the README's CI example names."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
CONTAINER = ROOT / ".github" / "workflows" / "container.yml"


def actionlint() -> str:
    """The actionlint installed with the test extra (beside this Python), else on PATH."""
    beside = Path(sys.executable).with_name("actionlint")
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    assert found, "actionlint is not installed: pip install '.[test]'"
    return found


def lint(*paths) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", *map(str, paths)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_every_workflow_passes_actionlint():
    assert CONTAINER in WORKFLOWS
    result = lint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The lint can fail: an undefined job in needs and an unknown expression context."""
    broken = tmp_path / "broken.yml"
    broken.write_text(CONTAINER.read_text().replace("needs: smoke", "needs: smok")
                      .replace("${{ github.actor }}", "${{ githu.actor }}"))
    result = lint(broken)
    assert result.returncode != 0
    assert "smok" in result.stdout and "githu" in result.stdout


def workflow() -> dict:
    doc = yaml.safe_load(CONTAINER.read_text())
    doc["on"] = doc.pop(True, doc.get("on"))        # YAML 1.1 reads the key `on` as true
    return doc


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_the_image_is_built_and_smoke_tested_on_every_push():
    doc = workflow()
    assert doc["on"]["push"]["branches"] == ["**"]
    smoke = doc["jobs"]["smoke"]
    assert "if" not in smoke
    commands = runs(smoke)
    assert "docker build" in commands and "docker run" in commands
    assert "{{.State.Health.Status}}" in commands               # waits for the image's own HEALTHCHECK
    assert re.search(r"^python \.ci/smoke http://127\.0\.0\.1:8080$", commands, re.M)


def test_a_version_tag_publishes_both_platforms_to_the_github_container_registry():
    doc = workflow()
    assert doc["on"]["push"]["tags"] == ["v*"]
    publish = doc["jobs"]["publish"]
    assert publish["needs"] == "smoke"
    assert "refs/tags/v" in publish["if"] and publish["permissions"]["packages"] == "write"
    push = next(step for step in publish["steps"] if step.get("uses", "").startswith("docker/build-push-action@"))
    assert push["with"]["push"] is True
    assert set(push["with"]["platforms"].split(",")) == {"linux/amd64", "linux/arm64"}
    login = next(step for step in publish["steps"] if step.get("uses", "").startswith("docker/login-action@"))
    assert login["with"]["registry"] == "ghcr.io"
    assert 'IMAGE=ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/rewards-sandbox' in runs(publish)


def test_the_readme_ci_example_names_the_published_image_and_how_a_fork_builds_its_own():
    readme = (ROOT / "README.md").read_text()
    assert "image: ghcr.io/OWNER/rewards-sandbox:" in readme
    assert ".github/workflows/container.yml" in readme
    assert "docker build -t rewards-sandbox ." in readme
    assert "git tag v" in readme                        # a fork publishes its own by pushing a tag
    assert ".ci/smoke" in readme


def test_the_readme_github_actions_example_passes_actionlint(tmp_path):
    readme = (ROOT / "README.md").read_text()
    examples = [block for block in re.findall(r"```yaml\n(.*?)```", readme, re.S) if block.startswith("jobs:")]
    assert len(examples) == 1
    example = tmp_path / "readme-example.yml"
    example.write_text("on: push\n" + examples[0])
    result = lint(example)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_smoke_script_passes_against_a_live_server(live_server):
    server = live_server("default")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run([sys.executable, str(ROOT / ".ci" / "smoke"), server.url], capture_output=True,
                            text=True, timeout=600, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for line in ("ok   health", "ok   front door lists every API", "ok   atrium: read member",
                 "ok   myrewards: credit points", "ok   saasquatch: reward balances", "ok   eagleeye: wallet accounts",
                 "ok   the built-in scenario library replayed"):
        assert line in result.stdout
    summary = re.search(r"^(\d+) passed, 0 failed$", result.stdout, re.M)
    assert summary and int(summary.group(1)) > 300


@pytest.mark.slow
def test_the_smoke_script_fails_when_nothing_answers(tmp_path):
    from tests.support import free_port

    env = {**os.environ, "SMOKE_WAIT_S": "1"}
    result = subprocess.run([sys.executable, str(ROOT / ".ci" / "smoke"), f"http://127.0.0.1:{free_port()}"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1 and "FAIL health" in result.stdout
