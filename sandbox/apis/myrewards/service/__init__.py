"""MyRewards business rules: functions of (db, now, programme, ...) over the store; no
Flask here. One module per resource: ``transactions`` (ledger, pool, the variety table in
``varieties``), ``users`` (users, groups, registration questions), ``performance``
(data fields, promotions, sales-data claims)."""
