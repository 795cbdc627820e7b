"""Reading scenario files: safe YAML, size and depth limits, ``include:`` of fragments.

Fragments are merged first and the including file over them: mappings merge key by key,
lists concatenate (fragment items first), scalars from the including file win. Every
list item remembers the file it came from, so a validation problem names the right file.
"""
from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path

import yaml

from .paths import fixtures_dir, scenarios_dir
from .timeutil import to_iso

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_INCLUDE_DEPTH = 8
# perf: LibYAML's parser when PyYAML was built with it (the wheels are): the same documents, ten
# times faster (the default world's five files took ~60 ms of every start in pure Python)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ScenarioProblem(Exception):
    """One or more problems with a scenario; nothing has been written."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(_line(p) for p in self.problems)


def _line(problem: dict) -> str:
    where = problem.get("file") or "<scenario>"
    if problem.get("path"):
        where += f": {problem['path']}"
    return f"{where}: {problem['message']}"


def problem(file: str | None, path: str, message: str) -> ScenarioProblem:
    return ScenarioProblem([{"file": file, "path": path, "message": message}])


def parse_text(text: str | bytes, source: str) -> dict:
    """Parse YAML (or JSON, which is YAML) into a plain, JSON-clean mapping."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise problem(source, "", f"file is larger than {MAX_FILE_BYTES} bytes")
        text = text.decode("utf-8", "replace")
    if len(text) > MAX_FILE_BYTES:
        raise problem(source, "", f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        doc = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise problem(source, at, f"not valid YAML: {reason}") from None
    except RecursionError:
        raise problem(source, "", f"nested deeper than {MAX_DEPTH} levels") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise problem(source, "", "expected a mapping at the top level (name:, atrium:, ...)")
    return plain(doc, source)


def plain(doc, source: str):
    """Copy into JSON-clean values (YAML timestamps become ISO strings), refusing
    documents nested too deep or too large (alias bombs) with a clear message."""
    budget = [MAX_NODES]

    def walk(value, depth):
        budget[0] -= 1
        if budget[0] < 0:
            raise problem(source, "", f"more than {MAX_NODES} values (YAML aliases expand too far?)")
        if depth > MAX_DEPTH:
            raise problem(source, "", f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            return {str(k): walk(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, depth + 1) for v in value]
        if isinstance(value, datetime):
            return to_iso(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        return str(value)

    return walk(doc, 0)


def find_scenario(name_or_path: str) -> Path:
    """A file path, or the name of a built-in scenario (``default``, ``atrium/lockout-after-rewards``)."""
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    found = find_builtin(name_or_path)
    if found is None:
        raise problem(name_or_path, "", f"no such scenario file, and no built-in scenario of that name under "
                                        f"{scenarios_dir()}")
    return found


def find_builtin(name: str) -> Path | None:
    """The file of the built-in scenario ``name`` (``atrium/lockout-after-rewards``, with or
    without ``.yaml``); never a file outside the built-in scenarios folder."""
    root = scenarios_dir()
    options = [root / f"{name}.yaml", root / f"{name}.yml"]
    if name.endswith((".yaml", ".yml")):
        options.insert(0, root / name)
    try:
        for option in options:
            if option.is_file() and _inside(option, root):
                return option
    except (ValueError, OSError):       # a name no file can have (a NUL, too long)
        pass
    return None


def builtin_scenarios() -> list[dict]:
    """Every built-in scenario, by name: ``{"name", "description", "source", "steps"}``,
    ``name`` being what ``find_builtin`` (and ``serve --scenario``) takes and ``steps`` how
    many steps it replays."""
    root = scenarios_dir()
    found = []
    for path in sorted(root.rglob("*.y*ml")):
        doc = parse_text(path.read_bytes(), str(path))
        description = " ".join(str(doc.get("description") or "").split())
        found.append({"name": path.relative_to(root).with_suffix("").as_posix(),
                      "description": description or None,
                      "source": None if doc.get("source") is None else str(doc["source"]),
                      "steps": len(doc.get("steps") or [])})
    return found


def builtin_scenario(name: str) -> Path:
    """``find_builtin``'s file, or a problem naming the built-in folder."""
    found = find_builtin(name)
    if found is None:
        raise problem(name[:200], "", f"no built-in scenario of that name under {scenarios_dir()}")
    return found


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def read_file(path: str | Path) -> tuple[dict, dict]:
    """Read a scenario file and its includes: (merged document, provenance)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise problem(str(path), "", f"cannot read: {exc.strerror}") from None
    roots = [path.resolve().parent / "fixtures", fixtures_dir()]
    return resolve(parse_text(data, str(path)), str(path), roots)


class _Budget:
    """What ``include:`` may expand to in one document, all includes and their own
    includes counted as often as they are included: at most ``MAX_FILE_BYTES`` of fragment
    text and ``MAX_NODES`` values. Each fragment file is parsed once and counted before it
    is merged, so a document that repeats a fragment thousands of times is refused at once."""

    def __init__(self):
        self.bytes, self.nodes, self.parsed = MAX_FILE_BYTES, MAX_NODES, {}

    def _parse(self, path: Path) -> tuple[dict, int, int]:
        found = self.parsed.get(path)
        if found is None:
            raw = path.read_bytes()
            doc = parse_text(raw, str(path))
            found = self.parsed[path] = (doc, len(raw), _count(doc))
        return found

    def check(self, paths: list[Path], source: str) -> None:
        """Refuse, before anything is merged, includes whose direct expansion is too large."""
        sizes = [self._parse(path)[1:] for path in paths]
        if sum(b for b, _ in sizes) > self.bytes or sum(n for _, n in sizes) > self.nodes:
            raise problem(source, "include", self._message())

    def take(self, path: Path, source: str, where: str) -> dict:
        doc, size, nodes = self._parse(path)
        self.bytes -= size
        self.nodes -= nodes
        if self.bytes < 0 or self.nodes < 0:
            raise problem(source, where, self._message())
        return copy.deepcopy(doc)

    @staticmethod
    def _message() -> str:
        return f"includes expand to more than {MAX_FILE_BYTES} bytes or {MAX_NODES} values"


def _count(value) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_count(v) for v in value)
    return 1


def resolve(doc: dict, source: str, roots: list[Path] | None = None, depth: int = 0,
            budget: _Budget | None = None) -> tuple[dict, dict]:
    """Merge ``doc``'s includes into it. Returns (merged, provenance), where provenance
    maps a path such as ``atrium.institutions[2]`` to the file that item came from."""
    roots = [r for r in (roots or [fixtures_dir()]) if r.is_dir()]
    budget = budget or _Budget()
    includes = doc.get("include") or []
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise problem(source, "include", "expected a list of fixture file names")
    if includes and depth >= MAX_INCLUDE_DEPTH:
        raise problem(source, "include", f"includes nested deeper than {MAX_INCLUDE_DEPTH} (a cycle?)")
    merged: dict = {}
    provenance: dict = {}
    found: dict = {}
    paths = [found[name] if name in found else found.setdefault(name, _fixture(name, roots, source, f"include[{i}]"))
             for i, name in enumerate(includes)]
    budget.check(paths, source)
    for i, fragment_path in enumerate(paths):
        fragment = budget.take(fragment_path, source, f"include[{i}]")
        fragment_doc, fragment_prov = resolve(fragment, str(fragment_path), roots, depth + 1, budget)
        fragment_doc.pop("name", None)
        _merge(merged, fragment_doc, "", provenance, str(fragment_path))
        provenance.update({k: v for k, v in fragment_prov.items()})
    own = {k: v for k, v in doc.items() if k != "include"}
    _merge(merged, own, "", provenance, source)
    # The result is self-contained (no include: left), so sending it to a server that
    # resolves includes again cannot merge a fragment twice.
    return merged, provenance


def _fixture(name: str, roots: list[Path], source: str, path: str) -> Path:
    if not name or "\x00" in name or len(name) > 255:
        raise problem(source, path, "an include is a fixture file name of 1-255 characters, without NUL")
    for root in roots:
        candidate = (root / name).resolve()
        if not _inside(candidate, root):
            raise problem(source, path, f"include {name!r} is outside the fixtures folder")
        for option in (candidate, candidate.with_name(candidate.name + ".yaml")):
            if option.is_file():
                return option
    raise problem(source, path, f"no fixture {name!r} under {', '.join(str(r) for r in roots)}")


def _merge(target: dict, incoming: dict, prefix: str, provenance: dict, source: str) -> None:
    for key, value in incoming.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value, path, provenance, source)
        elif isinstance(value, list) and isinstance(target.get(key), list):
            start = len(target[key])
            target[key] = target[key] + value
            for j in range(len(value)):
                provenance[f"{path}[{start + j}]"] = source
        else:
            target[key] = value
            provenance[path] = source


def world_document(world) -> tuple[dict, dict, str]:
    """(document, provenance, source) of a world given as a mapping, as YAML text, as the
    name of a built-in scenario or a file path, or already read as that triple."""
    if isinstance(world, tuple):
        return world
    if isinstance(world, dict):
        doc, provenance = resolve(json.loads(json.dumps(world)), "test world")
        return doc, provenance, "test world"
    if isinstance(world, str) and "\n" in world:
        doc, provenance = resolve(parse_text(world, "test world"), "test world")
        return doc, provenance, "test world"
    path = find_scenario(str(world))
    doc, provenance = read_file(path)
    return doc, provenance, str(path)


def origin(provenance: dict, path: str, default: str) -> str:
    """The file a problem at ``path`` comes from: the longest recorded prefix."""
    best, best_len = default, -1
    for prefix, source in provenance.items():
        if (path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")) \
                and len(prefix) > best_len:
            best, best_len = source, len(prefix)
    return best


def dumps(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))
