"""Career-plan rules: who may change what, and the snapshot a review keeps (unit tested); the
writes of the ladder, assessments and reviews with their audit entries (the caller commits)."""
from datetime import date

from portal import audit
from portal.access import manages
from portal.careers.queries import plan_of
from portal.extensions import db
from portal.models import User
from portal.models.careers import CareerLevel, CareerPlan, CareerReview, Readiness

LEVEL_FIELDS = ["code", "name", "name_en", "rank", "expectations"]
ASSESS_FIELDS = ["readiness", "manager_comment"]


def may_edit_plan(viewer: User, owner_id: int) -> bool:
    """The person alone edits their plan (levels, strengths, goals, milestones, courses)."""
    return viewer.id == owner_id


def may_assess(viewer: User, owner_id: int) -> bool:
    """Only the person's manager comments on the plan and sets promotion readiness."""
    return manages(viewer, owner_id)


def may_review(viewer: User, owner_id: int) -> bool:
    """A review is recorded by the person or their manager."""
    return viewer.id == owner_id or manages(viewer, owner_id)


def snapshot(plan: CareerPlan) -> dict:
    """The plan as it stands, as plain JSON, so a review can show it later whatever changes."""
    def level(lv):
        return {"code": lv.code, "name": lv.name, "name_en": lv.name_en} if lv else None

    return {
        "current_level": level(plan.current_level),
        "target_level": level(plan.target_level),
        "target_role": plan.target_role,
        "horizon_months": plan.horizon_months,
        "strengths": plan.strengths,
        "development_areas": plan.development_areas,
        "readiness": plan.readiness.value if plan.readiness else None,
        "manager_comment": plan.manager_comment,
        "goals": [{
            "title": g.title,
            "due_on": g.due_on.isoformat() if g.due_on else None,
            "status": g.status.value,
            "progress": g.progress,
            "milestones": [{"title": m.title,
                            "due_on": m.due_on.isoformat() if m.due_on else None,
                            "done": m.done} for m in g.milestones],
        } for g in plan.goals],
        "courses": [c.title for c in plan.courses],
    }


# --- writes ------------------------------------------------------------------------------------

def save_level(level: CareerLevel | None, values: dict) -> CareerLevel:
    """A new rung of the ladder (level None) or changes to one, with its audit entry."""
    created = level is None
    level = CareerLevel() if created else level
    before = None if created else audit.snapshot(level, LEVEL_FIELDS)
    for name, value in values.items():
        setattr(level, name, value)
    level.name_en = level.name_en or ""
    level.expectations = level.expectations or ""
    if created:
        db.session.add(level)
        db.session.flush()
    audit.record(f"career_level.{'create' if created else 'update'}", "career_level", level.id,
                 before, audit.snapshot(level, LEVEL_FIELDS))
    return level


def plan_for_writing(person: User) -> CareerPlan:
    """The person's plan, created empty the first time they (or their manager) write in it."""
    plan = plan_of(person.id)
    if plan is None:
        plan = CareerPlan(user_id=person.id)
        db.session.add(plan)
        db.session.flush()
    return plan


def assess(person: User, readiness: Readiness | None, comment: str) -> CareerPlan:
    """The manager's promotion readiness and comment on a plan, with its audit entry."""
    plan = plan_for_writing(person)
    before = audit.snapshot(plan, ASSESS_FIELDS)
    plan.readiness = readiness
    plan.manager_comment = comment
    audit.record("career_plan.assess", "career_plan", plan.id, before,
                 audit.snapshot(plan, ASSESS_FIELDS))
    return plan


def record_review(person: User, reviewer: User, reviewed_on: date, note: str,
                  next_review_on: date | None) -> CareerReview:
    """A review of a plan, keeping the plan as it stands, with its audit entry."""
    plan_for_writing(person)
    plan = plan_of(person.id)
    review = CareerReview(plan_id=plan.id, reviewed_on=reviewed_on, reviewer_id=reviewer.id,
                          note=note, snapshot=snapshot(plan))
    db.session.add(review)
    if next_review_on:
        plan.next_review_on = next_review_on
    db.session.flush()
    audit.record("career_plan.review", "career_plan", plan.id, None,
                 {"review_id": review.id, "reviewed_on": review.reviewed_on})
    return review
