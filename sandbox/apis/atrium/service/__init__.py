"""MX Atrium business rules: functions of (db, now, ...) over the store; no Flask here.

- ``users`` and ``institutions``: the directory a client sees;
- ``members``: connections to institutions (create, update, credentials, challenges);
- ``jobs``: aggregation-type jobs (MX's 202/409/403/400/three-hour rules) and MFA answers;
- ``connection``: a member's state derived from its jobs and the clock;
- ``holdings``: accounts, transactions and rewards, shown once a job gathered them;
- ``catalogue``: built-in institutions and what a new member finds there.
"""
