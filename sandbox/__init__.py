"""rewards-sandbox: a local, stateful emulator of four rewards APIs."""

# The one place the version is written: pyproject.toml reads it from here ([tool.hatch.version]).
# perf: a constant: asking importlib.metadata instead cost ~80 ms of every start (bench/README.md)
__version__ = "0.1.0"


def create_app(settings, apis=None):
    """Build the WSGI app (see ``sandbox.core.app.create_app``): the control API and
    ``apis`` (default: every API of the registry, ``sandbox.apis.API_PACKAGES``). The
    journal masks every header any registered API declares secret, whichever are served."""
    from .apis import API_PACKAGES
    from .control import CONTROL
    from .core.app import create_app as _create_app

    secret_headers = [header for api in API_PACKAGES for header in api.secret_headers]
    return _create_app(settings, API_PACKAGES if apis is None else apis, CONTROL, secret_headers=secret_headers)


def build_sandbox(db_path: str, world="default", *, apis=None, **settings):
    """A sandbox on ``world``: its database at ``db_path`` built by
    ``core.scenarios.build_world`` (``world``: a built-in scenario's name, a file path, YAML
    text or a mapping), and the app serving it (``settings``: ``core.settings.Settings``
    fields). What the tests, the pytest plugin and in-process replay run on."""
    from .core.scenarios import build_world
    from .core.settings import Settings

    if apis is None:
        from .apis import API_PACKAGES as apis
    build_world(db_path, world, apis)
    return create_app(Settings(db_path=db_path, **settings), apis)
