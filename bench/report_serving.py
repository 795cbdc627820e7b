"""The report's isolation and serving-model sections, and the isolation targets."""
from __future__ import annotations

import statistics

from . import isolation, serving
from .run import Figures
from .servers import WORKERS


def busiest(rounds: list[list[int]]) -> str:
    """The busiest worker's share of the requests: the median round's and the worst round's
    (with keep-alive a client's connections stay where they were accepted, so one worker
    can serve everything while the other idles; 100% means one worker served it all)."""
    shares = [spread[0] / sum(spread) for spread in rounds if spread and sum(spread)]
    if not shares:
        return "no requests"
    return f"{statistics.median(shares):.0%} (worst {max(shares):.0%})"


def isolation_targets(f: Figures) -> list[tuple[str, str, bool]]:
    """Each isolation case under the model ``serve`` ships, against a read in an existing
    namespace timed the same way in the same run."""
    found = []
    by_name = {case.name: case for case in f.isolation.get(serving.SHIPPED, [])}
    read = by_name.get(isolation.READ)
    for name in isolation.TARGETED:
        case = by_name.get(name)
        if read is None or case is None or not read.samples or not case.samples:
            found.append((f"{name}: p50 at most {isolation.TARGET_RATIO:.0f}x a read's", "not measured", False))
            continue
        ratio = case.p50 / read.p50
        complete = case.bad == 0 and read.bad == 0
        found.append((f"{name}: p50 at most {isolation.TARGET_RATIO:.0f}x a read's in an existing namespace",
                      f"{ratio:.1f}x ({case.p50:.2f} ms vs {read.p50:.2f} ms)"
                      + ("" if complete else "; not every request answered as expected"),
                      ratio <= isolation.TARGET_RATIO and complete))
    return found


def isolation_section(f: Figures) -> list[str]:
    lines = ["", "## Isolation: a fresh world per test", "",
             "One keep-alive client (`requests.Session`) sends one request at a time to a server started on the "
             f"default world; the cases take turns, {f.plan.isolation_samples} of each per round and serving model, "
             "every round. Ratios are to the p50 of a read in an existing namespace under the same model. "
             "A new namespace is made by its first request (each name used once, then dropped, untimed).", ""]
    header = "| case | " + " | ".join(f"{m} p50 ms | {m} p90 ms | {m} ratio" for m in serving.MODELS) + \
             " | requests | not as expected |"
    lines += [header, "|---|" + "---:|" * (3 * len(serving.MODELS) + 2)]
    reads = {m: f.isolation[m][0] for m in serving.MODELS if m in f.isolation}
    for index, name in enumerate(case.name for case in f.isolation.get(serving.SHIPPED, [])):
        cells, requests, bad = [], 0, 0
        for model in serving.MODELS:
            case = f.isolation[model][index]
            cells.append(f"{case.p50:.2f} | {case.p90:.2f} | {_ratio(case.p50, reads[model].p50)}")
            requests, bad = requests + len(case.samples), bad + case.bad
        lines.append(f"| {name} | {' | '.join(cells)} | {requests:,} | {bad:,} |")
    read = reads.get(serving.SHIPPED)
    blank = " | ".join(["", "", ""] * (len(serving.MODELS) - 1))
    for peer in f.peers:
        lines.append(f"| peer: {peer.name} | {peer.p50:.2f} | {peer.p90:.2f} | "
                     f"{_ratio(peer.p50, read.p50 if read else 0)} | {blank} | {len(peer.samples):,} | {peer.bad:,} |")
    if f.plugin:
        per_test = isolation.median_ms(f.plugin)
        lines.append(f"| {isolation.PLUGIN} (median of {len(f.plugin)} rounds of {f.plan.plugin_tests} tests) | "
                     f"{per_test:.2f} | | {_ratio(per_test, read.p50 if read else 0)} | {blank} | "
                     f"{2 * (f.plan.plugin_tests + 1) * len(f.plugin):,} tests | {f.plugin_failed:,} |")
    lines += [""]
    lines += [f"- {note}" for note in f.peers_missing]
    lines += [f"- requests per worker, busiest worker's share ({model} workers): "
              f"{busiest(f.isolation[model][0].workers)}" for model in serving.MODELS if model in f.isolation]
    lines += ["- the peers run in memory (moto's server under werkzeug, WireMock on Jetty), one process each; "
              "their figures are anchors, not targets",
              "- the plugin's figure is the fixture's cost per test (setup, call and teardown in the JUnit report, "
              "N tests with it minus the same N without it, after one test that starts the plugin's server): "
              "`PUT` and `DELETE /_sandbox/namespaces/<name>` against the plugin's in-process server"]
    return lines


def serving_section(f: Figures) -> list[str]:
    """Every case under both models and both clients, each ratio to the same model's ceiling."""
    lines = ["", "## The serving model: threaded against sync workers", "",
             f"Every server of the run is started through `bench.serving` under each model ({WORKERS} workers): "
             "**threaded** is what `serve` ships (`SandboxWorker`, gunicorn's gthread worker, keep-alive, a "
             "worker's requests taking turns on its threads) and "
             "**sync** is gunicorn's sync worker (one request at a time per worker, the connection closed after "
             "every response). Each ratio is to the ceiling under the same model and client. \"busiest worker\" is "
             "the busiest worker's share of the case's requests (50% is an even spread over two workers), counted "
             "by the workers themselves.", ""]
    for client, title in (("load", f"the load generator ({f.loadgen})"),
                          ("session", "one `requests.Session`, one request at a time")):
        if not all(client in f.serving.get(m, {}) for m in serving.MODELS):
            continue
        lines += [f"With {title}:", "",
                  "| case | " + " | ".join(f"{m} req/s | {m} ratio | {m} p50 ms | {m} p99 ms | {m} busiest worker"
                                           for m in serving.MODELS) + " | threaded / sync req/s |",
                  "|---|" + "---:|" * (5 * len(serving.MODELS) + 1)]
        columns = [f.serving[m][client] for m in serving.MODELS]
        for row in zip(*columns):
            cells = [f"{case.rps:,.0f} | {_ratio(case.rps, column[0].rps)} | {case.p50:.2f} | {case.p99:.2f} | "
                     f"{busiest(case.workers)}" for case, column in zip(row, columns)]
            lines.append(f"| {row[0].case.name} | {' | '.join(cells)} | {_ratio(row[0].rps, row[-1].rps)} |")
        bad = sum(case.bad for column in columns for case in column)
        lines += ["", f"Answers outside 2xx/3xx or socket errors, both models: {bad:,}.", ""]
    return lines


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x" if reference else "n/a"
