"""Scenario safety: YAML is loaded safely (no object construction), includes cannot leave
``fixtures/``, and huge, deeply nested or self-referencing files are refused with a
clear message - by the file reader (``serve --scenario``, ``load``, ``replay``) and by
``POST /_sandbox/scenario`` - never with a crash, and never changing the loaded world."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from sandbox.cli import main
from sandbox.core.scenario_files import MAX_FILE_BYTES, ScenarioProblem, read_file

from .world import WORLD

MARKER = "reliability-yaml-was-executed"


def unsafe_documents(marker_path: str) -> dict:
    return {
        "object/apply": f"name: x\nboom: !!python/object/apply:os.system ['touch {marker_path}']\n",
        "object/new": f"name: x\nboom: !!python/object/new:subprocess.Popen [['touch', '{marker_path}']]\n",
        "name": "name: x\nboom: !!python/name:os.system\n",
        "module": "name: x\nboom: !!python/module:os\n",
        "custom tag": "name: x\nboom: !custom {a: 1}\n",
    }


def hostile_documents() -> dict:
    bomb = "name: bomb\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join('*' + chr(97 + i) for _ in range(10))}]\n" for i in range(7))
    return {
        "deep list": "name: deep\nx: " + "[" * 5000 + "]" * 5000 + "\n",
        "deep mapping": "name: deep\nx: " + "{a: " * 200 + "1" + "}" * 200 + "\n",
        "nested past 64": "name: deep\nx: " + "[" * 70 + "]" * 70 + "\n",
        "self-referencing": "name: loop\nx: &x [*x]\n",
        "alias bomb": bomb,
        "not a mapping": "- just\n- a list\n",
        "binary and sets": "name: odd\nx: !!binary aGVsbG8=\ny: !!set {a, b}\nz: !!omap [a: 1]\n",
        "invalid utf-8": b"name: \xff\xfe\n",
    }


# What each refused document is refused with, in the sandbox's own words (any one of them).
# The 5000-deep list is refused by whichever layer reaches its limit first: the YAML parser
# (LibYAML stops at 1000 levels; the sandbox reports "not valid YAML: <the parser's reason>")
# or the sandbox's own depth check; the parser's wording is not the sandbox's to assert.
MESSAGES = {"deep list": ("not valid YAML", "nested deeper than 64"), "deep mapping": ("nested deeper than 64",),
            "nested past 64": ("nested deeper than 64",), "self-referencing": ("nested deeper than 64",),
            "alias bomb": ("more than 2000000 values",), "not a mapping": ("expected a mapping",)}


def _says(text: str, name: str) -> bool:
    return any(words in text for words in MESSAGES[name])


def _write(tmp_path, name: str, text) -> str:
    path = tmp_path / f"{name.replace(' ', '-').replace('/', '-')}.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def test_yaml_is_loaded_safely_everywhere(tmp_path, sandbox):
    marker = tmp_path / MARKER
    checked = 0
    for name, text in unsafe_documents(str(marker)).items():
        path = _write(tmp_path, name, text)
        with pytest.raises(ScenarioProblem, match="not valid YAML"):
            read_file(path)
        result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "db.sqlite"), "--scenario", path])
        assert result.exit_code == 1 and "invalid scenario" in result.output and "not valid YAML" in result.output
        assert "Traceback" not in result.output
        before = sandbox.state("control")
        response = sandbox.http.post("/_sandbox/scenario", data=text, content_type="application/yaml")
        assert response.status_code == 400 and "not valid YAML" in response.get_json()["problems"][0]["message"]
        assert sandbox.state("control") == before
        checked += 3
    assert not marker.exists() and not os.path.exists(MARKER)
    print(f"[reliability] scenario safety: {len(unsafe_documents(''))} unsafe YAML tags refused by the file reader, "
          f"the CLI and POST /_sandbox/scenario ({checked} checks); nothing was constructed or executed")


def test_includes_cannot_leave_fixtures(tmp_path, sandbox):
    outside = tmp_path / "secret.yaml"
    outside.write_text("name: secret\natrium: {clients: [{client_id: stolen, api_key: k}]}\n")
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "link.yaml").symlink_to(outside)
    (fixtures / "chain.yaml").write_text("include: ['../secret.yaml']\n")
    escapes = ["../secret.yaml", str(outside), "link.yaml", "chain.yaml", "../../../../../../etc/passwd",
               "../scenarios/default.yaml", "./../fixtures/../secret"]
    for include in escapes:
        path = _write(tmp_path, "escape", f"name: escape\ninclude: [{include!r}]\n")
        with pytest.raises(ScenarioProblem, match="outside the fixtures folder|no fixture"):
            read_file(path)
        before = sandbox.state("control")
        response = sandbox.http.post("/_sandbox/scenario", json={"name": "escape", "include": [include]})
        assert response.status_code == 400, include
        assert "stolen" not in response.get_data(as_text=True) and sandbox.state("control") == before
    inside = _write(tmp_path, "inside", "name: inside\ninclude: [atrium/rewards-world.yaml]\n")
    assert read_file(inside)[0]["atrium"]                    # the built-in fixtures still resolve
    print(f"[reliability] scenario safety: {len(escapes)} include escapes (.., absolute, symlink, chained) "
          f"refused by the file reader and POST /_sandbox/scenario; state unchanged")


def test_huge_deep_and_self_referencing_files_are_refused_clearly(tmp_path, sandbox):
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"name: huge\n" + b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(ScenarioProblem, match=f"larger than {MAX_FILE_BYTES} bytes"):
        read_file(huge)
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "db.sqlite"), "--scenario", str(huge)])
    assert result.exit_code == 1 and f"larger than {MAX_FILE_BYTES} bytes" in result.output
    result = CliRunner().invoke(main, ["load", str(huge), "--target", "http://127.0.0.1:9"])
    assert result.exit_code == 1 and f"larger than {MAX_FILE_BYTES} bytes" in result.output
    sandbox.load(WORLD)
    before = sandbox.state("control")
    response = sandbox.http.post("/_sandbox/scenario", data=huge.read_bytes(), content_type="application/yaml")
    assert response.status_code == 413 and response.get_json()["error"]
    assert sandbox.state("control") == before
    checked = 4
    for name, text in hostile_documents().items():
        refused = name in MESSAGES             # the others need only be answered without a crash
        path = _write(tmp_path, name, text)
        if refused:
            with pytest.raises(ScenarioProblem) as caught:
                read_file(path)
            assert str(caught.value).startswith(path) and _says(str(caught.value), name), (name, str(caught.value))
        else:
            read_file(path)                    # odd values are read as plain text
        result = CliRunner().invoke(main, ["replay", path])
        assert result.exit_code == (1 if refused else 0) and "Traceback" not in result.output, (name, result.output)
        assert not refused or (path in result.output and _says(result.output, name)), (name, result.output)
        sandbox.load(WORLD)
        before = sandbox.state("control")
        response = sandbox.http.post("/_sandbox/scenario", data=text, content_type="application/yaml")
        assert response.status_code in ((400,) if refused else (200, 400)), (name, response.get_data()[:300])
        if response.status_code == 400:
            problems = response.get_json()["problems"]
            assert problems and all(p["file"] == "request body" and p["message"] for p in problems), (name, problems)
            assert not refused or _says(problems[0]["message"], name), (name, problems)
            assert sandbox.state("control") == before
        checked += 3
    deep_json = b'{"name": "deep", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    sandbox.load(WORLD)
    before = sandbox.state("control")
    response = sandbox.http.post("/_sandbox/scenario", data=deep_json, content_type="application/json")
    assert response.status_code == 400
    [problem] = response.get_json()["problems"]
    assert problem["file"] == "request body" and problem["message"].startswith("not valid JSON"), problem
    assert sandbox.state("control") == before
    sandbox.load(WORLD)                                      # still serving
    print(f"[reliability] scenario safety: a file over {MAX_FILE_BYTES} bytes, {len(hostile_documents())} deep, "
          f"self-referencing, alias-bomb and odd-typed documents and 100,000-deep JSON refused with a clear "
          f"message by the reader, the CLI (serve, load, replay) and the control API ({checked + 1} checks)")
