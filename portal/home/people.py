"""The person page (`/people/<id>`): what the viewer may see of someone (roles, area, manager,
department, their team) and links to their records in each module the viewer may open.

People's names across the portal link here (the `person_link` template global). The person is
loaded through portal.access (who sees whom): someone outside the viewer's scope is 404, and each
link is shown only when the viewer's role is admitted to its page (the endpoint's declared
audience) and the record exists for that kind of person (customers for account managers, not
for HR).
"""
from dataclasses import dataclass
from typing import Callable

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.access import can_see_user, department_of, get_user_or_404, visible_user_ids
from portal.appraisals.queries import visible_appraisals
from portal.extensions import db
from portal.home import bp
from portal.htmx import render
from portal.kernel.audience import admits, audience_of
from portal.models import Role, User
from portal.models.appraisals import Appraisal
from portal.models.communication import OneOnOneSeries
from portal.one_on_ones.queries import visible_series

#: People who sell: they own customers, visits, opportunities, targets.
SELLERS = (Role.STAFF, Role.MANAGER)


@dataclass(frozen=True)
class RecordLink:
    """A page of another module about this person."""

    endpoint: str
    label: object
    args: Callable[[User], dict]
    #: The person's roles for which the page has something (None: anyone).
    holders: tuple | None = None
    #: The viewer's roles for whom the page lists anything (None: anyone admitted): customers
    #: and their visits are scoped to account managers and their managers, not to HR.
    viewers: tuple | None = None


RECORD_LINKS = [
    RecordLink("targets.person", _l("Attainment and targets"), lambda p: {"user_id": p.id},
               SELLERS),
    RecordLink("customers.index", _l("Customers they look after"), lambda p: {"owner": p.id},
               SELLERS, SELLERS),
    RecordLink("customers.visits", _l("Their visits"), lambda p: {"who": p.id}, SELLERS,
               SELLERS),
    RecordLink("pipeline.deals", _l("Their opportunities"), lambda p: {"owner": p.id}, SELLERS),
    RecordLink("complaints.index", _l("Complaints they handle"), lambda p: {"owner": p.id},
               SELLERS),
    RecordLink("careers.plan", _l("Career plan"), lambda p: {"user_id": p.id}),
    RecordLink("training.record", _l("Training record"), lambda p: {"user_id": p.id}),
    RecordLink("admin.user_edit", _l("Account settings"), lambda p: {"user_id": p.id}),
]


def record_links(viewer: User, person: User) -> list[tuple[str, str]]:
    """(label, url) of the modules' pages about this person that the viewer may open."""
    links = []
    for link in RECORD_LINKS:
        if link.holders and not person.has_role(*link.holders):
            continue
        if link.viewers and not viewer.has_role(*link.viewers):
            continue
        if not admits(audience_of(current_app, link.endpoint), viewer):
            continue
        links.append((str(link.label), url_for(link.endpoint, **link.args(person))))
    return links


@bp.route("/people/<int:user_id>")
def person(user_id: int):
    """A person as the viewer may see them, with links to their records."""
    person = get_user_or_404(current_user, user_id)
    team = db.session.scalars(
        select(User).where(User.manager_id == person.id, User.active.is_(True),
                           User.id.in_(visible_user_ids(current_user)))
        .order_by(User.display_name)).all()
    appraisals = db.session.scalars(
        visible_appraisals(current_user).where(Appraisal.user_id == person.id)
        .options(selectinload(Appraisal.cycle)).order_by(Appraisal.id.desc()).limit(6)).all()
    series = []
    if person.id != current_user.id:
        series = db.session.scalars(
            visible_series(current_user)
            .where(or_(OneOnOneSeries.report_id == person.id,
                       OneOnOneSeries.manager_id == person.id))
            .options(selectinload(OneOnOneSeries.manager), selectinload(OneOnOneSeries.report))
            .order_by(OneOnOneSeries.id)).all()
    manager = person.manager if person.manager_id else None
    return render("home/person.html", person=person, team=team, appraisals=appraisals,
                  series=series, manager=manager,
                  manager_visible=bool(manager and can_see_user(current_user, manager.id)),
                  department=department_of(person), links=record_links(current_user, person))


@bp.app_template_global()
def sees_person(user) -> bool:
    """Whether the reader may open this person's page (names link to it only then): who sees
    whom (access.can_see_user), the reader's reach read once per request."""
    reader = current_user._get_current_object()
    return user is not None and reader.is_authenticated and can_see_user(reader, user.id)


@bp.app_template_global()
def person_link(user, link: bool | None = None) -> Markup | str:
    """A person's name, linking to their page when the reader may open it (`link` decides
    instead when given). A function, not a macro: list pages write one per row, and a Jinja
    macro's call cost more than the link (~75 µs a name against ~25)."""
    if not user:
        return ""
    if sees_person(user) if link is None else link:
        href = url_for("home.person", user_id=user.id)
        return Markup(f'<a class="person" href="{escape(href)}">{escape(user.display_name)}</a>')
    return escape(user.display_name)
