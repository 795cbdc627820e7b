"""Fixtures for the Eagle Eye tests: ``air(...)`` a signed client on a fresh app; the module's
shared app (``module_app``, tests/conftest.py) for the many cases that prove they leave the
state unchanged (building an app per case would dominate the run time)."""
import pytest

from tests.apis.eagleeye.helpers import AirClient, world


@pytest.fixture
def air(make_app):
    """``air(world_doc=None, **client_options)``: a signed client on a fresh app."""

    def build(world_doc=None, **options):
        app = make_app(world_doc if world_doc is not None else world())
        return AirClient(app.test_client(), **options)

    return build
