"""The person page (/people/<id>): what the viewer may see of someone, 404 outside their scope,
links only to the modules' pages the viewer may open, and names that link to it."""
from tests.appraisal_factories import appraisal_of, make_cycle, make_template
from tests.comm_factories import make_series


def test_a_manager_sees_a_report_with_role_area_manager_and_links(client_as_en, org):
    staff1 = org.users["staff1"]
    series = make_series(org.users["manager1"], staff1)
    page = client_as_en("manager1").get(f"/people/{staff1.id}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>李娜" in html and "Account manager" in html
    assert "East District" in html
    assert f'href="/people/{org.users["manager1"].id}"' in html  # the manager's own page
    for url in (f"/targets/people/{staff1.id}", f"/customers/?owner={staff1.id}",
                f"/customers/visits?who={staff1.id}", f"/pipeline/list?owner={staff1.id}",
                f"/careers/people/{staff1.id}", f"/training/records/{staff1.id}",
                f"/one-on-ones/series/{series.id}"):
        assert f'href="{url}"' in html, url
    assert "/admin/users/" not in html  # a manager may not open the admin pages


def test_people_outside_the_viewers_scope_are_404(client_as, org):
    staff1, staff2, staff3 = (org.users[u] for u in ("staff1", "staff2", "staff3"))
    assert client_as("staff1").get(f"/people/{staff1.id}").status_code == 200
    assert client_as("staff1").get(f"/people/{staff2.id}").status_code == 404
    assert client_as("staff1").get(f"/people/{org.users['manager1'].id}").status_code == 404
    assert client_as("manager1").get(f"/people/{staff3.id}").status_code == 404
    assert client_as("manager1").get("/people/999999").status_code == 404
    assert client_as("hr").get(f"/people/{staff3.id}").status_code == 200


def test_staff_see_their_manager_as_a_name_only(client_as, org):
    staff1 = org.users["staff1"]
    html = client_as("staff1").get(f"/people/{staff1.id}").text
    assert "张伟" in html and f'href="/people/{org.users["manager1"].id}"' not in html


def test_links_follow_the_viewers_role_and_the_persons(client_as, org):
    staff1 = org.users["staff1"]
    appraisal = appraisal_of(make_cycle(make_template()), staff1)
    hr = client_as("hr").get(f"/people/{staff1.id}").text
    assert f'href="/careers/people/{staff1.id}"' in hr
    assert f'href="/appraisals/{appraisal.id}"' in hr
    admin = client_as("admin").get(f"/people/{staff1.id}").text
    assert f'href="/admin/users/{staff1.id}/edit"' in admin
    # HR people own no customers: no customer link on HR's own page.
    own = client_as("hr").get(f"/people/{org.users['hr'].id}").text
    assert "/customers/?owner=" not in own and "/targets/people/" not in own


def test_the_team_table_links_names_to_person_pages(client_as, org):
    html = client_as("manager1").get(f"/people/{org.users['manager1'].id}").text
    assert f'href="/people/{org.users["staff1"].id}"' in html
    assert f'href="/people/{org.users["staff2"].id}"' in html
    assert f'href="/people/{org.users["staff3"].id}"' not in html
