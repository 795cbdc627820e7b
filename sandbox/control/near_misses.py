"""The journal's unmatched requests (no route of the sandbox matched their path and method)
and, for each, the routes the sandbox does serve that come closest: a wrong base URL, a
typo in a path, a missing mount prefix, a wrong method."""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from flask import current_app
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

MAX_NEAR_MISSES = 3
MIN_SCORE = 0.5
_PLACEHOLDER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


def unmatched(entries: list[dict]) -> list[dict]:
    """The entries (oldest first) whose method and path match no route, each with
    ``near_misses``: up to three ``{"methods", "path"}`` the sandbox serves, closest first."""
    adapter = current_app.url_map.bind("localhost")
    found = []
    for entry in entries:
        try:
            adapter.match(entry["path"], method=entry["method"])
            continue
        except RequestRedirect:         # served, after a slash is added
            continue
        except (NotFound, MethodNotAllowed):
            pass
        found.append({**entry, "near_misses": closest(entry["method"], entry["path"])})
    return found


def closest(method: str, path: str) -> list[dict]:
    asked = _segments(path)
    scored = []
    for route_path, methods in _served().items():
        # a wrong method costs less than a wrong literal segment (a route whose
        # placeholder swallows the segment, such as a URL parameter, must not beat the exact path)
        score = _score(asked, _segments(route_path)) * (1.0 if method.upper() in methods else 0.9)
        if score >= MIN_SCORE:
            scored.append((-score, route_path, methods))
    scored.sort()
    return [{"methods": sorted(methods), "path": route_path} for _, route_path, methods in scored[:MAX_NEAR_MISSES]]


def _served() -> dict[str, set[str]]:
    """Every route the app serves as ``{"/atrium/users/{user_guid}": {"GET", ...}}``."""
    cache = current_app.extensions.setdefault("sandbox.served_routes", {})
    if not cache:
        for rule in current_app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            path = _PLACEHOLDER.sub(r"{\1}", rule.rule)
            cache.setdefault(path, set()).update((rule.methods or set()) - {"HEAD", "OPTIONS"})
    return cache


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _score(asked: list[str], route: list[str]) -> float:
    best = _aligned(asked, route)
    if len(route) > 1:                  # the API's mount prefix left out of the base URL
        best = max(best, 0.9 * _aligned(asked, route[1:]))
    return best


def _aligned(asked: list[str], route: list[str]) -> float:
    longest = max(len(asked), len(route))
    if not longest:
        return 1.0
    total = 0.0
    for given, served in zip(asked, route):
        if served.startswith("{"):
            total += 1.0
        else:
            total += SequenceMatcher(None, given.lower(), served.lower()).ratio()
    return total / longest
