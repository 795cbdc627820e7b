"""The stored clock: frozen, offset and real compose as documented."""
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from sandbox.core import clock
from sandbox.core.db import connect
from sandbox.core.scenarios import build_world
from sandbox.core.timeutil import parse_duration, parse_instant, to_iso


@pytest.fixture
def db(tmp_path):
    build_world(str(tmp_path / "c.sqlite"), {"name": "clock"}, [])
    db = connect(str(tmp_path / "c.sqlite"))
    yield db
    db.close()


def test_real_clock_follows_wall_time(db):
    with freeze_time("2026-03-01T12:00:00Z"):
        assert clock.now(db) == datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def test_advancing_a_real_clock_adds_an_offset(db):
    with freeze_time("2026-03-01T12:00:00Z") as frozen:
        clock.advance(db, timedelta(hours=3))
        assert clock.now(db) == datetime(2026, 3, 1, 15, tzinfo=timezone.utc)
        frozen.tick(timedelta(minutes=1))
        assert clock.now(db) == datetime(2026, 3, 1, 15, 1, tzinfo=timezone.utc)
        assert not clock.read_clock(db).describe()["frozen"]


def test_advancing_a_frozen_clock_keeps_it_frozen_later(db):
    clock.freeze(db, parse_instant("2026-01-15T09:00:00Z"))
    state = clock.advance(db, timedelta(hours=3))
    assert state.describe() == {"now": "2026-01-15T12:00:00Z", "frozen": True, "offset_seconds": 0.0}


def test_back_to_real_time(db):
    clock.freeze(db, parse_instant("2000-01-01T00:00:00Z"))
    with freeze_time("2026-03-01T12:00:00Z"):
        clock.set_real(db)
        assert to_iso(clock.now(db)) == "2026-03-01T12:00:00Z"


def test_the_clock_never_moves_backwards(db):
    with pytest.raises(ValueError):
        clock.advance(db, timedelta(seconds=-1))


@pytest.mark.parametrize("text,seconds", [("3h", 10800), ("10m", 600), ("2d", 172800), ("90s", 90),
                                          ("1h30m", 5400)])
def test_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "3", "h", "3x", "-3h", "3h-"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("value,expected", [
    ("2026-01-15T09:00:00Z", "2026-01-15T09:00:00Z"),
    ("2026-01-15T10:00:00+01:00", "2026-01-15T09:00:00Z"),
    ("2026-01-15", "2026-01-15T00:00:00Z"),
    (1768467600000, "2026-01-15T09:00:00Z"),
])
def test_instants(value, expected):
    assert to_iso(parse_instant(value)) == expected


def test_epoch_milliseconds_round_trip_exactly():
    from sandbox.core.timeutil import to_epoch_ms

    for ms in (0, 1, 1768467600123, 4102444800999, 253402300799999):
        assert to_epoch_ms(parse_instant(ms)) == ms
    assert to_epoch_ms(parse_instant("2026-01-15T09:00:00.123999Z")) == 1768467600123
