"""The charts (figures/charts.py): matplotlib's SVG made fit for a page under our
Content-Security-Policy, text kept as text, nothing fetched from elsewhere, suppressed
cells left out and said, numbers in the reader's notation, and each picture drawn once."""

import copy
import re

import pytest
from django.utils import translation

from figures import charts
from figures.tables import COUNT, FRACTION, NUMBER, Table

CENTRES = [("c1", "Centre Alpha"), ("c2", "Centre Beta"), ("c3", "Centre Gamma")]


def by_centre(**changes) -> Table:
    table = Table(
        key="people_by_centre",
        title="People accompanied, by centre",
        section="people",
        row_header="Centre",
        rows=[*CENTRES, ("total", "Total")],
        columns=[("people", "People accompanied", COUNT), ("reach", "Reach", FRACTION)],
        cells={
            ("c1", "people"): 2400,
            ("c2", "people"): 325,
            ("c3", "people"): 61,
            ("total", "people"): 2786,
            ("c1", "reach"): 0.1466,
            ("c2", "reach"): 0.2,
            ("c3", "reach"): 0.05,
        },
        total_row="total",
        chart="bar",
    )
    for name, value in changes.items():
        setattr(table, name, value)
    return table


def by_quarter(year: int, shift: int = 0) -> Table:
    return Table(
        key="visits_by_quarter",
        title="Visits, by quarter",
        section="visits",
        row_header="Quarter",
        rows=[(f"{year}-Q{n}", f"Q{n}") for n in (1, 2, 3, 4)],
        columns=[("visits", "Visits done", COUNT)],
        cells={(f"{year}-Q{n}", "visits"): 100 + n + shift for n in (1, 2, 3, 4)},
        chart="line",
    )


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


@pytest.fixture
def drawn(monkeypatch):
    """How many pictures matplotlib drew."""
    count = {"drawn": 0}
    draw = charts._draw

    def counted(spec):
        count["drawn"] += 1
        return draw(spec)

    monkeypatch.setattr(charts, "_draw", counted)
    return count


def test_a_bar_chart_comes_out_as_an_svg_whose_text_stays_text():
    svg = charts.svg(by_centre())
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ')
    assert svg.endswith("</svg>")
    assert {"Centre Alpha", "Centre Beta", "Centre Gamma"} <= set(texts(svg))
    assert "Total" not in texts(svg)  # the total row is in the table, not drawn


def test_the_chart_is_named_for_screen_readers_and_scales_to_its_column():
    svg = charts.svg(by_centre())
    root = re.match(r"<svg[^>]*>", svg).group(0)
    assert 'role="img"' in root
    assert 'aria-label="Chart: People accompanied, by centre"' in root
    assert "<title>Chart: People accompanied, by centre</title>" in svg
    assert 'width="100%"' in root and "height=" not in root


def test_the_svg_refers_to_nothing_outside_itself():
    svg = charts.svg(by_centre(), by_centre(), names=("2022", "2021"))
    assert set(re.findall(r"https?://[^\"'\s<>)]+", svg)) == {"http://www.w3.org/2000/svg"}
    assert "<!DOCTYPE" not in svg and "<?xml" not in svg and "<metadata" not in svg
    assert "xlink" not in svg


def test_labels_are_written_as_text_never_as_markup():
    table = by_centre(title='A "title" <script>alert(1)</script>')
    table.rows = [("c1", "<script>alert(2)</script>"), *CENTRES[1:]]
    svg = charts.svg(table)
    assert "<script" not in svg
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in svg


def test_the_svg_has_no_inline_style_that_the_content_security_policy_would_block():
    svg = charts.svg(by_centre())
    assert " style=" not in svg
    assert "<style" not in svg
    assert 'fill="#1d4f73"' in svg  # the brand's blue, as an attribute


def test_two_charts_in_one_page_share_no_id_and_find_what_they_refer_to():
    first, second = charts.svg(by_centre()), charts.svg(by_quarter(2022))
    ids = [re.findall(r'\sid="([^"]+)"', svg) for svg in (first, second)]
    assert not set(ids[0]) & set(ids[1])
    for svg, own in zip((first, second), ids, strict=True):
        assert len(own) == len(set(own))
        referred = set(re.findall(r'(?:url\(#|href="#|aria-describedby=")([^)"]+)', svg))
        assert referred <= set(own)


def test_a_suppressed_cell_is_not_drawn_and_the_description_says_so():
    table = by_centre()
    table.cells[("c3", "people")] = None
    table.suppressed = {("c3", "people")}
    svg = charts.svg(table)
    assert "1 small number is not drawn, to protect the people counted." in svg
    assert "61" not in texts(svg)
    assert "–" in texts(svg)  # a dash where the bar would be, as in the table
    assert "small number" not in charts.svg(by_centre())


def test_the_second_call_with_the_same_data_is_read_from_the_cache(drawn):
    first = charts.svg(by_centre())
    assert charts.svg(by_centre()) == first
    assert drawn["drawn"] == 1


def test_anything_drawn_that_changes_draws_again(drawn):
    charts.svg(by_centre())
    changed = by_centre()
    changed.cells[("c2", "people")] = 326
    charts.svg(changed)
    charts.svg(by_centre(title="Another title"))
    charts.svg(by_centre(), by_centre(), names=("2022", "2021"))
    with translation.override("nl"):
        charts.svg(by_centre())
    assert drawn["drawn"] == 5


def test_a_table_without_a_chart_or_without_values_gives_nothing(drawn):
    assert charts.svg(by_centre(chart=None)) == ""
    empty = by_centre()
    empty.cells = {}
    assert charts.svg(empty) == ""
    zeros = by_centre()
    zeros.cells = dict.fromkeys(zeros.cells, 0)
    assert charts.svg(zeros) == ""
    assert drawn["drawn"] == 0


def test_a_table_of_many_columns_is_drawn_whole_without_the_year_compared():
    quarters = [(f"q{n}", f"Q{n}", COUNT) for n in (1, 2, 3, 4)]
    table = by_centre(columns=[*quarters, ("total", "Year", COUNT)], total_column="total")
    table.cells = {(row, f"q{n}"): 10 * n for row, _label in CENTRES for n in (1, 2, 3, 4)}
    svg = charts.svg(table, copy.deepcopy(table), names=("2022", "2021"))
    assert {"Q1", "Q2", "Q3", "Q4"} <= set(texts(svg))  # the legend: every quarter
    assert "Year" not in texts(svg)  # the total column is in the table only
    assert "(2021)" not in svg


def test_the_numbers_drawn_are_in_the_readers_notation():
    with translation.override("nl"):
        dutch = texts(charts.svg(by_centre()))
    assert "2.400" in dutch
    assert "2,400" in texts(charts.svg(by_centre()))


def test_a_chart_of_fractions_is_drawn_in_percentages():
    reach = by_centre(columns=[("reach", "Reach", FRACTION)])
    drawn_texts = texts(charts.svg(reach))
    assert "14.7%" in drawn_texts  # a bar's label, rounded half up
    assert "20%" in drawn_texts  # an axis tick, without decimals


def test_the_year_compared_is_drawn_beside_period_by_period():
    svg = charts.svg(by_quarter(2022), by_quarter(2021, shift=-20), names=("2022", "2021"))
    assert "Visits done (2022)" in texts(svg)
    assert "Visits done (2021)" in texts(svg)
    assert 'stroke-dasharray="' in svg  # the compared year dashed


def test_a_horizontal_bar_chart_keeps_long_labels_whole():
    table = by_centre(chart="barh")
    table.rows = [("c1", "Democratic Republic of the Congo"), *CENTRES[1:]]
    svg = charts.svg(table)
    assert "Democratic Republic" in " ".join(texts(svg))


def test_the_compared_table_is_drawn_lighter_in_the_same_colour():
    other = copy.deepcopy(by_centre())
    svg = charts.svg(by_centre(columns=[("people", "People", COUNT)]), other)
    assert 'fill-opacity="0.45"' in svg or 'opacity="0.45"' in svg


@pytest.mark.parametrize(
    ("value", "kind", "language", "written"),
    [
        (628 / 4285, FRACTION, "en", "14.7%"),
        (2.25, NUMBER, "en", "2.3"),
        (4285, COUNT, "en", "4,285"),
        (4285, COUNT, "nl", "4.285"),
        (2.25, NUMBER, "fr", "2,3"),
        (52, NUMBER, "en", "52"),
    ],
)
def test_numbers_are_rounded_half_up_in_the_languages_notation(value, kind, language, written):
    with translation.override(language):
        assert charts.number(value, kind) == written
