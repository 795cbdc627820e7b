"""MyRewards HTTP layer: auth, parse, call the service, render."""
from flask import Blueprint

bp = Blueprint("myrewards", __name__)
