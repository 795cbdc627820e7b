"""The benchmark run: every measurement, in one process, against servers it starts."""
from __future__ import annotations

import http.client
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cases as c
from . import isolation, peers, servers, serving, worlds
from .load import LoadGenerator, SessionLoad


@dataclass(frozen=True)
class Plan:
    rounds: int = 5
    seconds: float = 5.0
    warmup_seconds: float = 1.0
    cold_runs: int = 7
    load_runs: int = 7
    list_rows: tuple[int, int] = (1_000, 1_000_000)
    list_rounds: int = 3
    isolation_samples: int = 100      # per case, model and round
    plugin_tests: int = 100           # per round, with and without the fixture
    settle: bool = True               # wait out a case's background work (Case.settle_seconds)


FULL = Plan()
# wrk's shortest run is 1 s: the smoke's shorter runs are the single-session client's
SMOKE = Plan(rounds=1, seconds=0.3, warmup_seconds=0.0, cold_runs=1, load_runs=1,
             list_rows=(1_000, 5_000), list_rounds=1, isolation_samples=3, plugin_tests=3,
             settle=False)


@dataclass
class CaseFigures:
    case: c.Case
    rounds: list = field(default_factory=list)          # load.Result per round
    rows_added: int | None = None                       # writes: rows the successes added
    workers: list = field(default_factory=list)         # requests per worker, largest first, per round

    def add_workers(self, spread: list[int]) -> None:
        self.workers.append(spread)

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.rounds)

    @property
    def p50(self) -> float:
        return statistics.median(r.p50_ms for r in self.rounds)

    @property
    def p99(self) -> float:
        return statistics.median(r.p99_ms for r in self.rounds)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.rounds)

    @property
    def bad(self) -> int:
        return sum(r.bad_status + r.socket_errors for r in self.rounds)


@dataclass
class Figures:
    plan: Plan
    loadgen: str
    cold_start: list = field(default_factory=list)
    ceiling_cold_start: list = field(default_factory=list)
    throughput: list = field(default_factory=list)        # CaseFigures, ceiling first: shipped model, wrk
    serving: dict = field(default_factory=dict)           # model -> "load"/"session" -> [CaseFigures]
    isolation: dict = field(default_factory=dict)         # model -> [isolation.Latency], the read first
    peers: list = field(default_factory=list)             # isolation.Latency per installed peer
    peers_missing: list = field(default_factory=list)     # a sentence per peer not installed
    plugin: list = field(default_factory=list)            # the fixture's seconds per test, per round
    plugin_failed: int = 0
    memory: dict = field(default_factory=dict)            # "sandbox"/"ceiling" -> [{"rss", "pss"}, ...]
    load_default: list = field(default_factory=list)
    load_10k: list = field(default_factory=list)
    restore_default: list = field(default_factory=list)   # POST /_sandbox/snapshots/<name>/restore
    entities_10k: int = 0
    lists: dict = field(default_factory=dict)             # rows -> [CaseFigures]
    ledger_sizes: dict = field(default_factory=dict)      # rows -> {table: count}
    load_average: list = field(default_factory=list)      # /proc/loadavg before and after
    log: list = field(default_factory=list)


def say(figures: Figures, message: str) -> None:
    print(message, flush=True)
    figures.log.append(message)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(plan: Plan, gen: LoadGenerator, folder: Path) -> Figures:
    figures = Figures(plan, gen.label)
    figures.load_average.append(load_average())
    say(figures, f"load average {figures.load_average[0]}; load generator: {gen.label}")
    cold_start(figures, folder)
    throughput(figures, gen, folder)
    scenario_loads(figures, folder)
    list_latency(figures, gen, folder)
    figures.load_average.append(load_average())
    say(figures, f"done; load average {figures.load_average[-1]}")
    return figures


# -- cold start -----------------------------------------------------------------------------------

def cold_start(figures: Figures, folder: Path) -> None:
    """Launch to first healthy 200, one launch after another. The package's bytecode is
    compiled first, as ``pip install`` does: a source checkout installed in editable mode
    (and PYTHONDONTWRITEBYTECODE=1) would otherwise compile every module on every start."""
    import sandbox

    for package in (Path(sandbox.__file__).parent, Path(__file__).parent):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = figures.plan.cold_runs
    figures.cold_start = servers.cold_starts(lambda: servers.sandbox(folder / "cold.log"), runs)
    figures.ceiling_cold_start = servers.cold_starts(lambda: servers.ceiling(folder / "cold-ceiling.log"), runs)
    say(figures, f"cold start: sandbox {_ms(figures.cold_start)}, ceiling {_ms(figures.ceiling_cold_start)}")


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms of {[round(v * 1000) for v in values]}"


# -- requests per second, the isolation cases, both serving models ----------------------------------

def throughput(figures: Figures, gen: LoadGenerator, folder: Path) -> None:
    """Every case under each serving model (``bench.serving``), driven by the load generator
    (16 connections) and by one keep-alive client; the isolation cases under each model; the
    peers' resets; the pytest plugin's overhead. All interleaved within each round."""
    plan = figures.plan
    world = worlds.write_world(folder, worlds.bench_world(), "bench-world")
    clients = {"load": gen, "session": SessionLoad()}
    found_peers, figures.peers_missing = peers.available()
    for note in figures.peers_missing:
        say(figures, note)
    running, targets, isolated, anchors = [], {}, {}, []
    try:
        for model in serving.MODELS:
            db, bound_db = folder / f"bench-{model}.sqlite", folder / f"bound-{model}.sqlite"
            sandbox = servers.sandbox(folder / f"sandbox-{model}.log", "--db", str(db), "--scenario", str(world),
                                      model=model)
            ceiling = servers.ceiling(folder / f"ceiling-{model}.log", model=model)
            bound = servers.bound(folder / f"bound-{model}.log", bound_db, world, model=model)
            isolated[model] = servers.sandbox(folder / f"isolation-{model}.log", "--db",
                                              str(folder / f"isolation-{model}.sqlite"), model=model)
            running += [sandbox, ceiling, bound, isolated[model]]
            targets[model] = [(ceiling, c.ceiling(), None), (sandbox, c.health(), None)] + \
                             [(sandbox, case, db) for case in c.reads() + c.writes()] + \
                             [(bound, case, bound_db) for case in c.bounds()]
            figures.serving[model] = {client: [CaseFigures(case) for _, case, _ in targets[model]]
                                      for client in clients}
            figures.isolation[model] = isolation.cases()
        for peer in found_peers:
            anchors.append((peer, peers.start(peer, folder / f"peer-{len(anchors)}.log")))
            running.append(anchors[-1][1])
            figures.peers.append(isolation.Latency(peer.name))
        for server in running:
            server.wait_healthy()
        sessions = {model: isolation.session() for model in serving.MODELS}
        for model, server in isolated.items():
            isolation.prepare(sessions[model], server.url)
        if plan.warmup_seconds:
            for model in serving.MODELS:
                for server, case, _ in targets[model]:
                    gen.run(server.url, case.requests, plan.warmup_seconds)
        for round_no in range(plan.rounds):
            for model in serving.MODELS:
                for client_name, client in clients.items():
                    for (server, case, db), found in zip(targets[model], figures.serving[model][client_name]):
                        _one_round(figures, found, client.run, server, case, db, f"{model}, {client.name}")
                _isolation_round(figures, sessions[model], isolated[model], model, round_no)
            for (peer, server), found in zip(anchors, figures.peers):
                isolation.sample_peer(sessions[serving.SHIPPED], server.url, peer.reset_path, found,
                                      plan.isolation_samples)
                say(figures, f"round {round_no + 1} {peer.name}: p50 {found.p50:.2f} ms, bad {found.bad}")
            overhead, failed = isolation.plugin_overhead(plan.plugin_tests, folder)
            figures.plugin.append(overhead)
            figures.plugin_failed += failed
            say(figures, f"round {round_no + 1} {isolation.PLUGIN}: {overhead * 1000:.2f} ms, {failed} tests failed")
        figures.throughput = figures.serving[serving.SHIPPED]["load"]
        for model in serving.MODELS:
            sandbox, ceiling = targets[model][1][0], targets[model][0][0]
            suffix = "" if model == serving.SHIPPED else f" ({model} workers)"
            figures.memory[f"sandbox{suffix}"] = [servers.memory_mib(p) for p in sandbox.worker_pids()]
            figures.memory[f"ceiling{suffix}"] = [servers.memory_mib(p) for p in ceiling.worker_pids()]
        say(figures, f"worker memory (MiB): {figures.memory}")
    finally:
        for server in running:
            server.stop()


def _one_round(figures: Figures, found: CaseFigures, drive, server, case: c.Case, db, label: str) -> None:
    counted = servers.counts_folder(server.log)
    before, rows = serving.counts(counted), _count(db, case.rows_sql)
    result = drive(server.url, case.requests, figures.plan.seconds)
    found.add_workers(serving.spread(before, serving.counts(counted)))
    if case.rows_sql:
        found.rows_added = (found.rows_added or 0) + _count(db, case.rows_sql) - rows
    if case.settle_seconds and figures.plan.settle:
        time.sleep(case.settle_seconds)
    found.rounds.append(result)
    say(figures, f"round {len(found.rounds)} {case.name} ({label}): {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms,"
                 f" p99 {result.p99_ms:.2f} ms, bad {result.bad_status + result.socket_errors}")


def _isolation_round(figures: Figures, client, server, model: str, round_no: int) -> None:
    found = figures.isolation[model]
    counted = servers.counts_folder(server.log)
    before = serving.counts(counted)
    isolation.sample(client, server.url, found, figures.plan.isolation_samples, f"{model}{round_no}")
    found[0].add_workers(serving.spread(before, serving.counts(counted)))
    say(figures, f"round {round_no + 1} isolation ({model}): " + ", ".join(
        f"{case.name.split(' (')[0]} p50 {case.p50:.2f} ms" for case in found) + f"; bad {sum(x.bad for x in found)}")


def _count(db_path: Path | None, sql: str | None) -> int:
    if not sql or db_path is None:
        return 0
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


# -- scenario load times ---------------------------------------------------------------------------

def scenario_loads(figures: Figures, folder: Path) -> None:
    """POST /_sandbox/scenario (JSON) to a running server: the default world and a
    generated world of 10,000 entities; the time is the client's, request to answer."""
    from sandbox.core.scenario_files import find_scenario, read_file

    default_doc, _ = read_file(find_scenario("default"))
    big = worlds.ten_thousand_entity_world()
    with servers.sandbox(folder / "loads.log", "--quiet") as server:
        server.wait_healthy()
        for _ in range(figures.plan.load_runs):
            figures.load_default.append(_post_world(server.port, default_doc)[0])
        _post(server.port, "/_sandbox/snapshots", {"name": "bench"}, 201)
        for _ in range(figures.plan.load_runs):
            figures.restore_default.append(_post(server.port, "/_sandbox/snapshots/bench/restore", None, 200)[0])
        for _ in range(figures.plan.load_runs):
            seconds, summary = _post_world(server.port, big)
            figures.load_10k.append(seconds)
            figures.entities_10k = worlds.entity_count(summary["counts"])
    say(figures, f"scenario load: default {_ms(figures.load_default)}; "
                 f"{figures.entities_10k:,} entities {_ms(figures.load_10k)}; "
                 f"default world snapshot restore {_ms(figures.restore_default)}")


def _post_world(port: int, doc: dict) -> tuple[float, dict]:
    return _post(port, "/_sandbox/scenario", doc, 200)


def _post(port: int, path: str, payload, status: int) -> tuple[float, dict]:
    """POST ``payload`` as JSON; (the client's seconds from request to answer, the answer)."""
    body = b"" if payload is None else json.dumps(payload).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        answer = response.read()
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    if response.status != status:
        raise RuntimeError(f"POST {path} answered {response.status}: {answer[:2000]!r}")
    return seconds, json.loads(answer)


# -- list latency against the ledger size --------------------------------------------------------------

def list_latency(figures: Figures, gen: LoadGenerator, folder: Path) -> None:
    from sandbox.apis import API_PACKAGES
    from sandbox.core.scenarios import build_world

    world_path = worlds.write_world(folder, worlds.bench_world(), "bench-world")
    running = {}
    try:
        for rows in figures.plan.list_rows:
            path = folder / f"ledger-{rows}.sqlite"
            started = time.perf_counter()
            build_world(str(path), world_path, API_PACKAGES)
            figures.ledger_sizes[rows] = worlds.fill_ledgers(str(path), rows)
            say(figures, f"ledgers of {rows:,} rows built in {time.perf_counter() - started:.1f} s: "
                         f"{figures.ledger_sizes[rows]}")
            running[rows] = servers.sandbox(folder / f"ledger-{rows}.log", "--db", str(path))
        for rows, server in running.items():
            server.wait_healthy()
            figures.lists[rows] = [CaseFigures(case) for case in c.lists()]
        for round_no in range(figures.plan.list_rounds):
            for index, case in enumerate(c.lists()):
                for rows, server in running.items():       # interleaved: drift hits both sizes alike
                    if round_no == 0 and figures.plan.warmup_seconds:
                        gen.run(server.url, case.requests, figures.plan.warmup_seconds)
                    result = gen.run(server.url, case.requests, figures.plan.seconds)
                    figures.lists[rows][index].rounds.append(result)
                    say(figures, f"round {round_no + 1} {case.name} at {rows:,} rows: p50 {result.p50_ms:.2f} ms,"
                                 f" {result.rps:.0f} req/s, bad {result.bad_status + result.socket_errors}")
    finally:
        for server in running.values():
            server.stop()


def temp_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="rewards-sandbox-bench-"))
