"""The markdown report: machine and versions, every figure, every target met or not."""
from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from . import serving
from .report_serving import isolation_section, isolation_targets, serving_section
from .run import Figures
from .servers import ROOT, WORKERS

READ_RATIO, WRITE_RATIO, P99_RATIO = 0.8, 0.5, 3.0
COLD_START_S, DEFAULT_LOAD_S, BIG_LOAD_S = 0.5, 0.020, 1.0
LIST_GROWTH, WORKER_MIB = 1.5, 60.0
PACKAGES = ("rewards-sandbox", "flask", "werkzeug", "gunicorn", "marshmallow", "sqlite-utils", "PyYAML")


def environment() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = next((line.split()[1] for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), "0")
    versions = ", ".join(f"{name} {_version(name)}" for name in PACKAGES)
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores, {int(mem) / 1024 / 1024:.1f} GiB RAM, "
        f"Linux {platform.release()}",
        f"- software: Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; {versions}",
        f"- checkout: {_git('rev-parse', '--short', 'HEAD')}"
        + (" (with uncommitted changes under sandbox/ or bench/)"
           if _git("status", "--porcelain", "--", "sandbox", "bench", ":!bench/RESULTS.md") else ""),
    ]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


# -- targets ----------------------------------------------------------------------------------------

def targets(f: Figures) -> list[tuple[str, str, bool]]:
    """(target, figure, met) for every target of the issue."""
    found = []
    ceiling = f.throughput[0]
    for case in f.throughput[1:]:
        if case.case.kind not in ("read", "write"):
            continue
        wanted = READ_RATIO if case.case.kind == "read" else WRITE_RATIO
        ratio = case.rps / ceiling.rps
        complete = case.bad == 0 and (case.rows_added is None or case.rows_added >= case.requests)
        found.append((f"{case.case.name}: at least {wanted}x the ceiling's req/s",
                      f"{ratio:.2f}x ({case.rps:,.0f} req/s)" + ("" if complete else "; not every request succeeded"
                                                                 " or wrote its row"),
                      ratio >= wanted and complete))
        p99 = case.p99 / ceiling.p99
        found.append((f"{case.case.name}: p99 at most {P99_RATIO:.0f}x the ceiling's",
                      f"{p99:.2f}x ({case.p99:.2f} ms vs {ceiling.p99:.2f} ms)", p99 <= P99_RATIO))
    cold = statistics.median(f.cold_start)
    found.append((f"cold start under {COLD_START_S} s", f"{cold:.3f} s", cold < COLD_START_S))
    default = statistics.median(f.load_default)
    found.append((f"default world load under {DEFAULT_LOAD_S * 1000:.0f} ms", f"{default * 1000:.1f} ms",
                  default < DEFAULT_LOAD_S))
    big = statistics.median(f.load_10k)
    found.append((f"{f.entities_10k:,}-entity world load under {BIG_LOAD_S:.0f} s", f"{big:.3f} s", big < BIG_LOAD_S))
    small, large = f.plan.list_rows
    for a, b in zip(f.lists[small], f.lists[large]):
        growth = b.p50 / a.p50
        found.append((f"{a.case.name}: p50 at {large:,} rows within {LIST_GROWTH}x of {small:,} rows",
                      f"{growth:.2f}x ({b.p50:.2f} ms vs {a.p50:.2f} ms)", growth <= LIST_GROWTH))
    rss = max(m["rss"] for m in f.memory["sandbox"])
    found.append((f"under {WORKER_MIB:.0f} MiB resident per worker", f"{rss:.1f} MiB (largest worker)",
                  rss < WORKER_MIB))
    return found + isolation_targets(f)


# -- the document --------------------------------------------------------------------------------------

def render(f: Figures, command: str) -> str:
    met = targets(f)
    missed = [t for t in met if not t[2]]
    lines = [
        "# rewards-sandbox benchmark",
        "",
        f"Produced by `{command}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
        f"({len(met) - len(missed)} of {len(met)} targets met).",
        "",
        *environment(),
        f"- load generator: {f.loadgen}; {f.plan.rounds} rounds of {f.plan.seconds:g} s per case "
        f"(after a {f.plan.warmup_seconds:g} s warm-up), cases interleaved within each round; medians reported",
        f"- servers: `rewards-sandbox serve --workers {WORKERS}` (request log on, as shipped, to a file) and the "
        f"ceiling `python -m bench.ceiling --workers {WORKERS}` (the same gunicorn settings), both on loopback, "
        f"each under both serving models (`bench.serving`); the targets are stated against the model `serve` "
        f"ships ({serving.SHIPPED} workers) and the load generator",
        f"- load average (1, 5, 15 min): {f.load_average[0]} at the start, before any server; "
        f"{f.load_average[-1]} at the end, the benchmark's own load (two workers and the load generator) included",
        "",
        "## Targets",
        "",
        *([f"{len(missed)} not met: what limits them, and what each optimisation bought, is in "
           "[bench/README.md](README.md).", ""] if missed else []),
        "| target | figure | met |",
        "|---|---|---|",
        *[f"| {name} | {figure} | {'met' if ok else '**not met**'} |" for name, figure, ok in met],
        "",
        "## Requests per second (the same run)",
        "",
        f"Every API case goes through the full pipeline with the request journal on, as shipped "
        f"({serving.SHIPPED} workers; both models side by side below).",
        "",
        "| case | req/s | ratio to ceiling | p50 ms | p99 ms | p99 ratio | requests | not 2xx/3xx | rows written |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ceiling = f.throughput[0]
    for case in f.throughput:
        rows = "" if case.rows_added is None else f"{case.rows_added:,}"
        lines.append(f"| {case.case.name} | {case.rps:,.0f} | {case.rps / ceiling.rps:.2f}x | {case.p50:.2f} | "
                     f"{case.p99:.2f} | {case.p99 / ceiling.p99:.2f}x | {case.requests:,} | {case.bad:,} | {rows} |")
    lines += ["", "Rounds (req/s):", ""]
    for case in f.throughput:
        lines.append(f"- {case.case.name}: {', '.join(f'{r.rps:,.0f}' for r in case.rounds)}"
                     + (f" ({case.case.note})" if case.case.note else ""))
    lines += [
        "",
        "\"rows written\" counts the rows the write cases added to the state database (a job, a transaction, a "
        "redemption, an exchange each): it matches the requests served when every write succeeded (up to the "
        "16 in flight when a round ends).",
        *_bound_section(f),
        *isolation_section(f),
        *serving_section(f),
        "",
        "## Start-up, scenario loads, memory",
        "",
        "| measure | median | all runs |",
        "|---|---:|---|",
        _row("cold start: launch to first healthy 200 (`rewards-sandbox serve`, default world, fresh database; "
             "bytecode compiled as `pip install` does)", f.cold_start),
        _row("cold start of the ceiling (same gunicorn settings), for comparison", f.ceiling_cold_start),
        _row("load the default world (`POST /_sandbox/scenario`, JSON)", f.load_default),
        _row(f"load a generated world of {f.entities_10k:,} entities (`POST /_sandbox/scenario`, JSON)", f.load_10k),
        _row("restore a snapshot of the default world (`POST /_sandbox/snapshots/<name>/restore`)",
             f.restore_default),
        "",
        "Worker memory after the load runs (MiB; PSS splits the pages the preloaded app shares between "
        "processes):",
        "",
        "| server | worker RSS | worker PSS |",
        "|---|---|---|",
    ]
    for name, workers in f.memory.items():
        rss = ", ".join(f"{m['rss']:.1f}" for m in workers)
        pss = ", ".join(f"{m['pss']:.1f}" for m in workers if m["pss"] is not None)
        lines.append(f"| {name} | {rss} | {pss} |")
    small, large = f.plan.list_rows
    lines += [
        "",
        f"## List latency at {small:,} and {large:,} ledger rows",
        "",
        "Each listed ledger table (Atrium transactions, MyRewards transactions, SaaSquatch redemptions, Eagle Eye "
        "account transactions) holds the given number of rows; the page read belongs to the bench world's own "
        "user, member or account, the other rows to 1,000 other owners. "
        f"{f.plan.list_rounds} rounds; medians.",
        "",
        f"| case | p50 ms at {small:,} | p50 ms at {large:,} | growth | p99 ms at {small:,} | p99 ms at {large:,} "
        f"| req/s at {small:,} | req/s at {large:,} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for a, b in zip(f.lists[small], f.lists[large]):
        lines.append(f"| {a.case.name} | {a.p50:.2f} | {b.p50:.2f} | {b.p50 / a.p50:.2f}x | {a.p99:.2f} | "
                     f"{b.p99:.2f} | {a.rps:,.0f} | {b.rps:,.0f} |")
    lines += ["", "Ledger table sizes: " + "; ".join(
        f"{rows:,}: " + ", ".join(f"{t} {n:,}" for t, n in sizes.items()) for rows, sizes in f.ledger_sizes.items()),
        ""]
    return "\n".join(lines)


def _bound_section(f: Figures) -> list[str]:
    """The sandbox's figure for each request the bound answers, beside the bound's."""
    by_name = {case.case.name: case for case in f.throughput}
    ceiling = f.throughput[0]
    pairs = [(by_name[case.case.name.removeprefix("bound: ").removesuffix(", by hand")], case)
             for case in f.throughput if case.case.kind == "bound"]
    if not pairs:
        return []
    lines = ["", "## The bound: the same requests, written by hand", "",
             "`bench.bound` answers two of the cases doing only the work the request needs (credentials, the "
             "state the answer depends on, the write transaction, the same JSON, the journal entry and the log "
             "line) without the sandbox's general machinery; `tests/bench/test_bound.py` checks that its answers "
             "and rows are the sandbox's. Its ratio is about as close to the ceiling as these requests can come "
             "in this stack (Python and Flask under the same gunicorn settings, SQLite, the journal and the log "
             "line) on this machine.", "",
             "| request | target | sandbox | bound | bound p99 ratio (target 3x) |", "|---|---:|---:|---:|---:|"]
    for sandbox, bound in pairs:
        wanted = READ_RATIO if sandbox.case.kind == "read" else WRITE_RATIO
        lines.append(f"| {sandbox.case.name} | {wanted}x | {sandbox.rps / ceiling.rps:.2f}x | "
                     f"{bound.rps / ceiling.rps:.2f}x | {bound.p99 / ceiling.p99:.2f}x |")
    return lines


def _row(label: str, values: list[float]) -> str:
    return (f"| {label} | {statistics.median(values) * 1000:.1f} ms | "
            f"{', '.join(f'{v * 1000:.1f}' for v in values)} ms |")
