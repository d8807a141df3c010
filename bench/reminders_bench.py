"""Benchmark the reminder pass on a generated company: time and SQL statements.

    .venv/bin/python bench/reminders_bench.py --database-url sqlite:///path/l.db [--now ISO]

The database must hold a generated company (`flask --app wsgi seed-scale --size l --today
2026-11-26`) at the current schema. Runs the pass three times at --now (default: the 26th,
10:00 Beijing): a dry run, the first real pass (everything is new), and a second pass (nothing
is new: the sent-log keeps each reminder once). Each is timed and its statements counted (the
sent-log and notifications are written with one executemany each, not one per person). The
rows written are deleted at the end, so the database can be measured again.
"""
import argparse
import json
import time
from datetime import datetime, timezone

from sqlalchemy import event, func, select

ROOT_NOTE = "run from the repository root with PYTHONPATH=."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--now", default="2026-11-26T02:00:00+00:00")
    args = parser.parse_args()

    from portal import create_app
    from portal.extensions import db
    from portal.models import User
    from portal.models.notifications import (DigestSetting, Notification, OutgoingMail,
                                             ReminderLog)
    from portal.reminders.services import run_reminder_pass

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    now = datetime.fromisoformat(args.now).astimezone(timezone.utc)
    results = {}
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(User))
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK",
                                                          "PRAGMA", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        for name, dry in (("dry run", True), ("first pass", False), ("second pass", False)):
            statements.clear()
            started = time.perf_counter()
            fresh = run_reminder_pass(now, dry_run=dry)
            elapsed = time.perf_counter() - started
            kinds = {}
            for r in fresh:
                kinds[r.kind] = kinds.get(r.kind, 0) + 1
            results[name] = {"seconds": round(elapsed, 2), "statements": len(statements),
                             "reminders": len(fresh), "by_kind": kinds}
        event.remove(db.engine, "before_cursor_execute", count)
        results["people"] = people
        results["outgoing_mail"] = db.session.scalar(
            select(func.count()).select_from(OutgoingMail))
        for model in (OutgoingMail, Notification, ReminderLog, DigestSetting):
            db.session.execute(model.__table__.delete())
        db.session.commit()
    print(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
