"""The institution catalogue (built in, merged with the scenario's)."""
from __future__ import annotations

from .. import errors, store
from .catalogue import institution_credentials


def list_institutions(db, name: str | None, flags: dict, limit: int, offset: int):
    return store.list_institutions(db, name, flags, limit, offset)


def read_institution(db, code: str) -> dict:
    institution = store.get_institution(db, code)
    if institution is None:
        raise errors.not_found()
    return institution


def read_institution_credentials(db, code: str) -> list[dict]:
    return institution_credentials(read_institution(db, code)["code"])
