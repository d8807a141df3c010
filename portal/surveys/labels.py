"""The names of the survey enums in the reader's language (kept here, in the module's catalogue)."""
from flask_babel import lazy_gettext as _l

from portal.models.feedback import QuestionKind, SurveyAudience, SurveyStatus

LABELS = {
    SurveyAudience.STAFF: _l("Staff"),
    SurveyAudience.CUSTOMER: _l("Customers"),
    SurveyStatus.DRAFT: _l("Draft"),
    SurveyStatus.PUBLISHED: _l("Published"),
    SurveyStatus.CLOSED: _l("Closed"),
    QuestionKind.RATING: _l("Rating 1–5"),
    QuestionKind.NPS: _l("Recommendation 0–10 (NPS)"),
    QuestionKind.SINGLE: _l("Single choice"),
    QuestionKind.MULTIPLE: _l("Multiple choice"),
    QuestionKind.TEXT: _l("Text"),
}


def label(member) -> str:
    """The name of a survey enum member in the reader's language."""
    return str(LABELS.get(member, member))
