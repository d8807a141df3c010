"""Actions of area reviews land in their owner's task list and are ticked from there."""
from datetime import date, timedelta

from portal.extensions import db
from portal.models.reviews import Review, ReviewAction, ReviewKind
from portal.tasks.services import open_items_for

HX = {"HX-Request": "true"}


def make_review_with_actions(org):
    """A review of A01 for October with an action for staff1 and one for staff2."""
    today = date.today()
    review = Review(area=org.areas[0], kind=ReviewKind.MONTHLY, period="2026-10",
                    starts_on=date(2026, 10, 1), went_well="拜访计划完成",
                    author_id=org.users["manager1"].id)
    mine = ReviewAction(text="整理大客户拜访清单", owner_id=org.users["staff1"].id,
                        due_on=today + timedelta(days=1))
    theirs = ReviewAction(text="王强的复盘行动", owner_id=org.users["staff2"].id)
    review.actions = [mine, theirs]
    db.session.add(review)
    db.session.commit()
    return review, mine, theirs


def test_review_actions_appear_in_the_owners_task_list_only(org, client_as):
    review, mine, theirs = make_review_with_actions(org)
    staff1 = client_as("staff1")
    quadrants = staff1.get("/tasks/").text
    assert "整理大客户拜访清单" in quadrants and "王强的复盘行动" not in quadrants
    # due tomorrow: urgent and important
    do_now = quadrants.split("quadrant-1", 1)[1].split("quadrant-2", 1)[0]
    assert "整理大客户拜访清单" in do_now
    assert f"/reviews/{review.id}" in quadrants
    assert "整理大客户拜访清单" in staff1.get("/tasks/?view=actions").text
    assert "整理大客户拜访清单" in staff1.get("/").text  # the home page's open items
    items = open_items_for(org.users["staff1"].id)
    assert [(i.kind, i.source, i.source_id) for i in items] == [
        ("review_action", "review", review.id)]


def test_ticking_from_the_task_list_shows_on_the_review(org, client_as):
    review, mine, theirs = make_review_with_actions(org)
    staff1 = client_as("staff1")
    response = staff1.post(f"/tasks/review-actions/{mine.id}/toggle", data={"next": "/tasks/"})
    assert response.status_code == 303 and response.location.endswith("/tasks/")
    assert db.session.get(ReviewAction, mine.id).done_at is not None
    detail = client_as("manager1").get(f"/reviews/{review.id}").text
    assert f'id="action-{mine.id}" class="done"' in detail
    assert "整理大客户拜访清单" not in staff1.get("/tasks/").text  # done: off the quadrants
    assert "整理大客户拜访清单" in staff1.get("/tasks/?view=actions&show=done").text
    # htmx opens it again and gets the row alone
    again = staff1.post(f"/tasks/review-actions/{mine.id}/toggle", headers=HX)
    assert again.status_code == 200
    assert f'id="review-action-{mine.id}"' in again.text and "<html" not in again.text
    db.session.expire_all()
    assert db.session.get(ReviewAction, mine.id).done_at is None
    assert f'id="action-{mine.id}" class=""' in client_as("manager1").get(
        f"/reviews/{review.id}").text


def test_someone_elses_review_action_answers_404_and_stays_open(org, client_as):
    review, mine, theirs = make_review_with_actions(org)
    for who in ("staff1", "manager1", "hr"):
        response = client_as(who).post(f"/tasks/review-actions/{theirs.id}/toggle")
        assert response.status_code == 404, who
    db.session.expire_all()
    assert db.session.get(ReviewAction, theirs.id).done_at is None
