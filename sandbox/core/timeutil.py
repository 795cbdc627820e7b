"""Instants on the wire and in the database: always timezone-aware UTC."""
from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
# Every instant the sandbox clock can take, and every instant a world holds, stays in this
# range, so that jobs, expiries and windows computed from it (years ahead, at most) can
# always be represented.
MIN_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
MAX_INSTANT = datetime(9000, 1, 1, tzinfo=UTC)
RANGE_TEXT = "1900-01-01T00:00:00Z to 9000-01-01T00:00:00Z"


class InstantRangeError(ValueError):
    pass


def check_range(dt: datetime | None) -> datetime:
    """``dt`` (in UTC) if it lies in the range the sandbox can represent, else
    ``InstantRangeError`` (``None`` stands for an instant too far to compute)."""
    try:
        utc = None if dt is None else dt.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not MIN_INSTANT <= utc <= MAX_INSTANT:
        raise InstantRangeError(f"outside the instants the sandbox can represent ({RANGE_TEXT})")
    return utc
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(dt: datetime | None) -> str | None:
    """``2026-01-15T09:00:00Z`` (microseconds only when present)."""
    if dt is None:
        return None
    dt = dt.astimezone(UTC)
    if dt.year >= 1000:     # perf: isoformat is several times faster than strftime; same text (bench/README.md)
        return dt.replace(tzinfo=None).isoformat() + "Z"
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond:06d}"
    return text + "Z"


# perf: remembered (equal instants give the same text): an Eagle Eye exchange converts its one
# instant 8 times, for every row's dates: 2.73M -> 2.56M instructions per exchange (bench/README.md)
@lru_cache(maxsize=256)
def to_db(dt: datetime | None) -> str | None:
    """Fixed-width text that sorts in time order; the storage format for instants:
    ``2026-01-15T09:00:00.000000Z``."""
    if dt is None:
        return None
    dt = dt.astimezone(UTC)
    if dt.year >= 1000:
        return dt.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_offset_text(value, *, millis: bool = False) -> str | None:
    """A stored instant (``to_db`` text) or a datetime as ``2016-10-13T18:07:57+00:00``, with
    ``.000`` milliseconds when ``millis``: how MX, MyRewards and AIR write instants."""
    if value is None:
        return None
    if is_db_text(value):       # perf: sliced, not parsed: reads -30..-48 us of CPU (bench/README.md)
        return value[:23 if millis else 19] + "+00:00"
    dt = (value if isinstance(value, datetime) else from_db(value)).astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{dt.microsecond // 1000:03d}" if millis else "") + "+00:00"


def is_db_text(text) -> bool:
    """True for text exactly as ``to_db`` writes it (UTC, microseconds, years 1000-9999),
    whose parts can be sliced out without parsing."""
    return isinstance(text, str) and len(text) == 27 and text[26] == "Z" and text[19] == "." and text[10] == "T"


def parse_instant(value) -> datetime:
    """An ISO-8601 string (``Z`` or offset; a bare date is midnight UTC), a datetime,
    or epoch milliseconds. Raises ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError("not an instant")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int):
        return EPOCH + value * _MS  # integer arithmetic: exact for every millisecond
    if isinstance(value, float):
        return EPOCH + timedelta(milliseconds=value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    raise ValueError("not an instant")


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    if is_db_text(text):
        return datetime.fromisoformat(text)     # Python 3.11+ reads the Z itself
    return parse_instant(text)


def to_epoch_ms(dt: datetime | None) -> int | None:
    return None if dt is None else (dt - EPOCH) // _MS


def parse_duration(text: str) -> timedelta:
    """``3h``, ``10m``, ``2d``, ``90s``, ``1h30m``. Raises ValueError otherwise."""
    text = str(text).strip().lower()
    pos, seconds = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if not text or pos != len(text):
        raise ValueError(f"not a duration: {text[:100]!r} (use e.g. 90s, 10m, 3h, 2d)")
    if seconds > (MAX_INSTANT - MIN_INSTANT).total_seconds():
        raise InstantRangeError(f"a duration longer than the instants the sandbox can represent ({RANGE_TEXT})")
    return timedelta(seconds=seconds)
