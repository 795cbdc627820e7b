"""A new namespace, and a reset, copy the prepared startup world: the copy is the world the
scenario builds, a real-time world's template is never older than ``FRESH_S`` when copied,
and a frozen world's template serves as long as the server runs."""
import json
import os
import time

import pytest

from sandbox import build_sandbox
from sandbox.apis import API_PACKAGES
from sandbox.core import templates
from sandbox.core.db import connect
from sandbox.core.scenarios import api_state, build_world, get_meta

FROZEN = {"name": "frozen", "clock": "2030-05-01T10:00:00Z", "include": ["saasquatch/default.yaml",
                                                                          "atrium/default.yaml"]}
BALANCE = "/saasquatch/api/v1/test_abo912126tastastt/reward/balance?accountId=613611"
KEY = ("", "TEST_B4BYA15POHYQ284HBND1")


def _state(path):
    db = connect(path)
    try:
        return {api.name: api_state(db, api) for api in API_PACKAGES}
    finally:
        db.close()


def _startup_world(tmp_path):
    """The state a fresh build of the sandbox's recorded startup world holds."""
    db = connect(str(tmp_path / "state.sqlite"))
    try:
        startup = json.loads(get_meta(db, "startup_scenario"))
    finally:
        db.close()
    build_world(str(tmp_path / "fresh.sqlite"), startup, API_PACKAGES)
    return _state(tmp_path / "fresh.sqlite")


def _templates(folder):
    return sorted(p for p in os.listdir(folder) if p.startswith(templates.PREFIX) and p.endswith(templates.SUFFIX))


def test_a_new_namespace_holds_exactly_the_world_the_scenario_builds(tmp_path):
    app = build_sandbox(str(tmp_path / "state.sqlite"), FROZEN)
    client = app.test_client()
    assert client.get("/_ns/first/_sandbox/clock").json["now"] == "2030-05-01T10:00:00Z"
    assert client.get("/_ns/second/_sandbox/clock").status_code == 200
    fresh = _startup_world(tmp_path)
    assert fresh["saasquatch"]["rewards"] and fresh["atrium"]["members"]
    folder = tmp_path / "state.sqlite.namespaces"
    assert _state(folder / "first.sqlite") == fresh
    assert _state(folder / "second.sqlite") == fresh


def test_a_frozen_world_is_prepared_once(tmp_path):
    app = build_sandbox(str(tmp_path / "state.sqlite"), FROZEN)
    client = app.test_client()
    client.get("/_ns/a/_sandbox/clock")
    folder = tmp_path / "state.sqlite.namespaces"
    [template] = _templates(folder)
    inode = os.stat(folder / template).st_ino
    old = time.time() - 10 * templates.FRESH_S
    os.utime(folder / template, (old, old))
    client.get("/_ns/b/_sandbox/clock")
    assert os.stat(folder / template).st_ino == inode           # same file: not rebuilt


def test_a_real_time_world_older_than_fresh_is_prepared_again(tmp_path):
    app = build_sandbox(str(tmp_path / "state.sqlite"), "default")
    client = app.test_client()
    client.get("/_ns/a/_sandbox/clock")
    folder = tmp_path / "state.sqlite.namespaces"
    [template] = _templates(folder)
    inode = os.stat(folder / template).st_ino
    old = time.time() - 2 * templates.FRESH_S
    os.utime(folder / template, (old, old))
    client.get("/_ns/b/_sandbox/clock")
    assert os.stat(folder / template).st_ino != inode           # rebuilt before it was copied
    assert time.time() - os.stat(folder / template).st_mtime < templates.FRESH_S


def test_a_real_time_template_past_half_its_life_is_renewed_in_the_background(tmp_path):
    app = build_sandbox(str(tmp_path / "state.sqlite"), "default")
    client = app.test_client()
    client.get("/_ns/a/_sandbox/clock")
    folder = tmp_path / "state.sqlite.namespaces"
    [template] = _templates(folder)
    inode = os.stat(folder / template).st_ino
    old = time.time() - 0.75 * templates.FRESH_S
    os.utime(folder / template, (old, old))
    assert client.get("/_ns/b/_sandbox/clock").status_code == 200
    deadline = time.monotonic() + 30
    while os.stat(folder / template).st_ino == inode and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.stat(folder / template).st_ino != inode


def test_the_template_of_an_earlier_startup_world_is_removed(tmp_path):
    app = build_sandbox(str(tmp_path / "state.sqlite"), "default")
    app.test_client().get("/_ns/a/_sandbox/clock")
    folder = tmp_path / "state.sqlite.namespaces"
    [first] = _templates(folder)
    app = build_sandbox(str(tmp_path / "state.sqlite"), FROZEN)    # the server restarted on another world
    app.test_client().get("/_ns/b/_sandbox/clock")
    [second] = _templates(folder)
    assert second != first


def test_reset_restores_the_startup_world_over_every_change(tmp_path):
    app = build_sandbox(str(tmp_path / "state.sqlite"), FROZEN)
    client = app.test_client()
    before = _startup_world(tmp_path)
    assert client.post("/saasquatch/api/v1/test_abo912126tastastt/credit/bulkredeem", auth=KEY,
                       json={"accountId": "613611", "unit": "CENTS", "amount": 5}).status_code == 200
    client.put("/_sandbox/clock", json={"frozen_at": "2031-01-01T00:00:00Z"})
    client.post("/_sandbox/faults", json={"api": "saasquatch", "status": 503})
    answer = client.post("/_sandbox/reset")
    assert answer.status_code == 200
    assert answer.json["name"] == "frozen"
    assert answer.json["clock"]["now"] == "2030-05-01T10:00:00Z"
    assert answer.json["counts"]["saasquatch"]["rewards"] == len(before["saasquatch"]["rewards"])
    assert _state(tmp_path / "state.sqlite") == before
    assert client.get("/_sandbox/faults").json["faults"] == []
    assert client.get("/_sandbox/requests").json["requests"] == []
    assert client.get(BALANCE, auth=KEY).status_code == 200


def test_a_namespace_given_its_own_world_holds_that_world(tmp_path):
    app = build_sandbox(str(tmp_path / "state.sqlite"), "default")
    client = app.test_client()
    assert client.put("/_sandbox/namespaces/mine", json={"scenario": FROZEN}).status_code in (200, 201)
    assert client.get("/_ns/mine/_sandbox/clock").json["now"] == "2030-05-01T10:00:00Z"
    db = connect(str(tmp_path / "state.sqlite.namespaces" / "mine.sqlite"))
    try:
        assert get_meta(db, "scenario_name") == "frozen"
    finally:
        db.close()


@pytest.mark.parametrize("world", ["default", FROZEN])
def test_reset_in_a_namespace_returns_to_the_startup_world(tmp_path, world):
    app = build_sandbox(str(tmp_path / "state.sqlite"), world)
    client = app.test_client()
    assert client.post("/_ns/n1/_sandbox/scenario", json={"name": "empty"}).status_code == 200
    assert client.get("/_ns/n1" + BALANCE, auth=KEY).status_code == 404       # no such tenant
    assert client.post("/_ns/n1/_sandbox/reset").status_code == 200
    assert client.get("/_ns/n1" + BALANCE, auth=KEY).status_code == 200


def test_reset_replaces_webhook_subscriptions_and_the_outbox_with_the_worlds_own(tmp_path):
    app = build_sandbox(str(tmp_path / "state.sqlite"), "default")
    client = app.test_client()
    own = client.get("/_sandbox/webhooks/subscriptions").json["subscriptions"]
    added = client.post("/_sandbox/webhooks/subscriptions",
                        json={"api": "saasquatch", "url": "http://127.0.0.1:9/hooks", "client": "test_abo912126tastastt"})
    assert added.status_code == 201
    assert client.post("/saasquatch/api/v1/test_abo912126tastastt/credit/bulkredeem", auth=KEY,
                       json={"accountId": "613611", "unit": "CENTS", "amount": 1}).status_code == 200
    assert client.get("/_sandbox/webhooks?api=saasquatch").json["webhooks"]
    assert client.post("/_sandbox/reset").status_code == 200
    assert client.get("/_sandbox/webhooks/subscriptions").json["subscriptions"] == own
    assert client.get("/_sandbox/webhooks?api=saasquatch").json["webhooks"] == []
