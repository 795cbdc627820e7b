"""Strict JSON bodies: what Python's json accepts but no JSON text may hold is refused."""
import pytest

from sandbox.core.http import BodyError, decode_json


@pytest.mark.parametrize("raw", [
    b'{"amount": NaN}', b'{"amount": Infinity}', b'[-Infinity]',     # not JSON
    b'{"name": "\\ud800"}', b'{"\\udfff": 1}',                       # lone surrogates
    b'\xff\xfe{}', b'{"a": "\xc3"}',                                   # not UTF-8
    b'[' * 100_000 + b']' * 100_000,                                   # exhausts the parser
    b'{"a": 1', b'',
])
def test_refused(raw):
    with pytest.raises(BodyError):
        decode_json(raw)


@pytest.mark.parametrize("raw,value", [
    (b'{"a": [1, 2.5, "\\u00e9\\ud83d\\ude00"]}', {"a": [1, 2.5, "é😀"]}),
    (b'123456789012345678901234567890', 123456789012345678901234567890),
    (b'null', None),
])
def test_accepted(raw, value):
    assert decode_json(raw) == value


@pytest.mark.parametrize("status", [204, 304])
def test_an_answer_that_may_have_no_body_has_none(status):
    from flask import Flask

    from sandbox.core.http import answer

    with Flask(__name__).test_request_context("/"):
        response = answer({"error": {"message": "ignored"}}, status, content_type="application/json")
    assert (response.status_code, response.get_data()) == (status, b"")
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize("path, tidy", [("/atrium/users/", "/atrium/users"), ("/atrium//users", "/atrium/users"),
                                        ("//a///b//", "/a/b"), ("/", "/"), ("//", "/"), ("/a", "/a")])
def test_tidy_slashes(path, tidy):
    from sandbox.core.app import tidy_slashes

    assert tidy_slashes(path) == tidy


def test_url_rules_built_lazily_build_the_urls_werkzeugs_own_rules_build(make_app):
    """The app's rules compile their URL builders on first use (``LazyBuilderRule``): the
    URLs they build are the ones a rule compiled as it is added builds."""
    from flask import url_for
    from werkzeug.routing import Rule

    app = make_app()
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "dashboard.state")
    eager = Rule(rule.rule, endpoint="eager")
    eager.bind(app.url_map)
    with app.test_request_context():
        for _ in range(2):                  # compiled the first time, reused the second
            assert url_for("dashboard.state", api_name="atrium", page=2) == "/_sandbox/ui/state/atrium?page=2"
            assert url_for("dashboard.state", api_name="a b/c") == eager.build({"api_name": "a b/c"})[1]
