"""Eagle Eye AIR tables and queries."""
from sqlite_utils import Migrations

migrations = Migrations("eagleeye")


@migrations(name="0001_initial")
def _initial(db):
    pass
