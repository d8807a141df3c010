"""Builders of incentive records for tests: a pay-rule version, a statement's URL."""
from datetime import date
from decimal import Decimal as D

from portal.extensions import db
from portal.models.incentives import BandMultiplier, BasePay, CommissionRate, PayRuleVersion

PERIOD = "2026-10"


def make_rules(org, people=("staff1", "staff2", "staff3"), start=date(2026, 1, 1)):
    """Rules from January 2026: base 8,000 (staff1), 7,000 (others), bonus 2,000, broadband 2 %."""
    version = PayRuleVersion(effective_from=start, base_bonus=D("2000"))
    version.multipliers = [BandMultiplier(band=b, multiplier=m) for b, m in
                           [("S", D("1.5")), ("A", D("1.2")), ("B", D("1")), ("C", D("0.5")),
                            ("D", D("0"))]]
    version.base_pays = [BasePay(user_id=org.users[u].id,
                                 monthly=D("8000") if u == "staff1" else D("7000"))
                         for u in people]
    version.commission_rates = [CommissionRate(product_line_id=org.product_lines[0].id,
                                               rate_percent=D("2"))]
    db.session.add(version)
    db.session.commit()
    return version


def statement_url(org, who, period=PERIOD, **more):
    query = "&".join(f"{k}={v}" for k, v in {"period": period, **more}.items())
    return f"/incentives/statements/{org.users[who].id}?{query}"
