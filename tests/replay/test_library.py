"""The scenario library: every file replays and passes, and its README table is true."""
from pathlib import Path

import pytest
import yaml

from sandbox.replay import library
from sandbox.replay.runner import run_file
from sandbox.replay.transport import Http, InProcess

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(p for p in SCENARIOS.rglob("*.yaml") if (yaml.safe_load(p.read_text()) or {}).get("steps"))


def test_the_readme_table_lists_every_file():
    assert library.main(["--check"]) == 0, "run: python -m sandbox.replay.library"


def test_every_file_has_a_unique_name_a_description_and_a_source():
    # every API has replayable files (an empty FILES would pass this and skip the replays)
    assert {p.relative_to(SCENARIOS).parts[0] for p in FILES} >= {"atrium", "myrewards", "saasquatch", "eagleeye"}
    names = {}
    for path in FILES:
        doc = yaml.safe_load(path.read_text())
        assert doc.get("description"), f"{path} has no description"
        assert doc.get("source"), f"{path} names no source"
        assert doc["name"] not in names, f"{path} and {names.get(doc['name'])} share the name {doc['name']}"
        names[doc["name"]] = path


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(SCENARIOS).as_posix() for p in FILES])
def test_every_library_file_replays_in_process(path):
    result = run_file(path, InProcess)
    assert result.error is None, result.error
    failures = [f"{s.name}: {'; '.join(s.problems)}" for s in result.steps if not s.passed]
    assert not failures, "\n".join(failures)
    assert result.steps


@pytest.mark.slow
def test_the_library_replays_against_a_real_server(live_server):
    server = live_server(workers=2)
    failures = []
    assert FILES
    for path in FILES:
        result = run_file(path, lambda: Http(server.url))
        failures += [f"{path.name}: {result.error}"] if result.error else []
        failures += [f"{path.name} / {s.name}: {'; '.join(s.problems)}" for s in result.steps if not s.passed]
    print(f"replayed {len(FILES)} files against {server.url}")
    assert not failures, "\n".join(failures)
