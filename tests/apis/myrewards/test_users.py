"""Users: create (201), update (PUT/PATCH, 200), the programme's rules, 422 bodies."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from .helpers import BASE, SMALL_KEY, state

USERS = f"{BASE}/api/v2/users"


def new_user(**changes) -> dict:
    user = {"username": "dave", "email": "dave@example.com", "firstname": "Dave", "lastname": "D",
            "tsandcs": "true", "registration_answers_attributes": [{"registration_question_id": "5", "answer": "S9"}]}
    user.update(changes)
    return {k: v for k, v in user.items() if v is not ...}


def create(client, body, **kwargs):
    return client.post(USERS, json=body, headers=SMALL_KEY, **kwargs)


def errors_of(response) -> list[str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    return response.get_json()["errors"]


def test_create_returns_201_with_the_user_and_its_id(small):
    client = small()
    response = create(client, new_user(telephone="+447876543210", date_of_birth="1980-02-19"))
    assert response.status_code == 201
    user = response.get_json()
    assert isinstance(user["id"], int) and user["id"] > 11
    assert (user["username"], user["telephone"], user["date_of_birth"]) == ("dave", "+447876543210", "1980-02-19")
    assert user["registration_answers_attributes"] == [{"registration_question_id": "5", "answer": "S9"}]
    assert user["mobile"] is None and user["company"] is None


def test_ids_are_sequential_and_deterministic(small):
    first = create(small(), new_user()).get_json()["id"]
    again = create(small(), new_user()).get_json()["id"]
    assert first == again == 21                     # after the highest seeded user id (20)


def test_values_are_echoed_in_the_type_they_were_sent(small):
    client = small()
    native = create(client, new_user(tsandcs=True, consented=False, user_group_id=3, postcode=12345)).get_json()
    assert (native["tsandcs"], native["consented"], native["user_group_id"], native["postcode"]) == (True, False, 3, 12345)
    text = create(client, new_user(username="erin", email="erin@example.com", tsandcs="true",
                                   user_group_id="3")).get_json()
    assert (text["tsandcs"], text["user_group_id"]) == ("true", "3")


def test_default_user_group_when_none_given(small):
    assert create(small(), new_user()).get_json()["user_group_id"] == "2"


def test_no_default_group_leaves_it_empty(small):
    from .helpers import PROGRAMME

    groups = [{**g, "default": "false"} for g in PROGRAMME["user_groups"]]
    assert create(small(user_groups=groups), new_user()).get_json()["user_group_id"] is None


@pytest.mark.parametrize("missing", ["username", "firstname", "lastname", "tsandcs"])
def test_identifier_and_required_fields_are_mandatory(small, missing):
    for value in (..., None, "", "   "):
        assert f"{missing} can't be blank" in errors_of(create(small(), new_user(**{missing: value})))


def test_tsandcs_must_be_accepted_when_required(small):
    assert errors_of(create(small(), new_user(tsandcs="false"))) == ["tsandcs must be accepted"]


def test_required_fields_are_per_programme(small):
    client = small(required_fields=["company", "consented"])
    assert errors_of(create(client, new_user(firstname=..., lastname=..., tsandcs=...))) == [
        "company can't be blank", "consented can't be blank"]
    ok = create(client, new_user(firstname=..., lastname=..., tsandcs=..., company="Acme", consented=True))
    assert ok.status_code == 201


def test_identifier_must_be_unique_in_the_programme(small):
    client = small()
    assert errors_of(create(client, new_user(username="Alice"))) == ["username should be unique"]
    # another programme's users do not count
    assert create(client, new_user(username="carol")).status_code == 201


@pytest.mark.parametrize("identifier, taken", [("email", "ALICE@example.com"), ("mobile", "+447700900001")])
def test_other_identifier_fields(small, make_app, identifier, taken):
    from .helpers import small_world

    world = small_world(identifier_field=identifier)
    for i, user in enumerate(world["myrewards"]["programmes"][0]["users"]):
        user["mobile"] = f"+44770090000{i + 1}"
    client = make_app(world).test_client()
    assert errors_of(create(client, new_user(**{identifier: taken}))) == [f"{identifier} should be unique"]
    assert errors_of(create(client, new_user(**{identifier: ...}))) == [f"{identifier} can't be blank"]
    # usernames and emails are unique in the programme even when neither identifies nor is required
    assert errors_of(create(client, new_user(username="ALICE", mobile="+447700900009"))) == [
        "username should be unique"]


def test_usernames_and_emails_are_always_unique_mobiles_only_when_required(small):
    client = small()        # identified by username; email and mobile not required
    first = create(client, new_user(username="zed", email="zed@example.com", mobile="+447700900123"))
    assert first.status_code == 201
    before = state(client)
    assert errors_of(create(client, new_user(username="yan", email="ZED@example.com"))) == ["email should be unique"]
    assert errors_of(client.patch(f"{BASE}/api/v2/users/{first.get_json()['id']}",
                                  json={"username": "alice"}, headers=SMALL_KEY)) == ["username should be unique"]
    assert state(client) == before
    assert create(client, new_user(username="yan", email="yan@example.com", mobile="+447700900123")).status_code == 201


@pytest.mark.parametrize("field, value", [
    ("email", "not-an-email"), ("email", "a@b"), ("email", "two@@example.com"),
    ("telephone", "07876543210"), ("telephone", "+44 7876 543210"), ("telephone", "+4412345"),
    ("mobile", "+44abcdefghij"), ("mobile", 447765432101), ("mobile", "+4477654321012345678"),
    ("date_of_birth", "19/02/1980"), ("date_of_birth", "1980-02-30"), ("date_of_birth", 1980),
    ("firstname", {"first": "Dave"}), ("lastname", ["D"]), ("town", "x" * 256),
    ("tsandcs", "maybe"), ("consented", 2), ("user_group_id", "ten"), ("user_group_id", 1.5),
    ("registration_answers_attributes", "yes"), ("registration_answers_attributes", [1]),
    ("registration_answers_attributes", [{"answer": "no id"}]),
    ("registration_answers_attributes", [{"registration_question_id": "5", "answer": {"x": 1}}]),
])
def test_format_problems_are_422_naming_the_field(small, field, value):
    client = small()
    before = state(client)
    errors = errors_of(create(client, new_user(**{field: value})))
    assert any(e.startswith(field) for e in errors), errors
    assert state(client) == before


def test_telephone_in_international_format_is_accepted(small):
    response = create(small(), new_user(telephone="+447876543210", mobile="+12025550123"))
    assert response.status_code == 201


def test_unknown_user_group_is_422(small):
    assert errors_of(create(small(), new_user(user_group_id="99"))) == [
        "user_group_id 99 is not a user group of this programme"]


def test_another_programmes_group_is_not_a_group_here(small, make_app):
    from .helpers import OTHER_PROGRAMME, small_world

    world = small_world()
    world["myrewards"]["programmes"][1] = {**OTHER_PROGRAMME, "user_groups": [{"id": 40, "name": "theirs"}]}
    assert errors_of(create(make_app(world).test_client(), new_user(user_group_id=40)))


def test_mandatory_registration_questions_need_an_answer(small):
    client = small()
    for answers in ([], [{"registration_question_id": 5, "answer": ""}], [{"registration_question_id": 6, "answer": "red"}]):
        assert errors_of(create(client, new_user(registration_answers_attributes=answers))) == [
            "registration_answers_attributes: registration question 5 (Staff number) must be answered"]


def test_unknown_registration_question_is_422(small):
    answers = [{"registration_question_id": 5, "answer": "S9"}, {"registration_question_id": 77, "answer": "?"}]
    assert errors_of(create(small(), new_user(registration_answers_attributes=answers))) == [
        "registration_answers_attributes[1].registration_question_id 77 is not a registration question of this programme"]


def test_multi_answer_questions_take_a_list(small):
    answers = [{"registration_question_id": 5, "answer": "S9"}, {"registration_question_id": 6, "answer": ["red", "blue"]}]
    assert create(small(), new_user(registration_answers_attributes=answers)).status_code == 201


def test_every_problem_is_listed_at_once(small):
    errors = errors_of(create(small(), {"email": "nope", "registration_answers_attributes": []}))
    assert errors == ["email is not a valid email address", "username can't be blank", "firstname can't be blank",
                      "lastname can't be blank", "tsandcs can't be blank",
                      "registration_answers_attributes: registration question 5 (Staff number) must be answered"]


def test_unknown_fields_are_ignored(small):
    response = create(small(), new_user(favourite_food="pizza", id=5))
    assert response.status_code == 201 and "favourite_food" not in response.get_json()


def test_form_encoded_user_with_nested_answers(small):
    client = small()
    form = urlencode([("username", "frank"), ("firstname", "Frank"), ("lastname", "F"), ("tsandcs", "1"),
            ("registration_answers_attributes[][registration_question_id]", "5"),
            ("registration_answers_attributes[][answer]", "S7"),
            ("registration_answers_attributes[][registration_question_id]", "6"),
            ("registration_answers_attributes[][answer]", "red")])
    response = client.post(USERS, data=form, headers=SMALL_KEY, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["registration_answers_attributes"] == [
        {"registration_question_id": "5", "answer": "S7"}, {"registration_question_id": "6", "answer": "red"}]


def test_form_encoded_answers_with_indexes(small):
    form = {"username": "gina", "firstname": "G", "lastname": "G", "tsandcs": "true",
            "registration_answers_attributes[0][registration_question_id]": "5",
            "registration_answers_attributes[0][answer]": "S8"}
    assert small().post(USERS, data=form, headers=SMALL_KEY).status_code == 201


def test_wrapped_in_user_is_accepted(small):
    assert create(small(), {"user": new_user()}).status_code == 201


@pytest.mark.parametrize("raw", [b"{oops", b"\xff", b"[" * 50_000])
def test_unreadable_body_is_400(small, raw):
    response = small().post(USERS, data=raw, headers={**SMALL_KEY, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["errors"]


# -- update -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_changes_only_what_is_given(small, method):
    client = small()
    response = client.open(f"{USERS}/10", method=method, json={"firstname": "Alicia", "mobile": "+447700900123"},
                           headers=SMALL_KEY)
    assert response.status_code == 200
    user = response.get_json()
    assert (user["id"], user["username"], user["firstname"], user["mobile"]) == (10, "alice", "Alicia", "+447700900123")
    assert user["registration_answers_attributes"] == [{"registration_question_id": 5, "answer": "S1"}]
    assert user["user_group_id"] == "2"


def test_update_replaces_the_answer_to_the_same_question(small):
    body = {"registration_answers_attributes": [{"registration_question_id": "5", "answer": "S100"},
                                                {"registration_question_id": "6", "answer": "blue"}]}
    user = small().put(f"{USERS}/10", json=body, headers=SMALL_KEY).get_json()
    assert user["registration_answers_attributes"] == body["registration_answers_attributes"]


def test_update_still_enforces_the_rules(small):
    client = small()
    before = state(client)
    assert errors_of(client.put(f"{USERS}/10", json={"username": "bob"}, headers=SMALL_KEY)) == [
        "username should be unique"]
    assert errors_of(client.patch(f"{USERS}/10", json={"firstname": ""}, headers=SMALL_KEY)) == [
        "firstname can't be blank"]
    assert errors_of(client.patch(f"{USERS}/10", json={"email": "x"}, headers=SMALL_KEY)) == [
        "email is not a valid email address"]
    assert state(client) == before


def test_update_keeping_its_own_identifier_is_fine(small):
    assert small().put(f"{USERS}/10", json={"username": "alice"}, headers=SMALL_KEY).status_code == 200


def test_update_clearing_the_group_returns_to_the_default(small):
    client = small()
    assert client.put(f"{USERS}/10", json={"user_group_id": 3}, headers=SMALL_KEY).get_json()["user_group_id"] == 3
    assert client.put(f"{USERS}/10", json={"user_group_id": None}, headers=SMALL_KEY).get_json()["user_group_id"] == "2"


@pytest.mark.parametrize("user", ["999", "20", "abc"])
def test_update_of_an_unknown_or_foreign_user_is_404(small, user):
    response = small().put(f"{USERS}/{user}", json={"firstname": "X"}, headers=SMALL_KEY)
    assert response.status_code == 404 and response.get_json() == {"errors": ["User not found"]}


def test_get_user_is_not_part_of_v2(small):
    response = small().get(f"{USERS}/10", headers=SMALL_KEY)
    assert response.status_code == 405 and response.get_json()["errors"]
