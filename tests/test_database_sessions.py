"""The session settings each database gets from the portal (portal.database)."""
import pytest
from sqlalchemy import any_, literal, select, text

from portal.database import engine_options, int_array
from portal.extensions import db


def test_postgresql_sessions_plan_for_cached_data(app, db_url):
    """A manager's visits at size L are read through the customer index only when the planner
    is told random reads are cheap (docs/decisions.md, "The visit scope on each database")."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    assert db.session.scalar(text("SHOW random_page_cost")) == "1.1"
    assert db.session.scalar(text("SHOW parallel_setup_cost")) == "10000"


def test_the_option_can_be_replaced_or_left_to_the_server():
    url = "postgresql+psycopg://portal@/portal"
    assert engine_options(url)["connect_args"] == {
        "options": "-c random_page_cost=1.1 -c parallel_setup_cost=10000"}
    assert engine_options(url, "-c work_mem=64MB")["connect_args"] == {"options": "-c work_mem=64MB"}
    assert "connect_args" not in engine_options(url, "")
    assert engine_options("sqlite:///x.db", "-c anything")["connect_args"] == {"timeout": 5}
    assert engine_options(url)["query_cache_size"] == engine_options("sqlite:///x.db")[
        "query_cache_size"] > 680  # every page of the four demo roles compiles ~680 statements



def test_an_id_array_holds_integers_only(app, db_url):
    """int_array writes ids into the statement: anything but an integer is refused."""
    assert str(int_array([3, 1, 2])) == "'{3,1,2}'::integer[]"
    assert str(int_array([])) == "'{}'::integer[]"
    with pytest.raises(ValueError):
        int_array(["1}'::integer[]); DROP TABLE users; --"])
    if db_url.startswith("postgresql"):
        assert db.session.scalar(select(literal(2) == any_(int_array([1, 2])))) is True
        assert db.session.scalar(select(literal(5) == any_(int_array([])))) is False
