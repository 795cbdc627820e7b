"""The user-level reads an integration makes after a fetch (accounts and transactions of a
user, of an account, one account, one transaction): MX's pagination, the default date
window on the sandbox clock, and the beta reward fields on accounts."""
from __future__ import annotations

from sandbox.apis.atrium.schemas import ACCOUNT_FIELDS, BETA_ACCOUNT_FIELDS, TRANSACTION_FIELDS
from tests.apis.atrium.world import BASIC_USER, BETA, CU_MEMBER, MEMBER, USER, V1, WORLD, member_path

U = f"/atrium/users/{USER}"
# the clock is 2026-01-15: MX's default window is 2025-10-17 .. 2026-01-20
DATED = [("TRN-too-old", "2025-10-16"), ("TRN-oldest", "2025-10-17"), ("TRN-latest", "2026-01-20"),
         ("TRN-too-new", "2026-01-21")]


def a_world(atrium_world):
    """Alice's MX Bank member with two accounts, her credit union member with one, and
    transactions around the edges of the default window."""
    users = [dict(u) for u in WORLD["atrium"]["users"]]
    alice = users[0] = {**users[0], "members": [dict(m) for m in users[0]["members"]]}
    mxbank, cu = alice["members"]
    mxbank["accounts"] = mxbank["accounts"] + [{"guid": "ACT-checking", "name": "Checking", "type": "CHECKING",
                                                "balance": 10.0}]
    mxbank["transactions"] = mxbank["transactions"] + [
        {"guid": guid, "account_guid": "ACT-checking", "amount": 1.0, "type": "DEBIT", "date": day}
        for guid, day in DATED]
    cu["accounts"] = [{"guid": "ACT-savings", "name": "Savings", "type": "SAVINGS", "balance": 5.0}]
    cu["transactions"] = [{"guid": "TRN-dividend", "account_guid": "ACT-savings", "amount": 0.5,
                           "type": "CREDIT", "days_ago": 2}]
    return atrium_world(users=users)


def guids(response, key) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["guid"] for item in response.get_json()[key]]


def test_a_user_lists_the_accounts_of_all_members_with_mx_pagination(atrium_world):
    atrium = a_world(atrium_world)
    body = atrium.get(f"{U}/accounts").get_json()
    assert [a["guid"] for a in body["accounts"]] == ["ACT-card", "ACT-checking", "ACT-savings"]
    assert body["pagination"] == {"current_page": 1, "per_page": 25, "total_entries": 3, "total_pages": 1}
    assert all(tuple(a) == ACCOUNT_FIELDS for a in body["accounts"])
    assert [a["institution_code"] for a in body["accounts"]] == ["mxbank", "mxbank", "sandbox_cu"]
    second = atrium.get(f"{U}/accounts?page=2&records_per_page=2").get_json()
    assert [a["guid"] for a in second["accounts"]] == ["ACT-savings"]
    assert second["pagination"] == {"current_page": 2, "per_page": 2, "total_entries": 3, "total_pages": 2}


def test_the_beta_accept_header_adds_the_reward_fields_to_every_account_read(atrium):
    reads = [f"{U}/accounts", f"{U}/accounts/ACT-card", member_path(suffix="/accounts"),
             member_path(suffix="/accounts/ACT-card")]
    for path in reads:
        v1, beta = atrium.get(path, accept=V1), atrium.get(path, accept=BETA)
        assert beta.headers["Content-Type"].startswith(BETA), path
        card_v1 = v1.get_json().get("account") or v1.get_json()["accounts"][0]
        card_beta = beta.get_json().get("account") or beta.get_json()["accounts"][0]
        assert set(card_v1) == set(ACCOUNT_FIELDS), path
        assert set(card_beta) == set(ACCOUNT_FIELDS + BETA_ACCOUNT_FIELDS), path
        assert card_beta["primary_reward_unit"] == "MILES"
    assert len(reads) == 4


def test_one_account_by_user_and_by_member(atrium_world):
    atrium = a_world(atrium_world)
    assert atrium.get(f"{U}/accounts/ACT-savings").get_json()["account"]["member_guid"] == CU_MEMBER
    assert atrium.get(member_path(CU_MEMBER, suffix="/accounts/ACT-savings")).status_code == 200
    # the account exists, but not under this member; another user's; unknown
    assert atrium.get(member_path(MEMBER, suffix="/accounts/ACT-savings")).status_code == 404
    assert atrium.get(f"/atrium/users/{BASIC_USER}/accounts/ACT-savings").status_code == 404
    assert atrium.get(f"{U}/accounts/ACT-nothing").status_code == 404


def test_another_clients_user_is_not_found(atrium):
    other = atrium.as_client("basic", "basic-key")
    for path in (f"{U}/accounts", f"{U}/accounts/ACT-card", f"{U}/transactions", f"{U}/transactions/TRN-food",
                 f"{U}/accounts/ACT-card/transactions"):
        response = other.get(path)
        assert response.status_code == 404, path
        assert response.get_json() == {"error": {"message": "Invalid item/id/URL requested."}}


def test_transactions_default_to_90_days_back_and_5_forward_on_the_sandbox_clock(atrium_world):
    atrium = a_world(atrium_world)
    listed = guids(atrium.get(f"{U}/transactions"), "transactions")
    assert listed == ["TRN-flight", "TRN-food", "TRN-oldest", "TRN-latest", "TRN-dividend"]
    assert guids(atrium.get(member_path(suffix="/transactions")), "transactions") == listed[:4]
    atrium.advance("1d")            # the window moves with the clock
    assert "TRN-oldest" not in guids(atrium.get(f"{U}/transactions"), "transactions")
    assert "TRN-too-new" in guids(atrium.get(f"{U}/transactions"), "transactions")


def test_from_date_and_to_date_replace_the_window_one_by_one(atrium_world):
    atrium = a_world(atrium_world)
    assert guids(atrium.get(f"{U}/transactions?from_date=2025-01-01&to_date=2025-12-31"), "transactions") == \
        ["TRN-too-old", "TRN-oldest"]
    assert guids(atrium.get(f"{U}/transactions?from_date=2025-01-01"), "transactions")[:2] == \
        ["TRN-flight", "TRN-food"]
    assert "TRN-too-old" in guids(atrium.get(f"{U}/transactions?from_date=2025-01-01"), "transactions")
    assert "TRN-too-new" in guids(atrium.get(f"{U}/transactions?to_date=2026-02-01"), "transactions")
    body = atrium.get(f"{U}/transactions?from_date=2025-01-01&to_date=2027-01-01&records_per_page=2&page=3")
    assert guids(body, "transactions") == ["TRN-latest", "TRN-too-new"]
    assert body.get_json()["pagination"] == {"current_page": 3, "per_page": 2, "total_entries": 7,
                                             "total_pages": 4}


def test_an_accounts_transactions(atrium_world):
    atrium = a_world(atrium_world)
    assert guids(atrium.get(f"{U}/accounts/ACT-card/transactions"), "transactions") == ["TRN-flight", "TRN-food"]
    assert guids(atrium.get(f"{U}/accounts/ACT-checking/transactions?from_date=2026-01-20"), "transactions") == \
        ["TRN-latest"]
    assert atrium.get(f"{U}/accounts/ACT-nothing/transactions").status_code == 404


def test_one_transaction_whatever_its_date(atrium_world):
    atrium = a_world(atrium_world)
    body = atrium.get(f"{U}/transactions/TRN-too-old").get_json()
    assert tuple(body["transaction"]) == TRANSACTION_FIELDS
    assert body["transaction"]["date"] == "2025-10-16"
    assert body["transaction"]["account_guid"] == "ACT-checking"
    assert atrium.get(f"{U}/transactions/TRN-dividend").get_json()["transaction"]["date"] == "2026-01-13"
    assert atrium.get(f"{U}/transactions/TRN-nothing").status_code == 404


def test_a_members_data_shows_at_user_level_only_once_a_job_gathered_it(atrium):
    user = atrium.create_user("new-user")
    created = atrium.create_member(user)
    assert created.status_code == 200
    member = created.get_json()["member"]["guid"]
    assert atrium.get(f"/atrium/users/{user}/accounts").get_json()["accounts"] == []
    assert atrium.get(f"/atrium/users/{user}/transactions").get_json()["transactions"] == []
    atrium.advance("3s")
    accounts = guids(atrium.get(f"/atrium/users/{user}/accounts"), "accounts")
    transactions = guids(atrium.get(f"/atrium/users/{user}/transactions"), "transactions")
    assert len(accounts) == 2 and len(transactions) == 3
    assert atrium.get(f"/atrium/users/{user}/members/{member}/accounts/{accounts[0]}").status_code == 200
    assert atrium.get(f"/atrium/users/{user}/transactions/{transactions[0]}").status_code == 200


def test_an_undated_scenario_transaction_is_dated_the_day_the_world_loads(atrium_world):
    users = [dict(u) for u in WORLD["atrium"]["users"]]
    users[0] = {**users[0], "members": [{**users[0]["members"][0], "transactions": [
        {"guid": "TRN-undated", "account_guid": "ACT-card", "amount": 1.0, "type": "DEBIT"}]}]}
    atrium = atrium_world(users=users)
    assert atrium.get(f"{U}/transactions/TRN-undated").get_json()["transaction"]["date"] == "2026-01-15"
