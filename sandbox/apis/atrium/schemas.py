"""MX Atrium wire format (request and response schemas)."""
