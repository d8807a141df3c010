"""The audit log in words: translated action names, the kind and label of each record, the
fields' names, and their values as people read them.

What a label may show follows portal/audit.py's rule for values: the administrator's own records
(accounts, areas, reference data; `NAMED_KINDS`) are named; a record that belongs to a person
(a target, an appraisal, a base pay) is named by its kind and that person, whom the administrator
sees anyway; everything else by its kind and number. A customer's name or an appraisal's comment
never reaches the log through a label.
"""
from datetime import datetime

from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models import Area, AuditLog, CustomerType, ProductLine, Role, User
from portal.models.appraisals import Appraisal, AppraisalTemplate
from portal.models.careers import CareerLevel, CareerPlan
from portal.models.departments import Department
from portal.models.incentives import BasePay, Nomination
from portal.models.pipeline import PipelineStage
from portal.models.sales import SalesTarget, ServiceDuty
from portal.models.training import Enrolment

#: Every action the portal writes to the log, as people say it.
ACTION_LABELS = {
    "appraisal.acknowledge": _l("Acknowledged an appraisal"),
    "appraisal.close": _l("Closed an appraisal"),
    "appraisal.feedback": _l("Recorded an appraisal's feedback talk"),
    "appraisal.figures": _l("Updated an appraisal's figures"),
    "appraisal.reopen": _l("Reopened an appraisal"),
    "appraisal.review": _l("Saved a manager's review"),
    "appraisal.self": _l("Saved a self-assessment"),
    "appraisal.update": _l("Changed an appraisal"),
    "appraisal_cycle.close": _l("Closed an appraisal cycle"),
    "appraisal_cycle.open": _l("Opened an appraisal cycle"),
    "appraisal_indicator.delete": _l("Deleted an appraisal indicator"),
    "appraisal_template.create": _l("Created an appraisal template"),
    "area.create": _l("Added an area"),
    "area.update": _l("Changed an area"),
    "base_pay.set": _l("Set a base pay"),
    "care.campaign": _l("Started a customer-care campaign"),
    "career_level.create": _l("Added a career level"),
    "career_level.update": _l("Changed a career level"),
    "career_plan.assess": _l("Assessed a career plan"),
    "career_plan.review": _l("Recorded a career review"),
    "commission_rate.delete": _l("Deleted a commission rate"),
    "commission_rate.set": _l("Set a commission rate"),
    "complaint.closed": _l("Closed a complaint"),
    "complaint.handoff": _l("Handed a complaint to a department"),
    "complaint.reassign": _l("Reassigned a complaint"),
    "complaint.reopened": _l("Reopened a complaint"),
    "course.create": _l("Added a course"),
    "course.update": _l("Changed a course"),
    "customer.create": _l("Added a customer"),
    "customer.import": _l("Imported customers from a spreadsheet"),
    "customer.reassign": _l("Reassigned a customer"),
    "customer.tier": _l("Changed a customer's tier"),
    "customer.update": _l("Changed a customer"),
    "customer_type.create": _l("Added a customer type"),
    "customer_type.update": _l("Changed a customer type"),
    "department.create": _l("Added a department"),
    "department.update": _l("Changed a department"),
    "duty.create": _l("Added a service duty"),
    "duty.update": _l("Changed a service duty"),
    "enrolment.assign": _l("Assigned a training"),
    "enrolment.cancel": _l("Cancelled an enrolment"),
    "enrolment.result": _l("Recorded a training result"),
    "incentive_settings.update": _l("Changed the incentive settings"),
    "intel.post": _l("Shared market intelligence"),
    "login.lockout": _l("Locked sign-in after failed attempts"),
    "login.lockout_clear": _l("Cleared a sign-in lock-out"),
    "nomination.decide": _l("Decided a nomination"),
    "opportunity.create": _l("Added an opportunity"),
    "opportunity.lost": _l("Marked an opportunity lost"),
    "opportunity.stage": _l("Moved an opportunity to another stage"),
    "opportunity.update": _l("Changed an opportunity"),
    "opportunity.won": _l("Marked an opportunity won"),
    "pay_rules.create": _l("Created a pay-rule version"),
    "pay_rules.update": _l("Changed a pay-rule version"),
    "payout.approve": _l("Approved a payout"),
    "pipeline_stage.save": _l("Saved a pipeline stage"),
    "product_line.create": _l("Added a product line"),
    "product_line.update": _l("Changed a product line"),
    "sale.create": _l("Recorded a sale"),
    "sale.delete": _l("Deleted a sale"),
    "survey.close": _l("Closed a survey"),
    "survey.publish": _l("Published a survey"),
    "target.approve": _l("Approved a target"),
    "target.change_approved": _l("Changed an approved target"),
    "target.create": _l("Set a target"),
    "target.delete": _l("Deleted a target"),
    "target.import": _l("Imported targets from a spreadsheet"),
    "target.update": _l("Changed a target"),
    "training_session.create": _l("Added a training session"),
    "training_session.update": _l("Changed a training session"),
    "user.create": _l("Added a person"),
    "user.directory_create": _l("Added a person from the directory"),
    "user.directory_update": _l("Updated a person from the directory"),
    "user.import": _l("Imported a person"),
    "user.invitation_accepted": _l("Accepted an invitation"),
    "user.invite": _l("Invited a person"),
    "user.password_reset": _l("Reset a password"),
    "user.update": _l("Changed a person"),
    "visit_cadence.update": _l("Changed the visit cadence"),
}

#: The kinds of record in the log.
KIND_LABELS = {
    "appraisal": _l("Appraisal"),
    "appraisal_cycle": _l("Appraisal cycle"),
    "appraisal_indicator": _l("Appraisal indicator"),
    "appraisal_template": _l("Appraisal template"),
    "area": _l("Area"),
    "base_pay": _l("Base pay"),
    "care_campaign": _l("Customer-care campaign"),
    "career_level": _l("Career level"),
    "career_plan": _l("Career plan"),
    "commission_rate": _l("Commission rate"),
    "complaint": _l("Complaint"),
    "course": _l("Course"),
    "customer": _l("Customer"),
    "customer_import": _l("Customer import"),
    "customer_type": _l("Customer type"),
    "department": _l("Department"),
    "enrolment": _l("Enrolment"),
    "incentive_settings": _l("Incentive settings"),
    "intel_post": _l("Market intelligence"),
    "login_throttle": _l("Sign-in lock-out"),
    "nomination": _l("Nomination"),
    "opportunity": _l("Opportunity"),
    "pay_rule_version": _l("Pay-rule version"),
    "payout_period": _l("Payout"),
    "pipeline_stage": _l("Pipeline stage"),
    "product_line": _l("Product line"),
    "sales_record": _l("Sale"),
    "sales_target": _l("Sales target"),
    "target_import": _l("Targets import"),
    "service_duty": _l("Service duty"),
    "survey": _l("Survey"),
    "training_session": _l("Training session"),
    "user": _l("Person"),
    "visit_cadence": _l("Visit cadence"),
}

#: Field names as people say them; a field not listed shows its own name.
FIELD_LABELS = {
    "account_manager_id": _l("Account manager"),
    "acknowledged": _l("Acknowledged"),
    "active": _l("Active"),
    "address": _l("Address"),
    "amount": _l("Amount"),
    "area_id": _l("Area"),
    "base_bonus": _l("Base bonus"),
    "code": _l("Code"),
    "department_id": _l("Department"),
    "display_name": _l("Name"),
    "due_on": _l("Due date"),
    "effective_from": _l("Effective from"),
    "email": _l("E-mail"),
    "failures": _l("Failed attempts"),
    "head_id": _l("Head"),
    "interval_months": _l("Interval (months)"),
    "local_only": _l("Local sign-in only"),
    "locked_until": _l("Locked until"),
    "manager_comment": _l("Manager's comment"),
    "manager_id": _l("Manager"),
    "manager_score": _l("Manager's score"),
    "manager_scores": _l("Manager's scores"),
    "min_attainment": _l("Minimum attainment"),
    "monthly": _l("Monthly amount"),
    "month": _l("Month"),
    "name": _l("Name (Chinese)"),
    "name_en": _l("Name (English)"),
    "note": _l("Note"),
    "owner_id": _l("Owner"),
    "period": _l("Period"),
    "phone": _l("Phone"),
    "probability": _l("Probability"),
    "product_line_id": _l("Product line"),
    "rate_percent": _l("Rate (%)"),
    "reason": _l("Reason"),
    "roles": _l("Roles"),
    "satisfaction": _l("Satisfaction"),
    "score": _l("Score"),
    "self_comment": _l("Self-assessment comment"),
    "self_score": _l("Self-assessment score"),
    "self_scores": _l("Self-assessment scores"),
    "stage_id": _l("Stage"),
    "status": _l("Status"),
    "tier": _l("Tier"),
    "title": _l("Title"),
    "user_id": _l("Person"),
    "username": _l("Username"),
}

#: Kinds whose records the administrator keeps and sees on their own pages: named in full.
NAMED_KINDS = {"user": User, "area": Area, "product_line": ProductLine,
               "customer_type": CustomerType, "department": Department,
               "pipeline_stage": PipelineStage, "career_level": CareerLevel,
               "appraisal_template": AppraisalTemplate, "service_duty": ServiceDuty}
#: Kinds whose records belong to one person: named by their kind and that person.
PERSONAL_KINDS = {"sales_target": SalesTarget.user_id, "appraisal": Appraisal.user_id,
                  "base_pay": BasePay.user_id, "career_plan": CareerPlan.user_id,
                  "enrolment": Enrolment.user_id, "nomination": Nomination.nominee_id}
#: The mark of a value the log does not show.
HIDDEN = audit.HIDDEN
#: Fields of the named kinds whose values are a person's or an area's id.
PERSON_FIELDS = {"manager_id", "head_id", "owner_id", "account_manager_id", "user_id"}
AREA_FIELDS = {"area_id"}


def action_label(action: str) -> str:
    """An action's name in the reader's language (the code itself when it is not known)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def kind_label(entity_type: str) -> str:
    """A kind of record's name in the reader's language."""
    label = KIND_LABELS.get(entity_type)
    return str(label) if label is not None else entity_type


def field_label(field: str) -> str:
    """A field's name in the reader's language."""
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def _name_of(obj) -> str:
    label = getattr(obj, "label", None)
    if isinstance(label, str) and label:
        return label
    return getattr(obj, "display_name", None) or str(obj.id)


def record_labels(entries: list[AuditLog]) -> dict[tuple[str, int], str]:
    """{(kind, id): label} for the records of these entries: one query per kind on the page."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.entity_id is not None:
            wanted.setdefault(entry.entity_type, set()).add(entry.entity_id)
    labels = {}
    for kind, ids in wanted.items():
        if kind in NAMED_KINDS:
            model = NAMED_KINDS[kind]
            for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
                labels[(kind, obj.id)] = _("%(kind)s “%(name)s”", kind=kind_label(kind),
                                           name=_name_of(obj))
        elif kind in PERSONAL_KINDS:
            column = PERSONAL_KINDS[kind]
            rows = db.session.execute(
                select(column.class_.id, User.display_name)
                .join(User, User.id == column).where(column.class_.id.in_(ids)))
            for record_id, name in rows:
                labels[(kind, record_id)] = _("%(kind)s of %(name)s", kind=kind_label(kind),
                                              name=name)
    return labels


def record_label(entry: AuditLog, labels: dict) -> str:
    """The record an entry is about: its label, else its kind and number."""
    found = labels.get((entry.entity_type, entry.entity_id))
    if found:
        return found
    if entry.entity_id is None:
        return kind_label(entry.entity_type)
    return _("%(kind)s #%(id)d", kind=kind_label(entry.entity_type), id=entry.entity_id)


def value_names(entries: list[AuditLog]) -> dict[tuple[str, int], str]:
    """Names of the people and areas whose ids appear as values of the named kinds' entries."""
    people, areas = set(), set()
    for entry in entries:
        if entry.entity_type not in audit.OPEN_VALUES:
            continue
        for side in (entry.before, entry.after):
            if not isinstance(side, dict):
                continue
            for field, value in side.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    if field in PERSON_FIELDS:
                        people.add(value)
                    elif field in AREA_FIELDS:
                        areas.add(value)
    names = {}
    if people:
        names.update((("user", i), n) for i, n in db.session.execute(
            select(User.id, User.display_name).where(User.id.in_(people))))
    if areas:
        names.update((("area", a.id), a.label)
                     for a in db.session.scalars(select(Area).where(Area.id.in_(areas))))
    return names


def show_value(field: str, value, names: dict) -> str:
    """One value as people read it: yes/no, dates, role names, a person's or area's name."""
    if value is None or value == "":
        return "—"
    if value == audit.HIDDEN:
        return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int) and field in PERSON_FIELDS:
        return names.get(("user", value), f"#{value}")
    if isinstance(value, int) and field in AREA_FIELDS:
        return names.get(("area", value), f"#{value}")
    if field == "roles" and isinstance(value, list):
        return _joined(_role(r) for r in value) if value else "—"
    if isinstance(value, list):
        return _joined(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, str) and len(value) in (10, 19, 26) and value[4:5] == "-":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return format_date(parsed.date()) if len(value) == 10 else format_datetime(parsed, "short")
    return str(value)


def _joined(items) -> str:
    """A list in the reader's language: 甲、乙 in Chinese, a, b in English."""
    locale = get_locale()
    return (", " if locale is not None and locale.language == "en" else "、").join(items)


def _role(code: str) -> str:
    try:
        return Role(code).label
    except ValueError:
        return code


def changes(entry: AuditLog, names: dict) -> list[tuple[str, str, str, str]]:
    """The entry's fields as rows (code, name, before, after), private values hidden."""
    return [(field, field_label(field), show_value(field, before, names),
             show_value(field, after, names))
            for field, before, after in audit.changes(entry)]

