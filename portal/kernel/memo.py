"""Values worked out once per request."""
from flask import has_request_context, request


def per_request(name: str, key, read):
    """read() once per request for this name and key (outside a request: every time). Kept on
    the request object, not `g`, which can outlive a request (an app context pushed around
    several, as in tests or a worker)."""
    cache = request.__dict__.setdefault(name, {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = read()
    return cache[key]
