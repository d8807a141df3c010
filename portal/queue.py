"""Background work on a task queue (Huey): one instance, configured by create_app.

Storage by `PORTAL_QUEUE_URL`: unset, a SQLite file in instance/ (`instance/queue.db`, nothing to
install); `redis://…`, Redis (several app servers, workers on other machines); `postgresql://…`,
Huey's own PostgreSQL storage (its tables `huey_*` in that database, no Redis needed).
`QUEUE_IMMEDIATE` runs every task at once in the caller, for tests where the queue is not what
is tested. A consumer is `flask --app wsgi worker`.

The generic API another module uses:

- `@background_task(retries=…)` a function that runs in the worker, inside an app context, its
  session removed afterwards; call `the_task(args)` *after* committing what it needs (it is
  enqueued; in immediate mode it runs there and then).
- `@periodic_task(crontab(...))` the same, run by the consumer on a schedule.
- A job table whose progress any app server answers from: columns `state` (an enum with the
  values queued/running/done/failed), `attempts`, `lease_until` and `created_at`. `claim(Model, id)` at the
  start of the task (a state check: a done job, or one another worker holds, is not run again),
  `renew(Model, id, **values)` for progress (extends the lease), `settle(Model, id, state, **values)`
  to store the result and the end state in one short write. A job whose consumer was killed keeps
  a lease that runs out; `recover(Model, task)` enqueues it again (the consumer runs it at start
  and every minute for the tables registered with `recoverable`).
"""
import functools
import os
from datetime import timedelta

from flask import Flask, current_app
from huey import Huey, crontab  # noqa: F401 (re-exported for periodic_task callers)
from huey.storage import MemoryStorage, PostgresStorage, RedisStorage, SqliteStorage
from sqlalchemy import select, update

from portal.database import writing
from portal.extensions import db
from portal.models import utcnow

#: The one queue. Its storage is replaced by init_app; tasks register on it at import time.
huey = Huey("portal", storage_class=MemoryStorage)
_app: dict[str, Flask] = {}
#: (model, task) pairs whose expired leases the consumer re-enqueues.
_recoverable: list[tuple[type, object]] = []


def storage_for(url: str | None, instance_path: str) -> tuple[type, dict]:
    """The Huey storage class and its arguments for a queue URL."""
    if not url:
        return SqliteStorage, {"filename": os.path.join(instance_path, "queue.db")}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": url}
    if url.startswith(("postgresql", "postgres://")):
        scheme, rest = url.split("://", 1)
        return PostgresStorage, {"dsn": "postgresql://" + rest}
    if url.startswith("sqlite:///"):
        return SqliteStorage, {"filename": url[len("sqlite:///"):]}
    if url == "memory":
        return MemoryStorage, {}
    raise ValueError(f"PORTAL_QUEUE_URL: no queue storage for {url.split(':', 1)[0]}")


def init_app(app: Flask) -> None:
    """Point the queue at the configured storage; tasks run in this app's context."""
    _app["app"] = app
    configure(app.config.get("QUEUE_URL"), app.instance_path,
              bool(app.config.get("QUEUE_IMMEDIATE")), app.config.get("QUEUE_NAME") or "portal")


def configure(url: str | None, instance_path: str, immediate: bool = False,
              name: str = "portal") -> None:
    """Give the queue its storage (immediate: run tasks in the caller, in memory); `name`
    keeps apart several portals sharing one Redis or database."""
    storage_class, kwargs = storage_for(url, instance_path)
    huey.name, huey.storage_class, huey.storage_kwargs = name, storage_class, kwargs
    huey._immediate = immediate
    huey.storage = huey.create_storage()


def lease() -> timedelta:
    """How long a claimed job is held without a progress write before it counts as abandoned."""
    return timedelta(seconds=current_app.config["QUEUE_LEASE_SECONDS"])


def _in_app(func):
    """`func` run inside an app context of the configured app, its session removed after."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        with _app["app"].app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()
    return run


def background_task(retries: int = 2, retry_delay: int = 5, **options):
    """A task run by the consumer inside an app context (retried on an exception)."""
    def decorator(func):
        return huey.task(retries=retries, retry_delay=retry_delay, **options)(_in_app(func))
    return decorator


def periodic_task(schedule, **options):
    """A task the consumer runs on a schedule (`crontab(minute="*/5")`), inside an app context."""
    def decorator(func):
        return huey.periodic_task(schedule, **options)(_in_app(func))
    return decorator


# --- job tables: state check at start, lease, one-write result -------------------------------

def _states(model):
    return model.__table__.c.state.type.enum_class


def _abandoned(model, now):
    """Running, and its lease ran out (or it has none: taken before the queue existed)."""
    states = _states(model)
    return (model.state == states("running")) & (model.lease_until.is_(None)
                                                 | (model.lease_until < now))


def claim(model, job_id: int) -> bool:
    """Take a queued job, or a running one whose lease ran out (its consumer died), atomically:
    True when this worker now holds it; False when it is done, failed or held by another."""
    states, now = _states(model), utcnow()
    with writing():
        result = db.session.execute(
            update(model).where(model.id == job_id,
                                (model.state == states("queued")) | _abandoned(model, now))
            .values(state=states("running"), lease_until=now + lease(),
                    attempts=model.attempts + 1))
        db.session.commit()
    return result.rowcount == 1


def renew(model, job_id: int, **values) -> None:
    """Record progress in a short write and extend the lease."""
    with writing():
        db.session.execute(update(model).where(model.id == job_id)
                           .values(lease_until=utcnow() + lease(), **values))
        db.session.commit()


def renew_aside(model, job_id: int, **values) -> None:
    """`renew` on a connection of its own, committed at once: for a task in the middle of a read
    on its session (a streamed export), which a commit there would cut short."""
    with writing(), db.engine.connect() as connection:
        connection.execute(update(model).where(model.id == job_id)
                           .values(lease_until=utcnow() + lease(), **values))
        connection.commit()


def settle(model, job_id: int, state: str, **values) -> None:
    """Store the end state and the result together, in one short write (never half-stored)."""
    states = _states(model)
    with writing():
        db.session.execute(update(model).where(model.id == job_id)
                           .values(state=states(state), lease_until=None, **values))
        db.session.commit()


def recoverable(model):
    """Register a job table and the task that runs its jobs (`task(job_id)`) for recovery."""
    def decorator(task):
        _recoverable.append((model, task))
        return task
    return decorator


def recover(model, task) -> int:
    """Enqueue again the jobs of `model` left running with an expired lease, and those queued
    for longer than a lease (their task was lost before it reached the queue); how many. A job
    enqueued twice runs once: the second `claim` finds it taken."""
    states, now = _states(model), utcnow()
    ids = db.session.scalars(select(model.id).where(
        _abandoned(model, now)
        | ((model.state == states("queued")) & (model.created_at < now - lease())))).all()
    db.session.rollback()
    for job_id in ids:
        task(job_id)
    return len(ids)


def recover_all() -> int:
    """Recover every registered job table (at consumer start and every minute)."""
    return sum(recover(model, task) for model, task in _recoverable)


@periodic_task(crontab(minute="*"))
def recover_abandoned_jobs() -> None:
    """Every minute: jobs whose consumer was killed mid-run go back on the queue."""
    recover_all()
