"""The documents' examples are the default world's answers, as the API gives them today."""
import pytest

from sandbox import openapi_examples
from sandbox.apis import API_PACKAGES

pytestmark = pytest.mark.slow


def test_the_recorded_examples_are_what_the_default_world_answers():
    """The walk runs through a test client, so each recorded answer is also checked against
    the served document (tests/conformance.py)."""
    assert openapi_examples.main(["--check"]) == 0, "run: python -m sandbox.openapi_examples"


# reads of what only identify and fetch_statements gather: MX Bank, the default world's one
# institution, supports neither, so the default world has no answer to record for them
NO_DEFAULT_WORLD_ANSWER = {("atrium", "/users/{user_guid}/members/{member_guid}/account_owners"),
                           ("atrium", "/users/{user_guid}/members/{member_guid}/statements"),
                           ("atrium", "/users/{user_guid}/members/{member_guid}/statements/{statement_guid}")}


def test_every_read_of_every_api_has_an_example(module_app):
    client = module_app("default").test_client()
    checked = 0
    for api in API_PACKAGES:
        document = client.get(f"/{api.name}/openapi.json").json
        for path, operations in document["paths"].items():
            get = operations.get("get")
            if get is None or "content" not in get["responses"].get("200", {}) or (api.name, path) in NO_DEFAULT_WORLD_ANSWER:
                continue
            examples = [c["example"] for c in get["responses"]["200"]["content"].values() if "example" in c]
            assert examples, f"{api.name}: GET {path} has no example (add it to sandbox/openapi_examples.py)"
            checked += 1
    assert checked >= 30
