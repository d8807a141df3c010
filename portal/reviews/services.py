"""Logic of the reviews module: safe Markdown, tags, and which actions carry over."""
import re

import markdown
import nh3
from markupsafe import Markup

#: The HTML the rendered Markdown may keep; everything else (scripts, styles, event handlers,
#: hx-* attributes, javascript: links) is dropped by nh3.
ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i",
                "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
                "tr", "th", "td", "del"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> Markup:
    """Markdown as HTML that is safe to show: rendered, then cleaned with an allow-list."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)


def normalise_tags(text: str) -> str:
    """Tags as typed (commas, spaces, Chinese commas) → lower-case, unique, space-separated."""
    parts = [p.strip().lower() for p in re.split(r"[\s,，;；、#]+", text or "")]
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            seen.setdefault(part[:40], None)
    return " ".join(seen)


def practice_from_review(review) -> tuple[str, str]:
    """A title and a Markdown body to start a best practice from a review."""
    title = f"{review.area.name} {review.period}"
    sections = []
    if review.went_well:
        sections.append("## 做得好的 / What went well\n\n" + review.went_well)
    if review.changes:
        sections.append("## 改进措施 / Changes\n\n" + review.changes)
    return title, "\n\n".join(sections)


def period_kind(key: str) -> str | None:
    """'monthly' for 2026-11, 'quarterly' for 2026-Q4, None otherwise."""
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", key or ""):
        return "monthly"
    if re.fullmatch(r"\d{4}-Q[1-4]", key or ""):
        return "quarterly"
    return None
