"""Namespaces as a lifecycle, against a fresh ``rewards-sandbox serve``: one in use is never
evicted and the cap is never exceeded (a request that would pass it gets 503 with
Retry-After); with an admin token only the control API creates namespaces; PUT
/_sandbox/namespaces/<name> creates one explicitly; names are case-insensitive; and a
thousand namespaces created and dropped in a row leave a server under ``ulimit -n 256``
answering."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import requests

from tests.support import start_server

from .harness import error_shape_problem

pytestmark = pytest.mark.slow

TENANT = "test_abo912126tastastt"
SQ_KEY = ("", "TEST_B4BYA15POHYQ284HBND1")
MR_AUTH = {"Authorization": "Token token=xxx"}


class Reply:
    """A requests.Response as harness.error_shape_problem reads a Flask response."""

    def __init__(self, response):
        self.status_code, self.headers, self._raw = response.status_code, response.headers, response.content

    def get_data(self):
        return self._raw


def credit(url: str, ns: str, points: int = 1):
    return requests.post(f"{url}/_ns/{ns}/myrewards/api/v1/users/123/transactions", headers=MR_AUTH, timeout=30,
                         json={"transaction": {"transaction_type": "Credit", "variety": "Programme Points",
                                               "points": points, "reason": "kept"}})


def balance(url: str, ns: str) -> int:
    return requests.get(f"{url}/_ns/{ns}/myrewards/api/v2/users/123/transactions/last", headers=MR_AUTH,
                        timeout=30).json()["balance"]


def files_in(server) -> int:
    return len(list(Path(server.db_path + ".namespaces").glob("*.sqlite")))


def test_a_namespace_in_use_is_never_evicted_and_the_cap_is_never_exceeded(tmp_path):
    limit = 4
    server = start_server(tmp_path, env={"SANDBOX_NAMESPACE_LIMIT": str(limit)})
    try:
        start = balance(server.url, "victim")
        acked, refused, stop = [], [], threading.Event()

        def victim():
            while not stop.is_set():
                r = credit(server.url, "victim")
                if r.status_code == 200:
                    acked.append(r.json()["id"])

        writer = threading.Thread(target=victim)
        writer.start()
        most = 0
        try:
            for n in range(64):                     # 64 new names, as in the attack
                r = requests.get(f"{server.url}/_ns/intruder-{n}/saasquatch/api/v1/{TENANT}/reward/balance",
                                 params={"accountId": "613611"}, auth=SQ_KEY, timeout=30)
                assert r.status_code in (200, 503), r.text
                if r.status_code == 503:
                    refused.append(r)
                most = max(most, files_in(server))
        finally:
            stop.set()
            writer.join(30)
        assert len(refused) == 64 - (limit - 1)
        for r in refused:
            assert error_shape_problem("saasquatch", Reply(r)) is None
            assert int(r.headers["Retry-After"]) >= 1 and "SANDBOX_NAMESPACE_LIMIT" in r.json()["message"]
        assert most <= limit and files_in(server) <= limit
        ids = [row["id"] for row in requests.get(f"{server.url}/_ns/victim/myrewards/api/v2/users/123/transactions",
                                                 headers=MR_AUTH, timeout=30).json()]
        assert set(acked) <= set(ids) and len(set(acked)) == len(acked)
        assert balance(server.url, "victim") == start + len(acked)
        print(f"[reliability] namespaces: {len(acked)} acknowledged credits in a namespace in use, all kept while "
              f"64 new names asked for namespaces at a cap of {limit}: {len(refused)} refused with 503 and "
              f"Retry-After, at most {most} namespace files at any time")
    finally:
        server.stop()


def test_with_an_admin_token_only_the_control_api_creates_namespaces(tmp_path):
    token = "s3cret-admin"
    server = start_server(tmp_path, env={"SANDBOX_ADMIN_TOKEN": token})
    bearer = {"Authorization": f"Bearer {token}"}
    try:
        r = requests.get(f"{server.url}/_ns/unknown/atrium/users", timeout=30)
        assert r.status_code == 404 and error_shape_problem("atrium", Reply(r)) is None
        r = requests.get(f"{server.url}/_ns/unknown/myrewards/api/v2/users/123/transactions", headers=MR_AUTH,
                         timeout=30)
        assert r.status_code == 404 and error_shape_problem("myrewards", Reply(r)) is None
        assert requests.put(f"{server.url}/_sandbox/namespaces/job-1", timeout=30).status_code == 401
        assert not Path(server.db_path + ".namespaces", "unknown.sqlite").exists()
        r = requests.put(f"{server.url}/_sandbox/namespaces/job-1", headers=bearer, timeout=30)
        assert r.status_code == 201 and r.json()["created"] is True and r.json()["scenario"] == "default"
        assert requests.put(f"{server.url}/_sandbox/namespaces/job-1", headers=bearer, timeout=30).status_code == 200
        assert credit(server.url, "job-1").status_code == 200
        r = requests.get(f"{server.url}/_ns/job-2/_sandbox/health", headers=bearer, timeout=30)
        assert r.status_code == 200 and r.json()["namespace"] == "job-2"         # a control call may create
        names = {n["name"] for n in requests.get(f"{server.url}/_sandbox/namespaces", headers=bearer,
                                                   timeout=30).json()["namespaces"]}
        assert names == {"job-1", "job-2"}
    finally:
        server.stop()


def test_put_creates_a_namespace_with_a_scenario_and_names_are_case_insensitive(tmp_path):
    server = start_server(tmp_path)
    try:
        r = requests.put(f"{server.url}/_sandbox/namespaces/Job-A",
                         json={"scenario": "saasquatch/balance-filters"}, timeout=30)
        assert r.status_code == 201 and r.json()["name"] == "job-a", r.text
        assert r.json()["scenario"] == "saasquatch-balance-filters"
        assert requests.get(f"{server.url}/_ns/JOB-a/_sandbox/health", timeout=30).json()["scenario"] == \
            "saasquatch-balance-filters"
        r = requests.get(f"{server.url}/_sandbox/health", headers={"X-Sandbox-Namespace": "jOb-A"}, timeout=30)
        assert r.json()["namespace"] == "job-a"
        bad = requests.put(f"{server.url}/_sandbox/namespaces/job-b", json={"scenario": {"name": "b", "atrium": 5}},
                           timeout=30)
        assert bad.status_code == 400 and bad.json()["problems"]
        missing = requests.put(f"{server.url}/_sandbox/namespaces/job-c", json={"scenario": "../../etc/passwd"},
                               timeout=30)
        assert missing.status_code == 400
        names = [n["name"] for n in requests.get(f"{server.url}/_sandbox/namespaces", timeout=30).json()["namespaces"]]
        assert names == ["job-a"]
        assert sorted(p.name for p in Path(server.db_path + ".namespaces").glob("*.sqlite")) == ["job-a.sqlite"]
        assert requests.delete(f"{server.url}/_sandbox/namespaces/JOB-A", timeout=30).status_code == 204
    finally:
        server.stop()


def worker_fds(server) -> dict[int, int]:
    children = [int(p) for p in os.listdir("/proc") if p.isdigit() and _ppid(int(p)) == server.proc.pid]
    return {pid: len(os.listdir(f"/proc/{pid}/fd")) for pid in children}


def _ppid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


CHURN_WORLD = {"name": "churn", "saasquatch": {"tenants": [{"tenant_alias": TENANT, "api_key": SQ_KEY[1],
                                                          "accounts": [{"id": "613611"}]}]}}


def test_a_thousand_namespaces_created_and_dropped_leave_the_server_answering(tmp_path):
    server = start_server(tmp_path, CHURN_WORLD, max_open_files=256)
    try:
        session = requests.Session()
        before = worker_fds(server)
        most = dict(before)
        for n in range(1000):
            r = session.get(f"{server.url}/_ns/churn-{n}/saasquatch/api/v1/{TENANT}/reward/balance",
                            params={"accountId": "613611"}, auth=SQ_KEY, timeout=30)
            assert r.status_code == 200, (n, r.status_code, r.text[:300])
            assert session.delete(f"{server.url}/_sandbox/namespaces/churn-{n}", timeout=30).status_code == 204
            if n % 100 == 99:
                for pid, count in worker_fds(server).items():
                    most[pid] = max(most.get(pid, 0), count)
        r = session.get(f"{server.url}/_ns/after-churn/saasquatch/api/v1/{TENANT}/reward/balance",
                        params={"accountId": "613611"}, auth=SQ_KEY, timeout=30)
        assert r.status_code == 200
        deleted = 0
        for pid in worker_fds(server):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    deleted += os.readlink(f"/proc/{pid}/fd/{fd}").endswith("(deleted)")
                except OSError:
                    pass
        assert all(count < 100 for count in most.values()), most
        assert deleted <= 16, deleted
        print(f"[reliability] namespaces: 1,000 created and dropped under ulimit -n 256; open files per worker "
              f"{before} at the start, at most {most}; {deleted} handles to deleted files at the end; "
              f"a new namespace answers 200")
    finally:
        server.stop()
