"""Picker scopes: who or what a picker (portal.kernel.forms.PickerField and MultiPickerField) may
offer the viewer, and the search behind its combobox.

A module declares each picker's scope once on a function viewer → select (`@registry.scope(name)`)
and names it on its form field (`CustomerField(scope=...)`). The view calls `registry.bind(field)`:
the field resolves the typed text among exactly those items, and the search endpoint
(`…/search?scope=…`) offers exactly them, so another area's person or customer is neither found
nor accepted. portal.people_picker and portal.customer_picker are the two registries.
"""
from collections.abc import Callable

from flask import abort, request
from flask_login import current_user
from sqlalchemy import Select

from portal.htmx import render
from portal.kernel.forms import Kind


class Pickers:
    """The scopes of one kind of picker (people, customers) by name."""

    def __init__(self, kind: Kind):
        self.kind = kind
        #: Scope name → function(viewer) → select of what the viewer may choose there.
        self.scopes: dict[str, Callable[..., Select]] = {}

    def scope(self, name: str):
        """Register a picker's scope (a decorator)."""
        def register(function):
            assert self.scopes.get(name, function) is function, f"picker scope {name} twice"
            self.scopes[name] = function
            return function
        return register

    def choices_for(self, name: str, viewer) -> Select:
        """What the viewer may choose in this scope."""
        return self.scopes[name](viewer)

    def bind(self, field, viewer=None):
        """Give a picker field what its scope allows the viewer (the signed-in person)."""
        field.choose_from(self.choices_for(field.scope, viewer or current_user))
        return field

    def search(self):
        """The response of the search endpoint: the scope's items whose name or key contains the
        typed text, the options of the combobox (`?scope=…&field=NAME&NAME=text`, as htmx sends
        the input). An unknown scope is a 404; no scope named, no one (the page answers, empty)."""
        name = request.args.get("scope", "")
        if name and name not in self.scopes:
            abort(404)
        field = request.args.get("field", "q")
        field = field if field.isidentifier() else "q"
        text = request.args.get(field, "")
        found = self.kind.search(self.choices_for(name, current_user), text) if name else []
        return render("_picker_options.html", found=found, kind=self.kind, field=field, text=text)
