"""Sample records for the routes of market intelligence and the admin's departments page."""
from portal.extensions import db


def sample_args(org) -> dict:
    """A post of staff1 shared with the area, and a department."""
    from portal.models.departments import Department
    from portal.models.intel import IntelKind, IntelPost, IntelSharing

    post = IntelPost(kind=IntelKind.MARKET_NEWS, title="样例情报", body="内容",
                     author_id=org.users["staff1"].id, area_id=org.users["staff1"].area_id,
                     sharing=IntelSharing.AREA)
    department = Department(code="SMP", name="样例部")
    db.session.add_all([post, department])
    db.session.commit()
    return {"post_id": post.id, "department_id": department.id}
