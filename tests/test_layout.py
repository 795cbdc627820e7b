"""The layering rules of sandbox/core/README.md, read from the source:

- every API package under sandbox/apis/ has the same file set (``service`` as a module or
  a package);
- an API's ``service`` imports neither Flask (nor werkzeug), directly or through anything
  it imports, nor the API's ``schemas`` (the wire format);
- only ``store`` holds SQL: no other module of an API package (nor of the control API)
  writes an SQL statement or calls ``execute``;
- ``routes`` never import ``store``;
- ``core`` imports no API package and not the control API.

"Imports" are the import statements of a module, lazy ones inside functions included. An
import of a package's submodule (``from .. import store``) is an import of that submodule,
not of the package's ``__init__``. The fifth API the tests add (tests/core/dummy_api) is held
to the same rules as the four.
"""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

import sandbox
from sandbox.apis import API_PACKAGES

ROOT = Path(sandbox.__file__).parent
APIS = ROOT / "apis"
DUMMY = Path(__file__).parent / "core" / "dummy_api"
API_FILES = {"README.md", "__init__.py", "auth.py", "errors.py", "routes.py", "scenario.py", "schemas.py",
             "service", "store.py"}
WEB_FRAMEWORK = {"flask", "werkzeug"}
# An SQL statement in a string: what a module that does not hold SQL must never contain.
SQL = re.compile(r"\b(SELECT\b[\s\S]*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\[?\w+\]?\s+SET|DELETE\s+FROM"
                 r"|CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)|DROP\s+TABLE|SAVEPOINT\s|ROLLBACK\s+TO|RELEASE\s+\w|PRAGMA\s)")
EXECUTE = {"execute", "executemany", "executescript"}


def _module_name(path: Path, top: Path) -> str:
    parts = path.relative_to(top.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    found = {_module_name(path, ROOT): path for path in sorted(ROOT.rglob("*.py"))}
    found.update({_module_name(path, DUMMY.parent.parent): path for path in sorted(DUMMY.rglob("*.py"))})
    return found


@cache
def _tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(), str(modules()[name]))


def _package_of(name: str) -> str:
    return name if modules()[name].name == "__init__.py" else name.rpartition(".")[0]


@cache
def imports(name: str) -> frozenset[str]:
    """What module ``name`` imports: sandbox module names, and the top-level name of every
    other library."""
    found = set()
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(name)
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules() else base)
    return frozenset(n if n in modules() or n.split(".")[0] == "sandbox" else n.split(".")[0] for n in found)


def reachable(name: str) -> dict[str, list[str]]:
    """Every module ``name`` imports, directly or through what it imports, with one import
    chain that leads to it."""
    chains, todo = {name: [name]}, [name]
    while todo:
        current = todo.pop()
        for target in sorted(imports(current)):
            if target not in chains:
                chains[target] = chains[current] + [target]
                if target in modules():
                    todo.append(target)
    return chains


def api_packages() -> list[Path]:
    return sorted(p for p in APIS.iterdir() if p.is_dir() and p.name != "__pycache__")


def all_api_packages() -> list[Path]:
    return api_packages() + [DUMMY]


def module_of(package: Path) -> str:
    return _module_name(package / "__init__.py", DUMMY.parent.parent if package == DUMMY else ROOT)


def modules_of(prefix: str) -> list[str]:
    return [name for name in modules() if name == prefix or name.startswith(prefix + ".")]


def test_the_registry_lists_every_api_package():
    assert sorted(api.name for api in API_PACKAGES) == sorted(p.name for p in api_packages())


@pytest.mark.parametrize("package", all_api_packages(), ids=lambda p: p.name)
def test_every_api_package_has_the_same_file_set(package):
    found = {"service" if p.name in ("service.py", "service") else p.name
             for p in package.iterdir() if p.name != "__pycache__"}
    assert found == API_FILES, f"{package.name}: missing {sorted(API_FILES - found)}, extra {sorted(found - API_FILES)}"


@pytest.mark.parametrize("package", all_api_packages(), ids=lambda p: p.name)
def test_the_service_imports_neither_flask_nor_the_wire_schemas(package):
    api = module_of(package)
    services = modules_of(f"{api}.service")
    assert services, f"{api} has no service"
    forbidden = WEB_FRAMEWORK | {f"{api}.schemas", f"{api}.routes"}
    problems = [f"{service} imports {target}: {' -> '.join(chain)}"
                for service in services for target, chain in reachable(service).items() if target in forbidden]
    assert not problems, "\n".join(problems)


def _sql_problems(name: str) -> list[str]:
    problems = []
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            problems.append(f"{name}:{node.lineno}: SQL {node.value[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTE:
            problems.append(f"{name}:{node.lineno}: calls .{node.func.attr}()")
    return problems


@pytest.mark.parametrize("package", [*all_api_packages(), ROOT / "control"], ids=lambda p: p.name)
def test_only_the_store_holds_sql(package):
    prefix = module_of(package)
    names = [n for n in modules_of(prefix) if n != f"{prefix}.store"]
    assert names
    problems = [problem for name in names for problem in _sql_problems(name)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("package", all_api_packages(), ids=lambda p: p.name)
def test_routes_never_import_the_store(package):
    api = module_of(package)
    assert f"{api}.store" not in imports(f"{api}.routes")


def test_core_imports_no_api_and_not_the_control_api():
    core = modules_of("sandbox.core")
    assert len(core) > 10
    problems = [f"{name} imports {target}" for name in core for target in imports(name)
                if target.startswith(("sandbox.apis", "sandbox.control"))]
    assert not problems, "\n".join(problems)


def test_the_rules_see_imports_and_sql():
    """The analysis itself: it finds what the rules look for, where they are known to be."""
    assert "flask" in imports("sandbox.core.http")
    assert "sandbox.apis.atrium.store" in imports("sandbox.apis.atrium.service.users")
    assert "sqlite_utils" in reachable("sandbox.apis.atrium.service.users")
    assert _sql_problems("sandbox.apis.atrium.store")
    assert _sql_problems("sandbox.core.db")
