"""rewards-sandbox: a local, stateful emulator of four rewards APIs."""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("rewards-sandbox")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"


def create_app(settings, apis=None):
    """Build the WSGI app (see ``sandbox.core.app.create_app``)."""
    from .core.app import create_app as _create_app
    return _create_app(settings, apis)
