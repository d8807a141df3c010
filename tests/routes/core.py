"""Routes of the foundation: health, sign-in, home, account."""
from tests.routes import EVERYONE, PUBLIC

ROUTES = {
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.account": EVERYONE,
    "home.index": EVERYONE,
}
POST_ONLY = {"auth.logout", "auth.language"}
