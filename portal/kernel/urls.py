"""The one check of a `next` URL: a path on this site, or nothing (no open redirects)."""
import re
from urllib.parse import unquote, urlsplit

from flask import redirect, request

#: Control characters and white space: browsers and Werkzeug strip some of them (a tab in
#: `/%09/evil.example`), which turns a path into a scheme-relative URL after the check.
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
#: The same once percent-decoded (`/%09/evil.example` arriving encoded twice), space allowed.
_ENCODED_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site, else None.

    Refused: anything with a control character or white space, a scheme or host, a
    scheme-relative (`//host`) or backslash form (`/\\host`, which browsers read as `//host`),
    and the same forms percent-encoded in the path (`/%09/evil.example`, `/%5Cevil`).
    """
    if not target or _CONTROL.search(target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if _ENCODED_CONTROL.search(path) or path.startswith("//"):
        return None
    return target


def redirect_next(default: str, code: int = 303):
    """Redirect to the request's `next` (form field or query argument) when safe, else default."""
    target = safe_next(request.form.get("next") or request.args.get("next"))
    return redirect(target or default, code=code)
