"""Eagle Eye AIR wire format (request and response schemas)."""
