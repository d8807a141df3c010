"""What a PDF draws: for each font, its /BaseFont and the code points of its /ToUnicode map, and
every glyph shown checked against the embedded font program (drawn_glyph_problems).

pdftotext cannot detect tofu (it extracts the right text from boxes), and neither can the
ToUnicode map (it credits a missing glyph to the font that lacks it): drawn_glyph_problems opens
the embedded fonts and fails on a glyph id not in the font or without an outline.
"""
import io
import os
import re
import unicodedata
from pathlib import Path

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream, NameObject

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


# --- what is drawn: every glyph shown, checked against the embedded font program -------------

#: A fresh server's fonts: DejaVu alone (tests/fonts.conf). Set before anything renders, so a
#: printed form passes only with the fonts bundled in static/fonts/.
os.environ["FONTCONFIG_FILE"] = str(Path(__file__).with_name("fonts.conf"))


def _code_to_text(cmap: bytes) -> dict[int, str]:
    """code → text of a ToUnicode CMap (bfchar and bfrange)."""
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = _decode(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, rest in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block):
            lo, hi = int(lo, 16), int(hi, 16)
            if rest.startswith(b"["):
                for code, dst in zip(range(lo, hi + 1), HEX.findall(rest)):
                    mapping[code] = _decode(dst)
            else:
                text = _decode(rest[1:-1])
                for offset in range(hi - lo + 1):
                    mapping[lo + offset] = text[:-1] + chr(ord(text[-1]) + offset)
    return mapping


class _Font:
    """A Type0 font of the PDF: code → glyph id (its Encoding and CIDToGIDMap), the embedded font
    program (FontFile2 or FontFile3) and code → text (ToUnicode)."""

    def __init__(self, font):
        self.name = str(font.get("/BaseFont"))
        assert font["/Subtype"] == "/Type0", f"{self.name}: not a Type0 font ({font['/Subtype']})"
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        assert stream is not None, f"{self.name}: the font program is not embedded"
        self.program = TTFont(io.BytesIO(stream.get_object().get_data()))
        self.glyph_order = self.program.getGlyphOrder()
        encoding = font.get("/Encoding")
        self.cids = None  # Identity-H: the code is the CID
        if encoding is not None and not isinstance(encoding.get_object(), NameObject):
            data = encoding.get_object().get_data()
            self.cids = {int(code, 16): int(cid) for code, cid in
                         re.findall(rb"<([0-9A-Fa-f]+)>\s+(\d+)", data)}
        gid_map = descendant.get("/CIDToGIDMap")
        self.gids = None  # /Identity
        if gid_map is not None and not isinstance(gid_map.get_object(), NameObject):
            data = gid_map.get_object().get_data()
            self.gids = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
        cmap = font.get("/ToUnicode")
        self.text = _code_to_text(cmap.get_object().get_data()) if cmap else {}
        self._outlined: dict[int, bool] = {}

    def glyph_id(self, code: int) -> int:
        cid = code if self.cids is None else self.cids.get(code, 0)
        if self.gids is None:
            return cid
        return self.gids[cid] if cid < len(self.gids) else 0

    def has_outline(self, gid: int) -> bool:
        if gid not in self._outlined:
            name = self.glyph_order[gid]
            if "glyf" in self.program:
                glyph = self.program["glyf"][name]
                outlined = glyph.numberOfContours != 0
            else:
                pen = BoundsPen(self.program.getGlyphSet())
                self.program.getGlyphSet()[name].draw(pen)
                outlined = pen.bounds is not None
            self._outlined[gid] = outlined
        return self._outlined[gid]

    def problem(self, code: int) -> str | None:
        """Why this code draws a box or nothing, or None if it draws its glyph."""
        text = self.text.get(code, "")
        gid = self.glyph_id(code)
        if gid == 0:
            return f"{text!r} drawn with .notdef (a box) in {self.name}"
        if gid >= len(self.glyph_order):
            return f"{text!r}: glyph {gid} not in {self.name}"
        if not self.has_outline(gid) and not (text == "" or text.isspace()
                                              or all(unicodedata.category(c) in ("Cf", "Mn",
                                                                                 "Zs")
                                                     for c in text)):
            return f"{text!r}: glyph {gid} of {self.name} has no outline"
        return None


def _shown_codes(operands, operator) -> list[bytes]:
    if operator in (b"Tj", b"'"):
        return [operands[0]]
    if operator == b'"':
        return [operands[2]]
    if operator == b"TJ":
        return [item for item in operands[0] if isinstance(item, (bytes, str))]
    return []


def drawn_glyph_problems(pdf: bytes) -> list[str]:
    """Every character the PDF draws with a glyph id missing from the embedded font program or
    without an outline (a box, or nothing where a character was), page by page. Text drawn with
    a font that is not embedded is a problem too."""
    reader = PdfReader(io.BytesIO(pdf))
    problems: list[str] = []
    fonts: dict = {}

    def walk(content_owner, resources, where: str) -> None:
        resources = resources.get_object() if resources is not None else {}
        font_resources = resources.get("/Font", {})
        font_resources = font_resources.get_object() if font_resources else {}
        content = ContentStream(content_owner, reader)
        current = None
        for operands, operator in content.operations:
            if operator == b"Tf":
                ref = font_resources[operands[0]]
                key = ref.idnum if hasattr(ref, "idnum") else id(ref)
                if key not in fonts:
                    fonts[key] = _Font(ref.get_object())
                current = fonts[key]
            for shown in _shown_codes(operands, operator):
                data = shown.original_bytes if hasattr(shown, "original_bytes") else bytes(shown)
                for i in range(0, len(data) - 1, 2):
                    issue = current.problem(int.from_bytes(data[i:i + 2], "big"))
                    if issue:
                        problems.append(f"{where}: {issue}")
            if operator == b"Do":
                xobjects = resources.get("/XObject", {})
                xobject = xobjects.get_object()[operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources", resources), where)

    for number, page in enumerate(reader.pages, 1):
        walk(page.get_contents(), page.get("/Resources"), f"page {number}")
    return problems
