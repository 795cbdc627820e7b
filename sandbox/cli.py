"""The ``rewards-sandbox`` command: serve, load, replay."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile

import click

API_NAMES = ["atrium", "myrewards", "saasquatch", "eagleeye"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rewards-sandbox")
def main():
    """A local sandbox of the MX Atrium, MyRewards, SaaSquatch and Eagle Eye AIR rewards APIs."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="SANDBOX_HOST")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), envvar="SANDBOX_PORT")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), envvar="SANDBOX_WORKERS")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), envvar="SANDBOX_DB",
              help="Database file that persists across restarts (default: a temporary one).")
@click.option("--scenario", envvar="SANDBOX_SCENARIO",
              help="Scenario file, or the name of a built-in one (default: the built-in default world).")
@click.option("--root-api", type=click.Choice(API_NAMES), envvar="SANDBOX_ROOT_API",
              help="Also serve this API at / for clients that cannot take a path prefix.")
@click.option("--reset", is_flag=True, envvar="SANDBOX_RESET",
              help="Reload the scenario into an existing --db, replacing its state (kept by default).")
@click.option("--quiet/--log-requests", default=False, envvar="SANDBOX_QUIET",
              help="Log one line per request on stdout (default) or stay quiet.")
def serve(host, port, workers, db_path, scenario, root_api, reset, quiet):
    """Serve the sandbox under gunicorn with several worker processes."""
    from sandbox import create_app
    from sandbox.apis import API_PACKAGES
    from sandbox.core.settings import settings_from_env
    from sandbox.server import SandboxServer, port_in_use

    temp_dir = None
    if not db_path:
        temp_dir = tempfile.mkdtemp(prefix="rewards-sandbox-")
        db_path = os.path.join(temp_dir, "sandbox.sqlite")
    try:
        db_path = os.path.abspath(db_path)
        banner = in_child_process(lambda: prepare_world(db_path, scenario, API_PACKAGES, reset=reset))
        if port_in_use(host, port):
            raise click.ClickException(f"{host}:{port} is already in use; choose another --port")
        settings = settings_from_env(db_path, root_api=root_api, log_requests=not quiet)
        app = create_app(settings)
        click.echo(render_banner(host, port, root_api, banner))
        sys.stdout.flush()
        SandboxServer(app, host=host, port=port, workers=workers, quiet=True).run()
    finally:
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


def in_child_process(work):
    """``work()``'s result (JSON-able), computed in a forked child process.

    The gunicorn master forks every worker from this process: parsing and loading a
    large startup world here would leave its freed memory (fragmented, never returned to
    the system) in each worker's resident set. A 10,000-member world costs ~15 MiB per
    worker that way. A ``ClickException`` raised by ``work`` is raised here."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:                                        # the child: never returns
        outcome = {"crash": "the child process failed before it could answer"}
        try:
            os.close(read_end)
            try:
                outcome = {"result": work()}
            except click.ClickException as exc:
                outcome = {"error": exc.format_message()}
            except BaseException:
                import traceback
                outcome = {"crash": traceback.format_exc()}
            with os.fdopen(write_end, "w") as out:
                json.dump(outcome, out)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as answer:
        text = answer.read()
    os.waitpid(pid, 0)
    outcome = json.loads(text) if text else {"crash": "the child process exited without an answer"}
    if "error" in outcome:
        raise click.ClickException(outcome["error"])
    if "crash" in outcome:
        raise RuntimeError("preparing the database failed:\n" + outcome["crash"])
    return outcome["result"]


def prepare_world(db_path: str, scenario: str | None, apis, reset: bool = False) -> dict:
    """Open the database, creating it with the scenario (or the default world) when it is
    new. An existing sandbox database keeps its state unless ``reset``.

    A new database is built in a temporary file beside it and renamed into place only once
    its world is loaded, so a start that fails (an invalid scenario, a kill) leaves no
    half-made database behind: the next start builds it again."""
    from sandbox.core.db import is_sandbox_database
    from sandbox.core.scenarios import get_meta

    existing = is_sandbox_database(db_path)
    if not existing and os.path.exists(db_path) and os.path.getsize(db_path) > 0:
        raise click.ClickException(f"{db_path} exists but is not a rewards-sandbox database; "
                                   "choose another --db path")
    os.makedirs(os.path.dirname(db_path) or ".", exist_ok=True)
    _remove_leftovers(db_path)
    doc = None
    if existing:
        from sandbox.core.migrate import prepare_database

        db = prepare_database(db_path, apis)
        loaded = get_meta(db, "scenario_name") is not None
        db.close()
        if reset or not loaded:         # not loaded: half made by an older version
            doc = _load_into(db_path, scenario, apis)
    else:
        tmp = f"{db_path}.tmp-{os.getpid()}"
        try:
            doc = _load_into(tmp, scenario, apis)
            os.rename(tmp, db_path)
            _clear_journal(db_path)         # one left by an earlier database of that name
        finally:
            _remove_leftovers(db_path)
    from sandbox.core.db import connect
    db = connect(db_path)
    try:
        return {"scenario": get_meta(db, "scenario_name"), "db": db_path, "reused": doc is None,
                "credentials": {api.name: api.credentials(db) for api in apis}}
    finally:
        db.close()


def _load_into(db_path: str, scenario: str | None, apis) -> dict:
    """Load the scenario (or the default world) into the database at ``db_path`` as its
    startup world, and empty its journal."""
    from sandbox.core.migrate import prepare_database
    from sandbox.core.scenario_files import ScenarioProblem, find_scenario, read_file
    from sandbox.core.scenarios import load_world

    db = prepare_database(db_path, apis)
    try:
        try:
            path = find_scenario(scenario or "default")
            doc, provenance = read_file(path)
            load_world(db, doc, provenance, str(path), apis, startup=True)
        except ScenarioProblem as exc:
            raise click.ClickException("invalid scenario:\n" + exc.render()) from None
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _clear_journal(db_path)
        return doc
    finally:
        db.close()


def _clear_journal(db_path: str) -> None:
    from sandbox.core import journal
    from sandbox.core.namespaces import journal_path_for

    db = journal.open_journal(journal_path_for(db_path))
    try:
        journal.clear(db)
    finally:
        db.close()


def _remove_leftovers(db_path: str) -> None:
    """Temporary files of a start that never finished (this one's too, once done)."""
    import glob

    for leftover in glob.glob(glob.escape(db_path) + ".tmp-*"):
        try:
            os.unlink(leftover)
        except FileNotFoundError:
            pass


def render_banner(host: str, port: int, root_api: str | None, banner: dict) -> str:
    base = f"http://{host}:{port}"
    lines = [f"rewards-sandbox serving world '{banner['scenario']}' "
             f"({'reused' if banner['reused'] else 'loaded'}; db {banner['db']})", ""]
    for name, creds in banner["credentials"].items():
        lines.append(f"  {name:<11} {base}/{name}")
        for cred in creds:
            lines.append("      " + ", ".join(f"{k}={v}" for k, v in cred.items()))
    if root_api:
        lines.append(f"  {root_api} is also served at {base}/")
    lines.append(f"  control     {base}/_sandbox  (health, scenario, reset, clock, requests, faults)")
    return "\n".join(lines)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--target", required=True, envvar="SANDBOX_TARGET", help="Base URL of a running sandbox.")
@click.option("--namespace", envvar="SANDBOX_NAMESPACE", help="Load into this namespace.")
@click.option("--token", envvar="SANDBOX_ADMIN_TOKEN", help="Control API token, if the server needs one.")
def load(file, target, namespace, token):
    """Load a scenario file into a running sandbox."""
    from sandbox.core.scenario_files import ScenarioProblem, read_file

    try:
        doc, _ = read_file(file)
    except ScenarioProblem as exc:
        raise click.ClickException("invalid scenario:\n" + exc.render()) from None
    status, body = control_request(target, "POST", "/_sandbox/scenario", doc, namespace=namespace, token=token)
    if status != 200:
        problems = "\n".join(f"  {p.get('path') or ''}: {p['message']}" for p in body.get("problems", []))
        raise click.ClickException(f"{status}: {body.get('error', body)}\n{problems}".rstrip())
    click.echo(f"loaded '{body['name']}' into {target}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--target", envvar="SANDBOX_TARGET",
              help="Base URL of a running sandbox (default: a fresh in-process sandbox per file).")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), help="Write JUnit XML here.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failing step.")
@click.option("--namespace", envvar="SANDBOX_NAMESPACE", help="With --target: replay in this namespace.")
@click.option("--token", envvar="SANDBOX_ADMIN_TOKEN", help="Control API token, if the server needs one.")
def replay(paths, target, junit_path, fail_fast, namespace, token):
    """Replay the steps of scenario files (files or folders) and check every response."""
    from sandbox.replay import report
    from sandbox.replay.runner import run_file, scenario_files
    from sandbox.replay.transport import Http, InProcess

    make_transport = (lambda: Http(target, namespace, token)) if target else InProcess
    results = []
    for path in scenario_files(paths):
        result = run_file(path, make_transport, fail_fast)
        results.append(result)
        click.echo("\n".join(report.lines_for(result)))
        if fail_fast and result.failed:
            break
    passed, failed, line = report.summary(results)
    if junit_path:
        report.junit(results, junit_path)
    click.echo(line)
    sys.exit(1 if failed or not results else 0)


def control_request(target: str, method: str, path: str, payload=None, *, namespace=None, token=None):
    """One JSON call to a running sandbox's control API: (status, parsed body)."""
    import urllib.error
    import urllib.request

    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(target.rstrip("/") + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if namespace:
        req.add_header("X-Sandbox-Namespace", namespace)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except urllib.error.URLError as exc:
        raise click.ClickException(f"cannot reach {target}: {exc.reason}") from None
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, {"error": raw.decode("utf-8", "replace")}


if __name__ == "__main__":
    main()
