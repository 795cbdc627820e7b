"""Eagle Eye AIR HTTP layer: auth, parse, call the service, render."""
from flask import Blueprint

bp = Blueprint("eagleeye", __name__)
