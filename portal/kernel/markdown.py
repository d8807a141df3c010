"""User-written Markdown (meeting notes, best practices, posts) as HTML that is safe to show."""
import markdown as _markdown
import nh3
from markupsafe import Markup

#: The HTML rendered Markdown may keep (formatting only, no attributes but a link's href and
#: title and a cell's alignment); nh3 drops everything else (scripts, styles, event
#: handlers, hx-* attributes, javascript: links).
ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i",
                "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
                "tr", "th", "td", "del"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    """Markdown rendered, then cleaned with the allow-list; links open without the opener."""
    html = _markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                            url_schemes=URL_SCHEMES, link_rel="noopener noreferrer"))
