"""MyRewards wire format (request and response schemas)."""
