"""Template filters and globals: locale-aware dates, numbers, percentages, hours and money; a
label's colon; navigation; pagination."""
import json
from decimal import Decimal
from functools import lru_cache

from babel import Locale

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from portal.i18n import translations
from portal.kernel.formats import colon, comma, hours, percent
from portal.kernel.lists import list_args, page_url, sort_url
from portal.navigation import main_nav


def money(value) -> str:
    """An amount in yuan, formatted for the reader's locale (e.g. ¥12,345.00): what Babel's
    format_currency does, with the locale's pattern looked up once (a statement list writes a
    hundred amounts)."""
    if value is None:
        return ""
    locale, pattern = _currency_pattern(str(get_locale() or "en"))  # outside a request: English
    return pattern.apply(Decimal(value), locale, currency="CNY", currency_digits=True)


@lru_cache(maxsize=8)
def _currency_pattern(locale_name: str):
    locale = Locale.parse(locale_name)
    return locale, locale.currency_formats["standard"]


def install_gettext(app: Flask) -> None:
    """Jinja's `_`, `gettext`, `ngettext`, `pgettext`, `npgettext` through `translations()`
    (replacing Flask-Babel's, which look the translations up on every call)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    # `_` straight to `gettext`, not through Jinja's alias, which looks `gettext` up in the
    # context and calls it again on every use (~2 µs of a page's few hundred `_()`).
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"]


def register(app: Flask) -> None:
    """Install the filters and globals."""
    install_gettext(app)
    app.jinja_env.filters.update(
        date=lambda d, fmt="medium": format_date(d, fmt) if d else "",
        datetime=lambda d, fmt="medium": format_datetime(d, fmt) if d else "",
        number=lambda n: format_decimal(n) if n is not None else "",
        percent=percent,
        hours=hours,
        colon=colon,
        money=money,
        pretty_json=lambda v: json.dumps(v, ensure_ascii=False, indent=1, sort_keys=True),
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        comma=comma,
        main_nav=main_nav,
        page_url=page_url,
        list_args=list_args,
        sort_url=sort_url,
        languages=lambda: current_app.config["LANGUAGES"],
    )
