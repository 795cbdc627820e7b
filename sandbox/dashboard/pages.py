"""The dashboard's pages: server-rendered shells holding layout, navigation and forms, but
no state (that comes from ``parts``), so they need no token."""
from __future__ import annotations

from dataclasses import dataclass

from flask import redirect, render_template, request, url_for

import sandbox
from sandbox.core.context import namespace, runtime
from sandbox.core.scenario_files import builtin_scenarios

from . import bp


@dataclass(frozen=True)
class Page:
    endpoint: str       # the view below that serves it
    title: str


# The navigation, in order. A new page: a Page here, a view, a template (and a part).
PAGES = (
    Page("dashboard.overview", "Overview"),
    Page("dashboard.requests", "Requests"),
    Page("dashboard.state_index", "State"),
    Page("dashboard.faults", "Faults"),
    Page("dashboard.webhooks", "Webhooks"),
    Page("dashboard.snapshots", "Snapshots"),
)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def render_page(endpoint: str, template: str, **context):
    """A page inside the common layout; ``context`` is the page's own."""
    current = next(page for page in PAGES if page.endpoint == endpoint)
    settings = runtime().settings
    return render_template(
        f"dashboard/{template}", pages=PAGES, current=current, version=sandbox.__version__,
        namespace=namespace(), apis=[api.name for api in runtime().apis],
        control_base=request.script_root + "/_sandbox", token_required=bool(settings.admin_token),
        **context)


@bp.get("")
@bp.get("/")
def overview():
    return render_page("dashboard.overview", "overview.html", scenarios=builtin_scenarios())


@bp.get("/requests")
def requests():
    return render_page("dashboard.requests", "requests.html", methods=METHODS)


@bp.get("/state")
def state_index():
    return redirect(url_for(".state", api_name=runtime().apis[0].name))


@bp.get("/state/<api_name>")
def state(api_name):
    if api_name not in runtime().by_name:
        page = render_page("dashboard.state_index", "missing.html", what=f"no API named {api_name!r}")
        return page, 404
    return render_page("dashboard.state_index", "state.html", api_name=api_name)


@bp.get("/faults")
def faults():
    named = {api.name: api.named_faults for api in runtime().apis if api.named_faults}
    return render_page("dashboard.faults", "faults.html", methods=METHODS, named_faults=named)


@bp.get("/webhooks")
def webhooks():
    return render_page("dashboard.webhooks", "webhooks.html")


@bp.get("/snapshots")
def snapshots():
    return render_page("dashboard.snapshots", "snapshots.html")
