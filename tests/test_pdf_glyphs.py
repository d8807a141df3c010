"""No box, ever, unnoticed: printed forms of people with rare names and comments full of emoji,
symbols and long tokens, rendered on a fresh-font server (tests/fonts.conf: DejaVu alone), draw
every character with a glyph of a bundled font that has an outline (drawn_glyph_problems opens the
embedded font programs), in Chinese and in English; and long tokens stay on the page."""
import pytest
from sqlalchemy import select

from portal.appraisals import printing
from portal.appraisals.printing import html_to_pdf
from portal.pdf import laid_out
from portal.extensions import db
from portal.models.appraisals import AppraisalStatus as S, PrintJob, PrintJobState
from tests.appraisal_factories import advance, appraisal_of, make_cycle, make_template
from tests.factories import make_user
from tests.pdf_fonts import drawn_glyph_problems, fonts_and_code_points, text_of

#: Names with characters beyond GB 2312: Extension A, Extensions B–H (one of each, Noto's 𠮷 and
#: BabelStone's share), compatibility ideographs of the BMP and of the supplement, and a name of
#: 100 characters (the column's length).
NAMES = [
    "高喆堃玥昇", "龚䶮㛃", "吉田𠮷", "李𠀀", "王𪚥", "陈𪜀", "张𫝀", "刘𫠠", "杨𬺰",
    "赵𰀀", "黄\U00031350", "周豈", "吴丽",
    ("司马𠮷喆" * 25)[:100],
]
LONG_TOKEN = "A" * 300
URL = "https://example.com/" + "very-long-path-segment/" * 12 + "?q=" + "1234567890" * 8
COMMENTS = {
    "self_comment": "完成了目标 👍🎉😀❤️✅⭐🥲🫠 ≤ ≥ ≠ ± × ÷ √ ∞ ① → ★ ✓ €",
    "manager_comment": "全角标点：，。！？；：“引号”‘单’（括号）【方括】《书名》、……——～ " + LONG_TOKEN,
    "improvement_plan": ("改进计划：每周拜访三家客户，记录每次拜访的结果。 Visit three customers a week. "
                         * 40)[:2000],
    "employee_comment": URL + " " + "9" * 120,
}


@pytest.fixture
def inline_jobs(app, monkeypatch):
    monkeypatch.setitem(app.config, "APPRAISAL_PRINT_IN_THREAD", False)


@pytest.fixture
def rare_cycle(org):
    """A cycle over A01 where people with the rare names have closed forms full of the corpus."""
    people = [make_user(f"rare{i}", area=org.areas[0], manager=org.users["manager1"],
                        display_name=name) for i, name in enumerate(NAMES)]
    cycle = make_cycle(make_template((60, 40)), areas=[org.areas[0]])
    for person in people:
        appraisal = appraisal_of(cycle, person)
        advance(appraisal, S.CLOSED, hr=org.users["hr"])
        for column, text in COMMENTS.items():
            setattr(appraisal, column, text)
    db.session.commit()
    return cycle, people


def test_the_checker_fails_on_a_box():
    """A character no bundled font has (a private-use one) is drawn as .notdef: it is caught,
    though the ToUnicode map credits it to the bundled font."""
    pdf = html_to_pdf("<html><body><p>李娜\ue000</p></body></html>")
    problems = drawn_glyph_problems(pdf)
    assert problems and "\\ue000" in problems[0]
    assert any(0xE000 in points for points in fonts_and_code_points(pdf).values())


@pytest.mark.slow
@pytest.mark.sqlite_only
@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_every_rare_name_and_comment_prints_without_a_box(org, rare_cycle, client_as,
                                                          inline_jobs, locale):
    cycle, people = rare_cycle
    hr = client_as("hr")
    hr.post("/language", data={"locale": locale, "next": "/"})
    response = hr.post(f"/appraisals/cycles/{cycle.id}/print",
                       data={"area_id": str(org.areas[0].id), "status": "closed"})
    assert response.status_code == 303
    job = db.session.scalar(select(PrintJob).order_by(PrintJob.id.desc()))
    assert job.state == PrintJobState.DONE, job.error
    pdf = hr.get(f"/appraisals/print-jobs/{job.id}/download").data
    assert drawn_glyph_problems(pdf) == []
    text = text_of(pdf)
    for name in NAMES[:-1]:
        assert name in text, name
    fonts = fonts_and_code_points(pdf)
    assert any("Portal-BabelStone-Han" in name for name in fonts)
    assert any("Portal-Noto-Emoji" in name for name in fonts)
    assert any("Portal-Noto-Sans-SC-Ext" in name and 0x2265 in points
               for name, points in fonts.items())  # ≥ of the rating line, in the bundled font


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_long_tokens_wrap_inside_the_page(app, org, rare_cycle, locale):
    """The 300-letter token, the URL and the long number break inside their cells: no text runs
    past the right edge of the page's content area."""
    cycle, people = rare_cycle
    appraisal = appraisal_of(cycle, people[0])
    english = locale == "en"
    from flask_babel import force_locale
    with force_locale(locale):
        data = printing.form_data(appraisal, english)
    document = laid_out(printing.form_html([data], locale))
    for page in document.pages:
        right = page._page_box.margin_width() - page._page_box.margin_right
        for text_box in _text_boxes(page._page_box):
            if text_box.element_tag and text_box.position_y < page._page_box.margin_top:
                continue  # the margin boxes
            assert text_box.position_x + text_box.width <= right + 1, text_box.text[:40]
