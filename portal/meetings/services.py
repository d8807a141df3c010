"""Rules of meetings: who may change one, and the iCalendar feed."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from portal.database import writing
from portal.extensions import db
from portal.models.communication import Meeting
from portal.models.notifications import CalendarFeedState


def may_edit(user, meeting: Meeting, headed_area_ids: set[int]) -> bool:
    """The organiser and the head of the meeting's area change it; attendees only read."""
    return meeting.organiser_id == user.id or (
        meeting.area_id is not None and meeting.area_id in headed_area_ids)


def may_tick(user, meeting: Meeting, owner_id: int, headed_area_ids: set[int]) -> bool:
    """An action item is ticked by its owner or by whoever may change the meeting."""
    return owner_id == user.id or may_edit(user, meeting, headed_area_ids)


def split_departments(text: str) -> list[str]:
    """The other departments typed as a list, separated by commas (ASCII or Chinese) or 、."""
    for sep in "，、;；":
        text = text.replace(sep, ",")
    return [d.strip() for d in text.split(",") if d.strip()]


# --- iCalendar (RFC 5545) -----------------------------------------------------------------------

def new_token() -> str:
    """A fresh secret for a calendar URL."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CalendarEvent:
    """One event of the feed; times are naive UTC."""

    uid: str
    starts_at: datetime
    minutes: int
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    #: A whole day (a planned customer visit): starts_at's date, no time.
    all_day: bool = False


def _escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = 75 if not out else 74  # continuation lines start with a space
        if len(current) + len(encoded) > limit:
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def build_calendar(name: str, events: list[CalendarEvent], now: datetime) -> str:
    """An iCalendar document of the events, CRLF line ends, lines folded."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//portal//communication//ZH",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_stamp(now)}"]
        if event.all_day:
            day = event.starts_at.date()
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"]
        else:
            lines += [f"DTSTART:{_stamp(event.starts_at)}",
                      f"DTEND:{_stamp(event.starts_at + timedelta(minutes=event.minutes))}"]
        lines.append(f"SUMMARY:{_escape(event.summary)}")
        if event.location:
            lines.append(f"LOCATION:{_escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


#: The domain part of every UID: the same whatever host name the feed was fetched through (a
#: client that subscribed via an IP address and later via the name keeps its events).
UID_DOMAIN = "account-manager-portal"


def uid(kind: str, record_id: int) -> str:
    """A stable event UID that reveals nothing but the kind and a hash, independent of the host."""
    digest = hashlib.sha256(f"{kind}:{record_id}".encode()).hexdigest()[:16]
    return f"{kind}-{record_id}-{digest}@{UID_DOMAIN}"


def feed_etag(body_without_stamp: str) -> str:
    """The feed's entity tag: a hash of its content (DTSTAMP left out, it is the change time)."""
    return hashlib.sha256(body_without_stamp.encode()).hexdigest()[:32]


def all_day(day: date) -> datetime:
    """A date as the starts_at of an all-day event."""
    return datetime.combine(day, datetime.min.time())


def feed_changed_at(user, state, etag: str, now: datetime) -> datetime:
    """When the feed last changed: the stored time while its ETag is the same, else now (stored).

    The feed is a GET without a session; this small write is what makes Last-Modified true."""
    if state is not None and state.etag == etag:
        return state.modified_at
    now = now.replace(microsecond=0)
    try:
        with writing():
            if state is None:
                db.session.add(CalendarFeedState(user_id=user.id, etag=etag, modified_at=now))
            else:
                state.etag, state.modified_at = etag, now
            db.session.commit()
    except IntegrityError:  # a concurrent fetch stored the same version first
        db.session.rollback()
    return now
