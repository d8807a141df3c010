"""`flask --app wsgi sync-directory [--dry-run]`: people from the company directory."""
import click
from flask.cli import with_appcontext

from portal.directory.services import DirectoryUnavailable, enabled, sync


@click.command("sync-directory")
@click.option("--dry-run", is_flag=True, help="Print the changes without saving them.")
@with_appcontext
def sync_directory(dry_run: bool) -> None:
    """Create, update and deactivate people from the directory (PORTAL_LDAP_* settings)."""
    if not enabled():
        raise click.ClickException("No directory configured: set PORTAL_LDAP_URL.")
    try:
        report = sync(dry_run=dry_run)
    except DirectoryUnavailable as error:
        raise click.ClickException(f"The directory cannot be reached: {error}") from error
    for action, username, change in report.changes:
        click.echo(f"{action} {username}: {change}")
    verb = "changes that would be made" if dry_run else "changes made"
    click.echo(f"{report.seen} directory entries read; {verb}: {len(report.changes)}.")
