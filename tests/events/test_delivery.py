"""Webhooks delivered to a real receiver (an HTTP server on a loopback port), by the
dispatcher in process and by served sandboxes (several gunicorn workers, a restart)."""
import base64
from datetime import datetime, timedelta
import hashlib
import hmac

import pytest
import requests

from sandbox.core import dispatch
from tests.support import Receiver, free_port

from .conftest import (ATRIUM_WORLD, BETA, MEMBER, SAASQUATCH_WORLD, SQ, TENANT, settled, sq_auth, subscribe,
                       webhooks)

pytestmark = pytest.mark.slow


def test_a_completed_rewards_fetch_delivers_the_reward_webhook(make_app, dispatcher, receiver):
    app, hook = make_app(ATRIUM_WORLD), receiver()
    client = app.test_client()
    dispatcher(app)
    subscribe(client, "atrium", hook.url, "partner-dev")
    client.post(f"{MEMBER}/fetch_rewards", headers=BETA)
    client.post("/_sandbox/clock/advance", json={"seconds": 3})
    (reward,) = hook.wait_for(lambda r: r["json"]["type"] == "REWARD")
    assert reward["json"]["member_guid"] == "MBR-mxbank-1" and reward["json"]["user_guid"] == "USR-user-1"
    assert reward["json"]["completed_at"] == 1768467603 and reward["headers"]["Content-Type"] == "application/json"
    assert "X-Hook-Signature" not in reward["headers"]            # MX documents no signature


def test_with_the_clock_running_a_job_s_webhooks_arrive_without_any_clock_call(make_app, dispatcher, receiver):
    app, hook = make_app({k: v for k, v in ATRIUM_WORLD.items() if k != "clock"}), receiver()
    client = app.test_client()
    dispatcher(app)
    subscribe(client, "atrium", hook.url, "partner-dev")
    started = client.post(f"{MEMBER}/fetch_rewards", headers=BETA).get_json()["member"]["aggregated_at"]
    (reward,) = hook.wait_for(lambda r: r["json"]["type"] == "REWARD")
    (listed,) = webhooks(client, type="REWARD")
    due = datetime.fromisoformat(listed["due_at"].replace("Z", "+00:00"))
    ends = datetime.fromisoformat(started) + timedelta(seconds=3)      # aggregated_at is in whole seconds
    assert ends <= due < ends + timedelta(seconds=1)                    # the job's end on the sandbox clock
    assert reward["json"]["completed_at"] == int(due.timestamp())


def test_a_day_after_connecting_rewards_are_listed_and_a_background_aggregation_is_sent(make_app, dispatcher, receiver):
    app, hook = make_app(ATRIUM_WORLD), receiver()
    client = app.test_client()
    dispatcher(app)
    subscribe(client, "atrium", hook.url, "partner-dev")
    client.post("/_sandbox/clock/advance", json={"by": "25h"})
    assert len(client.get(f"{MEMBER}/rewards", headers=BETA).get_json()["rewards"]) == 2
    (found,) = hook.wait_for(lambda r: r["json"]["member_guid"] == "MBR-mxbank-1")
    assert found["json"]["type"] == "AGGREGATION" and found["json"]["is_background"] is True
    assert found["json"]["completed_on"] == "2026-01-16"


def test_bulkredeem_delivers_the_new_available_credit_signed_and_a_refused_one_nothing(make_app, dispatcher, receiver):
    app, hook = make_app(SAASQUATCH_WORLD), receiver()
    client, auth = app.test_client(), sq_auth(app)
    dispatcher(app)
    assert client.post(f"{SQ}/subscription", headers=auth, json={"endpointUrl": hook.url}).status_code == 201
    refused = client.post(f"{SQ}/credit/bulkredeem", headers=auth, json={"accountId": "acct-1001", "unit": "CENTS", "amount": 9999})
    assert refused.status_code == 402
    done = client.post(f"{SQ}/credit/bulkredeem", headers=auth, json={"accountId": "acct-1001", "unit": "CENTS", "amount": 100})
    assert done.get_json()["creditAvailable"] == 3200
    (event,) = hook.wait_for()
    assert event["json"]["data"] == {"userId": "user-1", "accountId": "acct-1001", "unit": "CENTS", "availableValue": 2200}
    key = auth["Authorization"].split()[1]
    api_key = base64.b64decode(key).decode()[1:]
    expected = base64.b64encode(hmac.new(api_key.encode(), event["body"], hashlib.sha1).digest()).decode()
    assert event["headers"]["X-Hook-Signature"] == expected
    assert [w["status"] for w in settled(lambda: webhooks(client))] == ["delivered"]     # the 402 left no event
    assert len(hook.received) == 1


def test_a_receiver_that_fails_first_gets_the_event_later(make_app, dispatcher, receiver):
    app, hook = make_app(SAASQUATCH_WORLD), receiver(fail_first=2)
    client, auth = app.test_client(), sq_auth(app)
    dispatcher(app)
    subscribe(client, "saasquatch", hook.url, TENANT)
    client.post(f"{SQ}/credit/bulkredeem", headers=auth, json={"accountId": "acct-1001", "unit": "CENTS", "amount": 100})
    hook.wait_for()
    assert hook.refused == 2
    (delivery,) = settled(lambda: webhooks(client))
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3 and delivery["response_status"] == 200


def test_redeliver_sends_a_delivered_event_again(make_app, dispatcher, receiver):
    app, hook = make_app(SAASQUATCH_WORLD), receiver()
    client, auth = app.test_client(), sq_auth(app)
    dispatcher(app)
    subscribe(client, "saasquatch", hook.url, TENANT)
    client.post(f"{SQ}/credit/bulkredeem", headers=auth, json={"accountId": "acct-1001", "unit": "CENTS", "amount": 100})
    (first,) = hook.wait_for()
    (delivery,) = settled(lambda: webhooks(client))
    assert client.post(f"/_sandbox/webhooks/{delivery['id']}/redeliver").get_json()["status"] in ("pending", "delivered")
    again = hook.wait_for(count=2)
    assert again[1]["body"] == first["body"]


def test_two_dispatchers_on_one_database_deliver_each_event_once(make_app, receiver):
    app, hook = make_app(SAASQUATCH_WORLD), receiver()
    client, auth = app.test_client(), sq_auth(app)
    subscribe(client, "saasquatch", hook.url, TENANT)
    running = [dispatch.start(app), dispatch.start(app)]
    try:
        for _ in range(10):
            assert client.post(f"{SQ}/credit/bulkredeem", headers=auth,
                               json={"accountId": "acct-1001", "unit": "CENTS", "amount": 10}).status_code == 200
        hook.wait_for(count=10)
    finally:
        for found in running:
            found.stop()
    ids = [r["json"]["id"] for r in hook.received]
    assert len(ids) == len(set(ids)) == 10


def test_served_by_several_workers_each_event_is_delivered_once_with_a_running_clock(live_server, receiver):
    hook = receiver()
    server = live_server("default", workers=3)
    base = f"{server.url}/saasquatch/api/v1/test_abo912126tastastt"
    auth = ("", "TEST_B4BYA15POHYQ284HBND1")
    assert requests.post(f"{base}/subscription", auth=auth, json={"endpointUrl": hook.url}).status_code == 201
    for _ in range(12):
        reply = requests.post(f"{base}/credit/bulkredeem", auth=auth, json={"accountId": "613611", "unit": "CENTS", "amount": 1})
        assert reply.status_code == 200
    received = hook.wait_for(count=12)
    values = sorted(r["json"]["data"]["availableValue"] for r in received)
    assert len({r["json"]["id"] for r in received}) == 12 and len(values) == 12
    listed = settled(lambda: requests.get(f"{server.url}/_sandbox/webhooks").json()["webhooks"])
    assert len(listed) == 12 and {w["status"] for w in listed} == {"delivered"}


def test_a_namespace_s_events_are_delivered(live_server, receiver):
    hook = receiver()
    server = live_server("default")
    ns = f"{server.url}/_ns/hooks"
    assert requests.put(f"{server.url}/_sandbox/namespaces/hooks", json={}).status_code == 201
    assert requests.post(f"{ns}/_sandbox/webhooks/subscriptions",
                         json={"api": "saasquatch", "url": hook.url, "client": "test_abo912126tastastt"}).status_code == 201
    reply = requests.post(f"{ns}/saasquatch/api/v1/test_abo912126tastastt/credit/bulkredeem",
                          auth=("", "TEST_B4BYA15POHYQ284HBND1"), json={"accountId": "613611", "unit": "CENTS", "amount": 1})
    assert reply.status_code == 200
    (event,) = hook.wait_for()
    assert event["json"]["tenantAlias"] == "test_abo912126tastastt"
    assert requests.get(f"{server.url}/_sandbox/webhooks").json()["webhooks"] == []   # the default namespace has none


def test_a_restart_between_the_change_and_the_delivery_loses_nothing(tmp_path, live_server):
    port = free_port()
    url = f"http://127.0.0.1:{port}/hooks"                 # nothing listens there yet
    db_path = str(tmp_path / "kept.sqlite")
    server = live_server("default", db_path=db_path)
    base = f"{server.url}/saasquatch/api/v1/test_abo912126tastastt"
    auth = ("", "TEST_B4BYA15POHYQ284HBND1")
    requests.post(f"{base}/subscription", auth=auth, json={"endpointUrl": url})
    assert requests.post(f"{base}/credit/bulkredeem", auth=auth,
                         json={"accountId": "613611", "unit": "CENTS", "amount": 1}).status_code == 200
    server.stop()
    hook = Receiver(port=port)
    try:
        restarted = live_server("default", db_path=db_path)
        (event,) = hook.wait_for()
        assert event["json"]["type"] == "user.reward.balance.changed"
        (listed,) = settled(lambda: requests.get(f"{restarted.url}/_sandbox/webhooks").json()["webhooks"])
        assert listed["status"] == "delivered" and listed["payload"] == event["json"]
    finally:
        hook.stop()


def test_a_slow_look_makes_the_dispatcher_wait_longer_before_the_next(make_app, monkeypatch):
    """A look at a changed database that took t waits LOOK_SHARE x t (within LOOK_EVERY and
    LOOK_AT_MOST) before the next: after a burst of Atrium jobs a look takes ~100 ms."""
    from sandbox.core import events, namespaces
    from sandbox.core.db import borrowed, write_transaction

    app = make_app(ATRIUM_WORLD)
    runtime = app.extensions["sandbox"]
    path = runtime.settings.db_path
    clock = [1000.0]
    looks = []

    def slow_materialise(db, apis, now, lazy=False, quiet=None):
        looks.append(clock[0])
        clock[0] += 0.1                                 # this look "takes" 100 ms
        return None

    monkeypatch.setattr(dispatch.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(events, "materialise", slow_materialise)

    def change():
        with borrowed(path) as db, write_transaction(db):
            db.execute("INSERT OR REPLACE INTO sandbox_meta (key, value) VALUES ('tick', ?)", [str(clock[0])])

    found = dispatch.Dispatcher(runtime)
    found._tick(namespaces.DEFAULT, path, first=True)
    assert len(looks) == 1
    expected_wait = min(dispatch.LOOK_AT_MOST, max(dispatch.LOOK_EVERY, dispatch.LOOK_SHARE * 0.1))
    assert expected_wait > dispatch.LOOK_EVERY
    for advance, looked in ((dispatch.LOOK_EVERY + 0.01, 1), (expected_wait - dispatch.LOOK_EVERY, 2)):  # 1.01 s in all
        clock[0] += advance
        change()
        found._tick(namespaces.DEFAULT, path, first=False)
        assert len(looks) == looked, (advance, looks)


def test_the_dispatcher_checkpoints_a_changed_database_off_the_requests_path(make_app):
    """Writes stay in the write-ahead log (no request's COMMIT copies it back below the
    backstop) until it has grown past CHECKPOINT_FROM_BYTES and the dispatcher's next tick
    checkpoints the database."""
    import sqlite3

    from sandbox.core import namespaces
    from sandbox.core.db import borrowed, write_transaction

    app = make_app(ATRIUM_WORLD)
    path = app.extensions["sandbox"].settings.db_path

    def in_the_file(key: str) -> bool:          # the database file alone, without its log
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return conn.execute("SELECT 1 FROM sandbox_meta WHERE key = ?", [key]).fetchone() is not None
        finally:
            conn.close()

    def write(n: int, size: int) -> None:
        with borrowed(path) as db, write_transaction(db):
            db.execute("INSERT INTO sandbox_meta (key, value) VALUES (?, ?)", [f"written-{n}", "x" * size])

    found = dispatch.Dispatcher(app.extensions["sandbox"])
    found._tick(namespaces.DEFAULT, path, first=True)
    write(0, 10)
    found._tick(namespaces.DEFAULT, path, first=False)
    assert not in_the_file("written-0")             # a small log is left to grow
    for n in range(1, 60):                          # past CHECKPOINT_FROM_BYTES
        write(n, dispatch.CHECKPOINT_FROM_BYTES // 50)
    assert not in_the_file("written-59")
    found._tick(namespaces.DEFAULT, path, first=False)
    assert in_the_file("written-0") and in_the_file("written-59")
