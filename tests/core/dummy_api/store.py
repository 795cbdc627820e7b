"""The dummy API's tables: a wallet's balance, and the ledger that always sums to it."""
from __future__ import annotations

from sqlite_utils import Migrations

from sandbox.core.db import as_dict, run_script

migrations = Migrations("dummy")


@migrations(name="0001_initial")
def _initial(db):
    run_script(db, """
        CREATE TABLE dummy_wallets (id TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0));
        CREATE TABLE dummy_ledger (id INTEGER PRIMARY KEY, wallet_id TEXT NOT NULL REFERENCES dummy_wallets(id),
                                   amount INTEGER NOT NULL, at TEXT NOT NULL);
    """)


def wallet(db, wallet_id: str) -> dict | None:
    row = db.execute("SELECT id, balance FROM dummy_wallets WHERE id = ?", [wallet_id]).fetchone()
    return as_dict(row)


def insert_wallet(db, wallet_id: str) -> None:
    db.execute("INSERT INTO dummy_wallets (id, balance) VALUES (?, 0)", [wallet_id])


def post(db, wallet_id: str, amount: int, at: str) -> None:
    """A ledger row, and the balance moved by it."""
    db.execute("INSERT INTO dummy_ledger (wallet_id, amount, at) VALUES (?, ?, ?)", [wallet_id, amount, at])
    db.execute("UPDATE dummy_wallets SET balance = balance + ? WHERE id = ?", [amount, wallet_id])
