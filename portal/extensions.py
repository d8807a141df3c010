"""Extension singletons, bound to the app in create_app()."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect, _FlaskFormCSRF
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from wtforms.csrf.core import CSRFTokenField

#: Constraint names Alembic can find again on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class CsrfTokenField(CSRFTokenField):
    """Every form's hidden CSRF input, rendered without an id: a page with several forms would
    otherwise repeat id="csrf_token" (a hidden input needs no id; nothing refers to it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.id = False  # WTForms leaves an attribute whose value is False out


# Flask-WTF's CSRF implementation makes the field from this class attribute (WTForms' CSRF API).
_FlaskFormCSRF.field_class = CsrfTokenField
