"""Sample records for the routes of the careers module: the person edits, the manager assesses, HR reads."""
from portal.extensions import db
from portal.models.careers import CareerGoal, CareerLevel, CareerPlan, CareerReview


def sample_args(org) -> dict:
    """A level, and staff1's plan with a goal and a review."""
    from datetime import date

    level = CareerLevel(code="AM1", name="初级客户经理", name_en="Junior account manager", rank=1)
    plan = CareerPlan(user_id=org.users["staff1"].id, current_level=level)
    goal = CareerGoal(plan=plan, title="考取云服务认证")
    review = CareerReview(plan=plan, reviewed_on=date(2026, 6, 30), snapshot={"goals": []})
    db.session.add_all([level, plan, goal, review])
    db.session.flush()
    return {"career_level_id": level.id, "career_goal_id": goal.id,
            "career_milestone_id": 0, "career_review_id": review.id}
