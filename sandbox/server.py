"""Serving with gunicorn, started from Python (no shell-out).

The master prepares the database (WAL, migrations, startup world) before it forks, and
loads the app once (``preload_app``), so workers start in milliseconds; each worker
opens its own SQLite connection on its first request.
"""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


class SandboxServer(BaseApplication):
    def __init__(self, app, *, host: str, port: int, workers: int, quiet: bool = True):
        self._app = app
        self._options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "preload_app": True,
            "timeout": 60,
            "graceful_timeout": 10,
            "keepalive": 5,
            "loglevel": "warning" if quiet else "info",
            "accesslog": None,
            "errorlog": "-",
            "proc_name": "rewards-sandbox",
        }
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app
