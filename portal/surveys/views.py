"""Views of the surveys module: list, builder, publishing, staff answers, results, export."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.downloads import download
from portal.kernel.forms import ConfirmForm
from portal.kernel.lists import Listing
from portal.models import Area, Role, User, utcnow
from portal.models.feedback import (QuestionKind, Survey, SurveyAudience, SurveyInvitation,
                                    SurveyQuestion, SurveyResponse, SurveyStatus)
from portal.surveys import bp
from portal.surveys import services
from portal.surveys.labels import label as survey_label
from portal.surveys.forms import AnswerForm, QuestionForm, SurveyForm
from portal.surveys.queries import (SORTS, get_question_or_404, get_staff_survey_or_404,
                                    get_survey_or_404, headed_area_ids, invitation_list,
                                    may_manage_surveys, survey_list, surveys_to_answer)


@bp.app_template_filter("survey_label")
def _survey_label_filter(member) -> str:
    """`{{ survey.status|survey_label }}`: an enum member's name in the reader's language."""
    return survey_label(member)


@bp.route("/")
def index():
    """Surveys waiting for my answer; for HR and managers, the surveys they run."""
    to_answer = db.session.scalars(surveys_to_answer(current_user)).all()
    page = None
    if may_manage_surveys(current_user):
        listing = Listing(filters=("status", "audience"), sorts=SORTS, default_sort="-created")
        page = listing.paginate(survey_list(current_user, listing))
    # Only those who run surveys have the list that the search partial refreshes.
    return render("surveys/index.html", "surveys/_list.html" if page is not None else None,
                  to_answer=to_answer, page=page,
                  statuses=list(SurveyStatus), audiences=list(SurveyAudience))


def _area_choices(form: SurveyForm) -> None:
    """HR may address the whole company or one area; a manager one of the areas they head."""
    if current_user.has_role(Role.HR):
        areas = db.session.scalars(select(Area).order_by(Area.code)).all()
        form.area_id.choices = [(0, _("The whole company"))] + [(a.id, a.label) for a in areas]
    else:
        areas = db.session.scalars(select(Area).where(Area.id.in_(headed_area_ids(current_user)))
                                   .order_by(Area.code)).all()
        form.area_id.choices = [(a.id, a.label) for a in areas]


def _apply_survey_form(form: SurveyForm, survey: Survey) -> None:
    """Copy the form onto the survey."""
    survey.title = form.title.data
    survey.description = form.description.data or ""
    survey.audience = SurveyAudience(form.audience.data)
    survey.anonymous = bool(form.anonymous.data) and survey.audience == SurveyAudience.STAFF
    survey.area_id = form.area_id.data or None
    survey.expires_on = form.expires_on.data if survey.audience == SurveyAudience.CUSTOMER else None


@bp.route("/new", methods=["GET", "POST"])
@audience(Role.HR, Role.MANAGER)
def create():
    """Start a survey as a draft."""
    form = SurveyForm()
    _area_choices(form)
    if form.validate_on_submit():
        survey = Survey(created_by_id=current_user.id)
        _apply_survey_form(form, survey)
        db.session.add(survey)
        db.session.commit()
        flash(_("Survey created. Add its questions."), "success")
        return redirect(url_for("surveys.detail", survey_id=survey.id), code=303)
    return render("surveys/form.html", form=form, survey=None,
                  status=422 if form.errors else 200)


@bp.route("/<int:survey_id>")
def detail(survey_id: int):
    """The builder: the survey, its questions in order, and (for drafts) a form to add one."""
    survey = get_survey_or_404(current_user, survey_id)
    return render("surveys/detail.html", survey=survey, qform=QuestionForm(formdata=None),
                  confirm=ConfirmForm(), changeable=may_change_survey(survey))


def may_change_survey(survey: Survey) -> bool:
    """HR and the survey's author change it; the area's head may read it but not change it."""
    return current_user.has_role(Role.HR) or survey.created_by_id == current_user.id


def _get_changeable_survey(survey_id: int) -> Survey:
    """A survey the person may see (else 404) and change (else 403)."""
    survey = get_survey_or_404(current_user, survey_id)
    if not may_change_survey(survey):
        abort(403)
    return survey


def _draft_or_redirect(survey: Survey):
    """None for a draft; otherwise a redirect back with the reason, as only drafts change."""
    if survey.status == SurveyStatus.DRAFT:
        return None
    flash(_("Only a draft can be changed; this survey is %(status)s.",
            status=survey_label(survey.status)), "warning")
    return redirect(url_for("surveys.detail", survey_id=survey.id), code=303)


@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
def edit(survey_id: int):
    """Change a draft's title, audience, area or expiry."""
    survey = _get_changeable_survey(survey_id)
    if (blocked := _draft_or_redirect(survey)) is not None:
        return blocked
    form = SurveyForm(obj=survey)
    if request.method == "GET":
        form.audience.data = survey.audience.value
        form.area_id.data = survey.area_id or 0
    _area_choices(form)
    if form.validate_on_submit():
        _apply_survey_form(form, survey)
        db.session.commit()
        flash(_("Survey saved."), "success")
        return redirect(url_for("surveys.detail", survey_id=survey.id), code=303)
    return render("surveys/form.html", form=form, survey=survey,
                  status=422 if form.errors else 200)


def _builder(survey: Survey, qform: QuestionForm | None = None, status: int = 200):
    """The builder block (questions and the add form) for htmx, or the whole page."""
    return render("surveys/detail.html", "surveys/_builder.html", survey=survey,
                  qform=qform or QuestionForm(formdata=None), confirm=ConfirmForm(),
                  changeable=True, status=status)


def _apply_question_form(form: QuestionForm, question: SurveyQuestion) -> None:
    """Copy the form onto the question; options only for choice questions."""
    question.kind = QuestionKind(form.kind.data)
    question.text = form.text.data
    question.required = bool(form.required.data)
    question.options = (services.parse_options(form.options.data)
                        if question.kind.has_options else [])


@bp.route("/<int:survey_id>/questions", methods=["POST"])
def question_create(survey_id: int):
    """Add a question at the end of a draft."""
    survey = _get_changeable_survey(survey_id)
    if (blocked := _draft_or_redirect(survey)) is not None:
        return blocked
    form = QuestionForm()
    if not form.validate_on_submit():
        return _builder(survey, form, status=422)
    question = SurveyQuestion(position=len(survey.questions) + 1)
    _apply_question_form(form, question)
    survey.questions.append(question)
    db.session.commit()
    if is_htmx():
        return _builder(survey)
    return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="questions"), code=303)


@bp.route("/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
def question_edit(survey_id: int, question_id: int):
    """Change one question of a draft."""
    survey = _get_changeable_survey(survey_id)
    question = get_question_or_404(survey, question_id)
    if (blocked := _draft_or_redirect(survey)) is not None:
        return blocked
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.kind.data = question.kind.value
        form.options.data = "\n".join(question.options or [])
    if form.validate_on_submit():
        _apply_question_form(form, question)
        db.session.commit()
        return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="questions"),
                        code=303)
    return render("surveys/question_form.html", form=form, survey=survey, question=question,
                  status=422 if form.errors else 200)


@bp.route("/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
def question_move(survey_id: int, question_id: int):
    """Move a question one place up or down (htmx swaps the builder; plain forms redirect)."""
    survey = _get_changeable_survey(survey_id)
    question = get_question_or_404(survey, question_id)
    if (blocked := _draft_or_redirect(survey)) is not None:
        return blocked
    if ConfirmForm().validate_on_submit():
        services.move_question(survey, question, -1 if request.form.get("direction") == "up" else 1)
        db.session.commit()
    if is_htmx():
        return _builder(survey)
    return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="questions"), code=303)


@bp.route("/<int:survey_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
def question_delete(survey_id: int, question_id: int):
    """Confirm, then remove a question from a draft."""
    survey = _get_changeable_survey(survey_id)
    question = get_question_or_404(survey, question_id)
    if (blocked := _draft_or_redirect(survey)) is not None:
        return blocked
    form = ConfirmForm()
    if form.validate_on_submit():
        survey.questions.remove(question)
        for position, q in enumerate(survey.questions, start=1):
            q.position = position
        db.session.commit()
        flash(_("Question removed."), "success")
        return redirect(url_for("surveys.detail", survey_id=survey.id, _anchor="questions"),
                        code=303)
    return render("confirm.html", form=form,
                  question=_("Remove the question “%(text)s”?", text=question.text),
                  action=_("Remove"), cancel=url_for("surveys.detail", survey_id=survey.id))


@bp.route("/<int:survey_id>/publish", methods=["POST"])
def publish(survey_id: int):
    """Open a draft for answers; a customer survey gets one link per customer."""
    survey = _get_changeable_survey(survey_id)
    if (blocked := _draft_or_redirect(survey)) is not None:
        return blocked
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("surveys.detail", survey_id=survey.id), code=303)
    if not survey.questions:
        flash(_("Add at least one question before publishing."), "error")
        return redirect(url_for("surveys.detail", survey_id=survey.id), code=303)
    survey.status = SurveyStatus.PUBLISHED
    survey.published_at = utcnow()
    made = 0
    if survey.audience == SurveyAudience.CUSTOMER:
        made = services.create_invitations(survey)
    audit.record("survey.publish", "survey", survey.id, {"status": "draft"},
                 {"status": "published", "links": made})
    db.session.commit()
    flash(_("The survey is published."), "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id), code=303)


@bp.route("/<int:survey_id>/close", methods=["GET", "POST"])
def close(survey_id: int):
    """Confirm, then close a published survey: no more answers, links stop working."""
    survey = _get_changeable_survey(survey_id)
    if survey.status != SurveyStatus.PUBLISHED:
        flash(_("Only a published survey can be closed."), "warning")
        return redirect(url_for("surveys.detail", survey_id=survey.id), code=303)
    form = ConfirmForm()
    if form.validate_on_submit():
        survey.status = SurveyStatus.CLOSED
        survey.closed_at = utcnow()
        services.release_in_steps(survey, closing=True)
        audit.record("survey.close", "survey", survey.id, {"status": "published"},
                     {"status": "closed"})
        db.session.commit()
        flash(_("The survey is closed."), "success")
        return redirect(url_for("surveys.results", survey_id=survey.id), code=303)
    return render("confirm.html", form=form,
                  question=_("Close “%(title)s”? Nobody can answer it afterwards.",
                             title=survey.title),
                  action=_("Close the survey"),
                  cancel=url_for("surveys.detail", survey_id=survey.id))


def _restricted_areas(survey: Survey) -> list[int] | None:
    """The areas a reader is held to: none for HR and the author (and for an area's own survey);
    the areas they head for a manager reading a company-wide survey. 404 if they head none."""
    if current_user.has_role(Role.HR) or survey.created_by_id == current_user.id or survey.area_id:
        return None
    areas = list(db.session.scalars(headed_area_ids(current_user)))
    if not areas:
        abort(404)
    return areas


def _results_areas(survey: Survey) -> list[Area]:
    """The areas a results page may filter by: the survey's, or every area for company ones."""
    if survey.area_id:
        return [survey.area]
    query = select(Area).order_by(Area.code)
    if not current_user.has_role(Role.HR):
        query = query.where(Area.id.in_(headed_area_ids(current_user)))
    return db.session.scalars(query).all()


@bp.route("/<int:survey_id>/results")
def results(survey_id: int):
    """Per-question charts, averages, CSAT and NPS, filtered by area; withheld under the threshold."""
    survey = get_survey_or_404(current_user, survey_id)
    areas = _results_areas(survey)
    restricted = _restricted_areas(survey)
    area_id = request.args.get("area", type=int)
    if area_id not in {a.id for a in areas}:
        area_id = restricted[0] if restricted else None
    outcome = services.survey_results(survey, area_id)
    managers = []
    if survey.audience == SurveyAudience.CUSTOMER and not outcome.withheld:
        managers = services.results_by_account_manager(survey, area_id)
    return render("surveys/results.html", survey=survey, outcome=outcome, areas=areas,
                  area_id=area_id, managers=managers, restricted=restricted is not None,
                  threshold=services.anonymity_threshold())


@bp.route("/<int:survey_id>/export.csv")
def export(survey_id: int):
    """The answers as CSV (formula-safe); anonymous ones without names, dates or areas."""
    survey = get_survey_or_404(current_user, survey_id)
    restricted = _restricted_areas(survey)
    query = select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                         SurveyResponse.released.is_(True))
    if restricted is not None:
        query = query.where(SurveyResponse.area_id.in_(restricted))
    responses = db.session.scalars(
        query.options(selectinload(SurveyResponse.answers), selectinload(SurveyResponse.area),
                 selectinload(SurveyResponse.invitation)
                 .selectinload(SurveyInvitation.account_manager),
                 selectinload(SurveyResponse.named))).all()
    if not services.may_show_group(survey, len(responses)) or (
            restricted is not None
            and not services.may_break_down(survey, services.area_sizes(survey))):
        flash(_("Too few answers to show without revealing who gave them."), "warning")
        return redirect(url_for("surveys.results", survey_id=survey.id))
    people = services.names_for_export(survey, responses)
    filename = f"{_('Survey answers')}-{survey.title}-{clock.today().isoformat()}.csv"
    return download(services.export_csv(survey, responses, people), filename)


@bp.route("/<int:survey_id>/answer", methods=["GET", "POST"])
def answer(survey_id: int):
    """Answer a staff survey once; anonymous surveys store the answer without my name."""
    survey = get_staff_survey_or_404(current_user, survey_id)
    if services.has_answered(survey.id, current_user.id):
        return render("surveys/answered.html", survey=survey)
    form = AnswerForm()
    errors: dict[int, str] = {}
    if form.validate_on_submit():
        me = db.session.get(User, current_user.id)
        values, errors = services.parse_answers(survey.questions, request.form)
        if not errors:
            if services.record_staff_response(survey, me, values):
                db.session.commit()
                flash(_("Thank you: your answer is recorded."), "success")
            else:
                db.session.rollback()
                flash(_("You have already answered this survey."), "warning")
            return redirect(url_for("surveys.index"), code=303)
    return render("surveys/answer.html", survey=survey, form=form, errors=errors,
                  values=request.form, status=422 if errors else 200)



@bp.route("/<int:survey_id>/links/refresh", methods=["POST"])
def invitations_refresh(survey_id: int):
    """Make links for the customers who joined since the survey was published."""
    survey = _get_changeable_survey(survey_id)
    if (survey.audience == SurveyAudience.CUSTOMER and survey.status == SurveyStatus.PUBLISHED
            and ConfirmForm().validate_on_submit()):
        made = services.create_invitations(survey)
        db.session.commit()
        flash(_("%(n)d new links made.", n=made), "success")
    return redirect(url_for("surveys.invitations", survey_id=survey.id), code=303)


@bp.route("/<int:survey_id>/links")
def invitations(survey_id: int):
    """A customer survey's personal links, to send to each customer, and which were used."""
    survey = get_survey_or_404(current_user, survey_id)
    page = None
    if survey.audience == SurveyAudience.CUSTOMER:
        page = Listing().paginate(invitation_list(survey, _restricted_areas(survey)))
    return render("surveys/invitations.html", survey=survey, page=page, confirm=ConfirmForm(),
                  changeable=may_change_survey(survey))


from portal.surveys import panels  # noqa: E402,F401
