"""Shared machinery every emulated API stands on.

Nothing in this package imports an API package: the app factory registers the APIs
from one list (``sandbox.apis.API_PACKAGES``).
"""
