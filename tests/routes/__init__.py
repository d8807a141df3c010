"""The audience of every route, one file per module, gathered for the role × URL matrix.

Each `tests/routes/<module>.py` defines:
- ROUTES: {endpoint: set of demo usernames who may GET it, out of EVERYONE, or PUBLIC};
- POST_ONLY: the endpoints that take POST only;
- sample_args(org): {url argument: a value naming a record that exists}, names unique across
  modules (say `meeting_id`, not `id`).
"""
import importlib
import pkgutil

PUBLIC = "public"
EVERYONE = frozenset({"staff1", "manager1", "hr", "admin"})


def _modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{__name__}.{info.name}")


def _merge(dicts, what):
    merged = {}
    for d in dicts:
        clash = set(merged) & set(d)
        assert not clash, f"{what} defined twice: {clash}"
        merged.update(d)
    return merged


def collect_routes() -> dict:
    """Every module's ROUTES in one dict."""
    return _merge((m.ROUTES for m in _modules()), "route")


def collect_post_only() -> set:
    """Every module's POST_ONLY in one set."""
    return set().union(*(getattr(m, "POST_ONLY", set()) for m in _modules()))


def collect_sample_args(org) -> dict:
    """Every module's sample URL arguments in one dict."""
    return _merge((m.sample_args(org) for m in _modules() if hasattr(m, "sample_args")),
                  "URL argument")
