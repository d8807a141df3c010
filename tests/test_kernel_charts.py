"""Chart geometry: a nice ceiling for an axis, the horizontal attainment chart drawn in
percentages of its width with a legend for its reference lines, short tick labels."""
import re
from decimal import Decimal

import pytest

from portal.kernel.bar_charts import NAMES, TAIL, horizontal_percent_bars
from portal.kernel.charts import nice_ceiling, nice_step


@pytest.mark.parametrize("value, top, steps", [
    (575, 600, 3), (100, 100, 4), (120, 150, 3), (Decimal("87.5"), 100, 4), (1001, 1500, 3),
    (250, 300, 3), (160, 200, 4), (Decimal("0.4"), Decimal("0.4"), 4), (0, 1, 1),
])
def test_an_axis_tops_at_a_nice_ceiling_just_above_the_value(value, top, steps):
    assert nice_ceiling(Decimal(value)) == (Decimal(top), steps)
    assert nice_step(Decimal(value)) * steps == Decimal(top)


def test_the_attainment_chart_uses_its_width_and_runs_to_a_nice_ceiling():
    chart = horizontal_percent_bars([("张伟", Decimal(575)), ("李娜", Decimal(60)),
                                     ("王芳", None)], Decimal(80))
    assert chart.width == 100  # percentages: the whole width the page gives it
    assert [v for _x, v in chart.ticks] == [0, 200, 400, 600]  # not 1,000 %
    assert chart.ticks[0][0] == NAMES and chart.ticks[-1][0] == 100 - TAIL
    top_bar = chart.bars[0]
    assert top_bar.x == NAMES
    assert top_bar.width == pytest.approx((100 - NAMES - TAIL) * 575 / 600, abs=0.01)
    assert [b.css for b in chart.bars] == ["bar-ok", "bar-bad", "bar-ok"]
    (x100, target, text100), (x80, threshold, text80) = chart.lines
    assert (target, threshold) == ("line-target", "line-threshold")
    assert "100" in text100 and "80" in text80  # written as the locale writes a percentage
    assert NAMES < x80 < x100 < NAMES + (100 - NAMES - TAIL) / 6 + 0.01  # 100 of 600
    assert chart.minor_ticks == set()  # three steps: every label stays, even on a phone


def test_four_steps_leave_two_minor_ticks_for_a_phone():
    chart = horizontal_percent_bars([("张伟", Decimal(95))], Decimal(80))
    assert [v for _x, v in chart.ticks] == [0, 25, 50, 75, 100]
    assert chart.minor_ticks == {1, 3}


def test_the_managers_chart_on_the_dashboard_has_a_legend(client_as, org):
    html = client_as("manager1").get("/", headers={"Accept-Language": "zh-CN"}).text
    start = html.index('<svg class="hchart"')
    figure = html[html.rindex("<figure", 0, start):html.index("</figure>", start)]
    assert 'width="100%"' in figure and "viewBox" not in figure[:figure.index("<title>")]
    legend = figure[figure.index('<figcaption class="chart-legend">'):]
    assert re.search(r"目标：100\s?%", legend) and re.search(r"低于80\s?%有风险", legend)
    assert 'class="line-target"' in legend and 'class="line-threshold"' in legend


def test_tick_labels_are_short_in_each_language(app):
    from flask_babel import refresh

    from portal.targets.views import axis_number
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        refresh()  # the locale is cached for the app context the test holds
        assert axis_number(Decimal(300000)) == "30万" and axis_number(Decimal(1200)) == "1,200"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert axis_number(Decimal(2500000)) == "2.5M" and axis_number(None) == ""
