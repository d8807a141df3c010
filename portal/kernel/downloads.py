"""File downloads: one way to answer with a CSV, XLSX, PDF or calendar file.

- the file name in RFC 5987 form (`filename*=UTF-8''…`) beside an ASCII fallback, so Chinese
  names (销售明细-城东营业区-2026-11.xlsx) survive every browser;
- `Cache-Control: private, no-store` by default: exports carry personal data (payouts,
  appraisals); a proxy or the browser's disk cache must not keep them;
- a body may be bytes or an iterable of chunks (streamed exports).
"""
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "pdf": "application/pdf",
    "ics": "text/calendar; charset=utf-8",
    "json": "application/json",
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def _ascii(text: str) -> str:
    """What of a text survives in ASCII (accents dropped from their letters, CJK dropped)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip()


def content_disposition(filename: str, inline: bool = False) -> str:
    """The Content-Disposition value: an ASCII fallback and the UTF-8 name (RFC 5987/6266)."""
    name = _UNSAFE.sub("-", filename).strip() or "download"
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    ascii_stem = re.sub(r"^[-. ]+", "", _ascii(stem)) or "download"
    ascii_name = ascii_stem + (f".{_ascii(extension)}" if _ascii(extension) else "")
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(body: bytes | str | Iterable, filename: str, *, kind: str | None = None,
             private: bool = True, inline: bool = False) -> Response:
    """A response that downloads `body` as `filename` (kind from the extension by default)."""
    kind = kind or filename.rsplit(".", 1)[-1].lower()
    response = Response(body, mimetype=None, content_type=MIMETYPES.get(kind,
                                                                         "application/octet-stream"))
    response.headers["Content-Disposition"] = content_disposition(filename, inline)
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
