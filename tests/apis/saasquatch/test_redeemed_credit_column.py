"""A reward's ``redeemed_credit`` column (kept by triggers so a debit reads one row, not
every redemption) always equals the sum of its redemption rows."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from sandbox.apis.saasquatch import store
from sandbox.core.db import connect
from sandbox.core.migrate import core_migrations

from .conftest import account, credit, world

SUMS = """SELECT r.id, r.redeemed_credit, COALESCE(SUM(d.quantity_redeemed), 0)
          FROM saasquatch_rewards r LEFT JOIN saasquatch_redemptions d ON d.reward_pk = r.pk
          GROUP BY r.pk ORDER BY r.id"""


def _sums(db_path: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(SUMS).fetchall()
    finally:
        conn.close()


def test_the_column_follows_seeded_and_api_redemptions(squatch):
    api = squatch(world([account("a1", [credit("c1", 1000, redeemedCredit=100), credit("c2", 500),
                                        credit("c3", 300, redemptions=[{"quantityRedeemed": 50},
                                                                        {"quantityRedeemed": 25}])])]))
    assert api.bulk_redeem("a1", 700).status_code == 200
    assert api.post("/credit/c2/redeem", {"amount": 10, "unit": "CENTS"}).status_code == 200
    rewards = {r["id"]: r["redeemed_credit"] for r in api.state()["rewards"]}
    redemptions = api.state()["redemptions"]
    pks = {r["pk"]: r["id"] for r in api.state()["rewards"]}
    for reward_id, column in rewards.items():
        assert column == sum(d["quantity_redeemed"] for d in redemptions if pks[d["reward_pk"]] == reward_id)
    assert api.credit_balance("a1")["totalRedeemedCredit"] == 100 + 75 + 700 + 10


def test_updates_and_deletes_of_redemptions_keep_the_column_equal_to_the_sum(tmp_path):
    db = connect(str(tmp_path / "s.sqlite"))
    core_migrations.apply(db)      # an API's tables come after the core's
    store.migrations.apply(db)
    db.execute("INSERT INTO saasquatch_tenants (tenant_alias, api_key) VALUES ('t', 'k')")
    db.execute("INSERT INTO saasquatch_accounts (tenant_alias, id) VALUES ('t', 'a')")
    db.execute("INSERT INTO saasquatch_users (tenant_alias, account_id, id) VALUES ('t', 'a', 'u')")
    for pk, rid in ((1, "r1"), (2, "r2")):
        db.execute("INSERT INTO saasquatch_rewards (pk, tenant_alias, id, account_id, user_id, type, unit,"
                   " reward_source, cancellable, date_given, assigned_credit) VALUES"
                   " (?, 't', ?, 'a', 'u', 'CREDIT', 'CENTS', 'MANUAL', 1, 'x', 100)", [pk, rid])
    when = datetime(2026, 1, 2, tzinfo=timezone.utc)
    store.insert_redemptions(db, [("d1", 1, when, 30), ("d2", 1, when, 20), ("d3", 2, when, 5)])
    db.execute("UPDATE saasquatch_redemptions SET quantity_redeemed = 40 WHERE id = 'd1'")
    db.execute("UPDATE saasquatch_redemptions SET reward_pk = 2 WHERE id = 'd2'")
    db.execute("DELETE FROM saasquatch_redemptions WHERE id = 'd3'")
    db.conn.commit()
    db.close()
    assert _sums(str(tmp_path / "s.sqlite")) == [("r1", 40, 40), ("r2", 20, 20)]


def test_a_database_from_before_the_column_is_filled_in_by_the_migration(tmp_path):
    path = str(tmp_path / "old.sqlite")
    db = connect(path)
    core_migrations.apply(db)
    store._initial(db)            # the first migration alone, as an older sandbox left it
    db.execute("INSERT INTO saasquatch_tenants (tenant_alias, api_key) VALUES ('t', 'k')")
    db.execute("INSERT INTO saasquatch_accounts (tenant_alias, id) VALUES ('t', 'a')")
    db.execute("INSERT INTO saasquatch_users (tenant_alias, account_id, id) VALUES ('t', 'a', 'u')")
    db.execute("INSERT INTO saasquatch_rewards (pk, tenant_alias, id, account_id, user_id, type, unit,"
               " reward_source, cancellable, date_given, assigned_credit) VALUES"
               " (1, 't', 'r1', 'a', 'u', 'CREDIT', 'CENTS', 'MANUAL', 1, 'x', 100)")
    db.conn.executemany("INSERT INTO saasquatch_redemptions (id, reward_pk, date_redeemed, quantity_redeemed)"
                        " VALUES (?, 1, 'x', ?)", [("d1", 60), ("d2", 15)])
    db.conn.commit()
    store.migrations.apply(db)     # records 0001 as applied (its DDL is idempotent), runs the rest
    db.close()
    assert _sums(path) == [("r1", 75, 75)]
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO saasquatch_redemptions (id, reward_pk, date_redeemed, quantity_redeemed)"
                     " VALUES ('d3', 1, 'x', 26)")
        raise AssertionError("a redemption past the assigned credit was accepted")
    except sqlite3.IntegrityError as exc:
        assert "exceeds the reward's assigned credit" in str(exc)
    finally:
        conn.close()
