"""Atrium's rules called directly (no HTTP): the service takes a connection and values, and
refuses with the vendor's errors."""
from sandbox.apis.atrium import errors
from sandbox.apis.atrium.service import jobs, members, users
from tests.support import refusal

CLIENT = {"client_id": "atrium-client", "features": ["rewards"]}
USER, MEMBER = "USR-fa7537f3-48aa-a683-a02a-b18940482f54", "MBR-7c6f361b-e582-15b6-60c0-358f12466b4b"


def test_users_are_created_and_read_per_client(world_db):
    db, _ = world_db()
    created = users.create_user(db, "atrium-client", {"identifier": "svc-1", "metadata": None})
    assert users.read_user(db, "atrium-client", created["guid"])["identifier"] == "svc-1"
    assert refusal(users.read_user, db, "another-client", created["guid"]).message == errors.NOT_FOUND
    assert refusal(users.create_user, db, "atrium-client", {"identifier": "svc-1"}).status == 409


def test_a_second_rewards_job_while_one_runs_is_202_and_another_kind_409(world_db):
    db, now = world_db()
    assert jobs.start_job(db, now, CLIENT, USER, MEMBER, "fetch_rewards")[0] == 200
    assert jobs.start_job(db, now, CLIENT, USER, MEMBER, "fetch_rewards")[0] == 202
    assert refusal(jobs.start_job, db, now, CLIENT, USER, MEMBER, "aggregate").status == 409
    assert members.read_member(db, now, "atrium-client", USER, MEMBER)["is_being_aggregated"] is True
