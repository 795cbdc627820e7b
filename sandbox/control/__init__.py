"""The sandbox's own control API, mounted at ``/_sandbox``."""
