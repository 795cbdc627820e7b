import pytest

from sandbox import create_app
from sandbox.apis import API_PACKAGES
from sandbox.core.migrate import prepare_database
from sandbox.core.scenarios import load_world
from sandbox.core.settings import Settings
from tests.apis.eagleeye.helpers import AirClient, world
from tests.support import world_document


@pytest.fixture
def air(make_app):
    """``air(world_doc=None, **client_options)``: a signed client on a fresh app."""

    def build(world_doc=None, **options):
        app = make_app(world_doc if world_doc is not None else world())
        return AirClient(app.test_client(), **options)

    return build


@pytest.fixture(scope="module")
def module_app(tmp_path_factory):
    """``module_app(world_doc)``: one app per module, for tests that each prove they
    leave the state unchanged (building an app per case would dominate the run time)."""
    apps = {}

    def build(world_doc):
        key = id(world_doc)
        if key not in apps:
            path = str(tmp_path_factory.mktemp("eagleeye") / "sandbox.sqlite")
            db = prepare_database(path, API_PACKAGES)
            load_world(db, *world_document(world_doc), API_PACKAGES, startup=True)
            db.close()
            apps[key] = create_app(Settings(db_path=path))
        return apps[key]

    return build
