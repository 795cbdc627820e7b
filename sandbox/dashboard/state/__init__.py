"""An API's state (``GET /_sandbox/state/<api>``'s tables) as tables a person can read:
chosen columns, secrets masked, and links between related rows.

Each emulated API may describe its tables in a module here (``VIEWS``); an API without one,
and any table a description leaves out, is still shown whole, so every API in the registry
has a state page.
"""
from __future__ import annotations

import json

from sandbox.core.masking import MASK, is_secret

from . import atrium, eagleeye, myrewards, saasquatch
from .model import Table, View

VIEWS: dict[str, View] = {"atrium": atrium.VIEW, "myrewards": myrewards.VIEW,
                          "saasquatch": saasquatch.VIEW, "eagleeye": eagleeye.VIEW}
ROWS_SHOWN = 500            # per table; a focused row's related rows are always all shown

__all__ = ["build_state", "Table", "View", "VIEWS"]


def build_state(api_name: str, db, tables: dict[str, list[dict]], now, focus: str | None) -> dict:
    """The template's model: ``sections`` (one per table) and ``focus`` (one row opened by
    ``focus`` = ``"<table>/<key>"``, with every row that refers to it)."""
    view = VIEWS.get(api_name, View())
    if view.derive is not None:
        view.derive(db, tables, now)
    declared = [t for t in view.tables if t.name in tables]
    specs = declared + [Table(name) for name in tables if name not in {t.name for t in declared}]
    render = _Renderer(specs, tables, view.masked)
    sections = [render.section(spec, tables[spec.name][:ROWS_SHOWN], len(tables[spec.name])) for spec in specs]
    return {"sections": sections, "focus": render.focus(focus) if focus else None}


class _Renderer:
    def __init__(self, specs: list[Table], tables: dict[str, list[dict]], masked: frozenset):
        self.specs = {spec.name: spec for spec in specs}
        self.tables = tables
        self.masked = masked
        self._index: dict[tuple[str, str], dict[str, dict]] = {}

    def rows_by(self, table: str, column: str) -> dict[str, dict]:
        """``table``'s rows by the text of ``column`` (the first row wins)."""
        found = self._index.get((table, column))
        if found is None:
            found = self._index[(table, column)] = {}
            for row in self.tables.get(table, ()):
                found.setdefault(_text(row.get(column)), row)
        return found

    def href(self, table: str, row: dict) -> str | None:
        spec = self.specs.get(table)
        if spec is None or spec.key is None:
            return None
        return f"?row={table}/{_text(row[spec.key])}"

    def cell(self, spec: Table, row: dict, column: str) -> dict:
        value = row.get(column)
        # secret-named text columns (keys, passwords) as the journal masks them; flags such
        # as supports_oauth are numbers and stay readable
        if value not in (None, "") and (column.lower() in self.masked
                                         or (isinstance(value, str) and is_secret(column))):
            return {"text": MASK, "href": None}
        text = _text(value)
        if column == spec.key:
            return {"text": text, "href": self.href(spec.name, row)}
        for target in spec.targets(column):
            table, _, target_column = target.partition(".")
            target_spec = self.specs.get(table)
            if target_spec is None or value in (None, ""):
                continue
            linked = self.rows_by(table, target_column or target_spec.key or "").get(text)
            if linked is not None:
                return {"text": text, "href": self.href(table, linked), "to": table}
        return {"text": text, "href": None}

    def columns(self, spec: Table, rows: list[dict]) -> list[str]:
        present = list(dict.fromkeys(column for row in rows for column in row))
        if spec.columns is None:
            return present
        return [c for c in spec.columns if c in present] + [c for c in present if c not in spec.columns]

    def section(self, spec: Table, rows: list[dict], total: int) -> dict:
        columns = self.columns(spec, rows or self.tables.get(spec.name, []))
        return {"name": spec.name, "title": spec.title or spec.name.replace("_", " "), "columns": columns,
                "rows": [[self.cell(spec, row, c) for c in columns] for row in rows],
                "total": total, "shown": len(rows), "note": spec.note}

    def focus(self, focus: str) -> dict:
        table, _, key = focus.partition("/")
        spec = self.specs.get(table)
        row = self.rows_by(table, spec.key).get(key) if spec is not None and spec.key else None
        if row is None:
            return {"table": table, "key": key, "missing": True}
        fields = [(column, self.cell(spec, row, column)) for column in self.columns(spec, [row])]
        related = []
        for other in self.specs.values():
            for column in other.links:
                for target in other.targets(column):
                    target_table, _, target_column = target.partition(".")
                    if target_table != table:
                        continue
                    wanted = _text(row.get(target_column or spec.key))
                    rows = [r for r in self.tables[other.name] if _text(r.get(column)) == wanted]
                    if rows:
                        section = self.section(other, rows, len(rows))
                        section["title"] += f" (by {column})"
                        related.append(section)
        return {"table": table, "key": key, "title": spec.singular or table, "fields": fields,
                "related": related, "missing": False}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
