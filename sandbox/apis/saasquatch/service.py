"""SaaSquatch business rules: functions over a store handle and `now`; no Flask here."""
