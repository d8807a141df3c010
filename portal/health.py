"""`/healthz` for load balancers and operators: 200 when the database answers, 503 when not."""
from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.kernel.audience import PUBLIC, blueprint_audience

bp = Blueprint("health", __name__)
blueprint_audience(bp, PUBLIC)


@bp.route("/healthz")
def healthz():
    """Ask the database for one row."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
