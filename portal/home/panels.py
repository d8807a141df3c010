"""Home-page panels contributed by the modules.

A module registers a function that takes the current user and returns the context of its panel
template, or None when it has nothing to show that person. The home page sends a placeholder per
panel and htmx fetches each one after the page (`home.panel`): the page itself stays at a fixed,
small number of statements whatever the modules add.
"""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Panel:
    """One panel: its template and the function that fills it."""

    template: str
    build: Callable
    order: int

    @property
    def name(self) -> str:
        """Its name in the URL: the module's template folder ("meetings/_home_panel.html")."""
        return self.template.split("/", 1)[0]


PANELS: list[Panel] = []


def panel(template: str, order: int = 50):
    """Register a function as the builder of a home-page panel."""

    def decorator(build: Callable) -> Callable:
        PANELS.append(Panel(template, build, order))
        PANELS.sort(key=lambda p: p.order)
        return build

    return decorator


def panels_for(skip=frozenset()) -> list[Panel]:
    """Every panel except those whose templates are in `skip` (a dashboard shows what they would)."""
    return [p for p in PANELS if p.template not in skip]


def panel_named(name: str) -> Panel | None:
    """The registered panel of that name, if any."""
    return next((p for p in PANELS if p.name == name), None)
