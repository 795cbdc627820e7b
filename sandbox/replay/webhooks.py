"""``expect_webhooks:`` in a step: events the step must cause, each matched by ``api``,
``type`` and a subset of its ``payload``, among the events emitted since the step began,
waiting up to ``WAIT_SECONDS`` for those the clock or the dispatcher is still to write."""
from __future__ import annotations

import json
import time

from .matching import differences

WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.1


def newest_id(transport) -> int:
    """The id of the newest delivery so far (0 for none): the step's events come after it."""
    found = _webhooks(transport)
    return max((w["id"] for w in found), default=0)


def check(expected: list[dict], transport, after_id: int) -> list[str]:
    """Problems with ``expected`` (empty when each is matched by a distinct new event)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        events = _events(transport, after_id)
        missing = _unmatched(expected, events)
        if not missing or time.monotonic() >= deadline:
            break
        time.sleep(_POLL_SECONDS)
    problems = []
    for want in missing:
        shown = ", ".join(f"{e['api']} {e['type']} {json.dumps(e['payload'])[:200]}" for e in events) or "none"
        problems.append(f"expect_webhooks: no {want['api']} {want['type']} event matching "
                        f"{json.dumps(want.get('payload') or {})} within {WAIT_SECONDS:g} s; emitted in this step: {shown}")
    return problems


def _unmatched(expected: list[dict], events: list[dict]) -> list[dict]:
    free, missing = list(events), []
    for want in expected:
        match = next((e for e in free if e["api"] == want["api"] and e["type"] == want["type"]
                      and not differences(want.get("payload") or {}, e["payload"])), None)
        if match is None:
            missing.append(want)
        else:
            free.remove(match)
    return missing


def _events(transport, after_id: int) -> list[dict]:
    """The new events, one per event (an event sent to several URLs is listed once)."""
    seen, found = set(), []
    for webhook in _webhooks(transport):
        key = (webhook["api"], webhook["type"], json.dumps(webhook["payload"], sort_keys=True), webhook["due_at"])
        if webhook["id"] > after_id and key not in seen:
            seen.add(key)
            found.append(webhook)
    return found


def _webhooks(transport) -> list[dict]:
    reply = transport.control("GET", "/_sandbox/webhooks", None)
    if reply.status != 200:
        raise ValueError(f"could not read the webhooks: {reply.status} {reply.body[:200]!r}")
    return reply.json()["webhooks"]
