"""`flask --app wsgi send-reminders [--dry-run] [--now TIME]`: one reminder pass by hand."""
from datetime import datetime

import click
from flask.cli import with_appcontext

from portal.kernel import clock
from portal.reminders.services import run_reminder_pass, send_pending_mail


def _moment(text: str | None) -> datetime:
    """--now as given (ISO 8601; without a zone it is company time), else the clock's now."""
    if not text:
        return clock.now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"not an ISO date and time: {text}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.zone())


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write and send nothing.")
@click.option("--now", "now_text", metavar="TIME",
              help="Run as if at this moment, e.g. 2026-11-27T09:00 (company time zone).")
@with_appcontext
def send_reminders(dry_run: bool, now_text: str | None) -> None:
    """Run one reminder pass (what the scheduler runs) and send the e-mail it queues."""
    now = _moment(now_text)
    reminders = run_reminder_pass(now, dry_run=dry_run)
    for r in reminders:
        click.echo(f"{r.username}\t{r.kind}\t{r.channel.value}\t{r.text()}")
    verb = "would send" if dry_run else "sent"
    click.echo(f"{len(reminders)} reminders {verb} ({now.isoformat(timespec='minutes')}).")
    if not dry_run:
        sent = send_pending_mail()
        click.echo(f"{sent} e-mails sent.")
