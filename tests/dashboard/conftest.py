"""Fixtures for the dashboard's browser tests: one real ``rewards-sandbox serve`` (2 workers,
the default world) and one headless Chromium per module; each test works in a namespace of
its own, so no test sees another's state."""
from __future__ import annotations

import re

import pytest
import requests

from tests.support import start_server

from . import browser as chromium

needs_browser = pytest.mark.skipif(not chromium.available(), reason=chromium.MISSING)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_server(tmp_path_factory.mktemp("dashboard-server"), "default", workers=2,
                        extra_args=["--quiet"])
    yield live
    live.stop()


@pytest.fixture(scope="module")
def driver():
    if not chromium.available():
        pytest.skip(chromium.MISSING)
    instance = chromium.start_chromium()
    yield instance
    chromium.quit_chromium(instance)


@pytest.fixture
def browser(driver):
    """The module's Chromium, its console log emptied, left on a blank page afterwards."""
    chromium.console_errors(driver)
    yield driver
    driver.get("about:blank")
    driver.delete_all_cookies()


@pytest.fixture
def namespace(request, server):
    """This test's own namespace: its base URL (``.../_ns/<name>``), dropped afterwards."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", request.node.name)[:64].strip("-.")
    yield f"{server.url}/_ns/{name}"
    requests.delete(f"{server.url}/_sandbox/namespaces/{name}", timeout=10)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    return chromium.screenshot_dir(tmp_path_factory.mktemp("screenshots"))
