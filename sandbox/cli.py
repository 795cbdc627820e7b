"""The ``rewards-sandbox`` command: serve, load, replay."""
from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import sys
import tempfile

import click

from sandbox.apis import API_PACKAGES

API_NAMES = [api.name for api in API_PACKAGES]   # the registry's, for --root-api


class Refused(click.ClickException):
    """A failure told in one line of its own (no "Error:" prefix), exit status 2: nothing
    was tried, because the server, the port or the token is not what the command needs."""

    exit_code = 2

    def show(self, file=None):
        click.echo(self.format_message(), err=True)


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
    from sandbox.core.settings import settings_from_env
    from sandbox.server import SandboxServer

    check_port_free(host, port)
    temp_dir = None
    if not db_path:
        temp_dir = tempfile.mkdtemp(prefix="rewards-sandbox-")
        db_path = os.path.join(temp_dir, "sandbox.sqlite")
    try:
        db_path = os.path.abspath(db_path)
        banner = in_child_process(lambda: prepare_world(db_path, scenario, API_PACKAGES, reset=reset))
        # again: with each worker on its own socket (reuse_port) a server started meanwhile
        # on this port would not make ours fail; it would silently share its connections
        check_port_free(host, port)
        settings = settings_from_env(db_path, root_api=root_api, log_requests=not quiet)
        app = create_app(settings)
        click.echo(render_banner(host, port, root_api, banner))
        sys.stdout.flush()
        SandboxServer(app, host=host, port=port, workers=workers, quiet=True).run()
    finally:
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


def check_port_free(host: str, port: int) -> None:
    """Refuse, before anything is prepared or printed, a port another process listens on
    (gunicorn would retry for seconds and then fail with a traceback)."""
    if port == 0:
        return
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise Refused(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise Refused(f"port {port} is already in use on {host}; "
                              "choose another with --port (or SANDBOX_PORT)") from None
            raise Refused(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def in_child_process(work):
    """``work()``'s result (JSON-able), computed in a forked child process.

    perf: worker RSS with the bench world 52 -> 36 MiB (bench/README.md).

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
    startup world (``build_world``), and empty its journal. Returns the load summary."""
    from sandbox.core.scenario_files import ScenarioProblem, find_scenario
    from sandbox.core.scenarios import build_world

    try:
        summary = build_world(db_path, find_scenario(scenario or "default"), apis)
    except ScenarioProblem as exc:
        raise click.ClickException("invalid scenario:\n" + exc.render()) from None
    _clear_journal(db_path)
    return summary


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
@click.argument("scenario")
@click.option("--target", required=True, envvar="SANDBOX_TARGET", help="Base URL of a running sandbox.")
@click.option("--namespace", envvar="SANDBOX_NAMESPACE", help="Load into this namespace.")
@click.option("--token", envvar="SANDBOX_ADMIN_TOKEN", help="Control API token, if the server needs one.")
def load(scenario, target, namespace, token):
    """Load a scenario (a file, or the name of a built-in one) into a running sandbox."""
    from sandbox.core.scenario_files import ScenarioProblem, find_scenario, read_file

    try:
        doc, _ = read_file(find_scenario(scenario))
    except ScenarioProblem as exc:
        raise click.ClickException("invalid scenario:\n" + exc.render()) from None
    check_target(target, namespace, token)
    status, body = control_request(target, "POST", "/_sandbox/scenario", doc, namespace=namespace, token=token)
    if status != 200:
        problems = "\n".join(f"  {p.get('path') or ''}: {p['message']}" for p in body.get("problems", []))
        raise click.ClickException(f"{status}: {body.get('error', body)}\n{problems}".rstrip())
    click.echo(f"loaded '{body['name']}' into {target}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--target", envvar="SANDBOX_TARGET",
              help="Base URL of a running sandbox (default: a fresh in-process sandbox per file).")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), help="Write JUnit XML here.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failing step.")
@click.option("--namespace", envvar="SANDBOX_NAMESPACE", help="With --target: replay in this namespace.")
@click.option("--token", envvar="SANDBOX_ADMIN_TOKEN", help="Control API token, if the server needs one.")
def replay(paths, target, junit_path, fail_fast, namespace, token):
    """Replay the steps of scenario files (files, folders, or built-in names such as atrium)."""
    from sandbox.replay import report
    from sandbox.replay.runner import NoSuchScenario, run_file, scenario_files
    from sandbox.replay.transport import AdminTokenRefused, Http, InProcess, Unreachable

    try:
        files = scenario_files(paths)
    except NoSuchScenario as exc:
        raise Refused(str(exc)) from None
    if target:
        check_target(target, namespace, token)
    make_transport = (lambda: Http(target, namespace, token)) if target else InProcess
    results = []
    try:
        for path in files:
            result = run_file(path, make_transport, fail_fast)
            results.append(result)
            click.echo("\n".join(report.lines_for(result)))
            if fail_fast and result.failed:
                break
    except (Unreachable, AdminTokenRefused) as exc:     # the server went away or changed its token
        raise Refused(str(exc)) from None
    passed, failed, line = report.summary(results)
    if junit_path:
        report.junit(results, junit_path)
    click.echo(line)
    sys.exit(1 if failed or not results else 0)


@main.command()
def scenarios():
    """List the built-in scenarios: the names load, replay and serve --scenario take."""
    from sandbox.core.scenario_files import builtin_scenarios

    found = builtin_scenarios()
    width = max(len(s["name"]) for s in found)
    for scenario in found:
        steps = f"{scenario['steps']} steps" if scenario["steps"] else "a world"
        click.echo(f"{scenario['name']:<{width}}  {steps:>9}  {scenario['description'] or ''}".rstrip())


def check_target(target: str, namespace: str | None, token: str | None) -> None:
    """One line and exit status 2 when nothing answers at ``target``, or when its control
    API refuses the admin token given (or the lack of one)."""
    from sandbox.replay.transport import TOKEN_MISSING, TOKEN_WRONG

    status, _ = control_request(target, "GET", "/_sandbox/health", namespace=namespace)
    status, _ = control_request(target, "GET", "/_sandbox/clock", namespace=namespace, token=token)
    if status == 401:
        raise Refused(TOKEN_WRONG if token else TOKEN_MISSING)


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
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Refused(f"cannot reach {target}: {getattr(reason, 'strerror', None) or reason}") from None
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, {"error": raw.decode("utf-8", "replace")}


if __name__ == "__main__":
    main()
