"""Parallel test jobs in different namespaces of one real server never see each other's
writes, clock, journal or faults."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.slow

TENANT = "test_abo912126tastastt"
KEY = ("", "TEST_B4BYA15POHYQ284HBND1")
JOBS = 6
REDEEMS = 12


def run_job(server_url: str, job: int) -> dict:
    base = f"{server_url}/_ns/job-{job}"
    session = requests.Session()
    frozen = f"2030-01-{job + 1:02d}T00:00:00Z"
    assert session.put(f"{base}/_sandbox/clock", json={"frozen_at": frozen}).status_code == 200
    # each job breaks its own balance read once; no other job may see that fault
    session.post(f"{base}/_sandbox/faults", json={"api": "saasquatch", "path": "reward/balance", "status": 503})
    redeem = f"{base}/saasquatch/api/v1/{TENANT}/credit/bulkredeem"
    available = []
    for _ in range(REDEEMS + job):  # each job spends a different amount
        r = session.post(redeem, json={"accountId": "613611", "unit": "CENTS", "amount": 1}, auth=KEY)
        assert r.status_code == 200, r.text
        available.append(r.json()["creditAvailable"])
    balance_url = f"{base}/saasquatch/api/v1/{TENANT}/reward/balance?accountId=613611"
    first, second = session.get(balance_url, auth=KEY), session.get(balance_url, auth=KEY)
    journal = session.get(f"{base}/_sandbox/requests").json()["requests"]
    return {"job": job, "available": available, "clock": session.get(f"{base}/_sandbox/clock").json()["now"],
            "balance_statuses": (first.status_code, second.status_code),
            "journal_paths": {e["path"] for e in journal}, "journal_count": len(journal)}


def test_parallel_jobs_in_namespaces_are_isolated(live_server):
    server = live_server(workers=2)
    start = requests.post(f"{server.url}/saasquatch/api/v1/{TENANT}/credit/bulkredeem",
                          json={"accountId": "613611", "unit": "CENTS", "amount": 1}, auth=KEY)
    assert start.status_code == 200
    initial = start.json()["creditAvailable"] + 1  # what every fresh namespace starts with
    with ThreadPoolExecutor(JOBS) as pool:
        results = list(pool.map(lambda j: run_job(server.url, j), range(JOBS)))
    for result in results:
        job, spent = result["job"], REDEEMS + result["job"]
        assert result["available"] == [initial - n for n in range(1, spent + 1)], f"job {job} saw other writes"
        assert result["clock"] == f"2030-01-{job + 1:02d}T00:00:00Z"
        assert result["balance_statuses"] == (503, 200)  # its own single fault, no one else's
        assert result["journal_count"] == spent + 2
        assert all("/saasquatch/" in p for p in result["journal_paths"])
    default_clock = requests.get(f"{server.url}/_sandbox/clock").json()
    assert default_clock["frozen"] is False
    assert requests.get(f"{server.url}/_sandbox/faults").json()["faults"] == []
    assert len(requests.get(f"{server.url}/_sandbox/requests").json()["requests"]) == 1
    names = {n["name"] for n in requests.get(f"{server.url}/_sandbox/namespaces").json()["namespaces"]}
    assert names == {f"job-{j}" for j in range(JOBS)}
    print(f"{JOBS} parallel jobs, {sum(REDEEMS + j for j in range(JOBS))} debits: no job saw another's state")
