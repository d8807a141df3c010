"""The customers module's panel on the home page."""
from datetime import timedelta

from portal.customers.queries import customer_count, open_visits_until, overdue_count
from portal.kernel.panels import panel
from portal.kernel import clock
from portal.models import Role, User


@panel("customers/_home_panel.html", order=30)
def home_panel(user: User):
    """Today's and this week's visits and the overdue ones, for account managers and managers."""
    if not user.has_role(Role.STAFF, Role.MANAGER):
        return None
    today = clock.today()
    week_end = today - timedelta(days=today.weekday()) + timedelta(days=6)
    # This week's visits and any still open from before (overdue), the oldest first.
    return {"week_visits": open_visits_until(user, week_end), "today": today,
            "overdue_count": overdue_count(user, today), "customer_count": customer_count(user)}
