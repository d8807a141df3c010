"""Fast inserts on the raw database connection: executemany on SQLite, COPY on PostgreSQL."""
import json
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Iterable, Sequence

from sqlalchemy import text

from portal.extensions import db

CHUNK = 20_000


def _sqlite_value(value):
    """A Python value as SQLAlchemy's SQLite types store it."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _copy_value(value):
    """A Python value for COPY: JSON as its text, the rest adapted by psycopg."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


class Bulk:
    """Writes rows into tables in the session's transaction, counting them per table."""

    def __init__(self):
        connection = db.session.connection()
        self.dialect = connection.dialect.name
        self.raw = connection.connection.driver_connection
        self.counts: dict[str, int] = {}
        if self.dialect == "sqlite":
            # Index pages of tables with millions of rows stay in memory while they are written
            # (the default 2 MB cache makes every insert into a big index a page read).
            self.raw.execute("PRAGMA cache_size = -524288")  # 512 MB, for this connection

    def next_id(self, table: str, column: str = "id") -> int:
        """The first free id of a table (ids are chosen here so rows can point at each other)."""
        return (db.session.execute(text(f"SELECT MAX({column}) FROM {table}")).scalar() or 0) + 1

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Insert the rows (tuples in the order of columns); the number inserted."""
        rows = iter(rows)
        total = 0
        cursor = self.raw.cursor()
        names = ", ".join(columns)
        if self.dialect == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_copy_value(v) for v in row])
                    total += 1
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            while chunk := list(islice(rows, CHUNK)):
                cursor.executemany(sql, [[_sqlite_value(v) for v in row] for row in chunk])
                total += len(chunk)
        cursor.close()
        self.counts[table] = self.counts.get(table, 0) + total
        return total

    def fix_sequences(self, tables: Iterable[str]) -> None:
        """On PostgreSQL, move each table's id sequence past the ids written here."""
        if self.dialect != "postgresql":
            return
        for table in tables:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
