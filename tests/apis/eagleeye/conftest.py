import pytest

from tests.apis.eagleeye.helpers import AirClient, world


@pytest.fixture
def air(make_app):
    """``air(world_doc=None, **client_options)``: a signed client on a fresh app."""

    def build(world_doc=None, **options):
        app = make_app(world_doc if world_doc is not None else world())
        client = AirClient(app.test_client(), **options)
        return client

    return build
