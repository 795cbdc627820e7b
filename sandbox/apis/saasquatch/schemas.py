"""SaaSquatch wire format (request and response schemas)."""
