"""Form pieces every module uses: the confirm form, checkbox lists, typed-text filters, bounded
whole numbers, people pickers (a person typed and searched rather than picked from a select)."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import StopValidation, ValidationError

from portal.extensions import db
from portal.kernel.lists import MAX_SEARCH, matches


class ConfirmForm(FlaskForm):
    """An empty form whose only job is the CSRF token of a confirmed action (delete, close, …)."""


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def strip_filter(value):
    """Trim white space around typed text."""
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse control characters (other than tab and newlines) in typed text."""

    message = _l("Remove the invisible control characters.")

    def __call__(self, form, field):
        if isinstance(field.data, str) and any(
            ord(c) < 32 and c not in "\t\r\n" or 0x7F <= ord(c) < 0xA0 for c in field.data
        ):
            raise ValidationError(self.message)


class WholeNumberBetween:
    """A whole number within bounds; unlike NumberRange it survives integers too big for a float."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, form, field):
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(_l("Enter a whole number from %(low)d to %(high)d.",
                                     low=self.low, high=self.high))


# --- people pickers ------------------------------------------------------------------------------

#: How many people a picker's search offers at once.
PICKER_MATCHES = 20
_NAMED = re.compile(r"^(?P<name>.*?)\s*[(（]\s*(?P<username>[^()（）\s]+)\s*[)）]$")


def search_people(people: Select, text: str, limit: int = PICKER_MATCHES) -> list:
    """The people of a select (an entity with id, username and display_name) whose name or
    username contains the text, by name; the first `limit` of them."""
    person = people.column_descriptions[0]["entity"]
    text = (text or "").strip()[:MAX_SEARCH]
    named = _NAMED.match(text)
    if named:  # "Name (username)", as the picker fills it in
        text = named.group("username")
    query = people.where(matches(text, person.display_name, person.username)) if text else people
    return db.session.scalars(query.order_by(None).order_by(person.display_name, person.id)
                              .limit(limit)).all()


def resolve_person(people: Select, text: str):
    """The one person of the select the typed text names: an id (what the picker's script or an
    older form sends), "Name (username)", a username, a full name, or a part of one that only one
    person matches. Returns (person or None, how many matched: 0 unknown, 2 ambiguous)."""
    person = people.column_descriptions[0]["entity"]
    text = text.strip()[:MAX_SEARCH]
    named = _NAMED.match(text)
    if text.isdigit():  # an id, never a part of a name: "12" is not staff12
        attempts = [person.id == int(text)] if len(text) < 10 else []
    elif named:
        attempts = [func.lower(person.username) == named.group("username").lower()]
    else:
        attempts = [func.lower(person.username) == text.lower(), person.display_name == text,
                    matches(text, person.display_name, person.username)]
    for condition in attempts:
        found = db.session.scalars(people.where(condition).order_by(None).limit(2)).all()
        if len(found) == 1:
            return found[0], 1
        if found:
            return None, 2
    return None, 0


class PersonField(StringField):
    """A choice of one person among many, typed rather than picked from a select of thousands.

    The page shows a text box that searches as you type (an htmx combobox, see the
    `person_field` macro) among the people the view allows; without JavaScript the typed name
    or username is resolved on submit. `data` is the person's id (or None); an unknown or
    ambiguous name is an error beside the field, the typed text kept. The view hands the field
    the select of people it may choose with `choose_from(select)`; `scope` names the search
    endpoint's scope that offers the same people."""

    def __init__(self, label=None, validators=None, scope: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.scope = scope
        self.people: Select | None = None
        self.text: str | None = None

    def choose_from(self, people: Select) -> None:
        self.people = people

    def process_data(self, value):
        self.data = value if isinstance(value, int) and value else None

    def process_formdata(self, valuelist):
        if valuelist:
            self.text = (valuelist[0] or "").strip()[:MAX_SEARCH]
            self.data = None

    def _value(self) -> str:
        if self.text is not None:
            return self.text
        if self.data and self.people is not None:
            person = self.person()
            return person_label(person) if person else ""
        return ""

    def person(self):
        """The chosen person (among those the field offers), or None."""
        if not self.data or self.people is None:
            return None
        entity = self.people.column_descriptions[0]["entity"]
        return db.session.scalars(self.people.where(entity.id == self.data).order_by(None)
                                  .limit(1)).first()

    def pre_validate(self, form):
        if self.text is None or self.people is None:
            return
        if not self.text or self.text == "0":  # "0": the blank of the select it replaced
            self.data = None
            return
        person, found = resolve_person(self.people, self.text)
        if person is None:
            raise StopValidation(person_problem(self.text, found))
        self.data = person.id


def person_problem(text: str, found: int) -> str:
    """What is wrong with a typed name that resolve_person could not resolve."""
    if found:
        return str(_l("Several people match “%(text)s”: type more of the name, or the "
                      "username.", text=text))
    return str(_l("No one called “%(text)s” can be chosen here.", text=text))


def person_label(person) -> str:
    """How a picker shows a person: "Name (username)" (what it resolves back)."""
    return f"{person.display_name} ({person.username})"


_SEPARATORS = re.compile(r"[,，;；、\n]+")


class PeopleField(StringField):
    """A choice of several people among many (meeting attendees): those chosen so far as ticked
    boxes, and a search box to add more (see the `people_field` macro). Everything arrives under
    the field's name: a ticked box sends an id, the search box the names typed (several,
    separated by commas, without JavaScript; the script adds a ticked box per choice instead).
    `data` is the list of ids. `keep` are ids accepted although outside the people the field
    offers (those already on the record)."""

    def __init__(self, label=None, validators=None, scope: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.scope = scope
        self.people: Select | None = None
        self.keep: set[int] = set()
        self.text = ""
        self.data = []

    def choose_from(self, people: Select) -> None:
        self.people = people

    def process_data(self, value):
        self.data = [v for v in (value or []) if isinstance(v, int)]

    def process_formdata(self, valuelist):
        self.data, texts = [], []
        for value in valuelist:
            value = (value or "").strip()
            if value.isdigit() and len(value) < 10:
                self.data.append(int(value))
            elif value:
                texts.append(value[:1000])
        self.text = ", ".join(texts)
        self.submitted = True

    submitted = False

    def _value(self) -> str:
        return self.text

    def chosen(self) -> list:
        """The people chosen so far (among those offered, or kept), by name."""
        if not self.data or self.people is None:
            return []
        entity = self.people.column_descriptions[0]["entity"]
        found = {p.id: p for p in db.session.scalars(
            self.people.where(entity.id.in_(self.data)).order_by(None))}
        missing = [i for i in self.data if i in self.keep and i not in found]
        if missing:
            found.update({p.id: p for p in db.session.scalars(
                select(entity).where(entity.id.in_(missing)))})
        return sorted(found.values(), key=lambda p: (p.display_name, p.id))

    def pre_validate(self, form):
        if self.people is None or not self.submitted:
            return
        entity = self.people.column_descriptions[0]["entity"]
        wanted = list(dict.fromkeys(self.data))
        if wanted:
            offered = set(db.session.scalars(
                self.people.where(entity.id.in_(wanted)).order_by(None)
                .with_only_columns(entity.id)))
            refused = [i for i in wanted if i not in offered and i not in self.keep]
            wanted = [i for i in wanted if i not in refused]
        else:
            refused = []
        problems = [str(_l("Someone ticked cannot be chosen here."))] if refused else []
        remaining = []
        for name in (n.strip() for n in _SEPARATORS.split(self.text) if n.strip()):
            person, found = resolve_person(self.people, name)
            if person is None:
                remaining.append(name)
                problems.append(person_problem(name, found))
            elif person.id not in wanted:
                wanted.append(person.id)
        self.data = wanted
        self.text = ", ".join(remaining)
        if problems:
            raise StopValidation(" ".join(problems))

