"""MX Atrium HTTP layer: auth, parse, call the service, render."""
from flask import Blueprint

bp = Blueprint("atrium", __name__)
