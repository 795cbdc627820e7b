"""The sandbox's own control API, mounted at ``/_sandbox``."""
from sandbox.core.apis import ControlMount

from . import errors, schemas
from .routes import bp

CONTROL = ControlMount(
    name="control",
    blueprint=bp,
    render_error=errors.render_error,
    title="rewards-sandbox control API",
    error_schema=schemas.ErrorSchema,
    security={"adminToken": {"type": "http", "scheme": "bearer"}},
    description="Health, scenarios, reset, clock, request journal, faults, state and namespaces.",
)
