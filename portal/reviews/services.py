"""Logic of the reviews module: tags, a practice drawn from a review, period kinds."""
import re


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
