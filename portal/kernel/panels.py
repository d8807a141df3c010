"""Home-page panels: the registry modules contribute to without importing the home page.

A module registers a function that takes the viewer and returns the context of its panel
template, or None when it has nothing to show that person:

    @panel("surveys/_home_panel.html", order=60)
    def surveys_panel(user): ...

The home page (portal.home) lists the registered panels and sends a placeholder per panel;
htmx fetches each one after the page (`home.panel`), so the page itself stays at a fixed, small
number of statements whatever the modules add. The registry lives here, in the kernel, so that
a module's panel depends on nothing but the kernel, and the home page and the role dashboards
may import any module's queries without a cycle.
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


#: Every registered panel, by order.
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
