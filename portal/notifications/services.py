"""Writes of the notification centre: create (for the reminders and the queue's jobs), mark
read, and each person's choices."""
from sqlalchemy import select, update

from portal.extensions import db
from portal.kernel import clock
from portal.models import User
from portal.models.notifications import (Channel, DigestSetting, Notification,
                                         NotificationPreference, ReminderLog)
from portal.notifications.labels import KINDS
from portal.notifications.queries import channels_of


def channel_for(chosen: dict, user_id: int, kind: str) -> Channel:
    """The channel of a kind for a person, from channels_of() or the kind's default."""
    return chosen.get((user_id, kind), KINDS[kind].default)


def notify(user: User, kind: str, params: dict, link: str, event_key: str | None = None):
    """Tell one person something now (e.g. a finished print job), by their chosen channel.

    With an event key it happens once per event (a retried job does not notify twice). The
    caller commits. Returns the notification, or None when the person chose "off" or it was
    already sent."""
    if event_key is not None:
        if db.session.scalar(select(ReminderLog.id).where(ReminderLog.event_key == event_key)):
            return None
    channel = channel_for(channels_of([user.id]), user.id, kind)
    if event_key is not None:
        db.session.add(ReminderLog(event_key=event_key, kind=kind, user_id=user.id,
                                   channel=channel))
    if channel == Channel.OFF:
        return None
    notification = Notification(user_id=user.id, kind=kind, params=params, link=link,
                                urgent=KINDS[kind].urgent, in_portal=channel.in_portal,
                                by_email=channel.by_email)
    db.session.add(notification)
    return notification


def mark_read(user: User, notification: Notification) -> None:
    """Mark one of my notifications read."""
    if notification.user_id == user.id and notification.read_at is None:
        notification.read_at = clock.utcnow()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of mine read; how many were."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.utcnow()))
    return result.rowcount or 0


def save_preferences(user: User, channels: dict[str, Channel], hour: int) -> None:
    """Store my channel per kind (rows only where it differs from the default) and my digest hour."""
    db.session.execute(NotificationPreference.__table__.delete()
                       .where(NotificationPreference.user_id == user.id))
    for kind, channel in channels.items():
        if kind in KINDS and channel != KINDS[kind].default:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel))
    setting = db.session.get(DigestSetting, user.id)
    if setting is None:
        db.session.add(DigestSetting(user_id=user.id, hour=hour))
    else:
        setting.hour = hour
