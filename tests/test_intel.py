"""Market intelligence: sharing (area, departments, company), sanitised markdown, search and
filters, comments, product feedback passed and answered, bad input refused."""
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.intel import IntelComment, IntelKind, IntelPost, IntelSharing
from tests.conftest import login
from tests.dept_factories import department_person, make_department


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post(client, **changes):
    data = {"kind": "competitor", "title": "友商降价", "body": "友商宽带**半价**", "tags": "宽带, 价格",
            "customer_id": 0, "product_line_id": 0, "sharing": "area"}
    data.update(changes)
    return client.post("/intel/new", data=data)


def test_post_shared_with_one_department_is_invisible_to_another(app, client_as, org):
    fin, prod = department_person("fin1"), department_person("prod1")
    finance = make_department("FIN", members=[fin])
    make_department("PRD", members=[prod])
    db.session.commit()
    r = post(client_as("staff1"), sharing="departments", department_ids=[finance.id])
    assert r.status_code == 303
    item = db.session.scalar(select(IntelPost))
    assert login(app.test_client(), "fin1").get(f"/intel/{item.id}").status_code == 200
    assert login(app.test_client(), "prod1").get(f"/intel/{item.id}").status_code == 404
    assert "友商降价" not in login(app.test_client(), "prod1").get("/intel/").text
    # the area still sees it; another area does not
    assert client_as("staff2").get(f"/intel/{item.id}").status_code == 200
    assert client_as("staff3").get(f"/intel/{item.id}").status_code == 404


def test_area_and_company_sharing(app, client_as, org):
    post(client_as("staff1"), title="区内情报")
    post(client_as("staff1"), title="全公司情报", sharing="company")
    area_post, company_post = db.session.scalars(select(IntelPost).order_by(IntelPost.id)).all()
    assert client_as("manager1").get(f"/intel/{area_post.id}").status_code == 200
    assert client_as("staff3").get(f"/intel/{area_post.id}").status_code == 404
    assert client_as("staff3").get(f"/intel/{company_post.id}").status_code == 200
    # the manager's dashboard shows the area's recent posts
    assert "区内情报" in client_as("manager1").get("/panels/intel").text


def test_markdown_is_sanitised(client_as, org):
    post(client_as("staff1"), body='**粗体** <script>alert(1)</script> [x](javascript:alert(1))'
                                   '<img src=x onerror=alert(1)>')
    item = db.session.scalar(select(IntelPost))
    page = client_as("staff1").get(f"/intel/{item.id}").text
    assert "<strong>粗体</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page


def test_bad_input_is_refused_with_nothing_saved(client_as, org):
    c = client_as("staff1")
    assert post(c, title="").status_code == 422
    assert post(c, kind="rumour").status_code == 422
    assert post(c, sharing="departments").status_code == 422  # no department chosen
    assert post(c, body="x" * 10001).status_code == 422
    assert post(c, title="bad\x07").status_code in (400, 422)
    assert count(IntelPost) == 0


def test_search_filters_and_comments(client_as, org):
    c = client_as("staff1")
    post(c, title="宽带价格战", tags="宽带")
    post(c, title="云服务需求", kind="customer_need", tags="云服务", body="客户想上云")
    assert "云服务需求" not in c.get("/intel/?q=宽带").text
    r = c.get("/intel/?kind=customer_need")
    assert "云服务需求" in r.text and "宽带价格战" not in r.text
    r = c.get("/intel/?tag=宽带")
    assert "宽带价格战" in r.text and "云服务需求" not in r.text
    item = db.session.scalar(select(IntelPost).where(IntelPost.title == "宽带价格战"))
    assert client_as("staff2").post(f"/intel/{item.id}/comments",
                                    data={"body": "我的客户也问了"}).status_code == 303
    assert client_as("staff2").post(f"/intel/{item.id}/comments",
                                    data={"body": ""}).status_code == 422
    assert count(IntelComment) == 1
    assert "我的客户也问了" in c.get(f"/intel/{item.id}").text


def test_product_feedback_passed_and_answered_by_the_product_department(app, client_as, org):
    person = department_person("prod1")
    make_department("PRD", members=[person], is_product=True)
    db.session.commit()
    c = client_as("staff1")
    post(c, kind="product_feedback", title="控制台难用")
    item = db.session.scalar(select(IntelPost))
    prod = login(app.test_client(), "prod1")
    assert prod.get(f"/intel/{item.id}").status_code == 404  # not passed yet
    assert client_as("staff2").post(f"/intel/{item.id}/pass").status_code == 403
    assert c.post(f"/intel/{item.id}/pass").status_code == 303
    assert prod.get(f"/intel/{item.id}").status_code == 200
    assert c.post(f"/intel/{item.id}/answer", data={"answer": "x"}).status_code == 403
    assert prod.post(f"/intel/{item.id}/answer", data={"answer": "下个版本简化"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(IntelPost, item.id).answer == "下个版本简化"
    assert "下个版本简化" in c.get(f"/intel/{item.id}").text


def test_lost_opportunity_link_fills_the_form(app, client_as, org):
    from portal.intel.services import post_url_for_lost_opportunity
    with app.test_request_context():
        url = post_url_for_lost_opportunity(None, "输给友商A")
    page = client_as("staff1").get(url).text
    assert 'value="输给友商A"' in page and 'selected value="competitor"' in page
