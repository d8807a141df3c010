"""The names of the training enums in the reader's language (kept here so they land in the
training catalogue)."""
from flask_babel import lazy_gettext as _l

from portal.models.training import Attendance, CourseCategory, CourseMode

CATEGORY_LABELS = {
    CourseCategory.PRODUCT: _l("Product knowledge"),
    CourseCategory.MARKET: _l("Market"),
    CourseCategory.SALES_SKILLS: _l("Sales skills"),
    CourseCategory.CRM: _l("CRM"),
    CourseCategory.TIME_MANAGEMENT: _l("Time management"),
    CourseCategory.EMOTION_MANAGEMENT: _l("Emotion management"),
    CourseCategory.OTHER: _l("Other"),
}

MODE_LABELS = {
    CourseMode.CLASSROOM: _l("Classroom"),
    CourseMode.ONLINE: _l("Online"),
    CourseMode.BLENDED: _l("Blended"),
    CourseMode.ON_THE_JOB: _l("On the job"),
}

ATTENDANCE_LABELS = {
    Attendance.UNMARKED: _l("Not marked"),
    Attendance.ATTENDED: _l("Attended"),
    Attendance.ABSENT: _l("Absent"),
}
