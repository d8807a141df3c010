"""Pieces shared by models of every domain."""
from datetime import UTC, datetime

from flask_babel import get_locale
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """The current time in UTC, naive, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


class BilingualName:
    """A Chinese name with an optional English one; `label` picks by the reader's language."""

    #: The name in Chinese, always present.
    name: Mapped[str] = mapped_column(String(100))
    #: The name in English; the Chinese one is shown where it is empty.
    name_en: Mapped[str] = mapped_column(String(100), default="")

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        locale = get_locale()
        if locale is not None and locale.language == "en" and self.name_en:
            return self.name_en
        return self.name

    def __str__(self) -> str:
        return self.label
