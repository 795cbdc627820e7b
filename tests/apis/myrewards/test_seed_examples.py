"""Every example request of the MyRewards API reference (2018), sent verbatim
(headers and body text as printed) to the default world, gets the documented answer."""
from __future__ import annotations

import json

import pytest

from .helpers import BASE, assert_books_balance

AUTH = {"Authorization": "Token token=xxx"}
JSON = {**AUTH, "Content-Type": "application/json"}

CREATE_TRANSACTION = """{
  "transaction":  {
    "transaction_type": "Credit",
    "variety": "Programme Points",
    "points": 100,
    "reason": "Employee of the month"
  }
}"""

CREATE_USER = """{
  "username" : "bwayne",
  "email" : "bruce@wayneinc.com",
  "title" : "Mr",
  "firstname" : "Bruce",
  "lastname" : "Wayne",
  "company" : "Wayne Inc",
  "job_title" : "CEO",
  "address_1" : "Wayne Manor",
  "address_2" : "1007 Mountain Drive",
  "town" : "Gotham",
  "postcode" : "G1 1BM",
  "county" : "New Jersey",
  "country" : "United States",
  "date_of_birth" : "1980-02-19",
  "telephone" : "+447876543210",
  "mobile" : "+447765432101",
  "tsandcs" : "true",
  "consented" : "true",
  "user_group_id" : "10",
  "registration_answers_attributes" : [
    {
      "registration_question_id" : "2",
      "answer" : "Because I'm Batman"
    },
    {
      "registration_question_id" : "16",
      "answer" : "Alfred"
    }
  ]
}"""

UPDATE_USER = """{
  "firstname" : "Joker",
  "lastname" : "Hahaha"
}"""

SALES_DATA = """{
  "data": [
    {
      "date_of_sale": "2016-10-01",
      "product_or_activity": "Booking type 1",
      "quantity": 1,
      "username": "user@example.com",
      "Custom Data Field Date": "2016-10-01",
      "Custom Data Field Text": "DV1"
    }
  ]
}"""

SALES_DATA_WITH_PROMOTION = """{
  "promotion_id": 1,
  "data": [
    {
      "date_of_sale": "2016-10-01",
      "product_or_activity": "Booking type 1",
      "quantity": 1,
      "username": "user@example.com",
      "Custom Data Field Date": "2016-10-01",
      "Custom Data Field Text": "DV1"
    }
  ]
}"""

TRANSACTION_KEYS = ["id", "user_id", "description", "value", "balance", "transaction_type",
                    "remote_transaction_id", "created_at"]
DATA_FIELD_KEYS = ["id", "name", "mandatory", "field_type", "answers", "created_at", "updated_at",
                   "position", "selector"]


def test_registration_questions(client):
    response = client.get(f"{BASE}/api/v2/registration_questions", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    questions = response.get_json()
    assert questions[0] == {"id": 1234, "label": "text", "mandatory": "false", "field_type": "radio",
                            "options": "text_1 text_2 text_3", "field_name": "field_lavel", "free_text": "false"}
    for question in questions:
        assert list(question) == ["id", "label", "mandatory", "field_type", "options", "field_name", "free_text"]
        assert question["mandatory"] in ("true", "false") and question["free_text"] in ("true", "false")


def test_list_transactions(client):
    response = client.get(f"{BASE}/api/v2/users/123/transactions", headers=AUTH)
    assert response.status_code == 200
    listed = response.get_json()
    assert all(list(t) == TRANSACTION_KEYS for t in listed)
    first = dict(listed[0])
    assert first.pop("created_at") == "2016-03-18T02:20:02.000+00:00"
    assert first == {"id": 123, "user_id": 123, "description": "transactions", "value": 100, "balance": 100,
                     "transaction_type": "programme points", "remote_transaction_id": "your_id_here"}


def test_last_transaction(client):
    response = client.get(f"{BASE}/api/v2/users/123/transactions/last", headers=AUTH)
    assert response.status_code == 200
    last = response.get_json()
    assert list(last) == TRANSACTION_KEYS
    assert last == client.get(f"{BASE}/api/v2/users/123/transactions", headers=AUTH).get_json()[-1]


def test_create_transaction(client):
    response = client.post(f"{BASE}/api/v1/users/123/transactions", data=CREATE_TRANSACTION, headers=JSON)
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["id"] and isinstance(body["id"], int)
    last = client.get(f"{BASE}/api/v2/users/123/transactions/last", headers=AUTH).get_json()
    assert last["id"] == body["id"]
    assert (last["description"], last["value"], last["transaction_type"]) == ("Employee of the month", 100,
                                                                               "programme points")
    assert_books_balance(client)


def test_create_user(client):
    response = client.post(f"{BASE}/api/v2/users", data=CREATE_USER, headers=JSON)
    assert response.status_code == 201
    body = response.get_json()
    assert isinstance(body.pop("id"), int)
    sent = json.loads(CREATE_USER)
    assert {k: body[k] for k in sent} == sent


def test_update_user(client):
    response = client.put(f"{BASE}/api/v2/users/123", data=UPDATE_USER, headers=JSON)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == 123 and (body["firstname"], body["lastname"]) == ("Joker", "Hahaha")
    assert body["username"] == "brucewayne" and body["user_group_id"] == "10"
    assert [a["registration_question_id"] for a in body["registration_answers_attributes"]] == ["2", "16"]


@pytest.mark.parametrize("path", ["/api/v2/user_group", "/api/v2/user_groups"])
def test_user_groups(client, path):
    response = client.get(BASE + path, headers=AUTH)
    assert response.status_code == 200
    assert response.get_json()[:2] == [
        {"id": "1", "name": "dc commics", "parent_id": None, "default": "false", "position": "1"},
        {"id": "2", "name": "justice league", "parent_id": "1", "default": "true", "position": "1"},
    ]


def test_programme_data_fields(client):
    response = client.get(f"{BASE}/api/v2/performance/data_fields", headers=AUTH)
    assert response.status_code == 200
    fields = response.get_json()
    assert [list(f) for f in fields] == [DATA_FIELD_KEYS, DATA_FIELD_KEYS]
    assert [(f["id"], f["name"], f["field_type"], f["position"], f["selector"]) for f in fields] == [
        (196, "Superpower", "list_values", 1, "superpower"), (197, "Hero name", "free_text", 2, "hero-name")]
    assert fields[0]["answers"] == "Super-strengh\r\nFlight\r\nOther" and fields[1]["answers"] is None
    assert fields[0]["created_at"] == "2016-04-14T13:34:03.000+01:00"   # as the reference shows it
    assert all(isinstance(f["mandatory"], bool) for f in fields)


def test_promotion_data_fields(client):
    response = client.get(f"{BASE}/api/v2/performance/promotions/1/data_fields", headers=AUTH)
    assert response.status_code == 200
    fields = response.get_json()
    assert [list(f) for f in fields] == [DATA_FIELD_KEYS[:1] + ["promotion_id"] + DATA_FIELD_KEYS[1:]] * 2
    assert [(f["id"], f["promotion_id"]) for f in fields] == [(196, 1), (197, 1)]


@pytest.mark.parametrize("path, body", [
    ("/api/v2/performance/data", SALES_DATA),
    ("/api/v2/performance/data", SALES_DATA_WITH_PROMOTION),
    ("/api/v2/performance/promotions/1/data", SALES_DATA),
])
def test_sales_data(client, path, body):
    before = client.get(f"{BASE}/api/v2/users/124/transactions", headers=AUTH).get_json()
    response = client.post(BASE + path, data=body, headers=JSON)
    assert response.status_code == 201
    assert response.data == b""
    after = client.get(f"{BASE}/api/v2/users/124/transactions", headers=AUTH).get_json()
    assert len(after) == len(before) + 1 and after[-1]["value"] == 10   # 1 x "Booking type 1" at 10 points
    assert_books_balance(client)
