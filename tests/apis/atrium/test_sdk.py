"""MX's own Python SDK (PyPI atrium 2.11.7), unchanged but for its host, against the real
server: the whole MFA-then-rewards story a partner's integration goes through."""
from __future__ import annotations

import atrium as mx
import pytest
import requests

from tests.apis.atrium.world import BETA, MEMBER, USER, WORLD

REWARDS_PATH = "/users/{user_guid}/members/{member_guid}/rewards"


@pytest.fixture
def sdk(live_server):
    server = live_server(WORLD, workers=2)
    client = mx.AtriumClient("partner-key", "partner", environment=server.url + "/atrium")

    def advance(by):
        assert requests.post(server.url + "/_sandbox/clock/advance", json={"by": by}, timeout=5).ok

    return client, advance


def beta_call(client, method, path, user_guid, member_guid, response_type):
    """What a partner does for the beta endpoints the 2.11.7 SDK has no methods for: the
    SDK's own ApiClient with the beta Accept header."""
    api_client = client.members.api_client
    return api_client.call_api(
        path, method, {"user_guid": user_guid, "member_guid": member_guid}, [],
        {"Accept": BETA, "Content-Type": "application/json"}, response_type=response_type,
        auth_settings=["apiKey", "clientID"], _return_http_data_only=False)


def poll_status(client, advance, user_guid, member_guid, stop):
    """Poll the connection status, moving the sandbox clock a second between polls."""
    for _ in range(20):
        status = client.members.read_member_status(member_guid, user_guid).member
        if stop(status):
            return status
        advance("1s")
    raise AssertionError(f"member never reached the expected state: {status}")


def answer_challenge(client, advance, user_guid, member_guid):
    """Poll until CHALLENGED, answer `correct`, poll until the job is over."""
    status = poll_status(client, advance, user_guid, member_guid, lambda s: s.connection_status == "CHALLENGED")
    challenge = client.members.list_member_mfa_challenges(member_guid, user_guid).challenges[0]
    assert status.challenges[0].guid == challenge.guid and challenge.type == "TEXT"
    resumed = client.members.resume_member(member_guid, user_guid, mx.MemberResumeRequestBody(
        member=mx.MemberResumeRequest(challenges=[mx.CredentialRequest(guid=challenge.guid, value="correct")]))).member
    assert resumed.connection_status == "RESUMED"
    return poll_status(client, advance, user_guid, member_guid, lambda s: not s.is_being_aggregated)


def test_the_official_sdk_runs_the_mfa_and_rewards_flow(sdk):
    client, advance = sdk
    user = client.users.create_user(mx.UserCreateRequestBody(
        user=mx.User(identifier="sdk-user", metadata='{"first_name": "Steven"}'))).user
    assert user.guid.startswith("USR-") and user.is_disabled is False

    fields = {c.field_name: c.guid for c in client.institutions.read_institution_credentials("mxbank").credentials}
    member = client.members.create_member(user.guid, mx.MemberCreateRequestBody(member=mx.MemberCreateRequest(
        institution_code="mxbank", credentials=[mx.CredentialRequest(guid=fields["LOGIN"], value="test_atrium"),
                                                mx.CredentialRequest(guid=fields["PASSWORD"], value="challenge")],
    ))).member
    assert (member.connection_status, member.is_being_aggregated, member.name) == ("CREATED", True, "MX Bank")

    status = answer_challenge(client, advance, user.guid, member.guid)
    assert (status.connection_status, status.status, status.has_processed_transactions) == \
        ("CONNECTED", "COMPLETED", True)

    fetched, code, headers = beta_call(client, "POST", "/users/{user_guid}/members/{member_guid}/fetch_rewards",
                                       user.guid, member.guid, "MemberResponseBody")
    assert code == 200 and fetched.member.is_being_aggregated is True
    assert headers["Content-Type"].startswith("application/vnd.mx.atrium.beta+json")
    again, code, _ = beta_call(client, "POST", "/users/{user_guid}/members/{member_guid}/fetch_rewards",
                               user.guid, member.guid, "MemberResponseBody")
    assert code == 202 and again.member.is_being_aggregated is True
    with pytest.raises(mx.rest.ApiException) as conflict:
        client.members.aggregate_member(member.guid, user.guid)
    assert conflict.value.status == 409

    # the member's credentials ask for MFA, so the fetch is challenged too (MX "Rewards endpoints" warns of it)
    answer_challenge(client, advance, user.guid, member.guid)
    listed, code, _ = beta_call(client, "GET", REWARDS_PATH, user.guid, member.guid, "object")
    assert code == 200
    assert {r["unit_type"] for r in listed["rewards"]} == {"MILES", "POINTS"}
    one, _, _ = beta_call(client, "GET", REWARDS_PATH + "/" + listed["rewards"][0]["guid"], user.guid,
                          member.guid, "object")
    assert one == {"reward": listed["rewards"][0]}

    accounts = client.members.list_member_accounts(member.guid, user.guid)
    assert accounts.pagination.total_entries == 2
    transactions = client.members.list_member_transactions(member.guid, user.guid)
    assert {t.account_guid for t in transactions.transactions} <= {a.guid for a in accounts.accounts}

    # a standard aggregation inside the three hours after the fetch: 202, nothing starts
    blocked = client.members.aggregate_member(member.guid, user.guid).member
    assert blocked.is_being_aggregated is False

    client.members.delete_member(member.guid, user.guid)
    client.users.delete_user(user.guid)
    with pytest.raises(mx.rest.ApiException) as gone:
        client.users.read_user(user.guid)
    assert gone.value.status == 404


def test_the_sdk_sees_mx_errors(sdk):
    client, _ = sdk
    listed = client.institutions.list_institutions(name="mx")
    assert [i.code for i in listed.institutions] == ["mxbank"]
    assert listed.pagination.total_entries == 1
    with pytest.raises(mx.rest.ApiException) as not_found:
        client.users.read_user("USR-nobody")
    assert not_found.value.status == 404
    # (the 2.11.7 SDK's clients share one header dict, so the wrong key comes last)
    wrong = mx.AtriumClient("wrong-key", "partner", environment=client.users.api_client.configuration.host)
    with pytest.raises(mx.rest.ApiException) as unauthorized:
        wrong.users.list_users()
    assert unauthorized.value.status == 401
    assert '"Invalid MX-API-Key or MX-Client-ID provided."' in str(unauthorized.value.body)


def test_the_official_sdk_lists_a_users_accounts_and_transactions(sdk):
    client, _ = sdk
    accounts = client.accounts.list_user_accounts(USER, records_per_page=10)
    assert [a.guid for a in accounts.accounts] == ["ACT-card"]
    assert (accounts.accounts[0].member_guid, accounts.accounts[0].type) == (MEMBER, "CREDIT_CARD")
    assert (accounts.pagination.current_page, accounts.pagination.per_page, accounts.pagination.total_entries) == \
        (1, 10, 1)
    transactions = client.transactions.list_user_transactions(USER)
    assert [t.guid for t in transactions.transactions] == ["TRN-flight", "TRN-food"]
    assert transactions.pagination.total_entries == 2
    assert [t.guid for t in client.transactions.list_user_transactions(
        USER, from_date="2026-01-10", to_date="2026-01-31").transactions] == ["TRN-food"]
    assert client.accounts.read_account("ACT-card", USER).account.balance == 340.12
    assert client.accounts.read_account_by_member_guid("ACT-card", MEMBER, USER).account.guid == "ACT-card"
    assert [t.guid for t in client.accounts.list_account_transactions("ACT-card", USER).transactions] == \
        ["TRN-flight", "TRN-food"]
    assert client.transactions.read_transaction("TRN-food", USER).transaction.amount == 61.11
    with pytest.raises(mx.rest.ApiException) as missing:
        client.accounts.read_account("ACT-nothing", USER)
    assert missing.value.status == 404


def test_the_official_sdk_works_with_a_base_url_ending_in_a_slash(live_server):
    """The SDK joins host and path, so ``.../atrium/`` sends ``/atrium//users``: served as
    ``/atrium/users``, not answered with an HTML redirect."""
    server = live_server(WORLD, workers=1)
    client = mx.AtriumClient("partner-key", "partner", environment=server.url + "/atrium/")
    assert [u.guid for u in client.users.list_users().users] == [USER]
    assert [a.guid for a in client.accounts.list_user_accounts(USER).accounts] == ["ACT-card"]
    raw = requests.delete(f"{server.url}/atrium/users/{USER}", timeout=5,
                          headers={"MX-Client-ID": "partner", "MX-API-Key": "partner-key",
                                   "Accept": "application/vnd.mx.atrium.v1+json"})
    assert raw.status_code == 204 and "Content-Type" not in raw.headers and raw.headers["X-Request-Id"]
