"""Eagle Eye AIR's state: wallets and their identities, accounts with balances, links to
reward banks, and wallet and account transactions."""
from __future__ import annotations

from .model import Table, View

VIEW = View(
    tables=(
        Table("wallets", key="wallet_id", singular="Wallet"),
        Table("identities", key="identity_id", links={"wallet_id": "wallets"}, singular="Identity"),
        Table("accounts", key="account_id", singular="Account",
              links={"wallet_id": "wallets", "campaign_id": ("schemes", "campaigns")},
              columns=("account_id", "wallet_id", "campaign_id", "type", "status", "state", "current",
                       "lifetime")),
        Table("links", key="link_id", singular="Link",
              links={"wallet_id": "wallets", "bank_id": "banks", "reward_id": "rewards"}),
        Table("wallet_transactions", key="wallet_transaction_id", singular="Wallet transaction",
              links={"wallet_id": "wallets", "bank_id": "banks", "reward_id": "rewards", "link_id": "links"}),
        Table("account_transactions", key="account_transaction_id", singular="Account transaction",
              links={"account_id": "accounts", "wallet_transaction_id": "wallet_transactions",
                     "parent_account_transaction_id": "account_transactions"},
              columns=("account_transaction_id", "account_id", "wallet_transaction_id", "event", "value",
                       "delta", "status", "balances_before", "balances_after")),
        Table("banks", key="bank_id", singular="Reward bank"),
        Table("rewards", key="reward_id", links={"bank_id": "banks", "resource_id": "campaigns"},
              singular="Reward"),
        Table("campaigns", key="campaign_id", singular="Campaign"),
        Table("schemes", key="scheme_id", singular="Scheme"),
        Table("clients", key="client_id", singular="Client"),
    ),
)
