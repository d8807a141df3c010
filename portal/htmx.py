"""The few helpers that let one view answer both a full page and an htmx partial."""
from flask import make_response, render_template, request


def is_htmx() -> bool:
    """Whether htmx sent this request (and is not restoring history, which wants a full page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(page: str, partial: str | None = None, /, status: int = 200, **context):
    """Render the full page, or only its partial for htmx; tell caches the answer varies."""
    template = partial if partial and is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
