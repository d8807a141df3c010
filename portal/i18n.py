"""Choosing the UI language: the user's stored choice, then the session's, then the browser's."""
from pathlib import Path

from flask import current_app, request, session
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


def translation_directories(root: Path) -> list[str]:
    """The core catalogue and one per module (`portal/<module>/translations`), merged at run time.

    A catalogue per module lets modules grow their strings without touching each other's files.
    """
    dirs = [root / "translations"]
    dirs += sorted(p for p in (root / "portal").glob("*/translations") if p.is_dir())
    return [str(d) for d in dirs]
