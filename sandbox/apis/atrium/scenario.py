"""The `atrium:` section of a scenario file."""
from marshmallow import RAISE, Schema


class SectionSchema(Schema):
    class Meta:
        unknown = RAISE


def seed(ctx, section: dict) -> None:
    """Write the validated section into this API's tables (inside the load transaction)."""


def credentials(db) -> list[dict]:
    return []
