"""Views of the reviews module: periodic reviews, their actions, the best-practice library."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.htmx import is_htmx, render
from portal.kernel import clock
from portal.kernel.audience import audience
from portal.kernel.lists import Listing
from portal.kernel.markdown import render_markdown
from portal.kernel.periods import Period
from portal.kernel.urls import redirect_next
from portal.models import Role
from portal.models.reviews import BestPractice, Review, ReviewAction, ReviewKind
from portal.reviews import bp
from portal.reviews.forms import ActionForm, PracticeForm, ReviewForm
from portal.reviews.queries import (action_owner_choices, can_write, carried_over,
                                    get_action_or_404, get_practice_or_404, get_review_or_404,
                                    practice_list, review_list, review_taken, visible_areas,
                                    writable_areas)
from portal.reviews.services import normalise_tags, period_kind, practice_from_review


@bp.app_template_filter("markdown")
def markdown_filter(text: str):
    """User-written Markdown, rendered and sanitised."""
    return render_markdown(text)


@bp.route("/")
def index():
    """The reviews of the areas the viewer sees, with filters and pagination."""
    listing = Listing(filters=("area", "kind"))
    page = listing.paginate(review_list(current_user, listing))
    areas = visible_areas(current_user)
    return render("reviews/index.html", "reviews/_rows.html", page=page, areas=areas,
                  can_create=bool(writable_areas(current_user)))


@bp.route("/new", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.HR)
def create():
    """Write a review of a month or a quarter for an area one heads (HR: any)."""
    form = ReviewForm()
    form.area_id.choices = [(a.id, a.label) for a in writable_areas(current_user)]
    if not form.area_id.choices:
        abort(403)
    ok = form.validate_on_submit()
    if ok and review_taken(form.area_id.data, form.period.data):
        form.period.errors.append(_("This area already has a review of this period."))
        ok = False
    if ok:
        period = Period.parse(form.period.data, kinds=("month", "quarter"))
        review = Review(area_id=form.area_id.data, period=period.key, starts_on=period.start,
                        kind=ReviewKind(period_kind(period.key)), went_well=form.went_well.data,
                        did_not=form.did_not.data, changes=form.changes.data,
                        author_id=current_user.id)
        db.session.add(review)
        db.session.commit()
        flash(_("Review saved. Add its actions below."), "success")
        return redirect(url_for("reviews.detail", area_review_id=review.id), code=303)
    return render("reviews/form.html", form=form, status=422 if form.errors else 200)


def _action_form(review: Review, formdata=None) -> ActionForm:
    """The form to add an action, with the owners to choose from."""
    form = ActionForm() if formdata is None else ActionForm(formdata=formdata)
    form.owner_id.choices = [(0, _("— none —"))] + [
        (u.id, u.display_name) for u in action_owner_choices(review)]
    return form


@bp.route("/<int:area_review_id>")
def detail(area_review_id: int):
    """A review: its three sections, its actions and the open ones carried over."""
    review = get_review_or_404(current_user, area_review_id)
    writable = can_write(current_user, review)
    return render("reviews/detail.html", review=review, carried=carried_over(review),
                  writable=writable, action_form=_action_form(review) if writable else None)


@bp.route("/<int:area_review_id>/actions", methods=["POST"])
def action_add(area_review_id: int):
    """Add an action to a review (head of its area or HR)."""
    review = get_review_or_404(current_user, area_review_id)
    if not can_write(current_user, review):
        abort(403)
    form = _action_form(review)
    if not form.validate_on_submit():
        return render("reviews/detail.html", review=review, carried=carried_over(review),
                      writable=True, action_form=form, status=422)
    review.actions.append(ReviewAction(text=form.text.data, owner_id=form.owner_id.data or None,
                                       due_on=form.due_on.data))
    db.session.commit()
    flash(_("Action added."), "success")
    return redirect(url_for("reviews.detail", area_review_id=review.id), code=303)


@bp.route("/actions/<int:review_action_id>/toggle", methods=["POST"])
def action_toggle(review_action_id: int):
    """Mark an action done (or open again): its owner, the area's head or HR."""
    action = get_action_or_404(current_user, review_action_id)
    if action.owner_id != current_user.id and not can_write(current_user, action.review):
        abort(403)
    action.done_at = None if action.done_at else clock.utcnow()
    db.session.commit()
    if is_htmx():
        return render("reviews/_action.html", action=action, writable=True,
                      this_review_id=request.form.get("this_review_id", type=int))
    return redirect_next(url_for("reviews.detail", area_review_id=action.review_id))


# --- best practices ----------------------------------------------------------------------------

@bp.route("/practices")
def practices_index():
    """The best-practice library: search, tag filter, pagination."""
    listing = Listing(filters=("tag",))
    page = listing.paginate(practice_list(current_user, listing))
    return render("reviews/practices.html", "reviews/_practice_rows.html", page=page,
                  q=listing.q, tag=(listing.get("tag") or "").strip())


def _save_practice(form: PracticeForm, review: Review | None):
    """Create a best practice from a valid form."""
    practice = BestPractice(title=form.title.data, body=form.body.data,
                            tags=normalise_tags(form.tags.data or ""),
                            review_id=review.id if review else None, author_id=current_user.id)
    db.session.add(practice)
    db.session.commit()
    flash(_("Best practice published."), "success")
    return redirect(url_for("reviews.practice", practice_id=practice.id), code=303)


@bp.route("/practices/new", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.HR)
def practice_create():
    """Write a best practice."""
    form = PracticeForm()
    if form.validate_on_submit():
        return _save_practice(form, None)
    return render("reviews/practice_form.html", form=form, review=None,
                  status=422 if form.errors else 200)


@bp.route("/<int:area_review_id>/promote", methods=["GET", "POST"])
@audience(Role.MANAGER, Role.HR)
def promote(area_review_id: int):
    """Turn a review's lessons into a best practice (head of its area or HR)."""
    review = get_review_or_404(current_user, area_review_id)
    if not can_write(current_user, review):
        abort(403)
    form = PracticeForm()
    if request.method == "GET":
        form.title.data, form.body.data = practice_from_review(review)
    if form.validate_on_submit():
        return _save_practice(form, review)
    return render("reviews/practice_form.html", form=form, review=review,
                  status=422 if form.errors else 200)


@bp.route("/practices/<int:practice_id>")
def practice(practice_id: int):
    """One best practice, its Markdown rendered and sanitised."""
    return render("reviews/practice.html", practice=get_practice_or_404(current_user, practice_id))
