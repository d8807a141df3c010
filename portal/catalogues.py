"""The translation catalogues: extract, update, compile and check them (`flask --app wsgi i18n …`).

The core catalogue (`translations/`) holds the strings of everything that is not a module with a
catalogue of its own (`portal/<module>/translations/`, for `portal/<module>/` and
`templates/<module>/`). A catalogue per module lets modules grow without touching each other's
files; at run time Flask-Babel merges them.
"""
import os
from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

from portal import ROOT

LOCALES = ["zh_Hans_CN"]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]


@dataclass(frozen=True)
class Domain:
    """One catalogue: where it lives and which source files it covers."""

    name: str
    directory: Path
    sources: tuple[Path, ...]

    def owns(self, path: Path) -> bool:
        """Whether a source file's strings belong in this catalogue."""
        return any(path.is_relative_to(s) for s in self.sources)


def domains() -> list[Domain]:
    """The module catalogues, then the core one."""
    found = []
    for directory in sorted((ROOT / "portal").glob("*/translations")):
        module = directory.parent.name
        found.append(Domain(module, directory,
                            (ROOT / "portal" / module, ROOT / "templates" / module)))
    found.append(Domain("core", ROOT / "translations", (ROOT / "portal", ROOT / "templates")))
    return found


def owner(path: Path, all_domains: list[Domain]) -> Domain:
    """The first catalogue that owns this file (modules before core)."""
    return next(d for d in all_domains if d.owns(path))


def extract() -> dict[str, Catalog]:
    """Every translatable string of the code, as one template catalogue per domain."""
    all_domains = domains()
    templates = {d.name: Catalog(project="portal", charset="utf-8") for d in all_domains}
    for top in ("portal", "templates"):
        for filename, lineno, message, comments, context in extract_from_dir(
                ROOT / top, METHODS, keywords=KEYWORDS, strip_comment_tags=True):
            path = ROOT / top / filename
            if "translations" in path.parts:
                continue
            domain = owner(path, all_domains)
            templates[domain.name].add(message, locations=[(str(path.relative_to(ROOT)), lineno)],
                                       auto_comments=comments, context=context)
    return templates


def po_path(domain: Domain, locale: str) -> Path:
    """Where a domain's catalogue of a locale lives."""
    return domain.directory / locale / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str) -> Catalog:
    """A catalogue from its .po file, or an empty one."""
    if not path.exists():
        return Catalog(locale=locale, project="portal", charset="utf-8")
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def problems() -> list[str]:
    """Every string of the code missing from, or untranslated in, its catalogue."""
    found = []
    templates = extract()
    for domain in domains():
        for locale in LOCALES:
            catalog = load(po_path(domain, locale), locale)
            for message in templates[domain.name]:
                if not message.id:
                    continue
                entry = catalog.get(message.id, message.context)
                where = ", ".join(f"{f}:{n}" for f, n in message.locations[:1])
                if entry is None:
                    found.append(f"{locale} [{domain.name}] missing: {message.id!r} ({where})")
                elif entry.fuzzy or not (all(entry.string) if isinstance(entry.string, tuple)
                                         else entry.string):
                    found.append(f"{locale} [{domain.name}] untranslated: {message.id!r} ({where})")
    return found + clashes()


def clashes() -> list[str]:
    """Strings two catalogues translate differently. Flask-Babel merges every catalogue into one
    table at run time, so such a string would read the same everywhere, whichever catalogue came
    last: give it one translation, or a more precise English text (or a context) where it means
    different things."""
    found = []
    for locale in LOCALES:
        seen: dict[tuple, dict[str, str]] = {}
        for domain in domains():
            for message in load(po_path(domain, locale), locale):
                if message.id and message.string:
                    seen.setdefault((message.id, message.context), {})[domain.name] = message.string
        for (msgid, _context), by_domain in seen.items():
            if len(set(by_domain.values())) > 1:
                versions = ", ".join(f"{text!r} in {name}" for name, text in by_domain.items())
                found.append(f"{locale} clash: {msgid!r} is {versions}")
    return found


i18n = AppGroup("i18n", help="Extract, update, compile and check the translation catalogues.")


@i18n.command("update")
@click.option("--domain", "only", help="Only this catalogue: a module's name, or core.")
def update_command(only: str | None) -> None:
    """Bring the catalogues up to date with the code; new strings arrive untranslated."""
    templates = extract()
    for domain in domains():
        if only and domain.name != only:
            continue
        for locale in LOCALES:
            path = po_path(domain, locale)
            catalog = load(path, locale)
            catalog.update(templates[domain.name], no_fuzzy_matching=True)
            catalog.obsolete.clear()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as f:
                write_po(f, catalog, width=100, omit_header=False, sort_output=True,
                         include_lineno=False)
            click.echo(f"{path.relative_to(ROOT)}: {len(catalog)} strings")


def compile_all() -> None:
    """Compile every .po file to the .mo file Flask-Babel reads."""
    for domain in domains():
        for locale in LOCALES:
            path = po_path(domain, locale)
            if path.exists():
                # Written aside, then renamed: a process reading it meanwhile (a second test run,
                # a running server) sees the old file or the new one, never half of one.
                target = path.with_suffix(".mo")
                partial = target.with_suffix(f".mo.{os.getpid()}")
                with partial.open("wb") as f:
                    write_mo(f, load(path, locale))
                os.replace(partial, target)


@i18n.command("compile")
def compile_command() -> None:
    """Compile every .po file to the .mo file Flask-Babel reads."""
    compile_all()


@i18n.command("fill")
@click.argument("domain")
@click.argument("translations", type=click.File("rb"))
def fill_command(domain: str, translations) -> None:
    """Set translations from a JSON object {"English text": "中文", ...} in one catalogue."""
    import json

    wanted = json.load(translations)
    target = next((d for d in domains() if d.name == domain), None)
    if target is None:
        raise click.ClickException(f"no catalogue named {domain}")
    for locale in LOCALES:
        path = po_path(target, locale)
        catalog = load(path, locale)
        for message in catalog:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if message.id and key in wanted:
                value = wanted[key]
                if isinstance(message.id, tuple):
                    value = tuple(value) if isinstance(value, list) else (value,)
                message.string = value
                message.flags.discard("fuzzy")
        with path.open("wb") as f:
            write_po(f, catalog, width=100, sort_output=True, include_lineno=False)
    click.echo(f"{len(wanted)} translations applied to {domain}")


@i18n.command("check")
def check_command() -> None:
    """Fail when a string of the code is missing from its catalogue or has no translation."""
    found = problems()
    for line in found:
        click.echo(line)
    if found:
        raise click.ClickException(f"{len(found)} strings need translating")
    click.echo("every string is translated")
