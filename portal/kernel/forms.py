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


# --- pickers: a person or a customer typed and searched ----------------------------------------

#: How many people (customers) a picker's search offers at once.
PICKER_MATCHES = 20
_NAMED = re.compile(r"^(?P<name>.*?)\s*[(（]\s*(?P<key>[^()（）\s]+)\s*[)）]$")


class Kind:
    """What a picker chooses: an entity with an id, a name and a unique key (a person's username,
    a customer's code), shown and resolved as "Name (key)"; and how its messages read."""

    def __init__(self, name: str, key: str, placeholder, unknown, several, none_match, no_one,
                 refused=None):
        self.name, self.key = name, key
        self.placeholder, self.unknown, self.several = placeholder, unknown, several
        self.none_match, self.no_one, self.refused = none_match, no_one, refused

    def label(self, item) -> str:
        """How a picker shows one: "Name (key)" (what it resolves back)."""
        return f"{getattr(item, self.name)} ({getattr(item, self.key)})"

    def problem(self, text: str, found: int) -> str:
        """What is wrong with a typed text that `resolve` could not resolve."""
        return str((self.several if found else self.unknown) % {"text": text})

    def search(self, choices: Select, text: str, limit: int = PICKER_MATCHES) -> list:
        """The items of a select whose name or key contains the text, by name; the first
        `limit` of them."""
        entity = choices.column_descriptions[0]["entity"]
        name, key = getattr(entity, self.name), getattr(entity, self.key)
        text = (text or "").strip()[:MAX_SEARCH]
        named = _NAMED.match(text)
        if named:  # "Name (key)", as the picker fills it in
            text = named.group("key")
        query = choices.where(matches(text, name, key)) if text else choices
        return db.session.scalars(query.order_by(None).order_by(name, entity.id)
                                  .limit(limit)).all()

    def resolve(self, choices: Select, text: str):
        """The one item of the select the typed text names: an id (what the picker's script or
        an older form sends), "Name (key)", a key, a full name, or a part of one that only one
        item matches. Returns (item or None, how many matched: 0 unknown, 2 ambiguous)."""
        entity = choices.column_descriptions[0]["entity"]
        name, key = getattr(entity, self.name), getattr(entity, self.key)
        text = text.strip()[:MAX_SEARCH]
        named = _NAMED.match(text)
        if text.isdigit():  # an id, never a part of a name: "12" is not staff12
            attempts = [entity.id == int(text)] if len(text) < 10 else []
        elif named:
            attempts = [func.lower(key) == named.group("key").lower()]
        else:
            attempts = [func.lower(key) == text.lower(), name == text, matches(text, name, key)]
        for condition in attempts:
            found = db.session.scalars(choices.where(condition).order_by(None).limit(2)).all()
            if len(found) == 1:
                return found[0], 1
            if found:
                return None, 2
        return None, 0


PEOPLE = Kind(
    "display_name", "username", placeholder=_l("Type a name or username"),
    unknown=_l("No one called “%(text)s” can be chosen here."),
    several=_l("Several people match “%(text)s”: type more of the name, or the username."),
    none_match=_l("No one matches “%(text)s”."), no_one=_l("No one to choose."),
    refused=_l("Someone ticked cannot be chosen here."))
CUSTOMERS = Kind(
    "name", "code", placeholder=_l("Type a customer's name or code"),
    unknown=_l("No customer called “%(text)s” can be chosen here."),
    several=_l("Several customers match “%(text)s”: type more of the name, or the code."),
    none_match=_l("No customer matches “%(text)s”."), no_one=_l("No customer to choose."),
    refused=_l("A customer ticked cannot be chosen here."))


def search_people(people: Select, text: str, limit: int = PICKER_MATCHES) -> list:
    """The people of a select (an entity with id, username and display_name) whose name or
    username contains the text, by name; the first `limit` of them."""
    return PEOPLE.search(people, text, limit)


def resolve_person(people: Select, text: str):
    """The one person of the select the typed text names (see Kind.resolve)."""
    return PEOPLE.resolve(people, text)


class PickerField(StringField):
    """A choice of one among many (a person, a customer), typed rather than picked from a select
    of thousands.

    The page shows a text box that searches as you type (an htmx combobox, see the
    `person_field` macro) among the items the view allows; without JavaScript the typed name
    or key is resolved on submit. `data` is the item's id (or None); an unknown or ambiguous
    name is an error beside the field, the typed text kept. The view hands the field the select
    it may choose from with `choose_from(select)`; `scope` names the search endpoint's scope that
    offers the same items."""

    kind: Kind = PEOPLE
    #: The endpoint of the search (`?scope=…&field=…`).
    search_endpoint = "people.search"

    def __init__(self, label=None, validators=None, scope: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.scope = scope
        self.choices: Select | None = None
        self.text: str | None = None

    def choose_from(self, choices: Select) -> None:
        self.choices = choices

    def process_data(self, value):
        self.data = value if isinstance(value, int) and value else None

    def process_formdata(self, valuelist):
        if valuelist:
            self.text = (valuelist[0] or "").strip()[:MAX_SEARCH]
            self.data = None

    def _value(self) -> str:
        if self.text is not None:
            return self.text
        if self.data and self.choices is not None:
            item = self.chosen()
            return self.kind.label(item) if item else ""
        return ""

    def chosen(self):
        """The chosen item (among those the field offers), or None."""
        if not self.data or self.choices is None:
            return None
        entity = self.choices.column_descriptions[0]["entity"]
        return db.session.scalars(self.choices.where(entity.id == self.data).order_by(None)
                                  .limit(1)).first()

    def pre_validate(self, form):
        if self.text is None or self.choices is None:
            return
        if not self.text or self.text == "0":  # "0": the blank of the select it replaced
            self.data = None
            return
        item, found = self.kind.resolve(self.choices, self.text)
        if item is None:
            raise StopValidation(self.kind.problem(self.text, found))
        self.data = item.id


class PersonField(PickerField):
    """A choice of one person among many (see PickerField)."""

    @property
    def people(self) -> Select | None:
        return self.choices

    def person(self):
        """The chosen person (among those the field offers), or None."""
        return self.chosen()


class CustomerField(PickerField):
    """A choice of one customer among the thousands of an area, typed by name or code (see
    PickerField; the search is /customers/search, portal.customer_picker)."""

    kind = CUSTOMERS
    search_endpoint = "customer_picker.search"

    def customer(self):
        """The chosen customer (among those the field offers), or None."""
        return self.chosen()


def person_problem(text: str, found: int) -> str:
    """What is wrong with a typed name that resolve_person could not resolve."""
    return PEOPLE.problem(text, found)


def person_label(person) -> str:
    """How a picker shows a person: "Name (username)" (what it resolves back)."""
    return PEOPLE.label(person)


_SEPARATORS = re.compile(r"[,，;；、\n]+")


class MultiPickerField(StringField):
    """A choice of several among many (meeting attendees, a campaign's customers): those chosen
    so far as ticked boxes, and a search box to add more (see the `people_field` macro).
    Everything arrives under the field's name: a ticked box sends an id, the search box the names
    typed (several, separated by commas, without JavaScript; the script adds a ticked box per
    choice instead). `data` is the list of ids. `keep` are ids accepted although outside the
    items the field offers (those already on the record)."""

    kind: Kind = PEOPLE
    search_endpoint = "people.search"

    def __init__(self, label=None, validators=None, scope: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.scope = scope
        self.choices: Select | None = None
        self.keep: set[int] = set()
        self.text = ""
        self.data = []

    def choose_from(self, choices: Select) -> None:
        self.choices = choices

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
        """Those chosen so far (among those offered, or kept), by name."""
        if not self.data or self.choices is None:
            return []
        entity = self.choices.column_descriptions[0]["entity"]
        found = {p.id: p for p in db.session.scalars(
            self.choices.where(entity.id.in_(self.data)).order_by(None))}
        missing = [i for i in self.data if i in self.keep and i not in found]
        if missing:
            found.update({p.id: p for p in db.session.scalars(
                select(entity).where(entity.id.in_(missing)))})
        return sorted(found.values(), key=lambda p: (getattr(p, self.kind.name), p.id))

    def pre_validate(self, form):
        if self.choices is None or not self.submitted:
            return
        entity = self.choices.column_descriptions[0]["entity"]
        wanted = list(dict.fromkeys(self.data))
        if wanted:
            offered = set(db.session.scalars(
                self.choices.where(entity.id.in_(wanted)).order_by(None)
                .with_only_columns(entity.id)))
            refused = [i for i in wanted if i not in offered and i not in self.keep]
            wanted = [i for i in wanted if i not in refused]
        else:
            refused = []
        problems = [str(self.kind.refused)] if refused else []
        remaining = []
        for name in (n.strip() for n in _SEPARATORS.split(self.text) if n.strip()):
            person, found = self.kind.resolve(self.choices, name)
            if person is None:
                remaining.append(name)
                problems.append(self.kind.problem(name, found))
            elif person.id not in wanted:
                wanted.append(person.id)
        self.data = wanted
        self.text = ", ".join(remaining)
        if problems:
            raise StopValidation(" ".join(problems))



class PeopleField(MultiPickerField):
    """A choice of several people among many (see MultiPickerField)."""

    @property
    def people(self) -> Select | None:
        return self.choices


class CustomersField(MultiPickerField):
    """A choice of several customers among the thousands of an area (see MultiPickerField)."""

    kind = CUSTOMERS
    search_endpoint = "customer_picker.search"
