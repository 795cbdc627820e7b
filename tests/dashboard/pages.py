"""Driving the dashboard's pages in the tests: open one, wait for its parts, read it."""
from __future__ import annotations

import hashlib

import requests
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 20             # generous: the machine is shared and Chromium is not fast to start
ATRIUM = {"MX-Client-ID": "atrium-client", "MX-API-Key": "atrium-api-key",
          "Accept": "application/vnd.mx.atrium.v1+json"}
ATRIUM_BETA = {**ATRIUM, "Accept": "application/vnd.mx.atrium.beta+json"}
USER = "USR-fa7537f3-48aa-a683-a02a-b18940482f54"
MEMBER = "MBR-7c6f361b-e582-15b6-60c0-358f12466b4b"
SAASQUATCH_TENANT = "test_abo912126tastastt"
SAASQUATCH_AUTH = ("", "TEST_B4BYA15POHYQ284HBND1")
MYREWARDS = {"Authorization": "Token token=xxx"}

_READY = """
const main = document.getElementById('main');
const parts = [...document.querySelectorAll('[data-part]')];
return !main.hidden && parts.every(p => p.children.length > 0);
"""


def wait_until(driver, condition, message: str, timeout: float = WAIT_S):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def open_page(driver, url: str) -> None:
    """Open ``url`` and wait until the page shows and every part on it has loaded."""
    driver.get(url)
    wait_until(driver, lambda d: d.execute_script(_READY), f"{url} never finished loading its parts")


def text_of(driver, css: str) -> str:
    """The text an element shows (read in one step, so a part swapped meanwhile is no matter);
    empty when there is no such element."""
    return driver.execute_script("const e = document.querySelector(arguments[0]);"
                                 "return e ? e.innerText.trim() : '';", css)


def eagleeye_headers(path: str, body: bytes) -> dict:
    digest = hashlib.sha256(path.encode() + body + b"0987654321").hexdigest()
    return {"X-EES-AUTH-CLIENT-ID": "ees-client", "X-EES-AUTH-HASH": digest, "Content-Type": "application/json"}


def some_traffic(base: str) -> None:
    """A few calls to every API (one refused), so the journal and the state have something."""
    requests.get(f"{base}/atrium/users", headers=ATRIUM, timeout=10).raise_for_status()
    requests.post(f"{base}/atrium/users/{USER}/members/{MEMBER}/fetch_rewards", headers=ATRIUM_BETA,
                  timeout=10).raise_for_status()
    requests.get(f"{base}/atrium/users/{USER}/members", headers={**ATRIUM, "MX-API-Key": "wrong"}, timeout=10)
    requests.get(f"{base}/myrewards/api/v2/users/123/transactions", headers=MYREWARDS,
                 timeout=10).raise_for_status()
    requests.post(f"{base}/saasquatch/api/v1/{SAASQUATCH_TENANT}/credit/bulkredeem", auth=SAASQUATCH_AUTH,
                  json={"accountId": "613611", "unit": "CENTS", "amount": 100}, timeout=10).raise_for_status()
    path = "/eagleeye/services/wallet/555555/transaction/exchange/pointsreward"
    body = b'{"accountId": "4102305275", "pointsRewardBankId": "84592", "pointsRewardBankRewardId": "186252"}'
    requests.post(base + path, data=body, headers=eagleeye_headers(path, body), timeout=10).raise_for_status()
