"""The admin's page of reminders: which went out to whom, and whether e-mail can leave."""
from flask import request

from portal.htmx import render
from portal.kernel.lists import Listing
from portal.notifications.labels import KINDS
from portal.reminders import bp, queries
from portal.reminders.services import mail_status


@bp.route("/")
def log():
    """The reminders sent, newest first (filter by kind), and the e-mail settings' state."""
    listing = Listing(filters=("kind",))
    page = listing.paginate(queries.reminder_log(listing))
    return render("reminders/log.html", "reminders/_results.html", page=page, kinds=list(KINDS),
                  kind=request.args.get("kind", ""), counts=queries.log_counts(),
                  mail=mail_status())
