"""Views of one-on-ones."""
from datetime import datetime, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user

from portal.concurrency import digest, is_current
from portal.extensions import db
from portal.kernel.panels import panel
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.models import Role
from portal.models.communication import (ActionItem, Cadence, MoodCheckIn, OneOnOne,
                                         OneOnOneSeries, PrivateNote, TalkingPoint)
from portal.one_on_ones import bp
from portal.one_on_ones.forms import (CADENCE_LABELS, MoodForm, NewSeriesForm, PointForm, PrivateNoteForm,
                                      ScheduleForm, SeriesForm, SharedNotesForm)
from portal.one_on_ones.queries import (CADENCE_SORTS, cadence_list, get_one_on_one_action_or_404,
                                        get_one_on_one_or_404, get_point_or_404,
                                        get_series_or_404, last_held_dates, may_change, my_private_note,
                                        overdue_action_items, previous_one_on_one, recent_moods,
                                        report_choices, reports_without_series, series_list,
                                        visible_one_on_ones)
from portal.one_on_ones.services import cadence_figures, carry_over, mood_trend, next_due
from portal.action_items import ActionItemForm
from portal.tasks.services import set_done


@bp.route("/")
def index():
    """My one-on-one series, soonest due first, with the figures of each."""
    page = Listing().paginate(series_list(current_user))
    ids = [s.id for s in page.items]
    last = last_held_dates(ids)
    today = clock.today()
    figures = {s.id: cadence_figures(last.get(s.id), s.next_date, today) for s in page.items}
    missing = reports_without_series(current_user) if current_user.has_role(Role.MANAGER) else []
    return render("one_on_ones/index.html", page=page, figures=figures, missing=missing)


@bp.route("/cadence")
@audience(Role.MANAGER, Role.HR)
def cadence():
    """The cadence of every series: last held, next due, overdue; moods only for the manager."""
    today = clock.today()
    listing = Listing(filters=("overdue",), sorts=CADENCE_SORTS, default_sort="next")
    page = listing.paginate(cadence_list(current_user, listing, today))
    last = last_held_dates([s.id for s in page.items])
    figures = {s.id: cadence_figures(last.get(s.id), s.next_date, today) for s in page.items}
    # Moods are content of the one-on-one: only the manager of the series sees them, never HR.
    mine = [s.id for s in page.items if s.manager_id == current_user.id]
    moods = recent_moods(mine) if mine else {}
    trends = {sid: mood_trend(scores) for sid, scores in moods.items()}
    missing = reports_without_series(current_user) if current_user.has_role(Role.MANAGER) else []
    return render("one_on_ones/cadence.html", "one_on_ones/_cadence_results.html", page=page,
                  figures=figures, moods=moods, trends=trends, missing=missing,
                  show_moods=current_user.has_role(Role.MANAGER))


@bp.route("/series/new", methods=["GET", "POST"])
@audience(Role.MANAGER)
def series_create():
    """Start a one-on-one series with one of my direct reports."""
    form = NewSeriesForm()
    form.report_id.choices = [(0, _("— choose —"))] + report_choices(current_user)
    if request.method == "GET":
        form.report_id.data = request.args.get("report", 0, type=int)
        form.next_date.data = clock.today() + timedelta(days=7)
    if form.validate_on_submit():
        series = OneOnOneSeries(manager_id=current_user.id, report_id=form.report_id.data,
                                cadence=Cadence(form.cadence.data), next_date=form.next_date.data)
        db.session.add(series)
        db.session.commit()
        flash(_("One-on-one series started."), "success")
        return redirect(url_for("one_on_ones.series_detail", series_id=series.id), code=303)
    return render("one_on_ones/series_form.html", form=form, series=None,
                  status=422 if form.errors else 200)


@bp.route("/series/<int:series_id>")
def series_detail(series_id: int):
    """A series: its one-on-ones, newest first."""
    series = get_series_or_404(current_user, series_id)
    page = Listing().paginate(visible_one_on_ones(current_user)
                              .where(OneOnOne.series_id == series.id)
                              .order_by(OneOnOne.starts_at.desc()))
    last = last_held_dates([series.id]).get(series.id)
    return render("one_on_ones/series.html", series=series, page=page,
                  figures=cadence_figures(last, series.next_date, clock.today()))


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@audience(Role.MANAGER)
def series_edit(series_id: int):
    """Change the cadence or the next date: the manager of the series only."""
    series = get_series_or_404(current_user, series_id)
    if series.manager_id != current_user.id:
        abort(403)
    form = SeriesForm(obj=series)
    if form.validate_on_submit():
        series.cadence = Cadence(form.cadence.data)
        series.next_date = form.next_date.data
        db.session.commit()
        flash(_("Cadence saved."), "success")
        return redirect(url_for("one_on_ones.series_detail", series_id=series.id), code=303)
    return render("one_on_ones/series_form.html", form=form, series=series,
                  status=422 if form.errors else 200)


@bp.route("/series/<int:series_id>/schedule", methods=["GET", "POST"])
def schedule(series_id: int):
    """Put the next one-on-one in the diary; undiscussed points of the last one move onto it."""
    series = get_series_or_404(current_user, series_id)
    form = ScheduleForm()
    if request.method == "GET":
        day = series.next_date or clock.today()
        form.starts_at.data = datetime(day.year, day.month, day.day, 10, 0)
    if form.validate_on_submit():
        previous = previous_one_on_one(series)
        one = OneOnOne(series=series, starts_at=to_utc(form.starts_at.data),
                       duration_minutes=form.duration_minutes.data)
        db.session.add(one)
        moved = carry_over(previous, one)
        series.next_date = next_due(form.starts_at.data.date(), series.cadence)
        db.session.commit()
        if moved:
            flash(_("%(n)d undiscussed talking points carried over.", n=moved), "success")
        return redirect(url_for("one_on_ones.detail", one_on_one_id=one.id), code=303)
    return render("one_on_ones/schedule.html", form=form, series=series,
                  status=422 if form.errors else 200)


# --- one meeting --------------------------------------------------------------------------------

def _action_form(series: OneOnOneSeries, blank: bool = False) -> ActionItemForm:
    """The action-item form, owned by one of the two people; blank ignores what was posted."""
    form = ActionItemForm(formdata=None) if blank else ActionItemForm()
    form.owner_id.choices = [(series.report_id, series.report.display_name),
                             (series.manager_id, series.manager.display_name)]
    return form


def _context(one: OneOnOne, **forms) -> dict:
    """Everything the one-on-one page and its sections show to the signed-in person."""
    series = one.series
    note = my_private_note(current_user, one.id)
    today = clock.today()
    if "action_form" not in forms:
        forms["action_form"] = _action_form(series, blank=True)
    forms.setdefault("point_form", PointForm(formdata=None))
    forms.setdefault("notes_form", SharedNotesForm(
        formdata=None, obj=one, row_version=digest(one.shared_notes)))
    forms.setdefault("private_form", PrivateNoteForm(formdata=None, body=note.body if note else ""))
    forms.setdefault("mood_form", MoodForm(formdata=None, score=one.mood.score if one.mood else None,
                                           comment=one.mood.comment if one.mood else ""))
    return dict(one=one, series=series, note=note, today=today,
                is_report=current_user.id == series.report_id,
                read_only=not may_change(current_user, one),
                suggestions=[] if one.held else overdue_action_items(series, today), **forms)


def _section(one: OneOnOne, name: str, status: int = 200, **forms):
    """The whole page, or for htmx the one section that changed."""
    return render("one_on_ones/detail.html", f"one_on_ones/_{name}.html", status=status,
                  **_context(one, **forms))


def _done(one: OneOnOne, name: str):
    """After a change: htmx gets the fresh section, a plain form goes back to the page."""
    if is_htmx():
        db.session.expire_all()
        return _section(get_one_on_one_or_404(current_user, one.id), name)
    return redirect(url_for("one_on_ones.detail", one_on_one_id=one.id) + f"#{name}", code=303)


@bp.route("/<int:one_on_one_id>")
def detail(one_on_one_id: int):
    """One one-on-one: agenda, notes, my private note, mood, action items."""
    return _section(get_one_on_one_or_404(current_user, one_on_one_id), "agenda")


@bp.route("/<int:one_on_one_id>/held", methods=["POST"])
def held_toggle(one_on_one_id: int):
    """Mark that the two have met (or undo it)."""
    one = get_one_on_one_or_404(current_user, one_on_one_id, writing=True)
    if ConfirmForm().validate_on_submit():
        one.held = not one.held
        db.session.commit()
    return redirect(url_for("one_on_ones.detail", one_on_one_id=one.id), code=303)


@bp.route("/<int:one_on_one_id>/points", methods=["POST"])
def point_add(one_on_one_id: int):
    """Add a talking point to the shared agenda."""
    one = get_one_on_one_or_404(current_user, one_on_one_id, writing=True)
    form = PointForm()
    if not form.validate_on_submit():
        return _section(one, "agenda", status=422, point_form=form)
    db.session.add(TalkingPoint(one_on_one=one, author_id=current_user.id, text=form.text.data))
    db.session.commit()
    return _done(one, "agenda")


@bp.route("/points/<int:talking_point_id>/toggle", methods=["POST"])
def point_toggle(talking_point_id: int):
    """Tick a talking point as discussed, or not."""
    point = get_point_or_404(current_user, talking_point_id)
    one = get_one_on_one_or_404(current_user, point.one_on_one_id, writing=True)
    if ConfirmForm().validate_on_submit():
        point.discussed = not point.discussed
        db.session.commit()
    return _done(one, "agenda")


@bp.route("/<int:one_on_one_id>/notes", methods=["POST"])
def notes_save(one_on_one_id: int):
    """Save the shared notes."""
    one = get_one_on_one_or_404(current_user, one_on_one_id, writing=True)
    form = SharedNotesForm()
    db.session.refresh(one, with_for_update=True)  # PostgreSQL: one save of the notes at a time
    if not (form.validate_on_submit() and is_current(form, one, form.shared_notes,
                                                      digest(one.shared_notes))):
        return _section(one, "shared_notes", status=422, notes_form=form)
    one.shared_notes = form.shared_notes.data or ""
    db.session.commit()
    return _done(one, "shared_notes")


@bp.route("/<int:one_on_one_id>/private-note", methods=["POST"])
def private_note_save(one_on_one_id: int):
    """Save my private note: it is mine alone, whoever else reads the one-on-one."""
    one = get_one_on_one_or_404(current_user, one_on_one_id, writing=True)
    form = PrivateNoteForm()
    if not form.validate_on_submit():
        return _section(one, "private_note", status=422, private_form=form)
    note = my_private_note(current_user, one.id)
    if note is None:
        note = PrivateNote(one_on_one_id=one.id, author_id=current_user.id)
        db.session.add(note)
    note.body = form.body.data or ""
    db.session.commit()
    return _done(one, "private_note")


@bp.route("/<int:one_on_one_id>/mood", methods=["POST"])
def mood_save(one_on_one_id: int):
    """The report's mood check-in; the manager sees it but cannot set it."""
    one = get_one_on_one_or_404(current_user, one_on_one_id, writing=True)
    if current_user.id != one.series.report_id:
        abort(403)
    form = MoodForm()
    if not form.validate_on_submit():
        return _section(one, "mood", status=422, mood_form=form)
    if one.mood is None:
        one.mood = MoodCheckIn(score=form.score.data)
    one.mood.score = form.score.data
    one.mood.comment = form.comment.data or ""
    db.session.commit()
    return _done(one, "mood")


@bp.route("/<int:one_on_one_id>/actions", methods=["POST"])
def action_add(one_on_one_id: int):
    """Add an action item owned by one of the two; it lands in the owner's task list."""
    one = get_one_on_one_or_404(current_user, one_on_one_id, writing=True)
    form = _action_form(one.series)
    if not form.validate_on_submit():
        return _section(one, "actions", status=422, action_form=form)
    db.session.add(ActionItem(one_on_one=one, title=form.title.data, owner_id=form.owner_id.data,
                              due_date=form.due_date.data, created_by_id=current_user.id))
    db.session.commit()
    return _done(one, "actions")


@bp.route("/actions/<int:one_on_one_action_id>/toggle", methods=["POST"])
def action_toggle(one_on_one_action_id: int):
    """Tick an action item of a one-on-one as done, or open it again."""
    item = get_one_on_one_action_or_404(current_user, one_on_one_action_id)
    one = get_one_on_one_or_404(current_user, item.one_on_one_id, writing=True)
    if ConfirmForm().validate_on_submit():
        set_done(item, not item.done)
        db.session.commit()
    return _done(one, "actions")


@panel("one_on_ones/_home_panel.html", order=30)
def home_panel(user):
    """My next one-on-ones and, for a manager, how many are overdue."""
    series = db.session.scalars(series_list(user).limit(5)).all()
    if not series:
        return None
    today = clock.today()
    return {"series": series, "today": today,
            "overdue": sum(1 for s in series if s.next_date and s.next_date < today)}


@bp.app_template_filter("cadence_label")
def cadence_label(cadence) -> str:
    """A cadence in the reader's language."""
    return str(CADENCE_LABELS[Cadence(cadence)])
