"""Request bodies against a fresh ``rewards-sandbox serve``, sent over raw sockets: every
body counts against ``SANDBOX_MAX_BODY_BYTES`` however it is framed; over it is a 413 in
the API's own error shape that reaches a client still sending, with nothing processed; a
malformed chunk size or a body shorter than its ``Content-Length`` is a 400 in the API's
shape, never a 500 and never processed."""
from __future__ import annotations

import json

import pytest
import requests

from sandbox.core.settings import DEFAULT_MAX_BODY_BYTES
from tests.support import start_server

from .catalogue import PREFIX
from .harness import error_shape_problem
from .rawhttp import chunked, exchange, head
from .world import WORLD

pytestmark = pytest.mark.slow

MYREWARDS = {"Authorization": "Token token=mr-key-a", "Content-Type": "application/json"}
CLAIM = {"date_of_sale": "2026-01-10", "product_or_activity": "SKU-1", "quantity": 1, "user_id": 10}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_server(tmp_path_factory.mktemp("bodies"), WORLD)
    yield live
    live.stop()


def port_of(server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def ledger(server) -> list:
    return requests.get(f"{server.url}/_sandbox/state/myrewards", timeout=30).json()["tables"]["transactions"]


def sales_batch(records: int) -> bytes:
    return json.dumps({"promotion_id": 11, "data": [CLAIM] * records}).encode()


def test_a_chunked_batch_over_the_limit_is_413_in_the_api_shape_and_nothing_is_credited(server):
    before = ledger(server)
    body = sales_batch(DEFAULT_MAX_BODY_BYTES // len(json.dumps(CLAIM)) + 500)
    assert len(body) > DEFAULT_MAX_BODY_BYTES
    path = "/myrewards/api/v2/performance/data"
    answer = exchange(port_of(server), [head("POST", path, {**MYREWARDS, "Transfer-Encoding": "chunked"}),
                                        *chunked(body)])
    assert answer.status == 413 and not answer.send_failed, (answer.status, answer.body[:300])
    assert error_shape_problem("myrewards", answer) is None
    assert ledger(server) == before
    # the same batch under the limit is credited whole: the framing itself works
    small = sales_batch(3)
    answer = exchange(port_of(server), [head("POST", path, {**MYREWARDS, "Transfer-Encoding": "chunked"}),
                                        *chunked(small, 50)])
    assert answer.status == 201, answer.body[:300]
    assert len(ledger(server)) == len(before) + 3
    print(f"[reliability] bodies: a chunked batch of {len(body):,} bytes (limit {DEFAULT_MAX_BODY_BYTES:,}) "
          f"answered 413 in MyRewards' shape, ledger unchanged ({len(before)} rows); 3 records under the limit "
          f"credited whole")


def test_a_world_over_the_limit_is_refused_whole_however_it_is_framed(server):
    world_before = requests.get(f"{server.url}/_sandbox/scenario", timeout=30).json()["name"]
    wallets = [{"walletId": str(9000000 + n), "accounts": []} for n in range(30_000)]
    body = json.dumps({"name": "too-big", "eagleeye": {"wallets": wallets}}).encode()
    assert len(body) > DEFAULT_MAX_BODY_BYTES
    headers = {"Content-Type": "application/json"}
    for framing in ("chunked", "content-length"):
        if framing == "chunked":
            parts = [head("POST", "/_sandbox/scenario", {**headers, "Transfer-Encoding": "chunked"}), *chunked(body)]
        else:
            parts = [head("POST", "/_sandbox/scenario", {**headers, "Content-Length": str(len(body))}), body]
        answer = exchange(port_of(server), parts)
        assert answer.status == 413 and not answer.send_failed, (framing, answer.status, answer.body[:300])
        assert error_shape_problem("control", answer) is None
        assert requests.get(f"{server.url}/_sandbox/scenario", timeout=30).json()["name"] == world_before


def test_the_413_reaches_a_client_still_sending_a_body_three_times_the_limit(server):
    body = b'{"x": "' + b"y" * (3 * DEFAULT_MAX_BODY_BYTES) + b'"}'
    for framing in ("chunked", "content-length"):
        extra = {"Transfer-Encoding": "chunked"} if framing == "chunked" else {"Content-Length": str(len(body))}
        parts = [head("POST", "/saasquatch/api/v1/tenant_a/credit/bulkredeem",
                      {"Content-Type": "application/json", **extra})]
        parts += list(chunked(body)) if framing == "chunked" else [body[at: at + 65536]
                                                                   for at in range(0, len(body), 65536)]
        answer = exchange(port_of(server), parts)
        assert answer.status == 413 and not answer.send_failed, (framing, answer.status)
        assert error_shape_problem("saasquatch", answer) is None


@pytest.mark.parametrize("api", ["atrium", "myrewards", "saasquatch", "eagleeye", "control"])
def test_a_malformed_chunk_size_is_400_in_the_api_shape(server, api):
    path = {"atrium": "/users", "myrewards": "/api/v2/users", "saasquatch": "/api/v1/tenant_a/credit/bulkredeem",
            "eagleeye": "/wallet", "control": "/scenario"}[api]
    for framing in (b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n", b"-1\r\n{}\r\n0\r\n\r\n"):
        answer = exchange(port_of(server), [head("POST", PREFIX[api] + path, {
            "Content-Type": "application/json", "Transfer-Encoding": "chunked"}), framing])
        assert answer.status == 400, (api, framing, answer.status, answer.body[:300])
        assert error_shape_problem(api, answer) is None
    assert "Traceback" not in server.log()


def test_a_body_shorter_than_its_content_length_is_400_and_not_processed(server):
    before = ledger(server)
    body = json.dumps({"transaction": {"transaction_type": "Credit", "variety": "Programme Points",
                                       "points": 10, "reason": "short"}}).encode()
    path = "/myrewards/api/v1/users/10/transactions"
    answer = exchange(port_of(server), [head("POST", path, {**MYREWARDS, "Content-Length": str(len(body) + 100)}),
                                        body], half_close=True)
    assert answer.status == 400, (answer.status, answer.body[:300])
    assert error_shape_problem("myrewards", answer) is None
    assert ledger(server) == before
    assert "Traceback" not in server.log()
