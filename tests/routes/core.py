"""Routes of the foundation: health, sign-in, home, account."""
from tests.routes import EVERYONE, PUBLIC

ROUTES = {
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.account": EVERYONE,
    "home.index": EVERYONE,
    "home.panel": EVERYONE,
}
POST_ONLY = {"auth.logout", "auth.language"}


def sample_args(org) -> dict:
    """A home panel every role may ask for (it is empty for whoever it has nothing for)."""
    return {"panel_name": "meetings"}
