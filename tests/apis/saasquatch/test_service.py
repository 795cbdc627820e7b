"""SaaSquatch's balance rules called directly (no HTTP): results in the service's own terms
(snake_case, camelCased only by the schemas), debits in the documented order."""
from sandbox.apis.saasquatch import schemas, service, store
from tests.support import refusal

ALIAS, ACCOUNT = "test_abo912126tastastt", "613611"


def test_bulk_redeem_debits_and_reports_in_the_services_terms(world_db):
    db, now = world_db()
    tenant = store.tenant(db, ALIAS)
    balances = service.reward_balances(db, tenant, now, ACCOUNT)
    [credit] = [b for b in balances if (b["type"], b.get("unit")) == ("CREDIT", "CENTS")]
    available = credit["total_assigned_credit"] - credit["total_redeemed_credit"]
    result = service.bulk_redeem(db, tenant, now, ACCOUNT, "CENTS", 100)
    assert result == {"credit_redeemed": 100, "credit_available": available - 100, "unit": "CENTS"}
    assert schemas.debit_json(result) == {"creditRedeemed": 100, "creditAvailable": available - 100, "unit": "CENTS"}


def test_more_than_is_available_is_402_and_debits_nothing(world_db):
    db, now = world_db()
    tenant = store.tenant(db, ALIAS)
    before = service.reward_balances(db, tenant, now, ACCOUNT)
    assert refusal(service.bulk_redeem, db, tenant, now, ACCOUNT, "CENTS", 10**9).code == "INSUFFICIENT_CREDIT"
    assert service.reward_balances(db, tenant, now, ACCOUNT) == before
