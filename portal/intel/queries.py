"""Who reads which post: every read goes through visible_posts(viewer)."""
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal import customer_picker
from portal.access import department_ids, visible_customers
from portal.extensions import db
from portal.kernel.lists import Listing
from portal.models import Area, Role, User
from portal.models.departments import Department
from portal.models.intel import IntelComment, IntelKind, IntelPost, IntelPostDepartment, IntelSharing

SORTS = {"posted": IntelPost.created_at, "title": IntelPost.title, "kind": IntelPost.kind}


def product_department_ids() -> Select:
    return select(Department.id).where(Department.is_product.is_(True))


def visible_posts(user: User) -> Select:
    """Posts this person may read: their own; the whole company's; their area's (as member or
    head); those shared with their department; product feedback passed to the product
    department for its people. HR and admins read all."""
    query = select(IntelPost)
    if user.has_role(Role.HR, Role.ADMIN):
        return query
    mine = department_ids(user.id)
    areas = select(Area.id).where(Area.head_id == user.id)
    conditions = [IntelPost.author_id == user.id, IntelPost.sharing == IntelSharing.COMPANY,
                  IntelPost.area_id.in_(areas),
                  IntelPost.id.in_(select(IntelPostDepartment.post_id)
                                   .where(IntelPostDepartment.department_id.in_(mine))),
                  (IntelPost.passed_at.is_not(None))
                  & select(Department.id).where(Department.id.in_(mine),
                                                Department.is_product.is_(True)).exists()]
    if user.area_id:
        conditions.append(IntelPost.area_id == user.area_id)
    return query.where(or_(*conditions))


def post_list(user: User, listing: Listing) -> Select:
    """Visible posts searched (title, text, tags) and filtered (kind, tag, sharing, passed)."""
    query = listing.search(visible_posts(user), IntelPost.title, IntelPost.body, IntelPost.tags)
    kind = listing.get("kind", default="")
    if kind in {k.value for k in IntelKind}:
        query = query.where(IntelPost.kind == IntelKind(kind))
    tag = (listing.get("tag", default="") or "").strip().lower()[:50]
    if tag:
        query = query.where(("," + IntelPost.tags + ",").contains(f",{tag},", autoescape=True))
    if listing.get("passed") == "1":
        query = query.where(IntelPost.passed_at.is_not(None))
    query = query.options(joinedload(IntelPost.author), joinedload(IntelPost.customer),
                          joinedload(IntelPost.area))
    return listing.order(query, IntelPost.id.desc())


def get_post_or_404(user: User, post_id: int) -> IntelPost:
    """A post the person may read, with its comments, or 404."""
    return db.first_or_404(visible_posts(user).where(IntelPost.id == post_id).options(
        joinedload(IntelPost.author), joinedload(IntelPost.customer),
        joinedload(IntelPost.product_line), joinedload(IntelPost.area),
        selectinload(IntelPost.comments).joinedload(IntelComment.author)))


def in_product_department(user: User) -> bool:
    """Whether the person belongs to (or heads) the product department."""
    return db.session.scalar(select(Department.id).where(
        Department.id.in_(department_ids(user.id)), Department.is_product.is_(True)).limit(1)) \
        is not None


def recent_area_posts(user: User, limit: int = 5) -> list[IntelPost]:
    """The most recent posts of the areas this person heads (the manager's dashboard)."""
    areas = select(Area.id).where(Area.head_id == user.id)
    return list(db.session.scalars(select(IntelPost).where(IntelPost.area_id.in_(areas))
                                   .options(selectinload(IntelPost.author))
                                   .order_by(IntelPost.created_at.desc(), IntelPost.id.desc())
                                   .limit(limit)))


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.code)))


@customer_picker.scope("intel.post")
def post_customers(user: User) -> Select:
    """The customers a post may be about: those the author may see (the post form's picker)."""
    return visible_customers(user)
