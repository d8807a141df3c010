"""Sign-in throttles: failed attempts counted per (username, client address) and per address."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import utcnow


class LoginThrottle(db.Model):
    """Failed sign-ins under one key, and the wait they have earned.

    Keys are `pair:<username>|<address>` (one account tried from one address) and
    `address:<address>` (every account tried from one address). Keyed by the typed username,
    not the account, so an unknown name backs off exactly like a real one (no enumeration), and
    never by the account alone, so nobody can lock a person out from another machine.
    """

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: The typed username (pair keys) and the client address, for the admin's list.
    username: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    failures: Mapped[int] = mapped_column(default=0)
    #: No sign-in under this key is tried before this time (UTC).
    locked_until: Mapped[datetime | None] = mapped_column(index=True)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
