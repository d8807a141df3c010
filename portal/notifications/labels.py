"""The kinds of notification: their names, their message in the reader's language, their
default channel and whether they are urgent (mailed at once rather than in the digest)."""
from dataclasses import dataclass

from flask_babel import get_locale, lazy_gettext as _l

from portal.models.feedback import ComplaintStatus
from portal.models.notifications import Channel


@dataclass(frozen=True)
class Kind:
    """One kind of notification."""

    label: object
    #: Worded with the notification's params, e.g. %(customer)s.
    message: object
    default: Channel = Channel.PORTAL
    urgent: bool = False


KINDS: dict[str, Kind] = {
    "one_on_one_tomorrow": Kind(_l("One-on-one tomorrow"),
                                _l("One-on-one with %(name)s tomorrow at %(time)s")),
    "one_on_one_overdue": Kind(_l("One-on-one overdue"),
                               _l("The one-on-one with %(name)s was due on %(date)s")),
    "visit_overdue": Kind(_l("Customer visit overdue"),
                          _l("The visit to %(customer)s planned for %(date)s is overdue")),
    "visit_summary": Kind(_l("Weekly summary of overdue visits"),
                          _l("Your team has %(count)s overdue customer visits")),
    "complaint_assigned": Kind(_l("Complaint assigned to you"),
                               _l("Complaint assigned to you: %(subject)s")),
    "complaint_due_soon": Kind(_l("Complaint deadline in 24 hours"),
                               _l("The deadline of complaint “%(subject)s” is %(due)s")),
    "complaint_overdue": Kind(_l("Complaint deadline passed"),
                              _l("Complaint “%(subject)s” is past its deadline (%(due)s)"),
                              default=Channel.BOTH, urgent=True),
    "complaint_escalated": Kind(_l("Complaint handed to a department and late"),
                                _l("Complaint #%(id)s, handed to a department, is more than "
                                   "%(hours)s hours past its deadline (%(due)s)"),
                                default=Channel.BOTH, urgent=True),
    "complaint_moved": Kind(_l("Your customer's complaint moved"),
                            _l("Complaint “%(subject)s” of %(customer)s: %(change)s")),
    "care_birthday": Kind(_l("A customer contact's birthday"),
                          _l("%(name)s's birthday is on %(date)s")),
    "care_anniversary": Kind(_l("A customer's anniversary"),
                             _l("%(name)s has been a customer for %(years)s years on %(date)s")),
    "appraisal_step": Kind(_l("Appraisal step waiting for you"),
                           _l("Appraisal of %(name)s (%(cycle)s): %(step)s is waiting for you")),
    "appraisal_closing": Kind(_l("Appraisal cycle closing"),
                              _l("Appraisal cycle %(cycle)s closes on %(date)s: "
                                 "%(count)s appraisals are not finished")),
    "training_tomorrow": Kind(_l("Training session tomorrow"),
                              _l("Training “%(course)s” tomorrow at %(time)s, %(place)s")),
    "action_item_due": Kind(_l("Action item due tomorrow"),
                            _l("Action item “%(title)s” is due tomorrow")),
    "action_item_overdue": Kind(_l("Action item overdue"),
                                _l("Action item “%(title)s” was due on %(date)s")),
    "survey_waiting": Kind(_l("Survey to answer"),
                           _l("The survey “%(title)s” is waiting for your answer")),
    "job_finished": Kind(_l("Print job or export finished"),
                         _l("%(what)s is ready")),
}

CHANNEL_LABELS = {
    Channel.PORTAL: _l("In the portal"),
    Channel.EMAIL: _l("By e-mail"),
    Channel.BOTH: _l("Portal and e-mail"),
    Channel.OFF: _l("Off"),
}

#: Appraisal steps as the message names them.
STEP_LABELS = {
    "self_assessment": _l("self-assessment"),
    "manager_review": _l("manager review"),
    "feedback": _l("feedback talk"),
    "acknowledgement": _l("acknowledgement"),
}

#: What happened to a complaint ("complaint_moved"), worded with its params.
COMPLAINT_CHANGES = {
    "handoff": _l("handed to %(department)s"),
    "owner": _l("now handled by %(name)s"),
    "status": _l("now %(status)s"),
}
#: Complaint statuses as the message names them (the same words as the complaints module's).
COMPLAINT_STATUSES = {
    ComplaintStatus.NEW.value: _l("New"),
    ComplaintStatus.IN_PROGRESS.value: _l("In progress"),
    ComplaintStatus.RESOLVED.value: _l("Resolved"),
    ComplaintStatus.CLOSED.value: _l("Closed"),
    ComplaintStatus.REOPENED.value: _l("Reopened"),
}


def _complaint_change(values: dict) -> str:
    """The change of a "complaint_moved" notification in the reader's language."""
    change = dict(values)
    locale = get_locale()
    if locale is not None and locale.language == "en" and change.get("department_en"):
        change["department"] = change["department_en"]
    if change.get("status") in COMPLAINT_STATUSES:
        change["status"] = str(COMPLAINT_STATUSES[change["status"]])
    template = COMPLAINT_CHANGES.get(change.get("change"))
    return str(template) % change if template is not None else ""


def kind_label(kind: str) -> str:
    """A kind's name in the reader's language."""
    known = KINDS.get(kind)
    return str(known.label) if known else kind


def message(kind: str, params: dict) -> str:
    """A notification's text in the current language (a missing value shows empty)."""
    known = KINDS.get(kind)
    if known is None:
        return kind
    values = dict(params)
    if kind == "appraisal_step" and values.get("step") in STEP_LABELS:
        values["step"] = str(STEP_LABELS[values["step"]])
    if kind == "complaint_moved":
        try:
            values["change"] = _complaint_change(values)
        except (KeyError, TypeError, ValueError):
            values["change"] = ""
    try:
        return str(known.message) % values
    except (KeyError, TypeError, ValueError):
        return str(known.label)
