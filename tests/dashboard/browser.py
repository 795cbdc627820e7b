"""Headless Chromium for the dashboard's browser tests: Debian's ``chromium`` driven through
its ``chromium-driver``, both named explicitly so nothing is ever downloaded."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MISSING = ("no browser: install Debian's chromium and chromium-driver "
           "(apt-get install chromium chromium-driver) to run the dashboard's browser tests")
# Root needs --no-sandbox; a closed network needs Chromium to stop phoning home.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-quic", "--disable-default-apps", "--disable-extensions",
         "--window-size=1400,1000", "--force-device-scale-factor=1", "--lang=en-GB")


def available() -> bool:
    return all(os.access(path, os.X_OK) for path in (CHROMIUM, CHROMEDRIVER))


def start_chromium():
    """A new headless Chromium with a fresh profile; ``quit_chromium`` ends it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")     # Selenium Manager: never fetch a driver
    profile = tempfile.mkdtemp(prefix="dashboard-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.profile_dir = profile
    return driver


def quit_chromium(driver) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.profile_dir, ignore_errors=True)


def console_errors(driver) -> list[str]:
    """The browser log's errors since the last call (reading the log empties it)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot_dir(default: Path) -> Path:
    """Where screenshots go: ``SANDBOX_SCREENSHOTS`` (the README's come from
    ``SANDBOX_SCREENSHOTS=docs/screenshots``), else a temporary folder."""
    folder = Path(os.environ.get("SANDBOX_SCREENSHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
