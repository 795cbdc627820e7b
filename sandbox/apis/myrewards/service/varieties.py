"""The variety table of the 2018 MyRewards reference, as data.

| Variety | Programme Points affecting? | Permitted Type |
A variety is named exactly as the vendor's docs have spelled it: the 2018 spelling, or
one of the later docs' ("Programme points", "Person2Person transfer", "Order
Cancellation"). Any other spelling ("programme_points", "PROGRAMME POINTS") is not a
variety, as the type is exactly "Credit" or "Debit".
"""
from __future__ import annotations

from dataclasses import dataclass

CREDIT, DEBIT = "Credit", "Debit"
EITHER = frozenset({CREDIT, DEBIT})
# "Programme config dependant": decided per programme (account_closure_affects_pool).
PROGRAMME_CONFIG = "programme config"


@dataclass(frozen=True)
class Variety:
    name: str                 # the 2018 spelling; lower-cased it is the listed transaction_type
    affects_pool: bool | str  # True, False or PROGRAMME_CONFIG
    permitted: frozenset
    aliases: tuple[str, ...] = ()

    def draws_on_pool(self, account_closure_affects_pool: bool) -> bool:
        if self.affects_pool == PROGRAMME_CONFIG:
            return account_closure_affects_pool
        return bool(self.affects_pool)


VARIETIES = (
    Variety("Programme Points", True, EITHER, aliases=("Programme points",)),
    Variety("Points Error", True, EITHER),
    Variety("Programme Budget", True, EITHER),
    Variety("Redemption", False, frozenset({DEBIT})),
    Variety("Person 2 Person Transfer", False, EITHER, aliases=("Person2Person transfer",)),
    Variety("Order Cancelation", False, frozenset({CREDIT}), aliases=("Order Cancellation",)),
    Variety("Order Adjustment", False, EITHER),
    Variety("Adjustment", True, EITHER),
    Variety("Account Closure", PROGRAMME_CONFIG, frozenset({DEBIT})),
)


_BY_NAME = {alias: v for v in VARIETIES for alias in (v.name, *v.aliases)}


def find_variety(name) -> Variety | None:
    """The variety a documented spelling names exactly, or None."""
    return _BY_NAME.get(name) if isinstance(name, str) else None


def find_type(name) -> str | None:
    """"Credit" or "Debit", exactly so, else None."""
    return name if isinstance(name, str) and name in EITHER else None
