"""Flask-Login's user loader: the session id carries the session version."""
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import User


def load_user(session_id: str) -> User | None:
    """The signed-in user, or None when the id is malformed, the user inactive or the version old."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    # The roles joined in: one statement on every request instead of two.
    user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
