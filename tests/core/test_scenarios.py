"""Scenario files: safe parsing, includes, validation that lists every problem, atomic load."""
import json

import pytest

from sandbox.core.db import connect
from sandbox.core.scenario_files import ScenarioProblem, parse_text, read_file, resolve
from sandbox.core.scenarios import build_world, get_meta, load_world
from tests.core import dummy_api

APIS = [dummy_api.API]


@pytest.fixture
def db(tmp_path):
    build_world(str(tmp_path / "s.sqlite"), {"name": "empty"}, APIS)
    db = connect(str(tmp_path / "s.sqlite"))
    yield db
    db.close()


def balances(db):
    return dict(db.execute("SELECT id, balance FROM dummy_wallets ORDER BY id").fetchall())


def load(db, doc, source="test"):
    merged, prov = resolve(doc, source)
    return load_world(db, merged, prov, source, APIS)


def test_a_world_replaces_all_state_and_sets_the_clock(db):
    load(db, {"name": "one", "dummy": {"wallets": [{"id": "a", "balance": 5}]}})
    summary = load(db, {"name": "two", "clock": "2026-01-15T09:00:00Z",
                        "dummy": {"wallets": [{"id": "b", "balance": 7}]}})
    assert balances(db) == {"b": 7}
    assert summary["name"] == "two"
    assert summary["clock"] == {"now": "2026-01-15T09:00:00Z", "frozen": True, "offset_seconds": 0.0}
    assert summary["counts"]["dummy"] == {"ledger": 1, "wallets": 1}


def test_loading_the_same_name_again_simply_replaces_the_state(db):
    doc = {"name": "same", "dummy": {"wallets": [{"id": "a", "balance": 5}]}}
    load(db, doc)
    db.execute("UPDATE dummy_wallets SET balance = 1")
    load(db, doc)
    assert balances(db) == {"a": 5}


def test_every_problem_is_listed_with_its_path_and_nothing_is_written(db):
    load(db, {"name": "good", "dummy": {"wallets": [{"id": "a", "balance": 5}]}})
    bad = {"name": "", "surprise": 1, "clock": "yesterday",
           "dummy": {"wallets": [{"id": "x", "balance": "lots"}, {"balance": -1}]}}
    with pytest.raises(ScenarioProblem) as exc:
        load(db, bad, source="bad.yaml")
    found = {(p["path"], p["file"]) for p in exc.value.problems}
    assert ("dummy.wallets[0].balance", "bad.yaml") in found
    assert ("dummy.wallets[1].id", "bad.yaml") in found
    assert ("dummy.wallets[1].balance", "bad.yaml") in found
    assert ("surprise", "bad.yaml") in found
    assert ("clock", "bad.yaml") in found
    assert ("name", "bad.yaml") in found
    assert balances(db) == {"a": 5}
    assert get_meta(db, "scenario_name") == "good"


def test_a_problem_found_while_seeding_rolls_the_whole_load_back(db):
    load(db, {"name": "good", "dummy": {"wallets": [{"id": "a", "balance": 5}]}})
    with pytest.raises(ScenarioProblem) as exc:
        load(db, {"name": "dup", "dummy": {"wallets": [{"id": "z", "balance": 1}, {"id": "z", "balance": 2}]}})
    assert exc.value.problems[0]["path"] == "dummy.wallets[1].id"
    assert balances(db) == {"a": 5}
    assert get_meta(db, "scenario_name") == "good"


def test_includes_merge_fragments_first_and_problems_name_the_fragment(tmp_path, db):
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "wallets.yaml").write_text(
        "dummy:\n  owner: fragment\n  wallets:\n    - {id: f1, balance: 1}\n    - {id: f2, balance: nope}\n")
    (tmp_path / "world.yaml").write_text(
        "name: w\ninclude: [wallets.yaml]\ndummy:\n  owner: file\n  wallets:\n    - {id: m1, balance: 3}\n")
    doc, prov = read_file(tmp_path / "world.yaml")
    assert [w["id"] for w in doc["dummy"]["wallets"]] == ["f1", "f2", "m1"]
    assert doc["dummy"]["owner"] == "file"
    with pytest.raises(ScenarioProblem) as exc:
        load_world(db, doc, prov, str(tmp_path / "world.yaml"), APIS)
    [p] = exc.value.problems
    assert p["path"] == "dummy.wallets[1].balance"
    assert p["file"].endswith("fixtures/wallets.yaml")


@pytest.mark.parametrize("name", ["../world.yaml", "../../../etc/passwd", "/etc/passwd"])
def test_includes_cannot_escape_the_fixtures_folder(tmp_path, name):
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "world.yaml").write_text(f"name: w\ninclude: [{json.dumps(name)}]\n")
    with pytest.raises(ScenarioProblem) as exc:
        read_file(tmp_path / "world.yaml")
    assert "outside the fixtures folder" in exc.value.render() or "no fixture" in exc.value.render()


def test_include_cycles_are_refused(tmp_path):
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "a.yaml").write_text("include: [b.yaml]\n")
    (tmp_path / "fixtures" / "b.yaml").write_text("include: [a.yaml]\n")
    (tmp_path / "world.yaml").write_text("name: w\ninclude: [a.yaml]\n")
    with pytest.raises(ScenarioProblem, match="nested deeper"):
        read_file(tmp_path / "world.yaml")


def test_yaml_is_loaded_safely():
    with pytest.raises(ScenarioProblem, match="not valid YAML"):
        parse_text("name: !!python/object/apply:os.system ['echo pwned']\n", "evil.yaml")


@pytest.mark.slow
def test_deeply_nested_and_alias_bomb_documents_are_refused_clearly():
    deep = "name: " + "[" * 200 + "]" * 200
    with pytest.raises(ScenarioProblem, match="nested deeper"):
        parse_text(deep, "deep.yaml")
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        bomb.append(f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, "
                    f"*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, "
                    f"*{chr(96 + i)}, *{chr(96 + i)}]")
    with pytest.raises(ScenarioProblem, match="more than"):
        parse_text("\n".join(bomb), "bomb.yaml")


def test_huge_files_are_refused():
    with pytest.raises(ScenarioProblem, match="larger than"):
        parse_text(b"x" * (6 * 1024 * 1024), "huge.yaml")


def test_yaml_timestamps_become_iso_strings():
    doc = parse_text("name: t\nclock: 2026-01-15T09:00:00Z\n", "t.yaml")
    assert doc["clock"] == "2026-01-15T09:00:00Z"


def test_the_builtin_default_world_loads(tmp_path):
    from sandbox.apis import API_PACKAGES
    from sandbox.core.scenario_files import find_scenario

    assert build_world(str(tmp_path / "d.sqlite"), find_scenario("default"), API_PACKAGES)["name"] == "default"


def test_a_resolved_document_is_self_contained(tmp_path):
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "w.yaml").write_text("dummy:\n  wallets: [{id: f, balance: 1}]\n")
    (tmp_path / "world.yaml").write_text("name: w\ninclude: [w.yaml]\n")
    doc, _ = read_file(tmp_path / "world.yaml")
    again, _ = resolve(doc, "again")
    assert "include" not in doc and again == doc
