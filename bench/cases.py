"""The HTTP cases: what each one sends (one request, or a rotation of requests).

Every request is built here as method, path, headers and body; the load generators
(wrk through a Lua script, or the Python fallback) only replay them.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from sandbox.apis.atrium.service.catalogue import DEFAULT_JOB_SECONDS as JOB_SECONDS

from . import worlds as w


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Case:
    name: str
    kind: str                   # "ceiling", "read", "write", "info" or "list"
    requests: tuple[Request, ...]
    # for writes: a query on the state database counting the rows each success adds
    rows_sql: str | None = None
    note: str = ""
    # seconds to wait after each run: the background work it leaves (the webhook dispatcher
    # writing the events of the jobs it started) is done before the next case is timed
    settle_seconds: float = 0.0


_BETA = {"Accept": "application/vnd.mx.atrium.beta+json"}
_SQ_AUTH = {"Authorization": "Basic " + base64.b64encode(f":{w.SAASQUATCH_KEY}".encode()).decode()}
_SQ = f"/saasquatch/api/v1/{w.SAASQUATCH_TENANT}"
_SQ_BENCH = f"/saasquatch/api/v1/{w.SAASQUATCH_BENCH_TENANT}"
_SQ_BENCH_AUTH = {"Authorization": "Basic " + base64.b64encode(f":{w.SAASQUATCH_BENCH_KEY}".encode()).decode()}
_ATRIUM_READER = f"/atrium/users/{w.ATRIUM_READ_USER}/members/{w.ATRIUM_READ_MEMBER}"


def _eagleeye(method: str, path: str, body: bytes = b"") -> Request:
    """A signed AIR request: the hash covers path, body and the client secret."""
    digest = hashlib.sha256(path.encode() + body + w.EAGLEEYE_SECRET.encode()).hexdigest()
    headers = {"X-EES-AUTH-CLIENT-ID": w.EAGLEEYE_CLIENT, "X-EES-AUTH-HASH": digest}
    if body:
        headers["Content-Type"] = "application/json"
    return Request(method, path, headers, body)


def ceiling() -> Case:
    return Case("ceiling: minimal Flask app, GET /ping", "ceiling", (Request("GET", "/ping"),))


def health() -> Case:
    return Case("control: GET /_sandbox/health", "info", (Request("GET", "/_sandbox/health"),),
                note="no journal; the pipeline's floor")


def reads() -> list[Case]:
    return [
        Case("Atrium: list rewards", "read",
             (Request("GET", f"{_ATRIUM_READER}/rewards", {**w.ATRIUM_CLIENT, **_BETA}),)),
        Case("MyRewards: list transactions", "read",
             (Request("GET", "/myrewards/api/v2/users/123/transactions", {"Authorization": "Token token=xxx"}),)),
        Case("SaaSquatch: reward balance", "read",
             (Request("GET", f"{_SQ}/reward/balance?accountId=613611", _SQ_AUTH),)),
        Case("Eagle Eye: read account", "read",
             (_eagleeye("GET", "/eagleeye/wallet/555555/account/4102305275"),)),
    ]


def writes() -> list[Case]:
    form = {"Authorization": f"Token token={w.MYREWARDS_BENCH_KEY}",
            "Content-Type": "application/x-www-form-urlencoded"}
    credit = (b"transaction[transaction_type]=Credit&transaction[variety]=Programme+Points"
              b"&transaction[points]=1&transaction[reason]=Benchmark+credit")
    redeem = b'{"accountId": "%s", "unit": "CENTS", "amount": 1}' % w.SAASQUATCH_BENCH_ACCOUNT.encode()
    e = w.EAGLEEYE_BENCH
    exchange = ('{"accountId": "%s", "rewardBankId": "%s", "rewardId": "%s"}'
                % (e["account"], e["bank"], e["reward"])).encode()
    return [
        Case("Atrium: fetch_rewards (rotating members)", "write",
             tuple(Request("POST", f"/atrium/users/{u}/members/{m}/fetch_rewards", {**w.ATRIUM_CLIENT, **_BETA})
                   for u, m in w.atrium_writers()),
             rows_sql="SELECT COUNT(*) FROM atrium_jobs",
             note=f"{len(w.atrium_writers()):,} members in turn; a job runs {JOB_SECONDS:g} s of sandbox time,"
                  f" and each round waits {JOB_SECONDS + 1:g} s after it for the jobs' events to be written",
             settle_seconds=JOB_SECONDS + 1),
        Case("MyRewards: v1 credit", "write",
             (Request("POST", f"/myrewards/api/v1/users/{w.MYREWARDS_BENCH_USER}/transactions", form, credit),),
             rows_sql="SELECT COUNT(*) FROM myrewards_transactions", note="form-encoded, as the vendor's example"),
        Case("SaaSquatch: bulkredeem", "write",
             (Request("POST", f"{_SQ_BENCH}/credit/bulkredeem", {**_SQ_BENCH_AUTH, "Content-Type": "application/json"},
                      redeem),),
             rows_sql="SELECT COUNT(*) FROM saasquatch_redemptions", note="1 cent each from one reward"),
        Case("Eagle Eye: exchange", "write",
             (_eagleeye("POST", f"/eagleeye/services/wallet/{e['wallet']}/transaction/exchange/pointsreward",
                        exchange),),
             rows_sql="SELECT COUNT(*) FROM eagleeye_wallet_transactions WHERE type = 'EXCHANGE'"),
    ]


def bounds() -> list[Case]:
    """The Atrium read and the MyRewards write, answered by ``bench.bound`` (the same requests)."""
    read = reads()[0]
    credit = next(case for case in writes() if case.name.startswith("MyRewards"))
    note = "bench.bound: only the work the request needs, with the journal entry and the log line"
    return [Case(f"bound: {case.name}, by hand", "bound", case.requests, rows_sql=case.rows_sql, note=note)
            for case in (read, credit)]


def lists() -> list[Case]:
    """The list endpoints, each reading a page the bench world owns (the filler rows of
    worlds.fill_ledgers belong to others)."""
    return [
        Case("Atrium: list transactions (page 1, 25 per page)", "list",
             (Request("GET", f"{_ATRIUM_READER}/transactions?page=1&records_per_page=25",
                      {**w.ATRIUM_CLIENT, "Accept": "application/vnd.mx.atrium.v1+json"}),)),
        Case("MyRewards: list transactions", "list",
             (Request("GET", "/myrewards/api/v2/users/123/transactions", {"Authorization": "Token token=xxx"}),)),
        Case("SaaSquatch: list rewards with redemptions", "list",
             (Request("GET", f"{_SQ}/reward?accountId=613611", _SQ_AUTH),)),
        Case("Eagle Eye: list account transactions (limit 25)", "list",
             (_eagleeye("GET", "/eagleeye/wallet/555555/account/4102305275/transactions?limit=25"),)),
    ]
