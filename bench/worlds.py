"""The worlds the benchmark serves: the default world plus what the load cases need, a
generated 10,000-entity world for the load-time measurement, and a database whose
ledgers hold N rows for the list-latency cases."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

# -- who the cases call ------------------------------------------------------------------

ATRIUM_CLIENT = {"MX-Client-ID": "atrium-client", "MX-API-Key": "atrium-api-key"}
ATRIUM_READ_USER, ATRIUM_READ_MEMBER = "USR-bench-reader", "MBR-bench-reader"
ATRIUM_WRITE_USERS, ATRIUM_MEMBERS_PER_USER = 480, 25        # 12,000 members: see atrium_writers()
MYREWARDS_BENCH_KEY, MYREWARDS_BENCH_USER = "bench-key", 900001
SAASQUATCH_TENANT, SAASQUATCH_KEY = "test_abo912126tastastt", "TEST_B4BYA15POHYQ284HBND1"
SAASQUATCH_BENCH_TENANT, SAASQUATCH_BENCH_KEY = "bench_tenant", "BENCH_TENANT_KEY"
SAASQUATCH_BENCH_ACCOUNT = "bench-account"
EAGLEEYE_CLIENT, EAGLEEYE_SECRET = "ees-client", "0987654321"
EAGLEEYE_BENCH = {"wallet": "900000", "account": "4900000000", "bank": "90001", "reward": "90002",
                  "campaign": "90003", "scheme": "90004"}
BIG = 2_000_000_000      # balances and pools no run of the benchmark can exhaust


def atrium_member(u: int, m: int) -> tuple[str, str]:
    return f"USR-bench-w{u}", f"MBR-bench-w{u}-{m}"


def atrium_writers() -> list[tuple[str, str]]:
    """Every (user, member) the fetch_rewards case rotates through. MX Bank's jobs take 3 s
    of sandbox time and a second fetch_rewards on a member whose job is still running is a
    202 with nothing written, so the rotation is long enough (12,000 members) that each
    member's previous job has finished at up to 4,000 requests a second (the report counts
    the jobs written, so a faster run shows it)."""
    return [atrium_member(u, m) for u in range(ATRIUM_WRITE_USERS) for m in range(ATRIUM_MEMBERS_PER_USER)]


def bench_world() -> dict:
    """The default world (its four fragments) plus the benchmark's own entities."""
    reader = {
        "guid": ATRIUM_READ_USER, "client_id": "atrium-client", "identifier": "bench-reader",
        "members": [{
            "guid": ATRIUM_READ_MEMBER, "institution_code": "mxbank",
            "accounts": [{"guid": "ACT-bench-reader", "name": "Rewards Visa", "type": "CREDIT_CARD",
                          "balance": 340.12, "currency_code": "USD"}],
            "transactions": [{"account_guid": "ACT-bench-reader", "amount": 10.5 + i, "type": "DEBIT",
                              "description": f"Purchase {i}", "status": "POSTED", "date": "2026-01-0%d" % (i + 1)}
                             for i in range(3)],
            "rewards": [
                {"account_guid": "ACT-bench-reader", "balance": 24500, "balance_type": "TOTAL_BALANCE",
                 "unit_type": "MILES", "description": "SkyMiles balance"},
                {"account_guid": "ACT-bench-reader", "balance": 5500, "balance_type": "BALANCE_TO_LEVEL",
                 "unit_type": "MILES", "description": "Miles to Gold status", "expires_on": "2027-12-31"},
                {"balance": 1200.5, "balance_type": "EXPIRING_BALANCE", "unit_type": "POINTS",
                 "description": "Dining points", "expires_on": "2027-03-31"}],
            # a completed fetch_rewards job, so the rewards list is not empty; a minute before
            # the world is written, so no daily background aggregation falls due during a run
            # (it would refresh the rewards, which bench.bound's hand-written read does not do)
            "jobs": [{"type": "fetch_rewards", "started_at": _minute_ago()}],
        }],
    }
    writers = [{"guid": atrium_member(u, 0)[0], "client_id": "atrium-client", "identifier": f"bench-{u}",
                "members": [{"guid": atrium_member(u, m)[1], "institution_code": "mxbank"}
                            for m in range(ATRIUM_MEMBERS_PER_USER)]}
               for u in range(ATRIUM_WRITE_USERS)]
    return {
        "name": "bench",
        "description": "The default world plus the benchmark's readers and writers (bench/worlds.py).",
        "include": ["atrium/default.yaml", "myrewards/default.yaml", "saasquatch/default.yaml",
                    "eagleeye/default.yaml"],
        "atrium": {"users": [reader] + writers},
        "myrewards": {"programmes": [{
            "id": 900, "name": "Bench Programme", "points_balance": BIG, "identifier_field": "username",
            "required_fields": [], "api_keys": [{"key": MYREWARDS_BENCH_KEY}],
            "users": [{"id": MYREWARDS_BENCH_USER, "username": "bench"}]}]},
        "saasquatch": {"tenants": [{
            "tenant_alias": SAASQUATCH_BENCH_TENANT, "api_key": SAASQUATCH_BENCH_KEY,
            "accounts": [{"id": SAASQUATCH_BENCH_ACCOUNT, "users": [{"id": "bench-user"}],
                          "rewards": [{"id": "bench000000000000000001", "userId": "bench-user", "type": "CREDIT",
                                       "unit": "CENTS", "assignedCredit": BIG,
                                       "dateGiven": "2026-01-01T00:00:00Z"}]}]}]},
        "eagleeye": {
            "schemes": [{"id": EAGLEEYE_BENCH["scheme"], "name": "Bench points"}],
            "campaigns": [{"id": EAGLEEYE_BENCH["campaign"], "name": "Bench coupon"}],   # no issuance limits
            "reward_banks": [{"pointsRewardBankId": EAGLEEYE_BENCH["bank"], "mode": "PUBLIC",
                              "rewards": [{"pointsRewardBankRewardId": EAGLEEYE_BENCH["reward"],
                                           "resourceId": EAGLEEYE_BENCH["campaign"], "cost": 1, "threshold": 0}]}],
            "wallets": [{"walletId": EAGLEEYE_BENCH["wallet"], "identities": [{"value": "bench-card"}],
                         "accounts": [{"accountId": EAGLEEYE_BENCH["account"], "scheme_id": EAGLEEYE_BENCH["scheme"],
                                       "balance": BIG}]}],
        },
    }


def write_world(folder: Path, doc: dict, name: str) -> Path:
    path = Path(folder) / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path


# -- a generated world of 10,000 entities ----------------------------------------------------

def ten_thousand_entity_world() -> dict:
    """10,000 rows across the four APIs' tables (2,500 each), posted as JSON.

    Atrium: 250 users, each with one member holding an account, 3 transactions, 3 rewards
    and a job (10 rows per user). MyRewards: 1,250 users with one transaction each.
    SaaSquatch: 250 accounts, each with 1 user and 8 credit rewards. Eagle Eye: 833 wallets
    with an identity and a points account, plus one bare wallet."""
    atrium_users = [{
        "guid": f"USR-g{n}", "client_id": "gen-client", "members": [{
            "guid": f"MBR-g{n}", "institution_code": "mxbank",
            "accounts": [{"guid": f"ACT-g{n}", "name": "Card", "type": "CREDIT_CARD", "balance": 1.5}],
            "transactions": [{"account_guid": f"ACT-g{n}", "amount": 2.0 + t, "date": "2026-01-01"} for t in range(3)],
            "rewards": [{"account_guid": f"ACT-g{n}", "balance": 100 + r, "balance_type": "TOTAL_BALANCE",
                         "unit_type": "MILES"} for r in range(3)],
            "jobs": [{"type": "fetch_rewards", "started_at": "2026-01-01T00:00:00Z"}]}]}
        for n in range(250)]
    myrewards_users = [{"username": f"gen{i}", "transactions": [
        {"transaction_type": "Credit", "variety": "Adjustment", "points": 10, "reason": "seed"}]}
        for i in range(1250)]
    accounts = [{"id": f"gen-{a}", "users": [{"id": "u0"}],
                 "rewards": [{"userId": "u0", "type": "CREDIT", "unit": "CENTS", "assignedCredit": 1000,
                              "dateGiven": "2026-01-01T00:00:00Z"} for _ in range(8)]}
                for a in range(250)]
    wallets = [{"walletId": str(300000 + i), "identities": [{"value": f"gen-card-{i}"}],
                "accounts": [{"accountId": str(700000 + i), "scheme_id": "5001", "balance": i}]}
               for i in range(833)]
    wallets.append({"walletId": "399999"})
    return {
        "name": "generated-10k",
        "atrium": {"clients": [{"client_id": "gen-client", "api_key": "gen-key", "features": ["rewards"]}],
                   "users": atrium_users},
        "myrewards": {"programmes": [{"id": 1, "name": "Generated", "points_balance": 10 ** 9,
                                      "required_fields": [], "api_keys": [{"key": "gen"}],
                                      "users": myrewards_users}]},
        "saasquatch": {"tenants": [{"tenant_alias": "gen", "api_key": "gen-key", "accounts": accounts}]},
        "eagleeye": {"clients": [{"client_id": "gen", "secret": "gen-secret"}],
                     "schemes": [{"id": "5001"}], "wallets": wallets},
    }


ENTITY_TABLES = {
    "atrium": ("users", "members", "accounts", "transactions", "rewards", "jobs"),
    "myrewards": ("users", "transactions"),
    "saasquatch": ("accounts", "users", "rewards"),
    "eagleeye": ("wallets", "identities", "accounts"),
}


def entity_count(counts: dict) -> int:
    """The rows a load summary reports in the tables the generated world fills."""
    return sum(counts[api].get(table, 0) for api, tables in ENTITY_TABLES.items() for table in tables)


# -- ledgers of N rows -------------------------------------------------------------------------

LEDGER_OWNERS = 1000     # the filler rows belong to this many other users, members and accounts


def fill_ledgers(db_path: str, rows: int) -> dict:
    """Add filler rows to a database holding the bench world until each listed ledger
    (Atrium transactions, MyRewards transactions, SaaSquatch redemptions, Eagle Eye
    account transactions) holds ``rows`` rows. The filler belongs to other users,
    members and accounts; what the list cases read is the bench world's own, so only the
    table size changes between 1,000 and 1,000,000 rows. Returns the table sizes."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")     # owners are inserted first anyway
        conn.execute("PRAGMA synchronous = OFF")
        with conn:
            _fill_atrium(conn, rows)
            _fill_myrewards(conn, rows)
            _fill_saasquatch(conn, rows)
            _fill_eagleeye(conn, rows)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in LEDGER_TABLES}
    finally:
        conn.close()


LEDGER_TABLES = ("atrium_transactions", "myrewards_transactions", "saasquatch_redemptions",
                 "eagleeye_account_transactions")


def _missing(conn, table: str, rows: int) -> int:
    return max(0, rows - conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _spread(count: int):
    """(row number, owner number) for ``count`` filler rows over LEDGER_OWNERS owners."""
    return ((i, i % LEDGER_OWNERS) for i in range(count))


def _fill_atrium(conn, rows: int) -> None:
    conn.executemany("INSERT INTO atrium_users (guid, client_id, identifier, metadata, is_disabled) "
                     "VALUES (?, 'atrium-client', ?, NULL, 0)",
                     [(f"USR-fill{o}", f"fill-{o}") for o in range(LEDGER_OWNERS)])
    member = conn.execute("SELECT * FROM atrium_members WHERE guid = ?", [ATRIUM_READ_MEMBER]).fetchone()
    columns = [c[1] for c in conn.execute("PRAGMA table_info(atrium_members)")]
    template = dict(zip(columns, member))
    conn.executemany(
        f"INSERT INTO atrium_members ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [[{**template, "guid": f"MBR-fill{o}", "user_guid": f"USR-fill{o}", "identifier": None}[c]
          for c in columns] for o in range(LEDGER_OWNERS)])
    data = json.dumps({"amount": 12.5, "type": "DEBIT", "description": "Filler", "status": "POSTED",
                       "date": "2025-06-01"})
    conn.executemany(
        "INSERT INTO atrium_transactions (guid, member_guid, user_guid, account_guid, date, data) "
        "VALUES (?, ?, ?, NULL, '2025-06-01', ?)",
        ((f"TRN-fill{i}", f"MBR-fill{o}", f"USR-fill{o}", data)
         for i, o in _spread(_missing(conn, "atrium_transactions", rows))))


def _fill_myrewards(conn, rows: int) -> None:
    conn.executemany(
        "INSERT INTO myrewards_users (id, programme_id, username, email, mobile, profile, created_at, updated_at) "
        "VALUES (?, 900, ?, NULL, NULL, '{}', '2025-06-01T00:00:00.000000Z', '2025-06-01T00:00:00.000000Z')",
        [(800000 + o, f"fill{o}") for o in range(LEDGER_OWNERS)])
    first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM myrewards_transactions").fetchone()[0]
    conn.executemany(
        "INSERT INTO myrewards_transactions (id, user_id, transaction_type, variety, value, balance, pool_delta,"
        " reason, remote_transaction_id, created_at) VALUES (?, ?, 'Credit', 'Adjustment', 1, ?, 0, 'filler',"
        " NULL, '2025-06-01T00:00:00.000000Z')",
        ((first + i, 800000 + o, 1 + i // LEDGER_OWNERS)
         for i, o in _spread(_missing(conn, "myrewards_transactions", rows))))
    conn.execute("UPDATE sandbox_sequences SET value = (SELECT MAX(id) FROM myrewards_transactions) "
                 "WHERE name = 'myrewards:transaction'")


def _fill_saasquatch(conn, rows: int) -> None:
    conn.executemany("INSERT INTO saasquatch_accounts (tenant_alias, id, currency) VALUES (?, ?, NULL)",
                     [(SAASQUATCH_TENANT, f"fill-{o}") for o in range(LEDGER_OWNERS)])
    conn.executemany("INSERT INTO saasquatch_users (tenant_alias, account_id, id) VALUES (?, ?, 'u')",
                     [(SAASQUATCH_TENANT, f"fill-{o}") for o in range(LEDGER_OWNERS)])
    first = conn.execute("SELECT COALESCE(MAX(pk), 0) + 1 FROM saasquatch_rewards").fetchone()[0]
    conn.executemany(
        "INSERT INTO saasquatch_rewards (pk, tenant_alias, id, account_id, user_id, type, unit, reward_source,"
        " cancellable, date_given, assigned_credit) VALUES (?, ?, ?, ?, 'u', 'CREDIT', 'CENTS', 'MANUAL', 1,"
        " '2025-06-01T00:00:00.000000Z', ?)",
        [(first + o, SAASQUATCH_TENANT, f"fill{o:020d}", f"fill-{o}", BIG) for o in range(LEDGER_OWNERS)])
    conn.executemany(
        "INSERT INTO saasquatch_redemptions (id, reward_pk, date_redeemed, quantity_redeemed)"
        " VALUES (?, ?, '2025-06-02T00:00:00.000000Z', 1)",
        ((f"fillr{i:019d}", first + o) for i, o in _spread(_missing(conn, "saasquatch_redemptions", rows))))


def _fill_eagleeye(conn, rows: int) -> None:
    stamp = "2025-06-01T00:00:00.000000Z"
    conn.executemany("INSERT INTO eagleeye_wallets (wallet_id, status, type, state, date_created, last_updated) "
                     "VALUES (?, 'ACTIVE', 'CONSUMER', 'DEFAULT', ?, ?)",
                     [(str(600000 + o), stamp, stamp) for o in range(LEDGER_OWNERS)])
    conn.executemany(
        "INSERT INTO eagleeye_accounts (account_id, wallet_id, campaign_id, type, client_type, status, state,"
        " date_start, current, lifetime, date_created, last_updated) VALUES (?, ?, ?, 'POINTS', 'RETAILPOINTS',"
        " 'ACTIVE', 'LOADED', ?, 0, 0, ?, ?)",
        [(str(4800000000 + o), str(600000 + o), EAGLEEYE_BENCH["scheme"], stamp, stamp, stamp)
         for o in range(LEDGER_OWNERS)])
    balances = json.dumps({"current": 0, "usable": 0})
    conn.executemany(
        "INSERT INTO eagleeye_account_transactions (account_transaction_id, account_id, event, value, delta,"
        " status, balances_before, balances_after, date_created, last_updated)"
        " VALUES (?, ?, 'CREDIT', 0, 0, 'ACTIVE', ?, ?, ?, ?)",
        ((f"F{i:012d}", str(4800000000 + o), balances, balances, stamp, stamp)
         for i, o in _spread(_missing(conn, "eagleeye_account_transactions", rows))))


def _minute_ago() -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
