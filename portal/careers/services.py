"""Career-plan rules: who may change what, and the snapshot a review keeps. Unit tested."""
from portal.access import manages
from portal.models import User
from portal.models.careers import CareerPlan


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
