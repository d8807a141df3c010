"""WeasyPrint with the bundled fonts and the print stylesheet, and nothing of the app: the helper
processes of a batch print job import this module alone (portal.appraisals.printing does the rest).

Rules from ENGINEERING.md: the same FontConfiguration goes to CSS() and write_pdf(); the fonts are
bundled in static/fonts/; the URL fetcher serves static/ and nothing else.
"""
import atexit
import os
import threading
from pathlib import Path

from portal import ROOT

STATIC = (ROOT / "static").resolve()
#: The print stylesheet; bench/print_fonts.py points PORTAL_PRINT_CSS at another one under static/
#: (the font stack before the fallback fonts) to measure both in one run.
PRINT_CSS = Path(os.environ.get("PORTAL_PRINT_CSS") or STATIC / "css" / "appraisal-print.css")


def static_only_fetcher():
    """A URL fetcher that serves files under static/ and refuses everything else."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve()
            if parsed.scheme != "file" or not path.is_relative_to(STATIC) or not path.is_file():
                raise ValueError(f"refused to fetch {url!r}: only the portal's static files")
            return super().fetch(path.as_uri(), headers)

    return StaticOnly(allowed_protocols={"file"})


_print_setup = threading.local()
# Drop the main thread's stylesheet before interpreter teardown, when WeasyPrint can still free it.
atexit.register(lambda: setattr(_print_setup, "value", None))


def _stylesheet():
    """The print stylesheet and its FontConfiguration, parsed once per thread and reused.

    Parsing the CSS and loading the bundled fonts is a good part of a render; the pair is kept
    together because the same FontConfiguration must go to CSS() and write_pdf().
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    stamp = PRINT_CSS.stat().st_mtime_ns
    cached = getattr(_print_setup, "value", None)
    if cached is None or cached[0] != stamp:
        fonts = FontConfiguration()
        css = CSS(filename=str(PRINT_CSS), font_config=fonts, url_fetcher=static_only_fetcher())
        cached = _print_setup.value = (stamp, css, fonts)
    return cached[1], cached[2]


def html_to_pdf(html: str) -> bytes:
    """Render standalone HTML to PDF with the bundled fonts and the print stylesheet."""
    from weasyprint import HTML

    css, fonts = _stylesheet()  # one FontConfiguration for the CSS and write_pdf
    document = HTML(string=html, base_url=STATIC.as_uri() + "/", url_fetcher=static_only_fetcher())
    return document.write_pdf(stylesheets=[css], font_config=fonts)


def laid_out(html: str):
    """The laid-out pages of standalone HTML (a WeasyPrint Document), not yet written."""
    from weasyprint import HTML

    css, fonts = _stylesheet()
    return HTML(string=html, base_url=STATIC.as_uri() + "/",
                url_fetcher=static_only_fetcher()).render(stylesheets=[css], font_config=fonts)


def documents_to_pdf(documents: list) -> bytes:
    """Laid-out documents written as one PDF: their pages in order, each keeping the page numbers
    of its own layout, the font subset embedded once (WeasyPrint's way of joining documents)."""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


#: In a helper process of a batch: the queue it announces each laid-out form on (set by
#: `announce_to`, the pool's initializer), so the job's progress moves per form.
_announcements = None


def announce_to(announcements) -> None:
    """The initializer of a batch's helper processes: where to announce each form laid out."""
    global _announcements
    _announcements = announcements


def render_part(part: tuple[bytes | list[str] | None, int],
                tick=None) -> tuple[bytes | None, int]:
    """A part of a batch as PDF: the forms laid out one by one, written together. `tick()` is
    called after each form (in a helper process: a message on the announcement queue instead).
    Needs no app and no database, so it runs in a helper process as well as here."""
    content, forms = part
    if isinstance(content, list):
        documents = []
        for html in content:
            documents.append(laid_out(html))
            if tick is not None:
                tick()
            elif _announcements is not None:
                _announcements.put(1)
        content = documents_to_pdf(documents)
    return content, forms
