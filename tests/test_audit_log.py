"""The audit log in words: translated action and kind names, the record's label where the
administrator may see it, field-level before → after rows instead of JSON, private values hidden."""
import re
from datetime import date
from pathlib import Path

from portal import audit
from portal.admin.audit_labels import ACTION_LABELS, KIND_LABELS
from portal.extensions import db
from tests.customer_factories import make_target

PORTAL = Path(__file__).resolve().parent.parent / "portal"
#: Actions written with an f-string: every value they can take.
DYNAMIC = {"complaint.closed", "complaint.reopened", "course.create", "course.update",
           "training_session.create", "training_session.update", "career_level.create",
           "career_level.update", "area.create", "area.update", "product_line.create",
           "product_line.update", "customer_type.create", "customer_type.update",
           "user.directory_create", "user.directory_update"}


def rows(response) -> str:
    return response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_every_action_and_kind_the_portal_writes_has_a_name():
    source = "\n".join(p.read_text(encoding="utf-8") for p in PORTAL.rglob("*.py"))
    calls = re.findall(r'audit\.record\(\s*"([a-z_]+\.[a-z_]+)",\s*"([a-z_]+)"', source)
    assert len(calls) > 50
    assert {a for a, _ in calls} | DYNAMIC <= set(ACTION_LABELS), \
        {a for a, _ in calls} - set(ACTION_LABELS)
    assert {k for _, k in calls} <= set(KIND_LABELS), {k for _, k in calls} - set(KIND_LABELS)


def test_actions_and_records_in_words_in_both_languages(client_as, client_as_en, org):
    staff1 = org.users["staff1"]
    target = make_target(staff1, date(2026, 12, 1), "50000")
    audit.record("target.approve", "sales_target", target.id, {"status": "draft"},
                 {"status": "approved"})
    audit.record("customer.update", "customer", 987654, {"name": "甲"}, {"name": "乙"})
    db.session.commit()
    zh = rows(client_as("admin").get("/admin/audit"))
    assert "批准目标" in zh and "李娜的销售目标" in zh
    assert "客户 #987654" in zh  # a customer is not the administrator's to name
    en = rows(client_as_en("admin").get("/admin/audit"))
    assert "Approved a target" in en and "Sales target of 李娜" in en
    assert 'title="target.approve"' in en  # the code stays for those who search by it


def test_field_level_rows_instead_of_json(client_as_en, org):
    admin = client_as_en("admin")
    staff1, manager1, manager2 = (org.users[u] for u in ("staff1", "manager1", "manager2"))
    east, west = org.areas
    audit.record("user.update", "user", staff1.id,
                 {"manager_id": manager1.id, "area_id": east.id, "active": True, "roles": ["staff"]},
                 {"manager_id": manager2.id, "area_id": west.id, "active": False,
                  "roles": ["manager", "staff"]})
    db.session.commit()
    page = rows(admin.get("/admin/audit?entity_type=user"))
    assert 'class="json"' not in page and "{" not in page
    assert re.search(r'title="manager_id">Manager</span>: \s*<span class="audit-before">张伟</span> → '
                     r'<span class="audit-after">李秀英</span>', page), page
    assert re.search(r'>Area</span>: \s*<span class="audit-before">East District</span> → '
                     r'<span class="audit-after">West District</span>', page)
    assert re.search(r'>Active</span>: \s*<span class="audit-before">yes</span> → '
                     r'<span class="audit-after">no</span>', page)
    assert "Area manager, Account manager" in page  # role names, not codes
    assert 'Person “李娜”' in page


def test_private_values_stay_hidden_field_by_field(client_as_en, org):
    audit.record("appraisal.review", "appraisal", 7, {"manager_comment": ""},
                 {"manager_comment": "Draft: weak on follow-up calls"})
    db.session.commit()
    page = rows(client_as_en("admin").get("/admin/audit?entity_type=appraisal"))
    assert "Saved a manager&#39;s review" in page or "Saved a manager's review" in page
    assert "Manager&#39;s comment" in page or "Manager's comment" in page
    assert audit.HIDDEN in page and "weak on follow-up" not in page
    assert "Appraisal #7" in page  # no such appraisal: its kind and number


def test_the_filters_offer_translated_actions_and_kinds(client_as, org):
    page = client_as("admin").get("/admin/audit").text
    assert '<option value="target.approve">批准目标</option>' in page
    assert '<option value="sales_target">销售目标</option>' in page
