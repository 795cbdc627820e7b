"""A small Atrium world with a frozen clock, and a client helper that adds MX's headers."""
from __future__ import annotations

import copy

V1 = "application/vnd.mx.atrium.v1+json"
BETA = "application/vnd.mx.atrium.beta+json"
LOGIN = "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1"        # MX Bank's recorded credential guids
PASSWORD = "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d"
USER = "USR-alice"
MEMBER = "MBR-alice-mxbank"          # connected to MX Bank, holds rewards
CU_MEMBER = "MBR-alice-cu"           # Sandbox Credit Union: no rewards support
BASIC_USER = "USR-bob"               # belongs to the client without premium features
BASIC_MEMBER = "MBR-bob-mxbank"
START = "2026-01-15T09:00:00Z"

WORLD = {
    "name": "atrium-tests",
    "clock": START,
    "atrium": {
        "clients": [
            {"client_id": "partner", "api_key": "partner-key",
             "features": ["rewards", "identification", "verification", "statements", "extended_history"]},
            {"client_id": "basic", "api_key": "basic-key"},
        ],
        "users": [
            {"guid": USER, "client_id": "partner", "identifier": "alice", "members": [
                {"guid": MEMBER, "institution_code": "mxbank",
                 "accounts": [{"guid": "ACT-card", "name": "Rewards Visa", "type": "CREDIT_CARD",
                               "balance": 340.12, "primary_reward_unit": "MILES"}],
                 "transactions": [{"guid": "TRN-flight", "account_guid": "ACT-card", "amount": 412.6,
                                   "type": "DEBIT", "description": "Delta Air Lines", "date": "2026-01-09"},
                                  {"guid": "TRN-food", "account_guid": "ACT-card", "amount": 61.11,
                                   "type": "DEBIT", "description": "Whole Foods", "date": "2026-01-12"}],
                 "rewards": [{"guid": "RWD-miles", "account_guid": "ACT-card", "balance": 1200.5,
                              "balance_type": "TOTAL_BALANCE", "unit_type": "MILES",
                              "description": "SkyMiles", "expires_on": "2026-12-31"},
                             {"guid": "RWD-points", "balance": 300, "balance_type": "EXPIRING_BALANCE",
                              "unit_type": "POINTS", "description": "Dining points"}]},
                {"guid": CU_MEMBER, "institution_code": "sandbox_cu"},
            ]},
            {"guid": BASIC_USER, "client_id": "basic", "members": [
                {"guid": BASIC_MEMBER, "institution_code": "mxbank"}]},
        ],
    },
}


def world(**atrium_changes) -> dict:
    """WORLD with some keys of its atrium section replaced (or added)."""
    doc = copy.deepcopy(WORLD)
    doc["atrium"].update(copy.deepcopy(atrium_changes))
    return doc


def member_path(member=MEMBER, user=USER, suffix="") -> str:
    return f"/atrium/users/{user}/members/{member}{suffix}"


def credentials(username="test_atrium", password="password") -> list[dict]:
    return [{"guid": LOGIN, "value": username}, {"guid": PASSWORD, "value": password}]


class Atrium:
    """Calls the app as one Atrium client; moves and reads the sandbox clock."""

    def __init__(self, app, client_id="partner", api_key="partner-key"):
        self.app = app
        self.http = app.test_client()
        self.client_id, self.api_key = client_id, api_key

    def as_client(self, client_id: str, api_key: str) -> "Atrium":
        return Atrium(self.app, client_id, api_key)

    def headers(self, accept=V1) -> dict:
        return {"MX-Client-ID": self.client_id, "MX-API-Key": self.api_key, "Accept": accept}

    def call(self, method, path, json=None, accept=None, headers=None, data=None):
        if accept is None:
            accept = BETA if "rewards" in path else V1
        all_headers = {**self.headers(accept), **(headers or {})}
        return self.http.open(path, method=method, json=json, data=data, headers=all_headers)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.call("PUT", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def status(self, member=MEMBER, user=USER) -> dict:
        response = self.get(member_path(member, user, "/status"))
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["member"]

    def advance(self, by: str) -> None:
        assert self.http.post("/_sandbox/clock/advance", json={"by": by}).status_code == 200

    def state(self) -> dict:
        return self.http.get("/_sandbox/state/atrium").get_json()["tables"]

    def create_user(self, identifier=None) -> str:
        response = self.post("/atrium/users", json={"user": {"identifier": identifier, "metadata": "{}"}})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["user"]["guid"]

    def create_member(self, user, password="password", username="test_atrium", institution="mxbank",
                      **fields):
        return self.post(f"/atrium/users/{user}/members", json={"member": {
            "institution_code": institution, "credentials": credentials(username, password), **fields}})

