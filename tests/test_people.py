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
    assert f'href="/pipeline/list?owner={staff1.id}"' in hr  # HR sees every deal
    assert "/customers/?owner=" not in hr  # but no customer: no empty list to link to
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


def test_names_in_lists_link_to_person_pages_the_reader_may_open(client_as, org):
    from tests.customer_factories import make_customer

    staff1, manager1 = org.users["staff1"], org.users["manager1"]
    make_customer(staff1, name="链接测试客户")
    make_series(manager1, staff1)
    appraisal = appraisal_of(make_cycle(make_template()), staff1)
    link = f'<a class="person" href="/people/{staff1.id}">李娜</a>'
    manager = client_as("manager1")
    assert link in manager.get("/customers/").text  # the customer's owner
    assert link in manager.get("/").text  # the manager's team table
    staff2 = org.users["staff2"]  # no series yet: listed to start one
    assert f'<a class="person" href="/people/{staff2.id}">王强</a>' in manager.get("/one-on-ones/cadence").text
    # The appraisal names the manager, whom staff1 may not open: plain text for staff1.
    own = client_as("staff1").get(f"/appraisals/{appraisal.id}").text
    assert f'href="/people/{manager1.id}"' not in own and "张伟" in own
    assert f'href="/people/{manager1.id}"' in client_as("hr").get(f"/appraisals/{appraisal.id}").text


def test_one_look_tick_buttons_and_progress_bars(client_as, org):
    """Careers' milestones and reviews' actions use the same tick button as tasks, not ☐ links;
    a goal's progress is the shared progress bar."""
    from datetime import date

    from portal.extensions import db
    from portal.models.careers import CareerGoal, CareerMilestone, CareerPlan, GoalStatus
    from portal.models.reviews import Review, ReviewAction, ReviewKind

    staff1 = org.users["staff1"]
    plan = CareerPlan(user_id=staff1.id)
    plan.goals = [CareerGoal(title="目标", status=GoalStatus.IN_PROGRESS, progress=40,
                             milestones=[CareerMilestone(title="一步", done=True),
                                         CareerMilestone(title="两步")])]
    review = Review(area=org.areas[0], kind=ReviewKind.MONTHLY, period="2026-10",
                    starts_on=date(2026, 10, 1), author_id=org.users["manager1"].id)
    review.actions = [ReviewAction(text="复盘行动", owner_id=staff1.id)]
    db.session.add_all([plan, review])
    db.session.commit()
    me = client_as("staff1")
    careers = me.get(f"/careers/people/{staff1.id}").text
    reviews = me.get(f"/reviews/{review.id}").text
    for page in (careers, reviews):
        assert "☐" not in page and "☑" not in page
        assert 'class="tick-form"' in page and 'button type="submit" class="tick"' in page
    assert careers.count('aria-pressed="true"') >= 1 and careers.count('aria-pressed="false"') >= 1
    assert '<span class="progress-bar">' in careers and 'value="40"' in careers


def test_a_name_is_escaped_whether_linked_or_not(client_as, org):
    from portal.extensions import db
    from tests.customer_factories import make_customer

    staff1, manager1 = org.users["staff1"], org.users["manager1"]
    make_customer(staff1, name="转义测试客户")
    appraisal = appraisal_of(make_cycle(make_template()), staff1)
    staff1.display_name = '李<b onmouseover="x">娜'
    manager1.display_name = '张<i>伟'
    db.session.commit()
    linked = client_as("manager1").get("/customers/").text  # the manager may open staff1's page
    assert (f'<a class="person" href="/people/{staff1.id}">'
            '李&lt;b onmouseover=&#34;x&#34;&gt;娜</a>') in linked
    assert "<b onmouseover" not in linked
    # staff1 may not open the manager's page: the name is plain text, escaped too.
    plain = client_as("staff1").get(f"/appraisals/{appraisal.id}").text
    assert "张&lt;i&gt;伟" in plain and "<i>伟" not in plain
    assert f'href="/people/{manager1.id}"' not in plain
