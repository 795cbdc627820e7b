"""MyRewards' ledger rules called directly (no HTTP): the check order of the v1 POST and a
ledger that sums to the balance."""
from sandbox.apis.myrewards.service import transactions
from tests.support import refusal

CREDIT = {"transaction_type": "Credit", "variety": "Programme Points", "points": 40, "reason": "r"}


def test_credit_then_debit_beyond_the_balance_is_402_and_changes_nothing(world_db):
    db, now = world_db()
    before = transactions.list_transactions(db, 1, 123)
    balance = before[-1]["balance"] if before else 0
    assert transactions.post_transaction(db, now, 1, 123, CREDIT, [])["id"]
    debit = {**CREDIT, "transaction_type": "Debit", "points": balance + 41}
    assert refusal(transactions.post_transaction, db, now, 1, 123, debit, []).status == 402
    after = transactions.list_transactions(db, 1, 123)
    assert len(after) == len(before) + 1 and after[-1]["balance"] == balance + 40
    assert sum(t["value"] for t in after) == after[-1]["balance"]


def test_an_unknown_user_comes_before_a_malformed_transaction(world_db):
    db, now = world_db()
    assert refusal(transactions.post_transaction, db, now, 1, 999999, {}, ["points can't be blank"]).status == 204
    assert refusal(transactions.post_transaction, db, now, 1, 123, {}, ["points can't be blank"]).status == 406
