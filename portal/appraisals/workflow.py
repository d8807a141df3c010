"""The steps of the workflow, applied to the database (the views check who may take them first).

Each function changes the session and writes the audit log; the caller commits.
"""
from sqlalchemy import select

from portal import audit
from portal.appraisals import services
from portal.extensions import db
from portal.models import Role, User, UserRole, utcnow
from portal.models.appraisals import (Appraisal, AppraisalCycle, AppraisalDocument,
                                      AppraisalScore, AppraisalStatus as S, AppraisalTemplate,
                                      CycleStatus, IndicatorKind, TemplateIndicator)

SCORE_FIELDS = ["status", "final_score", "band"]


def participants(cycle: AppraisalCycle) -> list[tuple[User, int]]:
    """The active people taking part in a cycle, each with the template they are appraised by.

    Area managers get the manager template, account managers the staff one; someone holding both
    roles is appraised as a manager when the cycle has a manager template.
    """
    query = (select(User).where(User.active, User.area_id.is_not(None))
             .where(User.id.in_(select(UserRole.user_id)
                                .where(UserRole.role.in_([Role.STAFF, Role.MANAGER]))))
             .order_by(User.username))
    if cycle.areas:
        query = query.where(User.area_id.in_([a.id for a in cycle.areas]))
    chosen = []
    for user in db.session.scalars(query):
        if user.has_role(Role.MANAGER) and cycle.manager_template_id:
            chosen.append((user, cycle.manager_template_id))
        elif user.has_role(Role.STAFF) and cycle.staff_template_id:
            chosen.append((user, cycle.staff_template_id))
    return chosen


def open_cycle(cycle: AppraisalCycle) -> int:
    """Open a draft cycle: one appraisal per participant, with a score row per indicator."""
    count = 0
    templates = {}
    for user, template_id in participants(cycle):
        if template_id not in templates:
            templates[template_id] = db.session.get(AppraisalTemplate, template_id)
        template = templates[template_id]
        appraisal = Appraisal(cycle=cycle, user_id=user.id, manager_id=user.manager_id,
                              area_id=user.area_id, template_id=template_id,
                              status=S.SELF_ASSESSMENT)
        appraisal.scores = [AppraisalScore(indicator=i) for i in template.indicators]
        db.session.add(appraisal)
        count += 1
    cycle.status = CycleStatus.OPEN
    cycle.opened_at = utcnow()
    audit.record("appraisal_cycle.open", "appraisal_cycle", cycle.id,
                 {"status": "draft"}, {"status": "open", "appraisals": count})
    return count


def close_cycle(cycle: AppraisalCycle) -> None:
    """Close an open cycle whose appraisals are all closed."""
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = utcnow()
    audit.record("appraisal_cycle.close", "appraisal_cycle", cycle.id,
                 {"status": "open"}, {"status": "closed"})


def _scores_snapshot(appraisal: Appraisal, field: str) -> dict:
    return {str(s.indicator_id): getattr(s, field) for s in appraisal.scores}


def freeze_figures(appraisal: Appraisal) -> None:
    """Compute each quantitative figure for the cycle's period and keep it with its source data."""
    cycle = appraisal.cycle
    for row in appraisal.scores:
        if row.indicator.kind != IndicatorKind.QUANTITATIVE:
            continue
        figure = services.compute_figure(row.indicator.source, appraisal.user_id,
                                         cycle.period_start, cycle.period_end)
        row.figure = figure.value
        row.figure_score = services.score_figure(figure.value, row.indicator.score_thresholds)
        row.source_data = {**figure.source_data, "score": row.figure_score}
    appraisal.figures_frozen_at = utcnow()
    audit.record("appraisal.figures", "appraisal", appraisal.id, None,
                 {str(r.indicator_id): {"figure": r.figure, "score": r.figure_score}
                  for r in appraisal.scores if r.indicator.kind == IndicatorKind.QUANTITATIVE})


def save_self(appraisal: Appraisal, scores: dict[int, int], comment: str, submit: bool) -> None:
    """Keep the person's own scores and comment; on submit, freeze the figures for the review."""
    before = {"self_scores": _scores_snapshot(appraisal, "self_score"),
              "self_comment": appraisal.self_comment, "status": appraisal.status}
    for row in appraisal.scores:
        if row.indicator_id in scores:
            row.self_score = scores[row.indicator_id]
    appraisal.self_comment = comment
    if submit:
        services.check_transition(appraisal.status, S.MANAGER_REVIEW)
        appraisal.status = S.MANAGER_REVIEW
        appraisal.self_submitted_at = utcnow()
        freeze_figures(appraisal)
    audit.record("appraisal.self", "appraisal", appraisal.id, before,
                 {"self_scores": _scores_snapshot(appraisal, "self_score"),
                  "self_comment": appraisal.self_comment, "status": appraisal.status})


def recompute(appraisal: Appraisal) -> None:
    """Set the final score and band from the scores that count."""
    parts = [(services.effective_score(r), r.indicator.weight) for r in appraisal.scores]
    appraisal.final_score = services.final_score(parts)
    appraisal.band = services.band(appraisal.final_score, appraisal.template.rating_thresholds)


def save_review(appraisal: Appraisal, scores: dict[int, int], comment: str, submit: bool) -> None:
    """Keep the manager's scores and comment; on submit the final score is set and the talk is next."""
    before = {"manager_scores": _scores_snapshot(appraisal, "manager_score"),
              "manager_comment": appraisal.manager_comment, "status": appraisal.status,
              "final_score": appraisal.final_score, "band": appraisal.band}
    for row in appraisal.scores:
        if row.indicator_id in scores:
            row.manager_score = scores[row.indicator_id]
    appraisal.manager_comment = comment
    recompute(appraisal)
    if submit:
        services.check_transition(appraisal.status, S.FEEDBACK)
        appraisal.status = S.FEEDBACK
        appraisal.reviewed_at = utcnow()
    audit.record("appraisal.review", "appraisal", appraisal.id, before,
                 {"manager_scores": _scores_snapshot(appraisal, "manager_score"),
                  "manager_comment": appraisal.manager_comment, "status": appraisal.status,
                  "final_score": appraisal.final_score, "band": appraisal.band})


def save_feedback(appraisal: Appraisal, talk_on, plan: str, submit: bool) -> None:
    """Keep the talk's date and the improvement plan; on submit the person is asked to acknowledge."""
    before = audit.snapshot(appraisal, ["feedback_talk_on", "improvement_plan", "status"])
    appraisal.feedback_talk_on = talk_on
    appraisal.improvement_plan = plan
    if submit:
        services.check_transition(appraisal.status, S.ACKNOWLEDGEMENT)
        appraisal.status = S.ACKNOWLEDGEMENT
        appraisal.feedback_at = utcnow()
    audit.record("appraisal.feedback", "appraisal", appraisal.id, before,
                 audit.snapshot(appraisal, ["feedback_talk_on", "improvement_plan", "status"]))


def acknowledge(appraisal: Appraisal, agrees: bool, comment: str) -> None:
    """The person acknowledges the review, agreeing or not, with a comment."""
    services.check_transition(appraisal.status, S.ACKNOWLEDGED)
    fields = ["employee_agrees", "employee_comment", "status"]
    before = audit.snapshot(appraisal, fields)
    appraisal.employee_agrees = agrees
    appraisal.employee_comment = comment
    appraisal.status = S.ACKNOWLEDGED
    appraisal.acknowledged_at = utcnow()
    audit.record("appraisal.acknowledge", "appraisal", appraisal.id, before,
                 audit.snapshot(appraisal, fields))


def close(appraisal: Appraisal, hr: User) -> None:
    """HR closes an acknowledged appraisal: from now on it is locked."""
    services.check_transition(appraisal.status, S.CLOSED)
    appraisal.status = S.CLOSED
    appraisal.closed_at = utcnow()
    appraisal.closed_by_id = hr.id
    audit.record("appraisal.close", "appraisal", appraisal.id,
                 {"status": "acknowledged"}, {"status": "closed"})


def reopen(appraisal: Appraisal, target: S, reason: str) -> None:
    """HR sends a closed appraisal back to an earlier step, with a reason; its kept PDFs go."""
    if appraisal.status != S.CLOSED or S(target) not in services.REOPEN_TO:
        raise services.IllegalTransition(f"{appraisal.status} → {target}")
    appraisal.status = S(target)
    appraisal.reopen_reason = reason
    appraisal.closed_at = None
    appraisal.closed_by_id = None
    if S(target) == S.SELF_ASSESSMENT:
        for row in appraisal.scores:
            row.figure = row.figure_score = row.source_data = None
        appraisal.figures_frozen_at = None
    db.session.execute(AppraisalDocument.__table__.delete()
                       .where(AppraisalDocument.appraisal_id == appraisal.id))
    audit.record("appraisal.reopen", "appraisal", appraisal.id, {"status": "closed"},
                 {"status": str(target), "reason": reason})


# --- cycles and templates (HR) -----------------------------------------------------------------

CYCLE_FIELDS = ["name", "period_start", "period_end", "staff_template_id", "manager_template_id"]
TEMPLATE_FIELDS = ["name", "name_en", "description", "rating_thresholds"]
INDICATOR_FIELDS = ["section", "section_en", "name", "name_en", "kind", "source", "weight",
                    "score_thresholds", "position"]


def _save(record, entity: str, fields: list[str], values: dict, created: bool):
    """Set the values on a new or existing record and write its audit entry."""
    before = None if created else audit.snapshot(record, fields)
    for name, value in values.items():
        setattr(record, name, value)
    if created:
        db.session.add(record)
        db.session.flush()
    audit.record(f"{entity}.{'create' if created else 'update'}", entity, record.id, before,
                 audit.snapshot(record, fields))
    return record


def save_cycle(cycle: AppraisalCycle | None, values: dict) -> AppraisalCycle:
    """A new draft cycle (cycle None) or changes to a draft one (the views check it is a draft)."""
    created = cycle is None
    return _save(AppraisalCycle(status=CycleStatus.DRAFT) if created else cycle,
                 "appraisal_cycle", CYCLE_FIELDS, values, created)


def save_template(template: AppraisalTemplate | None, values: dict) -> AppraisalTemplate:
    """A new template (template None) or changes to one no opened cycle uses."""
    created = template is None
    return _save(AppraisalTemplate() if created else template, "appraisal_template",
                 TEMPLATE_FIELDS, values, created)


def copy_template(template: AppraisalTemplate, name: str) -> AppraisalTemplate:
    """An editable copy of a template and its indicators, under a new name."""
    copy = AppraisalTemplate(name=name,
                             name_en=f"{template.name_en} (copy)" if template.name_en else "",
                             description=template.description,
                             rating_thresholds=list(template.rating_thresholds))
    copy.indicators = [TemplateIndicator(**{f: getattr(i, f) for f in INDICATOR_FIELDS})
                       for i in template.indicators]
    db.session.add(copy)
    db.session.flush()
    audit.record("appraisal_template.create", "appraisal_template", copy.id, None,
                 {"copied_from": template.id})
    return copy


def save_indicator(template: AppraisalTemplate, indicator: TemplateIndicator | None,
                   values: dict) -> TemplateIndicator:
    """A new indicator of the template (indicator None) or changes to one."""
    created = indicator is None
    return _save(TemplateIndicator(template=template) if created else indicator,
                 "appraisal_indicator", INDICATOR_FIELDS, values, created)


def delete_indicator(indicator: TemplateIndicator) -> None:
    """Remove an indicator from its template, with its audit entry."""
    audit.record("appraisal_indicator.delete", "appraisal_indicator", indicator.id,
                 audit.snapshot(indicator, INDICATOR_FIELDS), None)
    db.session.delete(indicator)
