"""Sign-in throttling: back-off per (username, client address) and per address, lock-outs in the
audit log, and an administrator's clearing of one.

A person who knows their password still gets in from their own machine while someone guessing
from another address waits: there is no lock on the account alone. The key is the typed username,
so an unknown name backs off exactly like a real one.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models import User, utcnow
from portal.models.auth import LoginThrottle

# Invitations live in their own file; this is the module's public face for them (admin imports).
from portal.auth.invitations import (accept_invitation, create_invitation,  # noqa: F401
                                     open_invitation)

MAX_USERNAME = 50


def normalised(username: str) -> str:
    """The username as throttles key it: trimmed, lower case, bounded."""
    return (username or "").strip().lower()[:MAX_USERNAME]


def keys(username: str, address: str) -> tuple[str, str]:
    """The pair key and the address key of one attempt."""
    address = (address or "unknown")[:64]
    return f"pair:{normalised(username)}|{address}", f"address:{address}"


def _limits(key: str) -> tuple[int, int, int]:
    """Free attempts, first wait and cap for a key: an address alone gets more free attempts
    (people behind one office address share it)."""
    config = current_app.config
    free = (config["LOGIN_FREE_ATTEMPTS"] if key.startswith("pair:")
            else config["LOGIN_ADDRESS_FREE_ATTEMPTS"])
    return free, config["LOGIN_BACKOFF_SECONDS"], config["LOGIN_BACKOFF_MAX_SECONDS"]


def backoff_seconds(failures: int, key: str = "pair:") -> int:
    """The wait after this many failures under a key: none at first, then doubling to a cap."""
    free, first, cap = _limits(key)
    excess = failures - free
    if excess < 0:
        return 0
    return min(first * 2 ** excess, cap)


def _remaining(row: LoginThrottle | None) -> int:
    if row is None or row.locked_until is None:
        return 0
    return max(0, int((row.locked_until - utcnow()).total_seconds() + 0.999))


def wait_for(username: str, address: str) -> int:
    """Seconds before this username may be tried from this address (0: now). A plain read."""
    rows = db.session.scalars(select(LoginThrottle).where(
        LoginThrottle.key.in_(keys(username, address)))).all()
    return max((_remaining(row) for row in rows), default=0)


def _row(key: str, username: str, address: str) -> LoginThrottle:
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key))
    if row is None:
        row = LoginThrottle(key=key, username=username, address=address[:64], failures=0)
        db.session.add(row)
    return row


def record_failure(username: str, address: str) -> None:
    """Count a failed sign-in under both keys; a key that starts waiting is a lock-out, logged.

    Counts older than the window start again from zero. Call inside a short write transaction.
    """
    now = utcnow()
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    name = normalised(username)
    for key in keys(username, address):
        row = _row(key, name if key.startswith("pair:") else "", address or "unknown")
        if row.failures and row.last_failure_at < now - window and _remaining(row) == 0:
            row.failures = 0
        row.failures = (row.failures or 0) + 1
        row.last_failure_at = now
        wait = backoff_seconds(row.failures, key)
        row.locked_until = now + timedelta(seconds=wait) if wait else None
        if wait and row.failures == _limits(key)[0]:
            db.session.flush()
            user_id = db.session.scalar(select(User.id).where(User.username == username.strip()))
            audit.record("login.lockout", "login_throttle", row.id, None,
                         {"username": row.username, "address": row.address, "user_id": user_id,
                          "seconds": wait})


def record_success(user: User, username: str, address: str) -> None:
    """A good sign-in: the pair's count is cleared (the address's stays: one good account must
    not reset a guesser's count), the time noted."""
    pair, _address = keys(username, address)
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == pair))
    if row is not None:
        db.session.delete(row)
    user.last_login_at = utcnow()


def current_lockouts() -> list[LoginThrottle]:
    """Keys waiting now, longest wait first (the admin's list)."""
    return list(db.session.scalars(
        select(LoginThrottle).where(LoginThrottle.locked_until > utcnow())
        .order_by(LoginThrottle.locked_until.desc(), LoginThrottle.id)))


def clear_lockout(throttle_id: int) -> LoginThrottle | None:
    """An administrator lifts one lock-out (logged); None when there is no such key."""
    row = db.session.get(LoginThrottle, throttle_id)
    if row is None:
        return None
    audit.record("login.lockout_clear", "login_throttle", row.id,
                 {"username": row.username, "address": row.address,
                  "failures": row.failures}, None)
    db.session.delete(row)
    return row
