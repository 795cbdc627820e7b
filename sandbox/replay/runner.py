"""Running the steps of scenario files and reporting each one."""
from __future__ import annotations

import json
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import ValidationError

from sandbox.core.scenario_files import ScenarioProblem, read_file
from sandbox.core.errors import validation_problems

from .matching import MissingCapture, differences, dig, substitute
from . import webhooks
from .steps import step_list


@dataclass
class StepResult:
    name: str
    passed: bool
    seconds: float
    problems: list[str] = field(default_factory=list)


@dataclass
class FileResult:
    path: str
    name: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None  # the file could not be read, validated or loaded
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(1 for s in self.steps if s.passed)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.steps if not s.passed) + (1 if self.error else 0)


class NoSuchScenario(ValueError):
    pass


def scenario_files(paths) -> list[Path]:
    """Files named, every *.yaml / *.yml below folders named, and, for a name that is
    neither, the built-in scenario or folder of built-ins of that name (``atrium``,
    ``atrium/lockout-after-rewards``); in a stable order."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_yaml_below(path))
        elif path.is_file():
            found.append(path)
        else:
            found.extend(builtin_files(str(raw)))
    return found


def builtin_files(name: str) -> list[Path]:
    """The built-in scenario ``name``, or every built-in below the folder ``name``."""
    from sandbox.core.scenario_files import builtin_scenarios, find_builtin

    found = find_builtin(name)
    if found is not None:
        return [found]
    folder = name.strip("/") + "/"
    below = [find_builtin(s["name"]) for s in builtin_scenarios() if s["name"].startswith(folder)]
    if folder != "/" and below:
        return below
    raise NoSuchScenario(f"{name}: no such file or folder, and no built-in scenario of that name "
                         "(rewards-sandbox scenarios lists them)")


def _yaml_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def run_file(path: Path, make_transport, fail_fast: bool = False) -> FileResult:
    result = FileResult(str(path))
    started = time.perf_counter()
    try:
        _run(result, path, make_transport, fail_fast)
    finally:
        result.seconds = time.perf_counter() - started
    return result


def _run(result: FileResult, path: Path, make_transport, fail_fast: bool) -> None:
    try:
        doc, provenance = read_file(path)
    except ScenarioProblem as exc:
        result.error = exc.render()
        return
    result.name = doc.get("name") if isinstance(doc.get("name"), str) else None
    try:
        steps = step_list.load(doc.get("steps") or [])
    except ValidationError as err:
        # every problem of the file in one report: the world's as well as the steps'
        step_problems = [f"{path}: steps{_index(p['path'])}: {p['message']}"
                         for p in validation_problems(err.messages)]
        result.error = "\n".join(world_problems(doc, provenance, path) + step_problems)
        return
    if not steps:
        return
    transport = make_transport()
    try:
        try:
            transport.start(doc, provenance, str(path))
        except ScenarioProblem as exc:
            result.error = exc.render()
            return
        captured: dict = {}
        for step in steps:
            outcome = _run_step(step, doc, transport, captured)
            result.steps.append(outcome)
            if fail_fast and not outcome.passed:
                break
    finally:
        transport.close()


def world_problems(doc: dict, provenance: dict, path: Path) -> list[str]:
    """What loading the world of ``doc`` would report (validation and cross-references),
    found in a throwaway in-process sandbox so nothing anywhere is changed."""
    from .transport import InProcess

    sandbox = InProcess()
    try:
        sandbox.start({k: v for k, v in doc.items() if k != "steps"}, provenance, str(path))
    except ScenarioProblem as exc:
        return exc.render().splitlines()
    finally:
        sandbox.close()
    return []


def _index(path: str) -> str:
    return path if path.startswith("[") else f".{path}" if path else ""


def _run_step(step: dict, doc: dict, transport, captured: dict) -> StepResult:
    started = time.perf_counter()
    problems: list[str] = []
    try:
        expected_webhooks = step.get("expect_webhooks")
        before = webhooks.newest_id(transport) if expected_webhooks else 0
        if step.get("clock"):
            _move_clock(transport, step["clock"])
        method, path, headers, body = build_request(substitute(step["request"], captured), doc)
        reply = transport.send(method, path, headers, body)
        problems = check(substitute(step["expect"], captured), reply)
        if expected_webhooks:
            problems += webhooks.check(substitute(expected_webhooks, captured), transport, before)
        if not problems:
            data = reply.json()
            for name, dotted in step["capture"].items():
                try:
                    captured[name] = dig(data, dotted)
                except KeyError:
                    problems.append(f"capture {name}: no value at {dotted} in the response")
    except (MissingCapture, KeyError, ValueError) as exc:
        problems.append(str(exc.args[0] if exc.args else exc))
    return StepResult(step["name"], not problems, time.perf_counter() - started, problems)


def _move_clock(transport, move: dict) -> None:
    if "advance" in move:
        reply = transport.control("POST", "/_sandbox/clock/advance", {"by": move["advance"]})
    elif "set" in move:
        reply = transport.control("PUT", "/_sandbox/clock", {"frozen_at": move["set"].isoformat()})
    else:
        reply = transport.control("PUT", "/_sandbox/clock", {"real": True})
    if reply.status != 200:
        raise ValueError(f"could not move the clock: {reply.status} {reply.body[:200]!r}")


def build_request(request: dict, doc: dict) -> tuple[str, str, dict, bytes]:
    """(method, path with query, headers, body bytes), with the auth headers the
    credential named by ``auth`` needs (explicit headers win)."""
    from sandbox.apis import API_PACKAGES

    method = request["method"].upper()
    path = request["path"]
    if request.get("query"):
        path += ("&" if "?" in path else "?") + urllib.parse.urlencode(request["query"], doseq=True)
    headers: dict = {}
    if request.get("json") is not None:
        body = json.dumps(request["json"]).encode()
        headers["Content-Type"] = "application/json"
    elif request.get("form") is not None:
        body = urllib.parse.urlencode(request["form"], doseq=True).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif request.get("body") is not None:
        body = request["body"].encode()
        headers["Content-Type"] = "text/plain"
    else:
        body = b""
    if request.get("auth"):
        api = _api_for(path, API_PACKAGES)
        if api is None:
            raise ValueError(f"auth given, but {path} is not under an API prefix")
        headers.update(api.auth_headers(doc.get(api.name) or {}, request["auth"], method, path, body))
    explicit = {k: str(v) for k, v in (request.get("headers") or {}).items()}
    lowered = {k.lower() for k in explicit}
    headers = {k: v for k, v in headers.items() if k.lower() not in lowered}
    headers.update(explicit)
    return method, path, headers, body


def _api_for(path: str, apis):
    bare = path.split("?", 1)[0]
    if bare.startswith("/_ns/"):
        bare = "/" + bare[len("/_ns/"):].partition("/")[2]
    for api in apis:
        if bare == api.prefix or bare.startswith(api.prefix + "/"):
            return api
    return None


def check(expect: dict, reply) -> list[str]:
    problems = []
    if "status" in expect:
        wanted = expect["status"] if isinstance(expect["status"], list) else [expect["status"]]
        if reply.status not in wanted:
            shown = wanted[0] if len(wanted) == 1 else " or ".join(map(str, wanted))
            problems.append(f"status: expected {shown}, got {reply.status}  body: {_snippet(reply.body)}")
    for name, value in (expect.get("headers") or {}).items():
        actual = next((v for k, v in reply.headers.items() if k.lower() == name.lower()), None)
        if value != "{{any}}" and actual != str(value) or actual is None:
            problems.append(f"header {name}: expected {value!r}, got {actual!r}")
    if "body" in expect:
        text = reply.body.decode("utf-8", "replace")
        if text != expect["body"]:
            problems.append(f"body: expected {expect['body']!r}, got {_snippet(reply.body)}")
    if "json" in expect:
        data = reply.json()
        if data is None and expect["json"] is not None:
            problems.append(f"json: expected a JSON body, got {_snippet(reply.body)}")
        else:
            for where, wanted, actual in differences(expect["json"], data):
                problems.append(f"json {where}: expected {json.dumps(wanted)}, got {_json(actual)}")
    return problems


def _json(value) -> str:
    if value == "<missing>":
        return "<missing>"
    text = json.dumps(value) if not isinstance(value, str) or not value.endswith(" items") else value
    return text if len(text) <= 300 else text[:300] + "..."


def _snippet(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    return repr(text if len(text) <= 300 else text[:300] + "...")
