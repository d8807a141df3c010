"""List pages: search, a whitelisted sort, pagination, and links that carry only the list's own
parameters (never `request.args` whole: `_anchor` or `_method` would reach `url_for`).

A view builds one `Listing`, hands its select to `listing.apply(...)` and `listing.paginate(...)`,
and the templates' `page_url`/`sort_url` read it back from `g`.
"""
from dataclasses import dataclass, field

from flask import current_app, g, request, url_for
from sqlalchemy import Select, func, or_

from portal.extensions import db

#: Arguments every list understands besides its own filters.
COMMON = ("q", "sort", "page", "per_page")
MAX_SEARCH = 100


def like_pattern(text: str) -> str:
    """`%text%` with the LIKE wildcards in the text escaped (escape character `\\`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def matches(text: str, *columns):
    """A condition: any of the columns contains the text, case-insensitively."""
    pattern = like_pattern(text)
    return or_(*(func.lower(c).like(pattern, escape="\\") for c in columns))


@dataclass
class Listing:
    """One list request: the search text, filters, sort and page, read from a whitelist."""

    #: The list's own filter parameters (query argument names), besides q, sort and page.
    filters: tuple[str, ...] = ()
    #: Sort keys the list offers → column (or a tuple of columns).
    sorts: dict = field(default_factory=dict)
    default_sort: str | None = None
    endpoint: str | None = None
    view_args: dict = field(default_factory=dict)

    def __post_init__(self):
        self.endpoint = self.endpoint or request.endpoint
        self.view_args = dict(self.view_args or request.view_args or {})
        allowed = set(self.filters) | set(COMMON)
        self.args = {k: v for k, v in request.args.items(multi=True) if k in allowed}
        g.listing = self

    # --- reading the request --------------------------------------------------------------
    @property
    def q(self) -> str:
        """The typed search, trimmed and bounded."""
        return (request.args.get("q") or "").strip()[:MAX_SEARCH]

    def get(self, name: str, type=None, default=None):
        """A filter's value (only declared filters are read)."""
        assert name in self.filters or name in COMMON, f"{name} is not a filter of this list"
        return request.args.get(name, default, type=type)

    @property
    def sort(self) -> str:
        """The sort key asked for, if the list offers it, else the default (with its `-`)."""
        asked = request.args.get("sort", "")
        if asked.lstrip("-") in self.sorts:
            return asked
        return self.default_sort or ""

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    # --- applying it ----------------------------------------------------------------------
    def search(self, query: Select, *columns) -> Select:
        """The query narrowed to rows whose columns contain the search text."""
        return query.where(matches(self.q, *columns)) if self.q else query

    def order(self, query: Select, *tiebreak) -> Select:
        """The query sorted by the chosen key (then the tie-breakers, for stable pages)."""
        key = self.sort.lstrip("-")
        if key not in self.sorts:
            return query.order_by(*tiebreak) if tiebreak else query
        columns = self.sorts[key]
        columns = columns if isinstance(columns, tuple) else (columns,)
        ordered = [c.desc() if self.descending else c.asc() for c in columns]
        return query.order_by(*ordered, *tiebreak)

    def paginate(self, query: Select, per_page: int | None = None):
        """One page of the query (Flask-SQLAlchemy's Pagination; out-of-range pages are empty)."""
        return db.paginate(query, per_page=per_page or current_app.config["PER_PAGE"],
                           max_per_page=200, error_out=False)

    # --- links ----------------------------------------------------------------------------
    def url(self, **changes) -> str:
        """This list's URL with some arguments changed (None removes one)."""
        args = {k: v for k, v in request.args.to_dict(flat=False).items() if k in self.args}
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = [str(value)]
        return url_for(self.endpoint, **self.view_args, **args)

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    def sort_url(self, column: str) -> str:
        """Sorted by this column, flipping the direction when it already is."""
        return self.url(sort=f"-{column}" if self.sort == column else column, page=None)


def _fallback_args() -> dict:
    """Without a Listing: the request's arguments less Flask's own options (`_anchor`, …)."""
    return {k: v for k, v in request.args.to_dict(flat=False).items()
            if not k.startswith("_") and k.isidentifier()}


def page_url(page: int) -> str:
    """The current list with another page (template global)."""
    listing = g.get("listing")
    if listing is not None:
        return listing.page_url(page)
    args = _fallback_args()
    args["page"] = [str(page)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def sort_url(column: str) -> str:
    """The current list sorted by a column (template global)."""
    listing = g.get("listing")
    if listing is not None:
        return listing.sort_url(column)
    args = _fallback_args()
    current = request.args.get("sort", "")
    args["sort"] = [f"-{column}" if current == column else column]
    args.pop("page", None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def list_args(**changes) -> dict:
    """The current list's own arguments with some changed, for a link to a sibling view (an
    export of the same filters): `url_for('x.export', **list_args(format='csv'))`. Never the
    request's arguments whole: `_anchor`, `_method` or a second `format` would reach url_for."""
    listing = g.get("listing")
    if listing is not None:
        args = {k: v for k, v in listing.args.items()}
    else:
        args = {k: v[-1] for k, v in _fallback_args().items()}
    args = {k: v for k, v in args.items() if not k.startswith("_")}
    args.update(changes)
    return args
