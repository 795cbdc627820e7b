"""Several gunicorn workers, one SQLite file: concurrent requests that start jobs or
create members are decided one at a time (BEGIN IMMEDIATE), so exactly one job starts
and the member limit and duplicate rule hold exactly."""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.apis.atrium.world import BETA, LOGIN, MEMBER, PASSWORD, USER, V1, world

pytestmark = pytest.mark.slow

HEADERS = {"MX-Client-ID": "partner", "MX-API-Key": "partner-key", "Content-Type": "application/json"}


def fire(calls):
    """Run (method, url, accept, json) calls on 16 threads; their status codes."""
    def one(call):
        method, url, accept, body = call
        return requests.request(method, url, json=body, headers={**HEADERS, "Accept": accept}, timeout=30).status_code
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(one, calls))


def member_body(password):
    return {"member": {"institution_code": "mxbank", "credentials": [
        {"guid": LOGIN, "value": "test_atrium"}, {"guid": PASSWORD, "value": password}]}}


def test_concurrent_requests_across_four_workers(live_server):
    doc = world(users=[
        {"guid": USER, "client_id": "partner", "members": [
            {"guid": MEMBER, "institution_code": "mxbank"}, {"guid": "MBR-mixed", "institution_code": "mxbank"}]},
        {"guid": "USR-many", "client_id": "partner"},
        {"guid": "USR-dup", "client_id": "partner"},
    ])
    server = live_server(doc, workers=4)
    base = server.url + "/atrium/users"

    fetches = fire([("POST", f"{base}/{USER}/members/{MEMBER}/fetch_rewards", BETA, None)] * 120)
    assert Counter(fetches) == {200: 1, 202: 119}

    mixed = fire([("POST", f"{base}/{USER}/members/MBR-mixed/{kind}", BETA if kind == "fetch_rewards" else V1, None)
                  for kind in ["aggregate", "fetch_rewards"] * 50])
    counts = Counter(mixed)
    assert counts[200] == 1 and counts[202] + counts[409] == 99 and set(counts) <= {200, 202, 409}
    assert counts[202] == 49 and counts[409] == 50          # same kind as the winner: 202; the other: 409

    creates = fire([("POST", f"{base}/USR-many/members", V1, member_body(f"p{n}")) for n in range(60)])
    assert Counter(creates) == {200: 25, 405: 35}

    duplicates = fire([("POST", f"{base}/USR-dup/members", V1, member_body("password"))] * 40)
    assert Counter(duplicates) == {200: 1, 409: 39}

    tables = requests.get(server.url + "/_sandbox/state/atrium", timeout=10).json()["tables"]
    jobs = Counter(job["member_guid"] for job in tables["jobs"])
    assert jobs[MEMBER] == 1 and jobs["MBR-mixed"] == 1
    members = Counter(m["user_guid"] for m in tables["members"])
    assert members["USR-many"] == 25 and members["USR-dup"] == 1
    assert len({m["guid"] for m in tables["members"]}) == len(tables["members"])
    assert "Traceback" not in server.log()
