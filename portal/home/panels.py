"""Home-page panels contributed by the modules.

A module registers a function that takes the current user and returns the context of its panel
template, or None when it has nothing to show that person.
"""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Panel:
    """One panel: its template and the function that fills it."""

    template: str
    build: Callable
    order: int


PANELS: list[Panel] = []


def panel(template: str, order: int = 50):
    """Register a function as the builder of a home-page panel."""

    def decorator(build: Callable) -> Callable:
        PANELS.append(Panel(template, build, order))
        PANELS.sort(key=lambda p: p.order)
        return build

    return decorator


def panels_for(user, skip=frozenset()) -> list[tuple[str, dict]]:
    """The (template, context) of every panel that has something for this user, except the
    panels whose templates are in `skip` (a dashboard already shows what they would)."""
    built = ((p.template, p.build(user)) for p in PANELS if p.template not in skip)
    return [(template, context) for template, context in built if context is not None]
