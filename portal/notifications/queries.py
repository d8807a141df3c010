"""Queries of the notification centre: a person reads only their own notifications."""
from sqlalchemy import Select, func, select

from portal.extensions import db
from portal.models import User
from portal.models.notifications import (Channel, DigestSetting, Notification,
                                         NotificationPreference)
from portal.notifications.labels import KINDS


def my_notifications(user: User) -> Select:
    """The notifications shown to this person in the portal, newest first."""
    return (select(Notification)
            .where(Notification.user_id == user.id, Notification.in_portal.is_(True))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def unread_count(user: User) -> int:
    """How many of my notifications I have not read (one indexed count)."""
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.in_portal.is_(True),
               Notification.read_at.is_(None))) or 0


def get_notification_or_404(user: User, notification_id: int) -> Notification:
    """One of my notifications, or 404 (nobody else's, whatever the role)."""
    return db.first_or_404(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id))


def my_channels(user: User) -> dict[str, Channel]:
    """My channel for every kind (the kind's default where I chose none)."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.channel)
        .where(NotificationPreference.user_id == user.id)).all())
    return {kind: chosen.get(kind, spec.default) for kind, spec in KINDS.items()}


def channels_of(user_ids) -> dict[tuple[int, str], Channel]:
    """The channels chosen by many people at once: {(user id, kind): channel}."""
    ids = list(user_ids)
    chosen = {}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(NotificationPreference.user_id, NotificationPreference.kind,
                   NotificationPreference.channel)
            .where(NotificationPreference.user_id.in_(ids[start:start + 500])))
        chosen.update({(u, k): c for u, k, c in rows})
    return chosen


def digest_hour(user: User) -> int:
    """The hour of my daily digest (08:00 unless I chose another)."""
    setting = db.session.get(DigestSetting, user.id)
    return setting.hour if setting else 8
