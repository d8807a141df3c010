"""Signing in and out, the language switch, and the person's own account settings."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import views  # noqa: E402,F401
