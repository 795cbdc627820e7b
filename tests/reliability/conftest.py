"""Fixtures for the reliability tests (docs/reliability.md says what each test proves)."""
from __future__ import annotations

import pytest

from .harness import Sandbox, build_app
from .world import WORLD


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Sandbox:
    """One in-process sandbox on world.py per module; tests reset it before each route."""
    return Sandbox(build_app(str(tmp_path_factory.mktemp("reliability") / "sandbox.sqlite"), WORLD))
