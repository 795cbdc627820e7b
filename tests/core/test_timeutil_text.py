"""The instant formats are written with isoformat and read back by slicing the stored text
(for speed); they must give exactly the text strftime gave."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from sandbox.apis.atrium.schemas import instant
from sandbox.apis.eagleeye.schemas import air_time
from sandbox.apis.myrewards.schemas import vendor_time
from sandbox.core.timeutil import UTC, from_db, is_db_text, to_db, to_iso

INSTANTS = st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30),
                        timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)),
                                                   timezone(timedelta(hours=-8))]))


@given(INSTANTS)
def test_stored_and_wire_text_is_what_strftime_wrote(dt):
    u = dt.astimezone(UTC)
    assert to_db(dt) == u.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert to_iso(dt) == u.strftime("%Y-%m-%dT%H:%M:%S") + (f".{u.microsecond:06d}" if u.microsecond else "") + "Z"
    stored = to_db(dt)
    assert is_db_text(stored) and from_db(stored) == dt and from_db(stored).tzinfo is UTC
    assert air_time(stored) == instant(stored) == u.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert vendor_time(stored) == u.strftime("%Y-%m-%dT%H:%M:%S.") + f"{u.microsecond // 1000:03d}+00:00"


def test_other_text_is_parsed_as_before():
    assert not is_db_text("2026-01-15T09:00:00Z")
    assert air_time("2026-01-15T10:00:00+01:00") == "2026-01-15T09:00:00+00:00"
    assert vendor_time("2026-01-15T09:00:00.5Z") == "2026-01-15T09:00:00.500+00:00"


def test_one_instant_in_any_zone_is_stored_as_one_text():
    """to_db remembers its answers: equal instants given in different zones (equal datetimes,
    one cache entry) must still give the one UTC text, and the next microsecond its own."""
    utc = datetime(2026, 3, 1, 12, 30, 15, 250, tzinfo=timezone.utc)
    elsewhere = utc.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert to_db(elsewhere) == to_db(utc) == "2026-03-01T12:30:15.000250Z"
    assert to_db(utc + timedelta(microseconds=1)) == "2026-03-01T12:30:15.000251Z"
    assert to_db(None) is None
