"""Placeholders, captures and the subset match used by ``expect``."""
from __future__ import annotations

import re

ANY = "{{any}}"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")
_WHOLE = re.compile(r"^\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}$")


class MissingCapture(KeyError):
    pass


def substitute(value, captured: dict):
    """Replace ``{{name}}`` with captured values. A string that is only a placeholder
    takes the captured value with its JSON type; ``{{any}}`` is left for matching."""
    if isinstance(value, dict):
        return {substitute(k, captured): substitute(v, captured) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, captured) for v in value]
    if not isinstance(value, str) or "{{" not in value:
        return value
    whole = _WHOLE.match(value)
    if whole and whole.group(1) != "any":
        return _lookup(whole.group(1), captured)

    def text(match):
        name = match.group(1)
        return match.group(0) if name == "any" else str(_lookup(name, captured))

    return _PLACEHOLDER.sub(text, value)


def _lookup(name: str, captured: dict):
    if name not in captured:
        raise MissingCapture(f"{{{{{name}}}}} was never captured (captured so far: {sorted(captured) or 'nothing'})")
    return captured[name]


_MISSING = object()


def dig(data, dotted: str):
    """``member.guid``, ``rewards.0.guid``: the value at that path, or KeyError."""
    current = data
    for part in dotted.split("."):
        if isinstance(current, list) and (part.isdigit() or (part.startswith("-") and part[1:].isdigit())):
            index = int(part)
            if -len(current) <= index < len(current):
                current = current[index]
                continue
            raise KeyError(dotted)
        if isinstance(current, dict) and part in current:
            current = current[part]
            continue
        raise KeyError(dotted)
    return current


def differences(expected, actual, path: str = "") -> list[tuple[str, object, object]]:
    """Where ``actual`` fails to match ``expected``: (path, expected, actual) triples.

    Objects match as a subset (every expected key present and matching); lists match
    element by element and must have the same length; ``{{any}}`` matches any value;
    1 and 1.0 are equal but True is not 1."""
    if expected == ANY:
        return [] if actual is not _MISSING else [(path or "$", expected, "<missing>")]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [(path or "$", expected, actual)]
        found = []
        for key, value in expected.items():
            child = f"{path}.{key}" if path else str(key)
            if key not in actual:
                found.append((child, value, "<missing>"))
            else:
                found.extend(differences(value, actual[key], child))
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [(path or "$", expected, actual)]
        if len(expected) != len(actual):
            return [(f"{path}" or "$", f"{len(expected)} items", f"{len(actual)} items: {_short(actual)}")]
        found = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            found.extend(differences(e, a, f"{path}[{i}]" if path else f"[{i}]"))
        return found
    if isinstance(expected, bool) or isinstance(actual, bool):
        return [] if type(expected) is type(actual) and expected == actual else [(path or "$", expected, actual)]
    return [] if expected == actual else [(path or "$", expected, actual)]


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."
