"""List pages: search, a whitelisted sort, pagination, and links that carry only the list's own
parameters (never `request.args` whole: `_anchor` or `_method` would reach `url_for`).

A view builds one `Listing`, hands its select to `listing.apply(...)` and `listing.paginate(...)`,
and the templates' `page_url`/`sort_url` read it back from `g`.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import current_app, g, request, url_for
from sqlalchemy import Select, and_, func, literal, or_, select

from portal.extensions import db

#: Arguments every list understands besides its own filters.
COMMON = ("q", "sort", "page", "per_page", "after", "before")
#: The arguments that say where a list is (its page or keyset cursor), dropped when it is sorted
#: again or exported.
POSITION = ("page", "after", "before")
MAX_SEARCH = 100
#: Keyset pages count the rows up to this many ("more than 1,000"): an exact count of a big
#: table is a scan of it, whatever page is shown.
COUNT_CAP = 1000


def count_rows(query: Select, cap: int | None = None) -> int:
    """The number of rows the query gives (up to cap + 1 with a cap), counted over its FROMs and
    conditions with one constant for its columns: a subquery of an entity's select proxies every
    column of it, which cost more Python than the count took to run. A DISTINCT select is counted
    over its own columns, which are what it is distinct on."""
    body = query.order_by(None)
    if not (query._distinct or query._distinct_on):
        body = body.with_only_columns(literal(1), maintain_column_froms=True)
    if cap is not None:
        body = body.limit(cap + 1)
    return db.session.scalar(select(func.count()).select_from(body.subquery()))


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
        #: Filters whose typed value was resolved (a person's name → their id; see `resolve`).
        self.resolved: dict = {}
        g.listing = self

    # --- reading the request --------------------------------------------------------------
    @property
    def q(self) -> str:
        """The typed search, trimmed and bounded."""
        return (request.args.get("q") or "").strip()[:MAX_SEARCH]

    def get(self, name: str, type=None, default=None):
        """A filter's value (only declared filters are read)."""
        assert name in self.filters or name in COMMON, f"{name} is not a filter of this list"
        if name in self.resolved:
            return self.resolved[name] if self.resolved[name] is not None else default
        return request.args.get(name, default, type=type)

    def resolve(self, name: str, value) -> None:
        """Give a filter its resolved value (an id for a typed name), read back by `get`."""
        self.resolved[name] = value

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

    def paginate(self, query: Select, per_page: int | None = None, total: int | None = None):
        """One page of the query (Flask-SQLAlchemy's Pagination; out-of-range pages are empty).
        `total`: the number of rows when the caller has already counted them (no COUNT)."""
        page = db.paginate(query, per_page=per_page or current_app.config["PER_PAGE"],
                           max_per_page=200, error_out=False, count=False)
        page.total = count_rows(query) if total is None else total
        return page

    def pages(self, query: Select, key, tiebreak, *, nullable: bool = False,
              descending: bool | None = None, per_page: int | None = None):
        """One page of a big list: by keyset (`keyset`) while the list is in its default sort
        key (either direction), else numbered pages of the query as `order` sorted it."""
        default = (self.default_sort or "").lstrip("-")
        if default and self.sort.lstrip("-") != default:
            return self.paginate(query, per_page)
        if descending is None:
            descending = self.descending
        return self.keyset(query, key, tiebreak, nullable=nullable, descending=descending,
                           per_page=per_page)

    def keyset(self, query: Select, key, tiebreak, *, nullable: bool = False,
               descending: bool = True, per_page: int | None = None) -> "KeysetPage":
        """The page after (`after=`) or before (`before=`) a row, by (key, tiebreak): no OFFSET,
        so the hundredth page costs what the first does (with an index on the key, or a scope
        small enough to sort). The query's own order is replaced by (key, tiebreak) in one
        direction; a nullable key puts its NULLs last either way. The cursor is the key and the
        tiebreak (an id) of the row at the page's edge, e.g. `after=2026-05-01~1234`."""
        size = _per_page(per_page)
        python_type = _python_type(key)
        after = _cursor(request.args.get("after"), python_type)
        before = None if after else _cursor(request.args.get("before"), python_type)
        backwards = before is not None
        direction = descending != backwards  # the direction the rows are read in
        body = query.order_by(None)
        if after:
            body = body.where(_beyond(key, tiebreak, after, direction, nullable))
        elif before:
            body = body.where(_beyond(key, tiebreak, before, direction, nullable,
                                      nulls_first=True))
        order = [c.desc() if direction else c.asc() for c in (key, tiebreak)]
        if nullable:  # NULLs last going forwards, so first going backwards
            order.insert(0, key.is_(None) if not backwards else key.is_not(None))
        rows = db.session.execute(body.add_columns(key, tiebreak).order_by(*order)
                                  .limit(size + 1)).all()
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        single = len(query.column_descriptions) == 1
        items = [row[0] if single else tuple(row[:-2]) for row in rows]
        edges = [(row[-2], row[-1]) for row in rows]
        has_prev = (more if backwards else after is not None) and bool(rows)
        has_next = (more if not backwards else True) and bool(rows)
        total = count_rows(query, cap=COUNT_CAP)
        return KeysetPage(
            items=items, per_page=size, total=min(total, COUNT_CAP),
            total_capped=total > COUNT_CAP, has_prev=has_prev, has_next=has_next,
            prev_url=self.url(before=_encode(*edges[0]), after=None, page=None)
            if has_prev else None,
            next_url=self.url(after=_encode(*edges[-1]), before=None, page=None)
            if has_next else None,
            first_url=self.url(after=None, before=None, page=None))

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
        return self.url(sort=f"-{column}" if self.sort == column else column, page=None,
                        after=None, before=None)


@dataclass
class KeysetPage:
    """A page of a keyset list: its rows and the links to the pages beside it. The pagination
    macro shows Previous/Next (and First) for it instead of page numbers."""

    items: list
    per_page: int
    total: int
    #: More rows than COUNT_CAP: `total` is the cap.
    total_capped: bool
    has_prev: bool
    has_next: bool
    prev_url: str | None
    next_url: str | None
    first_url: str
    keyset: bool = True

    @property
    def pages(self) -> int:
        return 2 if self.has_prev or self.has_next else 1


def _per_page(asked: int | None) -> int:
    size = asked or request.args.get("per_page", type=int) or current_app.config["PER_PAGE"]
    return max(1, min(size, 200))


def _python_type(key):
    try:
        return key.type.python_type
    except NotImplementedError:
        return str


_SEPARATOR = "~"


def _encode(value, row_id) -> str:
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat")
                                     else str(value))
    return f"{text}{_SEPARATOR}{row_id}"


def _cursor(text: str | None, python_type):
    """(key value, id) from a cursor argument, or None when there is none or it is garbled."""
    if not text or _SEPARATOR not in text:
        return None
    value, _sep, row_id = text.rpartition(_SEPARATOR)
    try:
        row_id = int(row_id)
        if not -2**31 <= row_id < 2**31:
            return None
        if value == "":
            return (None, row_id)
        if python_type is datetime:
            return (datetime.fromisoformat(value), row_id)
        if python_type is date:
            return (date.fromisoformat(value), row_id)
        if python_type is int:
            number = int(value)
            return (number, row_id) if -2**31 <= number < 2**31 else None
        if python_type is Decimal:
            return (Decimal(value), row_id)
        return (value[:MAX_SEARCH], row_id)
    except (ValueError, InvalidOperation):
        return None


def _beyond(key, tiebreak, cursor, descending: bool, nullable: bool, nulls_first=False):
    """Rows after the cursor in the order (key, tiebreak), both descending or both ascending.
    Written `key <= v AND (key < v OR id < i)` rather than as a row comparison, so that an index
    on the key alone gives the Index Cond. NULL keys sort last (`nulls_first`: first, for the
    backwards read)."""
    value, row_id = cursor
    if descending:
        key_past, key_within, id_past = key < value, key <= value, tiebreak < row_id
    else:
        key_past, key_within, id_past = key > value, key >= value, tiebreak > row_id
    if value is None:
        if not nullable:
            return tiebreak.is_(None)  # a NULL cursor on a NOT NULL key: nothing
        null_rows = and_(key.is_(None), tiebreak < row_id if descending else tiebreak > row_id)
        return null_rows if not nulls_first else or_(null_rows, key.is_not(None))
    within = and_(key_within, or_(key_past, id_past))
    if nullable and not nulls_first:
        return or_(within, key.is_(None))
    return within


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
    args = {k: v for k, v in args.items() if not k.startswith("_") and k not in POSITION}
    args.update(changes)
    return args
