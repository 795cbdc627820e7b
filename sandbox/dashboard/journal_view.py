"""A journal entry as a person reads it: pretty bodies and the equivalent curl command.

Everything here starts from what the journal returns, which is already masked (secret
headers, credential fields in bodies), so nothing shown can hold more than the journal does.
"""
from __future__ import annotations

import json
import shlex

# Headers curl works out itself, or that only describe the connection the request came on.
_CURL_SKIPS = {"host", "content-length", "connection", "keep-alive", "transfer-encoding"}


def pretty(value) -> str:
    """A body for reading: JSON indented, text as it is, nothing as an empty string."""
    if value is None or value == "":
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


def curl_command(entry: dict, base_url: str) -> str:
    """The curl command that repeats ``entry`` against ``base_url`` (scheme, host and any
    namespace prefix), one option per line, credentials as the journal masked them."""
    url = base_url + entry["path"] + (f"?{entry['query']}" if entry["query"] else "")
    first = ["curl"]
    if entry["method"] == "HEAD":
        first.append("--head")
    elif entry["method"] != "GET" or entry["body"] not in (None, ""):
        first += ["-X", entry["method"]]
    first.append(url)
    lines = [" ".join(shlex.quote(word) for word in first)]
    for name, value in entry["headers"].items():
        if name.lower() not in _CURL_SKIPS:
            lines.append(f"-H {shlex.quote(f'{name}: {value}')}")
    body = entry["body"]
    if body not in (None, ""):
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        lines.append(f"--data-raw {shlex.quote(text)}")
    return " \\\n  ".join(lines)
