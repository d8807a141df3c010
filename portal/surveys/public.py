"""The customers' answer page: reached by a personal link, no sign-in, one answer per link."""
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _

from portal.extensions import db
from portal.htmx import render
from portal.kernel import clock
from portal.surveys import public_bp, services
from portal.surveys.forms import AnswerForm
from portal.surveys.queries import invitation_by_token


@public_bp.route("/<token>", methods=["GET", "POST"])
def respond(token: str):
    """Show the questionnaire of a link and take its one answer (CSRF-protected like any form)."""
    invitation = invitation_by_token(token)
    if invitation is None:
        abort(404)
    survey = invitation.survey
    if invitation.answered_at is not None:
        return render("surveys/public_done.html", survey=survey, used=True)
    if not services.link_is_open(invitation, clock.today()):
        return render("surveys/public_done.html", survey=survey, used=False, status=410)
    form = AnswerForm()
    errors: dict[int, str] = {}
    if form.validate_on_submit():
        values, errors = services.parse_answers(survey.questions, request.form)
        if not errors:
            if services.record_customer_response(invitation, values):
                db.session.commit()
            else:
                db.session.rollback()
            return redirect(url_for("survey_public.respond", token=token), code=303)
    return render("surveys/public.html", survey=survey, form=form, errors=errors,
                  values=request.form, token=token, status=422 if errors else 200,
                  message=_("Your answers are kept by the company that sent you this link."))
