"""MyRewards tables and queries. No business rules here: the service decides, this
module reads and writes rows.

The ledger is the truth: a user's balance is the running ``balance`` of their latest
transaction in creation order (``seq``), which is the sum of their values. Lists are in
the order of the transactions' instants (``created_at``, then ``id``). A programme's pool is ``points_balance``; every
transaction records what it took from the pool (``pool_delta``), so
``points_balance == points_balance_at_load + SUM(pool_delta)`` always holds.
"""
from __future__ import annotations

import json

from sqlite_utils import Migrations

from sandbox.core.auth import secrets_equal
from sandbox.core.db import as_dict, as_dicts, run_script

migrations = Migrations("myrewards")


@migrations(name="0001_initial")
def _initial(db):
    run_script(db, """
    CREATE TABLE IF NOT EXISTS myrewards_programmes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        points_balance INTEGER NOT NULL CHECK (points_balance >= 0),
        points_balance_at_load INTEGER NOT NULL,
        identifier_field TEXT NOT NULL CHECK (identifier_field IN ('username', 'email', 'mobile')),
        required_fields TEXT NOT NULL,                 -- JSON list of user fields
        account_closure_affects_pool INTEGER NOT NULL CHECK (account_closure_affects_pool IN (0, 1))
    );
    CREATE TABLE IF NOT EXISTS myrewards_api_keys (
        key TEXT PRIMARY KEY,
        programme_id INTEGER NOT NULL REFERENCES myrewards_programmes(id),
        secret TEXT,
        permissions TEXT NOT NULL                      -- JSON {"users": ["read", "write"], ...}
    );
    CREATE TABLE IF NOT EXISTS myrewards_user_groups (
        id INTEGER PRIMARY KEY,
        programme_id INTEGER NOT NULL REFERENCES myrewards_programmes(id),
        name TEXT NOT NULL,
        parent_id INTEGER REFERENCES myrewards_user_groups(id),
        is_default INTEGER NOT NULL CHECK (is_default IN (0, 1)),
        position INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS myrewards_user_groups_programme ON myrewards_user_groups (programme_id);
    CREATE TABLE IF NOT EXISTS myrewards_registration_questions (
        id INTEGER PRIMARY KEY,
        programme_id INTEGER NOT NULL REFERENCES myrewards_programmes(id),
        label TEXT NOT NULL,
        mandatory INTEGER NOT NULL CHECK (mandatory IN (0, 1)),
        field_type TEXT NOT NULL,
        options TEXT NOT NULL,
        field_name TEXT NOT NULL,
        free_text INTEGER NOT NULL CHECK (free_text IN (0, 1)),
        position INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS myrewards_registration_questions_programme
        ON myrewards_registration_questions (programme_id, position, id);
    CREATE TABLE IF NOT EXISTS myrewards_users (
        id INTEGER PRIMARY KEY,
        programme_id INTEGER NOT NULL REFERENCES myrewards_programmes(id),
        username TEXT,                                 -- lookup copies of profile values
        email TEXT,
        mobile TEXT,
        profile TEXT NOT NULL,                         -- JSON: every field as the client sent it
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS myrewards_users_username ON myrewards_users (programme_id, username COLLATE NOCASE);
    CREATE INDEX IF NOT EXISTS myrewards_users_email ON myrewards_users (programme_id, email COLLATE NOCASE);
    CREATE INDEX IF NOT EXISTS myrewards_users_mobile ON myrewards_users (programme_id, mobile);
    CREATE TABLE IF NOT EXISTS myrewards_transactions (
        seq INTEGER PRIMARY KEY,                       -- creation order
        id INTEGER NOT NULL UNIQUE,                    -- the vendor's transaction id
        user_id INTEGER NOT NULL REFERENCES myrewards_users(id),
        transaction_type TEXT NOT NULL CHECK (transaction_type IN ('Credit', 'Debit')),
        variety TEXT NOT NULL,
        value INTEGER NOT NULL CHECK (value != 0),
        balance INTEGER NOT NULL CHECK (balance >= 0),
        pool_delta INTEGER NOT NULL,
        reason TEXT NOT NULL,
        remote_transaction_id TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS myrewards_transactions_user ON myrewards_transactions (user_id, seq);
    CREATE TABLE IF NOT EXISTS myrewards_promotions (
        id INTEGER PRIMARY KEY,
        programme_id INTEGER NOT NULL REFERENCES myrewards_programmes(id),
        name TEXT NOT NULL,
        start_date TEXT,
        end_date TEXT,
        close_date TEXT,
        status TEXT NOT NULL CHECK (status IN ('not_active', 'active', 'archived')),
        promotion_type TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS myrewards_promotions_programme ON myrewards_promotions (programme_id, id);
    CREATE TABLE IF NOT EXISTS myrewards_products (
        promotion_id INTEGER NOT NULL REFERENCES myrewards_promotions(id),
        sku TEXT NOT NULL COLLATE NOCASE,
        points INTEGER NOT NULL CHECK (points >= 0),
        PRIMARY KEY (promotion_id, sku)
    );
    CREATE INDEX IF NOT EXISTS myrewards_products_sku ON myrewards_products (sku);
    CREATE TABLE IF NOT EXISTS myrewards_data_fields (
        id INTEGER PRIMARY KEY,
        programme_id INTEGER NOT NULL REFERENCES myrewards_programmes(id),
        promotion_id INTEGER REFERENCES myrewards_promotions(id),  -- NULL: every promotion
        name TEXT NOT NULL,
        label TEXT,
        mandatory INTEGER NOT NULL CHECK (mandatory IN (0, 1)),
        field_type TEXT NOT NULL CHECK (field_type IN ('free_text', 'numeric', 'list_values', 'date')),
        answers TEXT,
        position INTEGER NOT NULL,
        selector TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS myrewards_data_fields_programme ON myrewards_data_fields (programme_id, promotion_id);
    CREATE TABLE IF NOT EXISTS myrewards_claims (
        id INTEGER PRIMARY KEY,
        promotion_id INTEGER NOT NULL REFERENCES myrewards_promotions(id),
        user_id INTEGER NOT NULL REFERENCES myrewards_users(id),
        sku TEXT NOT NULL,
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        points INTEGER NOT NULL CHECK (points >= 0),
        date_of_sale TEXT NOT NULL,
        answers TEXT NOT NULL,                         -- JSON {data field id: answer}
        transaction_id INTEGER REFERENCES myrewards_transactions(id),
        created_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS myrewards_claims_user ON myrewards_claims (user_id);
    """)


@migrations(name="0002_offsets_and_instant_order")
def _offsets_and_instant_order(db):
    """Times keep the UTC offset they were given (minutes east of UTC), and lists are read
    in instant order."""
    for statement in (
            "ALTER TABLE myrewards_transactions ADD COLUMN created_offset INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE myrewards_data_fields ADD COLUMN created_offset INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE myrewards_data_fields ADD COLUMN updated_offset INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX IF NOT EXISTS myrewards_transactions_instant "
            "ON myrewards_transactions (user_id, created_at, id)"):
        db.execute(statement)


def insert_rows(db, table: str, rows: list[dict]) -> None:
    """Bulk insert (scenario loading): one executemany per table."""
    if rows:
        columns = list(rows[0])
        db.conn.executemany(f"INSERT INTO [{table}] ({', '.join(columns)}) "
                            f"VALUES ({', '.join(':' + c for c in columns)})", rows)


# -- keys and programmes ------------------------------------------------------------

def api_key(db, key: str) -> dict | None:
    """The stored key equal to ``key``. A key is a secret, so it is compared with every
    stored key in constant time, without stopping at a match; an indexed ``WHERE key = ?``
    would answer sooner the shorter the matching prefix."""
    row = None
    for candidate in as_dicts(db.execute("SELECT * FROM myrewards_api_keys ORDER BY rowid")):
        if secrets_equal(key, candidate["key"]) and row is None:
            row = candidate
    if row:
        row["permissions"] = json.loads(row["permissions"])
    return row


def all_api_keys(db) -> list[dict]:
    return as_dicts(db.execute(
        "SELECT k.key, k.secret, k.programme_id, p.name AS programme FROM myrewards_api_keys k "
        "JOIN myrewards_programmes p ON p.id = k.programme_id ORDER BY k.programme_id, k.rowid"))


def programme(db, programme_id: int) -> dict:
    row = as_dict(db.execute("SELECT * FROM myrewards_programmes WHERE id = ?", [programme_id]).fetchone())
    row["required_fields"] = json.loads(row["required_fields"])
    return row


def pool(db, programme_id: int) -> int:
    return db.execute("SELECT points_balance FROM myrewards_programmes WHERE id = ?",
                      [programme_id]).fetchone()[0]


def change_pool(db, programme_id: int, delta: int) -> None:
    db.execute("UPDATE myrewards_programmes SET points_balance = points_balance + ? WHERE id = ?",
               [delta, programme_id])


# -- registration questions and user groups -----------------------------------------

def registration_questions(db, programme_id: int) -> list[dict]:
    return as_dicts(db.execute(
        "SELECT * FROM myrewards_registration_questions WHERE programme_id = ? ORDER BY position, id",
        [programme_id]))


def user_groups(db, programme_id: int) -> list[dict]:
    return as_dicts(db.execute(
        "SELECT * FROM myrewards_user_groups WHERE programme_id = ? ORDER BY position, name COLLATE NOCASE, id",
        [programme_id]))


def user_group(db, programme_id: int, group_id: int) -> dict | None:
    return as_dict(db.execute("SELECT * FROM myrewards_user_groups WHERE programme_id = ? AND id = ?",
                              [programme_id, group_id]).fetchone())


def default_user_group(db, programme_id: int) -> dict | None:
    return as_dict(db.execute(
        "SELECT * FROM myrewards_user_groups WHERE programme_id = ? AND is_default = 1 ORDER BY id LIMIT 1",
        [programme_id]).fetchone())


# -- users ----------------------------------------------------------------------------

def _user_row(row: dict | None) -> dict | None:
    if row:
        row["profile"] = json.loads(row["profile"])
    return row


def user(db, programme_id: int, user_id: int) -> dict | None:
    return _user_row(as_dict(db.execute(
        "SELECT * FROM myrewards_users WHERE programme_id = ? AND id = ?", [programme_id, user_id]).fetchone()))


def users_with(db, programme_id: int, field: str, value: str) -> list[dict]:
    """Users of the programme whose ``field`` (username, email or mobile) is ``value``;
    usernames and emails compare case-insensitively."""
    collate = "" if field == "mobile" else " COLLATE NOCASE"
    return [_user_row(r) for r in as_dicts(db.execute(
        f"SELECT * FROM myrewards_users WHERE programme_id = ? AND {field} = ?{collate} ORDER BY id",
        [programme_id, value]))]


def user_by_login(db, programme_id: int, login: str) -> dict | None:
    """The user whose username, else whose email, is ``login`` (sales data)."""
    for field in ("username", "email"):
        found = users_with(db, programme_id, field, login)
        if found:
            return found[0]
    return None


def insert_user(db, row: dict) -> None:
    db.execute(
        "INSERT INTO myrewards_users (id, programme_id, username, email, mobile, profile, created_at, updated_at) "
        "VALUES (:id, :programme_id, :username, :email, :mobile, :profile, :created_at, :updated_at)",
        {**row, "profile": json.dumps(row["profile"])})


def update_user(db, row: dict) -> None:
    db.execute(
        "UPDATE myrewards_users SET username = :username, email = :email, mobile = :mobile, "
        "profile = :profile, updated_at = :updated_at WHERE id = :id",
        {**row, "profile": json.dumps(row["profile"])})


# -- the ledger -------------------------------------------------------------------------

def transactions(db, user_id: int) -> list[dict]:
    """The user's transactions by instant, then id (``balance`` as stored: creation order)."""
    return as_dicts(db.execute(
        "SELECT * FROM myrewards_transactions WHERE user_id = ? ORDER BY created_at, id", [user_id]))


def last_transaction(db, user_id: int) -> dict | None:
    """The most recent transaction by instant, then id."""
    return as_dict(db.execute(
        "SELECT * FROM myrewards_transactions WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
        [user_id]).fetchone())


def balance(db, user_id: int) -> int:
    row = db.execute("SELECT balance FROM myrewards_transactions WHERE user_id = ? ORDER BY seq DESC LIMIT 1",
                     [user_id]).fetchone()
    return row[0] if row else 0


def insert_transactions(db, rows: list[dict]) -> None:
    """Append ledger rows (``seq`` left out: SQLite numbers them in creation order)."""
    insert_rows(db, "myrewards_transactions", rows)


# -- performance ------------------------------------------------------------------------

def promotions(db, programme_id: int) -> list[dict]:
    return as_dicts(db.execute("SELECT * FROM myrewards_promotions WHERE programme_id = ? ORDER BY id",
                               [programme_id]))


def promotion(db, programme_id: int, promotion_id: int) -> dict | None:
    return as_dict(db.execute("SELECT * FROM myrewards_promotions WHERE programme_id = ? AND id = ?",
                              [programme_id, promotion_id]).fetchone())


def data_fields(db, programme_id: int, promotion_id: int | None = None) -> list[dict]:
    """Every data field of the programme, or (``promotion_id`` given) those that apply to
    that promotion: the programme-wide ones and the promotion's own."""
    if promotion_id is None:
        cursor = db.execute("SELECT * FROM myrewards_data_fields WHERE programme_id = ? ORDER BY position, id",
                            [programme_id])
    else:
        cursor = db.execute(
            "SELECT * FROM myrewards_data_fields WHERE programme_id = ? "
            "AND (promotion_id IS NULL OR promotion_id = ?) ORDER BY position, id", [programme_id, promotion_id])
    return as_dicts(cursor)


def product(db, promotion_id: int, sku: str) -> dict | None:
    return as_dict(db.execute("SELECT * FROM myrewards_products WHERE promotion_id = ? AND sku = ?",
                              [promotion_id, sku]).fetchone())


def promotion_for_sku(db, programme_id: int, sku: str) -> dict | None:
    """The lowest-numbered active promotion of the programme that lists ``sku``."""
    return as_dict(db.execute(
        "SELECT p.* FROM myrewards_promotions p JOIN myrewards_products pr ON pr.promotion_id = p.id "
        "WHERE p.programme_id = ? AND p.status = 'active' AND pr.sku = ? ORDER BY p.id LIMIT 1",
        [programme_id, sku]).fetchone())


def insert_claims(db, rows: list[dict]) -> None:
    insert_rows(db, "myrewards_claims", [{**r, "answers": json.dumps(r["answers"])} for r in rows])
