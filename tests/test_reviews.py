"""Periodic reviews, their actions carried over, and the best-practice library."""
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.reviews import BestPractice, Review, ReviewAction, ReviewKind
from portal.kernel.markdown import render_markdown
from portal.reviews.services import normalise_tags


def make_review(org, period="2026-10", area=0, **fields):
    start = date(int(period[:4]), int(period[5:]), 1)
    review = Review(area=org.areas[area], kind=ReviewKind.MONTHLY, period=period,
                    starts_on=start, **fields)
    db.session.add(review)
    db.session.commit()
    return review


@pytest.fixture
def client_as(client_as_en):
    """Signed-in clients whose browser asks for English, so texts can be asserted."""
    return client_as_en


# --- markdown and tags -------------------------------------------------------------------------

@pytest.mark.parametrize("evil, gone", [
    ("<script>alert(1)</script>", "<script"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="/x" onclick="steal()">x</a>', "onclick"),
    ('<div hx-get="/admin" hx-trigger="load">x</div>', "hx-get"),
    ('<img src=x onerror="alert(1)">', "onerror"),
    ("<style>body{display:none}</style>", "<style"),
])
def test_markdown_is_sanitised(evil, gone):
    assert gone not in str(render_markdown(evil))


def test_markdown_keeps_formatting():
    html = str(render_markdown("**先约**再访\n\n- 一\n- 二\n\n[链接](https://example.com)"))
    assert "<strong>先约</strong>" in html and "<li>一</li>" in html
    assert 'href="https://example.com"' in html


def test_tags_are_normalised():
    assert normalise_tags("拜访, WeChat，拜访 ; 大客户") == "拜访 wechat 大客户"
    assert normalise_tags("") == ""


# --- reviews -----------------------------------------------------------------------------------

def test_manager_writes_a_review_of_their_area(org, client_as):
    manager1 = client_as("manager1")
    response = manager1.post("/reviews/new", data={
        "area_id": org.areas[0].id, "period": "2026-Q4", "went_well": "新签三家大客户",
        "did_not": "投诉处理超时", "changes": "每周复盘投诉"})
    assert response.status_code == 303
    review = db.session.scalar(select(Review))
    assert (review.kind, review.starts_on) == (ReviewKind.QUARTERLY, date(2026, 10, 1))
    assert "新签三家大客户" in client_as("staff1").get(f"/reviews/{review.id}").text
    assert client_as("staff3").get(f"/reviews/{review.id}").status_code == 404
    assert client_as("manager2").get(f"/reviews/{review.id}").status_code == 404
    assert "新签三家大客户" not in client_as("staff3").get("/reviews/").text


def test_bad_review_is_refused_and_nothing_saved(org, client_as):
    manager1 = client_as("manager1")
    response = manager1.post("/reviews/new", data={
        "area_id": org.areas[0].id, "period": "2026-13", "went_well": "保留这段文字"})
    assert response.status_code == 422
    assert "Enter a month (2026-11) or a quarter (2026-Q4)." in response.text
    assert "保留这段文字" in response.text and 'value="2026-13"' in response.text
    # another area's review: not a choice for manager1
    response = manager1.post("/reviews/new", data={"area_id": org.areas[1].id,
                                                   "period": "2026-11"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Review.id))) == 0
    assert client_as("staff1").get("/reviews/new").status_code == 403


def test_duplicate_period_is_refused(org, client_as):
    make_review(org, "2026-10")
    response = client_as("manager1").post("/reviews/new", data={
        "area_id": org.areas[0].id, "period": "2026-10"})
    assert response.status_code == 422 and "already has a review" in response.text


def test_open_actions_carry_over_to_later_reviews(org, client_as):
    october = make_review(org, "2026-10")
    november = make_review(org, "2026-11")
    manager1 = client_as("manager1")
    response = manager1.post(f"/reviews/{october.id}/actions", data={
        "text": "整理大客户拜访清单", "owner_id": org.users["staff1"].id, "due_on": "2026-11-15"})
    assert response.status_code == 303
    manager1.post(f"/reviews/{october.id}/actions", data={"text": "已完成的事", "owner_id": 0})
    done = db.session.scalar(select(ReviewAction).where(ReviewAction.text == "已完成的事"))
    assert manager1.post(f"/reviews/actions/{done.id}/toggle").status_code == 303
    page = client_as("manager1").get(f"/reviews/{november.id}").text
    assert "Carried over from earlier reviews" in page
    assert "整理大客户拜访清单" in page and "已完成的事" not in page
    # the owner ticks their own action; staff of another area cannot
    action = db.session.scalar(select(ReviewAction).where(ReviewAction.text == "整理大客户拜访清单"))
    assert client_as("staff3").post(f"/reviews/actions/{action.id}/toggle").status_code == 404
    assert client_as("staff2").post(f"/reviews/actions/{action.id}/toggle").status_code == 403
    assert client_as("staff1").post(f"/reviews/actions/{action.id}/toggle").status_code == 303
    assert db.session.get(ReviewAction, action.id).done_at is not None
    assert "整理大客户拜访清单" not in client_as("manager1").get(f"/reviews/{november.id}").text


def test_empty_action_is_refused(org, client_as):
    review = make_review(org)
    response = client_as("manager1").post(f"/reviews/{review.id}/actions",
                                          data={"text": "", "owner_id": 0})
    assert response.status_code == 422 and "This field is required." in response.text
    assert client_as("staff1").post(f"/reviews/{review.id}/actions",
                                    data={"text": "x", "owner_id": 0}).status_code == 403
    assert db.session.scalar(select(func.count(ReviewAction.id))) == 0


# --- best practices ----------------------------------------------------------------------------

def test_a_review_is_promoted_to_a_best_practice(org, client_as):
    review = make_review(org, went_well="**提前一天**电话确认拜访", changes="推广到全区")
    manager1 = client_as("manager1")
    form = manager1.get(f"/reviews/{review.id}/promote").text
    assert "提前一天" in form
    response = manager1.post(f"/reviews/{review.id}/promote", data={
        "title": "拜访前确认", "body": "**提前一天**电话确认<script>alert(1)</script>",
        "tags": "拜访, 电话"})
    assert response.status_code == 303
    practice = db.session.scalar(select(BestPractice))
    assert (practice.review_id, practice.tags) == (review.id, "拜访 电话")
    page = client_as("staff3").get(f"/reviews/practices/{practice.id}").text  # shared with all
    assert "<strong>提前一天</strong>" in page and "<script>alert(1)" not in page
    assert client_as("staff1").get(f"/reviews/{review.id}/promote").status_code == 403


def test_library_search_and_tags(org, client_as):
    db.session.add_all([BestPractice(title="大客户拜访", body="先约再访", tags="拜访 大客户"),
                        BestPractice(title="投诉三日闭环", body="当天响应", tags="投诉")])
    db.session.commit()
    staff1 = client_as("staff1")
    assert "投诉三日闭环" not in staff1.get("/reviews/practices?q=先约").text
    assert "大客户拜访" in staff1.get("/reviews/practices?q=先约").text
    by_tag = staff1.get("/reviews/practices?tag=投诉").text
    assert "投诉三日闭环" in by_tag and "大客户拜访" not in by_tag


def test_review_list_is_bounded(org, client_as, count_queries):
    def add(start, n):
        for i in range(start, start + n):
            review = Review(area=org.areas[0], kind=ReviewKind.MONTHLY, period=f"{2000 + i}-01",
                            starts_on=date(2000 + i, 1, 1), went_well="好")
            review.actions = [ReviewAction(text="做")]
            db.session.add(review)
        db.session.commit()

    add(0, 3)
    manager1 = client_as("manager1")
    manager1.get("/reviews/")
    with count_queries() as few:
        manager1.get("/reviews/")
        manager1.get("/reviews/practices")
    add(3, 27)
    with count_queries() as many:
        manager1.get("/reviews/")
        manager1.get("/reviews/practices")
    assert many.count == few.count


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example", "/%09/evil.example",
                                    "/\t/evil.example", "/\\evil.example"])
def test_ticking_a_review_action_never_redirects_off_site(org, client_as, target):
    """Issue 15 finding 7: the toggle's `next` goes through the one safe-next check."""
    review = make_review(org, "2026-10")
    manager1 = client_as("manager1")
    manager1.post(f"/reviews/{review.id}/actions", data={"text": "回访", "owner_id": 0})
    action = db.session.scalar(select(ReviewAction).where(ReviewAction.text == "回访"))
    response = manager1.post(f"/reviews/actions/{action.id}/toggle", data={"next": target})
    assert response.status_code == 303
    assert response.location.startswith("/") and not response.location.startswith("//")
    assert "evil" not in response.location
