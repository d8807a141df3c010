"""Big exports made outside the request: the job, its progress and the finished file.

The state lives here (not in the queue) so any app server answers the progress poll; the file is
stored with the job and only its requester may download it.
"""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from portal.extensions import db
from portal.kernel.enums import enum_column
from portal.models.base import utcnow


class ExportJobState(enum.StrEnum):
    """An export waits, runs, then is done or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(db.Model):
    """An export too big to stream in the request (portal.exports): what was asked for (the
    export's name, the list's filters, the format and language), its progress and its file."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The registered export (portal.exports.services.register): "sales", "customers", …
    kind: Mapped[str] = mapped_column(String(40))
    #: The list's query arguments when it was asked for (filters, search, sort).
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    #: "csv" or "xlsx".
    format: Mapped[str] = mapped_column(String(10))
    #: The reader's language: headers and coded values are written in it.
    locale: Mapped[str] = mapped_column(String(20))
    state: Mapped[ExportJobState] = mapped_column(enum_column(ExportJobState),
                                                  default=ExportJobState.QUEUED)
    #: Rows counted when it was asked for, and rows written so far.
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: The file's name (in the reader's language) and bytes, stored with the end state.
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(default=0)
