"""Commands: `flask --app wsgi seed-demo [--reset]`, `create-user`, `seed-scale`, `worker`,
`rebuild-sales-summary`."""
import logging

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from portal import queue
from portal.database import writing
from portal.demo import clear_database, database_is_empty, seed_demo_company
from portal.extensions import db
from portal.models import Role, User
from portal.passwords import hash_password


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Delete all existing data first.")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already has data.")
@with_appcontext
def seed_demo(reset: bool, if_empty: bool) -> None:
    """Fill an empty database with the demo company (password of every account: portal-demo)."""
    with writing():
        _seed_demo(reset, if_empty)


def _seed_demo(reset: bool, if_empty: bool) -> None:
    """seed-demo inside a write transaction."""
    if not database_is_empty():
        if if_empty:
            click.echo("The database already has data; leaving it as it is.")
            return
        if not reset:
            raise click.ClickException(
                "The database already has data. Use --reset to delete it and start over.")
        clear_database()
    ctx = seed_demo_company()
    db.session.commit()
    click.echo(f"Demo company created: {len(ctx.users)} accounts, {len(ctx.areas)} areas. "
               "Sign in as admin, hr, manager1, manager2, staff1, staff2 or staff3 "
               "with the password portal-demo.")


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name people know them by.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([r.value for r in Role]), help="A role; repeat for several.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user(username: str, display_name: str, roles: tuple[str, ...], password: str) -> None:
    """Create an account, e.g. the first administrator."""
    if len(password) < 10:
        raise click.ClickException("Use a password of at least 10 characters.")
    with writing():
        _create_user(username, display_name, roles, password)


def _create_user(username: str, display_name: str, roles: tuple[str, ...], password: str) -> None:
    """create-user inside a write transaction."""
    user = User(username=username, display_name=display_name,
                password_hash=hash_password(password))
    user.roles = roles
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"The username {username} is taken.")
    click.echo(f"Account {username} created.")


@click.command("seed-scale")
@click.option("--size", type=click.Choice(["s", "m", "l"]), default="s", show_default=True,
              help="s: 2 areas, 20 account managers; m: 5 and 200; l: 50 and 2,000.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed, the same data.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day the data is generated around (default: today).")
@click.option("--reset", is_flag=True, help="Delete all existing data first.")
@with_appcontext
def seed_scale(size: str, seed: int, today, reset: bool) -> None:
    """Fill the database with a generated company of a size, the demo accounts included."""
    import time

    from portal.kernel import clock
    from portal.scale.generate import seed_scale_company

    started = time.perf_counter()
    with writing():
        if not database_is_empty():
            if not reset:
                raise click.ClickException(
                    "The database already has data. Use --reset to delete it and start over.")
            clear_database()
        counts = seed_scale_company(size, seed, today.date() if today else clock.today(),
                                    echo=click.echo)
        # The bulk inserts bypass the session events that keep the monthly summary.
        counts["sales_summaries"] = rebuild_sales_summary_rows()
        db.session.commit()
    click.echo(f"Generated company of size {size.upper()} (seed {seed}): "
               f"{sum(counts.values()):,} rows in bulk in {time.perf_counter() - started:.0f} s. "
               "The demo accounts sign in with the password portal-demo.")


def rebuild_sales_summary_rows() -> int:
    """Recompute the monthly sales summary (and the pairs of customer and product line bought)
    from the sales; the summary rows written."""
    from portal.targets.summary import rebuild

    return rebuild()


@click.command("rebuild-sales-summary")
@with_appcontext
def rebuild_sales_summary() -> None:
    """Recompute the monthly sales summary, and the product lines each customer bought, from the
    sales (after writes made outside the app)."""
    import time

    started = time.perf_counter()
    with writing():
        rows = rebuild_sales_summary_rows()
        db.session.commit()
    click.echo(f"Sales summary rebuilt: {rows:,} rows in {time.perf_counter() - started:.1f} s.")


@click.command("worker")
@click.option("-w", "--workers", type=int, default=2, show_default=True,
              help="Tasks run side by side.")
@click.option("-k", "--worker-type", type=click.Choice(["thread", "process", "greenlet"]),
              default="thread", show_default=True, help="What each worker is.")
@click.option("--no-periodic", is_flag=True, help="Do not run the scheduled tasks (reminders).")
@click.option("--max-delay", type=float, default=2.0, show_default=True,
              help="Longest wait between two looks at an empty queue, in seconds.")
@click.option("--graceful-signal", type=click.Choice(["TERM", "INT"]), default="TERM",
              show_default=True, help="The signal that lets running tasks finish before stopping "
              "(the other stops at once; an interrupted job is retried).")
@with_appcontext
def worker(workers: int, worker_type: str, no_periodic: bool, max_delay: float,
           graceful_signal: str) -> None:
    """Run the task queue's consumer: print jobs, scheduled reminders."""
    if queue.huey.immediate:
        raise click.ClickException("QUEUE_IMMEDIATE is set: tasks run in the caller, no worker.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    db.engine.dispose()  # process workers must not share the parent's connections

    click.echo(f"Recovered {queue.recover_all()} abandoned job(s).")
    consumer = queue.huey.create_consumer(workers=workers, worker_type=worker_type,
                                          periodic=not no_periodic, max_delay=max_delay,
                                          check_worker_health=True,
                                          graceful_signal=graceful_signal)
    consumer.run()
