"""There is no container engine here, so run what the Dockerfile runs: install the
project in a fresh virtual environment, start its CMD with its ENV (plus a free port and a
/data-like volume path), and check its HEALTHCHECK command reports healthy."""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> dict:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = {"env": {}}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("FROM "):
            found["from"] = line.split()[1]
        elif line.startswith("ENV "):
            found["env"].update(dict(re.findall(r"(\w+)=(\S+)", line[4:])))
        elif line.startswith("CMD "):
            found["cmd"] = json.loads(line[4:])
        elif line.startswith("HEALTHCHECK "):
            options, command = line[len("HEALTHCHECK "):].split(" CMD ", 1)
            found["healthcheck"] = json.loads(command)
            found["healthcheck_options"] = dict(re.findall(r"--([\w-]+)=(\S+)", options))
        elif line.startswith("EXPOSE "):
            found["expose"] = line.split()[1]
        elif line.startswith("USER "):
            found["user"] = line.split()[1]
        elif line.startswith("VOLUME "):
            found["volume"] = json.loads(line[7:])
        elif line.startswith("RUN ") and "pip install" in line:
            found["pip_install"] = line[4:].split("&&")[0].split()
        elif line.startswith("COPY "):
            found.setdefault("copied", []).extend(line.split()[1:-1])
    return found


def test_the_dockerfile_has_what_a_service_container_needs():
    spec = dockerfile()
    assert re.match(r"python:3\.\d+-slim$", spec["from"])
    assert spec["user"] not in ("root", "0")
    assert spec["env"]["SANDBOX_HOST"] == "0.0.0.0" and spec["expose"] == spec["env"]["SANDBOX_PORT"]
    assert spec["cmd"][:2] == ["rewards-sandbox", "serve"]
    assert spec["healthcheck"][0] == "python" and "curl" not in " ".join(spec["healthcheck"])
    assert spec["volume"] == ["/data"]
    # the image installs the pinned versions the suite passed with
    assert spec["pip_install"][:2] == ["pip", "install"] and "constraints.txt" in spec["copied"]
    assert spec["pip_install"][spec["pip_install"].index("-c") + 1] == "constraints.txt"


def seconds(duration: str) -> float:
    """A Docker (Go) duration such as 500ms, 10s, 1m30s, in seconds."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)


def test_the_healthcheck_reports_healthy_within_about_a_second_of_readiness():
    """During the start period Docker runs the check every --start-interval (Docker 25+):
    a container is reported healthy at most that long (plus the check itself) after the
    server first answers, instead of after the first --interval."""
    options = dockerfile()["healthcheck_options"]
    assert seconds(options["start-interval"]) <= 1.0
    assert seconds(options["start-period"]) >= 10 * seconds(options["start-interval"])
    assert seconds(options["interval"]) >= seconds(options["start-interval"])
    assert seconds(options["timeout"]) <= seconds(options["interval"])


def test_seconds_reads_docker_durations():
    assert seconds("500ms") == 0.5 and seconds("10s") == 10 and seconds("1m30s") == 90
    with pytest.raises(AssertionError):
        seconds("10")


def test_constraints_pin_every_dependency_within_its_range():
    """constraints.txt (written by .ci/pin) pins each runtime and test dependency of
    pyproject.toml exactly, at a version its range allows."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    assert wanted
    for requirement in wanted:
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned, f"{requirement.name} is not in constraints.txt: run .ci/pin"
        assert requirement.specifier.contains(pinned, prereleases=True), \
            f"constraints.txt pins {requirement.name}=={pinned}, outside {requirement}: run .ci/pin"


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    venv = tmp_path_factory.mktemp("docker-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    build = tmp_path_factory.mktemp("docker-src")
    for name in ("pyproject.toml", "README.md", "constraints.txt", "sandbox", "scenarios", "fixtures"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, build / name)
    # the Dockerfile's own pip install line (its pins included), run in the copied source
    install = dockerfile()["pip_install"]
    subprocess.run([str(venv / "bin" / "python"), "-m", *install, "--quiet"], check=True, timeout=600, cwd=build)
    return venv


@pytest.mark.slow
def test_the_cmd_serves_and_the_healthcheck_reports_healthy(fresh_venv, tmp_path):
    spec = dockerfile()
    port = free_port()
    env = {"PATH": f"{fresh_venv / 'bin'}:{os.environ['PATH']}", "HOME": str(tmp_path),
           **spec["env"], "SANDBOX_PORT": str(port), "SANDBOX_DB": str(tmp_path / "data" / "sandbox.sqlite")}
    healthcheck = [str(fresh_venv / "bin" / spec["healthcheck"][0]), *spec["healthcheck"][1:]]
    assert subprocess.run(healthcheck, env=env, cwd=tmp_path).returncode == 1  # nothing serves yet
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(spec["cmd"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        # polled as Docker does while the container starts: every --start-interval
        interval = seconds(spec["healthcheck_options"]["start-interval"])
        deadline = time.monotonic() + seconds(spec["healthcheck_options"]["start-period"])
        healthy = False
        while time.monotonic() < deadline and not healthy:
            healthy = subprocess.run(healthcheck, env=env, cwd=tmp_path).returncode == 0
            if not healthy:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(interval)
        assert healthy, (tmp_path / "server.log").read_text()
        assert (tmp_path / "data" / "sandbox.sqlite").exists()
        assert f"0.0.0.0:{port}/atrium" in (tmp_path / "server.log").read_text()
    finally:
        server.terminate()
        assert server.wait(timeout=20) == 0


def test_the_healthcheck_needs_no_admin_token(live_server):
    """Health holds no secret: the container reports healthy with SANDBOX_ADMIN_TOKEN set,
    whether or not the check's environment has the token."""
    server = live_server("default", env={"SANDBOX_ADMIN_TOKEN": "s3cret"})
    port = server.url.rsplit(":", 1)[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    check = [sys.executable, "-m", "sandbox.healthcheck"]
    assert subprocess.run(check, env={**env, "SANDBOX_PORT": port}).returncode == 0
    assert subprocess.run(check, env={**env, "SANDBOX_PORT": port, "SANDBOX_ADMIN_TOKEN": "wrong"}).returncode == 0
    assert subprocess.run(check, env={**env, "SANDBOX_PORT": str(free_port())}).returncode == 1
