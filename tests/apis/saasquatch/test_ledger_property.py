"""Random sequences of debits and clock moves against a simple model of the account:
a debit succeeds exactly when the model says the credit is there, the balance always
equals assigned minus redeemed, and every reward's redeemedCredit is its redemptions' sum."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st
import pytest

from tests.support import examples

from .conftest import NOW, Squatch, account, credit, world

START = datetime.fromisoformat(NOW.replace("Z", "+00:00"))
REWARDS = [  # (id, assigned, expires in days, pending for days)
    ("a", 120, None, None), ("b", 80, 3, None), ("c", 200, 10, None),
    ("d", 60, None, 2), ("e", 90, 1, None), ("f", 40, 6, 4),
]

operations = st.lists(st.one_of(
    st.tuples(st.just("bulkredeem"), st.integers(min_value=1, max_value=250)),
    st.tuples(st.just("redeem"), st.sampled_from([r[0] for r in REWARDS]), st.integers(1, 120)),
    st.tuples(st.just("advance"), st.integers(min_value=1, max_value=4)),
), max_size=12)


def reward_docs():
    docs = []
    for rid, assigned, expires, pending in REWARDS:
        extra = {}
        if expires is not None:
            extra["dateExpires"] = (START + timedelta(days=expires)).isoformat()
        if pending is not None:
            extra["dateScheduledFor"] = (START + timedelta(days=pending)).isoformat()
        docs.append(credit(rid, assigned, user="u1" if rid < "d" else "u2", **extra))
    return docs


def model_available(remaining: dict, now: datetime) -> dict:
    usable = {}
    for rid, _, expires, pending in REWARDS:
        expired = expires is not None and now >= START + timedelta(days=expires)
        is_pending = pending is not None and now < START + timedelta(days=pending)
        if not expired and not is_pending:
            usable[rid] = remaining[rid]
    return usable


@pytest.mark.slow
@settings(max_examples=examples(25))
@given(ops=operations)
def test_debits_match_the_model_and_the_ledger_always_sums(make_app, ops):
    api = Squatch(make_app(world([account("acct", reward_docs())])).test_client())
    remaining = {rid: assigned for rid, assigned, _, _ in REWARDS}
    now = START
    for op in ops:
        usable = model_available(remaining, now)
        if op[0] == "advance":
            api.advance(f"{op[1]}d")
            now += timedelta(days=op[1])
            continue
        if op[0] == "bulkredeem":
            response = api.bulk_redeem("acct", op[1])
            expected_ok = op[1] <= sum(usable.values())
        else:
            response = api.post(f"/credit/{op[1]}/redeem", {"amount": op[2], "unit": "CENTS"})
            expected_ok = op[2] <= usable.get(op[1], 0)
        assert response.status_code == (200 if expected_ok else 402), (op, usable, response.json)
        if expected_ok:
            listed = {r["id"]: r for r in api.get("/reward", accountId="acct").json}
            remaining = {rid: r["assignedCredit"] - r["redeemedCredit"] for rid, r in listed.items()}
            assert response.json["creditAvailable"] == sum(model_available(remaining, now).values())
        balance = api.credit_balance("acct")
        assert balance["totalAssignedCredit"] - balance["totalRedeemedCredit"] == \
            sum(model_available(remaining, now).values())
    for reward in api.get("/reward", accountId="acct").json:
        assert reward["redeemedCredit"] == sum(r["quantityRedeemed"] for r in reward["redemptions"])
        assert 0 <= reward["redeemedCredit"] <= reward["assignedCredit"]
