"""The app as a whole: health check, security headers, error pages, the home page."""
from portal import create_app
from tests.conftest import TEST_CONFIG, home_page


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_503_when_the_database_does_not_answer(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    broken = create_app({**TEST_CONFIG,
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "unavailable"}
    page = broken.test_client().get("/login", headers={"Accept-Language": "en"})
    # /login reads no table, so it still answers; a page that does gets the friendly 503:
    assert page.status_code == 200
    response = broken.test_client().post("/login", data={"username": "a", "password": "b"},
                                         headers={"Accept-Language": "en"})
    assert response.status_code == 503 and "briefly unavailable" in response.text
    assert "Traceback" not in response.text


def test_security_headers_on_every_response(client, org):
    for url in ("/login", "/healthz", "/no-such-page", "/static/css/portal.css"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client_as):
    import re

    page = client_as("admin").get("/admin/users").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page and "<style" not in page and " hx-on" not in page


def test_htmx_is_vendored_2x_and_csrf_meta_present(client_as):
    page = client_as("staff1").get("/").text
    assert "/static/vendor/htmx-2.0." in page
    assert 'name="csrf-token"' in page and '"code":"422","swap":true' in page


def test_home_shows_me_my_area_manager_and_reports(client_as, org):
    staff = client_as("staff1").get("/", headers={"Accept-Language": "zh-CN"}).text
    assert "李娜" in staff and "城东营业区" in staff and "张伟" in staff
    manager = client_as("manager1").get("/", headers={"Accept-Language": "en"}).text
    assert "My direct reports (12)" in manager and "王强" in manager and "刘洋" not in manager


def test_navigation_follows_roles(client_as):
    assert 'href="/admin/"' in client_as("admin").get("/").text
    assert 'href="/admin/"' not in client_as("staff1").get("/").text


def test_500_page_hides_the_traceback(app):
    """An unexpected error shows our page, not the exception (TESTING off, as in production)."""
    prod = create_app({**TEST_CONFIG, "TESTING": False,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    from portal.kernel.audience import PUBLIC, audience

    @prod.route("/__boom")
    @audience(PUBLIC)
    def boom():
        raise RuntimeError("secret detail")

    response = prod.test_client().get("/__boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "secret detail" not in response.text and "Something went wrong" in response.text


def test_measurement_headers_only_when_asked(app, org):
    from tests.conftest import login

    assert "X-SQL-Statements" not in app.test_client().get("/healthz").headers
    measured = create_app({**TEST_CONFIG, "MEASURE_REQUESTS": True,
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    measured.test_client_class = app.test_client_class
    client = login(measured.test_client(), "admin")
    response = client.get("/admin/users")
    assert int(response.headers["X-SQL-Statements"]) >= 2
    assert response.headers["Server-Timing"].startswith("app;dur=")
