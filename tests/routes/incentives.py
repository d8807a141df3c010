"""Sample records for the routes of the incentives and reviews modules."""
from datetime import date
from decimal import Decimal

from portal.extensions import db
from portal.models.incentives import (AwardType, CommissionRate, Nomination, PayRuleVersion)
from portal.models.reviews import BestPractice, Review, ReviewKind


def sample_args(org) -> dict:
    """A rule version with a rate, a nomination, a review of A01 and a best practice."""
    version = PayRuleVersion(effective_from=date(2026, 1, 1), base_bonus=Decimal("1000"))
    rate = CommissionRate(version=version, product_line=org.product_lines[0],
                          rate_percent=Decimal("1"))
    kind = AwardType(name="月度之星", name_en="Monthly star")
    nomination = Nomination(award_type=kind, period="2026-11", nominee_id=org.users["staff1"].id,
                            reason="业绩突出", nominated_by_id=org.users["manager1"].id)
    review = Review(area=org.areas[0], kind=ReviewKind.MONTHLY, period="2026-10",
                    starts_on=date(2026, 10, 1), went_well="拜访计划完成")
    practice = BestPractice(title="大客户拜访", body="**先约**再访", tags="拜访")
    db.session.add_all([version, rate, kind, nomination, review, practice])
    db.session.flush()
    return {"payee_id": org.users["staff1"].id, "rule_version_id": version.id, "commission_rate_id": rate.id,
            "nomination_id": nomination.id, "area_review_id": review.id, "review_action_id": 0,
            "practice_id": practice.id}
