"""Views of the notification centre: the list, the bell, mark read, preferences."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.models.notifications import Channel
from portal.notifications import bp
from portal.notifications.forms import PreferencesForm
from portal.notifications.labels import CHANNEL_LABELS, kind_label, message
from portal.notifications.queries import (digest_hour, get_notification_or_404, my_channels,
                                          my_notifications, unread_count)
from portal.notifications.services import mark_all_read, mark_read, save_preferences


@bp.route("/")
def index():
    """My notifications, newest first, the unread ones marked."""
    listing = Listing()
    page = listing.paginate(my_notifications(current_user))
    return render("notifications/index.html", "notifications/_results.html", page=page,
                  unread=unread_count(current_user), form=ConfirmForm())


@bp.route("/bell")
def bell():
    """The bell with my unread count (fetched by htmx after the page, so pages pay nothing)."""
    return render("notifications/_bell.html", "notifications/_bell.html",
                  unread=unread_count(current_user))


@bp.route("/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int):
    """Mark one of my notifications read; htmx gets the row back."""
    notification = get_notification_or_404(current_user, notification_id)
    if ConfirmForm().validate_on_submit():
        mark_read(current_user, notification)
        db.session.commit()
    if is_htmx():
        response = render("notifications/_row.html", "notifications/_row.html", n=notification,
                          form=ConfirmForm())
        response.headers["HX-Trigger"] = "notifications-changed"
        return response
    return redirect(url_for("notifications.index"), code=303)


@bp.route("/read-all", methods=["POST"])
def read_all():
    """Mark every notification of mine read."""
    if ConfirmForm().validate_on_submit():
        count = mark_all_read(current_user)
        db.session.commit()
        if not is_htmx():
            flash(_("%(count)s notifications marked read.", count=count), "success")
    if is_htmx():
        listing = Listing()
        page = listing.paginate(my_notifications(current_user))
        response = render("notifications/_results.html", "notifications/_results.html",
                          page=page, unread=0, form=ConfirmForm())
        response.headers["HX-Trigger"] = "notifications-changed"
        return response
    return redirect(url_for("notifications.index"), code=303)


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
    """My choice per kind of reminder (portal, e-mail, both, off) and my digest hour."""
    channels = my_channels(current_user)
    data = {f"kind_{kind}": channel.value for kind, channel in channels.items()}
    data["digest_hour"] = digest_hour(current_user)
    form = PreferencesForm.for_kinds(data=data)
    if form.validate_on_submit():
        chosen = {kind: Channel(field.data) for kind, field in form.kind_fields()}
        save_preferences(current_user, chosen, form.digest_hour.data)
        db.session.commit()
        flash(_("Your notification preferences are saved."), "success")
        return redirect(url_for("notifications.preferences"), code=303)
    status = 422 if request.method == "POST" else 200
    return render("notifications/preferences.html", status=status, form=form,
                  has_email=bool(current_user.email))


@bp.app_template_filter("notification_text")
def notification_text(notification) -> str:
    """A notification worded in the reader's language."""
    return message(notification.kind, notification.params or {})


@bp.app_template_filter("notification_kind")
def notification_kind(kind: str) -> str:
    """A kind of notification in the reader's language."""
    return kind_label(kind)


@bp.app_template_filter("channel_label")
def channel_label(channel) -> str:
    """A channel in the reader's language."""
    return str(CHANNEL_LABELS[Channel(channel)])
