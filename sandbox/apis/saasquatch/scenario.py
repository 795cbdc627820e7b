"""The `saasquatch:` section of a scenario file (its shape: scenarios/README.md).

```yaml
saasquatch:
  tenants:
    - tenant_alias: test_abo912126tastastt
      api_key: TEST_B4BYA15POHYQ284HBND1
      strict_ids: false             # sandbox switch: unknown accountId/userId -> 404 RS041/RS042
      unit_case_insensitive: false  # sandbox switch: match units ignoring (ASCII) case
      webhooks: [{endpointUrl: "http://127.0.0.1:9000/hooks", name: my-app}]   # subscribed at load
      accounts:
        - id: acct-1
          users: [{id: user-1, firstName: Ada}]
          rewards:                  # vendor Reward fields; dates ISO-8601 or epoch ms
            - {id: rwd-1, userId: user-1, type: CREDIT, unit: CENTS, assignedCredit: 2000,
               redeemedCredit: 500, redemptions: [{quantityRedeemed: 500, dateRedeemed: ...}]}
```
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from sandbox.core.scenario_files import problem

from . import service, store
from .schemas import (MAX_CREDIT, absolute_url, REWARD_SOURCES, JsonBoolean, JsonInteger, RewardFieldsSchema,
                      ScenarioInstant, new_reward)


def _text(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=1000), **kwargs)


class RedemptionSchema(Schema):
    class Meta:
        unknown = RAISE

    id = _text(load_default=None, allow_none=True)
    quantityRedeemed = JsonInteger(required=True, validate=validate.Range(min=1, max=MAX_CREDIT))
    dateRedeemed = ScenarioInstant(load_default=None, allow_none=True)  # absent: the reward's dateGiven


class RewardSchema(RewardFieldsSchema):
    class Meta:
        unknown = RAISE

    id = _text(load_default=None, allow_none=True)  # absent: generated, deterministic for the world
    userId = _text(required=True)
    accountId = _text(load_default=None, allow_none=True)  # optional; must name the enclosing account
    rewardSource = fields.String(load_default="MANUAL", validate=validate.OneOf(REWARD_SOURCES))
    dateGiven = ScenarioInstant(load_default=None, allow_none=True)  # absent: the world's start time
    dateExpires = ScenarioInstant(allow_none=True)
    dateCancelled = ScenarioInstant(allow_none=True)
    dateScheduledFor = ScenarioInstant(allow_none=True)
    redeemedCredit = JsonInteger(allow_none=True, validate=validate.Range(min=0, max=MAX_CREDIT))
    redemptions = fields.List(fields.Nested(RedemptionSchema), allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def _redemptions_match_credit(self, data, **kwargs):
        listed = data.get("redemptions")
        redeemed = data.get("redeemedCredit")
        if listed is not None and redeemed is not None \
                and redeemed != sum(r["quantityRedeemed"] for r in listed):
            raise ValidationError("Must equal the sum of redemptions[].quantityRedeemed.",
                                  "redeemedCredit")
        total = redeemed if listed is None else sum(r["quantityRedeemed"] for r in listed)
        if data.get("type") == "CREDIT" and total and total > (data.get("assignedCredit") or 0):
            raise ValidationError("More is redeemed than assignedCredit.", "redeemedCredit")


class UserSchema(Schema):
    class Meta:
        unknown = RAISE

    id = _text(required=True)
    accountId = _text(load_default=None, allow_none=True)
    firstName = fields.String(allow_none=True)
    lastName = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    referralCode = fields.String(allow_none=True)


class AccountSchema(Schema):
    class Meta:
        unknown = RAISE

    id = _text(required=True)
    currency = fields.String(allow_none=True, load_default=None)
    users = fields.List(fields.Nested(UserSchema), load_default=list)
    rewards = fields.List(fields.Nested(RewardSchema), load_default=list)


class WebhookSchema(Schema):
    class Meta:
        unknown = RAISE

    endpointUrl = fields.String(required=True, validate=[validate.Length(min=1, max=2000), absolute_url])
    name = fields.String(allow_none=True, load_default=None)


class TenantSchema(Schema):
    class Meta:
        unknown = RAISE

    tenant_alias = _text(required=True)
    api_key = _text(required=True)
    strict_ids = JsonBoolean(load_default=False)
    unit_case_insensitive = JsonBoolean(load_default=False)
    accounts = fields.List(fields.Nested(AccountSchema), load_default=list)
    webhooks = fields.List(fields.Nested(WebhookSchema), load_default=list)  # subscribed at load


class SectionSchema(Schema):
    class Meta:
        unknown = RAISE

    tenants = fields.List(fields.Nested(TenantSchema), load_default=list)


def seed(ctx, section: dict) -> None:
    """Write the validated section into this API's tables (inside the load transaction)."""
    tenants, accounts, users, rewards = [], [], [], []
    seen_tenants = set()
    for t, tenant in enumerate(section.get("tenants") or []):
        alias, where = tenant["tenant_alias"], f"saasquatch.tenants[{t}]"
        _unique(seen_tenants, alias, f"{where}.tenant_alias", "tenant_alias")
        tenants.append((alias, tenant["api_key"], int(tenant["strict_ids"]),
                        int(tenant["unit_case_insensitive"])))
        seen_accounts, seen_rewards = set(), set()
        for a, account in enumerate(tenant["accounts"]):
            account_id, at = account["id"], f"{where}.accounts[{a}]"
            _unique(seen_accounts, account_id, f"{at}.id", "account id")
            accounts.append((alias, account_id, account["currency"]))
            user_ids = set()
            for u, user in enumerate(account["users"]):
                _unique(user_ids, user["id"], f"{at}.users[{u}].id", "user id")
                _same_account(user["accountId"], account_id, f"{at}.users[{u}].accountId")
                users.append((alias, account_id, user["id"], user.get("firstName"),
                              user.get("lastName"), user.get("email"), user.get("referralCode")))
            for r, reward in enumerate(account["rewards"]):
                path = f"{at}.rewards[{r}]"
                if reward["userId"] not in user_ids:
                    raise problem(None, f"{path}.userId",
                                  f"no user {reward['userId']!r} in this account's users")
                _same_account(reward["accountId"], account_id, f"{path}.accountId")
                if reward["id"] is not None:
                    _unique(seen_rewards, reward["id"], f"{path}.id", "reward id in this tenant")
                rewards.append((alias, account_id, reward))
    store.insert_tenants(ctx.db, tenants)
    store.insert_accounts(ctx.db, accounts)
    store.insert_users(ctx.db, users)
    _seed_rewards(ctx, rewards)
    for tenant in section.get("tenants") or []:
        for hook in tenant["webhooks"]:
            service.subscribe(ctx.db, {"tenant_alias": tenant["tenant_alias"]}, hook["endpointUrl"], hook["name"])


def _seed_rewards(ctx, rewards: list[tuple[str, str, dict]]) -> None:
    generated = iter(store.new_ids(ctx.db, "reward", sum(1 for *_, r in rewards if r["id"] is None)))
    rows = []
    for alias, account_id, reward in rewards:
        rows.append(service.new_reward_row(
            alias, reward["id"] or next(generated), account_id, reward["userId"], new_reward(reward),
            date_given=reward["dateGiven"] or ctx.now, reward_source=reward["rewardSource"]))
    pks = store.insert_rewards(ctx.db, rows)
    redemptions = []
    for pk, row, (_, _, reward) in zip(pks, rows, rewards):
        listed = reward.get("redemptions")
        if listed is None and reward.get("redeemedCredit"):
            listed = [{"id": None, "quantityRedeemed": reward["redeemedCredit"], "dateRedeemed": None}]
        for item in listed or []:
            redemptions.append([item["id"], pk, item["dateRedeemed"] or row["date_given"],
                                item["quantityRedeemed"]])
    fresh = iter(store.new_ids(ctx.db, "redemption", sum(1 for r in redemptions if r[0] is None)))
    store.insert_redemptions(ctx.db, [(r[0] or next(fresh), *r[1:]) for r in redemptions])


def _unique(seen: set, value: str, path: str, what: str) -> None:
    if value in seen:
        raise problem(None, path, f"duplicate {what} {value!r}")
    seen.add(value)


def _same_account(given: str | None, account_id: str, path: str) -> None:
    if given is not None and given != account_id:
        raise problem(None, path, f"{given!r} is not the enclosing account {account_id!r}")


def credentials(db) -> list[dict]:
    return [{"tenant_alias": t["tenant_alias"], "api_key": t["api_key"],
             "base_path": f"/saasquatch/api/v1/{t['tenant_alias']}"} for t in store.all_tenants(db)]
