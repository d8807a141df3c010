"""Writing the audit log: one call beside each sensitive change, in the same transaction."""
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import has_request_context
from flask_login import current_user

from portal.extensions import db
from portal.models import AuditLog


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a value: dates, decimals, enums and sets become strings or lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, list, tuple)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named attributes of a record, JSON-safe, for the before/after of an audit entry."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(action: str, entity_type: str, entity_id: int | None,
           before: dict | None = None, after: dict | None = None) -> AuditLog | None:
    """Add an audit entry of the changed fields to the session; nothing when nothing changed."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        if not changed:
            return None
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    actor_id = None
    if has_request_context() and current_user.is_authenticated:
        actor_id = current_user.id
    entry = AuditLog(action=action, entity_type=entity_type, entity_id=entity_id,
                     actor_id=actor_id, before=_plain(before), after=_plain(after))
    db.session.add(entry)
    return entry


#: Kinds of record whose audited values every reader of the audit log may see: the accounts and
#: reference data the administrator keeps (and sees on their own pages). Every other kind shows
#: which fields changed, by whom and when, never the values: appraisal scores and comments, pay,
#: one-on-one content are private to some roles and the audit log must not be a side door. A new
#: kind is hidden until it is added here on purpose.
OPEN_VALUES = frozenset({"user", "area", "product_line", "customer_type", "login_throttle"})
HIDDEN = "•••"


def readable(entry: AuditLog, side: str) -> dict | None:
    """The entry's before or after as the audit log shows it: values of kinds outside
    OPEN_VALUES replaced by a mark (the field names stay)."""
    values = getattr(entry, side)
    if values is None or entry.entity_type in OPEN_VALUES:
        return values
    if not isinstance(values, dict):
        return {"": HIDDEN}
    return {key: HIDDEN for key in values}


def changes(entry: AuditLog) -> list[tuple[str, Any, Any]]:
    """The entry's changed fields as (field, before, after), for field-level rows instead of
    JSON: values of kinds outside OPEN_VALUES hidden as readable() hides them. A field only on
    one side (a record created, a field removed) has None on the other."""
    before, after = readable(entry, "before"), readable(entry, "after")
    before = before if isinstance(before, dict) else ({} if before is None else {"": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"": after})
    fields = list(dict.fromkeys([*after, *before]))
    return [(field, before.get(field), after.get(field)) for field in fields]
