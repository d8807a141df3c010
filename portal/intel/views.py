"""Views of market intelligence: list with search and filters, new post, a post with comments."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import customer_picker
from portal.extensions import db
from portal.htmx import render
from portal.intel import bp, services
from portal.intel.forms import AnswerForm, CommentForm, PostForm
from portal.intel.queries import (SORTS, all_departments, get_post_or_404,
                                  in_product_department, post_list)
from portal.kernel.lists import Listing
from portal.kernel.markdown import render_markdown
from portal.models import ProductLine
from portal.models.intel import INTEL_LABELS, IntelKind, IntelSharing


@bp.app_template_filter("intel_label")
def _intel_label(member) -> str:
    return str(INTEL_LABELS.get(member, member))


@bp.route("/")
def index():
    """Posts I may read, searched and filtered by kind and tag."""
    listing = Listing(filters=("kind", "tag", "passed"), sorts=SORTS, default_sort="-posted")
    page = listing.paginate(post_list(current_user, listing))
    return render("intel/index.html", "intel/_results.html", page=page, kinds=list(IntelKind))


def _fill(form: PostForm) -> None:
    customer_picker.bind(form.customer_id)
    form.product_line_id.choices = [(0, _("— none —"))] + [
        (p.id, p.label) for p in db.session.scalars(select(ProductLine).order_by(ProductLine.code))]
    form.department_ids.choices = [(d.id, d.label) for d in all_departments()]


@bp.route("/new", methods=["GET", "POST"])
def create():
    """A new post; the form may come pre-filled (kind, title, customer, product line), e.g. from
    an opportunity lost to a competitor."""
    form = PostForm()
    _fill(form)
    if request.method == "GET":
        kind = request.args.get("kind", "")
        if kind in {k.value for k in IntelKind}:
            form.kind.data = kind
        form.title.data = (request.args.get("title") or "")[:200]
        form.customer_id.data = request.args.get("customer", type=int)
        if form.customer_id.chosen() is None:  # only a customer the viewer may choose
            form.customer_id.data = None
        value = request.args.get("product_line", type=int)
        if value in {c[0] for c in form.product_line_id.choices}:
            form.product_line_id.data = value
    ok = form.validate_on_submit()
    if ok and form.sharing.data == IntelSharing.DEPARTMENTS.value and not form.department_ids.data:
        form.department_ids.errors.append(_("Choose at least one department."))
        ok = False
    if ok:
        post = services.create_post(
            current_user, IntelKind(form.kind.data), form.title.data, form.body.data,
            form.tags.data or "", IntelSharing(form.sharing.data), form.department_ids.data or [],
            form.customer_id.data, form.product_line_id.data)
        db.session.commit()
        flash(_("Posted."), "success")
        return redirect(url_for("intel.detail", post_id=post.id), code=303)
    return render("intel/form.html", form=form,
                  status=422 if request.method == "POST" else 200)


def _detail(post, comment_form=None, answer_form=None, status=200):
    may_answer = post.passed_at is not None and in_product_department(current_user)
    return render("intel/detail.html", post=post, body=render_markdown(post.body),
                  comment_form=comment_form or CommentForm(formdata=None),
                  answer_form=answer_form or (AnswerForm(formdata=None) if may_answer else None),
                  may_pass=_may_pass(post), status=status)


def _may_pass(post) -> bool:
    return (post.kind == IntelKind.PRODUCT_FEEDBACK and post.passed_at is None
            and (post.author_id == current_user.id
                 or (post.area is not None and post.area.head_id == current_user.id)))


@bp.route("/<int:post_id>")
def detail(post_id: int):
    """A post: its text (sanitised Markdown), tags, sharing, comments, the product answer."""
    return _detail(get_post_or_404(current_user, post_id))


@bp.route("/<int:post_id>/comments", methods=["POST"])
def comment(post_id: int):
    """Comment on a post I may read."""
    post = get_post_or_404(current_user, post_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _detail(post, comment_form=form, status=422)
    services.add_comment(post, current_user.id, form.body.data)
    db.session.commit()
    return redirect(url_for("intel.detail", post_id=post.id, _anchor="comments"), code=303)


@bp.route("/<int:post_id>/pass", methods=["POST"])
def pass_on(post_id: int):
    """Pass product feedback to the product department (its author or the area's head)."""
    post = get_post_or_404(current_user, post_id)
    if not _may_pass(post):
        abort(403)
    services.pass_to_product(post)
    db.session.commit()
    flash(_("Passed to the product department."), "success")
    return redirect(url_for("intel.detail", post_id=post.id), code=303)


@bp.route("/<int:post_id>/answer", methods=["POST"])
def answer(post_id: int):
    """The product department answers passed feedback."""
    post = get_post_or_404(current_user, post_id)
    if post.passed_at is None or not in_product_department(current_user):
        abort(403)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _detail(post, answer_form=form, status=422)
    services.answer(post, current_user.id, form.answer.data)
    db.session.commit()
    flash(_("Answer saved."), "success")
    return redirect(url_for("intel.detail", post_id=post.id), code=303)


from portal.intel import panels  # noqa: E402,F401
