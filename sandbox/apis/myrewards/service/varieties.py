"""The seed's variety table, as data.

| Variety | Programme Points affecting? | Permitted Type |
Names match case-, space-, dash- and underscore-insensitively, so the spellings the
vendor's docs used over the years ("Programme points", "Person2Person transfer",
"Order Cancellation") all resolve to the seed's row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CREDIT, DEBIT = "Credit", "Debit"
EITHER = frozenset({CREDIT, DEBIT})
# "Programme config dependant": decided per programme (account_closure_affects_pool).
PROGRAMME_CONFIG = "programme config"


@dataclass(frozen=True)
class Variety:
    name: str                 # the seed's spelling; lower-cased it is the listed transaction_type
    affects_pool: bool | str  # True, False or PROGRAMME_CONFIG
    permitted: frozenset
    aliases: tuple[str, ...] = ()

    def draws_on_pool(self, account_closure_affects_pool: bool) -> bool:
        if self.affects_pool == PROGRAMME_CONFIG:
            return account_closure_affects_pool
        return bool(self.affects_pool)


VARIETIES = (
    Variety("Programme Points", True, EITHER, aliases=("Program Points",)),
    Variety("Points Error", True, EITHER),
    Variety("Programme Budget", True, EITHER, aliases=("Program Budget",)),
    Variety("Redemption", False, frozenset({DEBIT})),
    Variety("Person 2 Person Transfer", False, EITHER, aliases=("P2P Transfer",)),
    Variety("Order Cancelation", False, frozenset({CREDIT}), aliases=("Order Cancellation",)),
    Variety("Order Adjustment", False, EITHER),
    Variety("Adjustment", True, EITHER),
    Variety("Account Closure", PROGRAMME_CONFIG, frozenset({DEBIT})),
)


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


_BY_KEY = {_key(alias): v for v in VARIETIES for alias in (v.name, *v.aliases)}
_TYPES = {t.lower(): t for t in EITHER}


def find_variety(name) -> Variety | None:
    """The variety a client's spelling names, or None."""
    return _BY_KEY.get(_key(name)) if isinstance(name, str) else None


def find_type(name) -> str | None:
    """"Credit" or "Debit" for any casing of them, else None."""
    return _TYPES.get(name.strip().lower()) if isinstance(name, str) else None
