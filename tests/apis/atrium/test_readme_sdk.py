"""The Atrium README's SDK example (the beta rewards calls through MX's `atrium` 2.11.7 and
its ApiClient.call_api) runs as written against a live server with the default world."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[3] / "sandbox" / "apis" / "atrium" / "README.md"


def sdk_example() -> str:
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S) if "call_api" in b]
    assert len(blocks) == 1, "the Atrium README should have one SDK example"
    return blocks[0]


def test_the_example_uses_the_sdk_beta_accept_header_and_the_default_world():
    code = sdk_example()
    assert "import atrium" in code and "requests" not in code and "urllib" not in code
    assert 'BASE_URL = "http://127.0.0.1:8080/atrium"' in code
    assert '"application/vnd.mx.atrium.beta+json"' in code
    assert "fetch_rewards" in code and "/rewards" in code


@pytest.mark.slow
def test_the_readme_sdk_example_runs_against_the_sandbox(live_server, tmp_path):
    server = live_server("default")
    script = tmp_path / "example.py"
    script.write_text(sdk_example().replace("http://127.0.0.1:8080", server.url))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "200 True"
    assert [line.split()[1:] for line in lines[1:]] == [
        ["24500", "TOTAL_BALANCE", "MILES"], ["5500", "BALANCE_TO_LEVEL", "MILES"], ["1200.5", "EXPIRING_BALANCE", "POINTS"]]
    assert all(line.startswith("RWD-") for line in lines[1:])
