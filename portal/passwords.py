"""Password hashing with argon2id, a dummy check for unknown accounts, and the password policy."""
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from portal.models import User

#: The commonest passwords of 10 characters or more (lower case, one a line), bundled.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

#: The shortest password accepted (sign-in forms, the admin's forms, the password change).
MIN_PASSWORD = 10


def _cost() -> tuple[int, int, int]:
    config = current_app.config
    return (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"],
            config["ARGON2_PARALLELISM"])


@lru_cache(maxsize=4)
def _hasher_at(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    """An argon2id hasher with the configured cost (tests use a cheap one)."""
    return _hasher_at(*_cost())


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _hasher().hash(password)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    """A hash of nothing anyone types, at the configured cost, made once per process."""
    return _hasher_at(time_cost, memory_cost, parallelism).hash("\x00dummy\x00")


def dummy_verify(password: str) -> None:
    """Spend the work of one real check (for unknown accounts and refused attempts)."""
    try:
        _hasher().verify(_dummy_hash(*_cost()), password)
    except (VerificationError, InvalidHashError):
        pass


def upgraded_hash(user: User) -> str | None:
    """The hash that replaces this account's, when a check in this request succeeded on a hash
    made at another cost and the account still has that hash; else None. The login view stores
    it in its short write, so a cost change reaches every hash at its next sign-in."""
    checked, remade = g.get("password_rehash", (None, None))
    return remade if checked is not None and user.password_hash == checked else None


def verify_password(user: User | None, password: str) -> bool:
    """Whether the password is this user's; spends the same work when there is no such user."""
    if user is None or not user.password_hash:
        dummy_verify(password)
        return False
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):  # for upgraded_hash
        g.password_rehash = (user.password_hash, hasher.hash(password))
    return True


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip()
                     and not line.startswith("#"))


def password_problem(password: str, username: str = "", display_name: str = ""):
    """Why a new password is refused (a lazy message), or None when it is acceptable.

    Length is checked by the form (10 to 200 characters); here: a single repeated character (or
    two), one of the commonest passwords, or one containing the username or display name.
    """
    lowered = (password or "").lower()
    if len(set(lowered)) <= 2:
        return _l("Use more than two different characters, not one character repeated.")
    if lowered in common_passwords():
        return _l("This is one of the most common passwords; choose one that is harder to guess.")
    for name in (username, display_name):
        name = (name or "").strip().lower()
        if len(name) >= 3 and name in lowered:
            return _l("The password must not contain your username or name.")
    return None


class PasswordPolicy:
    """A form validator of the password policy. The names come from the form's `username` and
    `display_name` fields when it has them, else from `form.policy_user` (set by the view)."""

    def __call__(self, form, field):
        user = getattr(form, "policy_user", None)
        username = getattr(getattr(form, "username", None), "data", None) or (
            user.username if user is not None else "")
        display_name = getattr(getattr(form, "display_name", None), "data", None) or (
            user.display_name if user is not None else "")
        problem = password_problem(field.data or "", username, display_name)
        if problem is not None:
            raise ValidationError(str(problem))
