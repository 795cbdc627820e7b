"""``/_sandbox/webhooks``: the events each API emitted and their deliveries, and the
subscriptions they go to, per namespace like the rest of the control API."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sandbox.core import events
from sandbox.core.context import runtime, state_db
from sandbox.core.fields import absolute_url
from sandbox.core.http import answer, json_body, query
from sandbox.core.openapi import documented

from .errors import refused
from .routes import bp


def event_apis() -> list[str]:
    return [api.name for api in runtime().apis if api.events is not None]


class WebhookFilterSchema(Schema):
    class Meta:
        unknown = RAISE

    api = fields.String()
    type = fields.String()
    status = fields.String(validate=validate.OneOf(events.STATUSES))
    limit = fields.Integer(validate=validate.Range(min=1, max=10_000))


class SubscriptionBodySchema(Schema):
    class Meta:
        unknown = RAISE

    api = fields.String(required=True)
    url = fields.String(required=True, validate=[validate.Length(min=1, max=2000), absolute_url])
    client = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(allow_none=True, validate=validate.Length(max=200))



class WebhookSchema(Schema):
    id = fields.Integer()
    api = fields.String()
    type = fields.String()
    payload = fields.Dict()
    url = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(events.STATUSES)})
    attempts = fields.Integer()
    response_status = fields.Integer(allow_none=True)
    due_at = fields.String(metadata={"description": "the event's instant on the sandbox clock"})
    delivered_at = fields.String(allow_none=True)


class WebhookListSchema(Schema):
    webhooks = fields.List(fields.Nested(WebhookSchema))


class SubscriptionSchema(Schema):
    id = fields.Integer()
    api = fields.String()
    client = fields.String()
    url = fields.String()
    name = fields.String(allow_none=True)


class SubscriptionListSchema(Schema):
    subscriptions = fields.List(fields.Nested(SubscriptionSchema))


def _storable(number: int) -> bool:
    """An id SQLite can hold (a larger one names nothing)."""
    return number < 2 ** 63


_filters = WebhookFilterSchema()
_subscription = SubscriptionBodySchema()


@bp.get("/webhooks")
@documented(summary="List the webhooks emitted", query=WebhookFilterSchema, responses={200: WebhookListSchema})
def list_webhooks():
    """Every event the APIs emitted, one row per delivery, oldest first."""
    return answer({"webhooks": events.webhooks(state_db(), **query(_filters))})


@bp.post("/webhooks/<int:webhook_id>/redeliver")
@documented(summary="Send a webhook again", responses={200: WebhookSchema}, errors=(404, 409))
def redeliver(webhook_id):
    """Send a delivery again now, with a fresh budget of attempts."""
    try:
        found = events.redeliver(state_db(), webhook_id) if _storable(webhook_id) else None
    except events.NotRedeliverable as exc:
        raise refused(str(exc), status=409) from None
    if found is None:
        raise refused(f"no webhook {webhook_id}; GET /_sandbox/webhooks lists them", status=404)
    return answer(found)


@bp.post("/webhooks/subscriptions")
@documented(summary="Subscribe a URL to webhooks", body=SubscriptionBodySchema, responses={201: SubscriptionSchema})
def subscribe():
    """Subscribe a URL to a client's events (an Atrium client id, a SaaSquatch tenant alias)."""
    data = json_body(_subscription)
    api = runtime().by_name.get(data["api"])
    if api is None or api.events is None:
        raise refused(f"no webhooks for api {data['api']!r}; these APIs have them: {', '.join(event_apis())}",
                      problems=[{"path": "api", "message": f"one of {', '.join(event_apis())}"}])
    db = state_db()
    if data["client"] not in api.events.clients(db):
        raise refused(f"{api.name} has no client {data['client']!r} in this world",
                      problems=[{"path": "client", "message": "unknown client"}])
    return answer(events.subscribe(db, api.name, data["client"], data["url"], data.get("name")), 201)


@bp.get("/webhooks/subscriptions")
@documented(summary="List webhook subscriptions", responses={200: SubscriptionListSchema})
def list_subscriptions():
    return answer({"subscriptions": events.subscriptions(state_db())})


@bp.delete("/webhooks/subscriptions/<int:subscription_id>")
@documented(summary="Remove a webhook subscription", responses={204: None}, errors=(404,))
def unsubscribe(subscription_id):
    if not _storable(subscription_id) or not events.unsubscribe(state_db(), subscription_id):
        raise refused(f"no subscription {subscription_id}", status=404)
    return answer(None, 204)
