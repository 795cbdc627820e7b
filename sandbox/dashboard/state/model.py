"""How an API describes its state tables to the dashboard."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Table:
    name: str                                   # as GET /_sandbox/state/<api> names it
    key: str | None = None                      # the column naming a row (links point at it)
    # column -> the table (or "table.column") whose row it names; a tuple tries each in turn
    links: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    columns: tuple[str, ...] | None = None      # shown first, in this order; the rest follow
    title: str | None = None
    singular: str | None = None                 # "Member" for a member opened on its own
    note: str | None = None                     # one line under the table's title

    def targets(self, column: str) -> tuple[str, ...]:
        target = self.links.get(column, ())
        return (target,) if isinstance(target, str) else target


@dataclass(frozen=True)
class View:
    tables: tuple[Table, ...] = ()
    # derive(db, tables, now): adds what the API works out when it answers (a member's
    # connection status, a user's balance) to the exported rows, in place
    derive: Callable | None = None
    masked: frozenset = frozenset()             # more column names to mask than the journal's
