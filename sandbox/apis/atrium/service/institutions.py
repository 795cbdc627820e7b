"""The institution catalogue (built in, merged with the scenario's) and the credit card
products the scenario describes (beta)."""
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


def read_credit_card_product(db, guid: str) -> dict:
    """A product the scenario describes; an account may name one it does not (404)."""
    product = store.get_credit_card_product(db, guid)
    if product is None:
        raise errors.not_found()
    return product
