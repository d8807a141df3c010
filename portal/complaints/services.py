"""The rules of complaints: deadlines, the allowed status moves, overdue, monthly figures, and the
two figures other modules read (satisfaction and on-time closing per account manager).

Times are stored as naive UTC; periods and months are the business's days (BABEL_DEFAULT_TIMEZONE,
Asia/Shanghai by default), so a complaint closed at 23:30 on 31 January in Shanghai counts in
January.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context, url_for
from sqlalchemy import Select, case, func, literal, select, union_all

from portal import audit
from portal.complaints.queries import visible_complaints
from portal.extensions import db
from portal.kernel.clock import utcnow
from portal.kernel.sql import seconds_between
from portal.models.departments import Department
from portal.models.feedback import (Complaint, ComplaintEvent, ComplaintStatus, QuestionKind,
                                    Severity, SurveyAnswer, SurveyInvitation,
                                    SurveyQuestion, SurveyResponse)
from portal.models.people import Area, User
from portal.notifications.services import notify

S = ComplaintStatus
#: The only moves a complaint may make.
TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.NEW: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS}),
}
#: Hours from intake to the deadline per severity; COMPLAINT_DEADLINE_HOURS overrides any of them.
DEFAULT_DEADLINE_HOURS = {"critical": 24, "high": 72, "medium": 120, "low": 240}


class IllegalTransition(ValueError):
    """A status move the complaint process does not allow."""


# --- deadlines ---------------------------------------------------------------------------------

def deadline_hours(severity: Severity) -> int:
    """The hours a complaint of this severity may take, from the configuration."""
    configured = {}
    if has_app_context():
        configured = current_app.config.get("COMPLAINT_DEADLINE_HOURS") or {}
    hours = {**DEFAULT_DEADLINE_HOURS, **{str(k): v for k, v in configured.items()}}
    return int(hours[Severity(severity).value])


def due_at(received_at: datetime, severity: Severity) -> datetime:
    """The deadline: received plus the severity's hours, on the real calendar (month ends,
    leap days and year ends included, as timedelta counts elapsed time)."""
    return received_at + timedelta(hours=deadline_hours(severity))


def is_open(complaint: Complaint) -> bool:
    """Whether the complaint still waits to be closed."""
    return complaint.status != S.CLOSED


def is_overdue(complaint: Complaint, now: datetime | None = None) -> bool:
    """Still open past its deadline."""
    return is_open(complaint) and (now or utcnow()) > complaint.due_at


def closed_on_time(complaint: Complaint) -> bool:
    """Closed no later than its deadline."""
    return complaint.closed_at is not None and complaint.closed_at <= complaint.due_at


# --- the process -------------------------------------------------------------------------------

def allowed_moves(status: ComplaintStatus) -> frozenset[ComplaintStatus]:
    """The statuses a complaint may move to from this one."""
    return TRANSITIONS.get(ComplaintStatus(status), frozenset())


def change_status(complaint: Complaint, to: ComplaintStatus, author_id: int | None,
                  note: str = "", resolution: str = "", satisfaction: int | None = None,
                  now: datetime | None = None) -> ComplaintEvent:
    """Move a complaint and write the move on its timeline; IllegalTransition when not allowed.

    Resolving needs the resolution, closing the customer's satisfaction (1–5), reopening a reason.
    """
    to = ComplaintStatus(to)
    now = now or utcnow()
    if to not in allowed_moves(complaint.status):
        raise IllegalTransition(f"{complaint.status.value} -> {to.value}")
    if to == S.RESOLVED:
        if not resolution.strip():
            raise ValueError("resolution")
        complaint.resolution = resolution.strip()
        complaint.resolved_at = now
    elif to == S.CLOSED:
        if satisfaction is None or not 1 <= int(satisfaction) <= 5:
            raise ValueError("satisfaction")
        complaint.satisfaction = int(satisfaction)
        complaint.closed_at = now
    elif to == S.REOPENED:
        if not note.strip():
            raise ValueError("note")
        complaint.closed_at = None
        complaint.satisfaction = None
        complaint.resolved_at = None
    event = ComplaintEvent(kind="status", from_status=complaint.status.value,
                           to_status=to.value, note=note.strip(), author_id=author_id, at=now)
    complaint.status = to
    complaint.events.append(event)
    return event


def hand_off(complaint: Complaint, department, author_id: int | None, reason: str,
             now: datetime | None = None) -> ComplaintEvent:
    """Hand the complaint to a department: its head owns it until they assign someone; the
    deadline, the account manager and the area stay; the timeline says who, where and why."""
    previous = complaint.department.name if complaint.department else "—"
    complaint.department_id = department.id
    complaint.department = department
    if department.head_id:
        complaint.owner_id = department.head_id
    event = ComplaintEvent(kind="handoff", author_id=author_id, at=now or utcnow(),
                           note=f"{previous} → {department.name}: {reason.strip()}")
    complaint.events.append(event)
    return event


def reassign(complaint: Complaint, new_owner: User, author_id: int | None,
             follow_area: bool = False) -> ComplaintEvent | None:
    """Give the complaint a new owner, on the timeline and in the audit log, and tell the
    account manager; None (nothing done) when it is theirs already. `follow_area`: the complaint
    moves to the new owner's area (an area's reassignment; a department keeps the area)."""
    if new_owner.id == complaint.owner_id:
        return None
    before = {"owner_id": complaint.owner_id}
    old_name = complaint.owner.display_name if complaint.owner else "—"
    complaint.owner_id = new_owner.id
    if follow_area:
        complaint.area_id = new_owner.area_id or complaint.area_id
    complaint.owner = new_owner
    event = ComplaintEvent(kind="owner", author_id=author_id,
                           note=f"{old_name} → {new_owner.display_name}")
    complaint.events.append(event)
    audit.record("complaint.reassign", "complaint", complaint.id, before,
                 {"owner_id": new_owner.id})
    announce_move(complaint, event, author_id)
    return event


def announce_move(complaint: Complaint, event: ComplaintEvent, actor_id: int | None):
    """Tell the customer's account manager that their complaint moved (a hand-off, a new owner,
    a status change), by their chosen channel for "complaint_moved", once per timeline event.

    Nobody is told of their own move, an inactive account manager is not told, nor one who can
    no longer see the complaint. The caller commits. Returns the notification or None."""
    manager_id = complaint.account_manager_id
    if not manager_id or manager_id == actor_id or event.kind not in ("handoff", "owner", "status"):
        return None
    manager = db.session.get(User, manager_id)
    if manager is None or not manager.active:
        return None
    db.session.flush()  # the event's id is the notification's key
    if db.session.scalar(visible_complaints(manager).where(Complaint.id == complaint.id)
                         .with_only_columns(Complaint.id)) is None:
        return None
    params = {"subject": complaint.subject, "customer": complaint.customer.name,
              "change": event.kind}
    if event.kind == "handoff":
        params["department"] = complaint.department.name
        params["department_en"] = complaint.department.name_en or complaint.department.name
    elif event.kind == "owner":
        params["name"] = complaint.owner.display_name if complaint.owner else "—"
    else:
        params["status"] = event.to_status
    return notify(manager, "complaint_moved", params,
                  url_for("complaints.detail", complaint_id=complaint.id, _anchor="timeline"),
                  event_key=f"complaint_moved:{event.id}:{manager_id}")


# --- periods in the business's time zone -------------------------------------------------------

def business_zone() -> ZoneInfo:
    """The time zone the business counts its days and months in."""
    name = "Asia/Shanghai"
    if has_app_context():
        name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or name
    return ZoneInfo(name)


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The naive-UTC [from, to) of the business days start..end, both included."""
    zone = business_zone()

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)

    return utc(start), utc(end + timedelta(days=1))


def local_month(moment: datetime) -> str:
    """The business month (YYYY-MM) of a naive-UTC time."""
    return moment.replace(tzinfo=UTC).astimezone(business_zone()).strftime("%Y-%m")


def _quantize(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places), ROUND_HALF_UP)


# --- figures -----------------------------------------------------------------------------------

@dataclass
class MonthFigures:
    """One month of complaints: received, closed, closed on time, average days to close."""

    month: str
    received: int = 0
    closed: int = 0
    on_time: int = 0
    days_total: float = 0.0

    @property
    def on_time_percent(self) -> Decimal | None:
        return _quantize(Decimal(self.on_time) * 100 / self.closed, "0.1") if self.closed else None

    @property
    def average_days(self) -> Decimal | None:
        return _quantize(Decimal(str(self.days_total)) / self.closed, "0.1") if self.closed else None


def monthly_figures(rows, months: list[str]) -> list[MonthFigures]:
    """Figures per business month from (received_at, closed_at, due_at, status) rows.

    A complaint counts as received in its intake month and as closed in its closing month.
    """
    figures = {m: MonthFigures(m) for m in months}
    for received_at, closed_at, due, status in rows:
        month = local_month(received_at)
        if month in figures:
            figures[month].received += 1
        if status == S.CLOSED and closed_at is not None:
            month = local_month(closed_at)
            if month in figures:
                f = figures[month]
                f.closed += 1
                f.on_time += closed_at <= due
                f.days_total += (closed_at - received_at).total_seconds() / 86400
    return [figures[m] for m in months]


def month_figures(complaints: Select, months: list[str]) -> list[MonthFigures]:
    """monthly_figures counted in the database over the complaints of a select (with its scope
    and filters): one statement, a row per month and kind, whatever the number of complaints.
    The business months' bounds are worked out here in UTC (the time zone may have summer
    time), so each timestamp is compared, not converted, in SQL."""
    bounds = [utc_bounds(month_start(m), month_start(m))[0] for m in months]
    last_year, last_month = (int(x) for x in months[-1].split("-"))
    bounds.append(utc_bounds(date(last_year + last_month // 12, last_month % 12 + 1, 1),
                             date(last_year + last_month // 12, last_month % 12 + 1, 1))[0])

    def bucket(column):
        return case(*((column < bound, i) for i, bound in enumerate(bounds[1:-1])),
                    else_=len(months) - 1)

    c = complaints.subquery().c
    got = (select(bucket(c.received_at).label("month"))
           .where(c.received_at >= bounds[0], c.received_at < bounds[-1]).subquery())
    received = select(literal("received"), got.c.month, func.count(), literal(0),
                      literal(0)).group_by(got.c.month)
    done = (select(bucket(c.closed_at).label("month"),
                   case((c.closed_at <= c.due_at, 1), else_=0).label("on_time"),
                   seconds_between(c.closed_at, c.received_at).label("seconds"))
            .where(c.status == S.CLOSED, c.closed_at >= bounds[0], c.closed_at < bounds[-1])
            .subquery())
    closed = select(literal("closed"), done.c.month, func.count(), func.sum(done.c.on_time),
                    func.sum(done.c.seconds)).group_by(done.c.month)
    figures = [MonthFigures(m) for m in months]
    for kind, index, n, on_time, seconds in db.session.execute(union_all(received, closed)):
        f = figures[index]
        if kind == "received":
            f.received = n
        else:
            f.closed, f.on_time, f.days_total = n, int(on_time or 0), float(seconds or 0) / 86400
    return figures


def last_months(today: date, n: int = 12) -> list[str]:
    """The n business months up to today's, oldest first, as YYYY-MM."""
    year, month = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def month_start(month: str) -> date:
    """The first day of a YYYY-MM month."""
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


# --- what other modules read -------------------------------------------------------------------

def satisfaction_average(user_id: int, start: date, end: date) -> Decimal | None:
    """The average 1–5 satisfaction of this account manager's customers in the period.

    Counts, one value each, the satisfaction given when complaints of the person's customers
    were closed in the period, and every 1–5 rating answer in customer surveys answered in the
    period through links about this account manager. None when there is neither. Two places.
    """
    since, until = utc_bounds(start, end)
    complaint_values = select(Complaint.satisfaction.label("value")).where(
        Complaint.account_manager_id == user_id, Complaint.status == S.CLOSED,
        Complaint.satisfaction.is_not(None),
        Complaint.closed_at >= since, Complaint.closed_at < until)
    survey_values = (
        select(SurveyAnswer.number.label("value"))
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyInvitation, SurveyResponse.invitation_id == SurveyInvitation.id)
        .join(SurveyQuestion, SurveyAnswer.question_id == SurveyQuestion.id)
        .where(SurveyInvitation.account_manager_id == user_id,
               SurveyQuestion.kind == QuestionKind.RATING,
               SurveyAnswer.number.is_not(None),
               SurveyInvitation.answered_at >= since, SurveyInvitation.answered_at < until))
    both = complaint_values.union_all(survey_values).subquery()
    total, n = db.session.execute(select(func.sum(both.c.value), func.count(both.c.value))).one()
    if not n:
        return None
    return _quantize(Decimal(total) / n)


def on_time_close_percent(user_id: int, start: date, end: date) -> Decimal | None:
    """Of the complaints this person owns that were closed in the period, the percentage
    (0–100, two places) closed within their deadline; None when none was closed."""
    return on_time_close_percents([user_id], start, end)[user_id]


def on_time_close_percents(user_ids: list[int], start: date, end: date
                           ) -> dict[int, Decimal | None]:
    """on_time_close_percent of several people in one query."""
    since, until = utc_bounds(start, end)
    rows = db.session.execute(
        select(Complaint.owner_id, func.count(Complaint.id),
               func.count(Complaint.id).filter(Complaint.closed_at <= Complaint.due_at))
        .where(Complaint.owner_id.in_(user_ids), Complaint.status == S.CLOSED,
               Complaint.closed_at >= since, Complaint.closed_at < until)
        .group_by(Complaint.owner_id)).all()
    found = {owner: _quantize(Decimal(on_time) * 100 / closed)
             for owner, closed, on_time in rows if closed}
    return {u: found.get(u) for u in user_ids}


def deadline_kept_percents(user_ids: list[int], start: date, end: date,
                           now: datetime | None = None) -> dict[int, Decimal | None]:
    """Per owner: of the complaints closed in the period and the open ones whose deadline passed
    in the period (already late, counted as missed), the percentage closed within the deadline.
    None only when there is neither (an owner with only late open complaints gets 0, not
    "nothing to do")."""
    since, until = utc_bounds(start, end)
    now = now or utcnow()
    closed = select(Complaint.owner_id.label("owner"),
                    (Complaint.closed_at <= Complaint.due_at).label("kept")).where(
        Complaint.owner_id.in_(user_ids), Complaint.status == S.CLOSED,
        Complaint.closed_at >= since, Complaint.closed_at < until)
    late_open = select(Complaint.owner_id.label("owner"), (Complaint.id < 0).label("kept")).where(
        Complaint.owner_id.in_(user_ids), Complaint.status != S.CLOSED,
        Complaint.due_at >= since, Complaint.due_at < until, Complaint.due_at < now)
    both = closed.union_all(late_open).subquery()
    rows = db.session.execute(
        select(both.c.owner, func.count(), func.count().filter(both.c.kept.is_(True)))
        .group_by(both.c.owner)).all()
    found = {owner: _quantize(Decimal(kept) * 100 / n) for owner, n, kept in rows if n}
    return {u: found.get(u) for u in user_ids}


# --- departments: time per department and escalation ------------------------------------------

def department_figures(complaint_ids_select, now: datetime | None = None) -> list[tuple]:
    """Per department, over the complaints of the select (ids): (department id, code, name,
    name_en, handed, open, average hours from the hand-off to the resolution — or to now while
    unresolved). The SLA time each department holds complaints."""
    now = now or utcnow()
    handed_at = (select(ComplaintEvent.complaint_id, func.min(ComplaintEvent.at).label("at"))
                 .where(ComplaintEvent.kind == "handoff").group_by(ComplaintEvent.complaint_id)
                 .subquery())
    rows = db.session.execute(
        select(Department.id, Department.code, Department.name, Department.name_en,
               Complaint.status, Complaint.resolved_at, handed_at.c.at)
        .join(Complaint, Complaint.department_id == Department.id)
        .join(handed_at, handed_at.c.complaint_id == Complaint.id)
        .where(Complaint.id.in_(complaint_ids_select))).all()
    figures: dict[int, list] = {}
    for dept_id, code, name, name_en, status, resolved, at in rows:
        f = figures.setdefault(dept_id, [dept_id, code, name, name_en, 0, 0, 0.0])
        f[4] += 1
        f[5] += status != S.CLOSED
        f[6] += max(0.0, ((resolved or now) - at).total_seconds() / 3600)
    return [(d, c, n, e, handed, open_, _quantize(Decimal(str(hours)) / handed, "0.1"))
            for d, c, n, e, handed, open_, hours in sorted(figures.values(), key=lambda f: f[1])]


def escalations(now: datetime | None = None) -> list[dict]:
    """Open complaints handed to a department and late by more than COMPLAINT_ESCALATION_HOURS
    (default 24): whom to tell (the area head and the department head). For the reminders pass
    to call; nothing is sent from here."""
    now = now or utcnow()
    hours = 24
    if has_app_context():
        hours = int(current_app.config.get("COMPLAINT_ESCALATION_HOURS", 24))
    rows = db.session.execute(
        select(Complaint.id, Complaint.due_at, Area.head_id, Department.head_id)
        .join(Department, Complaint.department_id == Department.id)
        .outerjoin(Area, Complaint.area_id == Area.id)
        .where(Complaint.status != S.CLOSED, Complaint.resolved_at.is_(None),
               Complaint.due_at < now - timedelta(hours=hours))
        .order_by(Complaint.due_at)).all()
    return [{"complaint_id": cid, "due_at": due,
             "notify": sorted({u for u in (area_head, dept_head) if u})}
            for cid, due, area_head, dept_head in rows]
