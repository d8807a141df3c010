"""Scoped queries of the pipeline: a deal is seen by whoever sees its customer (the owner, their
managers) and by its owner; HR and admins see every deal, read-only."""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, or_, select, union
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal import customer_picker
from portal.access import (COMPANY_WIDE, among_visible_customers, customer_scope,
                           managed_user_ids, postgresql, reach, visible_customers)
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.kernel.sql import days_between
from portal.models import ProductLine, Role, User
from portal.models.customers import Customer, Visit
from portal.models.pipeline import (LOST, OPEN, WON, Competitor, LossReason, Opportunity,
                                    OpportunityLine, PipelineStage)
from portal.models.sales import CustomerProductLine

#: Days without a stage change or activity after which an open deal is stale.
STALE_DAYS = 30


def opportunity_scope(user: User):
    """The condition on Opportunity that this user may see: their own deals and their customers'
    (customer_scope's rule), plus, for a manager, their people's and their areas' (their ids
    read first: `_reach`)."""
    if user.has_role(*COMPANY_WIDE):
        return Opportunity.id.is_not(None)
    if not user.has_role(Role.MANAGER):
        return or_(Opportunity.owner_id == user.id, Opportunity.customer_id.in_(
            select(Customer.id).where(Customer.account_manager_id == user.id)))
    people, headed = _reach(user)
    if postgresql():  # the customers' ids in the statement (docs/decisions.md, "The visit
        # scope on each database"): the UNION below cost 55 ms a statement at L there
        return or_(Opportunity.owner_id.in_(people),
                   among_visible_customers(user, Opportunity.customer_id))
    # A UNION of index lookups rather than an OR across them: PostgreSQL read the OR as a walk
    # of every deal (a manager's deal list, 120 ms a statement at L).
    return Opportunity.id.in_(union(
        select(Opportunity.id).where(Opportunity.owner_id.in_(people)),
        select(Opportunity.id).where(Opportunity.customer_id.in_(select(Customer.id).where(or_(
            Customer.account_manager_id.in_(people), Customer.area_id.in_(headed)))))))


def _reach(manager: User) -> tuple[list[int], list[int]]:
    """The ids of the manager and the people they manage, and of the areas they head, as lists
    (access.reach, read once per request). PostgreSQL misjudged the recursive reporting line
    inside the deal queries (a manager's win and loss page took 0.5 s at L)."""
    found = reach(manager)
    return [manager.id, *found.managed], found.areas


def visible_opportunities(user: User) -> Select:
    return select(Opportunity).where(opportunity_scope(user))


def get_opportunity_or_404(user: User, opportunity_id: int) -> Opportunity:
    """A deal the user may see, else 404."""
    return db.first_or_404(visible_opportunities(user).where(Opportunity.id == opportunity_id))


def can_change(user: User, opportunity: Opportunity) -> bool:
    """Owners and their managers change deals; HR and admins only read them."""
    if user.id == opportunity.owner_id:
        return True
    if not user.has_role(Role.STAFF, Role.MANAGER):
        return False
    return db.session.scalar(select(Customer.id).where(
        Customer.id == opportunity.customer_id, customer_scope(user))) is not None or (
        user.has_role(Role.MANAGER) and db.session.scalar(
            select(User.id).where(User.id == opportunity.owner_id,
                                  User.id.in_(managed_user_ids(user)))) is not None)


def stages(active_only: bool = True) -> list[PipelineStage]:
    query = select(PipelineStage).order_by(PipelineStage.position, PipelineStage.id)
    if active_only:
        query = query.where(PipelineStage.active.is_(True))
    return db.session.scalars(query).all()


def first_stage(outcome: str) -> PipelineStage | None:
    return db.session.scalar(select(PipelineStage).where(
        PipelineStage.outcome == outcome, PipelineStage.active.is_(True))
        .order_by(PipelineStage.position).limit(1))


def competitors(active_only: bool = True) -> list[Competitor]:
    query = select(Competitor).order_by(Competitor.name)
    if active_only:
        query = query.where(Competitor.active.is_(True))
    return db.session.scalars(query).all()


def loss_reasons(active_only: bool = True) -> list[LossReason]:
    query = select(LossReason).order_by(LossReason.id)
    if active_only:
        query = query.where(LossReason.active.is_(True))
    return db.session.scalars(query).all()


def product_lines() -> list[ProductLine]:
    return db.session.scalars(select(ProductLine).where(ProductLine.active.is_(True))
                              .order_by(ProductLine.code)).all()


@customer_picker.scope("pipeline.deal")
def deal_customers(user: User) -> Select:
    """The customers a user may open a deal for (those they may see: their own, or their
    team's); the deal form's customer picker offers them."""
    return visible_customers(user)


def opportunity_visits(opp: Opportunity) -> tuple[list[Visit], list[Visit]]:
    """The visits linked to a (visible) deal, and its customer's recent visits not linked to any
    deal (to link one), the latest first."""
    linked = db.session.scalars(select(Visit).where(Visit.opportunity_id == opp.id)
                                .order_by(Visit.id.desc())).all()
    free = db.session.scalars(select(Visit).where(Visit.customer_id == opp.customer_id,
                                                  Visit.opportunity_id.is_(None),
                                                  Visit.cancelled.is_(False))
                              .order_by(Visit.id.desc()).limit(20)).all()
    return linked, free


# --- the board and the list --------------------------------------------------------------------

def board(viewer: User, owner_id: int | None, today: date) -> dict[int, list[Opportunity]]:
    """Open deals (and those closed in the last 30 days) by stage id: the viewer's own, or one
    visible owner's."""
    query = (visible_opportunities(viewer)
             .where(Opportunity.owner_id == (owner_id or viewer.id))
             .join(PipelineStage, Opportunity.stage_id == PipelineStage.id)
             .where(or_(PipelineStage.outcome == OPEN,
                        Opportunity.closed_on >= today - timedelta(days=30)))
             .options(selectinload(Opportunity.customer))
             .order_by(Opportunity.expected_close, Opportunity.id))
    columns: dict[int, list[Opportunity]] = {}
    for opp in db.session.scalars(query):
        columns.setdefault(opp.stage_id, []).append(opp)
    return columns


LIST_FILTERS = ("stage", "owner", "line", "state")
LIST_SORTS = {"title": Opportunity.title, "close": Opportunity.expected_close,
              "amount": Opportunity.amount, "probability": Opportunity.probability,
              "customer": Customer.name, "owner": User.display_name}


def opportunity_list(viewer: User, listing: Listing) -> Select:
    # Outer joins on the three required keys find the same rows as inner ones, and PostgreSQL
    # leaves out those no search, sort or filter names: the page's capped count joined all
    # three for 1,001 deals (a manager's list at size L, 18 of its 100 ms).
    query = (visible_opportunities(viewer)
             .outerjoin(Customer, Opportunity.customer_id == Customer.id)
             .outerjoin(User, Opportunity.owner_id == User.id)
             .outerjoin(PipelineStage, Opportunity.stage_id == PipelineStage.id)
             # the rows the list shows come from those joins
             .options(contains_eager(Opportunity.customer), contains_eager(Opportunity.owner),
                      contains_eager(Opportunity.stage)))
    query = listing.search(query, Opportunity.title, Customer.name)
    if listing.get("stage", type=int):
        query = query.where(Opportunity.stage_id == listing.get("stage", type=int))
    if listing.get("owner", type=int):
        query = query.where(Opportunity.owner_id == listing.get("owner", type=int))
    if listing.get("line", type=int):
        query = query.where(Opportunity.id.in_(select(OpportunityLine.opportunity_id).where(
            OpportunityLine.product_line_id == listing.get("line", type=int))))
    state = listing.get("state")
    if state in (OPEN, WON, LOST):
        query = query.where(PipelineStage.outcome == state)
    return listing.order(query, Opportunity.id)


def owners_in_scope(viewer: User) -> list[User]:
    return db.session.scalars(select(User).where(User.id.in_(
        select(Opportunity.owner_id).where(opportunity_scope(viewer))))
        .order_by(User.display_name)).all()


# --- the manager's views -----------------------------------------------------------------------

def stale_opportunities(viewer: User, today: date, owner_id: int | None = None,
                        days: int = STALE_DAYS) -> list[Opportunity]:
    """Open deals without activity for `days` days or past their expected close date (at most
    500, the most overdue first)."""
    return db.session.scalars(stale_query(viewer, today, owner_id, days).limit(500)).all()


def stale_query(viewer: User, today: date, owner_id: int | None = None,
                days: int = STALE_DAYS) -> Select:
    """The stale deals the viewer sees, the most overdue first, as a select (to page through)."""
    query = (visible_opportunities(viewer)
             .join(PipelineStage, Opportunity.stage_id == PipelineStage.id)
             .where(PipelineStage.outcome == OPEN,
                    or_(Opportunity.last_activity_on < today - timedelta(days=days),
                        Opportunity.expected_close < today))
             .options(joinedload(Opportunity.customer), joinedload(Opportunity.owner),
                      contains_eager(Opportunity.stage))
             .order_by(Opportunity.expected_close, Opportunity.id))
    if owner_id is not None:
        query = query.where(Opportunity.owner_id == owner_id)
    return query


def _open_deals(viewer: User) -> Select:
    """The open deals the viewer sees, as a select to give columns to."""
    return (select(Opportunity.id).join(PipelineStage, Opportunity.stage_id == PipelineStage.id)
            .where(opportunity_scope(viewer), PipelineStage.outcome == OPEN))


def team_owners(viewer: User) -> Select:
    """The people owning open deals the viewer sees: a select of User (to page through)."""
    return select(User).where(User.id.in_(
        _open_deals(viewer).with_only_columns(Opportunity.owner_id)))


def team_totals(viewer: User) -> tuple[int, int, Decimal, Decimal]:
    """(people, count, amount, weighted) of the open deals the viewer sees, in one statement."""
    weighted = func.sum(Opportunity.amount * Opportunity.probability / 100)
    people, n, amount, total = db.session.execute(_open_deals(viewer).with_only_columns(
        func.count(Opportunity.owner_id.distinct()), func.count(), func.sum(Opportunity.amount),
        weighted)).one()
    return people, n, Decimal(str(amount or 0)), Decimal(str(total or 0))


def team_pipeline(viewer: User, owner_ids=None) -> list[tuple]:
    """(owner, stage id, count, amount, weighted) of the open deals the viewer sees (of these
    owners only, when given: a page of people)."""
    weighted = func.sum(Opportunity.amount * Opportunity.probability / 100)
    query = (_open_deals(viewer)
             .with_only_columns(Opportunity.owner_id, Opportunity.stage_id, func.count(),
                                func.sum(Opportunity.amount), weighted)
             .group_by(Opportunity.owner_id, Opportunity.stage_id))
    if owner_ids is not None:
        query = query.where(Opportunity.owner_id.in_(list(owner_ids)))
    return db.session.execute(query).all()


def _closed(viewer: User, start: date, end: date, lines: bool = False) -> Select:
    """The deals with at least one product line closed in [start, end] that the viewer sees
    (joined to their lines, one row per line, with `lines`)."""
    query = (select(Opportunity.id)
             .join(PipelineStage, Opportunity.stage_id == PipelineStage.id)
             .where(opportunity_scope(viewer), PipelineStage.outcome.in_((WON, LOST)),
                    Opportunity.closed_on >= start, Opportunity.closed_on <= end))
    if lines:
        return query.join(OpportunityLine, OpportunityLine.opportunity_id == Opportunity.id)
    return query.where(select(OpportunityLine.id)
                       .where(OpportunityLine.opportunity_id == Opportunity.id)
                       .correlate(Opportunity).exists())


def _tallies(query) -> dict[int, tuple[int, int, int]]:
    """{key: (won, lost, days)} from a subquery of (key, outcome, days) rows, summed in SQL."""
    return {key: (int(won or 0), int(lost or 0), int(round(days or 0))) for key, won, lost, days
            in db.session.execute(
                select(query.c.key, func.sum(case((query.c.outcome == WON, 1), else_=0)),
                       func.sum(case((query.c.outcome == LOST, 1), else_=0)),
                       func.sum(query.c.days)).group_by(query.c.key))}


def closed_people(viewer: User, start: date, end: date) -> tuple[Select, int]:
    """The people owning deals closed in [start, end] the viewer sees (a select of User, to
    page through) and how many they are."""
    owners = _closed(viewer, start, end).with_only_columns(Opportunity.owner_id)
    count = db.session.scalar(select(func.count()).select_from(
        owners.distinct().subquery()))
    return select(User).where(User.id.in_(owners)), count


def closed_by_owner(viewer: User, start: date, end: date, owner_ids) -> dict[int, tuple]:
    """Of the deals closed in [start, end], per owner of these: (won, lost, days from creation
    to close summed), each deal once; counted in SQL."""
    deals = (_closed(viewer, start, end)
             .where(Opportunity.owner_id.in_(list(owner_ids)))
             .with_only_columns(Opportunity.owner_id.label("key"),
                                PipelineStage.outcome.label("outcome"),
                                days_between(Opportunity.closed_on, Opportunity.created_on)
                                .label("days")).subquery())
    return _tallies(deals)


def closed_by_line(viewer: User, start: date, end: date) -> dict[int, tuple]:
    """The same per product line: a deal counts once for each product line it has."""
    pairs = (_closed(viewer, start, end, lines=True)
             .with_only_columns(Opportunity.id, OpportunityLine.product_line_id.label("key"),
                                PipelineStage.outcome.label("outcome"),
                                days_between(Opportunity.closed_on, Opportunity.created_on)
                                .label("days")).distinct().subquery())
    return _tallies(pairs)


def loss_breakdown(viewer: User, start: date, end: date) -> tuple[list, list]:
    """Loss reasons and winning competitors of the deals lost in [start, end]: (label, count,
    amount), most first. One statement grouped by both (a few dozen rows), summed here."""
    rows = db.session.execute(
        select(Opportunity.loss_reason_id, Competitor.name, func.count(),
               func.sum(Opportunity.amount))
        .join(PipelineStage, Opportunity.stage_id == PipelineStage.id)
        .outerjoin(Competitor, Opportunity.won_by_id == Competitor.id)
        .where(opportunity_scope(viewer), PipelineStage.outcome == LOST,
               Opportunity.closed_on >= start, Opportunity.closed_on <= end)
        .group_by(Opportunity.loss_reason_id, Competitor.name)).all()
    names = {r.id: r.label for r in loss_reasons(active_only=False)}
    reasons: dict = {}
    winners: dict = {}
    for reason_id, winner, n, amount in rows:
        for found, key in ((reasons, reason_id), (winners, winner)):
            count, total = found.get(key, (0, Decimal(0)))
            found[key] = (count + n, total + Decimal(str(amount or 0)))
    by_reason = sorted(((names.get(key), n, amount) for key, (n, amount) in reasons.items()),
                       key=lambda r: (-r[1], str(r[0])))
    by_winner = sorted(((key, n, amount) for key, (n, amount) in winners.items()),
                       key=lambda r: (-r[1], str(r[0])))
    return by_reason, by_winner


# --- forecast ----------------------------------------------------------------------------------

def open_pipeline(user_ids, start: date, end: date, line_id: int | None = None
                  ) -> tuple[Decimal, Decimal]:
    """(weighted, unweighted) amount of the open deals of these owners expected to close in
    [start, end]: Σ line amount × probability ÷ 100, and Σ line amount."""
    query = (select(func.sum(OpportunityLine.amount * Opportunity.probability),
                    func.sum(OpportunityLine.amount))
             .select_from(Opportunity)
             .join(OpportunityLine, OpportunityLine.opportunity_id == Opportunity.id)
             .join(PipelineStage, Opportunity.stage_id == PipelineStage.id)
             .where(Opportunity.owner_id.in_(
                 user_ids if isinstance(user_ids, Select) else list(user_ids)),
                    PipelineStage.outcome == OPEN,
                    Opportunity.expected_close >= start, Opportunity.expected_close <= end))
    if line_id:
        query = query.where(OpportunityLine.product_line_id == line_id)
    weighted, total = db.session.execute(query).one()
    cents = Decimal("0.01")
    return ((Decimal(str(weighted or 0)) / 100).quantize(cents),
            Decimal(str(total or 0)).quantize(cents))


def open_pipeline_by_owner(user_ids, start: date, end: date) -> dict[int, tuple[Decimal, Decimal]]:
    """open_pipeline per owner, in one statement: {owner id: (weighted, unweighted)}."""
    cents = Decimal("0.01")
    rows = db.session.execute(
        select(Opportunity.owner_id, func.sum(Opportunity.amount * Opportunity.probability),
               func.sum(Opportunity.amount))
        .join(PipelineStage, Opportunity.stage_id == PipelineStage.id)
        .where(Opportunity.owner_id.in_(list(user_ids)), PipelineStage.outcome == OPEN,
               Opportunity.expected_close >= start, Opportunity.expected_close <= end)
        .group_by(Opportunity.owner_id))
    return {owner: ((Decimal(str(w or 0)) / 100).quantize(cents), Decimal(str(t or 0)).quantize(cents))
            for owner, w, t in rows}


# --- recommendations ---------------------------------------------------------------------------

def recommendations(customer: Customer, limit: int = 5) -> tuple[int, list[tuple[int, int]]]:
    """Product lines this customer does not buy that similar customers do, counted in SQL.

    Similar: a customer of the same area with the same type and tier, or buying every line this
    customer buys (when it buys any). The same area keeps the count to one area's customers.
    Who bought which line is read from the kept pairs (CustomerProductLine), not the sales: an
    area's 52,000 sales at size L are 22,000 pairs. Returns (number of similar customers,
    [(product line id, how many of them buy it)]), most bought first.
    """
    bought = db.session.scalars(select(CustomerProductLine.product_line_id).where(
        CustomerProductLine.customer_id == customer.id)).all()
    in_area = select(Customer.id).where(Customer.area_id == customer.area_id,
                                        Customer.id != customer.id)
    pairs = (select(CustomerProductLine.customer_id, CustomerProductLine.product_line_id)
             .where(CustomerProductLine.customer_id.in_(in_area)).cte("pairs"))
    conditions = []
    if customer.type_id is not None and customer.tier is not None:
        conditions.append(and_(Customer.type_id == customer.type_id,
                               Customer.tier == customer.tier))
    if bought:
        conditions.append(Customer.id.in_(
            select(pairs.c.customer_id).where(pairs.c.product_line_id.in_(bought))
            .group_by(pairs.c.customer_id).having(func.count() == len(bought))))
    if not conditions:
        return 0, []
    similar = in_area.where(or_(*conditions)).cte("similar_customers")
    total = select(func.count()).select_from(similar).scalar_subquery()
    query = (select(pairs.c.product_line_id, func.count(), total)
             .where(pairs.c.customer_id.in_(select(similar.c.id)))
             .group_by(pairs.c.product_line_id)
             .order_by(func.count().desc(), pairs.c.product_line_id).limit(limit))
    if bought:
        query = query.where(pairs.c.product_line_id.not_in(bought))
    rows = db.session.execute(query).all()
    return (rows[0][2] if rows else 0), [(line_id, n) for line_id, n, _t in rows]


def lines_by_id() -> dict[int, ProductLine]:
    return {p.id: p for p in db.session.scalars(select(ProductLine))}


def report_scope(viewer: User, user_id: int) -> bool:
    """Whether the viewer may see this person's deals."""
    return viewer.id == user_id or viewer.has_role(*COMPANY_WIDE) or db.session.scalar(
        select(User.id).where(User.id == user_id, User.id.in_(managed_user_ids(viewer)))) \
        is not None


__all__ = ["and_"]
