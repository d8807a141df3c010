"""The sales pipeline (issue 21): its rules, each with a test, through the real app."""
import re
from datetime import date
from decimal import Decimal
from html import escape

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.kernel import clock
from portal.kernel.periods import Period
from portal.models.appraisals import FigureSource
from portal.models.customers import Tier
from portal.models.pipeline import Opportunity, OpportunityEvent, OpportunitySale
from portal.models.sales import SalesRecord
from portal.pipeline.queries import recommendations
from portal.pipeline.services import forecast, pipeline_coverage
from tests.conftest import login
from tests.customer_factories import make_customer, make_sale, make_target
from tests.factories import make_customer_type
from tests.pipeline_factories import make_opportunity, stage

TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def deal(org):
    customer = make_customer(org.users["staff1"], "东湖酒店")
    opp = make_opportunity(customer, [(org.product_lines[0], "10000"),
                                      (org.product_lines[1], "5000")])
    db.session.commit()
    return opp


def events(opp_id, kind):
    return db.session.scalars(select(OpportunityEvent).where(
        OpportunityEvent.opportunity_id == opp_id, OpportunityEvent.kind == kind)).all()


def test_stage_changes_are_recorded_by_plain_form_and_htmx(client, org, deal):
    login(client, "staff1")
    second, third = stage("需求确认"), stage("方案报价")
    response = client.post(f"/pipeline/{deal.id}/stage", data={"stage_id": second.id})
    assert response.status_code == 303
    response = client.post(f"/pipeline/{deal.id}/stage", data={"stage_id": third.id},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="board"' in response.text
    moves = events(deal.id, "stage")
    assert [(e.from_stage.name, e.to_stage.name) for e in sorted(moves, key=lambda e: e.id)] == [
        ("初步接洽", "需求确认"), ("需求确认", "方案报价")]
    db.session.expire_all()
    opp = db.session.get(Opportunity, deal.id)
    assert opp.stage_id == third.id and opp.probability == 50
    page = client.get(f"/pipeline/{deal.id}").text
    assert "需求确认 → 方案报价" in page


def test_moving_to_won_on_the_board_asks_for_the_sales(client, org, deal):
    login(client, "staff1")
    response = client.post(f"/pipeline/{deal.id}/stage", data={"stage_id": stage("won").id},
                           headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].endswith(f"/pipeline/{deal.id}/win")
    assert db.session.get(Opportunity, deal.id).stage.outcome == "open"


def test_win_form_is_prefilled_and_creates_the_sales_exactly_once(client, org, deal):
    login(client, "staff1")
    page = client.get(f"/pipeline/{deal.id}/win").text
    assert "10000.00" in page and "5000.00" in page
    data = {"sales-0-product_line_id": org.product_lines[0].id, "sales-0-amount": "10000",
            "sales-0-sold_on": "2026-11-25", "sales-0-reference": "INV-1",
            "sales-1-product_line_id": org.product_lines[1].id, "sales-1-amount": "5000",
            "sales-1-sold_on": "2026-11-25", "sales-1-reference": "INV-2"}
    first = client.post(f"/pipeline/{deal.id}/win", data=data)
    second = client.post(f"/pipeline/{deal.id}/win", data=data)  # the double submit
    assert first.status_code == second.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(SalesRecord)) == 2
    assert db.session.scalar(select(func.sum(SalesRecord.amount))) == Decimal("15000.00")
    assert db.session.scalar(select(func.count()).select_from(OpportunitySale)) == 1
    assert len(events(deal.id, "won")) == 1
    assert db.session.get(Opportunity, deal.id).stage.outcome == "won"


def test_the_unique_key_holds_when_the_state_check_is_bypassed(org, deal):
    from portal.pipeline.services import win
    win(deal, [(org.product_lines[0].id, Decimal("1"), TODAY, "")], org.users["staff1"])
    db.session.commit()
    db.session.add(OpportunitySale(opportunity_id=deal.id, sales_count=1))
    with pytest.raises(Exception):
        db.session.flush()
    db.session.rollback()


def test_losing_asks_reason_and_competitor(client, org, deal):
    login(client, "staff1")
    client.post("/language", data={"locale": "en", "next": "/"})
    response = client.post(f"/pipeline/{deal.id}/lose", data={"loss_reason_id": 0})
    assert response.status_code == 422 and "Choose a reason." in response.text
    assert db.session.get(Opportunity, deal.id).stage.outcome == "open"
    reason = db.session.scalar(select(db.Model.metadata.tables["pipeline_loss_reasons"].c.id))
    response = client.post(f"/pipeline/{deal.id}/lose",
                           data={"loss_reason_id": reason, "won_by_id": 0, "note": "贵了"})
    assert response.status_code == 303
    db.session.expire_all()
    opp = db.session.get(Opportunity, deal.id)
    assert opp.stage.outcome == "lost" and opp.loss_reason_id == reason and opp.loss_note == "贵了"
    analysis = client.get("/pipeline/analysis?period=2026").text
    assert "15,000" in analysis or "15000" in analysis
    assert "/intel/new" not in client.get(f"/pipeline/{deal.id}").text  # no competitor named


def test_a_deal_lost_to_a_competitor_offers_to_post_it_as_intelligence(client, org, deal):
    from portal.models.pipeline import Competitor

    rival = Competitor(name="华信通")
    db.session.add(rival)
    db.session.commit()
    login(client, "staff1")
    reason = db.session.scalar(select(db.Model.metadata.tables["pipeline_loss_reasons"].c.id))
    client.post(f"/pipeline/{deal.id}/lose", data={"loss_reason_id": reason,
                                                   "won_by_id": rival.id, "note": ""})
    page = client.get(f"/pipeline/{deal.id}").text
    link = re.search(r'href="(/intel/new\?[^"]+)"', page)
    assert link, page
    form = client.get(link.group(1).replace("&amp;", "&")).text
    assert "华信通" in form


def test_weighted_forecast_against_hand_worked_figures(org):
    staff1, line, other = org.users["staff1"], org.product_lines[0], org.product_lines[1]
    customer = make_customer(staff1)
    make_target(staff1, date(2026, 10, 1), "100000")
    make_target(staff1, date(2026, 11, 1), "100000")
    make_target(staff1, date(2026, 12, 1), "100000")
    make_sale(customer, line, date(2026, 10, 15), "60000")
    make_sale(customer, other, date(2026, 11, 10), "30000")
    # open, closing in Q4: 40000 × 50 % + 20000 × 25 % = 20000 + 5000
    make_opportunity(customer, [(line, "40000")], "方案报价", expected_close=date(2026, 12, 20))
    make_opportunity(customer, [(other, "20000")], "需求确认", expected_close=date(2026, 12, 1))
    # overridden probability: 10000 × 90 % = 9000
    make_opportunity(customer, [(line, "10000")], "商务谈判", probability=90,
                     expected_close=date(2026, 11, 30))
    # not counted: closing next year, and a lost deal
    make_opportunity(customer, [(line, "99999")], "商务谈判", expected_close=date(2027, 1, 5))
    make_opportunity(customer, [(line, "77777")], "lost", expected_close=date(2026, 12, 5))
    q4 = Period.parse("2026-Q4")
    f = forecast([staff1.id], q4)
    assert f.target == Decimal("300000")
    assert f.attained == Decimal("90000.00")
    assert f.weighted == Decimal("34000.00")
    assert f.best_case == Decimal("70000.00")
    assert f.expected == Decimal("124000.00") and f.expected_percent == Decimal("41.3")
    by_line = forecast([staff1.id], q4, line.id)
    assert by_line.attained == Decimal("60000.00") and by_line.weighted == Decimal("29000.00")
    # pipeline coverage: 34000 ÷ (300000 − 90000) = 16.2 %
    assert pipeline_coverage(staff1.id, q4.start, q4.end) == Decimal("16.2")
    from portal.appraisals.services import compute_figure
    assert compute_figure(FigureSource.PIPELINE_COVERAGE, staff1.id, q4.start,
                          q4.end).value == Decimal("16.2")


def test_forecast_page_and_panel_say_what_they_count(client, org, deal):
    login(client, "manager1")
    page = client.get("/pipeline/forecast?period=2026-Q4&scope=team").text
    assert "each at its amount × its probability" in page or "乘以其概率" in page
    assert 'role="img" aria-label="' in page  # the forecast chart, not the bell icon
    panel = client.get("/pipeline/forecast/panel?scope=team", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and "<svg" in panel.text
    dashboard = client.get("/").text
    assert "/pipeline/forecast/panel" in dashboard or "/panels/" in dashboard


def test_recommendations_on_a_small_hand_made_sales_table(client, org):
    staff1 = org.users["staff1"]
    bb, mob, cld, iot = org.product_lines[:4]
    hotel = make_customer_type("HOTEL")
    me = make_customer(staff1, "我", tier=Tier.A)
    me.type_id = hotel.id
    make_sale(me, bb, date(2026, 9, 1), "100")
    similar = []
    for i in range(4):  # same type and tier
        c = make_customer(staff1, f"同类{i}", tier=Tier.A)
        c.type_id = hotel.id
        similar.append(c)
    buys_bb = make_customer(staff1, "也买宽带", tier=Tier.C)  # buys every line I buy
    unlike = make_customer(staff1, "不相似", tier=Tier.C)
    make_sale(similar[0], cld, date(2026, 9, 1), "1")
    make_sale(similar[1], cld, date(2026, 9, 1), "1")
    make_sale(similar[2], cld, date(2026, 9, 1), "1")
    make_sale(similar[3], mob, date(2026, 9, 1), "1")
    make_sale(buys_bb, bb, date(2026, 9, 1), "1")
    make_sale(buys_bb, mob, date(2026, 9, 1), "1")
    make_sale(unlike, iot, date(2026, 9, 1), "1")
    make_sale(unlike, iot, date(2026, 9, 2), "1")
    db.session.commit()
    total, rows = recommendations(me)
    assert total == 5
    assert rows == [(cld.id, 3), (mob.id, 2)]  # never bb (bought), never iot (not similar)
    login(client, "staff1")
    client.post("/language", data={"locale": "en", "next": "/"})
    panel = client.get(f"/pipeline/customers/{me.id}/recommendations").text
    assert f"3 of 5 similar customers buy {cld.name_en}" in panel
    assert f"/pipeline/new?customer_id={me.id}&amp;line_id={cld.id}" in panel
    form = client.get(f"/pipeline/new?customer_id={me.id}&line_id={cld.id}").text
    # the customer pre-chosen in its picker (typed "Name (code)"), the line in its select
    assert f'value="{escape(me.name)} ({me.code})"' in form and f'selected value="{cld.id}"' in form


@pytest.mark.parametrize("field,value,message", [
    ("expected_close", "2025-01-01", "more than 30 days ago"),
    ("lines-0-amount", "-5", "Enter an amount from 0"),
    ("probability", "101", "Enter a whole number from 0 to 100"),
])
def test_bad_input_is_refused_beside_the_field_and_nothing_saved(client, org, field, value,
                                                                 message):
    customer = make_customer(org.users["staff1"])
    db.session.commit()
    data = {"customer_id": customer.id, "title": "新商机", "stage_id": stage("初步接洽").id,
            "expected_close": "2026-12-31", "lines-0-product_line_id": org.product_lines[0].id,
            "lines-0-amount": "1000", field: value}
    login(client, "staff1")
    client.post("/language", data={"locale": "en", "next": "/"})
    response = client.post("/pipeline/new", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 0
    data[field] = {"expected_close": "2026-12-31", "lines-0-amount": "1000",
                   "probability": "100"}[field]
    assert client.post("/pipeline/new", data=data).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 1


def test_another_areas_opportunities_answer_404(app, client, org, deal):
    login(client, "staff3")  # area A02
    for url in (f"/pipeline/{deal.id}", f"/pipeline/{deal.id}/edit", f"/pipeline/{deal.id}/win",
                f"/pipeline/{deal.id}/lose"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/pipeline/{deal.id}/stage",
                       data={"stage_id": stage("需求确认").id}).status_code == 404
    assert client.get(f"/pipeline/people/{org.users['staff1'].id}/stale").status_code == 404
    other = login(app.test_client(), "manager2")
    assert other.get(f"/pipeline/{deal.id}").status_code == 404
    assert "测试商机" not in other.get("/pipeline/list").text
    own = login(app.test_client(), "manager1")
    assert own.get(f"/pipeline/{deal.id}").status_code == 200
    assert "测试商机" in own.get("/pipeline/list").text


def test_hr_reads_but_does_not_change(client, org, deal):
    login(client, "hr")
    assert client.get(f"/pipeline/{deal.id}").status_code == 200
    assert client.post(f"/pipeline/{deal.id}/stage",
                       data={"stage_id": stage("需求确认").id}).status_code == 403
    assert len(events(deal.id, "stage")) == 0


def test_stale_deals_as_talking_points_and_manager_views(client, org, deal):
    stale = make_opportunity(deal.customer, [(org.product_lines[2], "800")],
                             last_activity_on=date(2026, 9, 1), title="久未跟进")
    db.session.commit()
    login(client, "manager1")
    points = client.get(f"/pipeline/people/{org.users['staff1'].id}/stale").text
    assert "久未跟进" in points and "测试商机" not in points
    assert "久未跟进" in client.get("/pipeline/stale").text
    team = client.get("/pipeline/team").text
    assert org.users["staff1"].display_name in team
    board = client.get(f"/pipeline/?owner={org.users['staff1'].id}").text
    assert "久未跟进" in board and 'draggable="true"' in board
    assert stale.id


def test_the_stale_list_pages_by_closing_day_and_shows_each_deal_once(client, org, deal):
    """Keyset pages (no count of the whole scope): walked forwards two at a time, every stale
    deal of the manager's area appears once, in closing-day order; fresh deals never."""
    days = [date(2026, 10, 1 + i) for i in range(5)]
    stale = [make_opportunity(deal.customer, [(org.product_lines[1], "100")], expected_close=day,
                              last_activity_on=date(2026, 9, 1), title=f"久未跟进{i}")
             for i, day in enumerate(reversed(days))]  # made out of order
    db.session.commit()
    login(client, "manager1")
    seen, url = [], "/pipeline/stale?per_page=2"
    while url:
        page = client.get(url).text
        seen += re.findall(r">(久未跟进\d|测试商机)</a>", page)
        following = re.search(r'href="([^"]*after=[^"]*)"', page)
        url = following.group(1).replace("&amp;", "&") if following else None
    assert seen == [o.title for o in reversed(stale)]


def test_attainment_by_customer_type_and_export(client, org):
    staff1 = org.users["staff1"]
    kind = make_customer_type("SCHOOL")
    customer = make_customer(staff1)
    customer.type_id = kind.id
    make_sale(customer, org.product_lines[0], date(2026, 11, 3), "300")
    make_target(staff1, date(2026, 11, 1), "1000", customer_type=kind)
    db.session.commit()
    login(client, "manager1")
    part = client.get("/pipeline/attainment-by-type?period=2026-11").text
    assert kind.name in part and ">30%<" in part
    csv = client.get("/pipeline/attainment-by-type/export?period=2026-11&format=csv")
    assert csv.status_code == 200 and "SCHOOL" in csv.text and "1000" in csv.text


def test_admin_configures_stages_and_lists(client, org):
    stage("open")
    db.session.commit()
    login(client, "admin")
    response = client.post("/pipeline/settings/stages",
                           data={"name": "技术验证", "name_en": "Proof", "probability": "60",
                                 "position": "35", "outcome": "open"})
    assert response.status_code == 303
    assert stage("技术验证").probability == 60
    bad = client.post("/pipeline/settings/stages", data={"name": "x", "probability": "120",
                                                         "outcome": "open"})
    assert bad.status_code == 422
    assert client.post("/pipeline/settings/competitors",
                       data={"name": "华通网络"}).status_code == 303
    assert "华通网络" in client.get("/pipeline/settings").text


def test_a_visit_is_linked_to_an_opportunity(client, org, deal):
    from portal.models.customers import Visit
    from tests.customer_factories import make_visit
    visit = make_visit(deal.customer, org.users["staff1"], done_on=date(2026, 11, 20),
                       purpose="报价沟通")
    db.session.commit()
    login(client, "staff1")
    assert "报价沟通" in client.get(f"/pipeline/{deal.id}").text
    assert client.post(f"/pipeline/{deal.id}/visits",
                       data={"visit_id": visit.id}).status_code == 303
    assert db.session.get(Visit, visit.id).opportunity_id == deal.id
    assert len(events(deal.id, "activity")) == 1
    assert client.post(f"/pipeline/{deal.id}/visits",
                       data={"visit_id": visit.id}).status_code == 400  # already linked


def test_the_company_wide_team_pipeline_pages_its_people_and_totals_everyone(client, org):
    """HR sees every owner's open deals: a page of people at a time (by name), the totals row
    over everyone, each person once across the pages."""
    owners = [u for u in org.users.values() if u.username.startswith("staff")]
    for person in owners:
        make_opportunity(make_customer(person, name=f"商机客户{person.username}"),
                         [(org.product_lines[0], "100")])
    db.session.commit()
    login(client, "hr")
    seen = []
    for number in (1, 2, 3):
        page = client.get(f"/pipeline/team?per_page=2&page={number}").text
        seen += re.findall(r'/pipeline/\?owner=(\d+)"', page)
        assert f"全部（{len(owners)}人）" in page or f"Everyone ({len(owners)} people)" in page
    by_name = sorted(owners, key=lambda u: (u.display_name, u.id))
    assert seen == [str(u.id) for u in by_name][:6]  # in name order, nobody twice


def test_team_pipeline_totals_equal_the_raw_sums_and_statements_do_not_grow_with_people(
        client, org, count_queries):
    """The totals row is summed in SQL over every visible open deal, and only the page's people
    are broken down by stage: as many statements for one owner as for every person."""
    login(client, "hr")
    people = list(org.users.values())

    def statements(owners):
        for i, person in enumerate(owners):
            make_opportunity(make_customer(org.users["staff1"], name=f"团队客户{person.username}{i}"),
                             [(org.product_lines[0], f"{1000 + i}.50")], owner=person,
                             stage_name="需求确认")
        db.session.commit()
        with count_queries() as counter:
            page = client.get("/pipeline/team?per_page=2").text
        return counter.count, page

    few, _page = statements(people[:1])
    many, page = statements(people)
    assert few == many
    open_deals = db.session.execute(select(func.count(), func.sum(Opportunity.amount),
                                           func.sum(Opportunity.amount * Opportunity.probability))
                                    ).one()
    assert open_deals[0] == len(people) + 1
    assert f"{Decimal(str(open_deals[1])):,.2f}" in page
    assert f"{Decimal(str(open_deals[2])) / 100:,.2f}" in page
    owners = len({p.id for p in people})
    assert f"全部（{owners}人）" in page or f"Everyone ({owners} people)" in page


def test_win_and_loss_figures_equal_a_hand_count_and_statements_do_not_grow(client, org,
                                                                           count_queries):
    """Win rates and cycles per person and per product line, loss reasons and competitors,
    counted in SQL: equal to the figures worked by hand, each deal once per person and once per
    product line; as many statements for one person as for several."""
    from portal.models.pipeline import Competitor, LossReason

    one, two = org.product_lines[0], org.product_lines[1]
    reason, rival = LossReason(name="价格高", name_en="Price"), Competitor(name="华信通")
    db.session.add_all([reason, rival])
    db.session.flush()

    def closed(owner, lines, outcome, closed_on, lost=False):
        opp = make_opportunity(make_customer(owner), lines, stage(outcome).name)
        opp.closed_on = closed_on  # created 1 October
        if lost:
            opp.loss_reason_id, opp.won_by_id = reason.id, rival.id
        return opp

    staff1, staff2 = org.users["staff1"], org.users["staff2"]
    closed(staff1, [(one, "100"), (two, "50")], "won", date(2026, 10, 11))  # 10 days
    closed(staff1, [(one, "300")], "lost", date(2026, 10, 31), lost=True)  # 30 days
    db.session.commit()
    login(client, "hr")
    with count_queries() as counter:
        assert client.get("/pipeline/analysis?period=2026&per_page=1").status_code == 200
    few = counter.count
    closed(staff2, [(two, "70")], "won", date(2026, 11, 20))  # 50 days
    closed(staff2, [(one, "200")], "lost", date(2026, 10, 21), lost=True)  # 20 days
    closed(staff2, [(one, "900")], "lost", date(2025, 12, 1), lost=True)  # another year
    db.session.commit()
    with count_queries() as counter:
        assert client.get("/pipeline/analysis?period=2026&per_page=1").status_code == 200
    assert counter.count == few
    page = client.get("/pipeline/analysis?period=2026").text
    row = r'<tr><td>{}</td><td class="num">(\d+)</td><td class="num">(\d+)</td>' \
          r'<td class="num">([^<]+)</td><td class="num">([^<]+)</td></tr>'

    def figures(name):
        found = re.findall(row.format(re.escape(name)), page)
        assert len(found) == 1, (name, found)
        return found[0]

    assert figures(staff1.display_name) == ("1", "1", "50%", "20.0")
    assert figures(staff2.display_name) == ("1", "1", "50%", "35.0")
    assert figures(one.name) == ("1", "2", "33.3%", "20.0")  # 10, 30, 20 days
    assert figures(two.name) == ("2", "0", "100%", "30.0")  # 10, 50 days
    assert re.search(r"<td>价格高</td><td class=\"num\">2</td><td class=\"num\">[^<]*500", page)
    assert re.search(r"<td>华信通</td><td class=\"num\">2</td><td class=\"num\">[^<]*500", page)


def test_a_managers_deal_pages_read_the_reporting_line_first(client, org):
    """A manager's deals are scoped by the ids of their people and areas, read once a request
    (not a recursive CTE inside every deal statement, which PostgreSQL misjudged: 0.3-0.5 s a
    page at L), and the deals are still exactly those of their people and customers."""
    from sqlalchemy import event

    mine = make_opportunity(make_customer(org.users["staff1"], name="本区客户"),
                            [(org.product_lines[0], "100")], title="本区商机")
    make_opportunity(make_customer(org.users["staff3"], name="外区客户"),
                     [(org.product_lines[0], "100")], title="外区商机")
    db.session.commit()
    login(client, "manager1")
    statements = []

    def capture(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for path in ("/pipeline/list", "/pipeline/team", "/pipeline/analysis", "/pipeline/stale"):
            assert client.get(path).status_code == 200
        listed = client.get("/pipeline/list").text
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    deals = [s for s in statements if "FROM opportunities" in s]
    assert deals and not any("RECURSIVE" in s for s in deals)
    assert "本区商机" in listed and "外区商机" not in listed
    assert client.get(f"/pipeline/{mine.id}").status_code == 200
