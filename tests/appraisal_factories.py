"""Builders of appraisal records for tests: templates, cycles, appraisals at a given step."""
from datetime import date
from decimal import Decimal
from itertools import count

from portal.appraisals import workflow
from portal.extensions import db
from portal.models.appraisals import (AppraisalCycle, AppraisalStatus as S, AppraisalTemplate,
                                      CycleStatus, FigureSource, IndicatorKind,
                                      TemplateIndicator)

_seq = count(1)
Q, L = IndicatorKind.QUANTITATIVE, IndicatorKind.QUALITATIVE


def make_template(weights=(60, 40), name: str | None = None) -> AppraisalTemplate:
    """A template: an attainment indicator, then qualitative ones, with these weights."""
    n = next(_seq)
    template = AppraisalTemplate(name=name or f"考核模板{n}", name_en=f"Template {n}",
                                 rating_thresholds=[90, 80, 70, 60])
    indicators = []
    for i, weight in enumerate(weights):
        if i == 0:
            indicators.append(TemplateIndicator(
                section="业绩", section_en="Results", name="销售目标达成率",
                name_en="Sales target attainment", kind=Q, source=FigureSource.ATTAINMENT,
                weight=Decimal(weight), score_thresholds=[110, 100, 90, 80], position=10))
        else:
            indicators.append(TemplateIndicator(
                section="能力与态度", section_en="Skills", name=f"沟通协作{i}",
                name_en=f"Teamwork {i}", kind=L, weight=Decimal(weight), position=10 + 10 * i))
    template.indicators = indicators
    db.session.add(template)
    db.session.flush()
    return template


def make_cycle(template: AppraisalTemplate, areas=(), opened: bool = True,
               name: str | None = None) -> AppraisalCycle:
    """A cycle over 2026-Q4 for these areas (all when none), opened unless told otherwise."""
    cycle = AppraisalCycle(name=name or f"2026-Q4-{next(_seq)}", period_start=date(2026, 10, 1),
                           period_end=date(2026, 12, 31), staff_template=template,
                           status=CycleStatus.DRAFT, areas=list(areas))
    db.session.add(cycle)
    db.session.flush()
    if opened:
        workflow.open_cycle(cycle)
        db.session.flush()
    return cycle


def appraisal_of(cycle: AppraisalCycle, user):
    """The appraisal of this person in the cycle."""
    return next(a for a in cycle.appraisals if a.user_id == user.id)


def advance(appraisal, target: S, hr=None) -> None:
    """Take an appraisal through the workflow (self 4, manager 3 on every score) to the target."""
    order = list(S)
    at = order.index
    db.session.flush()
    db.session.refresh(appraisal)
    if at(target) > at(S.SELF_ASSESSMENT):
        workflow.save_self(appraisal, {r.indicator_id: 4 for r in appraisal.scores
                                       if r.indicator.kind == L}, "自评：完成了大部分目标。", True)
    if at(target) > at(S.MANAGER_REVIEW):
        workflow.save_review(appraisal, {r.indicator_id: 3 for r in appraisal.scores
                                         if r.indicator.kind == L or r.figure_score is None},
                             "经理评语：表现稳定。", True)
    if at(target) > at(S.FEEDBACK):
        workflow.save_feedback(appraisal, date(2026, 12, 20), "改进计划：每周拜访三家客户。", True)
    if at(target) > at(S.ACKNOWLEDGEMENT):
        workflow.acknowledge(appraisal, True, "同意。")
    if target == S.CLOSED:
        workflow.close(appraisal, hr)
    db.session.flush()
