"""Enum columns stored as their value (a VARCHAR), the same on SQLite and PostgreSQL."""
from portal.extensions import db


def enum_column(cls, length: int = 20):
    """An enum column type stored as the member's value, without a database CHECK constraint.

    No CHECK so that adding a member needs no table rebuild; the ORM refuses unknown strings.
    """
    return db.Enum(cls, native_enum=False, length=length, create_constraint=False,
                   values_callable=lambda e: [m.value for m in e], validate_strings=True)
