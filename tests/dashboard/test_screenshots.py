"""Every page of the dashboard opens in Chromium without a console error, and is
photographed (``SANDBOX_SCREENSHOTS=docs/screenshots`` refreshes the README's pictures)."""
from __future__ import annotations

import pytest
import requests

from .browser import console_errors
from .conftest import needs_browser
from .pages import MEMBER, SAASQUATCH_TENANT, open_page, some_traffic, wait_until

pytestmark = [pytest.mark.slow, needs_browser]

PAGES = [
    ("overview", "/_sandbox/ui"),
    ("requests", "/_sandbox/ui/requests"),
    ("state-atrium", f"/_sandbox/ui/state/atrium?row=members/{MEMBER}"),
    ("state-myrewards", "/_sandbox/ui/state/myrewards"),
    ("state-saasquatch", "/_sandbox/ui/state/saasquatch"),
    ("state-eagleeye", "/_sandbox/ui/state/eagleeye"),
    ("faults", "/_sandbox/ui/faults"),
    ("webhooks", "/_sandbox/ui/webhooks"),
    ("snapshots", "/_sandbox/ui/snapshots"),
]


def test_every_page_opens_without_console_errors(browser, server, screenshots):
    """In the default namespace, as a user opening /_sandbox/ui sees it (no other test uses it)."""
    namespace = server.url
    requests.put(f"{namespace}/_sandbox/clock", json={"frozen_at": "2026-01-15T09:00:00Z"}, timeout=10)
    requests.post(f"{namespace}/_sandbox/webhooks/subscriptions", timeout=10,   # nothing listens: retried
                  json={"api": "saasquatch", "url": "http://127.0.0.1:9/hooks", "client": SAASQUATCH_TENANT})
    some_traffic(namespace)
    requests.post(f"{namespace}/_sandbox/faults", timeout=10,
                  json={"api": "atrium", "path": "/members", "status": 503, "times": 2})
    requests.post(f"{namespace}/_sandbox/snapshots", json={"name": "before-redeem"}, timeout=10)
    taken = []
    for name, path in PAGES:
        open_page(browser, namespace + path)
        if name == "requests":
            browser.find_element("css selector", "button[data-entry]").click()
            wait_until(browser, lambda d: d.find_elements("css selector", "#request-detail pre.curl"),
                       "the request's detail never opened")
        assert console_errors(browser) == [], f"{path} logged errors"
        assert browser.find_element("css selector", "main h1").text
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1400, min(max(height + 150, 700), 2200))
        target = screenshots / f"{name}.png"
        assert browser.save_screenshot(str(target))
        browser.set_window_size(1400, 1000)
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        taken.append(name)
    assert taken == [name for name, _ in PAGES]
