"""The audit log of sensitive changes: who, when, what, before and after."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import utcnow


class AuditLog(db.Model):
    """One sensitive change, written in the same transaction as the change itself."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Who made the change; None for commands run from the shell.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor = relationship("User", foreign_keys=[actor_id])
    #: What was done, e.g. "user.update", "user.password_reset", "target.approve".
    action: Mapped[str] = mapped_column(String(50), index=True)
    #: The kind and id of the record changed, e.g. ("user", 12).
    entity_type: Mapped[str] = mapped_column(String(50), index=True)
    entity_id: Mapped[int | None]
    #: The changed fields before and after, as JSON objects; secrets are never stored.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
