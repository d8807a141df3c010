"""The reminder pass and the e-mail it sends.

`run_reminder_pass(now)` finds everything due (portal.reminders.queries, a few statements for
the whole company), drops what the sent-log already holds (each event has a unique key, so a
retried or repeated pass sends nothing twice), and writes, per person's chosen channel, the
notification and the sent-log row; urgent e-mail is queued at once, the rest waits for each
person's daily digest. `send_pending_mail()` sends the queued messages (the task queue calls
it; the command calls it after the pass). Each message is claimed before it is sent, so two
senders never send the same one.
"""
import smtplib
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal import mail
from portal.care import services as care_rules
from portal.complaints import services as complaint_rules
from portal.database import writing
from portal.extensions import db
from portal.kernel import clock
from portal.models.appraisals import AppraisalStatus
from portal.models.notifications import (Channel, DigestSetting, Notification, OutgoingMail,
                                         ReminderLog)
from portal.notifications.labels import KINDS, message
from portal.notifications.queries import channels_of
from portal.notifications.services import channel_for
from portal.reminders import queries

#: A claim on an outgoing message older than this is taken over (its sender died).
CLAIM_TIMEOUT = timedelta(minutes=10)
DEFAULT_DIGEST_HOUR = 8


@dataclass
class Reminder:
    """One reminder for one person about one event."""

    kind: str
    user_id: int
    event_key: str
    params: dict
    link: str
    channel: Channel | None = None
    username: str = ""

    def text(self, locale: str = "en") -> str:
        """The reminder worded in a language (English for the command's output)."""
        with force_locale(locale):
            return message(self.kind, self.params)


def _utc(moment: datetime) -> datetime:
    """Naive UTC from an aware moment (a naive one is taken as UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """The company day as naive UTC [start, end)."""
    start = datetime.combine(day, time(0), tzinfo=clock.zone())
    return _utc(start), _utc(start + timedelta(days=1))


def _local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(clock.zone())


# --- what is due --------------------------------------------------------------------------------

def _one_on_ones(now, today):
    start, end = _day_bounds(today + timedelta(days=1))
    for one_id, starts_at, manager_id, report_id in queries.one_on_ones_between(start, end):
        link = url_for("one_on_ones.detail", one_on_one_id=one_id)
        when = _local(starts_at).strftime("%H:%M")
        for user_id, other in ((manager_id, report_id), (report_id, manager_id)):
            yield Reminder("one_on_one_tomorrow", user_id,
                           f"one_on_one_tomorrow:{one_id}:{starts_at:%Y%m%d%H%M}:{user_id}",
                           {"time": when, "_other": other}, link)
    for series_id, next_date, manager_id, report_id in queries.overdue_series(today):
        link = url_for("one_on_ones.series_detail", series_id=series_id)
        for user_id, other in ((manager_id, report_id), (report_id, manager_id)):
            yield Reminder("one_on_one_overdue", user_id,
                           f"one_on_one_overdue:{series_id}:{next_date}:{user_id}",
                           {"date": next_date.isoformat(), "_other": other}, link)


def _visits(now, today):
    per_manager = defaultdict(int)
    for customer_id, name, planned_on, owner_id, manager_id in queries.overdue_visits(today):
        yield Reminder("visit_overdue", owner_id,
                       f"visit_overdue:{customer_id}:{planned_on}:{owner_id}",
                       {"customer": name, "date": planned_on.isoformat()},
                       url_for("customers.detail", customer_id=customer_id))
        if manager_id:
            per_manager[manager_id] += 1
    year, week, _day = today.isocalendar()
    for manager_id, count in per_manager.items():
        yield Reminder("visit_summary", manager_id,
                       f"visit_summary:{manager_id}:{year}-W{week:02d}", {"count": count},
                       url_for("customers.visits"))


def _complaints(now, today):
    soon = now + timedelta(hours=24)
    for complaint_id, subject, due_at, owner_id, manager_id, created_by in \
            queries.open_complaints():
        link = url_for("complaints.detail", complaint_id=complaint_id)
        due = _local(due_at).strftime("%Y-%m-%d %H:%M")
        params = {"subject": subject, "due": due}
        if created_by != owner_id:
            yield Reminder("complaint_assigned", owner_id,
                           f"complaint_assigned:{complaint_id}:{owner_id}", params, link)
        if due_at <= now:
            for user_id in filter(None, (owner_id, manager_id)):
                yield Reminder("complaint_overdue", user_id,
                               f"complaint_overdue:{complaint_id}:{due_at:%Y%m%d%H%M}:{user_id}",
                               params, link)
        elif due_at <= soon:
            yield Reminder("complaint_due_soon", owner_id,
                           f"complaint_due_soon:{complaint_id}:{due_at:%Y%m%d%H%M}:{owner_id}",
                           params, link)


#: Whose turn each step is: the appraised person or their reviewing manager.
TURN = {AppraisalStatus.SELF_ASSESSMENT: "user", AppraisalStatus.MANAGER_REVIEW: "manager",
        AppraisalStatus.FEEDBACK: "manager", AppraisalStatus.ACKNOWLEDGEMENT: "user"}


def _appraisals(now, today):
    late = defaultdict(int)
    cycles = {}
    for appraisal_id, status, user_id, name, manager_id, cycle, period_end, cycle_id in \
            queries.waiting_appraisal_steps():
        status = AppraisalStatus(status)
        who = user_id if TURN[status] == "user" else manager_id
        if who is None:
            continue
        yield Reminder("appraisal_step", who, f"appraisal_step:{appraisal_id}:{status.value}",
                       {"name": name, "cycle": cycle, "step": status.value},
                       url_for("appraisals.detail", appraisal_id=appraisal_id))
        if 0 <= (period_end - today).days <= 3:
            late[cycle_id] += 1
            cycles[cycle_id] = (cycle, period_end)
    if late:
        for hr_id in queries.hr_people():
            for cycle_id, count in late.items():
                cycle, period_end = cycles[cycle_id]
                yield Reminder("appraisal_closing", hr_id,
                               f"appraisal_closing:{cycle_id}:{period_end}:{hr_id}",
                               {"cycle": cycle, "date": period_end.isoformat(), "count": count},
                               url_for("appraisals.cycle_detail", cycle_id=cycle_id))


def _training(now, today):
    start, end = _day_bounds(today + timedelta(days=1))
    for enrolment_id, user_id, course, starts_at, place, session_id in \
            queries.sessions_between(start, end):
        yield Reminder("training_tomorrow", user_id,
                       f"training_tomorrow:{enrolment_id}:{starts_at:%Y%m%d%H%M}",
                       {"course": course, "time": _local(starts_at).strftime("%H:%M"),
                        "place": place or "—"},
                       url_for("training.session_detail", training_session_id=session_id))


def _action_items(now, today):
    tomorrow = today + timedelta(days=1)
    for item_id, title, due_date, owner_id in queries.due_action_items(tomorrow):
        if due_date == tomorrow:
            yield Reminder("action_item_due", owner_id, f"action_item_due:{item_id}:{due_date}",
                           {"title": title, "date": due_date.isoformat()},
                           url_for("tasks.index", view="actions"))
        elif due_date < today:
            yield Reminder("action_item_overdue", owner_id,
                           f"action_item_overdue:{item_id}:{due_date}",
                           {"title": title, "date": due_date.isoformat()},
                           url_for("tasks.index", view="actions"))


def _surveys(now, today):
    for survey_id, title, user_id in queries.unanswered_surveys():
        yield Reminder("survey_waiting", user_id, f"survey_waiting:{survey_id}:{user_id}",
                       {"title": title}, url_for("surveys.answer", survey_id=survey_id))


def _escalations(now, today):
    """Complaints handed to a department and late past the threshold: the area head and the
    department head are told, once per complaint each."""
    hours = int(current_app.config.get("COMPLAINT_ESCALATION_HOURS", 24))
    for row in complaint_rules.escalations(now):
        params = {"id": row["complaint_id"], "hours": hours,
                  "due": _local(row["due_at"]).strftime("%Y-%m-%d %H:%M")}
        link = url_for("complaints.detail", complaint_id=row["complaint_id"])
        for user_id in row["notify"]:
            yield Reminder("complaint_escalated", user_id,
                           f"complaint_escalated:{row['complaint_id']}:{user_id}", params, link)


def _care(now, today):
    """Contacts' birthdays and customers' anniversaries in the coming week, to the customer's
    account manager, once per occasion."""
    for row in care_rules.care_reminders(today):
        if not row["owner_id"]:
            continue
        params = {"name": row["name"], "date": row["on"].isoformat(), "years": row["years"]}
        yield Reminder(f"care_{row['kind']}", row["owner_id"],
                       f"care_{row['kind']}:{row['customer_id']}:{row['name']}:{row['on']}",
                       params, url_for("customers.detail", customer_id=row["customer_id"]))


COLLECTORS = (_one_on_ones, _visits, _complaints, _escalations, _appraisals, _training,
              _action_items, _surveys, _care)


def due_reminders(now: datetime) -> list[Reminder]:
    """Every reminder due at this moment (naive UTC), sent or not."""
    today = _local(now).date()
    found = [r for collect in COLLECTORS for r in collect(now, today)]
    # The other person of a one-on-one is named in the message: read the names in one go.
    others = {r.params["_other"] for r in found if "_other" in r.params}
    people = queries.active_people(others) if others else {}
    for r in found:
        if "_other" in r.params:
            other = people.get(r.params.pop("_other"))
            r.params["name"] = other.display_name if other else "—"
    return found


# --- the pass -----------------------------------------------------------------------------------

def _url_context():
    """A request context for url_for outside a request (a command, the queue's worker)."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context("/")


def run_reminder_pass(now: datetime, dry_run: bool = False) -> list[Reminder]:
    """One pass at `now` (aware, or naive UTC): write the new reminders and queue their e-mail.

    Returns the reminders new at this pass (with dry_run: what would be sent; nothing written).
    Safe to run twice, concurrently or after a crash: the sent-log's unique key keeps each
    reminder once (a losing concurrent pass rolls back and finds nothing new on its retry)."""
    now = _utc(now)
    with _url_context():
        for attempt in range(2):
            try:
                with writing():
                    fresh = _pass(now, dry_run)
                    if dry_run:
                        db.session.rollback()
                    else:
                        db.session.commit()
                return fresh
            except IntegrityError:
                db.session.rollback()
                if attempt:
                    raise
    return []


def _pass(now: datetime, dry_run: bool) -> list[Reminder]:
    due = due_reminders(now)
    unique = {r.event_key: r for r in due}
    known = queries.logged_keys(unique)
    fresh = [r for key, r in unique.items() if key not in known]
    people = queries.active_people({r.user_id for r in fresh})
    fresh = [r for r in fresh if r.user_id in people]
    chosen = channels_of(people)
    for r in fresh:
        r.channel = channel_for(chosen, r.user_id, r.kind)
        r.username = people[r.user_id].username
    if dry_run:
        return fresh
    # Bulk inserts (executemany): a pass at 2,000 people is not 2,000 statements.
    if fresh:
        db.session.execute(insert(ReminderLog), [
            {"event_key": r.event_key, "kind": r.kind, "user_id": r.user_id,
             "channel": r.channel, "created_at": now} for r in fresh])
    shown = [r for r in fresh if r.channel != Channel.OFF]
    if shown:
        db.session.execute(insert(Notification), [
            {"user_id": r.user_id, "kind": r.kind, "params": r.params, "link": r.link,
             "urgent": KINDS[r.kind].urgent, "in_portal": r.channel.in_portal,
             "by_email": r.channel.by_email and bool(people[r.user_id].email),
             "created_at": now} for r in shown])
    _queue_mail(now)
    return fresh


# --- e-mail -------------------------------------------------------------------------------------

def _locale_of(user) -> str:
    return user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")


def _absolute(link: str) -> str:
    base = (current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return base + link


def _mail_for(user, notifications: list[Notification], digest: bool, now: datetime):
    """An outgoing message to one person in their language (not yet sent)."""
    with force_locale(_locale_of(user)):
        items = [{"text": message(n.kind, n.params or {}), "link": _absolute(n.link),
                  "urgent": n.urgent} for n in notifications]
        if digest:
            subject = _("Your reminders from the portal: %(count)s new", count=len(items))
        else:
            subject = _("Urgent: %(text)s", text=items[0]["text"])
        context = {"items": items, "user": user, "digest": digest,
                   "preferences": _absolute(url_for("notifications.preferences")),
                   "centre": _absolute(url_for("notifications.index"))}
        text = render_template("notifications/mail.txt", **context)
        html = render_template("notifications/mail.html", **context)
    for n in notifications:
        n.mailed_at = now
    return OutgoingMail(user_id=user.id, recipient=user.email, subject=subject[:300],
                        text_body=text, html_body=html, kind="digest" if digest else "urgent",
                        created_at=now)


def _queue_mail(now: datetime) -> None:
    """Queue the e-mail of notifications not yet mailed: urgent ones at once, one message each;
    the rest in one digest per person once their digest hour has come (at most one a day)."""
    local = _local(now)
    pending = db.session.scalars(
        select(Notification).where(Notification.by_email.is_(True),
                                   Notification.mailed_at.is_(None))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)).all()
    if not pending:
        return
    by_user = defaultdict(list)
    for n in pending:
        by_user[n.user_id].append(n)
    settings = {s.user_id: s for s in db.session.scalars(
        select(DigestSetting).where(DigestSetting.user_id.in_(list(by_user))))}
    people = queries.active_people(by_user)
    for user_id, items in by_user.items():
        user = people.get(user_id)
        if user is None or not user.email:
            continue
        for n in (n for n in items if n.urgent):
            db.session.add(_mail_for(user, [n], digest=False, now=now))
        waiting = [n for n in items if not n.urgent]
        setting = settings.get(user_id)
        hour = setting.hour if setting else DEFAULT_DIGEST_HOUR
        if not waiting or local.hour < hour or (setting and setting.last_sent_on == local.date()):
            continue
        db.session.add(_mail_for(user, waiting, digest=True, now=now))
        if setting is None:
            db.session.add(DigestSetting(user_id=user_id, hour=hour, last_sent_on=local.date()))
        else:
            setting.last_sent_on = local.date()


def _claim(now: datetime, limit: int) -> list[int]:
    """Claim up to `limit` unsent messages (or stale claims) for this sender; committed."""
    with writing():
        ids = list(db.session.scalars(
            select(OutgoingMail.id).where(
                OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < 5,
                or_(OutgoingMail.claimed_at.is_(None),
                    OutgoingMail.claimed_at < now - CLAIM_TIMEOUT))
            .order_by(OutgoingMail.id).limit(limit)))
        claimed = []
        for mail_id in ids:
            result = db.session.execute(
                update(OutgoingMail).where(
                    OutgoingMail.id == mail_id, OutgoingMail.sent_at.is_(None),
                    or_(OutgoingMail.claimed_at.is_(None),
                        OutgoingMail.claimed_at < now - CLAIM_TIMEOUT))
                .values(claimed_at=now, attempts=OutgoingMail.attempts + 1))
            if result.rowcount:
                claimed.append(mail_id)
        db.session.commit()
    return claimed


def send_pending_mail(limit: int = 200) -> int:
    """Send the queued e-mail over one SMTP connection; how many went out. Nothing happens
    (and nothing is lost) while no SMTP server is configured."""
    if not mail.configured():
        return 0
    ids = _claim(clock.utcnow(), limit)
    if not ids:
        return 0
    try:
        connection = mail.connect()
    except (OSError, smtplib.SMTPException) as error:
        _release(ids, error)
        return 0
    with connection:
        return sum(send_one(mail_id, connection) for mail_id in ids)


def _release(ids: list[int], error: Exception) -> None:
    """Give claimed messages back (the server could not be reached), noting why."""
    with writing():
        db.session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(ids))
                           .values(claimed_at=None, last_error=str(error)[:500]))
        db.session.commit()


def send_one(mail_id: int, smtp=None) -> bool:
    """Send one claimed message and record it sent (what the queue runs per message)."""
    message_row = db.session.get(OutgoingMail, mail_id)
    if message_row is None or message_row.sent_at is not None:
        return False
    envelope = mail.build_message(message_row.recipient, message_row.subject,
                                  message_row.text_body, message_row.html_body,
                                  message_id=f"<outgoing-{message_row.id}@portal>")
    try:
        if smtp is None:
            with mail.connect() as connection:
                connection.send_message(envelope)
        else:
            smtp.send_message(envelope)
    except (OSError, smtplib.SMTPException) as error:
        with writing():
            message_row.last_error = str(error)[:500]
            message_row.claimed_at = None
            db.session.commit()
        return False
    with writing():
        message_row.sent_at = clock.utcnow()
        message_row.last_error = ""
        db.session.commit()
    return True


def mail_status() -> dict:
    """For the admin page: the settings, and how many messages wait or failed."""
    waiting = db.session.scalar(select(func.count()).select_from(OutgoingMail)
                                .where(OutgoingMail.sent_at.is_(None))) or 0
    failed = db.session.scalar(select(func.count()).select_from(OutgoingMail)
                               .where(OutgoingMail.sent_at.is_(None),
                                      OutgoingMail.last_error != "")) or 0
    return {"configured": mail.configured(), "settings": mail.settings(), "waiting": waiting,
            "failed": failed}
