"""MX Atrium tables and queries.

Rows come back as plain dicts (``core.db.as_dict``). Instants are stored as ``timeutil.to_db`` text; booleans
as 0/1. Accounts and transactions keep their vendor fields as JSON (they are read-only
data "held at the institution"); the columns next to it are the ones queries need.
"""
from __future__ import annotations

import json

from sqlite_utils import Migrations

from sandbox.core import events
from sandbox.core.db import as_dict, as_dicts, run_script

migrations = Migrations("atrium")

JOB_TYPES = ("aggregate", "fetch_rewards", "identify", "verify", "fetch_statements", "extend_history")
BALANCE_TYPES = ("BALANCE", "BALANCE_TO_LEVEL", "BALANCE_TO_REWARD", "EXPIRING_BALANCE", "TOTAL_BALANCE")
UNIT_TYPES = ("MILES", "POINTS", "SEGMENTS", "DOLLARS")


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


@migrations(name="0001_initial")
def _initial(db):
    run_script(db, f"""
        CREATE TABLE IF NOT EXISTS atrium_clients (
            client_id TEXT PRIMARY KEY,
            api_key TEXT NOT NULL,
            features TEXT NOT NULL DEFAULT '[]'          -- JSON list of premium features
        );
        CREATE TABLE IF NOT EXISTS atrium_institutions (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            url TEXT,
            small_logo_url TEXT,
            medium_logo_url TEXT,
            supports_account_identification INTEGER NOT NULL CHECK (supports_account_identification IN (0, 1)),
            supports_account_statement INTEGER NOT NULL CHECK (supports_account_statement IN (0, 1)),
            supports_account_verification INTEGER NOT NULL CHECK (supports_account_verification IN (0, 1)),
            supports_oauth INTEGER NOT NULL CHECK (supports_oauth IN (0, 1)),
            supports_transaction_history INTEGER NOT NULL CHECK (supports_transaction_history IN (0, 1)),
            supports_rewards INTEGER NOT NULL CHECK (supports_rewards IN (0, 1)),
            job_seconds REAL NOT NULL CHECK (job_seconds >= 0)
        );
        CREATE TABLE IF NOT EXISTS atrium_users (
            guid TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES atrium_clients(client_id) ON DELETE CASCADE,
            identifier TEXT,
            metadata TEXT,
            is_disabled INTEGER NOT NULL DEFAULT 0 CHECK (is_disabled IN (0, 1)),
            UNIQUE (client_id, identifier)
        );
        CREATE INDEX IF NOT EXISTS atrium_users_by_client ON atrium_users (client_id);
        CREATE TABLE IF NOT EXISTS atrium_members (
            guid TEXT PRIMARY KEY,
            user_guid TEXT NOT NULL REFERENCES atrium_users(guid) ON DELETE CASCADE,
            institution_code TEXT NOT NULL REFERENCES atrium_institutions(code),
            identifier TEXT,
            metadata TEXT,
            username TEXT,
            password TEXT,
            -- the state before any row in atrium_jobs (a scenario's, or CREATED)
            connection_status TEXT NOT NULL,
            aggregated_at TEXT,
            successfully_aggregated_at TEXT
        );
        CREATE INDEX IF NOT EXISTS atrium_members_by_user ON atrium_members (user_guid);
        -- One row per aggregation-type job. A job runs in "legs": the first from its
        -- start, another after each MFA answer. State is derived from these instants
        -- and the clock when read; nothing runs in the background.
        CREATE TABLE IF NOT EXISTS atrium_jobs (
            id INTEGER PRIMARY KEY,
            member_guid TEXT NOT NULL REFERENCES atrium_members(guid) ON DELETE CASCADE,
            type TEXT NOT NULL CHECK (type IN {_in(JOB_TYPES)}),
            started_at TEXT NOT NULL,
            leg_started_at TEXT NOT NULL,
            leg_ends_at TEXT NOT NULL CHECK (leg_ends_at >= leg_started_at),
            leg_status TEXT NOT NULL,                    -- connection_status while the leg runs
            outcome TEXT NOT NULL,                       -- connection_status when it ends
            challenge_type TEXT,                         -- TEXT | OPTIONS | IMAGE_DATA when CHALLENGED
            challenge_step INTEGER NOT NULL DEFAULT 0,
            cancelled_at TEXT
        );
        CREATE INDEX IF NOT EXISTS atrium_jobs_by_member ON atrium_jobs (member_guid, id);
        CREATE TABLE IF NOT EXISTS atrium_accounts (
            guid TEXT PRIMARY KEY,
            member_guid TEXT NOT NULL REFERENCES atrium_members(guid) ON DELETE CASCADE,
            user_guid TEXT NOT NULL,
            data TEXT NOT NULL                           -- JSON: the vendor fields
        );
        CREATE INDEX IF NOT EXISTS atrium_accounts_by_member ON atrium_accounts (member_guid);
        CREATE TABLE IF NOT EXISTS atrium_transactions (
            guid TEXT PRIMARY KEY,
            member_guid TEXT NOT NULL REFERENCES atrium_members(guid) ON DELETE CASCADE,
            user_guid TEXT NOT NULL,
            account_guid TEXT,
            date TEXT,                                   -- YYYY-MM-DD, for from_date/to_date
            data TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS atrium_transactions_by_member ON atrium_transactions (member_guid);
        CREATE TABLE IF NOT EXISTS atrium_rewards (
            guid TEXT PRIMARY KEY,
            member_guid TEXT NOT NULL REFERENCES atrium_members(guid) ON DELETE CASCADE,
            user_guid TEXT NOT NULL,
            account_guid TEXT,
            balance NUMERIC NOT NULL,
            balance_type TEXT NOT NULL CHECK (balance_type IN {_in(BALANCE_TYPES)}),
            unit_type TEXT NOT NULL CHECK (unit_type IN {_in(UNIT_TYPES)}),
            description TEXT,
            expires_on TEXT,
            created_at TEXT,                             -- NULL: when the first fetch completed
            updated_at TEXT                              -- NULL: when the last fetch completed
        );
        CREATE INDEX IF NOT EXISTS atrium_rewards_by_member ON atrium_rewards (member_guid);
    """)


@migrations(name="0002_credit_card_products")
def _credit_card_products(db):
    run_script(db, """
        -- the beta credit card products (MX's atrium-java, branch beta), described by the scenario
        CREATE TABLE IF NOT EXISTS atrium_credit_card_products (
            guid TEXT PRIMARY KEY,
            name TEXT,
            annual_fee NUMERIC,
            has_cashback_rewards INTEGER CHECK (has_cashback_rewards IN (0, 1)),
            has_travel_rewards INTEGER CHECK (has_travel_rewards IN (0, 1)),
            has_zero_percent_introductory_rate INTEGER CHECK (has_zero_percent_introductory_rate IN (0, 1)),
            is_small_business_card INTEGER CHECK (is_small_business_card IN (0, 1))
        );
    """)


PREMIUM_KINDS = ("account_number", "account_owner", "statement")


@migrations(name="0003_premium_results")
def _premium_results(db):
    run_script(db, f"""
        -- what the premium jobs gather, held at the institution like accounts: account
        -- numbers (verify), account owners (identify), statements (fetch_statements)
        CREATE TABLE IF NOT EXISTS atrium_premium_results (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN {_in(PREMIUM_KINDS)}),
            guid TEXT,                                   -- ACO- / STA- (account numbers have none)
            member_guid TEXT NOT NULL REFERENCES atrium_members(guid) ON DELETE CASCADE,
            user_guid TEXT NOT NULL,
            account_guid TEXT,
            data TEXT NOT NULL,                          -- JSON: the other vendor fields
            UNIQUE (kind, guid)
        );
        CREATE INDEX IF NOT EXISTS atrium_premium_results_by_member ON atrium_premium_results (member_guid, kind);
    """)


@migrations(name="0004_jobs_by_leg_end")
def _jobs_by_leg_end(db):
    # the events time causes: which job legs end in a window
    db.execute("CREATE INDEX IF NOT EXISTS atrium_jobs_by_leg_end ON atrium_jobs (leg_ends_at)")


@migrations(name="0005_event_inputs")
def _event_inputs(db):
    # perf: the dispatcher looks again only when these change (a look scans every member)
    events.watch_inputs(db, "atrium", ("atrium_institutions", "atrium_users", "atrium_members", "atrium_jobs"))


# -- inserts used by both the seeder and the services --------------------------------

INSERT_CLIENT = "INSERT INTO atrium_clients (client_id, api_key, features) VALUES (?, ?, ?)"
INSERT_INSTITUTION = (
    "INSERT INTO atrium_institutions (code, name, url, small_logo_url, medium_logo_url,"
    " supports_account_identification, supports_account_statement, supports_account_verification,"
    " supports_oauth, supports_transaction_history, supports_rewards, job_seconds)"
    " VALUES (:code, :name, :url, :small_logo_url, :medium_logo_url,"
    " :supports_account_identification, :supports_account_statement, :supports_account_verification,"
    " :supports_oauth, :supports_transaction_history, :supports_rewards, :job_seconds)")
INSERT_USER = ("INSERT INTO atrium_users (guid, client_id, identifier, metadata, is_disabled)"
               " VALUES (:guid, :client_id, :identifier, :metadata, :is_disabled)")
INSERT_MEMBER = (
    "INSERT INTO atrium_members (guid, user_guid, institution_code, identifier, metadata, username,"
    " password, connection_status, aggregated_at, successfully_aggregated_at)"
    " VALUES (:guid, :user_guid, :institution_code, :identifier, :metadata, :username,"
    " :password, :connection_status, :aggregated_at, :successfully_aggregated_at)")
INSERT_JOB = (
    "INSERT INTO atrium_jobs (member_guid, type, started_at, leg_started_at, leg_ends_at, leg_status,"
    " outcome, challenge_type, challenge_step)"
    " VALUES (:member_guid, :type, :started_at, :leg_started_at, :leg_ends_at, :leg_status,"
    " :outcome, :challenge_type, :challenge_step)")
INSERT_ACCOUNT = ("INSERT INTO atrium_accounts (guid, member_guid, user_guid, data)"
                  " VALUES (:guid, :member_guid, :user_guid, :data)")
INSERT_TRANSACTION = (
    "INSERT INTO atrium_transactions (guid, member_guid, user_guid, account_guid, date, data)"
    " VALUES (:guid, :member_guid, :user_guid, :account_guid, :date, :data)")
INSERT_REWARD = (
    "INSERT INTO atrium_rewards (guid, member_guid, user_guid, account_guid, balance, balance_type,"
    " unit_type, description, expires_on, created_at, updated_at)"
    " VALUES (:guid, :member_guid, :user_guid, :account_guid, :balance, :balance_type,"
    " :unit_type, :description, :expires_on, :created_at, :updated_at)")


INSERT_CREDIT_CARD_PRODUCT = (
    "INSERT INTO atrium_credit_card_products (guid, name, annual_fee, has_cashback_rewards, has_travel_rewards,"
    " has_zero_percent_introductory_rate, is_small_business_card)"
    " VALUES (:guid, :name, :annual_fee, :has_cashback_rewards, :has_travel_rewards,"
    " :has_zero_percent_introductory_rate, :is_small_business_card)")


INSERT_PREMIUM_RESULT = (
    "INSERT INTO atrium_premium_results (kind, guid, member_guid, user_guid, account_guid, data)"
    " VALUES (:kind, :guid, :member_guid, :user_guid, :account_guid, :data)")


_INSERTS = {"premium_results": INSERT_PREMIUM_RESULT, "credit_card_products": INSERT_CREDIT_CARD_PRODUCT, "clients": INSERT_CLIENT, "institutions": INSERT_INSTITUTION, "users": INSERT_USER,
            "members": INSERT_MEMBER, "jobs": INSERT_JOB, "accounts": INSERT_ACCOUNT,
            "transactions": INSERT_TRANSACTION, "rewards": INSERT_REWARD}


def insert_many(db, table: str, rows: list) -> None:
    """Bulk insert into ``atrium_<table>`` (scenario seeding, a new member's holdings)."""
    if rows:
        db.conn.executemany(_INSERTS[table], rows)


def _count(db, sql: str, params) -> int:
    return db.execute(sql, params).fetchone()[0]


# -- clients ----------------------------------------------------------------------------

def get_client(db, client_id: str) -> dict | None:
    row = as_dict(db.execute("SELECT * FROM atrium_clients WHERE client_id = ?", [client_id]).fetchone())
    if row is not None:
        row["features"] = json.loads(row["features"])
    return row


def client_ids(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT client_id FROM atrium_clients ORDER BY rowid")]


def all_clients(db) -> list[dict]:
    return as_dicts(db.execute("SELECT client_id, api_key FROM atrium_clients ORDER BY rowid", []))


# -- institutions -----------------------------------------------------------------------

def get_institution(db, code: str) -> dict | None:
    return as_dict(db.execute("SELECT * FROM atrium_institutions WHERE code = ?", [code]).fetchone())


def list_institutions(db, name: str | None, flags: dict, limit: int, offset: int) -> tuple[list[dict], int]:
    where, params = ["1 = 1"], []
    if name:
        where.append("instr(lower(name), lower(?)) > 0")
        params.append(name)
    for flag, value in flags.items():
        where.append(f"{flag} = ?")       # flag names come from a fixed list in schemas
        params.append(int(value))
    clause = " AND ".join(where)
    total = _count(db, f"SELECT COUNT(*) FROM atrium_institutions WHERE {clause}", params)
    rows = as_dicts(db.execute(f"SELECT * FROM atrium_institutions WHERE {clause} ORDER BY lower(name), code"
                               " LIMIT ? OFFSET ?", params + [limit, offset]))
    return rows, total


# -- users ------------------------------------------------------------------------------

def get_user(db, client_id: str, user_guid: str) -> dict | None:
    return as_dict(db.execute("SELECT * FROM atrium_users WHERE guid = ? AND client_id = ?",
                              [user_guid, client_id]).fetchone())


def identifier_taken(db, client_id: str, identifier: str, except_guid: str | None = None) -> bool:
    return _count(db, "SELECT COUNT(*) FROM atrium_users WHERE client_id = ? AND identifier = ?"
                      " AND guid IS NOT ?", [client_id, identifier, except_guid]) > 0


def list_users(db, client_id: str, limit: int, offset: int) -> tuple[list[dict], int]:
    total = _count(db, "SELECT COUNT(*) FROM atrium_users WHERE client_id = ?", [client_id])
    rows = as_dicts(db.execute("SELECT * FROM atrium_users WHERE client_id = ? ORDER BY rowid LIMIT ? OFFSET ?",
                               [client_id, limit, offset]))
    return rows, total


def insert_user(db, user: dict) -> None:
    db.execute(INSERT_USER, user)


def update_user(db, user_guid: str, changes: dict) -> None:
    if changes:
        sets = ", ".join(f"{column} = :{column}" for column in changes)
        db.execute(f"UPDATE atrium_users SET {sets} WHERE guid = :guid", {**changes, "guid": user_guid})


def delete_user(db, user_guid: str) -> None:
    db.execute("DELETE FROM atrium_users WHERE guid = ?", [user_guid])


# -- members ----------------------------------------------------------------------------

_MEMBER_SELECT = ("SELECT m.*, i.name AS institution_name, i.job_seconds, i.supports_rewards FROM atrium_members m"
                  " JOIN atrium_institutions i ON i.code = m.institution_code")


def members_with_clients(db, guids: list[str]) -> list[dict]:
    """These members, with their user's client id (for the events time causes)."""
    found = []
    for start in range(0, len(guids), 500):         # well under SQLite's bound-parameter limit
        part = guids[start:start + 500]
        found += as_dicts(db.execute(
            "SELECT m.*, i.name AS institution_name, i.job_seconds, i.supports_rewards, u.client_id"
            " FROM atrium_members m JOIN atrium_institutions i ON i.code = m.institution_code"
            f" JOIN atrium_users u ON u.guid = m.user_guid WHERE m.guid IN ({', '.join('?' * len(part))})"
            " ORDER BY m.rowid", part))
    return found


# Members that may have an event in (:after, :until]: a job leg (or its challenge's expiry)
# ending there, or a whole number of days since the last success crossed there (the
# background aggregation; a superset, the service decides). With the earliest instant after
# :until at which one may have the next.
# perf: one statement over the jobs (bench world: 12,000 members) instead of each member's state
_LAST_SUCCESS = """
    WITH success AS (
        SELECT member_guid, MAX(leg_ends_at) AS at FROM atrium_jobs
        WHERE outcome = 'CONNECTED' AND (cancelled_at IS NULL OR cancelled_at > leg_ends_at)
          AND leg_ends_at <= :until GROUP BY member_guid),
    days AS (
        SELECT m.guid, julianday(COALESCE(success.at, CASE WHEN m.connection_status = 'CONNECTED'
                                                            THEN m.successfully_aggregated_at END)) AS since
        FROM atrium_members m LEFT JOIN success ON success.member_guid = m.guid)"""


def event_candidates(db, after: str, until: str, legs_after: str, margin_days: float) -> list[str]:
    """The members that may have a time event in the window: a background aggregation's day
    boundary in it, or a job leg ended in it whose event is not written yet (in the core's
    ``sandbox_events``, by the key ``service.events`` gives it). The events of one leg's end
    are written together, so any one of them stands for all; a challenge's expiry comes later,
    so a CHALLENGED leg waits for that one. perf: after a burst of thousands of jobs, a look
    worked out every one of their members' states again for the next 11 minutes
    (bench/README.md, "Taking turns")."""
    sql = _LAST_SUCCESS + """
        SELECT guid FROM days WHERE since IS NOT NULL
          AND julianday(:until) + :margin - since >= 1
          AND CAST(julianday(:until) + :margin - since AS INTEGER) > CAST(julianday(:after) - :margin - since AS INTEGER)
        UNION
        SELECT member_guid FROM atrium_jobs j
        WHERE leg_ends_at <= :until AND leg_ends_at > :legs_after
          AND NOT EXISTS (
            SELECT 1 FROM sandbox_events e WHERE e.api = 'atrium'
              AND e.key >= 'job:' || j.id || ':' || j.leg_started_at
                           || CASE WHEN j.outcome = 'CHALLENGED' THEN ':EXPIRED' ELSE ':' END
              AND e.key < 'job:' || j.id || ':' || j.leg_started_at
                          || CASE WHEN j.outcome = 'CHALLENGED' THEN ':EXPIRED:' ELSE ';' END)"""
    return [row[0] for row in db.execute(sql, {"after": after, "until": until, "legs_after": legs_after,
                                               "margin": margin_days})]


def next_event_day(db, until: str, legs_after: str) -> float | None:
    """The julian day of the earliest instant after :until at which a member may have an event."""
    sql = _LAST_SUCCESS + """
        SELECT MIN(at) FROM (
            SELECT since + CAST(julianday(:until) - since AS INTEGER) + 1 AS at FROM days WHERE since IS NOT NULL
            UNION ALL SELECT julianday(MIN(leg_ends_at)) FROM atrium_jobs WHERE leg_ends_at > :until
            UNION ALL SELECT julianday(MIN(leg_ends_at)) + 600.0 / 86400 FROM atrium_jobs
                      WHERE outcome = 'CHALLENGED' AND leg_ends_at > :legs_after)"""
    return db.execute(sql, {"until": until, "legs_after": legs_after}).fetchone()[0]


def holding_counts(db, member_guid: str) -> tuple[int, int]:
    """(transactions, rewards) held for the member."""
    return (_count(db, "SELECT COUNT(*) FROM atrium_transactions WHERE member_guid = ?", [member_guid]),
            _count(db, "SELECT COUNT(*) FROM atrium_rewards WHERE member_guid = ?", [member_guid]))


def get_member(db, user_guid: str, member_guid: str) -> dict | None:
    return as_dict(db.execute(f"{_MEMBER_SELECT} WHERE m.guid = ? AND m.user_guid = ?",
                              [member_guid, user_guid]).fetchone())


def list_members(db, user_guid: str, limit: int, offset: int) -> tuple[list[dict], int]:
    total = count_members(db, user_guid)
    rows = as_dicts(db.execute(f"{_MEMBER_SELECT} WHERE m.user_guid = ? ORDER BY m.rowid LIMIT ? OFFSET ?",
                               [user_guid, limit, offset]))
    return rows, total


def member_guids_of(db, user_guid: str) -> list[str]:
    return [row[0] for row in db.execute("SELECT guid FROM atrium_members WHERE user_guid = ?", [user_guid])]


def count_members(db, user_guid: str) -> int:
    return _count(db, "SELECT COUNT(*) FROM atrium_members WHERE user_guid = ?", [user_guid])


def duplicate_member_exists(db, user_guid: str, institution_code: str, username, password) -> bool:
    return _count(db, "SELECT COUNT(*) FROM atrium_members WHERE user_guid = ? AND institution_code = ?"
                      " AND username IS ? AND password IS ?",
                  [user_guid, institution_code, username, password]) > 0


def insert_member(db, member: dict) -> None:
    db.execute(INSERT_MEMBER, member)


def update_member(db, member_guid: str, changes: dict) -> None:
    if changes:
        sets = ", ".join(f"{column} = :{column}" for column in changes)
        db.execute(f"UPDATE atrium_members SET {sets} WHERE guid = :guid", {**changes, "guid": member_guid})


def delete_member(db, member_guid: str) -> None:
    db.execute("DELETE FROM atrium_members WHERE guid = ?", [member_guid])


# -- jobs -------------------------------------------------------------------------------

def jobs_of(db, member_guids: list[str]) -> dict[str, list[dict]]:
    """Each member's jobs, oldest first."""
    found: dict[str, list[dict]] = {guid: [] for guid in member_guids}
    if member_guids:
        marks = ", ".join("?" for _ in member_guids)
        for row in as_dicts(db.execute(f"SELECT * FROM atrium_jobs WHERE member_guid IN ({marks}) ORDER BY id",
                                       member_guids)):
            found[row["member_guid"]].append(row)
    return found


def insert_job(db, job: dict) -> None:
    db.execute(INSERT_JOB, job)


def update_job(db, job_id: int, changes: dict) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    db.execute(f"UPDATE atrium_jobs SET {sets} WHERE id = :id", {**changes, "id": job_id})


# -- data held at the institution -------------------------------------------------------

def _decoded(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["data"] = json.loads(row["data"])
    return rows


_ACCOUNT_SELECT = ("SELECT a.*, m.institution_code FROM atrium_accounts a"
                   " JOIN atrium_members m ON m.guid = a.member_guid")


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def _decoded_page(db, table: str, where: str, params: list, limit: int, offset: int) -> tuple[list[dict], int]:
    """(one page of ``table``'s rows matching ``where``, in the order stored, with their JSON
    ``data`` decoded; how many match in all)."""
    total = _count(db, f"SELECT COUNT(*) FROM {table} WHERE {where}", params)
    rows = as_dicts(db.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY rowid LIMIT ? OFFSET ?",
                               params + [limit, offset]))
    return _decoded(rows), total


def list_accounts(db, member_guids: list[str], limit: int, offset: int) -> tuple[list[dict], int]:
    """The accounts of these members (in the order stored), with their institution_code."""
    if not member_guids:
        return [], 0
    where = f"a.member_guid IN ({_marks(member_guids)})"
    total = _count(db, f"SELECT COUNT(*) FROM atrium_accounts a WHERE {where}", member_guids)
    rows = as_dicts(db.execute(f"{_ACCOUNT_SELECT} WHERE {where} ORDER BY a.rowid LIMIT ? OFFSET ?",
                               member_guids + [limit, offset]))
    return _decoded(rows), total


def get_account(db, user_guid: str, account_guid: str) -> dict | None:
    row = as_dict(db.execute(f"{_ACCOUNT_SELECT} WHERE a.guid = ? AND a.user_guid = ?",
                             [account_guid, user_guid]).fetchone())
    return None if row is None else _decoded([row])[0]


def list_transactions(db, member_guids: list[str], account_guid: str | None, from_date: str, to_date: str,
                      limit: int, offset: int) -> tuple[list[dict], int]:
    """The transactions of these members (of one account when given) dated from ``from_date``
    to ``to_date`` inclusive (YYYY-MM-DD), in the order stored."""
    if not member_guids:
        return [], 0
    where = f"member_guid IN ({_marks(member_guids)}) AND date >= ? AND date <= ?"
    params = [*member_guids, from_date, to_date]
    if account_guid is not None:
        where += " AND account_guid = ?"
        params.append(account_guid)
    return _decoded_page(db, "atrium_transactions", where, params, limit, offset)


def get_transaction(db, user_guid: str, transaction_guid: str) -> dict | None:
    row = as_dict(db.execute("SELECT * FROM atrium_transactions WHERE guid = ? AND user_guid = ?",
                             [transaction_guid, user_guid]).fetchone())
    return None if row is None else _decoded([row])[0]


def members_of_user(db, user_guid: str) -> list[dict]:
    """Every member of a user (for the user-level reads), in the order created."""
    return as_dicts(db.execute(f"{_MEMBER_SELECT} WHERE m.user_guid = ? ORDER BY m.rowid", [user_guid]))


def list_rewards(db, member_guid: str) -> list[dict]:
    return as_dicts(db.execute("SELECT * FROM atrium_rewards WHERE member_guid = ? ORDER BY rowid", [member_guid]))


def get_reward(db, member_guid: str, reward_guid: str) -> dict | None:
    return as_dict(db.execute("SELECT * FROM atrium_rewards WHERE member_guid = ? AND guid = ?",
                              [member_guid, reward_guid]).fetchone())


def get_credit_card_product(db, guid: str) -> dict | None:
    return as_dict(db.execute("SELECT * FROM atrium_credit_card_products WHERE guid = ?", [guid]).fetchone())


def list_premium_results(db, kind: str, member_guid: str, account_guid: str | None = None,
                         limit: int = -1, offset: int = 0) -> tuple[list[dict], int]:
    """A member's results of one kind (of one account when given), in the order stored."""
    where, params = "kind = ? AND member_guid = ?", [kind, member_guid]
    if account_guid is not None:
        where += " AND account_guid = ?"
        params.append(account_guid)
    return _decoded_page(db, "atrium_premium_results", where, params, limit, offset)


def get_premium_result(db, kind: str, member_guid: str, guid: str) -> dict | None:
    row = as_dict(db.execute("SELECT * FROM atrium_premium_results WHERE kind = ? AND member_guid = ? AND guid = ?",
                             [kind, member_guid, guid]).fetchone())
    return None if row is None else _decoded([row])[0]
