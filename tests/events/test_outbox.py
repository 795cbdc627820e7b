"""The outbox and the control API, in process (no dispatcher): what is emitted, when, and
what is refused."""
import pytest

from sandbox.core import events
from sandbox.core.db import borrowed, write_transaction

from .conftest import ATRIUM_WORLD, BETA, MEMBER, SAASQUATCH_WORLD, SQ, TENANT, sq_auth, subscribe, webhooks

HOOK = "http://127.0.0.1:9/hooks"


@pytest.fixture
def atrium(make_app):
    app = make_app(ATRIUM_WORLD)
    return app.test_client()


@pytest.fixture
def sq(make_app):
    app = make_app(SAASQUATCH_WORLD)
    return app, app.test_client(), sq_auth(app)


def test_a_completed_rewards_fetch_emits_aggregation_and_reward_at_its_instant(atrium):
    subscribe(atrium, "atrium", HOOK, "partner-dev")
    assert atrium.post(f"{MEMBER}/fetch_rewards", headers=BETA).status_code == 200
    atrium.post("/_sandbox/clock/advance", json={"seconds": 2})
    assert webhooks(atrium) == []                       # the job (3 s) has not ended
    atrium.post("/_sandbox/clock/advance", json={"seconds": 1})
    found = webhooks(atrium)
    assert [w["type"] for w in found] == ["AGGREGATION", "REWARD"]
    reward = found[1]
    assert reward["payload"] == {"action": "member_data_updated", "completed_at": 1768467603,
                                 "completed_on": "2026-01-15", "member_guid": "MBR-mxbank-1",
                                 "rewards_created_count": 2, "rewards_updated_count": 0, "type": "REWARD",
                                 "user_guid": "USR-user-1"}
    assert reward["due_at"] == "2026-01-15T09:00:03Z" and reward["status"] == "pending" and reward["url"] == HOOK
    assert found[0]["payload"]["is_background"] is False and found[0]["payload"]["job_guid"].startswith("JOB-")


def test_background_aggregation_after_24_hours_shows_rewards_and_starts_no_lockout(atrium):
    assert atrium.get(f"{MEMBER}/rewards", headers=BETA).get_json() == {"rewards": []}
    atrium.post("/_sandbox/clock/advance", json={"by": "25h"})
    rewards = atrium.get(f"{MEMBER}/rewards", headers=BETA).get_json()["rewards"]
    assert [r["guid"] for r in rewards] == ["RWD-miles", "RWD-points"]
    assert rewards[0]["created_at"] == "2026-01-16T09:00:00+00:00"
    status = atrium.get(f"{MEMBER}/status", headers=BETA).get_json()["member"]
    assert status["successfully_aggregated_at"] == "2026-01-16T09:00:00+00:00"
    background = [w for w in webhooks(atrium, type="AGGREGATION") if w["payload"]["member_guid"] == "MBR-mxbank-1"]
    assert len(background) == 1
    assert background[0]["payload"]["is_background"] is True and background[0]["status"] == "no_subscriber"
    assert background[0]["due_at"] == "2026-01-16T09:00:00Z"
    assert webhooks(atrium, type="REWARD") == []        # REWARD only after a rewards fetch
    # not an aggregation-type job: a standard aggregation right after it starts
    reply = atrium.post(f"{MEMBER}/aggregate", headers=BETA)
    assert reply.status_code == 200 and reply.get_json()["member"]["is_being_aggregated"] is True


def test_background_aggregation_waits_for_a_running_job_and_runs_as_it_ends(atrium):
    atrium.post("/_sandbox/clock/advance", json={"seconds": 86399})     # 1 s before it is due
    atrium.post(f"{MEMBER}/aggregate", headers=BETA)
    atrium.post("/_sandbox/clock/advance", json={"seconds": 2})         # due now, but a job runs
    mine = lambda: [w for w in webhooks(atrium, type="AGGREGATION") if w["payload"]["member_guid"] == "MBR-mxbank-1"]
    assert mine() == []
    atrium.post("/_sandbox/clock/advance", json={"seconds": 5})         # the job ended at +3 s
    found = mine()
    assert [w["payload"]["is_background"] for w in found] == [False, True]
    assert found[0]["due_at"] == found[1]["due_at"] == "2026-01-16T09:00:02Z"


def test_a_challenge_emits_connection_status_with_its_id(atrium):
    reply = atrium.put(f"{MEMBER}", headers=BETA, json={"member": {"credentials": [
        {"guid": "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1", "value": "test_atrium"},
        {"guid": "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d", "value": "challenge"}]}})
    assert reply.status_code == 200, reply.get_data()
    atrium.post("/_sandbox/clock/advance", json={"seconds": 3})
    (found,) = webhooks(atrium, type="CONNECTION_STATUS")
    assert found["payload"]["connection_status"] == "CHALLENGED" and found["payload"]["connection_status_id"] == 3
    assert found["payload"]["action"] == "CHANGED" and "challenge" in found["payload"]["connection_status_message"]
    atrium.post("/_sandbox/clock/advance", json={"seconds": 600})       # not answered in time
    assert [w["payload"]["connection_status"] for w in webhooks(atrium, type="CONNECTION_STATUS")] == \
        ["CHALLENGED", "EXPIRED"]


def test_bulkredeem_emits_one_event_per_user_and_unit_and_a_refused_one_nothing(sq):
    app, client, auth = sq
    subscribe(client, "saasquatch", HOOK, TENANT)
    refused = client.post(f"{SQ}/credit/bulkredeem", headers=auth, json={"accountId": "acct-1001", "unit": "CENTS", "amount": 3301})
    assert refused.status_code == 402
    assert webhooks(client) == []
    done = client.post(f"{SQ}/credit/bulkredeem", headers=auth, json={"accountId": "acct-1001", "unit": "CENTS", "amount": 500})
    assert done.status_code == 200
    found = webhooks(client)
    assert [(w["payload"]["data"]["userId"], w["payload"]["data"]["availableValue"]) for w in found] == \
        [("user-1", 2000), ("user-2", 800)]
    envelope = found[0]["payload"]
    assert envelope["type"] == "user.reward.balance.changed" and envelope["tenantAlias"] == TENANT
    assert envelope["live"] is False and isinstance(envelope["created"], int) and len(envelope["id"]) == 24
    assert envelope["data"] == {"userId": "user-1", "accountId": "acct-1001", "unit": "CENTS", "availableValue": 2000}


def test_pending_credit_becoming_available_and_expiry_are_events_at_their_instants(sq):
    _, client, _ = sq
    client.post("/_sandbox/clock/advance", json={"by": "31d"})
    found = webhooks(client, api="saasquatch")
    assert [(w["due_at"], w["payload"]["data"]["userId"], w["payload"]["data"]["availableValue"]) for w in found] == \
        [("2026-03-15T00:00:00Z", "user-2", 2000), ("2026-03-31T00:00:00Z", "user-1", 2000)]
    assert found[0]["payload"]["created"] == 1773532800000      # the due instant, not the wall clock


def test_cancelling_credit_is_an_event_and_discounts_are_not(sq):
    app, client, auth = sq
    assert client.post(f"{SQ}/reward/rwd-available/cancel", headers=auth).status_code == 200
    assert [w["payload"]["data"]["availableValue"] for w in webhooks(client)] == [300]
    assert client.post(f"{SQ}/reward/rwd-discount-referred/cancel", headers=auth).status_code == 200
    assert len(webhooks(client)) == 1


def test_a_rolled_back_change_emits_nothing(sq):
    app, client, _ = sq
    from sandbox.apis.saasquatch import service
    with borrowed(app.extensions["sandbox"].settings.db_path) as db:
        tenant = dict(db.execute("SELECT * FROM saasquatch_tenants WHERE tenant_alias = ?", [TENANT]).fetchone())
        from sandbox.core.clock import now
        with pytest.raises(RuntimeError):
            with write_transaction(db):
                service.bulk_redeem(db, tenant, now(db), "acct-1001", "CENTS", 100)
                assert len(events.webhooks(db)) == 1           # written with the change ...
                raise RuntimeError("the request fails after the debit")
        assert events.webhooks(db) == []                      # ... and gone with it


def test_the_control_api_lists_filters_and_refuses_bad_input(sq):
    _, client, auth = sq
    client.post(f"{SQ}/credit/bulkredeem", headers=auth, json={"accountId": "acct-1001", "unit": "CENTS", "amount": 500})
    assert {w["status"] for w in webhooks(client)} == {"no_subscriber"}
    assert webhooks(client, status="pending") == [] and webhooks(client, api="atrium") == []
    assert len(webhooks(client, type="user.reward.balance.changed")) == 2
    assert client.get("/_sandbox/webhooks?status=sent").status_code == 400
    no_url = webhooks(client)[0]["id"]
    assert client.post(f"/_sandbox/webhooks/{no_url}/redeliver").status_code == 409
    assert client.post("/_sandbox/webhooks/999/redeliver").status_code == 404
    for body in ({"api": "myrewards", "url": HOOK, "client": "x"}, {"api": "saasquatch", "url": "ftp://x", "client": TENANT},
                 {"api": "saasquatch", "url": HOOK, "client": "no-such-tenant"}, {"api": "saasquatch"}, [1]):
        reply = client.post("/_sandbox/webhooks/subscriptions", json=body)
        assert reply.status_code == 400 and "error" in reply.get_json(), body
    made = subscribe(client, "saasquatch", HOOK, TENANT)
    assert client.get("/_sandbox/webhooks/subscriptions").get_json()["subscriptions"] == [made]
    assert client.delete(f"/_sandbox/webhooks/subscriptions/{made['id']}").status_code == 204
    assert client.delete(f"/_sandbox/webhooks/subscriptions/{made['id']}").status_code == 404


def test_scenario_keys_subscribe_at_load(make_app):
    world = {"name": "hooks", "atrium": {"clients": [{"client_id": "c1", "api_key": "k", "webhook_url": HOOK}]},
             "saasquatch": {"tenants": [{"tenant_alias": "t1", "api_key": "k",
                                         "webhooks": [{"endpointUrl": HOOK, "name": "app"}]}]}}
    client = make_app(world).test_client()
    found = client.get("/_sandbox/webhooks/subscriptions").get_json()["subscriptions"]
    assert [(s["api"], s["client"], s["url"], s["name"]) for s in found] == \
        [("atrium", "c1", HOOK, None), ("saasquatch", "t1", HOOK, "app")]


def test_saasquatch_subscription_endpoints(sq):
    _, client, auth = sq
    made = client.post(f"{SQ}/subscription", headers=auth, json={"endpointUrl": HOOK, "name": "Zapier"})
    assert made.status_code == 201 and made.get_json() == {"endpointUrl": HOOK, "name": "Zapier"}
    assert client.post(f"{SQ}/subscription", headers=auth, json={"endpointUrl": HOOK}).status_code == 201
    assert client.get(f"{SQ}/subscription", headers=auth).get_json() == [{"endpointUrl": HOOK, "name": "Zapier"}]
    encoded = "http%3A%2F%2F127.0.0.1%3A9%2Fhooks"
    assert client.post(f"{SQ}/subscription/{encoded}/test", headers=auth).status_code == 204
    (test,) = webhooks(client, type="test")
    assert test["url"] == HOOK and test["payload"]["tenantAlias"] == TENANT
    assert client.delete(f"{SQ}/subscription/{encoded}", headers=auth).status_code == 204
    assert client.get(f"{SQ}/subscription", headers=auth).get_json() == []
    assert client.delete(f"{SQ}/subscription/{encoded}", headers=auth).status_code == 404
    assert client.post(f"{SQ}/subscription", headers=auth, json={"endpointUrl": "not a url"}).status_code == 400
    assert client.get(f"{SQ}/subscription").status_code == 401


def test_a_clock_moved_years_ahead_emits_only_the_latest_background_aggregations(atrium):
    from sandbox.apis.atrium.service.background import RUNS_PER_MOVE

    atrium.post("/_sandbox/clock/advance", json={"by": "1000d"})
    mine = [w for w in webhooks(atrium, type="AGGREGATION") if w["payload"]["member_guid"] == "MBR-mxbank-1"]
    assert len(mine) == RUNS_PER_MOVE
    assert mine[-1]["due_at"] == "2028-10-11T09:00:00Z"          # 1000 days after the world's start
    assert mine[0]["due_at"] == "2028-07-04T09:00:00Z"           # the 100 latest, in order
    status = atrium.get(f"{MEMBER}/status", headers=BETA).get_json()["member"]
    assert status["successfully_aggregated_at"] == "2028-10-11T09:00:00+00:00"


def test_a_catch_up_asks_its_source_only_for_the_events_not_written_yet(atrium, monkeypatch):
    """A look or a catch-up reads the window's written keys once and hands them to the API's
    source, which builds no payload for them: the same events are never rebuilt each tick."""
    from datetime import timedelta

    from sandbox.apis.atrium.service import events as atrium_events
    from sandbox.core import clock

    assert atrium.post(f"{MEMBER}/fetch_rewards", headers=BETA).status_code == 200
    built, real_event = [], atrium_events._event
    monkeypatch.setattr(atrium_events, "_event", lambda db, member, state, jobs, instant, key, *rest:
                        built.append(key) or real_event(db, member, state, jobs, instant, key, *rest))
    app = atrium.application
    with borrowed(app.extensions["sandbox"].settings.db_path) as db:
        now = clock.now(db) + timedelta(seconds=3)
        events.catch_up(db, "atrium", atrium_events.SOURCE, now)
        written = [row[0] for row in db.execute("SELECT key FROM sandbox_events WHERE api = 'atrium'")]
        assert sorted(built) == sorted(written) and len(written) == 2      # AGGREGATION and REWARD
        built.clear()
        events.catch_up(db, "atrium", atrium_events.SOURCE, now)
        assert built == []                                                  # nothing rebuilt
        assert events._nothing_new(db, "atrium", atrium_events.SOURCE, now)[0] is True
        assert [row[0] for row in db.execute("SELECT key FROM sandbox_events WHERE api = 'atrium'")] == written


def test_a_catch_up_that_finds_nothing_reads_no_written_keys(sq):
    """A SaaSquatch debit catches up first; its window holds every balance event of the last
    minute, and a catch-up that finds nothing due must not read them all."""
    app, _, _ = sq
    seen = []

    def due(db, after, until, written):
        seen.append(written)
        return [], None

    with borrowed(app.extensions["sandbox"].settings.db_path) as db:
        with write_transaction(db):
            from sandbox.core import clock
            now = clock.now(db)
            for n in range(events.WrittenKeys.ONE_AT_A_TIME + 5):
                events.emit(db, events.Event("saasquatch", TENANT, "test", f"k{n}", now, {}))
        events.catch_up(db, "saasquatch", events.EventSource(due=due, clients=lambda db: []), now)
        assert seen[0].keys is None and seen[0].asked == 0
        # asked about many keys, it reads the window's keys once
        written = events.WrittenKeys(db, "saasquatch", now - events.MARGIN)
        answers = [f"k{n}" in written for n in range(events.WrittenKeys.ONE_AT_A_TIME + 5)] + ["other" in written]
        assert answers == [True] * (events.WrittenKeys.ONE_AT_A_TIME + 5) + [False]
        assert written.keys is not None and written.asked == events.WrittenKeys.ONE_AT_A_TIME


def test_a_look_skips_members_whose_job_events_are_written_but_waits_for_a_challenges_expiry(atrium):
    """After a burst of jobs a look need not work out their members' states again: a job leg
    whose events are written makes its member no candidate, except a CHALLENGED leg, whose
    expiry comes later."""
    from datetime import timedelta

    from sandbox.apis.atrium import store as atrium_store
    from sandbox.apis.atrium.service import events as atrium_events
    from sandbox.core import clock
    from sandbox.core.timeutil import to_db

    def candidates(db, now):
        after = events.window_start(db, "atrium", now)
        legs_after = after - timedelta(seconds=atrium_events.CHALLENGE_SECONDS)
        return atrium_store.event_candidates(db, to_db(after), to_db(now), to_db(legs_after),
                                             atrium_events._SECOND_IN_DAYS)

    assert atrium.post(f"{MEMBER}/fetch_rewards", headers=BETA).status_code == 200
    app = atrium.application
    with borrowed(app.extensions["sandbox"].settings.db_path) as db:
        ended = clock.now(db) + timedelta(seconds=3)
        assert "MBR-mxbank-1" in candidates(db, ended)          # its events are not written yet
        events.catch_up(db, "atrium", atrium_events.SOURCE, ended)
        assert "MBR-mxbank-1" not in candidates(db, ended)      # written: nothing to work out
    reply = atrium.put(MEMBER, headers=BETA, json={"member": {"credentials": [
        {"guid": "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1", "value": "test_atrium"},
        {"guid": "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d", "value": "challenge"}]}})
    assert reply.status_code == 200, reply.get_data()
    atrium.post("/_sandbox/clock/advance", json={"seconds": 3})
    assert [w["payload"]["connection_status"] for w in webhooks(atrium, type="CONNECTION_STATUS")] == ["CHALLENGED"]
    with borrowed(app.extensions["sandbox"].settings.db_path) as db:
        assert "MBR-mxbank-1" in candidates(db, clock.now(db))  # the expiry is still to come
    atrium.post("/_sandbox/clock/advance", json={"seconds": 600})
    assert [w["payload"]["connection_status"] for w in webhooks(atrium, type="CONNECTION_STATUS")] == \
        ["CHALLENGED", "EXPIRED"]
    with borrowed(app.extensions["sandbox"].settings.db_path) as db:
        assert "MBR-mxbank-1" not in candidates(db, clock.now(db))


def test_a_quiet_api_is_looked_at_again_only_when_its_inputs_change_or_its_next_event_comes(atrium):
    """The dispatcher's looks: an API found with nothing to write is not asked again while
    none of the rows its events come from changed and the clock has not reached its next
    event or gone back (after a burst of Atrium jobs a look scans every member)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from sandbox.apis.atrium.service import events as atrium_events
    from sandbox.core import clock

    asked = []

    def due(db, after, until, written):
        asked.append(until)
        return atrium_events.due(db, after, until, written)

    apis = [SimpleNamespace(name="atrium", events=events.EventSource(due=due, clients=atrium_events.SOURCE.clients))]
    path = atrium.application.extensions["sandbox"].settings.db_path
    quiet = {}
    with borrowed(path) as db:
        start = clock.now(db)
        next_due = events.materialise(db, apis, start, lazy=True, quiet=quiet)
        assert len(asked) == 1 and next_due is not None and next_due > start + timedelta(seconds=5)
        assert events.materialise(db, apis, start + timedelta(seconds=1), lazy=True, quiet=quiet) == next_due
        with write_transaction(db):                     # not one of Atrium's inputs
            db.execute("INSERT OR REPLACE INTO sandbox_meta (key, value) VALUES ('unrelated', 'x')")
        assert events.materialise(db, apis, start + timedelta(seconds=2), lazy=True, quiet=quiet) == next_due
        assert len(asked) == 1
        events.materialise(db, apis, start - timedelta(seconds=1), lazy=True, quiet=quiet)    # set back
        assert len(asked) == 2
    # a job: Atrium's rows change, and its end is the next event
    assert atrium.post(f"{MEMBER}/fetch_rewards", headers=BETA).status_code == 200
    with borrowed(path) as db:
        job_end = events.materialise(db, apis, start + timedelta(seconds=2), lazy=True, quiet=quiet)
        assert len(asked) == 3 and start + timedelta(seconds=2) < job_end <= start + timedelta(seconds=3)
        events.materialise(db, apis, start + timedelta(seconds=3), lazy=True, quiet=quiet)
        assert len(asked) >= 4
        assert sorted(row[0] for row in db.execute("SELECT type FROM sandbox_events WHERE api = 'atrium'")) == \
            ["AGGREGATION", "REWARD"]


def test_an_apis_inputs_token_changes_with_its_rows_and_removed_events_only(atrium):
    path = atrium.application.extensions["sandbox"].settings.db_path
    with borrowed(path) as db:
        def changed(*statements) -> bool:
            before = events.inputs_token(db, "atrium")
            with write_transaction(db):
                for statement in statements:
                    db.execute(statement)
            return events.inputs_token(db, "atrium") != before

        assert events.inputs_token(db, "atrium") is not None
        assert changed("UPDATE atrium_members SET connection_status = 'DENIED' WHERE guid = 'MBR-mxbank-1'")
        assert changed("UPDATE atrium_users SET metadata = 'x' WHERE guid = 'USR-user-1'")
        assert changed("UPDATE atrium_institutions SET job_seconds = 5")
        assert not changed("UPDATE atrium_rewards SET balance = balance")              # not an input
        assert not changed("INSERT INTO sandbox_events (api, key, client, type, due_at, body)"
                           " VALUES ('atrium', 'k', 'partner-dev', 't', '2026-01-15T09:00:00Z', '{}')")
        assert not changed("DELETE FROM sandbox_events WHERE api = 'saasquatch'")
        assert changed("DELETE FROM sandbox_events WHERE api = 'atrium'")
        assert not changed("UPDATE saasquatch_rewards SET redeemed_credit = redeemed_credit")
