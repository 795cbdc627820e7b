"""Eagle Eye AIR tables and queries.

Ids are the vendor's numeric strings, kept as TEXT; lists are returned in creation order
(``rowid``). JSON columns (location, meta, balances, transactionDetails, properties) are
decoded here, so rows leave this module as plain dicts.
"""
from __future__ import annotations

import json
import re

from sqlite_utils import Migrations

from sandbox.core import ids, jsontext
from sandbox.core.db import as_dict, as_dicts, run_script

migrations = Migrations("eagleeye")

# Where each kind of generated id starts (the magnitudes seen in real AIR responses).
ID_STARTS = {"wallet": 216000001, "identity": 187000001, "account": 4100000001,
             "account_transaction": 7900000001, "wallet_transaction": 442000001,
             "bank": 84001, "reward": 186001, "link": 98001}
_NUMERIC_ID = re.compile(r"[0-9]{1,18}")

JSON_COLUMNS = ("location", "meta", "balances_before", "balances_after", "transaction_details",
                "properties")


@migrations(name="0001_initial")
def _initial(db):
    run_script(db, """
CREATE TABLE IF NOT EXISTS eagleeye_clients (
    client_id TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    location TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS eagleeye_schemes (
    scheme_id TEXT PRIMARY KEY,
    name TEXT,
    allow_negative_balance INTEGER NOT NULL CHECK (allow_negative_balance IN (0, 1)),
    autotopup INTEGER NOT NULL CHECK (autotopup IN (0, 1))
);
CREATE TABLE IF NOT EXISTS eagleeye_campaigns (
    campaign_id TEXT PRIMARY KEY,
    name TEXT,
    issuance_limit_total INTEGER CHECK (issuance_limit_total IS NULL OR issuance_limit_total >= 0),
    issuance_limit_per_wallet INTEGER
        CHECK (issuance_limit_per_wallet IS NULL OR issuance_limit_per_wallet >= 0),
    issuance_start TEXT,
    issuance_end TEXT
);
CREATE TABLE IF NOT EXISTS eagleeye_banks (
    bank_id TEXT PRIMARY KEY,
    name TEXT,
    mode TEXT NOT NULL CHECK (mode IN ('PUBLIC', 'PERSONAL')),
    status TEXT NOT NULL,
    exchange_limit INTEGER CHECK (exchange_limit IS NULL OR exchange_limit >= 0),
    date_created TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS eagleeye_rewards (
    reward_id TEXT PRIMARY KEY,
    bank_id TEXT NOT NULL REFERENCES eagleeye_banks (bank_id),
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL REFERENCES eagleeye_campaigns (campaign_id),
    cost INTEGER NOT NULL CHECK (cost >= 0),
    threshold INTEGER CHECK (threshold IS NULL OR threshold >= 0),
    status TEXT NOT NULL,
    date_created TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eagleeye_rewards_by_bank ON eagleeye_rewards (bank_id);
CREATE TABLE IF NOT EXISTS eagleeye_wallets (
    wallet_id TEXT PRIMARY KEY,
    friendly_name TEXT,
    status TEXT NOT NULL,
    type TEXT NOT NULL,
    state TEXT NOT NULL,
    meta TEXT,
    date_created TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS eagleeye_identities (
    identity_id TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL REFERENCES eagleeye_wallets (wallet_id),
    type TEXT NOT NULL,
    value TEXT NOT NULL UNIQUE,
    friendly_name TEXT,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    date_created TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eagleeye_identities_by_wallet ON eagleeye_identities (wallet_id);
CREATE TABLE IF NOT EXISTS eagleeye_accounts (
    account_id TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL REFERENCES eagleeye_wallets (wallet_id),
    campaign_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('POINTS', 'ECOUPON')),
    client_type TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    date_start TEXT NOT NULL,
    date_end TEXT,
    meta TEXT,
    current INTEGER NOT NULL DEFAULT 0,
    lifetime INTEGER NOT NULL DEFAULT 0,
    date_created TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eagleeye_accounts_by_wallet ON eagleeye_accounts (wallet_id);
CREATE INDEX IF NOT EXISTS eagleeye_accounts_by_campaign
    ON eagleeye_accounts (campaign_id, type, wallet_id);
CREATE UNIQUE INDEX IF NOT EXISTS eagleeye_accounts_one_per_scheme
    ON eagleeye_accounts (wallet_id, campaign_id) WHERE type = 'POINTS';
CREATE TABLE IF NOT EXISTS eagleeye_wallet_transactions (
    wallet_transaction_id TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL REFERENCES eagleeye_wallets (wallet_id),
    reference TEXT,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    transaction_date_time TEXT NOT NULL,
    location TEXT,
    meta TEXT,
    bank_id TEXT,
    reward_id TEXT,
    link_id TEXT,
    date_created TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eagleeye_wallet_transactions_by_wallet
    ON eagleeye_wallet_transactions (wallet_id);
CREATE INDEX IF NOT EXISTS eagleeye_wallet_transactions_by_bank
    ON eagleeye_wallet_transactions (bank_id, wallet_id, status);
CREATE INDEX IF NOT EXISTS eagleeye_wallet_transactions_by_link
    ON eagleeye_wallet_transactions (link_id, status);
CREATE TABLE IF NOT EXISTS eagleeye_account_transactions (
    account_transaction_id TEXT PRIMARY KEY,
    parent_account_transaction_id TEXT NOT NULL DEFAULT '',
    account_id TEXT NOT NULL REFERENCES eagleeye_accounts (account_id),
    wallet_transaction_id TEXT REFERENCES eagleeye_wallet_transactions (wallet_transaction_id),
    event TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    delta INTEGER NOT NULL,          -- signed change to `current`; the ledger sums to it
    status TEXT NOT NULL,
    balances_before TEXT NOT NULL,
    balances_after TEXT NOT NULL,
    transaction_details TEXT,
    properties TEXT,
    date_created TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eagleeye_account_transactions_by_account
    ON eagleeye_account_transactions (account_id);
CREATE INDEX IF NOT EXISTS eagleeye_account_transactions_by_wallet_transaction
    ON eagleeye_account_transactions (wallet_transaction_id);
CREATE TABLE IF NOT EXISTS eagleeye_links (
    link_id TEXT PRIMARY KEY,
    wallet_id TEXT NOT NULL REFERENCES eagleeye_wallets (wallet_id),
    bank_id TEXT NOT NULL REFERENCES eagleeye_banks (bank_id),
    reward_id TEXT REFERENCES eagleeye_rewards (reward_id),
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    date_created TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eagleeye_links_by_wallet ON eagleeye_links (wallet_id, bank_id);
""")


@migrations(name="0002_bank_reference")
def _bank_reference(db):
    """Reward banks created through the API carry the partner's external reference."""
    db.execute("ALTER TABLE eagleeye_banks ADD COLUMN reference TEXT")


@migrations(name="0003_link_index_partial")
def _link_index_partial(db):
    """Only wallet transactions made through a wallet link are indexed by link: the others
    (every credit and debit, and the exchanges of global banks) have none to find them by."""
    # perf: one page fewer written to the log by every commit that adds a wallet transaction
    # without a link (an exchange: 15.4 -> 14.4 pages) (bench/README.md)
    db.execute("DROP INDEX IF EXISTS eagleeye_wallet_transactions_by_link")
    db.execute("CREATE INDEX eagleeye_wallet_transactions_by_link ON eagleeye_wallet_transactions (link_id, status)"
               " WHERE link_id IS NOT NULL")


# -- ids -------------------------------------------------------------------------------

def new_id(db, kind: str) -> str:
    """The next id of ``kind`` (inside a write transaction)."""
    return str(ids.next_value(db, f"eagleeye:{kind}", ID_STARTS[kind]))


def new_ids(db, kind: str, count: int) -> list[str]:
    """``count`` consecutive ids of ``kind`` (scenario seeding)."""
    return [str(n) for n in ids.reserve(db, f"eagleeye:{kind}", count, ID_STARTS[kind])]


def reserve_given_ids(db, kind: str, given: list[str]) -> None:
    """Generated ids of ``kind`` must come after every numeric id a scenario chose."""
    numeric = [int(i) for i in given if _NUMERIC_ID.fullmatch(i)]
    ids.bump_to(db, f"eagleeye:{kind}", max(numeric + [ID_STARTS[kind] - 1]))


# -- generic helpers ------------------------------------------------------------------

def _decoded(rows: list[dict]) -> list[dict]:
    """The rows with their JSON columns decoded."""
    for row in rows:
        for column in JSON_COLUMNS:
            if column in row and isinstance(row[column], str):
                row[column] = json.loads(row[column])
    return rows


def _record(row) -> dict | None:
    """One row as a dict with its JSON columns decoded; None for no row."""
    return None if row is None else _decoded([as_dict(row)])[0]


def _encode(value):
    return None if value is None else jsontext.compact(value)


_INSERT_SQL: dict[tuple, str] = {}


def _insert(db, table: str, row: dict) -> None:
    # perf: the statement's text built once per table and column list, not on each of an
    # exchange's 4 inserts: 2.80M -> 2.73M instructions per exchange (bench/README.md)
    key = (table, *row)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        sql = _INSERT_SQL[key] = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
    db.execute(sql, [_encode(v) if k in JSON_COLUMNS else v for k, v in row.items()])


def insert_many(db, table: str, rows: list[dict]) -> None:
    """Bulk insert (scenario seeding): every row must have the same keys."""
    if not rows:
        return
    columns = list(rows[0])
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    db.conn.executemany(sql, [[_encode(r[c]) if c in JSON_COLUMNS else r[c] for c in columns]
                              for r in rows])


def _page(db, table: str, where: dict, filters: dict, limit: int, offset: int, *, ranges: dict | None = None,
          order: tuple[str, bool] | None = None) -> tuple[int, list[dict]]:
    """(total, rows) of ``table`` matching every column = value and every column within
    ``ranges`` ``{column: (from, to)}`` (inclusive), in creation order or ``order``
    (column, descending). Column names come from this module's callers, never from a request."""
    conditions = {**where, **{k: v for k, v in filters.items() if v is not None}}
    clauses = [f"{column} = ?" for column in conditions] + [f"{c} BETWEEN ? AND ?" for c in ranges or {}]
    clause = " AND ".join(clauses) or "1"
    params = list(conditions.values()) + [bound for pair in (ranges or {}).values() for bound in pair]
    by = "rowid" if order is None else f"{order[0]} {'DESC' if order[1] else 'ASC'}, rowid"
    total = db.execute(f"SELECT COUNT(*) FROM {table} WHERE {clause}", params).fetchone()[0]
    rows = _decoded(as_dicts(db.execute(f"SELECT * FROM {table} WHERE {clause} ORDER BY {by} LIMIT ? OFFSET ?",
                                        params + [limit, offset])))
    return total, rows


# -- clients, schemes, campaigns, banks ---------------------------------------------------

def get_client(db, client_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_clients WHERE client_id = ?", [client_id]).fetchone())


def all_clients(db) -> list[dict]:
    return _decoded(as_dicts(db.execute("SELECT * FROM eagleeye_clients ORDER BY rowid")))


def get_scheme(db, scheme_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_schemes WHERE scheme_id = ?", [scheme_id]).fetchone())


def get_campaign(db, campaign_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_campaigns WHERE campaign_id = ?", [campaign_id]).fetchone())


def get_bank(db, bank_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_banks WHERE bank_id = ?", [bank_id]).fetchone())


def get_reward(db, bank_id: str, reward_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_rewards WHERE reward_id = ? AND bank_id = ?",
                              [reward_id, bank_id]).fetchone())


def list_rewards(db, bank_id: str, filters: dict, limit: int, offset: int):
    return _page(db, "eagleeye_rewards", {"bank_id": bank_id}, filters, limit, offset)


def rewards_of(db, bank_id: str) -> list[dict]:
    return _decoded(as_dicts(db.execute("SELECT * FROM eagleeye_rewards WHERE bank_id = ? ORDER BY rowid",
                                        [bank_id])))


def insert_bank(db, row: dict) -> None:
    _insert(db, "eagleeye_banks", row)


def insert_reward(db, row: dict) -> None:
    _insert(db, "eagleeye_rewards", row)


def update_bank(db, bank_id: str, changes: dict) -> None:
    assignments = ", ".join(f"{column} = ?" for column in changes)
    db.execute(f"UPDATE eagleeye_banks SET {assignments} WHERE bank_id = ?", list(changes.values()) + [bank_id])


# -- wallets and identities ---------------------------------------------------------------

def get_wallet(db, wallet_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_wallets WHERE wallet_id = ?", [wallet_id]).fetchone())


def wallet_by_identity_value(db, value: str) -> dict | None:
    return _record(db.execute("SELECT w.* FROM eagleeye_wallets w JOIN eagleeye_identities i "
                              "ON i.wallet_id = w.wallet_id WHERE i.value = ?", [value]).fetchone())


def identity_values_taken(db, values: list[str]) -> list[str]:
    marks = ", ".join("?" for _ in values)
    cursor = db.execute(f"SELECT value FROM eagleeye_identities WHERE value IN ({marks})", values)
    return [row[0] for row in cursor.fetchall()]


def insert_wallet(db, row: dict) -> None:
    _insert(db, "eagleeye_wallets", row)


def delete_wallet(db, wallet_id: str, now_db: str) -> None:
    """AIR's DELETED status: irreversible, and hidden from the API from then on."""
    db.execute("UPDATE eagleeye_wallets SET status = 'DELETED', last_updated = ? WHERE wallet_id = ?",
               [now_db, wallet_id])
    db.execute("UPDATE eagleeye_identities SET status = 'DELETED', last_updated = ? WHERE wallet_id = ?",
               [now_db, wallet_id])


def insert_identity(db, row: dict) -> None:
    _insert(db, "eagleeye_identities", row)


def identities_of(db, wallet_id: str) -> list[dict]:
    return _decoded(as_dicts(db.execute("SELECT * FROM eagleeye_identities WHERE wallet_id = ? ORDER BY rowid",
                                        [wallet_id])))


# -- accounts ---------------------------------------------------------------------------------

def get_account(db, wallet_id: str, account_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_accounts WHERE account_id = ? AND wallet_id = ?",
                              [account_id, wallet_id]).fetchone())


def points_account_for_scheme(db, wallet_id: str, scheme_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_accounts WHERE wallet_id = ? AND campaign_id = ? "
                              "AND type = 'POINTS'", [wallet_id, scheme_id]).fetchone())


def list_accounts(db, wallet_id: str, filters: dict, limit: int, offset: int):
    return _page(db, "eagleeye_accounts", {"wallet_id": wallet_id}, filters, limit, offset)


def insert_account(db, row: dict) -> None:
    _insert(db, "eagleeye_accounts", row)


def set_points_balance(db, account_id: str, current: int, lifetime: int, now_db: str) -> None:
    db.execute("UPDATE eagleeye_accounts SET current = ?, lifetime = ?, last_updated = ? "
               "WHERE account_id = ?", [current, lifetime, now_db, account_id])


def count_coupons(db, campaign_id: str, wallet_id: str | None = None) -> int:
    sql = "SELECT COUNT(*) FROM eagleeye_accounts WHERE campaign_id = ? AND type = 'ECOUPON'"
    params = [campaign_id]
    if wallet_id is not None:
        sql += " AND wallet_id = ?"
        params.append(wallet_id)
    return db.execute(sql, params).fetchone()[0]


# -- account transactions (the points ledger) --------------------------------------------

def insert_account_transaction(db, row: dict) -> None:
    _insert(db, "eagleeye_account_transactions", row)


def get_account_transaction(db, account_id: str, account_transaction_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_account_transactions WHERE account_transaction_id = ? "
                              "AND account_id = ?", [account_transaction_id, account_id]).fetchone())


def set_account_transaction_status(db, account_transaction_id: str, status: str, now_db: str) -> None:
    db.execute("UPDATE eagleeye_account_transactions SET status = ?, last_updated = ? "
               "WHERE account_transaction_id = ?", [status, now_db, account_transaction_id])


def list_account_transactions(db, account_id: str, filters: dict, limit: int, offset: int):
    return _page(db, "eagleeye_account_transactions", {"account_id": account_id}, filters,
                 limit, offset)


def account_transaction_refs(db, wallet_transaction_ids: list[str]) -> dict[str, list[dict]]:
    """``{walletTransactionId: [{accountId, accountTransactionId}, ...]}`` in creation order."""
    refs: dict[str, list[dict]] = {wid: [] for wid in wallet_transaction_ids}
    if not wallet_transaction_ids:
        return refs
    marks = ", ".join("?" for _ in wallet_transaction_ids)
    cursor = db.execute(
        "SELECT wallet_transaction_id, account_id, account_transaction_id "
        f"FROM eagleeye_account_transactions WHERE wallet_transaction_id IN ({marks}) ORDER BY rowid",
        wallet_transaction_ids)
    for wallet_transaction_id, account_id, account_transaction_id in cursor.fetchall():
        refs[wallet_transaction_id].append(
            {"accountId": account_id, "accountTransactionId": account_transaction_id})
    return refs


def ledger_sum(db, account_id: str) -> int:
    return db.execute("SELECT COALESCE(SUM(delta), 0) FROM eagleeye_account_transactions "
                      "WHERE account_id = ?", [account_id]).fetchone()[0]


# -- wallet transactions -------------------------------------------------------------------

def insert_wallet_transaction(db, row: dict) -> None:
    _insert(db, "eagleeye_wallet_transactions", row)


def set_wallet_transaction_status(db, wallet_transaction_id: str, status: str, now_db: str) -> None:
    db.execute("UPDATE eagleeye_wallet_transactions SET status = ?, last_updated = ? "
               "WHERE wallet_transaction_id = ?", [status, now_db, wallet_transaction_id])


def void_wallet_movement(db, wallet_transaction_id: str, now_db: str) -> None:
    """A wallet-level CREDIT or DEBIT whose account transaction was voided is VOIDED too."""
    db.execute("UPDATE eagleeye_wallet_transactions SET status = 'VOIDED', last_updated = ? "
               "WHERE wallet_transaction_id = ? AND type IN ('CREDIT', 'DEBIT')", [now_db, wallet_transaction_id])


def get_wallet_transaction(db, wallet_id: str, wallet_transaction_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_wallet_transactions "
                              "WHERE wallet_transaction_id = ? AND wallet_id = ?",
                              [wallet_transaction_id, wallet_id]).fetchone())


def list_wallet_transactions(db, wallet_id: str, filters: dict, limit: int, offset: int, *,
                             ranges: dict, order: tuple[str, bool] | None):
    return _page(db, "eagleeye_wallet_transactions", {"wallet_id": wallet_id}, filters,
                 limit, offset, ranges=ranges, order=order)


def wallet_transaction_by_reference(db, reference: str) -> dict | None:
    """The most recent wallet transaction with ``reference``, in a wallet that is not DELETED."""
    return _record(db.execute(
        "SELECT t.* FROM eagleeye_wallet_transactions t JOIN eagleeye_wallets w ON w.wallet_id = t.wallet_id "
        "WHERE t.reference = ? AND w.status != 'DELETED' ORDER BY t.rowid DESC LIMIT 1", [reference]).fetchone())


def count_bank_exchanges(db, bank_id: str, wallet_id: str) -> int:
    """Exchanges of a wallet from a bank that count against its limit (voided ones do not)."""
    return db.execute("SELECT COUNT(*) FROM eagleeye_wallet_transactions WHERE bank_id = ? "
                      "AND wallet_id = ? AND type = 'EXCHANGE' AND status != 'VOIDED'",
                      [bank_id, wallet_id]).fetchone()[0]


def count_link_exchanges(db, link_id: str) -> int:
    return db.execute("SELECT COUNT(*) FROM eagleeye_wallet_transactions WHERE link_id = ? "
                      "AND type = 'EXCHANGE' AND status != 'VOIDED'", [link_id]).fetchone()[0]


# -- wallet links to personal reward banks ---------------------------------------------

def get_link(db, wallet_id: str, link_id: str) -> dict | None:
    return _record(db.execute("SELECT * FROM eagleeye_links WHERE link_id = ? AND wallet_id = ?",
                              [link_id, wallet_id]).fetchone())


def links_to_bank(db, wallet_id: str, bank_id: str) -> list[dict]:
    return _decoded(as_dicts(db.execute("SELECT * FROM eagleeye_links WHERE wallet_id = ? AND bank_id = ? "
                                        "ORDER BY rowid", [wallet_id, bank_id])))


def list_links(db, wallet_id: str, filters: dict, limit: int, offset: int):
    return _page(db, "eagleeye_links", {"wallet_id": wallet_id}, filters, limit, offset)


def insert_link(db, row: dict) -> None:
    _insert(db, "eagleeye_links", row)


def delete_links(db, wallet_id: str, bank_id: str) -> int:
    """Remove the wallet's links to the bank; how many there were."""
    return db.execute("DELETE FROM eagleeye_links WHERE wallet_id = ? AND bank_id = ?",
                      [wallet_id, bank_id]).rowcount


def update_link(db, link_id: str, changes: dict) -> None:
    assignments = ", ".join(f"{column} = ?" for column in changes)
    db.execute(f"UPDATE eagleeye_links SET {assignments} WHERE link_id = ?",
               list(changes.values()) + [link_id])
