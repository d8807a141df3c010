"""Optimistic locking for the records two people plausibly edit at the same time."""
from sqlalchemy import text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class Versioned:
    """A mixin: `row_version` goes up by one on every ORM update of the row.

    SQLAlchemy's version_id_col adds `AND row_version = <the version read>` to each UPDATE, so a
    save built on a stale read changes nothing and raises StaleDataError. The edit forms also carry
    the version they were shown (portal.concurrency), so a stale save is refused with a message
    before anything is written.
    """

    #: How many times the row was saved; the edit forms send back the one they showed.
    row_version: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.row_version}
