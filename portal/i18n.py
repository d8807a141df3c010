"""Choosing the UI language (the user's stored choice, then the session's, then the browser's) and
the compiled catalogue it is read from."""
import os
from pathlib import Path

from flask import current_app, g, request, session
from flask_babel import get_translations
from flask_login import current_user

#: The primary language tag of a browser's entry, mapped to the locale we serve.
_PRIMARY_TAGS = {"zh": "zh_Hans_CN", "en": "en"}


def locale_from_accept_language(header_values) -> str | None:
    """The first browser language we serve, by primary tag, in the browser's order of preference.

    Werkzeug's best_match and Babel's negotiate_locale both pick English for a typical Chinese
    browser (`zh-CN,zh;q=0.9,en;q=0.8`), so the mapping is explicit.
    """
    for value, _quality in header_values:
        primary = value.replace("_", "-").split("-")[0].lower()
        if primary in _PRIMARY_TAGS:
            return _PRIMARY_TAGS[primary]
    return None


def select_locale() -> str:
    """The locale of the current request."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return (locale_from_accept_language(request.accept_languages)
            or current_app.config["BABEL_DEFAULT_LOCALE"])


def catalogue_files(directory: Path) -> list[Path]:
    """The .po files of a translations folder, one per locale."""
    return sorted(directory.glob("*/LC_MESSAGES/messages.po"))


def compile_catalogue(po: Path, mo: Path) -> None:
    """Compile a .po file to the .mo file Flask-Babel reads.

    Written aside, then renamed: a process reading it meanwhile (another worker starting, a second
    test run) sees the old file or the new one, never half of one.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_suffix(f".mo.{os.getpid()}")
    try:
        with partial.open("wb") as f:
            write_mo(f, catalog)
        os.replace(partial, mo)
    finally:
        partial.unlink(missing_ok=True)


def _stale(po: Path, mo: Path) -> bool:
    return not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime


def translation_directory(root: Path, instance_path: str) -> str:
    """The folder Flask-Babel reads the compiled catalogue from.

    An installed wheel carries the .mo files only (setup.py compiles them), and they are used
    as they are. A checkout carries the .po files: any .mo missing or older than its .po is
    compiled here, at start, into the checkout, or into the instance folder when the checkout is
    read-only, so no way of starting the portal serves a Chinese browser an English page.
    """
    source = root / "translations"
    stale = [po for po in catalogue_files(source) if _stale(po, po.with_suffix(".mo"))]
    if not stale:
        return str(source)
    try:
        for po in stale:
            compile_catalogue(po, po.with_suffix(".mo"))
        return str(source)
    except OSError:
        target = Path(instance_path) / "translations"
        for po in catalogue_files(source):
            mo = target / po.relative_to(source).with_suffix(".mo")
            if _stale(po, mo):
                compile_catalogue(po, mo)
        return str(target)


def translations():
    """The current translations, looked up once per request (bench/hot_pages.py: a template's
    `_()` went through Flask-Babel's domain, context and locale lookups on every call, ~250 calls
    a page). Kept where Flask-Babel itself keeps them (`babel_translations` on its context in
    `g`), which `force_locale` clears and restores and `refresh` drops, so a forced language (an
    e-mail, a printed form) still gets its own."""
    try:
        context = g._flask_babel
    except (AttributeError, RuntimeError):  # not looked up yet in this context, or no context
        return get_translations()
    cached = getattr(context, "babel_translations", None)
    if cached is None:
        cached = context.babel_translations = get_translations()
    return cached
