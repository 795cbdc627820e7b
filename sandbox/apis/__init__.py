"""The emulated APIs. The app factory registers exactly this list."""
from . import atrium, eagleeye, myrewards, saasquatch

API_PACKAGES = [atrium.API, myrewards.API, saasquatch.API, eagleeye.API]
