"""The periodic tasks that call into modules (assembly: create_app imports this file).

The directory sync runs nightly when PORTAL_LDAP_URL is set. The reminder pass runs every five
minutes on the consumer. It calls
`portal.reminders.services.run_reminder_pass(now: datetime) -> Any`, `now` the current time as
naive UTC (as every timestamp column stores it). Until the reminders module is merged the task
is registered and does nothing.
"""
from portal.directory import services as directory
from portal.models import utcnow
from portal.queue import crontab, periodic_task

try:
    from portal.reminders.services import run_reminder_pass
except ModuleNotFoundError as missing:  # the reminders module is built on another branch
    if missing.name not in ("portal.reminders", "portal.reminders.services"):
        raise
    run_reminder_pass = None


@periodic_task(crontab(minute="*/5"))
def reminder_pass() -> None:
    """Every five minutes: the reminders that are due go out (once each: the pass is idempotent)."""
    if run_reminder_pass is not None:
        run_reminder_pass(utcnow())


@periodic_task(crontab(minute="30", hour="18"))  # Huey's crontab is UTC: 02:30 in Beijing
def directory_sync() -> None:
    """Nightly: people, managers, areas and roles from the company directory, when one is set."""
    if directory.enabled():
        directory.sync()
