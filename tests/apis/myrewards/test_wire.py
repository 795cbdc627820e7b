"""Wire details: Rails-style nested form keys, ids, numbers, booleans, dates."""
from __future__ import annotations

import pytest

from sandbox.apis.myrewards.schemas import flag, iso_date, path_id, query_pairs, rails_params, whole_number

from .helpers import BASE, SMALL_KEY, credit


@pytest.mark.parametrize("query, expected", [
    ("a=1", {"a": "1"}),
    ("transaction[points]=100&transaction[reason]=x", {"transaction": {"points": "100", "reason": "x"}}),
    ("a[]=1&a[]=2", {"a": ["1", "2"]}),
    ("a[][x]=1&a[][y]=2&a[][x]=3", {"a": [{"x": "1", "y": "2"}, {"x": "3"}]}),
    ("a[0][x]=1&a[1][x]=2", {"a": {"0": {"x": "1"}, "1": {"x": "2"}}}),
    ("a[b][c]=1&a[b][d]=2", {"a": {"b": {"c": "1", "d": "2"}}}),
    ("a=1&a[b]=2", {"a": {"b": "2"}}),
    ("[x]=1&=2", {}),
    ("a" + "[b]" * 40 + "=1", {}),
    ("a=&b", {"a": "", "b": ""}),
    ("name=caf%C3%A9+bar", {"name": "café bar"}),
])
def test_rails_nested_keys(query, expected):
    assert rails_params(query_pairs(query.encode())) == expected


@pytest.mark.parametrize("value, expected", [
    (5, 5), ("5", 5), (" 7 ", 7), ("-3", -3), ("٣", None), ("1.0", None), (1.0, None), (True, None),
    ("1e3", None), ("", None), (None, None), ("9" * 31, None),
])
def test_whole_numbers(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize("text, expected", [("12", 12), ("0", None), ("-1", None), ("١٢", None), ("9" * 19, None),
                                            ("1.5", None), ("", None)])
def test_path_ids(text, expected):
    assert path_id(text) == expected


@pytest.mark.parametrize("value, expected", [
    (True, True), ("true", True), ("1", True), ("on", True), (1, True), (False, False), ("false", False),
    ("0", False), (0, False), ("maybe", None), (2, None), (None, None), ([], None),
])
def test_flags(value, expected):
    assert flag(value) is expected


@pytest.mark.parametrize("value, expected", [("2016-10-01", "2016-10-01"), ("2016-02-30", None),
                                             ("01/10/2016", None), ("２０１６-10-01", None), (20161001, None)])
def test_dates(value, expected):
    assert iso_date(value) == expected


def test_non_ascii_digits_are_not_numbers(small):
    client = small()
    assert client.post(f"{BASE}/api/v1/users/10/transactions", json=credit("٣"), headers=SMALL_KEY).status_code == 406
    response = client.put(f"{BASE}/api/v2/users/10", json={"mobile": "+٤٤٧٧٠٠٩٠٠١٢٣"}, headers=SMALL_KEY)
    assert response.status_code == 422


def test_query_string_params_are_merged_under_the_body(small):
    client = small()
    response = client.post(f"{BASE}/api/v1/users/10/transactions?transaction[points]=999&transaction[reason]=q",
                           json=credit(5), headers=SMALL_KEY)
    assert response.status_code == 200
    last = client.get(f"{BASE}/api/v2/users/10/transactions/last", headers=SMALL_KEY).get_json()
    assert (last["value"], last["description"]) == (5, "test")


@pytest.mark.parametrize("path", ["/api/v2/user_groups/", "/api/v2/users/10/transactions/last/"])
def test_a_trailing_slash_is_ignored_as_rails_does(shared_small, path):
    assert shared_small.get(BASE + path, headers=SMALL_KEY).status_code == 200
