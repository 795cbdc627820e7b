"""SaaSquatch HTTP layer: auth, parse, call the service, render."""
from flask import Blueprint

bp = Blueprint("saasquatch", __name__)
