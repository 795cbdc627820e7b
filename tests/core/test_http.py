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
