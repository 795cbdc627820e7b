"""The dashboard in headless Chromium against the real server: live requests, the clock,
faults, the Atrium state, the admin token and the keyboard."""
from __future__ import annotations

import pytest
import requests
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from .browser import console_errors
from .conftest import needs_browser
from tests.support import Receiver

from .pages import ATRIUM, MEMBER, SAASQUATCH_AUTH, SAASQUATCH_TENANT, USER, open_page, text_of, wait_until

pytestmark = [pytest.mark.slow, needs_browser]
CSS = "css selector"


def test_an_api_request_appears_in_the_requests_view_without_a_reload(browser, namespace):
    open_page(browser, f"{namespace}/_sandbox/ui/requests")
    browser.execute_script("window.sameDocument = true")
    assert "No requests" in text_of(browser, "#requests-table")

    r = requests.get(f"{namespace}/atrium/users/{USER}", headers=ATRIUM, timeout=10)
    assert r.status_code == 200
    button = wait_until(browser, lambda d: d.find_elements(CSS, "button[data-entry]"),
                        "the request never appeared in the requests view")[0]
    assert browser.execute_script("return window.sameDocument") is True      # no reload
    assert f"/atrium/users/{USER}" in text_of(browser, "#requests-table")

    button.send_keys(Keys.ENTER)                                            # opened by keyboard
    wait_until(browser, lambda d: d.find_elements(CSS, "#request-detail pre.curl"), "the detail never opened")
    assert "Mx-Api-Key\t***" in text_of(browser, "#request-detail table.headers").splitlines()
    assert "atrium-api-key" not in browser.page_source                       # the secret never reaches the page
    curl = text_of(browser, "#request-detail pre.curl")
    assert curl.startswith(f"curl {namespace}/atrium/users/{USER}")
    assert "-H 'Mx-Api-Key: ***'" in curl and "-H 'Mx-Client-Id: atrium-client'" in curl
    body = text_of(browser, "#request-detail pre.body")
    assert body.startswith('{\n  "user": {') and f'"guid": "{USER}"' in body      # pretty-printed
    assert browser.switch_to.active_element.text.startswith("Request ")          # focus moved to it

    # filters narrow the live list, still without a reload
    requests.get(f"{namespace}/myrewards/api/v2/users/123/transactions",
                 headers={"Authorization": "Token token=xxx"}, timeout=10)
    wait_until(browser, lambda d: "/myrewards/" in text_of(d, "#requests-table"), "the second request never came")
    Select(browser.find_element(CSS, "#request-filters select[name=api]")).select_by_visible_text("myrewards")
    wait_until(browser, lambda d: "/atrium/" not in text_of(d, "#requests-table"), "the API filter did nothing")
    assert "/myrewards/" in text_of(browser, "#requests-table")
    assert browser.execute_script("return window.sameDocument") is True
    assert console_errors(browser) == []


def test_advancing_the_clock_from_the_overview_shows_the_new_time(browser, namespace):
    requests.put(f"{namespace}/_sandbox/clock", json={"frozen_at": "2026-01-15T09:00:00Z"}, timeout=10)
    open_page(browser, f"{namespace}/_sandbox/ui")
    assert text_of(browser, "#clock-now").startswith("2026-01-15T09:00:00")

    browser.find_element(CSS, "button[aria-label='Advance the clock by 3 hours']").click()
    wait_until(browser, lambda d: text_of(d, "#clock-now").startswith("2026-01-15T12:00:00"),
               "the overview never showed the advanced time")
    assert requests.get(f"{namespace}/_sandbox/clock", timeout=10).json()["now"].startswith("2026-01-15T12:00:00")

    field = browser.find_element(CSS, "#advance-by")
    field.send_keys("1d30m", Keys.ENTER)
    wait_until(browser, lambda d: text_of(d, "#clock-now").startswith("2026-01-16T12:30:00"),
               "a free duration did not move the clock")
    assert "moved forward" in text_of(browser, "#status")

    assert console_errors(browser) == []
    browser.find_element(CSS, "#advance-by").send_keys("soon", Keys.ENTER)     # refused, and said so
    wait_until(browser, lambda d: "by" in text_of(d, "#status.error"), "a bad duration showed no problem")
    assert text_of(browser, "#clock-now").startswith("2026-01-16T12:30:00")
    refused = console_errors(browser)        # Chromium logs the control API's 400 itself
    assert len(refused) == 1 and "/clock/advance" in refused[0] and " 400 " in refused[0]

    browser.find_element(CSS, "#freeze-at").send_keys("2027-03-01T08:00:00Z", Keys.ENTER)
    wait_until(browser, lambda d: text_of(d, "#clock-now").startswith("2027-03-01T08:00:00"), "set did nothing")
    browser.find_element(CSS, "form[data-path='/clock'] input[name=real]").find_element(
        "xpath", "..").find_element(CSS, "button").click()
    wait_until(browser, lambda d: text_of(d, "#clock-mode").startswith("running"), "real time never came back")
    browser.find_element(CSS, "input[data-from-clock]").find_element("xpath", "..").find_element(CSS, "button").click()
    wait_until(browser, lambda d: text_of(d, "#clock-mode").startswith("frozen"), "freeze now did nothing")
    assert requests.get(f"{namespace}/_sandbox/clock", timeout=10).json()["frozen"] is True
    assert console_errors(browser) == []


def test_a_scenario_picked_on_the_overview_is_loaded(browser, namespace):
    open_page(browser, f"{namespace}/_sandbox/ui")
    Select(browser.find_element(CSS, "#builtin")).select_by_value("atrium/lockout-after-rewards")
    browser.find_element(CSS, "#builtin").find_element("xpath", "..").find_element(CSS, "button").click()
    wait_until(browser, lambda d: text_of(d, "#scenario-name") == "atrium-lockout-after-rewards",
               "the picked scenario never showed as loaded")
    assert requests.get(f"{namespace}/_sandbox/health", timeout=10).json()["scenario"] == \
        "atrium-lockout-after-rewards"
    browser.find_element(CSS, "form[data-path='/reset'] button").click()
    wait_until(browser, lambda d: text_of(d, "#scenario-name") == "default", "reset did not bring the default back")
    assert console_errors(browser) == []


def test_a_snapshot_saved_from_the_dashboard_brings_the_state_back(browser, namespace):
    balance = f"{namespace}/saasquatch/api/v1/{SAASQUATCH_TENANT}/reward/balance?accountId=613611"
    before = requests.get(balance, auth=SAASQUATCH_AUTH, timeout=10).json()
    open_page(browser, f"{namespace}/_sandbox/ui/snapshots")
    assert "No snapshots saved" in text_of(browser, "#snapshots")
    browser.find_element(CSS, "#snapshot-name").send_keys("start", Keys.ENTER)        # by keyboard
    wait_until(browser, lambda d: d.find_elements(CSS, "tr[data-snapshot=start]"), "the saved snapshot never showed")
    assert [s["name"] for s in requests.get(f"{namespace}/_sandbox/snapshots", timeout=10).json()["snapshots"]] \
        == ["start"]

    redeem = requests.post(f"{namespace}/saasquatch/api/v1/{SAASQUATCH_TENANT}/credit/bulkredeem", timeout=10,
                           auth=SAASQUATCH_AUTH, json={"accountId": "613611", "unit": "CENTS", "amount": 7})
    assert redeem.status_code == 200
    assert requests.get(balance, auth=SAASQUATCH_AUTH, timeout=10).json() != before
    browser.find_element(CSS, "button[aria-label='Restore snapshot start']").click()
    wait_until(browser, lambda d: "restored" in text_of(d, "#status"), "restoring said nothing")
    assert requests.get(balance, auth=SAASQUATCH_AUTH, timeout=10).json() == before

    browser.find_element(CSS, "button[aria-label='Delete snapshot start']").click()
    wait_until(browser, lambda d: d.find_elements(CSS, "#no-snapshots"), "deleting did not empty the list")
    assert requests.get(f"{namespace}/_sandbox/snapshots", timeout=10).json()["snapshots"] == []
    assert console_errors(browser) == []


def test_a_fault_armed_from_the_form_fails_the_next_api_call(browser, namespace):
    open_page(browser, f"{namespace}/_sandbox/ui/faults")
    assert "No faults armed" in text_of(browser, "#faults")
    Select(browser.find_element(CSS, "#fault-api")).select_by_visible_text("atrium")
    browser.find_element(CSS, "#fault-path").send_keys("/users")
    browser.find_element(CSS, "#fault-status").send_keys("503")
    browser.find_element(CSS, "#fault-times").send_keys(Keys.CONTROL, "a")
    browser.find_element(CSS, "#fault-times").send_keys("1", Keys.ENTER)
    wait_until(browser, lambda d: "503" in text_of(d, "#faults table"), "the armed fault never showed")

    first = requests.get(f"{namespace}/atrium/users", headers=ATRIUM, timeout=10)
    assert first.status_code == 503 and "error" in first.json()                # in Atrium's error shape
    assert requests.get(f"{namespace}/atrium/users", headers=ATRIUM, timeout=10).status_code == 200

    named = browser.find_element(CSS, "#named-eagleeye")
    assert Select(named).first_selected_option.get_attribute("value") == "rollback_fails"
    named.find_element("xpath", "..").find_element(CSS, "button").click()
    wait_until(browser, lambda d: "rollback_fails" in text_of(d, "#faults table"), "the named fault never showed")
    armed = requests.get(f"{namespace}/_sandbox/faults", timeout=10).json()["faults"]
    assert [f["name"] for f in armed] == [None, "rollback_fails"] and armed[0]["remaining"] == 0

    browser.find_element(CSS, "form[data-path='/faults'][data-method=DELETE] button").click()
    wait_until(browser, lambda d: d.find_elements(CSS, "#no-faults"), "clearing did not empty the list")
    assert requests.get(f"{namespace}/_sandbox/faults", timeout=10).json()["faults"] == []
    assert console_errors(browser) == []


def test_a_member_opens_in_the_atrium_state_view(browser, namespace):
    open_page(browser, f"{namespace}/_sandbox/ui/state/atrium")
    link = browser.find_element(CSS, f"#state section[aria-labelledby=table-members] a[href='?row=members/{MEMBER}']")
    link.send_keys(Keys.ENTER)                                                   # keyboard, a real link
    wait_until(browser, lambda d: d.find_elements(CSS, "#focus-heading"), "the member never opened")
    assert text_of(browser, "#focus-heading") == f"Member {MEMBER}"
    assert browser.switch_to.active_element.get_attribute("id") == "focus-heading"
    fields = text_of(browser, ".focus table.fields").splitlines()
    assert "connection_status\tCONNECTED" in fields and "password\t***" in fields
    related = [h.text for h in browser.find_elements(CSS, ".focus h3")]
    assert any(h.startswith("rewards (by member_guid) 3") for h in related), related
    assert any(h.startswith("accounts (by member_guid)") for h in related), related

    browser.find_element(CSS, f".focus table.fields a[href='?row=users/{USER}']").click()   # up to the user
    wait_until(browser, lambda d: text_of(d, "#focus-heading") == f"User {USER}", "the user never opened")
    assert any(h.text.startswith("members (by user_guid) 1") for h in browser.find_elements(CSS, ".focus h3"))
    assert console_errors(browser) == []


def test_with_an_admin_token_the_dashboard_asks_once_and_refuses_without_it(browser, tmp_path):
    from tests.support import start_server

    secured = start_server(tmp_path, "default", workers=1, extra_args=["--quiet"],
                           env={"SANDBOX_ADMIN_TOKEN": "t0ken-for-the-dashboard"})
    try:
        browser.get(f"{secured.url}/_sandbox/ui")
        wait_until(browser, lambda d: d.find_element(CSS, "#token-input").is_displayed(), "no token prompt")
        assert not browser.find_element(CSS, "#main").is_displayed()
        assert "atrium-api-key" not in browser.page_source and not browser.find_elements(CSS, "#scenario-name")

        browser.find_element(CSS, "#token-input").send_keys("wrong", Keys.ENTER)
        wait_until(browser, lambda d: "refused" in text_of(d, "#token-error"), "a wrong token was not refused")
        assert not browser.find_element(CSS, "#main").is_displayed()
        assert "atrium-api-key" not in browser.page_source

        browser.find_element(CSS, "#token-input").send_keys("t0ken-for-the-dashboard", Keys.ENTER)
        wait_until(browser, lambda d: d.find_element(CSS, "#main").is_displayed(), "the right token did not unlock")
        wait_until(browser, lambda d: text_of(d, "#scenario-name") == "default", "no data after unlocking")

        browser.find_element(CSS, "header nav a[href$='/requests']").click()       # asked once per tab
        wait_until(browser, lambda d: d.find_element(CSS, "#main").is_displayed(), "asked again on the next page")
        assert not browser.find_element(CSS, "#token-input").is_displayed()
        assert "t0ken" not in browser.current_url
        assert browser.execute_script("return sessionStorage.length") == 1
    finally:
        browser.execute_script("sessionStorage.clear()")
        secured.stop()


@pytest.mark.parametrize("page", ["", "/requests", "/state/atrium", "/faults", "/webhooks"])
def test_every_control_has_a_label_and_the_keyboard_reaches_it(browser, namespace, page):
    open_page(browser, f"{namespace}/_sandbox/ui{page}")
    controls = [c for c in browser.find_elements(CSS, "main a, main input, main select, main textarea, main button")
                if c.is_displayed()]
    assert controls
    unlabelled = [c.get_attribute("outerHTML")[:80] for c in controls if not c.accessible_name.strip()]
    assert unlabelled == []

    reached = set()
    body = browser.find_element(CSS, "body")
    body.send_keys(Keys.TAB)
    for _ in range(len(controls) + 60):
        reached.add(browser.switch_to.active_element.id)
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert {c.id for c in controls} <= reached, "some controls cannot be reached with Tab"


def test_a_delivery_is_sent_again_from_the_webhooks_page(browser, namespace):
    hook = Receiver()
    try:
        requests.post(f"{namespace}/_sandbox/webhooks/subscriptions", timeout=10,
                      json={"api": "saasquatch", "url": hook.url, "client": SAASQUATCH_TENANT})
        requests.post(f"{namespace}/saasquatch/api/v1/{SAASQUATCH_TENANT}/credit/bulkredeem", auth=SAASQUATCH_AUTH,
                      json={"accountId": "613611", "unit": "CENTS", "amount": 100}, timeout=10).raise_for_status()
        (first,) = hook.wait_for()
        open_page(browser, f"{namespace}/_sandbox/ui/webhooks")
        wait_until(browser, lambda d: "delivered" in text_of(d, "#webhook-table"), "the delivery never showed")
        browser.find_element(CSS, "#webhook-table button").click()
        again = hook.wait_for(count=2)
        assert again[1]["body"] == first["body"]
        wait_until(browser, lambda d: requests.get(f"{namespace}/_sandbox/webhooks", timeout=10)
                   .json()["webhooks"][0]["attempts"] == 2, "the second attempt was never recorded")
        assert console_errors(browser) == []
    finally:
        hook.stop()
