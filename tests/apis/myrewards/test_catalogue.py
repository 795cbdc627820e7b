"""Registration questions and user groups: the programme's own lists, typed as the reference shows."""
from __future__ import annotations

import pytest

from .helpers import BASE, SMALL_KEY


def get(client, path):
    return client.get(BASE + path, headers=SMALL_KEY)


def test_registration_questions_use_string_booleans(shared_small):
    assert get(shared_small, "/api/v2/registration_questions").get_json() == [
        {"id": 5, "label": "Staff number", "mandatory": "true", "field_type": "text", "options": "",
         "field_name": "staff_number", "free_text": "false"},
        {"id": 6, "label": "Favourite colour", "mandatory": "false", "field_type": "select", "options": "red blue",
         "field_name": "favourite_colour", "free_text": "false"}]


def test_user_groups_are_a_flat_list_in_hierarchy_order(shared_small):
    # root, then its children by position: managers (1) before staff (2)
    assert get(shared_small, "/api/v2/user_groups").get_json() == [
        {"id": "1", "name": "root", "parent_id": None, "default": "false", "position": "1"},
        {"id": "3", "name": "managers", "parent_id": "1", "default": "false", "position": "1"},
        {"id": "2", "name": "staff", "parent_id": "1", "default": "true", "position": "2"}]


def test_equal_positions_sort_alphabetically_ignoring_case(small):
    groups = [{"id": 1, "name": "b", "position": 1}, {"id": 2, "name": "C", "position": 1},
              {"id": 3, "name": "a", "position": 1}, {"id": 4, "name": "child of b", "parent_id": 1}]
    listed = get(small(user_groups=groups), "/api/v2/user_groups").get_json()
    assert [g["name"] for g in listed] == ["a", "b", "child of b", "C"]


@pytest.mark.parametrize("path", ["/api/v2/user_groups/3", "/api/v2/user_group/3"])
def test_show_user_group(shared_small, path):
    assert get(shared_small, path).get_json() == {
        "id": "3", "name": "managers", "parent_id": "1", "default": "false", "position": "1"}


@pytest.mark.parametrize("group", ["99", "abc", "0", "-1"])
def test_unknown_user_group_is_404(shared_small, group):
    response = get(shared_small, f"/api/v2/user_groups/{group}")
    assert response.status_code == 404 and response.get_json() == {"errors": ["User group not found"]}
