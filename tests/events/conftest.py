import base64
import time

import pytest

from sandbox.core import dispatch
from tests.support import Receiver

ATRIUM_WORLD = {
    "name": "events-atrium",
    "include": ["atrium/rewards-world.yaml"],
    "clock": "2026-01-15T09:00:00Z",
}
SAASQUATCH_WORLD = {
    "name": "events-saasquatch",
    "include": ["saasquatch/rewards-in-every-state.yaml"],
    "clock": "2026-03-01T00:00:00Z",
}
BETA = {"MX-Client-ID": "partner-dev", "MX-API-Key": "sandbox-key", "Accept": "application/vnd.mx.atrium.beta+json"}
MEMBER = "/atrium/users/USR-user-1/members/MBR-mxbank-1"
TENANT = "test_sandbox_history"
SQ = f"/saasquatch/api/v1/{TENANT}"


@pytest.fixture
def receiver():
    made = []

    def start(**kwargs):
        made.append(Receiver(**kwargs))
        return made[-1]

    yield start
    for found in made:
        found.stop()


@pytest.fixture
def dispatcher():
    """``dispatcher(app)``: the app's webhook dispatcher running (stopped after the test)."""
    started = []

    def start(app):
        started.append(dispatch.start(app))
        return started[-1]

    yield start
    for found in started:
        found.stop()


def sq_auth(app) -> dict:
    from sandbox.core.db import borrowed
    with borrowed(app.extensions["sandbox"].settings.db_path) as db:
        key = db.execute("SELECT api_key FROM saasquatch_tenants WHERE tenant_alias = ?", [TENANT]).fetchone()[0]
    return {"Authorization": "Basic " + base64.b64encode(f":{key}".encode()).decode(), "Content-Type": "application/json"}


def subscribe(client, api: str, url: str, who: str) -> dict:
    reply = client.post("/_sandbox/webhooks/subscriptions", json={"api": api, "url": url, "client": who})
    assert reply.status_code == 201, reply.get_data()
    return reply.get_json()


def webhooks(client, **filters) -> list[dict]:
    reply = client.get("/_sandbox/webhooks", query_string=filters)
    assert reply.status_code == 200, reply.get_data()
    return reply.get_json()["webhooks"]


def settled(read, timeout: float = 30.0) -> list[dict]:
    """``read()`` (a listing of webhooks) once none is pending: the receiver has its copy a
    moment before the dispatcher records the attempt."""
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        if not any(w["status"] == "pending" for w in found) or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)
