"""Builders of customers, sales, targets and visits for the tests of the customers and targets
modules; each returns the flushed object."""
from datetime import date
from decimal import Decimal
from itertools import count

from portal.extensions import db
from portal.models import ProductLine, User
from portal.models.customers import Customer, CustomerAssignment, Tier, Visit
from portal.models.sales import SalesRecord, SalesTarget, ServiceDuty

_seq = count(1)


def make_customer(owner: User, name: str | None = None, tier: Tier | None = Tier.B,
                  code: str | None = None, potential: int = 2, area=None) -> Customer:
    """A customer of the owner's area, owned by them since always."""
    n = next(_seq)
    customer = Customer(code=code or f"C{n:05d}", name=name or f"测试客户{n}",
                        area_id=(area or owner.area).id, account_manager_id=owner.id, tier=tier,
                        potential=potential)
    customer.assignments.append(CustomerAssignment(account_manager_id=owner.id, starts_on=None))
    db.session.add(customer)
    db.session.flush()
    return customer


def make_sale(customer: Customer, line: ProductLine, sold_on: date, amount: str,
              reference: str = "") -> SalesRecord:
    """A sale of an exact amount (given as text, so it stays exact)."""
    sale = SalesRecord(customer_id=customer.id, product_line_id=line.id, sold_on=sold_on,
                       amount=Decimal(amount), reference=reference)
    db.session.add(sale)
    db.session.flush()
    return sale


def make_target(user: User, month: date, amount: str, line: ProductLine | None = None,
                customer_type=None, **kwargs) -> SalesTarget:
    """A monthly target, overall unless a line or type is given."""
    target = SalesTarget(user_id=user.id, month=month, amount=Decimal(amount),
                         product_line_id=line.id if line else None,
                         customer_type_id=customer_type.id if customer_type else None, **kwargs)
    db.session.add(target)
    db.session.flush()
    return target


def make_visit(customer: Customer, who: User, planned_on: date | None = None,
               done_on: date | None = None, **kwargs) -> Visit:
    """A visit, planned and/or done."""
    visit = Visit(customer_id=customer.id, account_manager_id=who.id, planned_on=planned_on,
                  done_on=done_on, **kwargs)
    db.session.add(visit)
    db.session.flush()
    return visit


def make_duty(kind: str, tier: str | None = None, parameter: int | None = None,
              role: str = "staff", area=None, name: str = "职责") -> ServiceDuty:
    """A service duty of a kind."""
    duty = ServiceDuty(name=name, kind=kind, tier=tier, parameter=parameter, role=role,
                       area_id=area.id if area else None)
    db.session.add(duty)
    db.session.flush()
    return duty
