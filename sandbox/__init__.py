"""rewards-sandbox: a local, stateful emulator of four rewards APIs."""

# The one place the version is written: pyproject.toml reads it from here
# ([tool.hatch.version]). Asking importlib.metadata instead cost ~80 ms of every start.
__version__ = "0.1.0"


def create_app(settings, apis=None):
    """Build the WSGI app (see ``sandbox.core.app.create_app``)."""
    from .core.app import create_app as _create_app
    return _create_app(settings, apis)
