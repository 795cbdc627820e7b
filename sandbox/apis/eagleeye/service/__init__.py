"""Eagle Eye AIR business rules: functions of (db, now, ...); no Flask here.

- ``wallets``: wallets, identities, accounts, points credit/debit/earn, reads
- ``movements``: the wallet-level credit and debit services, voiding an account transaction
- ``links``: wallet links to PERSONAL reward banks and which one an exchange uses
- ``banks``: reward banks created, read and amended through the API; removing links
- ``exchange``: the reward-bank Exchange with its rollback
- ``coupons``: issuing a campaign's coupon within its issuance window and limits
- ``ledger``: every points movement, so the ledger always sums to the balance
"""
from .banks import amend_bank, create_bank, delete_bank_links, get_bank
from .exchange import ExchangeResult, exchange
from .links import amend_link, create_link, list_links
from .movements import void_account_transaction, wallet_movement
from .wallets import (children_of, create_wallet, credit_points, debit_points, delete_wallet, earn_points,
                      get_wallet_transaction, list_account_transactions, list_accounts, list_rewards,
                      list_wallet_transactions, open_campaign_account, open_points_account, require_account,
                      require_wallet, wallet_by_identity, wallet_transaction_by_reference)

__all__ = ["ExchangeResult", "amend_bank", "amend_link", "children_of", "create_bank", "create_link",
           "create_wallet", "credit_points", "debit_points", "delete_bank_links", "delete_wallet", "earn_points",
           "exchange", "get_bank", "get_wallet_transaction", "list_account_transactions", "list_accounts",
           "list_links", "list_rewards", "list_wallet_transactions", "open_campaign_account", "open_points_account",
           "require_account", "require_wallet", "void_account_transaction", "wallet_by_identity",
           "wallet_movement", "wallet_transaction_by_reference"]
