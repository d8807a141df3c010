"""Builders of pipeline records for the tests; each returns the flushed object."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.models.pipeline import Opportunity, OpportunityEvent, OpportunityLine, PipelineStage
from portal.pipeline.services import ensure_default_stages


def stage(outcome_or_name: str) -> PipelineStage:
    """A default stage by its Chinese name, or the first of an outcome (open/won/lost)."""
    ensure_default_stages()
    found = db.session.scalar(select(PipelineStage).where(PipelineStage.name == outcome_or_name))
    return found or db.session.scalar(select(PipelineStage).where(
        PipelineStage.outcome == outcome_or_name).order_by(PipelineStage.position).limit(1))


def make_opportunity(customer, lines, stage_name: str = "初步接洽", owner=None,
                     expected_close: date = date(2026, 12, 15), probability: int | None = None,
                     last_activity_on: date = date(2026, 11, 20), title: str = "测试商机"
                     ) -> Opportunity:
    """A deal of the customer's owner; lines = [(product line, "amount")]."""
    at = stage(stage_name)
    opp = Opportunity(customer_id=customer.id, owner_id=(owner or customer.account_manager).id,
                      stage_id=at.id, probability=at.probability if probability is None
                      else probability, expected_close=expected_close, title=title,
                      created_on=date(2026, 10, 1), last_activity_on=last_activity_on,
                      amount=sum(Decimal(a) for _l, a in lines))
    opp.lines = [OpportunityLine(product_line_id=line.id, amount=Decimal(a)) for line, a in lines]
    opp.events.append(OpportunityEvent(kind="created", to_stage_id=at.id,
                                       happened_on=date(2026, 10, 1)))
    db.session.add(opp)
    db.session.flush()
    return opp
