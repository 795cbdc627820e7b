"""The rewards-sandbox benchmark: ``python -m bench`` (see bench/README.md)."""
