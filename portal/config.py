"""Default configuration; `instance/config.py` and environment variables override it."""
import os
from datetime import timedelta


class Defaults:
    """Settings every deployment starts from."""

    #: Filled from SECRET_KEY, instance/config.py, or instance/secret_key (created on first start).
    SECRET_KEY = None
    #: None means SQLite at instance/portal.db; DATABASE_URL overrides it.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: PostgreSQL session settings (libpq options); None: portal.database.POSTGRES_OPTIONS,
    #: "" the server's own (PORTAL_POSTGRES_OPTIONS).
    POSTGRES_OPTIONS: str | None = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Turned on outside development by create_app unless set explicitly.
    SESSION_COOKIE_SECURE = None
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    #: Locales the UI offers, in the order the language switch shows them.
    LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}

    #: argon2id cost: OWASP's minimum (19 MiB, 2 passes, 1 lane; docs/decisions.md), ~30 ms of one
    #: core a check. Tests lower it. A hash made at another cost is remade at this one on the
    #: person's next sign-in.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19456
    ARGON2_PARALLELISM = 1
    #: Failed logins allowed for one username from one address before it backs off, the same
    #: for one address across every username, the first and longest wait, and how long a count
    #: is remembered after the last failure.
    LOGIN_FREE_ATTEMPTS = 5
    LOGIN_ADDRESS_FREE_ATTEMPTS = 20
    LOGIN_BACKOFF_SECONDS = 30
    LOGIN_BACKOFF_MAX_SECONDS = 900
    LOGIN_FAILURE_WINDOW_SECONDS = 3600

    PER_PAGE = 25
    #: Add X-SQL-Statements and Server-Timing headers to every response (for bench/).
    MEASURE_REQUESTS = False
    #: The company's name on printed forms (PORTAL_COMPANY_NAME), and on the English ones
    #: (PORTAL_COMPANY_NAME_EN; empty: the Chinese name there too).
    COMPANY_NAME = "示例公司"
    COMPANY_NAME_EN = "Example Company"
    #: Processes that lay out the forms of a batch print job side by side (one per core, at
    #: most two); 1 renders them in the queue worker's thread.
    APPRAISAL_PRINT_PROCESSES = min(2, os.cpu_count() or 1)
    #: The task queue's storage (PORTAL_QUEUE_URL): None is a SQLite file in instance/,
    #: redis://… Redis, postgresql://… Huey's PostgreSQL storage (see portal/queue.py).
    QUEUE_URL = None
    #: The queue's name in its storage: portals sharing one Redis need names of their own.
    QUEUE_NAME = "portal"
    #: Run each task at once in the caller instead of enqueuing it (tests).
    QUEUE_IMMEDIATE = False
    #: A running job with no progress write for this long is taken to be abandoned and retried.
    QUEUE_LEASE_SECONDS = 120
    #: Exports of more rows than this run as a queue job with progress and a download link
    #: (portal.exports); smaller ones stream in the request. ~20,000 rows take a few seconds.
    EXPORT_QUEUE_ROWS = 20_000
