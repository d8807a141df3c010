"""Views of meetings and of the calendar feed."""
from datetime import datetime, timezone

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user

from portal import people_picker
from portal.concurrency import is_current
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.audience import PUBLIC, audience
from portal.kernel.downloads import download
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.kernel.markdown import render_markdown
from portal.meetings import bp
from portal.meetings.forms import MEETING_KIND_LABELS, MeetingForm
from portal.meetings.queries import (SORTS, calendar_items, calendar_token, calendar_visits,
                                     carried_action_items, feed_state, get_meeting_action_or_404,
                                     get_meeting_or_404, headed_area_ids, meeting_list,
                                     upcoming_meetings, user_by_token)
from portal.meetings.services import (CalendarEvent, all_day, build_calendar, feed_changed_at,
                                      feed_etag, may_edit, may_tick, new_token,
                                      split_departments, uid)
from portal.models.communication import (ActionItem, CalendarToken, Meeting, MeetingAttendee,
                                         MeetingKind)
from portal.action_items import ActionItemForm
from portal.tasks.services import set_done


@bp.route("/")
def index():
    """My meetings with search, kind and upcoming/past filters, sorting and pagination."""
    listing = Listing(filters=("kind", "when"), sorts=SORTS, default_sort="-when")
    page = listing.paginate(meeting_list(current_user, listing, now=clock.utcnow()))
    return render("meetings/index.html", "meetings/_results.html", page=page,
                  kinds=list(MeetingKind))


def _choices(form: MeetingForm, meeting: Meeting | None) -> None:
    """Offer the people I may invite, keeping people already invited."""
    people_picker.bind(form.attendee_ids)
    if meeting:
        form.attendee_ids.keep = {a.user_id for a in meeting.attendees}


def _apply(form: MeetingForm, meeting: Meeting) -> None:
    """Copy the form onto the meeting; times typed in the reader's zone are stored in UTC."""
    meeting.kind = MeetingKind(form.kind.data)
    meeting.title = form.title.data
    meeting.starts_at = to_utc(form.starts_at.data)
    meeting.duration_minutes = form.duration_minutes.data
    meeting.location = form.location.data or ""
    meeting.departments = ", ".join(split_departments(form.departments.data or ""))
    meeting.agenda = form.agenda.data or ""
    meeting.notes = form.notes.data or ""
    meeting.decisions = form.decisions.data or ""
    wanted = set(form.attendee_ids.data or [])
    meeting.attendees = ([a for a in meeting.attendees if a.user_id in wanted]
                         + [MeetingAttendee(user_id=i) for i in sorted(
                             wanted - {a.user_id for a in meeting.attendees})])


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Plan a meeting; I organise it, and a team meeting belongs to my area."""
    form = MeetingForm()
    _choices(form, None)
    if request.method == "GET":
        form.attendee_ids.data = [current_user.id]
    if form.validate_on_submit():
        meeting = Meeting(organiser_id=current_user.id, area_id=current_user.area_id)
        headed = sorted(headed_area_ids(current_user))
        if headed:
            meeting.area_id = headed[0]
        _apply(form, meeting)
        db.session.add(meeting)
        db.session.commit()
        flash(_("Meeting saved."), "success")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id), code=303)
    return render("meetings/form.html", form=form, meeting=None,
                  status=422 if form.errors else 200)


def _editable_or_403(meeting: Meeting) -> set[int]:
    """Stop attendees who may read but not change the meeting; the areas I head."""
    headed = headed_area_ids(current_user)
    if not may_edit(current_user, meeting, headed):
        abort(403)
    return headed


def _detail(meeting: Meeting, status: int = 200, action_form: ActionItemForm | None = None):
    """The meeting page, or for htmx its action-item section."""
    headed = headed_area_ids(current_user)
    if action_form is None:
        action_form = ActionItemForm(formdata=None)
        _owner_choices(action_form, meeting)
    return render("meetings/detail.html", "meetings/_actions.html", status=status,
                  meeting=meeting, notes_html=render_markdown(meeting.notes),
                  carried=carried_action_items(meeting), action_form=action_form,
                  editable=may_edit(current_user, meeting, headed), headed=headed,
                  today=clock.today())


def _owner_choices(form: ActionItemForm, meeting: Meeting) -> None:
    """An action item is owned by someone at the meeting."""
    people = {a.user_id: a.user.display_name for a in meeting.attendees}
    if meeting.organiser:
        people.setdefault(meeting.organiser_id, meeting.organiser.display_name)
    form.owner_id.choices = [(0, _("— choose —"))] + sorted(people.items(), key=lambda p: p[1])


@bp.route("/<int:meeting_id>")
def detail(meeting_id: int):
    """A meeting: agenda, attendees, notes, decisions, action items and those carried over."""
    return _detail(get_meeting_or_404(current_user, meeting_id))


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    """Change a meeting: its organiser or the head of its area."""
    meeting = get_meeting_or_404(current_user, meeting_id)
    _editable_or_403(meeting)
    form = MeetingForm(obj=meeting)
    _choices(form, meeting)
    if request.method == "GET":
        form.attendee_ids.data = [a.user_id for a in meeting.attendees]
        form.starts_at.data = to_user_timezone(meeting.starts_at).replace(tzinfo=None)
        form.kind.data = meeting.kind.value
    if form.validate_on_submit() and is_current(form, meeting, form.title):
        _apply(form, meeting)
        db.session.commit()
        flash(_("Meeting saved."), "success")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id), code=303)
    return render("meetings/form.html", form=form, meeting=meeting,
                  status=422 if form.errors else 200)


@bp.route("/<int:meeting_id>/delete", methods=["GET", "POST"])
def delete(meeting_id: int):
    """Confirm, then delete a meeting with its action items."""
    meeting = get_meeting_or_404(current_user, meeting_id)
    _editable_or_403(meeting)
    form = ConfirmForm()
    if form.validate_on_submit():
        db.session.delete(meeting)
        db.session.commit()
        flash(_("Meeting deleted."), "success")
        return redirect(url_for("meetings.index"), code=303)
    return render("confirm.html", form=form, action=_("Delete"),
                  question=_("Delete the meeting “%(title)s” and its action items?",
                             title=meeting.title),
                  cancel=url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/actions", methods=["POST"])
def action_add(meeting_id: int):
    """Add an action item; it lands in the owner's task list."""
    meeting = get_meeting_or_404(current_user, meeting_id)
    _editable_or_403(meeting)
    form = ActionItemForm()
    _owner_choices(form, meeting)
    if not form.validate_on_submit():
        return _detail(meeting, status=422, action_form=form)
    db.session.add(ActionItem(meeting=meeting, title=form.title.data, owner_id=form.owner_id.data,
                              due_date=form.due_date.data, created_by_id=current_user.id))
    db.session.commit()
    return _after_action_change(meeting.id)


def _after_action_change(meeting_id: int):
    """htmx gets the fresh action-item section; a plain form goes back to the page."""
    if is_htmx():
        db.session.expire_all()
        return _detail(get_meeting_or_404(current_user, meeting_id))
    return redirect(url_for("meetings.detail", meeting_id=meeting_id) + "#actions", code=303)


@bp.route("/actions/<int:meeting_action_id>/toggle", methods=["POST"])
def action_toggle(meeting_action_id: int):
    """Tick an action item (its owner, the organiser or the area head), or open it again."""
    item = get_meeting_action_or_404(current_user, meeting_action_id)
    if not may_tick(current_user, item.meeting, item.owner_id, headed_area_ids(current_user)):
        abort(403)
    if ConfirmForm().validate_on_submit():
        set_done(item, not item.done)
        db.session.commit()
    back = request.form.get("meeting", type=int) or item.meeting_id
    get_meeting_or_404(current_user, back)  # only ever send people back to what they may see
    return _after_action_change(back)


# --- calendar feed ------------------------------------------------------------------------------

@bp.route("/calendar")
def calendar():
    """My calendar subscription: the secret URL, and a way to replace or revoke it."""
    token = calendar_token(current_user)
    url = url_for("meetings.calendar_feed", feed_token=token.token, _external=True) if token else None
    return render("meetings/calendar.html", url=url, form=ConfirmForm())


@bp.route("/calendar/token", methods=["POST"])
def calendar_token_new():
    """Make a new secret URL; the old one stops working."""
    if ConfirmForm().validate_on_submit():
        token = calendar_token(current_user)
        if token is None:
            token = CalendarToken(user_id=current_user.id)
            db.session.add(token)
        token.token = new_token()
        token.created_at = clock.utcnow()
        db.session.commit()
        flash(_("Your calendar has a new address; the old one no longer works."), "success")
    return redirect(url_for("meetings.calendar"), code=303)


@bp.route("/calendar/revoke", methods=["POST"])
def calendar_revoke():
    """Revoke my calendar URL."""
    if ConfirmForm().validate_on_submit():
        token = calendar_token(current_user)
        if token is not None:
            db.session.delete(token)
            db.session.commit()
        flash(_("Your calendar address has been revoked."), "success")
    return redirect(url_for("meetings.calendar"), code=303)


@bp.route("/calendar/<feed_token>.ics")
@audience(PUBLIC)  # no session: the secret token in the URL is the key
def calendar_feed(feed_token: str):
    """The .ics feed of my meetings, one-on-ones and planned customer visits: titles and times,
    never notes. ETag and Last-Modified let calendar clients poll cheaply (304)."""
    user = user_by_token(feed_token)
    if user is None:
        abort(404)
    now = clock.utcnow()
    meetings, ones = calendar_items(user, now)
    events = [CalendarEvent(uid("meeting", m.id), m.starts_at, m.duration_minutes,
                            m.title, m.location,
                            url=url_for("meetings.detail", meeting_id=m.id, _external=True))
              for m in meetings]
    for one in ones:
        other = one.series.report if one.series.manager_id == user.id else one.series.manager
        events.append(CalendarEvent(
            uid("one-on-one", one.id), one.starts_at, one.duration_minutes,
            _("One-on-one with %(name)s", name=other.display_name),
            url=url_for("one_on_ones.detail", one_on_one_id=one.id, _external=True)))
    for visit in calendar_visits(user, now):
        events.append(CalendarEvent(
            uid("visit", visit.id), all_day(visit.planned_on), 0,
            _("Visit: %(customer)s", customer=visit.customer.name), visit.customer.address,
            description=visit.purpose, all_day=True,
            url=url_for("customers.detail", customer_id=visit.customer_id, _external=True)))
    events.sort(key=lambda e: e.starts_at)
    name = _("Meetings and one-on-ones of %(name)s", name=user.display_name)
    etag = feed_etag(build_calendar(name, events, datetime(2000, 1, 1)))
    modified_at = feed_changed_at(user, feed_state(user), etag, now)
    response = download(build_calendar(name, events, modified_at), "portal.ics", kind="ics",
                        inline=True)
    # Private (the feed names customers and colleagues), but a client may keep it and revalidate.
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(etag)
    response.last_modified = modified_at.replace(tzinfo=timezone.utc)
    return response.make_conditional(request)


from portal.kernel.panels import panel  # noqa: E402


@panel("meetings/_home_panel.html", order=25)
def home_panel(user):
    """My next meetings."""
    upcoming = upcoming_meetings(user, now=clock.utcnow())
    if not upcoming:
        return None
    return {"upcoming": upcoming}


@bp.app_template_filter("meeting_kind_label")
def meeting_kind_label(kind) -> str:
    """A kind of meeting in the reader's language."""
    return str(MEETING_KIND_LABELS[MeetingKind(kind)])
