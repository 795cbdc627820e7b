"""The dashboard: the sandbox seen and steered in a browser, at ``/_sandbox/ui``.

How it reads and writes, one rule each way:

- **Pages** (``pages.py``) are server-rendered shells: layout, navigation and forms, no
  state. They need no token, so a browser can open them by URL.
- **Parts** (``parts.py``) are the state, rendered on the server with Jinja from the same
  functions the control API calls (the journal, the clock, the state export, faults). They
  check the admin token exactly as the control API does; ``static/dashboard.js`` fetches them
  with the token the user gave once (kept in ``sessionStorage``, never in a URL) and swaps
  them into the page, polling where the page is live.
- **Every change** (clock, scenario, faults, the journal) is a call to the control API
  itself, sent by the same script as JSON, so the dashboard can do nothing the control API
  cannot, and answers its errors as they come.

A page is a ``Page`` in ``pages.PAGES``, a template, and (when it shows state) a part: adding
one is a few lines in each.
"""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

from . import pages, parts  # noqa: E402,F401  (register their views on bp)
