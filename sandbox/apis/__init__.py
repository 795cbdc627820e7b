"""The emulated APIs: the registry, the one list of them.

Everything that lists the APIs derives from ``API_PACKAGES``: the app factory (which mounts
them), the CLI's ``--root-api`` choices, the control API's scenario document, the secret
headers the journal masks, the docs page and the tests' catalogue of routes. Adding an API
is its package plus one entry here (sandbox/core/README.md).
"""
from . import atrium, eagleeye, myrewards, saasquatch

API_PACKAGES = [atrium.API, myrewards.API, saasquatch.API, eagleeye.API]
