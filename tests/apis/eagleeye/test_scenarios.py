"""The `eagleeye:` scenario section, the default world, and every scenario under
scenarios/eagleeye/ replayed in-process (tests/replay/test_library.py also replays the
whole library against a running server)."""
import time
from pathlib import Path

import pytest

from sandbox.apis import API_PACKAGES
from sandbox.apis.eagleeye.scenario import SectionSchema
from sandbox.core.scenario_files import ScenarioProblem
from sandbox.core.scenarios import build_world
from sandbox.replay.runner import run_file
from sandbox.replay.transport import InProcess
from tests.apis.eagleeye.helpers import AirClient, world
from tests.support import ROOT

SCENARIOS = sorted((ROOT / "scenarios" / "eagleeye").glob("*.yaml"))


def _load(tmp_path, doc):
    return build_world(str(tmp_path / "load.sqlite"), doc, API_PACKAGES)


def _problem(tmp_path, doc) -> dict:
    with pytest.raises(ScenarioProblem) as caught:
        _load(tmp_path, doc)
    return caught.value.problems[0]


def test_an_empty_section_loads():
    assert SectionSchema().load({}) == {"clients": [], "schemes": [], "campaigns": [], "reward_banks": [],
                                        "wallets": []}


def test_the_default_world_gives_one_ready_client(make_app):
    app = make_app("default")
    api = AirClient(app.test_client(), client_id="ees-client", secret="0987654321")
    account = api.get("/wallet/555555/account/4102305275").get_json()
    assert account["balances"]["current"] == 500
    reward = api.get("/banks/pointsreward/84592/rewards").get_json()["results"][0]
    assert (reward["cost"], reward["threshold"], reward["resourceId"]) == (150, 170, "101161513")
    creds = app.test_client().get("/_sandbox/scenario").get_json()
    assert creds["counts"]["eagleeye"]["wallets"] == 1


def _with_wallet(**wallet_changes):
    doc = world()
    doc["eagleeye"]["wallets"][0].update(wallet_changes)
    return doc


@pytest.mark.parametrize("doc, path", [
    (_with_wallet(accounts=[{"accountId": "6001", "scheme_id": "9999"}]),
     "eagleeye.wallets[0].accounts[0].scheme_id"),
    (_with_wallet(accounts=[{"accountId": "6001"}]), "eagleeye.wallets[0].accounts[0].scheme_id"),
    (_with_wallet(accounts=[{"type": "ECOUPON", "campaignId": "2001", "balance": 5}]),
     "eagleeye.wallets[0].accounts[0].balance"),
    (_with_wallet(accounts=[{"scheme_id": "1001"}, {"scheme_id": "1001"}]), "eagleeye.wallets[0].accounts[1].scheme_id"),
    (_with_wallet(walletId="5002"), "eagleeye.wallets[1].walletId"),
    (_with_wallet(identities=[{"value": "a"}, {"value": "a"}]), "eagleeye.wallets[0].identities[1].value"),
    (_with_wallet(links=[{"pointsRewardBankId": "3001"}]), "eagleeye.wallets[0].links[0].pointsRewardBankId"),
    (_with_wallet(links=[{"pointsRewardBankId": "9999"}]), "eagleeye.wallets[0].links[0].pointsRewardBankId"),
    (_with_wallet(colour="blue"), "eagleeye.wallets[0].colour"),
    (world(reward_banks=[{"mode": "PUBLIC", "rewards": [{"resourceId": "9999", "cost": 1}]}]),
     "eagleeye.reward_banks[0].rewards[0].resourceId"),
    (world(reward_banks=[{"mode": "SECRET"}]), "eagleeye.reward_banks[0].mode"),
    (world(reward_banks=[{"mode": "PUBLIC", "rewards": [{"resourceId": "2001", "cost": -1}]}]),
     "eagleeye.reward_banks[0].rewards[0].cost"),
    (world(campaigns=[{"id": "2001", "issuance_start": "soon"}]), "eagleeye.campaigns[0].issuance_start"),
    (world(schemes=[{"id": "1001"}, {"id": "1001"}]), "eagleeye.schemes[1].id"),
    (world(clients=[{"client_id": "c"}]), "eagleeye.clients[0].secret"),
])
def test_problems_name_the_path(tmp_path, doc, path):
    assert _problem(tmp_path, doc)["path"] == path


def test_a_link_needs_a_personal_bank_with_that_reward(tmp_path):
    doc = world(reward_banks=[{"pointsRewardBankId": "3001", "mode": "PRIVATE",
                               "rewards": [{"pointsRewardBankRewardId": "4001", "resourceId": "2001", "cost": 1}]}])
    doc["eagleeye"]["wallets"][0]["links"] = [{"pointsRewardBankId": "3001", "pointsRewardBankRewardId": "4999"}]
    assert _problem(tmp_path, doc)["path"] == "eagleeye.wallets[0].links[0].pointsRewardBankRewardId"
    doc["eagleeye"]["wallets"][0]["links"][0]["pointsRewardBankRewardId"] = "4001"
    assert _load(tmp_path, doc)["counts"]["eagleeye"]["links"] == 1


def test_generated_ids_follow_the_chosen_ones_and_are_deterministic(make_app):
    doc = world(wallets=[{"walletId": "216000005"}, {}, {"accounts": [{"scheme_id": "1001", "balance": 1}]}])
    ids = []
    for _ in range(2):
        tables = make_app(doc).test_client().get("/_sandbox/state/eagleeye").get_json()["tables"]
        ids.append(([w["wallet_id"] for w in tables["wallets"]], [a["account_id"] for a in tables["accounts"]]))
    assert ids[0] == ids[1] == (["216000005", "216000006", "216000007"], ["4100000001"])


def test_ten_thousand_entities_load(tmp_path):
    wallets = [{"walletId": str(100000 + i), "identities": [{"value": f"card-{i}"}],
                "accounts": [{"accountId": str(900000 + i), "scheme_id": "1001", "balance": i}]}
               for i in range(3400)]
    started = time.perf_counter()
    counts = _load(tmp_path, world(wallets=wallets))["counts"]["eagleeye"]
    elapsed = time.perf_counter() - started
    assert (counts["wallets"], counts["identities"], counts["accounts"]) == (3400, 3400, 3400)
    print(f"10,200 Eagle Eye entities loaded in {elapsed:.2f}s (the target is measured in bench/)")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_scenario_replays_in_process(path: Path):
    result = run_file(path, InProcess)
    assert result.error is None, result.error
    assert result.steps and not result.failed, [s for s in result.steps if not s.passed]


def test_scenario_names_are_prefixed_and_unique():
    import yaml
    names = [yaml.safe_load(p.read_text())["name"] for p in SCENARIOS]
    assert len(SCENARIOS) >= 10 and len(set(names)) == len(names)
    assert all(name.startswith("eagleeye-") for name in names)
