"""Values as people write them in a spreadsheet: dates, amounts, codes, and the header row.

Each parser takes what the reader gave (text, number, date or datetime) and returns the value or
raises ValueError with a message for the user (a lazy string) that says why.
"""
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

#: Excel's day 0 (the 1900 date system, with its 1900-02-29 that never was).
EXCEL_EPOCH = date(1899, 12, 30)
#: Serial numbers read as dates: 1954-10-04 … 2119-01-15 (plain counts are smaller or bigger).
SERIAL_RANGE = (20000, 80000)
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_TIME = re.compile(r"(?:[T\s]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?|\s*\d{1,2}时\d{1,2}分.*)$")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>")
_CURRENCY = re.compile(r"^(rmb|cny)|[¥￥$]|元$|(rmb|cny)$", re.IGNORECASE)
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def normalise(text: str) -> str:
    """NFKC (full-width digits, letters and brackets to their plain forms), trimmed.

    Raises ValueError for digits of other scripts (Arabic-Indic …) that NFKC leaves as they are
    and that Python's int() and Decimal() would otherwise quietly accept.
    """
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise ValueError(_l("Write numbers with the digits 0-9."))
    return text


def header_key(text) -> str:
    """A header cell as compared with the synonyms: NFKC, lower case, units in brackets and
    spaces, underscores and colons dropped (`金额（元）` and `Amount (¥)` become 金额, amount)."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = _BRACKETS.sub("", text)
    return re.sub(r"[\s_:*：\-]+", "", text)


def find_header(rows: list[list], synonyms: dict[str, tuple], required: tuple,
                search: int = 15) -> tuple[int, dict[str, int]] | None:
    """(index of the header row, column key → cell index), the header being the first of the
    first `search` rows that names every required column; None when there is none."""
    lookup = {header_key(word): key for key, words in synonyms.items() for word in words}
    for index, row in enumerate(rows[:search]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            key = lookup.get(header_key(cell))
            if key and key not in found:
                found[key] = position
        if all(key in found for key in required):
            return index, found
    return None


def best_header_guess(rows: list[list], synonyms: dict[str, tuple], search: int = 15):
    """(row index, found keys) of the row naming the most columns: for the error message."""
    lookup = {header_key(word): key for key, words in synonyms.items() for word in words}
    best = (0, set())
    for index, row in enumerate(rows[:search]):
        found = {lookup[header_key(c)] for c in row if header_key(c) in lookup}
        if len(found) > len(best[1]):
            best = (index, found)
    return best


def text(value) -> str:
    """A cell as text: 1001.0 (a code Excel stored as a number) is "1001"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).replace("\x00", "").strip()


def code(value) -> str:
    """A code (customer, product line, person): text, NFKC, upper case."""
    return unicodedata.normalize("NFKC", text(value)).strip().upper()


def parse_date(value, earliest: date | None = None, latest: date | None = None) -> date:
    """A date from a date cell, an Excel serial number, or text written 2026-11-03, 2026/11/3,
    2026.11.3, 20261103 or 2026年11月3日 (a time part is ignored). 11/3/2026 is refused as
    ambiguous (3 November or 11 March?). The date must lie within [earliest, latest]."""
    day = _to_date(value)
    if earliest and day < earliest:
        raise ValueError(_l("The date is before %(day)s: not a plausible sale date.",
                            day=earliest.isoformat()))
    if latest and day > latest:
        raise ValueError(_l("The date is after %(day)s.", day=latest.isoformat()))
    return day


def _serial(number: float) -> date:
    if not SERIAL_RANGE[0] <= number < SERIAL_RANGE[1]:
        raise ValueError(_l("The number %(n)s is not a date.", n=text(number)))
    return EXCEL_EPOCH + timedelta(days=int(number))


def _to_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(_l("The date is missing."))
    if isinstance(value, int | float):
        return _serial(float(value))
    written = normalise(text(value))
    if not written:
        raise ValueError(_l("The date is missing."))
    written = _TIME.sub("", written).strip()
    match = _YMD.match(written) or _COMPACT.match(written)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValueError(_l("%(text)s is not a day of the calendar.", text=written)) from None
    if re.fullmatch(r"\d{5}(\.\d+)?", written):
        return _serial(float(written))
    if _DMY.match(written):
        raise ValueError(_l("%(text)s is ambiguous (day or month first?): write the year first, "
                            "like 2026-11-03.", text=written))
    raise ValueError(_l("%(text)s is not a date like 2026-11-03 or 2026年11月3日.", text=written))


def parse_amount(value, maximum: Decimal = Decimal("999999999999.99"),
                 positive: bool = True) -> Decimal:
    """Yuan to the cent from a number cell or text with ¥/￥/元, thousands separators and
    full-width digits; float noise (3.3000000000000003, a formula's result) is rounded to cents,
    a real third decimal (3.335) is refused."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_l("The amount is missing."))
    if isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, int | Decimal):
        amount = Decimal(value)
    else:
        written = normalise(text(value))
        cleaned = _CURRENCY.sub("", written.replace(" ", "")).strip()
        if "," in cleaned:
            if not _GROUPED.match(cleaned):
                raise ValueError(_l("%(text)s: the thousands separators are not where they "
                                    "belong (a decimal comma?).", text=written))
            cleaned = cleaned.replace(",", "")
        if not cleaned:
            raise ValueError(_l("The amount is missing."))
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(_l("%(text)s is not an amount of yuan.", text=written)) from None
    if not amount.is_finite():
        raise ValueError(_l("The amount is not a number."))
    if abs(amount) > maximum:
        raise ValueError(_l("The amount is larger than %(max)s.", max=maximum))
    try:
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(_l("%(text)s is not an amount of yuan.", text=text(value))) from None
    if abs(amount - cents) > Decimal("0.000001"):
        raise ValueError(_l("%(amount)s has more than two decimals.", amount=text(value)))
    if positive and cents <= 0:
        raise ValueError(_l("The amount must be more than zero."))
    if abs(cents) > maximum:
        raise ValueError(_l("The amount is larger than %(max)s.", max=maximum))
    return cents
