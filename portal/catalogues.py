"""The translation catalogue: extract, update, compile and check it (`flask --app wsgi i18n …`).

One catalogue for the whole portal, `translations/<locale>/LC_MESSAGES/messages.po`, extracted by
pybabel from `portal/` and `templates/` as `babel.cfg` maps them. Where the same English means
different things, the code gives it a context (`pgettext("thing", "Name")`), so each reading
has its own entry. The commands run pybabel; by hand the same is

    pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
        --add-location=file --sort-output -w 100 -o messages.pot portal templates
    pybabel update -i messages.pot -d translations --no-fuzzy-matching --ignore-obsolete \
        --ignore-pot-creation-date -w 100
    pybabel compile -d translations

(pybabel compile's format checker takes the "% o" in "If I reach (% of target)" and "Rate (% of
sales)" for a printf placeholder and complains; those labels are never %-formatted, the .mo is
written all the same, and `i18n compile` does not run that checker.)
"""
import json
import re
import tempfile
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

from portal import ROOT
from portal.i18n import catalogue_files, compile_catalogue

LOCALES = ["zh_Hans_CN"]
#: Beside pybabel's defaults (_, gettext, ngettext, pgettext, npgettext, …): Flask-Babel's lazy ones.
KEYWORDS = ["_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"]
SOURCES = ["portal", "templates"]


def translations_dir() -> Path:
    """The catalogue's folder in this checkout."""
    return ROOT / "translations"


def po_path(locale: str) -> Path:
    """Where a locale's catalogue lives."""
    return translations_dir() / locale / "LC_MESSAGES" / "messages.po"


def pybabel(*args: str) -> None:
    """Run a pybabel command from the top of the checkout (babel.cfg's paths are relative)."""
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", *args])
    finally:
        os.chdir(here)


def extract_to(output: Path) -> None:
    """Every translatable string of the code, as a template catalogue (.pot) at output."""
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    pybabel("extract", "-F", "babel.cfg", *keywords, "--add-location=file", "--sort-output",
            "-w", "100", "--project=portal", "-o", str(output), *SOURCES)


def extract() -> Catalog:
    """Every translatable string of the code, read back as a catalogue."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract_to(pot)
        with pot.open("rb") as f:
            return read_po(f)


def load(locale: str) -> Catalog:
    """A locale's catalogue from its .po file."""
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def problems(catalogues: dict[str, Catalog] | None = None) -> list[str]:
    """Every string of the code missing from a catalogue, untranslated there or marked fuzzy.

    catalogues: {locale: catalogue} to check instead of the .po files (the tests use it).
    """
    catalogues = catalogues or {locale: load(locale) for locale in LOCALES}
    found = []
    template = extract()
    for locale, catalog in catalogues.items():
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id, message.context)
            where = message.locations[0][0] if message.locations else "?"
            label = f"{message.context}|{message.id!r}" if message.context else repr(message.id)
            if entry is None:
                found.append(f"{locale} missing: {label} ({where})")
            elif not (all(entry.string) if isinstance(entry.string, tuple) else entry.string):
                found.append(f"{locale} untranslated: {label} ({where})")
            elif entry.fuzzy:
                found.append(f"{locale} fuzzy: {label} ({where})")
    return found


#: Words the Chinese catalogue no longer uses, and the glossary's word (docs/glossary.md).
AVOIDED_WORDS = {
    "工资单": "激励结算单", "薪酬发放": "激励发放", "持续优化": "复盘与改进",
    "一对一沟通": "一对一面谈", "谈话要点": "议题", "心情签到": "心情打卡", "情绪打卡": "心情打卡",
    "合规率": "必修达标率", "绩效评估": "绩效考核", "评估表": "考核表",
}
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》"
_PLACEHOLDER = r"%\([A-Za-z_0-9]+\)[sdfr]"
#: (what is wrong, pattern) for a Chinese msgstr.
_TYPOGRAPHY = [
    ("a half-width colon in Chinese text (use ：)", re.compile(rf"[{_CJK}]\s*:|:(?=\s|$)")),
    ("half-width ; ? ! next to Chinese text (use ；？！)",
     re.compile(rf"[{_CJK}][;?!]|[;?!]\s*[{_CJK}]")),
    ("half-width brackets around Chinese text (use（）)",
     re.compile(rf"[{_CJK}]\(|\)[{_CJK}]|\([^)%]*[{_CJK}][^)]*\)")),
    ("a space between a placeholder and Chinese text",
     re.compile(rf"[{_CJK}] +{_PLACEHOLDER}|{_PLACEHOLDER} +[{_CJK}]")),
]
_HAS_CJK = re.compile("[\u3400-\u9fff]")


def wording_problems(catalog: Catalog) -> list[str]:
    """Chinese translations that break the glossary or Chinese typography: an avoided word
    (AVOIDED_WORDS), a customer's name called 姓名 (a person's), a half-width colon or ; ? ! or
    brackets in Chinese text, a space between a placeholder (a name, a number) and Chinese text."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        english = message.id[0] if isinstance(message.id, tuple) else message.id
        label = f"{message.context}|{english!r}" if message.context else repr(english)
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if not text or not _HAS_CJK.search(text):
                continue
            for old, new in AVOIDED_WORDS.items():
                if old in text:
                    found.append(f"{label}: {text!r} says {old}, the glossary says {new}")
            if "姓名" in text and "username" not in english.lower() and (
                    "customer" in english.lower() or message.context == "thing"):
                found.append(f"{label}: {text!r} says 姓名 (a person's) for a thing's name: 名称")
            for what, pattern in _TYPOGRAPHY:
                if pattern.search(text):
                    found.append(f"{label}: {text!r} has {what}")
    return found


def compile_all() -> list[Path]:
    """Compile each .po file to the .mo file Flask-Babel reads; the .mo files compiled."""
    compiled = []
    for po in catalogue_files(translations_dir()):
        compile_catalogue(po, po.with_suffix(".mo"))
        compiled.append(po.with_suffix(".mo"))
    return compiled


i18n = AppGroup("i18n", help="Extract, update, compile and check the translation catalogue.")


@i18n.command("extract")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=lambda: ROOT / "messages.pot", show_default="messages.pot")
def extract_command(output: Path) -> None:
    """Write every translatable string of the code to a template catalogue (.pot)."""
    extract_to(output.resolve())
    click.echo(f"{output}: {sum(1 for m in read_po(output.open('rb')) if m.id)} strings")


@i18n.command("update")
def update_command() -> None:
    """Bring the catalogue up to date with the code; new strings arrive untranslated."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract_to(pot)
        pybabel("update", "-i", str(pot), "-d", str(translations_dir()), "--no-fuzzy-matching",
                "--ignore-obsolete", "--ignore-pot-creation-date", "-w", "100")
    for locale in LOCALES:
        click.echo(f"{po_path(locale).relative_to(ROOT)}: "
                   f"{sum(1 for m in load(locale) if m.id)} strings")


@i18n.command("compile")
def compile_command() -> None:
    """Compile the .po files to the .mo files Flask-Babel reads (the app also does it at start)."""
    for mo in compile_all():
        click.echo(f"{mo.relative_to(ROOT)}")


@i18n.command("fill")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def fill_command(source: Path) -> None:
    """Set translations from a JSON object {"English text": "中文", …} or from another .po file
    (e.g. a branch's old module catalogue); a .po file's entries keep their contexts."""
    if source.suffix == ".po":
        with source.open("rb") as f:
            wanted = {(m.id, m.context): m.string for m in read_po(f) if m.id and m.string}
    else:
        wanted = {(text, None): value for text, value in json.loads(source.read_text()).items()}
    for locale in LOCALES:
        catalog = load(locale)
        applied = 0
        for message in catalog:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            value = wanted.get((message.id, message.context), wanted.get((key, message.context)))
            if message.id and value:
                if isinstance(message.id, tuple) and not isinstance(value, tuple):
                    value = tuple(value) if isinstance(value, list) else (value,)
                message.string = value
                message.flags.discard("fuzzy")
                applied += 1
        with po_path(locale).open("wb") as f:
            write_po(f, catalog, width=100, include_lineno=False)
        click.echo(f"{applied} translations applied to {po_path(locale).relative_to(ROOT)}")


@i18n.command("check")
def check_command() -> None:
    """Fail when a string of the code is missing from the catalogue, untranslated or fuzzy, or
    when a Chinese translation breaks the glossary or Chinese typography (wording_problems)."""
    found = problems() + [line for locale in LOCALES for line in wording_problems(load(locale))]
    for line in found:
        click.echo(line)
    if found:
        raise click.ClickException(f"{len(found)} strings need translating or rewording")
    click.echo("every string is translated")
