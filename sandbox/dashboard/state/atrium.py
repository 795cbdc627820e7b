"""MX Atrium's state: users, their members with the connection status the API would answer
now (worked out from the jobs and the sandbox clock, as every Atrium read does), jobs,
rewards, accounts and transactions, what the premium jobs gathered, credit card products."""
from __future__ import annotations

from collections import defaultdict

from sandbox.apis.atrium.service.connection import member_state, view_job
from sandbox.core.timeutil import to_iso

from .model import Table, View



def derive(db, tables: dict, now) -> None:
    jobs_of = defaultdict(list)
    for job in tables.get("jobs", []):
        jobs_of[job["member_guid"]].append(job)
        job_view = view_job(job, now)
        job["state"] = job_view.state if job_view.in_progress else f"ended {job_view.result}"
    for member in tables.get("members", []):
        jobs = jobs_of[member["guid"]]
        state = member_state(member, jobs, now)
        member["connection_status"] = state["connection_status"]
        member["is_being_aggregated"] = state["is_being_aggregated"]
        member["aggregated_at"] = to_iso(state["aggregated_at"])
        member["successfully_aggregated_at"] = to_iso(state["successfully_aggregated_at"])
        member["jobs"] = len(jobs)
        member["latest_job"] = f"{jobs[-1]['type']}: {jobs[-1]['state']}" if jobs else ""


VIEW = View(
    derive=derive,
    tables=(
        Table("users", key="guid", links={"client_id": "clients"}, singular="User",
              columns=("guid", "identifier", "client_id", "is_disabled", "metadata")),
        Table("members", key="guid", singular="Member",
              links={"user_guid": "users", "institution_code": "institutions"},
              note="connection_status as the API answers it now, from the jobs and the sandbox clock",
              columns=("guid", "user_guid", "institution_code", "connection_status", "is_being_aggregated",
                       "latest_job", "jobs", "aggregated_at", "successfully_aggregated_at", "identifier",
                       "username", "password", "metadata")),
        Table("jobs", key="id", links={"member_guid": "members"}, singular="Job",
              columns=("id", "member_guid", "type", "state", "started_at", "leg_ends_at", "outcome",
                       "challenge_type", "cancelled_at")),
        Table("rewards", key="guid", singular="Reward",
              links={"member_guid": "members", "account_guid": "accounts", "user_guid": "users"},
              columns=("guid", "member_guid", "account_guid", "balance", "balance_type", "unit_type",
                       "description", "expires_on")),
        Table("accounts", key="guid", links={"member_guid": "members", "user_guid": "users"}, singular="Account"),
        Table("transactions", key="guid", singular="Transaction",
              links={"member_guid": "members", "account_guid": "accounts", "user_guid": "users"}),
        Table("premium_results", key="id", singular="Premium result",
              note="account numbers, account owners and statements: shown by the API once verify, identify "
                   "or fetch_statements has completed",
              links={"member_guid": "members", "account_guid": "accounts", "user_guid": "users"}),
        Table("institutions", key="code", singular="Institution"),
        Table("credit_card_products", key="guid", singular="Credit card product"),
        Table("clients", key="client_id", singular="Client"),
    ),
)
