"""Where the built-in scenarios and fixtures are: inside the installed package
(``sandbox/_data``), or at the top of a source checkout."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def scenarios_dir() -> Path:
    return _data_dir("scenarios")


def fixtures_dir() -> Path:
    return _data_dir("fixtures")
