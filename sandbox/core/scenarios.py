"""Validating and loading worlds.

A world is validated in full (every API section through that API's marshmallow schema)
before anything is written, then loaded in one write transaction that replaces all
state: the four APIs' tables, the clock, the id sequences and the faults. A reader on
another worker sees either the old world or the new one, never half of either.
"""
from __future__ import annotations

import json

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from . import events
from .apis import SeedContext
from .clock import read_clock
from .db import as_dicts, write_transaction
from .errors import validation_problems
from .migrate import prepare_database
from .scenario_files import ScenarioProblem, dumps, origin, world_document
from .timeutil import InstantRangeError, check_range, parse_instant, to_db, to_iso

CORE_STATE_TABLES = ("sandbox_sequences", "sandbox_faults", *events.STATE_TABLES)


class StrictSchema(Schema):
    """The base of every scenario section's schemas: an unknown key is a problem, not ignored."""

    class Meta:
        unknown = RAISE


class InstantField(fields.Field):
    """An ISO-8601 instant (or epoch milliseconds) as an aware UTC datetime, inside the
    range the sandbox can represent (``timeutil.MIN_INSTANT`` .. ``MAX_INSTANT``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators = [*self.validators, _in_range]

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_instant(value)
        except (ValueError, TypeError, OverflowError):
            raise ValidationError("Expected an ISO-8601 instant such as 2026-01-15T09:00:00Z.") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return to_iso(value)


def _in_range(value) -> None:
    try:
        check_range(value)
    except InstantRangeError as exc:
        raise ValidationError(str(exc)) from None


def scenario_schema(apis) -> Schema:
    spec = {
        "name": fields.String(required=True, validate=validate.Length(min=1, max=200)),
        "description": fields.String(allow_none=True),
        # which vendor document (or spec decision) the scenario demonstrates
        "source": fields.String(allow_none=True),
        "include": fields.List(fields.String()),
        "clock": InstantField(allow_none=True),
        "steps": fields.List(fields.Raw()),
    }
    for api in apis:
        spec[api.name] = fields.Nested(api.section_schema, allow_none=True)
    # Schema.from_dict's class shares marshmallow's base Meta: set RAISE on the instance,
    # never on schema_cls.Meta (that would change every schema in the process).
    return Schema.from_dict(spec, name="ScenarioSchema")(unknown=RAISE)


UNKNOWN_FIELD_HINT = "unknown field (check the spelling against scenarios/README.md)"


def _problem_message(message: str) -> str:
    return UNKNOWN_FIELD_HINT if message == "Unknown field." else message


def validate_world(doc: dict, provenance: dict, source: str, apis) -> dict:
    """The validated world, or ScenarioProblem listing every problem found."""
    problems = [{"file": origin(provenance, path, source), "path": path, "message": message}
                for path, message in unstorable(doc)]
    if problems:
        raise ScenarioProblem(problems)
    try:
        return scenario_schema(apis).load(doc)
    except ValidationError as err:
        problems = [
            {"file": origin(provenance, p["path"], source), "path": p["path"],
             "message": _problem_message(p["message"])} for p in validation_problems(err.messages)
        ]
        raise ScenarioProblem(problems) from None


INT64 = (-2**63, 2**63 - 1)


def unstorable(value, path: str = "", found: list | None = None) -> list[tuple[str, str]]:
    """(path, message) for every value of a world no database column can hold, whatever
    field it is in: integers beyond 64 bits, infinite or NaN numbers, text that is not
    valid Unicode (a lone surrogate escape). At most 50."""
    found = [] if found is None else found
    if len(found) >= 50:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not _encodable(str(key)):
                found.append((path, "a field name is not valid Unicode text"))
            else:
                unstorable(item, where, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            unstorable(item, f"{path}[{i}]", found)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            found.append((path, f"a number outside the 64-bit integer range ({INT64[0]} to {INT64[1]})"))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            found.append((path, "not a finite number"))
    elif isinstance(value, str) and not _encodable(value):
        found.append((path, "not valid Unicode text (a lone surrogate escape?)"))
    return found


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def set_meta(db, key: str, value: str | None) -> None:
    db.execute("INSERT INTO sandbox_meta (key, value) VALUES (?, ?) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])


def get_meta(db, key: str) -> str | None:
    row = db.execute("SELECT value FROM sandbox_meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def api_tables(db, apis) -> list[str]:
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid DESC")]
    return [n for n in names if any(n.startswith(api.table_prefix) for api in apis)]


def build_world(db_path: str, world, apis, *, busy_timeout_s: float = 10.0) -> dict:
    """The one way to build a sandbox's database: ``db_path`` (created if need be) in WAL
    mode with every API's tables, holding ``world`` (see ``world_document``) as its whole
    state and its startup world. Returns the load summary; a bad world raises
    ScenarioProblem and changes nothing."""
    doc, provenance, source = world_document(world)
    db = prepare_database(db_path, apis, busy_timeout_s)
    try:
        summary = load_world(db, doc, provenance, source, apis, startup=True)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")       # the file alone holds it: it may be renamed
        return summary
    finally:
        db.close()


def load_world(db, doc: dict, provenance: dict, source: str, apis, *, startup: bool = False) -> dict:
    """Validate ``doc`` and make it the whole state of ``db``. Returns a summary."""
    data = validate_world(doc, provenance, source, apis)
    try:
        with write_transaction(db):
            db.execute("PRAGMA defer_foreign_keys = ON")
            for table in api_tables(db, apis) + list(CORE_STATE_TABLES):
                db.execute(f"DELETE FROM [{table}]")
            set_meta(db, "scenario_name", data["name"])
            set_meta(db, "scenario", dumps(doc))
            if startup or get_meta(db, "startup_scenario") is None:
                set_meta(db, "startup_scenario", dumps(doc))
            frozen = data.get("clock")
            db.execute("UPDATE sandbox_clock SET frozen_at = ?, offset_us = 0 WHERE id = 1", [to_db(frozen)])
            ctx = SeedContext(db=db, now=read_clock(db).now(), scenario_name=data["name"])
            for api in apis:
                section = data.get(api.name)
                if section is None:
                    section = api.section_schema().load({})
                api.seed(ctx, section)
            events.start_world(db, apis, ctx.now)
    except ScenarioProblem as exc:
        # A seeder found a cross-reference problem (an unknown id, a duplicate): same report.
        for p in exc.problems:
            if not p.get("file"):
                p["file"] = origin(provenance, p.get("path", ""), source)
        raise
    return summary(db, apis)


def api_state(db, api) -> dict:
    """Every row of ``api``'s tables, by table name without the API's prefix."""
    tables = {}
    for table in sorted(api_tables(db, [api])):
        tables[table[len(api.table_prefix):]] = as_dicts(db.execute(f"SELECT * FROM [{table}] ORDER BY rowid"))
    return tables


def summary(db, apis) -> dict:
    tables = api_tables(db, apis)
    # perf: every count in one statement (40 separate COUNTs: ~0.8 ms of a reset's ~3)
    found = dict(zip(tables, db.execute(
        "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM [{t}])" for t in tables)).fetchone())) if tables else {}
    counts = {}
    for api in apis:
        counts[api.name] = {table[len(api.table_prefix):]: found[table]
                            for table in sorted(t for t in tables if t.startswith(api.table_prefix))}
    doc = json.loads(get_meta(db, "scenario") or "{}")
    return {"name": get_meta(db, "scenario_name"), "description": doc.get("description"),
            "clock": read_clock(db).describe(), "counts": counts}
