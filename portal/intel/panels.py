"""The intelligence panel of the home page: the recent posts of the areas a manager heads."""
from portal.intel.queries import recent_area_posts
from portal.kernel.panels import panel
from portal.models import Role


@panel("intel/_home_panel.html", order=45)
def intel_panel(user):
    """The area's five most recent posts, for the area's head."""
    if not user.has_role(Role.MANAGER):
        return None
    posts = recent_area_posts(user)
    return {"posts": posts}
