"""The interactive API reference (/_sandbox/docs, Swagger UI served by the sandbox) in headless
Chromium against the real server: it renders offline, and "Try it out" reaches the sandbox,
in the namespace the page was opened in."""
from __future__ import annotations

import pytest
import requests

from .browser import console_errors
from .conftest import needs_browser
from .pages import wait_until

pytestmark = [pytest.mark.slow, needs_browser]
CSS = "css selector"


def try_it_out(browser, operation_id: str) -> str:
    """Open the operation, press "Try it out" and "Execute"; the status code shown."""
    block = wait_until(browser, lambda d: d.find_elements(CSS, f"#operations-default-{operation_id}"),
                       f"{operation_id} never rendered")[0]
    block.find_element(CSS, ".opblock-summary-control").click()
    wait_until(browser, lambda d: block.find_elements(CSS, ".try-out__btn"), "no Try it out button")[0].click()
    wait_until(browser, lambda d: block.find_elements(CSS, ".execute"), "no Execute button")[0].click()
    cell = wait_until(browser, lambda d: block.find_elements(CSS, ".live-responses-table tr.response .response-col_status"),
                      "no response shown")[0]
    return cell.text.strip()


def test_try_it_out_calls_the_sandbox_in_the_pages_namespace(browser, namespace):
    browser.get(f"{namespace}/_sandbox/docs?api=control")
    assert try_it_out(browser, "getClock") == "200"

    browser.get(f"{namespace}/_sandbox/docs?api=atrium")
    wait_until(browser, lambda d: d.find_elements(CSS, "#operations-default-listUsers"), "Atrium never rendered")
    browser.execute_script("ui.preauthorizeApiKey('apiKey', 'atrium-api-key');"
                           "ui.preauthorizeApiKey('clientID', 'atrium-client');")
    assert try_it_out(browser, "listUsers") == "200"          # both headers, and the v1 Accept header
    journal = requests.get(f"{namespace}/_sandbox/requests", timeout=10).json()["requests"]
    calls = [(e["method"], e["path"], e["status"]) for e in journal if not e["path"].endswith("/openapi.json")]
    assert calls == [("GET", "/atrium/users", 200)]          # journalled in the page's namespace
    assert console_errors(browser) == []
