"""The sandbox's own control API, mounted at ``/_sandbox``, with the front door (``/``) and
the dashboard (``/_sandbox/ui``)."""
from sandbox.core.apis import ControlMount
from sandbox.dashboard import bp as dashboard_bp

from . import errors, front_door, schemas, webhooks  # noqa: F401  (webhooks: its routes join bp)
from .routes import bp

CONTROL = ControlMount(
    name="control",
    blueprint=bp,
    render_error=errors.render_error,
    title="rewards-sandbox control API",
    error_schema=schemas.ErrorSchema,
    security={"adminToken": {"type": "http", "scheme": "bearer"}},
    description="Health, scenarios, reset, clock, request journal, faults, state, namespaces, snapshots and webhooks.",
    extra_blueprints=((front_door.bp, ""), (dashboard_bp, "/_sandbox/ui")),
)
