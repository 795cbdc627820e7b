"""GET /credit_card_products/{guid} (beta): the products a scenario describes, for the
credit_card_product_guid accounts carry (MX's atrium-java, branch beta)."""
from __future__ import annotations

import pytest

from sandbox import build_sandbox
from sandbox.apis.atrium.service.catalogue import MXBANK_CARD_PRODUCT
from tests.apis.atrium.world import BETA, V1

PRODUCT = {"guid": "CCA-travel", "name": "Travel Card", "annual_fee": 95.5, "has_cashback_rewards": False,
           "has_travel_rewards": True, "has_zero_percent_introductory_rate": None, "is_small_business_card": False}
FIELDS = ("annual_fee", "guid", "has_cashback_rewards", "has_travel_rewards", "has_zero_percent_introductory_rate",
          "is_small_business_card", "name")


def test_a_described_product_has_exactly_the_beta_sdks_fields(atrium_world):
    atrium = atrium_world(credit_card_products=[PRODUCT, {"guid": "CCA-bare"}])
    response = atrium.get("/atrium/credit_card_products/CCA-travel", accept=BETA)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(BETA)
    body = response.get_json()
    assert tuple(body["credit_card_product"]) == FIELDS
    assert body == {"credit_card_product": PRODUCT}
    bare = atrium.get("/atrium/credit_card_products/CCA-bare", accept=BETA).get_json()["credit_card_product"]
    assert bare == {name: ("CCA-bare" if name == "guid" else None) for name in FIELDS}


def test_an_unknown_product_is_404_and_v1_is_406(atrium_world):
    atrium = atrium_world(credit_card_products=[PRODUCT])
    missing = atrium.get("/atrium/credit_card_products/CCA-nothing", accept=BETA)
    assert missing.status_code == 404
    assert missing.get_json() == {"error": {"message": "Invalid item/id/URL requested."}}
    assert atrium.get("/atrium/credit_card_products/CCA-travel", accept=V1).status_code == 406


def test_any_client_may_read_the_catalogue(atrium_world):
    atrium = atrium_world(credit_card_products=[PRODUCT])
    basic = atrium.as_client("basic", "basic-key")
    assert basic.get("/atrium/credit_card_products/CCA-travel", accept=BETA).status_code == 200
    assert atrium.as_client("basic", "wrong").get("/atrium/credit_card_products/CCA-travel",
                                                  accept=BETA).status_code == 401


def test_an_account_may_name_a_product_the_world_does_not_describe(atrium_world):
    """Existing worlds keep loading: the guid is only a value on the account."""
    atrium = atrium_world()
    user = atrium.create_user("card-holder")
    atrium.create_member(user)
    atrium.advance("3s")
    cards = [a for a in atrium.get(f"/atrium/users/{user}/accounts", accept=BETA).get_json()["accounts"]
             if a["type"] == "CREDIT_CARD"]
    assert [c["credit_card_product_guid"] for c in cards] == [MXBANK_CARD_PRODUCT]
    assert atrium.get(f"/atrium/credit_card_products/{MXBANK_CARD_PRODUCT}", accept=BETA).status_code == 404


@pytest.mark.parametrize("products, where", [
    ([{"guid": "CCA-a"}, {"guid": "CCA-a"}], "credit_card_products[1].guid"),
    ([{"guid": "card"}], "credit_card_products"),
    ([{"guid": "CCA-a", "annual_fee": "free"}], "credit_card_products"),
    ([{"guid": "CCA-a", "rewards_rate": 2}], "credit_card_products"),
])
def test_bad_products_are_refused_and_change_nothing(atrium_app, products, where):
    client = atrium_app.test_client()
    before = client.get("/_sandbox/state/atrium").get_json()
    response = client.post("/_sandbox/scenario", json={"name": "bad", "atrium": {"credit_card_products": products}})
    assert response.status_code == 400
    assert where in response.get_data(as_text=True)
    assert client.get("/_sandbox/state/atrium").get_json() == before


def test_the_default_world_describes_its_rewards_card(tmp_path):
    client = build_sandbox(str(tmp_path / "s.sqlite"), "default").test_client()
    headers = {"MX-Client-ID": "atrium-client", "MX-API-Key": "atrium-api-key", "Accept": BETA}
    user = "USR-fa7537f3-48aa-a683-a02a-b18940482f54"
    card = client.get(f"/atrium/users/{user}/accounts/ACT-82a93692-f756-534f-9b2e-ad10a0f38462",
                      headers=headers).get_json()["account"]
    product = client.get(f"/atrium/credit_card_products/{card['credit_card_product_guid']}", headers=headers)
    assert product.status_code == 200
    assert product.get_json()["credit_card_product"]["name"] == "MX Bank Rewards Visa"
    assert card["credit_card_product_guid"] == MXBANK_CARD_PRODUCT
