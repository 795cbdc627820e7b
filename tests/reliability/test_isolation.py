"""The isolation matrix: two of everything (world.py), every credential against every other
tenant's objects on every route.

- Atrium clients, MyRewards programmes and SaaSquatch tenants (which share account, user
  and reward ids): a request naming the other tenant's objects is refused or not found,
  in the vendor's error shape, and changes nothing; a request that names no tenant object
  (lists, creates) never shows the other tenant's data; the other tenant's rows are
  never changed.
- Eagle Eye AIR clients belong to one company and see its wallets (the API's README), so
  two companies are two namespaces: each credential is refused in the other company's
  namespace, a mixed client id and secret is refused, and no request in one namespace
  changes the other's state, for every API.
"""
from __future__ import annotations

import pytest

from .catalogue import APIS, auth_headers, encode, routes
from .harness import error_shape_problem
from .world import WORLD, WORLD_B

MARKERS = {
    "atrium": ["USR-{t}", "MBR-{t}", "ACT-{t}", "TRN-{t}", "RWD-{t}", "ident-{t}", "member-{t}", "Card {t}",
               "Shop {t}", "Miles {t}", "STA-{t}", "atrium-key-{t}"],
    "myrewards": ["user-{t}", "First {t}", "Programme {t}", "group-{t}", "Question {t}", "Field {t}",
                  "Promo field {t}", "Promotion {t}", "opening {t}", "q_{t}", "mr-key-{t}", "mr-secret-{t}"],
    "saasquatch": ["U1 {t}", "SQ_KEY_{t_upper}"],
}
REFUSALS = {"atrium": {401, 404}, "myrewards": {401, 403, 404, 204}, "saasquatch": {401}}


def owned(api: str, tables: dict, t: str) -> dict:
    """The rows of ``tables`` that belong to tenant ``t``."""
    if api == "atrium":
        users = {u["guid"] for u in tables["users"] if u["client_id"] == f"client-{t}"}
        members = {m["guid"] for m in tables["members"] if m["user_guid"] in users}
        keep = lambda name, row: (row.get("client_id") == f"client-{t}" or row.get("user_guid") in users  # noqa: E731
                                  or (name == "jobs" and row["member_guid"] in members))
    elif api == "myrewards":
        programme = 1 if t == "a" else 2
        users = {u["id"] for u in tables["users"] if u["programme_id"] == programme}
        promotions = {p["id"] for p in tables["promotions"] if p["programme_id"] == programme}
        keep = lambda name, row: (row.get("programme_id") == programme or row.get("user_id") in users  # noqa: E731
                                  or (name == "programmes" and row["id"] == programme)
                                  or (name == "products" and row["promotion_id"] in promotions))
    else:
        rewards = {r["pk"] for r in tables["rewards"] if r["tenant_alias"] == f"tenant_{t}"}
        keep = lambda name, row: (row.get("tenant_alias") == f"tenant_{t}"  # noqa: E731
                                  or (name == "redemptions" and row["reward_pk"] in rewards))
    return {name: [row for row in rows if keep(name, row)] for name, rows in tables.items()}


def markers(api: str, t: str) -> list[str]:
    return [m.format(t=t, t_upper=t.upper()) for m in MARKERS[api]]


@pytest.mark.parametrize("caller,owner", [("a", "b"), ("b", "a")])
@pytest.mark.parametrize("api", ["atrium", "myrewards", "saasquatch"])
def test_no_tenant_reads_or_changes_another_tenants_objects(sandbox, api, caller, owner):
    refused = shared = 0
    for mine, theirs in zip(routes(api, caller), routes(api, owner)):
        sandbox.load(WORLD)
        before = sandbox.state(api)[api]
        response = sandbox.call(theirs, caller)       # the caller's credentials, the owner's ids
        after = sandbox.state(api)[api]
        label = f"{api}: {caller} -> {owner}'s {theirs.method} {theirs.url()}"
        assert response.status_code < 500, label
        foreign = theirs.params != mine.params or (theirs.body_refs and theirs.body != mine.body)
        if foreign:
            assert response.status_code in REFUSALS[api], (label, response.status_code, response.get_data()[:300])
            assert error_shape_problem(api, response) is None, label
            assert after == before, label
            refused += 1
        else:
            text = response.get_data(as_text=True)
            assert not [m for m in markers(api, owner) if m in text], (label, text[:300])
            shared += 1
        assert owned(api, after, owner) == owned(api, before, owner), label
    # and the owner still sees its own objects (so "not found" above was not just absence)
    for route in routes(api, owner):
        sandbox.load(WORLD)
        assert sandbox.call(route, owner).status_code < 300, route.key
    print(f"[reliability] isolation, {api} {caller} -> {owner}: {refused} routes naming the other's objects "
          f"refused with state unchanged, {shared} shared routes without the other's data, "
          f"{refused + shared} checks of the other's rows")


@pytest.mark.parametrize("api", ["atrium", "myrewards"])
def test_mixed_credentials_are_refused_on_every_route(sandbox, api):
    """One tenant's id with the other's secret."""
    mixed = ({"client_id": "client-a", "api_key": "atrium-key-b"} if api == "atrium"
             else {"key": "mr-signed-a", "secret": "mr-secret-b"})
    sandbox.load(WORLD)
    before = sandbox.state(api)
    for route in routes(api, "a"):
        response = sandbox.send(api, route.method, route.url(), encode(route.body), creds=mixed)
        assert response.status_code == 401 and error_shape_problem(api, response) is None, route.key
    assert sandbox.state(api) == before
    print(f"[reliability] isolation, {api}: mixed credentials refused with 401 on {len(routes(api))} routes")


def test_saasquatch_tenants_with_the_same_ids_each_see_their_own(sandbox):
    sandbox.load(WORLD)
    for t, assigned, percent in (("a", 1000, 5), ("b", 2000, 7)):
        listed = sandbox.call(routes("saasquatch", t)[2], t).get_json()      # GET /reward?accountId=acct-1
        assert {r["id"]: r["assignedCredit"] or r["discountPercent"] for r in listed} == {
            "aaaaaaaaaaaaaaaaaaaaaaa1": assigned, "aaaaaaaaaaaaaaaaaaaaaaa2": percent}
    redeem = routes("saasquatch", "a")[1]                                     # bulkredeem 5 from acct-1
    assert sandbox.call(redeem, "a").get_json()["creditAvailable"] == 995
    balance = sandbox.call(routes("saasquatch", "b")[5], "b").get_json()      # tenant b's acct-1
    assert [b["totalRedeemedCredit"] for b in balance if b["type"] == "CREDIT"] == [0]


def test_namespaces_are_separate_companies(sandbox):
    sandbox.load(WORLD, namespace="iso-a")
    sandbox.load(WORLD_B, namespace="iso-b")
    other_before = {api: sandbox.state(api, namespace="iso-b") for api in APIS}
    refused = accepted = 0
    for route in routes("eagleeye", "a"):
        # company a's client in company b's namespace: unknown there
        response = sandbox.send("eagleeye", route.method, route.url(), encode(route.body), tenant="a", namespace="iso-b")
        assert response.status_code == 401 and error_shape_problem("eagleeye", response) is None, route.key
        # a client id with the other company's secret, in its own namespace
        body = encode(route.body)
        headers = auth_headers("eagleeye", {"client_id": "ee-client-b", "secret": "ee-secret-a"}, route.url(), body)
        response = sandbox.send("eagleeye", route.method, route.url(), body, tenant=None, headers=headers,
                                namespace="iso-b")
        assert response.status_code == 401, route.key
        refused += 2
    for api in APIS:                     # every API's requests in namespace iso-a, as its owner
        for route in routes(api, "a"):
            sandbox.load(WORLD, namespace="iso-a")
            for step in route.setup:
                sandbox.call(step, "a", namespace="iso-a")
            assert sandbox.call(route, "a", namespace="iso-a").status_code < 300, route.key
            accepted += 1
    assert {api: sandbox.state(api, namespace="iso-b") for api in APIS} == other_before
    wallet = sandbox.send("eagleeye", "GET", "/eagleeye/wallet/5001/account/6001", tenant="b", namespace="iso-b")
    assert wallet.get_json()["balances"]["current"] == 900                 # company b's own balance
    print(f"[reliability] isolation, namespaces: {refused} cross-company Eagle Eye requests refused with 401; "
          f"{accepted} requests in namespace iso-a on every route of every API left iso-b's state unchanged")
