"""Password hashing with argon2id, and the per-account back-off after failed sign-ins."""
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from portal.models import User, utcnow

#: The shortest password accepted (sign-in forms, the admin's forms, the password change).
MIN_PASSWORD = 10


def _hasher() -> PasswordHasher:
    """An argon2id hasher with the configured cost (tests use a cheap one)."""
    return PasswordHasher(
        time_cost=current_app.config["ARGON2_TIME_COST"],
        memory_cost=current_app.config["ARGON2_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Whether the password is this user's; spends the same time when there is no such user."""
    hasher = _hasher()
    if user is None or not user.password_hash:
        # Hash anyway so a missing account answers no faster than a wrong password.
        hasher.hash(password)
        return False
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def backoff_seconds(failed_logins: int) -> int:
    """How long an account waits after this many failures: none at first, then doubling to a cap."""
    config = current_app.config
    excess = failed_logins - config["LOGIN_FREE_ATTEMPTS"]
    if excess < 0:
        return 0
    return min(config["LOGIN_BACKOFF_SECONDS"] * 2 ** excess, config["LOGIN_BACKOFF_MAX_SECONDS"])


def locked_for(user: User) -> int:
    """Seconds until this account may try again (0 when it may now)."""
    if user.locked_until is None:
        return 0
    remaining = (user.locked_until - utcnow()).total_seconds()
    return max(0, int(remaining + 0.999))


def record_failure(user: User) -> None:
    """Count a failed sign-in and set the wait before the next try."""
    user.failed_logins = (user.failed_logins or 0) + 1
    wait = backoff_seconds(user.failed_logins)
    user.locked_until = utcnow() + timedelta(seconds=wait) if wait else None


def record_success(user: User) -> None:
    """Clear the failure count after a good sign-in."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
