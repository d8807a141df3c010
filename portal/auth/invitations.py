"""Invitations: a one-time, expiring link a new person follows to set their first password."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models import Invitation, User, utcnow
from portal.passwords import hash_password

#: How long an invitation link works unless PORTAL_INVITATION_DAYS says otherwise.
INVITATION_DAYS = 7


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(user: User) -> str:
    """A new invitation for this person; returns the token (shown once, stored only hashed).
    Earlier unused invitations of the person stop working."""
    now = utcnow()
    for old in db.session.scalars(select(Invitation).where(Invitation.user_id == user.id,
                                                          Invitation.used_at.is_(None))):
        old.expires_at = min(old.expires_at, now)
    token = secrets.token_urlsafe(32)
    days = int(current_app.config.get("INVITATION_DAYS", INVITATION_DAYS))
    db.session.add(Invitation(user_id=user.id, token_hash=_digest(token),
                              expires_at=now + timedelta(days=days)))
    audit.record("user.invite", "user", user.id)
    return token


def open_invitation(token: str) -> Invitation | None:
    """The invitation of this token when it is unused, unexpired and its person active."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _digest(token)))
    if (invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow()
            or not invitation.user.active):
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the person's password from their invitation, which is then used up."""
    user = invitation.user
    invitation.used_at = utcnow()
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.failed_logins = 0
    user.locked_until = None
    audit.record("user.invitation_accepted", "user", user.id)
    return user
