"""The one way the portal writes a percentage, a number of hours, a label's colon, a list of
names and a run-on list in the reader's language (Babel's locale data and the catalogue). The
template filters `percent`, `hours`, `colon` and the global `comma()` are these; Python code
that builds text (chart titles, flashes) calls them too. docs/glossary.md gives the rules.
"""
import copy
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.units import format_unit
from flask_babel import get_locale
from markupsafe import Markup, escape

from portal.i18n import translations


def percent(value) -> str:
    """A figure already in percent (82.5 for 82.5 %) as the reader's locale writes a percentage,
    with at most one decimal, rounded half up: "80%", "82.5%" in English and Chinese (Babel's
    pattern, so a locale that spaces its sign gets "80 %"); "—" for no figure."""
    if value is None:
        return "—"
    figure = Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)  # 82.45 → 82.5
    return _percent(figure, str(get_locale() or "en"))  # outside a request: English


@lru_cache(maxsize=8192)
def _percent(figure: Decimal, locale_name: str) -> str:
    """Remembered: a page writes dozens of percentages from a few hundred possible figures, and
    Babel's pattern takes ~30 µs a figure."""
    locale = Locale.parse(locale_name)
    pattern = copy.copy(locale.percent_formats[None])
    pattern.frac_prec = (0, 1)
    return pattern.apply(figure / 100, locale)


def hours(value) -> str:
    """A duration in hours as the reader's locale writes it ("8 hours", "1.5 hours", "8小时");
    "—" for none. The one duration format of the UI."""
    if value is None:
        return "—"
    return format_unit(Decimal(value), "duration-hour", length="long", format="#,##0.#",
                       locale=get_locale() or "en")


def colon(label) -> Markup:
    """A label and the colon that introduces its value, as the reader's language writes it:
    "Sort by: " in English, "排序方式：" (full-width, no space) in Chinese."""
    return escape(label) + Markup(escape(_pgettext("punctuation after a label", ": ")))


def join_list(items) -> str:
    """Items of a run-on list ("Urgent: 4 hours, High: 24 hours"), separated as the reader's
    language separates them (a full-width ； in Chinese)."""
    return _pgettext("between the items of a list", ", ").join(str(item) for item in items)


def comma() -> str:
    """What separates the names in a list ("吴婷、孙悦", "Wu Ting, Sun Yue"): the enumeration
    comma 、 in Chinese."""
    return _pgettext("between the names of a list", ", ")


def _pgettext(context: str, message: str) -> str:
    """Flask-Babel's pgettext through the request's translations, looked up once (i18n)."""
    return translations().upgettext(context, message)
