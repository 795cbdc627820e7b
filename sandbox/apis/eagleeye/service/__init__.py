"""Eagle Eye AIR business rules: functions of (db, now, ...); no Flask here.

- ``wallets``: wallets, identities, accounts, points credit/debit, reads
- ``links``: wallet links to PERSONAL reward banks and which one an exchange uses
- ``exchange``: the reward-bank Exchange with its rollback
- ``ledger``: every points movement, so the ledger always sums to the balance
"""
from .exchange import ExchangeResult, exchange
from .links import amend_link, create_link, list_links
from .wallets import (create_wallet, credit_points, debit_points, get_wallet_transaction, list_account_transactions,
                      list_accounts, list_rewards, list_wallet_transactions, open_points_account, require_account,
                      require_wallet, wallet_by_identity)

__all__ = ["ExchangeResult", "amend_link", "create_link", "create_wallet", "credit_points", "debit_points",
           "exchange", "get_wallet_transaction", "list_account_transactions", "list_accounts", "list_links",
           "list_rewards", "list_wallet_transactions", "open_points_account", "require_account",
           "require_wallet", "wallet_by_identity"]
