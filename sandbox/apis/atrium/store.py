"""MX Atrium tables and queries."""
from sqlite_utils import Migrations

migrations = Migrations("atrium")


@migrations(name="0001_initial")
def _initial(db):
    pass
