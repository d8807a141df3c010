"""What a PDF's fonts carry: for each font, its /BaseFont and the code points of its /ToUnicode map.

pdftotext cannot detect tofu (it extracts the right text from boxes), so the tests check which
font carries each CJK code point instead (ENGINEERING.md).
"""
import io
import re

from pypdf import PdfReader

CJK_RANGES = [(0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
              (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x3134F)]
HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def is_cjk(code_point: int) -> bool:
    return any(lo <= code_point <= hi for lo, hi in CJK_RANGES)


def _decode(hex_bytes: bytes) -> str:
    return bytes.fromhex(hex_bytes.decode()).decode("utf-16-be", errors="replace")


def to_unicode_code_points(cmap: bytes) -> set[int]:
    """Every code point a ToUnicode CMap maps to (bfchar and bfrange sections)."""
    points: set[int] = set()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for _src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            points.update(ord(c) for c in _decode(dst))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, rest in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block):
            if rest.startswith(b"["):
                for dst in HEX.findall(rest):
                    points.update(ord(c) for c in _decode(dst))
            else:
                start = ord(_decode(rest[1:-1])[-1])
                points.update(range(start, start + int(hi, 16) - int(lo, 16) + 1))
    return points


def fonts_and_code_points(pdf: bytes) -> dict[str, set[int]]:
    """{BaseFont: code points it carries} over every page of the PDF."""
    found: dict[str, set[int]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            name = str(font.get("/BaseFont"))
            cmap = font.get("/ToUnicode")
            points = to_unicode_code_points(cmap.get_object().get_data()) if cmap else set()
            found.setdefault(name, set()).update(points)
    return found


def text_of(pdf: bytes) -> str:
    """The text of every page, joined."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
