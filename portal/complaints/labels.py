"""The names of the complaint enums in the reader's language (kept in the module's catalogue)."""
from flask_babel import lazy_gettext as _l

from portal.models.feedback import ComplaintCategory, ComplaintChannel, ComplaintStatus, Severity

LABELS = {
    ComplaintStatus.NEW: _l("New"),
    ComplaintStatus.IN_PROGRESS: _l("In progress"),
    ComplaintStatus.RESOLVED: _l("Resolved"),
    ComplaintStatus.CLOSED: _l("Closed"),
    ComplaintStatus.REOPENED: _l("Reopened"),
    Severity.LOW: _l("Low"),
    Severity.MEDIUM: _l("Medium"),
    Severity.HIGH: _l("High"),
    Severity.CRITICAL: _l("Critical"),
    ComplaintChannel.PHONE: _l("Phone"),
    ComplaintChannel.WECHAT: _l("WeChat"),
    ComplaintChannel.EMAIL: _l("Email"),
    ComplaintChannel.VISIT: _l("In person"),
    ComplaintChannel.LETTER: _l("Letter"),
    ComplaintChannel.OTHER: _l("Other"),
    ComplaintCategory.SERVICE: _l("Service"),
    ComplaintCategory.BILLING: _l("Billing"),
    ComplaintCategory.QUALITY: _l("Network or product quality"),
    ComplaintCategory.PRODUCT: _l("Product or offer"),
    ComplaintCategory.STAFF: _l("Staff attitude"),
    ComplaintCategory.OTHER: _l("Other"),
}
#: The verb on the button that makes each move.
MOVE_LABELS = {
    ComplaintStatus.IN_PROGRESS: _l("Start work"),
    ComplaintStatus.RESOLVED: _l("Mark resolved"),
    ComplaintStatus.CLOSED: _l("Close with the customer's rating"),
    ComplaintStatus.REOPENED: _l("Reopen"),
}


def label(member) -> str:
    """The name of a complaint enum member (or its value) in the reader's language."""
    for kind in (ComplaintStatus, Severity, ComplaintChannel, ComplaintCategory):
        try:
            return str(LABELS[kind(member)])
        except (ValueError, KeyError):
            continue
    return str(member)
