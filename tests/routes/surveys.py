"""Sample records for the routes of the surveys module."""
from portal.extensions import db
from portal.models.feedback import SurveyInvitation


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
