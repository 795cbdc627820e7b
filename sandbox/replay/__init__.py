"""Replaying the ``steps:`` of scenario files, in-process or against a running server."""
