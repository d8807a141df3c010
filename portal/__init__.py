"""The account-manager portal (营业区客户经理管理门户): create_app() is the table of contents."""
import os
import secrets
from pathlib import Path

from flask import Flask

_PACKAGE = Path(__file__).resolve().parent
#: Where templates/, static/, migrations/ and translations/ are: the top of the repository in a
#: checkout (or an editable install); inside the package once installed from a wheel, where
#: setup.py copies them (the .po files compiled to .mo).
ROOT = _PACKAGE if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent
INSTALLED = ROOT == _PACKAGE


def _instance_path() -> str | None:
    """PORTAL_INSTANCE_PATH, else instance/ in a checkout; installed, Flask's own choice
    (<prefix>/var/portal-instance), never a folder inside site-packages."""
    if os.environ.get("PORTAL_INSTANCE_PATH"):
        return os.environ["PORTAL_INSTANCE_PATH"]
    return None if INSTALLED else str(ROOT / "instance")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py and the environment, then test_config."""
    app = Flask(
        __name__,
        instance_path=_instance_path(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, test_config)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Layer the configuration and fill in what must not be left empty."""
    from portal.config import Defaults
    from portal.database import database_url, engine_options
    from portal.i18n import translation_directory

    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    url = database_url(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**engine_options(url, app.config["POSTGRES_OPTIONS"]),
                                               **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        secure = not (app.debug or app.testing)
        app.config["SESSION_COOKIE_SECURE"] = secure
        app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translation_directory(ROOT, app.instance_path)


def _instance_secret_key(app: Flask) -> str:
    """A key kept in instance/secret_key, created once, so every worker signs alike."""
    path = Path(app.instance_path) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        key = secrets.token_hex(32)
        f.write(key)
    return key


def register_extensions(app: Flask) -> None:
    """Bind the extension singletons and the SQLite connection recipe."""
    from portal.auth.loader import load_user
    from portal.database import configure_sqlite
    from portal.extensions import babel, csrf, db, login_manager, migrate
    from portal.i18n import select_locale
    from portal import queue

    db.init_app(app)
    queue.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(load_user)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)


def register_url_converters(app: Flask) -> None:
    """`<int:...>` bounded to what an INTEGER column holds (before any rule is added)."""
    from portal.input_guard import register_converters

    register_converters(app)


def register_blueprints(app: Flask) -> None:
    """Register each module's blueprint, in the order of the navigation (plain imports: a renamed
    module breaks here, loudly; the URL prefix is set on each blueprint)."""
    from portal import (admin, appraisals, auth, care, careers, complaints, customers, exports,
                        health, home, incentives, intel, meetings, notifications, one_on_ones,
                        pipeline, reminders, reviews, surveys, targets, tasks, training)

    for module in (health, auth, home, admin, customers, pipeline, targets, one_on_ones, meetings,
                   tasks, training, careers, appraisals, surveys, complaints, care, intel,
                   incentives, reviews, notifications, reminders, exports):
        app.register_blueprint(module.bp)
    from portal import customer_picker, people_picker

    app.register_blueprint(people_picker.bp)
    app.register_blueprint(customer_picker.bp)


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages in the reader's language; JSON for /healthz-style clients."""
    from portal import concurrency
    from portal.errors import register

    register(app)
    concurrency.register(app)


def register_request_hooks(app: Flask) -> None:
    """Malformed input refused; each endpoint's declared audience enforced; security headers on every response; measurements on request."""
    from portal import input_guard, instrumentation
    from portal.kernel import audience
    from portal.security_headers import add_security_headers

    input_guard.register(app)
    audience.register(app)
    app.after_request(add_security_headers)
    instrumentation.register(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals the templates share."""
    from portal.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    """The `flask --app wsgi …` commands: seed-demo, create-user, i18n, backup, restore."""
    from portal.backup import backup_command, restore_command
    from portal.catalogues import i18n
    from portal import schedule  # noqa: F401 (registers the periodic tasks)
    from portal.commands import (create_user, rebuild_sales_summary, seed_demo, seed_scale,
                                  worker)
    from portal.directory.commands import sync_directory
    from portal.reminders.commands import send_reminders

    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_scale)
    app.cli.add_command(rebuild_sales_summary)
    app.cli.add_command(worker)
    app.cli.add_command(create_user)
    app.cli.add_command(i18n)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(sync_directory)
    app.cli.add_command(send_reminders)
