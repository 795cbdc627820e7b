"""Snapshots: save and restore a namespace's state (all four APIs and the clock) mid-test."""
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.core import snapshots

KEY = ("", "TEST_B4BYA15POHYQ284HBND1")
SQ = "/saasquatch/api/v1/test_abo912126tastastt"
REDEEM = {"accountId": "613611", "unit": "CENTS", "amount": 100}
MR = {"Authorization": "Token token=xxx"}
CREDIT = {"transaction": {"transaction_type": "Credit", "variety": "Programme Points", "points": 10, "reason": "r"}}
ATRIUM = {"MX-Client-ID": "atrium-client", "MX-API-Key": "atrium-api-key",
          "Accept": "application/vnd.mx.atrium.v1+json"}


@pytest.fixture
def client(make_app):
    return make_app("default").test_client()


def everything(client, prefix="") -> dict:
    state = {api: client.get(f"{prefix}/_sandbox/state/{api}").json["tables"]
             for api in ("atrium", "myrewards", "saasquatch", "eagleeye")}
    state["clock"] = client.get(f"{prefix}/_sandbox/clock").json
    state["faults"] = client.get(f"{prefix}/_sandbox/faults").json
    return state


def change_every_api(client, prefix="") -> dict:
    redeem = client.post(f"{prefix}{SQ}/credit/bulkredeem", json=REDEEM, auth=KEY)
    assert redeem.status_code == 200
    assert client.post(f"{prefix}/myrewards/api/v1/users/123/transactions", json=CREDIT, headers=MR).status_code == 200
    assert client.post(f"{prefix}/atrium/users", json={"user": {"identifier": "new-one"}},
                       headers=ATRIUM).status_code == 200
    assert client.delete(f"{prefix}/_sandbox/faults").status_code == 204
    assert client.post(f"{prefix}/_sandbox/faults", json={"api": "eagleeye", "name": "rollback_fails"}).status_code == 201
    assert client.put(f"{prefix}/_sandbox/clock", json={"frozen_at": "2030-01-01T00:00:00Z"}).status_code == 200
    return redeem.json


def test_a_snapshot_saves_and_restores_every_api_and_the_clock(client):
    client.put("/_sandbox/clock", json={"frozen_at": "2026-01-15T09:00:00Z"})
    before = everything(client)
    r = client.post("/_sandbox/snapshots", json={"name": "start"})
    assert r.status_code == 201
    assert r.json["name"] == "start" and r.json["scenario"] == "default" and r.json["created_at"].endswith("Z")
    first_redeem = change_every_api(client)
    after = everything(client)
    assert all(after[key] != before[key] for key in ("atrium", "myrewards", "saasquatch", "clock", "faults"))
    r = client.post("/_sandbox/snapshots/start/restore")
    assert r.status_code == 200 and r.json["name"] == "default"
    assert r.json["clock"]["now"] == "2026-01-15T09:00:00Z"
    assert everything(client) == before
    # a restored world keeps working: the same redeem answers as the first one did
    assert client.post(f"{SQ}/credit/bulkredeem", json=REDEEM, auth=KEY).json == first_redeem


def test_list_and_delete(client):
    assert client.get("/_sandbox/snapshots").json == {"snapshots": []}
    client.post("/_sandbox/snapshots", json={"name": "a"})
    client.post("/_sandbox/scenario", json={"name": "other-world"})
    client.post("/_sandbox/snapshots", json={"name": "b.2"})
    listed = client.get("/_sandbox/snapshots").json["snapshots"]
    assert [(s["name"], s["scenario"]) for s in listed] == [("a", "default"), ("b.2", "other-world")]
    assert all(s["bytes"] > 0 and s["created_at"].endswith("Z") for s in listed)
    assert client.delete("/_sandbox/snapshots/a").status_code == 204
    assert [s["name"] for s in client.get("/_sandbox/snapshots").json["snapshots"]] == ["b.2"]
    assert client.delete("/_sandbox/snapshots/a").status_code == 404
    assert client.post("/_sandbox/snapshots/a/restore").status_code == 404


def test_saving_a_name_again_replaces_that_snapshot(client):
    client.post("/_sandbox/snapshots", json={"name": "s"})
    client.post("/_sandbox/scenario", json={"name": "second"})
    assert client.post("/_sandbox/snapshots", json={"name": "s"}).status_code == 201
    client.post("/_sandbox/scenario", json={"name": "third"})
    assert client.post("/_sandbox/snapshots/s/restore").json["name"] == "second"
    assert len(client.get("/_sandbox/snapshots").json["snapshots"]) == 1


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "../x"}, {"name": "a/b"}, {"name": 7},
                                  {"name": "x" * 65}, {"name": "ok", "extra": 1}])
def test_a_bad_name_is_a_400_with_problems_and_saves_nothing(client, body):
    r = client.post("/_sandbox/snapshots", json=body)
    assert r.status_code == 400 and r.json["problems"]
    assert client.get("/_sandbox/snapshots").json == {"snapshots": []}


def test_a_namespace_has_its_own_snapshots_and_they_go_with_it(client, make_app):
    ns = "/_ns/job-1"
    client.put("/_sandbox/clock", json={"frozen_at": "2026-01-15T09:00:00Z"})
    client.post(f"{ns}/_sandbox/snapshots", json={"name": "mine"})
    assert client.get("/_sandbox/snapshots").json == {"snapshots": []}
    before_default = everything(client)
    change_every_api(client, ns)
    assert client.post(f"{ns}/_sandbox/snapshots/mine/restore").status_code == 200
    assert everything(client) == before_default                    # the default namespace untouched
    assert client.post("/_sandbox/snapshots/mine/restore").status_code == 404
    assert client.delete("/_sandbox/namespaces/job-1").status_code == 204
    assert client.get(f"{ns}/_sandbox/snapshots").json == {"snapshots": []}   # a new job-1 starts clean


def test_the_journal_is_not_part_of_a_snapshot(client):
    client.post("/_sandbox/snapshots", json={"name": "s"})
    client.get(f"{SQ}/reward/balance?accountId=613611", auth=KEY)
    client.post("/_sandbox/snapshots/s/restore")
    assert client.get("/_sandbox/requests/count").json == {"count": 1}


def test_the_file_mechanism_copies_a_live_database_consistently(tmp_path):
    live = str(tmp_path / "live.sqlite")
    db = sqlite3.connect(live)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE t (n INTEGER)")
    db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(1000)])
    db.commit()
    reader = sqlite3.connect(live)                      # another worker's open connection
    assert reader.execute("SELECT COUNT(*) FROM t").fetchone() == (1000,)
    snapshots.copy_database(live, str(tmp_path / "copy.sqlite"))
    assert sorted(os.listdir(tmp_path)) == ["copy.sqlite", "live.sqlite", "live.sqlite-shm", "live.sqlite-wal"]
    db.execute("DELETE FROM t WHERE n >= 10")
    db.commit()
    snapshots.restore_database(str(tmp_path / "copy.sqlite"), live)
    assert reader.execute("SELECT COUNT(*) FROM t").fetchone() == (1000,)          # no reopening needed
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.slow
def test_every_worker_sees_a_restore(live_server):
    server = live_server("default", workers=2)
    s = requests.Session()
    assert s.post(server.url + "/_sandbox/snapshots", json={"name": "start"}).status_code == 201
    balance = server.url + f"{SQ}/reward/balance?accountId=613611"
    before = s.get(balance, auth=KEY).json()
    assert s.post(server.url + f"{SQ}/credit/bulkredeem", json=REDEEM, auth=KEY).status_code == 200
    assert s.post(server.url + "/_sandbox/snapshots/start/restore").status_code == 200

    def read(_):
        with requests.Session() as fresh:       # new connections spread over both workers
            return fresh.get(server.url + "/_sandbox/health").json()["worker_pid"], fresh.get(balance, auth=KEY).json()

    seen: dict = {}
    deadline = time.monotonic() + 20
    while len(seen) < 2 and time.monotonic() < deadline:
        with ThreadPoolExecutor(8) as pool:
            for pid, answer in pool.map(read, range(16)):
                seen.setdefault(pid, []).append(answer)
    assert len(seen) == 2, "both workers should have answered"
    assert all(answer == before for answers in seen.values() for answer in answers)
