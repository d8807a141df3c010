"""The home page."""
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.home import bp
from portal.home.panels import panels_for
from portal.htmx import render
from portal.models import User


@bp.route("/")
def index():
    """Who I am, my area, my manager and my direct reports, then the modules' panels."""
    me = db.session.scalar(
        select(User).where(User.id == current_user.id)
        .options(selectinload(User.area), selectinload(User.manager),
                 selectinload(User.reports).selectinload(User.area))
    )
    return render("home/index.html", me=me, panels=panels_for(current_user))
