"""The journal against a fresh ``rewards-sandbox serve``: one request cannot poison it (a
lone surrogate next to a secret-looking key), no entry is lost when a read fails, secrets
are masked in query strings, form bodies and JSON however it is escaped (in the journal and
the request log line), and huge headers cannot grow it or one read past their bounds."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests

from sandbox.core import journal
from tests.support import start_server

pytestmark = pytest.mark.slow

MR_AUTH = {"Authorization": "Token token=xxx"}
TENANT = "test_abo912126tastastt"
SQ_KEY = ("", "TEST_B4BYA15POHYQ284HBND1")


def test_one_request_cannot_poison_the_journal_and_no_entry_is_lost(tmp_path):
    server = start_server(tmp_path)
    try:
        for n in range(20):                              # unread entries in both workers' spill files
            requests.get(f"{server.url}/saasquatch/api/v1/{TENANT}/reward/balance?accountId=613611&n={n}",
                         auth=SQ_KEY, timeout=30)
        poison = b'{"password": "hunter2", "name": "\\ud800"}'
        r = requests.post(f"{server.url}/myrewards/api/v2/users", data=poison, timeout=30,
                          headers={**MR_AUTH, "Content-Type": "application/json"})
        assert r.status_code < 500
        for _ in range(2):
            read = requests.get(f"{server.url}/_sandbox/requests", timeout=30)
            assert read.status_code == 200, read.text[:300]
            entries = read.json()["requests"]
            assert len(entries) == 21
        assert "hunter2" not in json.dumps(entries)
        print("[reliability] journal: a body with a secret key and a lone surrogate escape; two reads after it "
              "answer 200 with all 21 entries, the secret masked")
    finally:
        server.stop()


def test_secrets_are_masked_in_queries_forms_and_escaped_json(tmp_path):
    token = "adm-t0ken-value"
    server = start_server(tmp_path, env={"SANDBOX_ADMIN_TOKEN": token})
    bearer = {"Authorization": f"Bearer {token}"}
    secrets = {"qs-key-1", "qs-tok-2", "qs-sig-3", "form-pass-4", "json-cred-5", token}
    try:
        requests.get(f"{server.url}/saasquatch/api/v1/{TENANT}/reward/balance", auth=SQ_KEY, timeout=30,
                     params={"accountId": "613611", "api_KEY": "qs-key-1", "authToken": "qs-tok-2",
                             "X-Signature": "qs-sig-3", "admin_token": token})
        requests.post(f"{server.url}/myrewards/api/v1/users/123/transactions", headers=MR_AUTH, timeout=30,
                      data={"transaction[password]": "form-pass-4", "transaction[points]": "1"})
        requests.post(f"{server.url}/atrium/users/USR-1/members", timeout=30,
                      data=b'{"member": {"cr\\u0065dentials": [{"guid": "CRD-1", "value": "json-cred-5"}]}}',
                      headers={"Content-Type": "application/json"})
        entries = requests.get(f"{server.url}/_sandbox/requests", headers=bearer, timeout=30).json()["requests"]
        assert len(entries) == 3
        text = json.dumps(entries) + server.log()
        assert not [s for s in secrets if s in text], [s for s in secrets if s in text]
        assert "accountId=613611" in entries[0]["query"] and "api_KEY=***" in entries[0]["query"]
        print(f"[reliability] journal: {len(secrets)} secrets sent in query parameters, a form body, escaped JSON "
              f"and as the admin token in a query: none in the journal or the request log")
    finally:
        server.stop()


def test_huge_headers_cannot_grow_the_journal_or_one_read_past_their_bounds(tmp_path):
    max_bytes = 4 * 1024 * 1024
    server = start_server(tmp_path, env={"SANDBOX_JOURNAL_MAX_BYTES": str(max_bytes)})
    try:
        headers = {f"X-Big-{n}": "h" * 8000 for n in range(80)}          # ~640 KiB of headers a request
        session = requests.Session()
        for n in range(150):
            r = session.get(f"{server.url}/atrium/institutions?n={n}", headers=headers, timeout=30)
            assert r.status_code < 500
        spilled = sum(os.path.getsize(p) for p in journal.spill_paths(server.db_path + ".requests"))
        read = requests.get(f"{server.url}/_sandbox/requests", timeout=60)
        assert read.status_code == 200
        body = read.content
        entries = read.json()["requests"]
        stored = Path(server.db_path + ".requests").stat().st_size
        wal = Path(server.db_path + ".requests-wal")
        stored += wal.stat().st_size if wal.exists() else 0
        assert len(body) <= journal.READ_MAX_BYTES + 1024 * 1024
        assert entries[-1]["query"] == "n=149"                           # a cut read keeps the newest
        assert all(len(json.dumps(e["headers"])) <= 2 * journal.HEADERS_LIMIT for e in entries)
        assert spilled <= max_bytes and stored <= 3 * max_bytes, (spilled, stored)
        print(f"[reliability] journal: 150 requests with ~640 KiB of headers each: {spilled / 2**20:.1f} MiB spilled, "
              f"{stored / 2**20:.1f} MiB stored, one read {len(body) / 2**20:.1f} MiB ({len(entries)} newest entries, "
              f"{read.json()['omitted']} left out)")
    finally:
        server.stop()
