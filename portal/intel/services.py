"""Writing intelligence posts, and the entry other modules call."""
from urllib.parse import urlencode

from flask import url_for

from portal import audit
from portal.extensions import db
from portal.kernel.clock import utcnow
from portal.models.intel import IntelComment, IntelKind, IntelPost, IntelPostDepartment, IntelSharing


def normalise_tags(text: str) -> str:
    """Comma- or space-separated tags as one lower-case, de-duplicated, comma-separated string."""
    seen = []
    for raw in (text or "").replace("，", ",").replace(" ", ",").split(","):
        tag = raw.strip().lower()[:30]
        if tag and tag not in seen:
            seen.append(tag)
    return ",".join(seen)[:300]


def create_post(author, kind: IntelKind, title: str, body: str, tags: str, sharing: IntelSharing,
                department_ids=(), customer_id=None, product_line_id=None) -> IntelPost:
    """A new post in the author's area, shared as chosen (chosen departments only with
    DEPARTMENTS)."""
    post = IntelPost(kind=kind, title=title, body=body, tags=normalise_tags(tags),
                     author_id=author.id, area_id=author.area_id, sharing=sharing,
                     customer_id=customer_id or None, product_line_id=product_line_id or None)
    if sharing == IntelSharing.DEPARTMENTS:
        post.departments = [IntelPostDepartment(department_id=d) for d in sorted(set(department_ids))]
    db.session.add(post)
    db.session.flush()
    audit.record("intel.post", "intel_post", post.id, None, {"sharing": sharing.value})
    return post


def add_comment(post: IntelPost, author_id: int, body: str) -> IntelComment:
    comment = IntelComment(post_id=post.id, author_id=author_id, body=body)
    db.session.add(comment)
    return comment


def pass_to_product(post: IntelPost) -> bool:
    """Mark product feedback as passed to the product department (False: not feedback, or
    passed already)."""
    if post.kind != IntelKind.PRODUCT_FEEDBACK or post.passed_at is not None:
        return False
    post.passed_at = utcnow()
    return True


def answer(post: IntelPost, user_id: int, text: str) -> None:
    """The product department's answer to passed feedback."""
    post.answer, post.answered_by_id = text, user_id


def post_url_for_lost_opportunity(customer_id: int | None, competitor: str,
                                  product_line_id: int | None = None) -> str:
    """The link an opportunity lost to a competitor offers ("post it as intelligence"): the new
    post form filled with the kind, customer, product line and a title naming the competitor.
    For the pipeline module to call (it is not on main yet)."""
    args = {"kind": IntelKind.COMPETITOR.value, "title": competitor[:200]}
    if customer_id:
        args["customer"] = customer_id
    if product_line_id:
        args["product_line"] = product_line_id
    return url_for("intel.create") + "?" + urlencode(args)
