"""How MyRewards reads the values a client sends (the Rails platform's rules): what counts as
blank, as true or false, as a whole number, as a date; and the names its rules share with
the wire format."""
from __future__ import annotations

import re
from datetime import date

MAX_TEXT = 255
ANSWERS = "registration_answers_attributes"
# the keys of a sales-data record that are not answers to data fields
CLAIM_KEYS = ("date_of_sale", "product_or_activity", "quantity", "username", "user_id", "promotion_id")
TRUE_WORDS = {"true", "1", "t", "on", "yes"}
FALSE_WORDS = {"false", "0", "f", "off", "no"}
_WHOLE = re.compile(r"[+-]?[0-9]{1,30}")


def whole_number(value) -> int | None:
    """An integer given natively or as a string of digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip())
    return None


def flag(value) -> bool | None:
    """true/false as a JSON boolean or a string ("true", "1", ...); None when neither."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, (str, int)) else None
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def is_blank(value) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def iso_date(value) -> str | None:
    try:
        return date.fromisoformat(value.strip()).isoformat() if isinstance(value, str) \
            and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()) else None
    except ValueError:
        return None
