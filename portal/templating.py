"""Template filters and globals: locale-aware dates, numbers, percentages, hours and money; a
label's colon; navigation; pagination."""
import json
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel import dates as babel_dates

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from portal.i18n import translations
from portal.kernel.formats import colon, comma, hours, percent
from portal.kernel.lists import list_args, page_url, sort_url
from portal.navigation import main_nav


def money(value) -> str:
    """An amount in yuan, formatted for the reader's locale (e.g. ¥12,345.00): what Babel's
    format_currency writes, with the locale's shape worked out once (a statement list writes a
    hundred amounts, and Babel's pattern takes ~40 µs an amount)."""
    if value is None:
        return ""
    value = Decimal(value)
    locale_name = str(get_locale() or "en")  # outside a request: English
    shape = _money_shape(locale_name)
    return _babel_money(value, locale_name) if shape is None else _by_shape(shape, value)


def _by_shape(shape, value: Decimal) -> str:
    """An amount written in a shape of _money_shape: its sign's text around the grouped digits."""
    positive, negative, separators = shape
    before, after = negative if value.is_signed() else positive
    return before + format(abs(value), ",.2f").translate(separators) + after


def _babel_money(value: Decimal, locale_name: str) -> str:
    locale = Locale.parse(locale_name)
    return locale.currency_formats["standard"].apply(value, locale, currency="CNY",
                                                     currency_digits=True)


#: Amounts the shape is checked against Babel on: signs, zero, rounding, grouping.
_MONEY_CHECKS = ("0", "-0.001", "0.125", "0.135", "-0.005", "7", "-12.5", "999.995",
                 "1234567.891", "-98765432.1")


@lru_cache(maxsize=8)
def _money_shape(locale_name: str):
    """What Babel writes around an amount of CNY in this locale, positive and negative, and its
    separators, read off Babel's own output: ((before, after), (before, after), table), or None
    when the locale's pattern is not that simple (grouping other than by threes, say), or the
    shape writes any of the checks differently from Babel: then every amount goes to Babel."""
    shapes = [re.fullmatch(r"(\D*?)1(?P<g>\D+)234(?P=g)567(\D+)89(\D*)",
                           _babel_money(Decimal(v), locale_name))
              for v in ("1234567.89", "-1234567.89")]
    if not all(shapes) or shapes[0].group(2, 3) != shapes[1].group(2, 3):
        return None
    group, decimal = shapes[0].group(2, 3)
    shape = ((shapes[0].group(1), shapes[0].group(4)), (shapes[1].group(1), shapes[1].group(4)),
             str.maketrans({",": group, ".": decimal}))
    if any(_by_shape(shape, check) != _babel_money(check, locale_name)
           for check in map(Decimal, _MONEY_CHECKS)):
        return None
    return shape


def date_filter(value, fmt: str = "medium") -> str:
    """The `date` filter: a day as the reader's locale writes it; a datetime's day in the
    reader's time zone (Flask-Babel's format_date); nothing for none."""
    if not value:
        return ""
    if type(value) is not date:  # a datetime: rebased to the reader's zone first
        return format_date(value, fmt)
    return _format_day(value, fmt, str(get_locale() or "en"))


@lru_cache(maxsize=4096)
def _format_day(day: date, fmt: str, locale_name: str) -> str:
    """Remembered: a list writes the same few days many times (~25 µs each through Babel).
    Babel's own names for the formats ("medium", ...), as Flask-Babel passes them on when the
    app sets no BABEL date formats of its own (it sets none)."""
    return babel_dates.format_date(day, fmt, locale=locale_name)


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
        date=date_filter,
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
