"""The periodic tasks that call into modules (assembly: create_app imports this file, and the
queue's consumer runs them; docs/architecture.md, background work).

- every five minutes: the reminder pass (idempotent: the sent-log keeps each reminder once), then
  the e-mail it queued (urgent at once, digests at each person's hour);
- nightly: the people sync from the company directory, when PORTAL_LDAP_URL is set.
"""
from portal.directory import services as directory
from portal.kernel import clock
from portal.queue import crontab, periodic_task
from portal.reminders.services import run_reminder_pass, send_pending_mail


@periodic_task(crontab(minute="*/5"))
def reminder_pass() -> None:
    """The reminders that are due, then the e-mail waiting to go out."""
    run_reminder_pass(clock.now())
    send_pending_mail()


@periodic_task(crontab(minute="30", hour="18"))  # Huey's crontab is UTC: 02:30 in Beijing
def directory_sync() -> None:
    """Nightly: people, managers, areas and roles from the company directory, when one is set."""
    if directory.enabled():
        directory.sync()
