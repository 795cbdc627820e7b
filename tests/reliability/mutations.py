"""Hostile variations of a valid request: bodies that are not JSON, a wrong JSON type at
every level, missing and extra fields, hostile path ids and query values; and the
hypothesis strategies that combine them with huge, negative, fractional, long, unicode,
control-character and SQL-looking values."""
from __future__ import annotations

import copy

from hypothesis import strategies as st

NOT_JSON = [
    b"not json", b"{", b'{"a": ', b"\xff\xfe\x00\x01", b"\x00" * 16, b"null", b"[]", b"[1, 2]", b'"text"',
    b"42", b"true", b'{"x": NaN}', b'{"x": -Infinity}', b'"\\ud800"', b'{"x": "\\udfff"}',
    b"[" * 100_000 + b"]" * 100_000, b'{"x": 1' + b"0" * 100_000 + b"}", b'{"a": 1, "a": [}',
]
WRONG_TYPES = [None, True, 0, -1, 0.5, 10**30, 2**63, "", "text", "\ud800", [], {}, [{}], {"k": "v"}]
SQLISH = ["' OR '1'='1", "1; DROP TABLE users; --", "\" OR \"\"=\"", "%' --", "1 UNION SELECT * FROM sqlite_master"]
NASTY_STRINGS = [
    *SQLISH, "x" * 100_000, "\u0000", "\x1b[31m\r\n\t", "ü☃𝔘\u202e\u200b", "\ud800", "..", "../../etc/passwd",
    "%00", "{{any}}", "<script>alert(1)</script>", "null", "NaN", "-0", "1e309", " ", "٣", "\uffff",
]
HUGE_NUMBERS = [2**31, 2**31 - 1, -2**31 - 1, 2**53 + 1, 2**63, -2**63 - 1, 10**100, -10**30, 1e308, -1e-308, 0.1]
PATH_IDS = ["does-not-exist", "1' OR '1'='1", "x" * 5000, "ü☃\u202e", "\x00", "a/b", "-1",
            "99999999999999999999999", "0x10", " ", "%", "..", "NaN", "\ud7ff\ue000"]
CONTENT_TYPES = ["text/plain", "application/xml", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=xyz", None, "application/json; charset=utf-16",
                 "application/jsonp", "*/*"]
NAMESPACES = ["../etc", "a" * 65, "ü", "a b", "a/b", ".", ""]


def node_paths(value, prefix: tuple = ()):
    """Every position in a JSON value (the root included), outermost first."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from node_paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from node_paths(child, prefix + (index,))


def _parent(doc, path):
    for step in path[:-1]:
        doc = doc[step]
    return doc


def replace_at(doc, path: tuple, new):
    if not path:
        return copy.deepcopy(new)
    doc = copy.deepcopy(doc)
    _parent(doc, path)[path[-1]] = copy.deepcopy(new)
    return doc


def remove_at(doc, path: tuple):
    doc = copy.deepcopy(doc)
    if path:
        del _parent(doc, path)[path[-1]]
    return doc


def add_field_at(doc, path: tuple, name="unexpected_field", value="surprise"):
    doc = copy.deepcopy(doc)
    target = doc
    for step in path:
        target = target[step]
    if isinstance(target, dict):
        target[name] = value
    return doc


def fixed_body_variants(body):
    """(label, body) for a wrong type at every level, each field missing, an extra field
    in every object."""
    for path in node_paths(body):
        where = "/".join(map(str, path)) or "<root>"
        for wrong in WRONG_TYPES:
            yield f"{where}={wrong!r:.20}", replace_at(body, path, wrong)
        if path:
            yield f"without {where}", remove_at(body, path)
        yield f"extra field in {where}", add_field_at(body, path)


# -- hypothesis ---------------------------------------------------------------------------

hostile_values = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-2**80, max_value=2**80),
    st.sampled_from(HUGE_NUMBERS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
    st.sampled_from(NASTY_STRINGS),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
)
path_values = st.one_of(st.sampled_from(PATH_IDS), st.text(min_size=1, max_size=30),
                        st.integers(min_value=-2**70, max_value=2**70).map(str))
query_values = st.one_of(st.sampled_from(NASTY_STRINGS[:-1]), st.text(max_size=30),
                         st.integers(min_value=-2**70, max_value=2**70).map(str),
                         st.sampled_from(["0", "-1", "1.5", "", "true", "[]"]))


def body_mutations(body):
    """A strategy of bodies: ``body`` with one to three hostile changes."""
    paths = list(node_paths(body))
    change = st.tuples(st.sampled_from(["replace", "remove", "add"]), st.sampled_from(paths), hostile_values,
                       st.text(max_size=12))

    def apply(changes):
        doc = copy.deepcopy(body)
        for kind, path, value, name in changes:
            try:
                if kind == "replace":
                    doc = replace_at(doc, path, value)
                elif kind == "remove" and path:
                    doc = remove_at(doc, path)
                else:
                    doc = add_field_at(doc, path, name or "x", value)
            except (KeyError, IndexError, TypeError):
                pass        # an earlier change removed or retyped this position
        return doc

    return st.lists(change, min_size=1, max_size=3).map(apply)
