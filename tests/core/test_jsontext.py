"""sandbox.core.jsontext: compact, ASCII-only JSON, the same text whichever encoder wrote it."""
import json

from hypothesis import given, strategies as st

from sandbox.core.jsontext import compact


def standard(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def test_compact_text_keeps_key_order_and_has_no_spaces():
    assert compact({"b": 1, "a": [True, None, "x y"]}) == '{"b":1,"a":[true,null,"x y"]}'


def test_non_ascii_characters_are_escaped_as_the_standard_library_escapes_them():
    value = {"name": "Café ☕ \U0001f600", "ключ": "значение"}
    assert compact(value) == standard(value)
    assert compact(value).isascii()
    assert json.loads(compact(value)) == value


def test_what_only_the_standard_library_can_encode_still_encodes():
    assert compact({"wide": 2 ** 70}) == '{"wide":1180591620717411303424}'
    assert compact({1: "integer key"}) == '{"1":"integer key"}'
    assert compact("lone \ud800 surrogate") == standard("lone \ud800 surrogate")


def test_small_floats_are_the_same_number():
    assert json.loads(compact({"amount": 1e-05}))["amount"] == 1e-05
    assert compact([1.5, 0.1, 1e16]) == standard([1.5, 0.1, 1e16])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2 ** 80, max_value=2 ** 80) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20)


@given(json_values)
def test_any_value_without_floats_is_written_exactly_as_the_standard_library_writes_it(value):
    assert compact(value) == standard(value)
