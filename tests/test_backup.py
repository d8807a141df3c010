"""Backup and restore give back every row of every table."""
from sqlalchemy import select

from portal.extensions import db


def every_row() -> dict[str, list]:
    """Each table's rows, sorted, as plain tuples."""
    db.session.expire_all()
    return {t.name: sorted(tuple(map(repr, r)) for r in db.session.execute(select(t)))
            for t in db.metadata.sorted_tables}


def test_backup_and_restore_round_trip(app, runner, org, tmp_path):
    from portal.models import User

    from tests.routes import collect_sample_args

    collect_sample_args(org)  # one record of every module, so most tables have rows
    db.session.commit()
    before = every_row()
    assert len(before["users"]) >= 27
    filled = [name for name, rows in before.items() if rows]
    assert len(filled) >= 0.6 * len(before), f"only {len(filled)} of {len(before)} tables have rows"
    target = tmp_path / "portal.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["backup", str(target)]).exit_code != 0  # never overwrites

    # Change things after the backup: edit, add, delete.
    staff1 = db.session.scalar(select(User).where(User.username == "staff1"))
    staff1.display_name = "改名"
    db.session.add(User(username="after", display_name="后来的人"))
    db.session.commit()
    assert every_row() != before

    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code != 0 and every_row() != before
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert every_row() == before
