"""Signing in and out, the language switch, and the person's own account settings."""
from flask import Blueprint

from portal.kernel.audience import PUBLIC, blueprint_audience

bp = Blueprint("auth", __name__)
#: Signing in, out and choosing a language work without an account; /account declares its own.
blueprint_audience(bp, PUBLIC)

from portal.auth import views  # noqa: E402,F401
