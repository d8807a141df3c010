"""Routes of the surveys module."""
from portal.extensions import db
from portal.models.feedback import SurveyInvitation
from tests.routes import EVERYONE, PUBLIC

RUNNERS = {"manager1", "hr"}
ROUTES = {
    "surveys.index": EVERYONE,
    "surveys.create": RUNNERS,
    "surveys.detail": RUNNERS,
    "surveys.edit": RUNNERS,
    "surveys.question_edit": RUNNERS,
    "surveys.question_delete": RUNNERS,
    "surveys.close": RUNNERS,
    "surveys.results": RUNNERS,
    "surveys.export": RUNNERS,
    "surveys.invitations": RUNNERS,
    #: A staff survey of area A01: its people answer it (manager1 sits in A01 too).
    "surveys.answer": {"staff1", "manager1"},
    "survey_public.respond": PUBLIC,
}
POST_ONLY = {"surveys.question_create", "surveys.question_move", "surveys.publish",
             "surveys.invitations_refresh"}


def sample_args(org) -> dict:
    """A published staff survey of area A01 made by manager1, its first question, a customer link."""
    from portal.models.feedback import SurveyAudience
    from tests.feedback_factories import make_customer, make_survey

    survey = make_survey(org.users["manager1"], area=org.areas[0])
    customer_survey = make_survey(org.users["manager1"], area=org.areas[0],
                                  audience=SurveyAudience.CUSTOMER, title="客户满意度调查")
    customer = make_customer(org.users["staff1"], name="样例客户")
    invitation = SurveyInvitation(survey_id=customer_survey.id, customer_id=customer.id,
                                  token="sample-token-abc",
                                  account_manager_id=org.users["staff1"].id)
    db.session.add(invitation)
    db.session.commit()
    return {"survey_id": survey.id, "question_id": survey.questions[0].id,
            "token": invitation.token}
