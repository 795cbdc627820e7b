"""The sandbox keeps answering API clients while a browser has the dashboard open.

Browsers open speculative connections they may never send a request on (to the origin of a
page, or of a link they expect to be followed); a server whose workers each wait on one such
connection until it times out stops answering everyone else: an open Chromium once stalled
both sync workers for 60 s. Chromium's own prediction is not deterministic, so the test has
Chromium open such connections on purpose, with ``<link rel=preconnect>`` hints (the same
connections, by the same code path), on both of the server's host names and in both
credential modes: four idle connections against the default two workers.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from .conftest import needs_browser
from .pages import ATRIUM, open_page, wait_until

pytestmark = [pytest.mark.slow, needs_browser]
PROMPT_S = 2.0          # an answer takes milliseconds; a worker held by an idle connection, a minute
CALLS = 20
PRECONNECT = """
for (const origin of [location.origin, location.origin.replace('127.0.0.1', 'localhost')]) {
  for (const mode of [null, 'anonymous']) {
    const link = document.createElement('link');
    link.rel = 'preconnect';
    link.href = origin;
    if (mode) link.crossOrigin = mode;
    document.head.append(link);
  }
}
"""


def open_client_connections(port: int) -> int:
    """Established connections whose far end is the server's ``port`` (read from the kernel's
    table: nothing else talks to this fresh server while the requests below are not sent)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            remote, state = fields[2], fields[3]
            count += state == "01" and int(remote.rsplit(":", 1)[1], 16) == port
    return count


def test_api_clients_are_answered_promptly_while_the_dashboard_is_open(browser, live_server):
    server = live_server("default", workers=2)           # `serve`'s default worker count
    port = int(server.url.rsplit(":", 1)[1])
    for path in ("/_sandbox/ui", "/_sandbox/ui/state/atrium", "/_sandbox/ui/faults"):
        open_page(browser, server.url + path)
    browser.get(server.url + "/_sandbox/docs")
    open_page(browser, server.url + "/_sandbox/ui/requests")          # left open: it polls every second
    browser.execute_script(PRECONNECT)
    wait_until(browser, lambda d: open_client_connections(port) >= 2,
               "Chromium never opened its speculative connections", timeout=10)

    took, failures = [], []
    for _ in range(CALLS):
        started = time.monotonic()
        try:
            answer = requests.get(f"{server.url}/atrium/users", headers=ATRIUM, timeout=10)
            if answer.status_code != 200:
                failures.append(f"status {answer.status_code}")
        except requests.RequestException as exc:
            failures.append(type(exc).__name__)
        took.append(time.monotonic() - started)
        time.sleep(0.1)
    assert len(took) == CALLS
    assert failures == [], f"API calls failed while the dashboard was open: {failures}"
    assert max(took) < PROMPT_S, f"API calls waited up to {max(took):.1f} s while the dashboard was open"

    # and the open page kept up with them
    wait_until(browser, lambda d: len(d.find_elements("css selector", "button[data-entry]")) >= CALLS,
               "the open requests page did not show the calls")
