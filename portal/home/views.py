"""The home page."""
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from portal.extensions import db
from portal.home import bp
from portal.home.panels import panels_for
from portal.htmx import render
from portal.models import User


@bp.route("/")
def index():
    """Who I am, my area, my manager and my direct reports, then the modules' panels."""
    # Joined, and the roles of the manager and the reports (not shown) left unloaded: two
    # statements instead of eight.
    me = db.session.scalar(
        select(User).where(User.id == current_user.id)
        .options(joinedload(User.area), joinedload(User.manager).lazyload(User.role_rows),
                 selectinload(User.reports).options(joinedload(User.area),
                                                    lazyload(User.role_rows)))
    )
    return render("home/index.html", me=me, panels=panels_for(current_user))
