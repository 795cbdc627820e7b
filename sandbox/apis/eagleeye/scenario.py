"""The `eagleeye:` section of a scenario file (field names: scenarios/README.md).

Vendor objects use AIR's own field names (``walletId``, ``pointsRewardBankId``,
``exchangeLimit``, ...); sandbox settings that no AIR object shows are snake_case
(``allow_negative_balance``, ``issuance_limit_total``, ``scheme_id``, ``balance``).
An account's ``balance`` is written as an opening CREDIT in its ledger, so the ledger
always sums to the balance.
"""
from __future__ import annotations

from marshmallow import RAISE, ValidationError, fields, post_load, validate, validates_schema

from sandbox.core.fields import JsonInteger
from sandbox.core.scenario_files import problem
from sandbox.core.scenarios import InstantField, StrictSchema
from sandbox.core.timeutil import to_db

from . import store
from .schemas import ENUM_LIKE, MAX_POINTS, BankRewardSchema, IdField, LocationSchema

_count = JsonInteger(allow_none=True, load_default=None, validate=validate.Range(min=0, max=MAX_POINTS))


class ClientSection(StrictSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    secret = fields.String(required=True, validate=validate.Length(min=1, max=500))
    location = fields.Nested(LocationSchema(unknown=RAISE), load_default=dict)   # the request's shape


class SchemeSection(StrictSchema):
    id = IdField(required=True)
    name = fields.String(allow_none=True, load_default=None)
    allow_negative_balance = fields.Boolean(load_default=True)   # AIR's default
    autotopup = fields.Boolean(load_default=False)


class CampaignSection(StrictSchema):
    id = IdField(required=True)
    name = fields.String(allow_none=True, load_default=None)
    issuance_limit_total = _count
    issuance_limit_per_wallet = _count
    issuance_start = InstantField(allow_none=True, load_default=None)
    issuance_end = InstantField(allow_none=True, load_default=None)


class RewardSection(StrictSchema, BankRewardSchema):
    """A reward as ``POST /banks/pointsreward`` takes it (threshold left out: the cost; 0 or
    null: no threshold check), with its id."""
    pointsRewardBankRewardId = IdField(load_default=None)


class BankSection(StrictSchema):
    pointsRewardBankId = IdField(load_default=None)
    name = fields.String(allow_none=True, load_default=None)
    mode = fields.String(required=True, validate=validate.OneOf(["PUBLIC", "PERSONAL", "PRIVATE"]))
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    exchangeLimit = _count                     # null = unlimited
    rewards = fields.List(fields.Nested(RewardSection), load_default=list)

    @post_load
    def private_is_personal(self, data, **kwargs):
        data["mode"] = "PERSONAL" if data["mode"] == "PRIVATE" else data["mode"]
        return data


class IdentitySection(StrictSchema):
    identityId = IdField(load_default=None)
    type = fields.String(load_default="CUSTOMER_ID", validate=ENUM_LIKE)
    value = fields.String(required=True, validate=validate.Length(min=1, max=255))
    friendlyName = fields.String(allow_none=True, load_default=None)
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    state = fields.String(load_default="DEFAULT", validate=ENUM_LIKE)


class AccountSection(StrictSchema):
    accountId = IdField(load_default=None)
    type = fields.String(load_default="POINTS", validate=validate.OneOf(["POINTS", "ECOUPON"]))
    scheme_id = IdField(load_default=None)      # POINTS: the scheme it belongs to
    campaignId = IdField(load_default=None)     # ECOUPON: a coupon already issued
    balance = JsonInteger(load_default=0, validate=validate.Range(min=-MAX_POINTS, max=MAX_POINTS))
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    state = fields.String(validate=ENUM_LIKE)

    @validates_schema
    def resource_for_type(self, data, **kwargs):
        if data["type"] == "POINTS" and data.get("scheme_id") is None:
            raise ValidationError("A POINTS account needs the scheme_id of a scheme.", "scheme_id")
        if data["type"] == "ECOUPON":
            if data.get("campaignId") is None:
                raise ValidationError("An ECOUPON account needs the campaignId of a campaign.", "campaignId")
            if data.get("balance"):
                raise ValidationError("An ECOUPON account has no points balance.", "balance")


class LinkSection(StrictSchema):
    pointsRewardBankWalletLinkId = IdField(load_default=None)
    pointsRewardBankId = IdField(required=True)
    pointsRewardBankRewardId = IdField(allow_none=True, load_default=None)   # null: whole bank
    type = fields.String(load_default="CAMPAIGN", validate=ENUM_LIKE)
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    state = fields.String(load_default="LOADED", validate=ENUM_LIKE)
    validFrom = InstantField(allow_none=True, load_default=None)
    validTo = InstantField(allow_none=True, load_default=None)


class WalletSection(StrictSchema):
    walletId = IdField(load_default=None)
    friendlyName = fields.String(allow_none=True, load_default=None)
    status = fields.String(load_default="ACTIVE", validate=ENUM_LIKE)
    type = fields.String(load_default="CONSUMER", validate=ENUM_LIKE)
    state = fields.String(load_default="DEFAULT", validate=ENUM_LIKE)
    identities = fields.List(fields.Nested(IdentitySection), load_default=list)
    accounts = fields.List(fields.Nested(AccountSection), load_default=list)
    links = fields.List(fields.Nested(LinkSection), load_default=list)


class SectionSchema(StrictSchema):
    clients = fields.List(fields.Nested(ClientSection), load_default=list)
    schemes = fields.List(fields.Nested(SchemeSection), load_default=list)
    campaigns = fields.List(fields.Nested(CampaignSection), load_default=list)
    reward_banks = fields.List(fields.Nested(BankSection), load_default=list)
    wallets = fields.List(fields.Nested(WalletSection), load_default=list)


# -- seeding ---------------------------------------------------------------------------------

def _unique(items, key, path: str, what: str) -> None:
    seen = set()
    for i, item in enumerate(items):
        value = item[key]
        if value is None:
            continue
        if value in seen:
            raise problem(None, f"eagleeye.{path}[{i}].{key}", f"duplicate {what} {value!r}")
        seen.add(value)


def _fill_ids(db, kind: str, items: list[dict], key: str) -> None:
    """Give every item without an id the next generated one (after all chosen ids)."""
    store.reserve_given_ids(db, kind, [item[key] for item in items if item[key] is not None])
    missing = [item for item in items if item[key] is None]
    for item, new in zip(missing, store.new_ids(db, kind, len(missing))):
        item[key] = new


def seed(ctx, section: dict) -> None:
    """Write the validated section into this API's tables (inside the load transaction)."""
    db, now = ctx.db, to_db(ctx.now)
    _unique(section["clients"], "client_id", "clients", "client_id")
    _unique(section["schemes"], "id", "schemes", "scheme id")
    _unique(section["campaigns"], "id", "campaigns", "campaign id")
    store.insert_many(db, "eagleeye_clients", [
        {"client_id": c["client_id"], "secret": c["secret"],
         "location": {k: v for k, v in c["location"].items() if v is not None}}
        for c in section["clients"]])
    store.insert_many(db, "eagleeye_schemes", [
        {"scheme_id": s["id"], "name": s["name"], "allow_negative_balance": int(s["allow_negative_balance"]),
         "autotopup": int(s["autotopup"])} for s in section["schemes"]])
    store.insert_many(db, "eagleeye_campaigns", [
        {"campaign_id": c["id"], "name": c["name"], "issuance_limit_total": c["issuance_limit_total"],
         "issuance_limit_per_wallet": c["issuance_limit_per_wallet"],
         "issuance_start": to_db(c["issuance_start"]), "issuance_end": to_db(c["issuance_end"])}
        for c in section["campaigns"]])
    rewards_by_id = _seed_banks(db, now, section)
    _seed_wallets(db, now, section, rewards_by_id)


def _seed_banks(db, now: str, section: dict) -> dict:
    banks = section["reward_banks"]
    rewards = [reward for bank in banks for reward in bank["rewards"]]
    campaigns = {c["id"] for c in section["campaigns"]}
    _fill_ids(db, "bank", banks, "pointsRewardBankId")
    _fill_ids(db, "reward", rewards, "pointsRewardBankRewardId")
    _unique(banks, "pointsRewardBankId", "reward_banks", "pointsRewardBankId")
    seen, reward_rows, rewards_by_id = set(), [], {}
    for b, bank in enumerate(banks):
        for r, reward in enumerate(bank["rewards"]):
            path = f"eagleeye.reward_banks[{b}].rewards[{r}]"
            if reward["pointsRewardBankRewardId"] in seen:
                raise problem(None, f"{path}.pointsRewardBankRewardId",
                              f"duplicate pointsRewardBankRewardId {reward['pointsRewardBankRewardId']!r}")
            seen.add(reward["pointsRewardBankRewardId"])
            if reward["resourceId"] not in campaigns:
                raise problem(None, f"{path}.resourceId",
                              f"no campaign with id {reward['resourceId']!r} under eagleeye.campaigns")
            rewards_by_id[reward["pointsRewardBankRewardId"]] = bank["pointsRewardBankId"]
            reward_rows.append({
                "reward_id": reward["pointsRewardBankRewardId"], "bank_id": bank["pointsRewardBankId"],
                "resource_type": reward["resourceType"], "resource_id": reward["resourceId"],
                "cost": reward["cost"], "threshold": reward.get("threshold", reward["cost"]),
                "status": reward["status"], "date_created": now, "last_updated": now})
    store.insert_many(db, "eagleeye_banks", [
        {"bank_id": b["pointsRewardBankId"], "name": b["name"], "mode": b["mode"], "status": b["status"],
         "exchange_limit": b["exchangeLimit"], "date_created": now, "last_updated": now} for b in banks])
    store.insert_many(db, "eagleeye_rewards", reward_rows)
    return rewards_by_id


def _seed_wallets(db, now: str, section: dict, rewards_by_id: dict) -> None:
    wallets = section["wallets"]
    schemes = {s["id"] for s in section["schemes"]}
    campaigns = {c["id"] for c in section["campaigns"]}
    bank_modes = {b["pointsRewardBankId"]: b["mode"] for b in section["reward_banks"]}
    autotopup = {s["id"] for s in section["schemes"] if s["autotopup"]}
    identities = [i for w in wallets for i in w["identities"]]
    accounts = [a for w in wallets for a in w["accounts"]]
    links = [link for w in wallets for link in w["links"]]
    _fill_ids(db, "wallet", wallets, "walletId")
    _fill_ids(db, "identity", identities, "identityId")
    _fill_ids(db, "account", accounts, "accountId")
    _fill_ids(db, "link", links, "pointsRewardBankWalletLinkId")
    _unique(wallets, "walletId", "wallets", "walletId")
    seen = {"identityId": set(), "value": set(), "accountId": set(), "pointsRewardBankWalletLinkId": set()}
    rows = {"wallets": [], "identities": [], "accounts": [], "links": []}
    openings = []
    for w, wallet in enumerate(wallets):
        base = f"eagleeye.wallets[{w}]"
        rows["wallets"].append({
            "wallet_id": wallet["walletId"], "friendly_name": wallet["friendlyName"],
            "status": wallet["status"], "type": wallet["type"], "state": wallet["state"], "meta": None,
            "date_created": now, "last_updated": now})
        for i, identity in enumerate(wallet["identities"]):
            for key in ("identityId", "value"):
                _first(seen[key], identity[key], f"{base}.identities[{i}].{key}")
            rows["identities"].append({
                "identity_id": identity["identityId"], "wallet_id": wallet["walletId"],
                "type": identity["type"], "value": identity["value"],
                "friendly_name": identity["friendlyName"], "status": identity["status"],
                "state": identity["state"], "date_created": now, "last_updated": now})
        wallet_schemes = set()
        for a, account in enumerate(wallet["accounts"]):
            path = f"{base}.accounts[{a}]"
            _first(seen["accountId"], account["accountId"], f"{path}.accountId")
            if account["type"] == "POINTS":
                resource, known = account["scheme_id"], schemes
                if resource in wallet_schemes:
                    raise problem(None, f"{path}.scheme_id",
                                  f"the wallet already has a POINTS account for scheme {resource!r}")
                wallet_schemes.add(resource)
            else:
                resource, known = account["campaignId"], campaigns
            if resource not in known:
                field = "scheme_id" if account["type"] == "POINTS" else "campaignId"
                where = "schemes" if account["type"] == "POINTS" else "campaigns"
                raise problem(None, f"{path}.{field}", f"no {where[:-1]} with id {resource!r} under eagleeye.{where}")
            topped_up = account["type"] == "POINTS" and account["balance"] < 0 and resource in autotopup
            rows["accounts"].append(_account_row(wallet["walletId"], account, resource, now, topped_up))
            if account["balance"]:
                openings.append((account, topped_up))
        for k, link in enumerate(wallet["links"]):
            path = f"{base}.links[{k}]"
            _first(seen["pointsRewardBankWalletLinkId"], link["pointsRewardBankWalletLinkId"],
                   f"{path}.pointsRewardBankWalletLinkId")
            _check_link(link, bank_modes, rewards_by_id, path)
            rows["links"].append({
                "link_id": link["pointsRewardBankWalletLinkId"], "wallet_id": wallet["walletId"],
                "bank_id": link["pointsRewardBankId"], "reward_id": link["pointsRewardBankRewardId"],
                "type": link["type"], "status": link["status"], "state": link["state"],
                "valid_from": to_db(link["validFrom"]), "valid_to": to_db(link["validTo"]),
                "date_created": now, "last_updated": now})
    for table in ("wallets", "identities", "accounts", "links"):
        store.insert_many(db, f"eagleeye_{table}", rows[table])
    store.insert_many(db, "eagleeye_account_transactions", _opening_balances(db, openings, now))


def _first(seen: set, value, path: str) -> None:
    if value in seen:
        raise problem(None, path, f"duplicate {path.rsplit('.', 1)[-1]} {value!r}")
    seen.add(value)


def _account_row(wallet_id: str, account: dict, resource: str, now: str, topped_up: bool) -> dict:
    points = account["type"] == "POINTS"
    return {"account_id": account["accountId"], "wallet_id": wallet_id, "campaign_id": resource,
            "type": account["type"], "client_type": "RETAILPOINTS" if points else "OFFER",
            "status": account["status"], "state": account.get("state") or ("EARNBURN" if points else "LOADED"),
            "date_start": now, "date_end": None, "meta": None, "current": 0 if topped_up else account["balance"],
            "lifetime": max(account["balance"], 0), "date_created": now, "last_updated": now}


def _check_link(link: dict, bank_modes: dict, rewards_by_id: dict, path: str) -> None:
    bank_id, reward_id = link["pointsRewardBankId"], link["pointsRewardBankRewardId"]
    if bank_id not in bank_modes:
        raise problem(None, f"{path}.pointsRewardBankId", f"no reward bank {bank_id!r} under eagleeye.reward_banks")
    if bank_modes[bank_id] != "PERSONAL":
        raise problem(None, f"{path}.pointsRewardBankId",
                      f"reward bank {bank_id!r} is PUBLIC; wallet links are for PERSONAL banks")
    if reward_id is not None and rewards_by_id.get(reward_id) != bank_id:
        raise problem(None, f"{path}.pointsRewardBankRewardId", f"reward bank {bank_id!r} has no reward {reward_id!r}")
    if link["validFrom"] and link["validTo"] and link["validFrom"] > link["validTo"]:
        raise problem(None, f"{path}.validTo", "validTo is before validFrom")


def _opening_balances(db, openings: list[tuple[dict, bool]], now: str) -> list[dict]:
    """One CREDIT (or DEBIT, for a negative start) per account with a balance; a negative
    start in an AUTOTOPUP scheme is corrected at once, as AIR does when it sees one (the
    Exchange reference: "detect these negative balances and instantly correct them")."""
    new = iter(store.new_ids(db, "account_transaction", len(openings) + sum(t for _, t in openings)))
    rows = []
    for account, topped_up in openings:
        balance = account["balance"]
        rows.append(_opening_row(next(new), account["accountId"], "CREDIT" if balance > 0 else "DEBIT", balance,
                                 0, now, {"reason": "opening balance from the scenario"}))
        if topped_up:
            rows.append(_opening_row(next(new), account["accountId"], "AUTOTOPUP", -balance, balance, now, None))
    return rows


def _opening_row(tx_id: str, account_id: str, event: str, delta: int, before: int, now: str, details) -> dict:
    lifetime = max(before + delta, 0) if event == "CREDIT" else 0
    return {"account_transaction_id": tx_id, "parent_account_transaction_id": "", "account_id": account_id,
            "wallet_transaction_id": None, "event": event, "value": abs(delta), "delta": delta, "status": "ACTIVE",
            "balances_before": {"current": before, "lifetime": 0},
            "balances_after": {"current": before + delta, "lifetime": lifetime},
            "transaction_details": details, "properties": None, "date_created": now, "last_updated": now}


def credentials(db) -> list[dict]:
    return [{"client_id": c["client_id"], "secret": c["secret"], **c["location"]}
            for c in store.all_clients(db)]
