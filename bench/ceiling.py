"""The ceiling: the smallest useful Flask app, served under gunicorn with the sandbox's
worker settings. The sandbox's figures are reported as ratios to this, from the same run.

``python -m bench.ceiling --port 8081 --workers 2`` serves it through the sandbox's own
``SandboxServer`` (the same gunicorn options: threaded workers, preload, keep-alive, timeouts),
so the only difference between the two servers is the application.
"""
from __future__ import annotations

import argparse

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/ping")
def ping():
    return jsonify({"status": "ok", "items": [1, 2, 3]})


def main(argv=None) -> None:
    from sandbox.server import SandboxServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    SandboxServer(app, host=args.host, port=args.port, workers=args.workers, quiet=True).run()


if __name__ == "__main__":
    main()
