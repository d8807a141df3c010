"""`flask --app wsgi backup FILE` and `restore FILE`: SQLite's online backup, or pg_dump/pg_restore."""
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from portal.extensions import db


def _sqlite_path() -> str:
    """The file of the SQLite database."""
    return make_url(str(db.engine.url)).database


def _libpq_url() -> str:
    """The database URL as libpq tools take it (no SQLAlchemy driver name)."""
    url = make_url(str(db.engine.url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    """The path of a PostgreSQL client tool, or a clear error."""
    path = shutil.which(name)
    if path is None:  # Debian keeps the server's own copies here when the client is missing
        found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        path = str(found[-1]) if found else None
    if path is None:
        raise click.ClickException(f"{name} is not installed (Debian: postgresql-client)")
    return path


def backup_to(target: Path) -> None:
    """Write a consistent copy of the database to target while the portal keeps running."""
    if db.engine.dialect.name == "sqlite":
        db.engine.dispose()
        with sqlite3.connect(_sqlite_path()) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    elif db.engine.dialect.name == "postgresql":
        subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target),
                        _libpq_url()], check=True)
    else:
        raise click.ClickException(f"no backup for {db.engine.dialect.name}")


def restore_from(source: Path) -> None:
    """Replace the database's contents with a backup made by backup_to."""
    db.session.remove()
    db.engine.dispose()
    if db.engine.dialect.name == "sqlite":
        with sqlite3.connect(source) as backup, sqlite3.connect(_sqlite_path()) as live:
            backup.backup(live)
    elif db.engine.dialect.name == "postgresql":
        subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                        "--single-transaction", "--dbname", _libpq_url(), str(source)], check=True)
    else:
        raise click.ClickException(f"no restore for {db.engine.dialect.name}")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Copy the database to TARGET (SQLite online backup, or a pg_dump archive)."""
    if target.exists():
        raise click.ClickException(f"{target} exists; name a new file")
    backup_to(target)
    click.echo(f"Backed up to {target}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace everything in the database with the backup SOURCE."""
    if not yes:
        click.confirm("This replaces every record in the database. Continue?", abort=True)
    restore_from(source)
    click.echo(f"Restored from {source}")
