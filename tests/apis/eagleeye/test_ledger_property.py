"""Any sequence of credits, debits and exchanges (successful, refused or rolled back) keeps
every ledger summing to its balance, and never takes a no-negatives account below zero."""
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from sandbox.apis import API_PACKAGES
from sandbox.apis.eagleeye import schemas, service, store
from sandbox.core.errors import ApiError
from sandbox.core.db import connect
from sandbox.core.scenarios import build_world
from tests.apis.eagleeye.helpers import ACCOUNT, EXCHANGE_BODY, WALLET, world
from tests.support import examples

NOW = datetime(2026, 1, 15, 9, tzinfo=timezone.utc)
operations = st.lists(st.one_of(
    st.tuples(st.just("credit"), st.integers(1, 400)),
    st.tuples(st.just("debit"), st.integers(1, 400)),
    st.tuples(st.just("exchange"), st.just(0)),
), max_size=25)


@pytest.mark.slow
@settings(max_examples=examples(30))
@given(ops=operations, allow_negative=st.booleans(), autotopup=st.booleans(), issuance_limit=st.sampled_from([0, 3, None]))
def test_ledger_always_sums_to_the_balance(ops, allow_negative, autotopup, issuance_limit):
    doc = world(schemes=[{"id": "1001", "allow_negative_balance": allow_negative, "autotopup": autotopup}],
                campaigns=[{"id": "2001", "issuance_limit_total": issuance_limit}])
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "ledger.sqlite")
        build_world(path, doc, API_PACKAGES)
        db = connect(path)
        try:
            request = schemas.exchange_schema.load(EXCHANGE_BODY)
            for name, value in ops:
                try:
                    if name == "exchange":
                        service.exchange(db, NOW, WALLET, request, {})
                    else:
                        move = service.credit_points if name == "credit" else service.debit_points
                        move(db, NOW, WALLET, ACCOUNT, {"value": value})
                except ApiError as err:
                    assert err.status in (422,), err.message
                balance = store.get_account(db, WALLET, ACCOUNT)["current"]
                assert store.ledger_sum(db, ACCOUNT) == balance
                if not allow_negative or autotopup:
                    assert balance >= 0
        finally:
            db.close()
