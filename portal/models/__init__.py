"""The models, one file per domain; every module's file is imported here so Alembic sees it.

Submodules are discovered rather than listed so that a new domain needs no edit here.
"""
import importlib
import pkgutil

from portal.models.base import BilingualName, utcnow  # noqa: F401
from portal.models.people import (ROLE_LABELS, SOURCE_DIRECTORY, SOURCE_IMPORT,  # noqa: F401
                                   SOURCE_LABELS, SOURCE_LOCAL, Area, Invitation, Role, User,
                                   UserRole)
from portal.models.reference import CustomerType, ProductLine  # noqa: F401
from portal.models.audit import AuditLog  # noqa: F401

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
