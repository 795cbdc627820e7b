"""The journal's spill files: each worker appends its entries to its own files; a reader
moves every worker's entries into the SQLite journal and sees them all, oldest first."""
from __future__ import annotations

import multiprocessing
import os
import re

from sandbox.core import journal


def entry(path: str, status: int = 200) -> tuple:
    """A raw entry, as the pipeline records it."""
    return ("dummy", "GET", path, b"q=1", [("HTTP_HOST", "x")], b"", status, b'{"ok": true}', 0.5)


def _child(journal_path: str, paths: list[str], ready, go) -> None:
    db = journal.open_journal(journal_path)
    for path in paths:
        go.wait()
        go.clear()
        journal.record(db, entry(path), 1000)
        ready.set()


def test_entries_recorded_by_two_processes_are_read_in_the_order_they_happened(tmp_path):
    path = str(tmp_path / "j.sqlite.requests")
    db = journal.open_journal(path)
    ctx = multiprocessing.get_context("fork")
    ready, go = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_child, args=(path, ["/b1", "/b2"], ready, go))
    child.start()
    expected = []
    for n in (1, 2):
        journal.record(db, entry(f"/a{n}"), 1000)
        go.set()                            # then the other worker answers a request
        assert ready.wait(10)
        ready.clear()
        expected += [f"/a{n}", f"/b{n}"]
    child.join(10)
    assert [e["path"] for e in journal.entries(db)] == expected
    assert [e["path"] for e in journal.entries(db, limit=1)] == ["/b2"]


def test_a_worker_keeps_at_most_twice_the_limit_unread_and_readers_keep_the_limit(tmp_path):
    path = str(tmp_path / "j.sqlite.requests")
    db = journal.open_journal(path)
    for n in range(125):
        journal.record(db, entry(f"/r{n}"), 50)
    assert db.conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0   # nothing read yet
    unread = sum(len(journal._take_spilled(p)) for p in journal.spill_paths(path))
    assert unread == 75                     # files of 50 and 25 entries: the oldest 50 were dropped
    for n in range(75, 125):                # (taking them emptied the files: record them again)
        journal.record(db, entry(f"/r{n}"), 50)
    paths = [e["path"] for e in journal.entries(db)]
    assert paths == [f"/r{n}" for n in range(75, 125)]
    assert all(os.path.getsize(p) == 0 for p in journal.spill_paths(path))
    journal.record(db, entry("/later"), 50)
    assert [e["path"] for e in journal.entries(db)][-2:] == ["/r124", "/later"]


def test_clear_forgets_spilled_entries_too(tmp_path):
    db = journal.open_journal(str(tmp_path / "j.sqlite.requests"))
    journal.record(db, entry("/cleared"), 1000)
    journal.clear(db)
    assert journal.entries(db) == []


def test_a_frame_cut_short_by_a_killed_worker_is_skipped_and_its_empty_file_removed(tmp_path):
    path = str(tmp_path / "j.sqlite.requests")
    db = journal.open_journal(path)
    dead = f"{path}-spill-999999999-0"      # no such process
    with open(dead, "wb") as spill:
        spill.write(journal.frame(1, entry("/whole")) + journal.frame(2, entry("/cut"))[:-3])
    assert [e["path"] for e in journal.entries(db)] == ["/whole"]
    journal.entries(db)                     # the next reader finds it empty: its worker is gone
    assert not os.path.exists(dead)


def test_headers_are_read_from_the_environ_as_werkzeug_names_them():
    from werkzeug.datastructures import EnvironHeaders
    from werkzeug.test import EnvironBuilder

    for headers, body in (({"MX-API-Key": "k", "x_odd": "1", "Accept": ""}, b"{}"), ({}, None)):
        environ = EnvironBuilder(path="/x", headers=headers, data=body,
                                 content_type="application/json" if body else None).get_environ()
        environ["CONTENT_TYPE"] = environ.get("CONTENT_TYPE", "")
        assert list(journal.environ_headers(environ)) == list(EnvironHeaders(environ).items())


def test_entries_are_masked_named_and_formatted_when_read(tmp_path):
    db = journal.open_journal(str(tmp_path / "j.sqlite.requests"))
    raw = ("atrium", "POST", "/atrium/users", b"a=%C3%A9",
           [("HTTP_MX_API_KEY", "secret-key"), ("HTTP_AUTHORIZATION", "Basic abc"), ("CONTENT_TYPE", "application/json"),
            ("CONTENT_LENGTH", "")],
           b'{"password": "hunter2", "name": "n"}', 201, b"x" * 5000, 1.23456)
    journal.record(db, raw, 1000)
    db.secret_headers = journal.SECRET_HEADERS | {"mx-api-key"}     # as Atrium declares it
    [found] = journal.entries(db)
    assert found["query"] == "a=%C3%A9"
    assert found["headers"] == {"Mx-Api-Key": "***", "Authorization": "Basic ***", "Content-Type": "application/json"}
    assert found["body"] == {"password": "***", "name": "n"}
    assert found["response_body"] == "x" * journal.BODY_LIMIT + "...[truncated]"
    assert found["duration_ms"] == 1.235
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", found["time"])
